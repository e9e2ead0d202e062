"""XML both ways: the doc examples, array='true', hostile input, and JSON/XML round-trip properties."""

from __future__ import annotations

import enum
import time
import tracemalloc
from typing import Any

import httpx
import pytest
from altcraft import Altcraft, InvalidInput, XMLError, _xml, models
from altcraft._models import to_model
from altcraft._schema import OPERATIONS, shape
from altcraft._serialize import to_plain
from altcraft._validate import check
from altcraft._xml import decode, decode_request, decode_response, encode, encode_request, encode_response
from hypothesis import HealthCheck, given, settings

from ..spec_tools import operations, resolve
from ..strategies import SCHEMAS, schema_values

# -- the doc examples ------------------------------------------------------------------------------------


def _twins() -> list[tuple[str, str, str, Any, Any]]:
    """(operation, where, example name, XML text, JSON twin) for every XML example of the spec."""
    out = []
    for op_id, op in operations().items():
        places = [("request", op["requestBody"])]
        places += [(code, resolve(r)) for code, r in op["responses"].items()]
        for where, holder in places:
            content = holder.get("content", {})
            for name, ex in content.get("application/xml", {}).get("examples", {}).items():
                twin = content["application/json"]["examples"][name]["value"]
                out.append((op_id, where, name, ex["value"], twin))
    return out


TWINS = _twins()
# The XML tabs that the pages print with other values than their JSON tabs.
PRINTED_APART = {
    ("import_profile", "request", "email_subscription"),
    ("import_profile", "request", "additional_data"),
    ("import_profile", "request", "channels"),
    ("import_profile", "200", "imported"),
    ("import_and_start_batch", "request", "ru_matching_custom"),
}


def _without_format(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k != "format"}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _read_back(from_xml: Any, from_json: Any, path: str = "") -> None:
    """``from_xml`` is ``from_json`` read back from XML: equal, except that a number or boolean may come back as
    the text it was written as (issue 22 case 6: where the schema allows a string, the text stays a string)."""
    if isinstance(from_json, dict):
        assert isinstance(from_xml, dict) and from_xml.keys() == from_json.keys(), (path, from_xml, from_json)
        for key, value in from_json.items():
            _read_back(from_xml[key], value, f"{path}.{key}")
    elif isinstance(from_json, list):
        assert isinstance(from_xml, list) and len(from_xml) == len(from_json), (path, from_xml, from_json)
        for i, (x, j) in enumerate(zip(from_xml, from_json, strict=True)):
            _read_back(x, j, f"{path}[{i}]")
    elif from_xml != from_json or type(from_xml) is not type(from_json):
        assert isinstance(from_xml, str) and from_xml == _text(from_json), (path, from_xml, from_json)


def test_there_are_xml_examples() -> None:
    assert len(TWINS) >= 9


@pytest.mark.parametrize(("op", "where", "name", "xml", "twin"), TWINS, ids=[f"{t[0]}:{t[1]}:{t[2]}" for t in TWINS])
def test_xml_example_decodes_to_its_json_twin_and_round_trips(
    op: str, where: str, name: str, xml: str, twin: Any
) -> None:
    decoded = decode_request(op, xml) if where == "request" else decode_response(op, xml)
    if (op, where, name) in PRINTED_APART:
        # Kept as printed (x-docs-discrepancies: xml-examples-differ-from-json): a valid example of its own.
        assert _without_format(decoded) != _without_format(twin)
        if where == "request":
            assert check(op, decoded)[0] == []
    else:
        _read_back(_without_format(decoded), _without_format(twin))
        if where == "request":
            model = getattr(models, OPERATIONS[op]["request_schema"])
            as_model = model.from_dict(_without_format(decoded))
            _read_back(to_plain(as_model), to_plain(model.from_dict(_without_format(twin))))
    if where == "request":
        again = decode_request(op, encode_request(op, decoded))
    else:
        again = decode_response(op, encode_response(op, decoded))
    assert again == decoded


