"""XML both ways: the doc examples, array='true', hostile input, and JSON/XML round-trip properties."""

from __future__ import annotations

import re
import time
import tracemalloc
from typing import Any

import pytest
from altcraft import XMLError, models
from altcraft._schema import OPERATIONS, shape
from altcraft._serialize import to_plain
from altcraft._xml import decode, decode_request, decode_response, encode, encode_request, encode_response
from altcraft_api.spec_data import SPEC_DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .spec_tools import operations, resolve

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


def _without_format(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k != "format"}


def test_there_are_xml_examples() -> None:
    assert len(TWINS) >= 9


@pytest.mark.parametrize(("op", "where", "name", "xml", "twin"), TWINS, ids=[f"{t[0]}:{t[1]}:{t[2]}" for t in TWINS])
def test_xml_example_decodes_to_its_json_twin_and_round_trips(
    op: str, where: str, name: str, xml: str, twin: Any
) -> None:
    decoded = decode_request(op, xml) if where == "request" else decode_response(op, xml)
    assert _without_format(decoded) == _without_format(twin)
    if where == "request":
        model = getattr(models, OPERATIONS[op]["request_schema"])
        assert model.from_dict(_without_format(decoded)) == model.from_dict(_without_format(twin))
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


def test_batch_items_flat_and_wrapped() -> None:
    body = {"trigger_id": 1, "data": [{"data": {"email": "a"}}, {"data": {"email": "b"}, "custom_data": {"k": "v"}}]}
    xml = encode_request("import_and_start_batch", body).decode()
    assert "<data><email>a</email></data>" in xml
    assert "<data><data><email>b</email></data><custom_data><k>v</k></custom_data></data>" in xml
    assert decode_request("import_and_start_batch", xml) == body


def test_types_follow_the_schema() -> None:
    xml = (
        "<xml><trigger_id>7</trigger_id><detect_geo>true</detect_geo><field_value>12</field_value>"
        "<timeout><minutes>5</minutes></timeout><data><_sex>1</_sex><zip>007</zip></data></xml>"
    )
    out = decode_request("import_and_start_batch", xml)
    assert out == {
        "trigger_id": 7,
        "detect_geo": True,
        "field_value": 12,
        "timeout": {"minutes": 5},
        "data": [{"data": {"_sex": 1, "zip": "007"}}],
    }
    with pytest.raises(XMLError, match="trigger_id"):
        decode_request("import_and_start_batch", "<xml><trigger_id>seven</trigger_id></xml>")
    with pytest.raises(XMLError, match="detect_geo"):
        decode_request("import_and_start_batch", "<xml><detect_geo>yes</detect_geo></xml>")


def test_escaping_and_bad_names() -> None:
    body = {"data": {"note": "a < b & c > d", "_fname": 'O\'Neil "x"'}, "db_id": 1}
    assert decode_request("import_profile", encode_request("import_profile", body)) == body
    from altcraft import InvalidInput

    with pytest.raises(InvalidInput, match=r"data\.bad name"):
        encode_request("import_profile", {"data": {"bad name": "x"}})


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

SCHEMAS = SPEC_DATA["schemas"]
_NUMERIC = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12).filter(
    lambda s: not _NUMERIC.match(s) and s.strip() == s
)
_XML_NAME = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,10}\Z").filter(lambda s: not s.lower().startswith("xml"))


def _free_value(depth: int = 0) -> st.SearchStrategy[Any]:
    if depth >= 2:
        return _TEXT
    return st.one_of(
        _TEXT,
        st.lists(_TEXT, min_size=1, max_size=3),
        st.dictionaries(_XML_NAME, _free_value(depth + 1), min_size=1, max_size=3),
    )


def _node(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SCHEMAS
        for part in node["$ref"].removeprefix("#/components/schemas/").split("/"):
            target = target[part]
        node = target
    return node


def _strategy(node: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    node = _node(node)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "allOf" in node:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in node["allOf"]:
            part = _node(part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
            if part.get("additionalProperties") is True:
                merged["additionalProperties"] = True
        merged["properties"].update(node.get("properties", {}))
        merged["required"] += node.get("required", [])
        return _strategy(merged, depth)
    if "oneOf" in node or "anyOf" in node:
        return st.one_of([_strategy(s, depth) for s in node.get("oneOf", node.get("anyOf"))])
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        required = set(node.get("required", []))
        fixed = {k: _strategy(v, depth + 1) for k, v in props.items() if k in required}
        optional = {k: _strategy(v, depth + 1) for k, v in props.items() if k not in required}
        base = st.fixed_dictionaries(fixed, optional=optional)
        if node.get("additionalProperties") is True:
            extra = st.dictionaries(_XML_NAME.filter(lambda k: k not in props), _free_value(), max_size=3)
            return st.tuples(base, extra).map(lambda t: {**t[1], **t[0]})
        return base
    if kind == "array":
        return st.lists(_strategy(node["items"], depth + 1), min_size=1, max_size=3)
    if kind == "integer":
        return st.integers(min_value=node.get("minimum", -(2**40)), max_value=2**40)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        if "pattern" in node:
            return st.just("data:text/plain;base64,SEVMTE8K")
        if node.get("minLength"):
            return _TEXT.filter(bool)
        return _TEXT
    if isinstance(kind, list):
        return st.one_of([_strategy({**node, "type": k}, depth) for k in kind])
    return _TEXT


REQUEST_SCHEMAS = sorted({o["request_schema"] for o in OPERATIONS.values()})
RESPONSE_SCHEMAS = sorted({s for o in OPERATIONS.values() for s in o["response_schemas"]})


@pytest.mark.parametrize("schema_name", REQUEST_SCHEMAS + RESPONSE_SCHEMAS)
def test_json_and_xml_round_trips_give_equal_models(schema_name: str) -> None:
    model = getattr(models, schema_name)
    s = shape(schema_name)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=_strategy(SCHEMAS[schema_name]))
    def check(value: dict[str, Any]) -> None:
        from_json = model.from_dict(value)
        from_xml = model.from_dict(decode(encode(to_plain(from_json), s), s))
        assert from_xml == from_json

    check()


def test_nil_and_empty_object_markers() -> None:
    xml = "<xml><data><a nil='true'/><b object='true'/><c></c><custom_fields/></data></xml>"
    assert decode_request("import_profile", xml) == {"data": {"a": None, "b": {}, "c": "", "custom_fields": ""}}