def test_array_attribute_single_and_repeated_elements() -> None:
    s = shape("ImportProfileRequest")
    one_sub = (
        "<xml><data><subscriptions><channel>email</channel><email>a</email><resource_id>1</resource_id>"
        "</subscriptions><phones>+7</phones></data></xml>"
    )
    out = decode(one_sub, s)
    assert isinstance(out["data"]["subscriptions"], list) and out["data"]["phones"] == "+7"
    marked = "<xml><data><phones array='true'>+7</phones><tags array='true'>x</tags><n>1</n></data></xml>"
    out = decode(marked, s)
    assert out["data"] == {"phones": ["+7"], "tags": ["x"], "n": "1"}
    assert b"<phones array='true'>+7</phones>" in encode({"data": {"phones": ["+7"]}}, s)
    # A string-or-array field: a plain element first, then a marked one, keeps both values.
    mixed = "<xml><data><phones>+7</phones><phones array='true'>+8</phones><phones>+9</phones></data></xml>"
    assert decode(mixed, s)["data"]["phones"] == ["+7", "+8", "+9"]


def test_batch_items_flat_and_wrapped() -> None:
    body = {"trigger_id": 1, "data": [{"data": {"email": "a"}}, {"data": {"email": "b"}, "custom_data": {"k": "v"}}]}
    xml = encode_request("import_and_start_batch", body).decode()
    assert "<data><email>a</email></data>" in xml
    assert "<data><data><email>b</email></data><custom_data><k>v</k></custom_data></data>" in xml
    assert decode_request("import_and_start_batch", xml) == body


def test_types_follow_the_schema() -> None:
    # field_value is int/string (a string is allowed: the text stays as written, issue 22 case 6); minutes and
    # _sex are integers by assumption only (x-assumed): a number where the text reads back unchanged, else the text.
    xml = (
        "<xml><trigger_id>7</trigger_id><detect_geo>true</detect_geo><field_value>12</field_value>"
        "<timeout><minutes>5</minutes><hours>01</hours></timeout><data><_sex>1</_sex><zip>007</zip></data></xml>"
    )
    out = decode_request("import_and_start_batch", xml)
    assert out == {
        "trigger_id": 7,
        "detect_geo": True,
        "field_value": "12",
        "timeout": {"minutes": 5, "hours": "01"},
        "data": [{"data": {"_sex": 1, "zip": "007"}}],
    }
    # An assumed type is never a refusal: child elements under _sex decode as an object (the validator warns).
    assert decode_request("import_and_start_batch", "<xml><data><_sex><a/></_sex></data></xml>") == {
        "data": [{"data": {"_sex": {"a": ""}}}]
    }
    with pytest.raises(XMLError, match="trigger_id"):
        decode_request("import_and_start_batch", "<xml><trigger_id>seven</trigger_id></xml>")
    with pytest.raises(XMLError, match="detect_geo"):
        decode_request("import_and_start_batch", "<xml><detect_geo>yes</detect_geo></xml>")


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<xml><trigger_id>1</trigger_id><trigger_id>2</trigger_id></xml>", "trigger_id: one element expected"),
        ("<xml><timeout>soon</timeout></xml>", "timeout: expected an object, found text"),
        (
            "<xml><data><subscriptions><resource_id><a/></resource_id></subscriptions></data></xml>",
            "data[0].subscriptions[0].resource_id: expected integer, found child elements",
        ),
        (
            "<xml><data><email>a</email></data><data><subscriptions><resource_id>q</resource_id>"
            "</subscriptions></data></xml>",
            "data[1].subscriptions[0].resource_id: 'q' is not integer",
        ),
        (
            "<xml><data><data><subscriptions><resource_id>1</resource_id></subscriptions><subscriptions>"
            "<resource_id>z</resource_id></subscriptions></data><custom_data><k>v</k></custom_data></data></xml>",
            "data[0].data.subscriptions[1].resource_id: 'z' is not integer",
        ),
    ],
)
def test_errors_name_the_json_path(xml: str, message: str) -> None:
    with pytest.raises(XMLError) as caught:
        decode_request("import_and_start_batch", xml)
    assert str(caught.value).startswith(message)


def test_escaping_and_bad_names() -> None:
    body = {"data": {"note": "a < b & c > d", "_fname": 'O\'Neil "x"'}, "db_id": 1}
    assert decode_request("import_profile", encode_request("import_profile", body)) == body
    with pytest.raises(InvalidInput, match=r"data\.bad name"):
        encode_request("import_profile", {"data": {"bad name": "x"}})


def test_scalars_other_than_str_and_int_are_written_as_json_would_read_them() -> None:
    class Channel(enum.Enum):
        EMAIL = "email"

    class Name(str):
        pass

    body = {
        "db_id": 1,
        "matching": Channel.EMAIL,
        "data": {"score": 1.5, "vip": True, "off": False, "nick": Name("a<b")},
    }
    assert encode_request("import_profile", body) == (
        b"<xml><db_id>1</db_id><matching>email</matching><data><score>1.5</score><vip>true</vip>"
        b"<off>false</off><nick>a&lt;b</nick></data></xml>"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "data.x: nan cannot be sent"),
        (float("-inf"), "data.x: -inf cannot be sent"),
        (b"x", "data.x: a value of type bytes cannot be sent"),
        (object(), "data.x: a value of type object cannot be sent"),
    ],
)
def test_a_value_xml_cannot_carry_is_refused_naming_its_field(value: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        encode_request("import_profile", {"db_id": 1, "data": {"x": value}})
    assert (str(caught.value), caught.value.field) == (message, "data.x")


# -- hostile XML -----------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><error>0</error><error_text>&lol9;</error_text><profile_id>54759eb3c090d83494e2d804</profile_id></xml>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<xml><error>0</error><error_text>&e;</error_text></xml>"""
PARAMETER = b"""<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><xml><error>0</error></xml>"""
LOWERCASE = b"""<!doctype xml [<!entity a "b">]><xml><error>&a;</error></xml>"""


@pytest.mark.parametrize(
    "payload", [BILLION_LAUGHS, EXTERNAL, PARAMETER, LOWERCASE], ids=["laughs", "xxe", "dtd", "lower"]
)
def test_hostile_xml_is_refused_quickly_without_memory_growth(payload: bytes) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(XMLError, match="DTD"):
        decode_response("import_profile", payload)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1 << 20, peak
    assert elapsed < 5  # generous: a real expansion would take far longer and gigabytes


def test_entity_reference_without_dtd_is_malformed() -> None:
    with pytest.raises(XMLError, match="malformed"):
        decode_response("import_profile", b"<xml><error_text>&lol9;</error_text></xml>")


def test_other_root_and_garbage() -> None:
    with pytest.raises(XMLError, match="root"):
        decode_response("import_profile", b"<html/>")
    with pytest.raises(XMLError):
        decode_response("import_profile", b"\x00\x01")


# -- property: JSON and XML round trips give equal models ----------------------------------------------------

REQUEST_SCHEMAS = sorted({o["request_schema"] for o in OPERATIONS.values()})
RESPONSE_SCHEMAS = sorted({s for o in OPERATIONS.values() for s in o["response_schemas"]})


@pytest.mark.parametrize("schema_name", REQUEST_SCHEMAS + RESPONSE_SCHEMAS)
def test_json_and_xml_round_trips_give_equal_models(schema_name: str) -> None:
    model = getattr(models, schema_name)
    s = shape(schema_name)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=schema_values(SCHEMAS[schema_name]))
    def check(value: dict[str, Any]) -> None:
        from_json = model.from_dict(value)
        decoded = decode(encode(to_plain(from_json), s), s)
        from_xml = model.from_dict(decoded)
        _read_back(to_plain(from_xml), to_plain(from_json))
        assert decode(encode(decoded, s), s) == decoded  # what XML read once, it reads the same again
        assert to_model(model, decoded) == from_xml  # the client's builder gives the same model

    check()


def test_nil_and_empty_object_markers() -> None:
    xml = "<xml><data><a nil='true'/><b object='true'/><c></c><custom_fields/></data></xml>"
    assert decode_request("import_profile", xml) == {"data": {"a": None, "b": {}, "c": "", "custom_fields": ""}}


def test_empty_arrays_survive_both_ways() -> None:
    answer = {"error": 0, "error_text": "Successful operation", "result": []}
    encoded = _xml.encode_response("import_and_start_batch", answer)
    assert b"<result empty='true'/>" in encoded
    assert _xml.decode_response("import_and_start_batch", encoded) == answer
    body = {"db_id": 1, "data": {"email": "a@b.c", "subscriptions": [], "phones": [], "custom_list": []}}
    encoded = _xml.encode_request("import_profile", body)
    assert encoded.count(b"empty='true'") == 3
    assert _xml.decode_request("import_profile", encoded) == body


def test_an_absent_required_array_reads_as_empty() -> None:
    """Go's encoding/xml writes nothing for an empty slice: a success answer without <result> has none."""
    ok = b"<xml><error>0</error><error_text>ok</error_text></xml>"
    assert _xml.decode_response("import_and_start_batch", ok)["result"] == []
    failed = b"<xml><error>400</error><error_text>Invalid request</error_text></xml>"
    assert "result" not in _xml.decode_response("import_and_start_batch", failed)


def test_an_empty_xml_result_is_an_empty_batch_result() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        content = b"<xml><error>0</error><error_text>ok</error_text><result empty='true'/></xml>"
        return httpx.Response(200, content=content, headers={"content-type": "application/xml"})

    with Altcraft("http://x.test", "t", transport=httpx.MockTransport(handler), format="xml") as client:
        assert client.import_and_start_batch({"trigger_id": 1, "data": [{"data": {"email": "a@b.c"}}]}).result == []


def test_three_unmarked_repeats_are_one_flat_list() -> None:
    doc = b"<xml><db_id>1</db_id><data><tag>a</tag><tag>b</tag><tag>c</tag><tag>d</tag></data></xml>"
    assert _xml.decode_request("import_profile", doc)["data"]["tag"] == ["a", "b", "c", "d"]
    doc = b"<xml><db_id>1</db_id><data><phones>1</phones><phones>2</phones><phones>3</phones></data></xml>"
    assert _xml.decode_request("import_profile", doc)["data"]["phones"] == ["1", "2", "3"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
@pytest.mark.parametrize(
    "hostile",
    [
        '<!DOCTYPE xml [<!ENTITY e "boom">]><xml><task_id>t</task_id></xml>',
        '<!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml><task_id>t</task_id></xml>',
        '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><task_id>&e;</task_id></xml>',
        "<!DOCTYPE xml><xml><task_id>t</task_id></xml>",
    ],
    ids=["internal-entity", "external-dtd", "external-entity", "bare-doctype"],
)
def test_dtds_and_entities_are_refused_in_every_encoding(encoding: str, hostile: str) -> None:
    declared = encoding.removesuffix("-sig").upper()
    text = f'<?xml version="1.0" encoding="{declared}"?>' + hostile
    with pytest.raises(XMLError, match=r"DTD|entit"):
        decode_request("task_status", text.encode(encoding))
    plain = f'<?xml version="1.0" encoding="{declared}"?><xml><task_id>t</task_id></xml>'
    assert decode_request("task_status", plain.encode(encoding)) == {"task_id": "t"}


def test_a_lenient_decode_keeps_unfit_values_and_lists_the_problems_json_cannot_show() -> None:
    from altcraft._xml import decode_request_leniently

    xml = (
        "<xml><trigger_id>x</trigger_id><data><data><email>a@b.c</email>"
        "<subscriptions><channel>email</channel><email>a@b.c</email><resource_id>1</resource_id></subscriptions>"
        '<subscriptions empty="true"/></data></data></xml>'
    )
    with pytest.raises(XMLError, match="trigger_id"):
        decode_request("import_and_start_batch", xml)
    body, problems = decode_request_leniently("import_and_start_batch", xml)
    assert body["trigger_id"] == "x"  # kept as written, for the schema check to report
    assert body["data"][0]["data"]["subscriptions"] == [{"channel": "email", "email": "a@b.c", "resource_id": 1}]
    assert problems == [("data[0].data.subscriptions[1]", "an empty array cannot follow its items")]
