"""altcraft-mock answers every malformed request with the Altcraft envelope in the request's format, never 5xx:
odd JSON (lone surrogates, huge numbers, deep nesting), characters XML cannot carry, wrong Content-Types and
token types, DTDs in any encoding, failing tasks, oversized bodies; empty arrays in XML both ways."""

from __future__ import annotations

import ast
import builtins
import re
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from altcraft_mock import MockApp, create_app, transport
from lxml import etree

from ..conftest import TOKEN, FakeClock
from ..doc_examples import PATHS

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[2]
MOCK_DIR = ROOT / "overlays" / "altcraft_mock"
JSON = {"content-type": "application/json"}
XML = {"content-type": "application/xml"}


def send(app: MockApp, path: str, raw: bytes, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(transport=transport(app), base_url="http://mock.test") as c:
        return c.post(path, content=raw, headers=headers)


def state(app: MockApp, **params: Any) -> httpx.Response:
    with httpx.Client(transport=transport(app), base_url="http://mock.test") as c:
        return c.get("/_mock/state", params=params)


def json_envelope(response: httpx.Response, status: int, error: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["error"] == error and isinstance(body["error_text"], str), body
    return body


def xml_envelope(response: httpx.Response, status: int, error: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    assert root.tag == "xml" and root.findtext("error") == str(error), response.text
    return root


def profiles(app: MockApp) -> list[dict[str, Any]]:
    response = state(app)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["profiles"]
    return result


def import_json(app: MockApp, data_json: bytes) -> httpx.Response:
    raw = b'{"token":"%s","db_id":1,"email":"a@x.io","data":%s}' % (TOKEN.encode(), data_json)
    return send(app, PATHS["import_profile"], raw, JSON)


# -- odd JSON ------------------------------------------------------------------------------------------


def test_a_lone_surrogate_is_a_400_envelope_not_a_500(app: MockApp) -> None:
    raw = b'{"token":"%s","task_id":"\\ud800"}' % TOKEN.encode()
    body = json_envelope(send(app, PATHS["task_status"], raw, JSON), 400, 400)
    assert body["error_text"] == "Invalid request" and "malformed JSON" in body["error_debug"]


@pytest.mark.parametrize(
    "value",
    [b'"\\ud800"', b'{"k":"\\udfff x"}', b"1" + b"0" * 400, b"1e400", b"-1e999", b"NaN", b"Infinity"],
    ids=["surrogate", "low-surrogate", "10**400", "1e400", "-1e999", "NaN", "Infinity"],
)
def test_values_json_cannot_hold_are_refused_and_state_still_answers(app: MockApp, value: bytes) -> None:
    body = json_envelope(import_json(app, b'{"_fname":"x","odd":%s}' % value), 400, 400)
    assert "malformed JSON" in body["error_debug"]
    assert profiles(app) == []


def test_big_integers_within_the_double_range_are_stored_as_json_reads_them(app: MockApp) -> None:
    json_envelope(import_json(app, b'{"big":%s,"exact":9223372036854775807}' % (b"1" + b"0" * 30)), 200, 0)
    (profile,) = profiles(app)
    assert profile["fields"]["big"] == 1e30 and profile["fields"]["exact"] == 2**63 - 1


@pytest.mark.parametrize("depth", [200, 254, 400, 900])
def test_deep_values_are_stored_and_the_state_still_answers(app: MockApp, depth: int) -> None:
    deep = b"[" * depth + b"1" + b"]" * depth
    json_envelope(import_json(app, b'{"deep":%s}' % deep), 200, 0)
    response = state(app)
    assert response.status_code == 200
    assert deep in response.content  # stored as sent, shown as stored
    page = state(app, section="profiles", fields="deep")
    assert page.status_code == 200 and deep in page.content
    summary = state(app, summary=1)
    assert summary.status_code == 200 and summary.json()["profiles"] == 1


def test_nesting_beyond_what_json_reads_is_a_400(app: MockApp) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    body = json_envelope(import_json(app, b'{"deep":%s}' % deep), 400, 400)
    assert "malformed JSON" in body["error_debug"]
    assert state(app).status_code == 200


def test_nesting_read_but_too_deep_to_store_is_refused_with_nothing_stored(app: MockApp) -> None:
    deep = b"[" * 1000 + b"]" * 1000  # orjson reads 1024 levels; the store takes what json can write back
    body = json_envelope(import_json(app, b'{"deep":%s}' % deep), 200, 400)
    assert (
        body["error_text"] == "Invalid request" and body["error_debug"] == "a value is nested too deeply to be stored"
    )
    assert profiles(app) == []


def test_deep_custom_data_in_a_launch_keeps_the_state_answering(app: MockApp) -> None:
    deep = b"{" + b'"a":{' * 300 + b"}" * 300 + b"}"
    raw = b'{"token":"%s","trigger_id":8,"custom_data":%s,"data":[{"data":{"email":"d@x.io"},"custom_data":%s}]}' % (
        TOKEN.encode(),
        deep,
        deep,
    )
    json_envelope(send(app, PATHS["import_and_start_batch"], raw, JSON), 200, 0)
    response = state(app)
    assert response.status_code == 200 and b'"a":{' * 300 in response.content
    page = state(app, section="trigger_launches")
    assert page.status_code == 200 and page.json()["total"] == 1 and b'"a":{' * 300 in page.content


def test_a_control_character_echoed_in_an_xml_answer_is_escaped(app: MockApp) -> None:
    raw = b'{"token":"%s","task_id":"\\u0001\\u001f\\ufffe","format":"xml"}' % TOKEN.encode()
    root = xml_envelope(send(app, PATHS["task_status"], raw, JSON), 200, 404)
    assert root.findtext("error_debug") == "task_id \\u0001\\u001f\\ufffe"


def test_a_path_with_a_control_character_gets_an_xml_404(app: MockApp) -> None:
    root = xml_envelope(send(app, "/api/v1.1/%01", b"<xml/>", XML), 404, 404)
    assert root.findtext("error_debug") == "no operation at /api/v1.1/\\u0001"


def test_control_characters_in_stored_values_keep_the_state_answering(app: MockApp) -> None:
    json_envelope(import_json(app, b'{"c":"\\u0000\\u0001"}'), 200, 0)
    assert profiles(app)[0]["fields"]["c"] == "\x00\x01"


# -- Content-Type and token type --------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/x-www-form-urlencoded", "application/jsonx"])
def test_a_body_under_another_content_type_is_refused(app: MockApp, content_type: str) -> None:
    raw = b'{"token":"%s","db_id":1,"email":"a@x.io","data":{}}' % TOKEN.encode()
    headers = {"content-type": content_type} if content_type else {}
    body = json_envelope(send(app, PATHS["import_profile"], raw, headers), 400, 400)
    assert body["error_text"] == "Invalid request"
    assert "Content-Type" in body["error_debug"] and "application/json or application/xml" in body["error_debug"]
    assert profiles(app) == []


@pytest.mark.parametrize(
    ("content_type", "fmt"),
    [("application/json; charset=utf-8", "json"), ("Application/JSON", "json"), ("text/xml", "xml")],
)
def test_accepted_content_types(app: MockApp, content_type: str, fmt: str) -> None:
    if fmt == "json":
        raw = b'{"token":"%s","db_id":1,"email":"a@x.io","data":{}}' % TOKEN.encode()
        json_envelope(send(app, PATHS["import_profile"], raw, {"content-type": content_type}), 200, 0)
    else:
        raw = f"<xml><token>{TOKEN}</token><db_id>1</db_id><email>a@x.io</email><data/></xml>".encode()
        xml_envelope(send(app, PATHS["import_profile"], raw, {"content-type": content_type}), 200, 0)


@pytest.mark.parametrize("token", [123, 1.5, True, ["x"], {"t": TOKEN}, None])
@pytest.mark.parametrize("bearer", [False, True])
def test_a_token_that_is_not_a_string_is_a_400_naming_it(app: MockApp, token: Any, bearer: bool) -> None:
    raw = orjson.dumps({"token": token, "db_id": 1, "email": "a@x.io", "data": {}})
    headers = {**JSON, "authorization": f"Bearer {TOKEN}"} if bearer else JSON
    body = json_envelope(send(app, PATHS["import_profile"], raw, headers), 400, 400)
    assert body["error_debug"].startswith("token: must be a string")
    assert TOKEN not in body["error_debug"]


def test_an_xml_token_with_children_is_a_400(app: MockApp) -> None:
    raw = f"<xml><token><a>{TOKEN}</a></token><db_id>1</db_id><email>a@x.io</email><data/></xml>".encode()
    root = xml_envelope(send(app, PATHS["import_profile"], raw, XML), 400, 400)
    assert root.findtext("error_debug").startswith("token: must be a string")


# -- DTDs and entities ---------------------------------------------------------------------------------

ENCODINGS = [
    ("UTF-8", "utf-8"),
    ("UTF-8", "utf-8-sig"),
    ("UTF-16", "utf-16"),
    ("UTF-16LE", "utf-16-le"),
    ("UTF-16BE", "utf-16-be"),
    ("UTF-32", "utf-32"),
    ("UTF-32LE", "utf-32-le"),
    ("UTF-32BE", "utf-32-be"),
]
PROLOGUES = {
    "external entity": '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    "internal entity": '<!DOCTYPE xml [<!ENTITY e "injected">]>',
    "external DTD": '<!DOCTYPE xml SYSTEM "file:///etc/passwd">',
    "bare doctype": "<!DOCTYPE xml>",
}


def _doc(encoding: str, prologue: str, fname: str) -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>{prologue}'
        f"<xml><token>{TOKEN}</token><db_id>1</db_id><email>a@x.io</email><data><_fname>{fname}</_fname></data></xml>"
    )


@pytest.mark.parametrize(("declared", "codec"), ENCODINGS, ids=[c for _, c in ENCODINGS])
@pytest.mark.parametrize("kind", sorted(PROLOGUES))
def test_dtds_and_entities_are_refused_in_every_encoding(app: MockApp, declared: str, codec: str, kind: str) -> None:
    fname = "&e;" if "entity" in kind else "x"
    raw = _doc(declared, PROLOGUES[kind], fname).encode(codec)
    root = xml_envelope(send(app, PATHS["import_profile"], raw, XML), 400, 400)
    assert "DTD" in root.findtext("error_debug")
    assert profiles(app) == []


@pytest.mark.parametrize(("declared", "codec"), ENCODINGS, ids=[c for _, c in ENCODINGS])
def test_the_same_documents_without_a_dtd_are_accepted(app: MockApp, declared: str, codec: str) -> None:
    raw = _doc(declared, "", "Ann").encode(codec)
    xml_envelope(send(app, PATHS["import_profile"], raw, XML), 200, 0)
    assert profiles(app)[0]["fields"]["_fname"] == "Ann"


def test_the_document_is_judged_not_its_bytes(app: MockApp) -> None:
    """Text that merely looks like a DTD (in CDATA, or escaped) is data, not a DTD."""
    raw = _doc("UTF-8", "", "<![CDATA[<!DOCTYPE x [<!ENTITY e 'y'>]>]]> &lt;!ENTITY").encode()
    xml_envelope(send(app, PATHS["import_profile"], raw, XML), 200, 0)
    assert profiles(app)[0]["fields"]["_fname"] == "<!DOCTYPE x [<!ENTITY e 'y'>]> <!ENTITY"


def test_an_undeclared_entity_reference_is_refused(app: MockApp) -> None:
    raw = _doc("UTF-8", "", "&e;").encode()
    xml_envelope(send(app, PATHS["import_profile"], raw, XML), 400, 400)


# -- tasks that fail ------------------------------------------------------------------------------------


def test_a_failing_task_fails_alone(app: MockApp, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "_run_batch", broken)
    raw = orjson.dumps({"token": TOKEN, "trigger_id": 8, "data": [{"data": {"email": "t@x.io"}}]})
    task_id = json_envelope(send(app, PATHS["import_and_start_batch_task"], raw, JSON), 200, 0)["task_id"]
    clock.sleep(10)
    status = orjson.dumps({"token": TOKEN, "task_id": task_id})
    for _ in range(2):  # the failure is reported, and stays reported
        data = json_envelope(send(app, PATHS["task_status"], status, JSON), 200, 0)["data"]
        assert data["status"] == "failed" and data["progress"] == 100
        assert data["result"]["error"] == 500 and "RuntimeError" in data["result"]["error_debug"]
    monkeypatch.undo()
    imp = orjson.dumps({"token": TOKEN, "db_id": 1, "email": "after@x.io", "data": {}})
    json_envelope(send(app, PATHS["import_profile"], imp, JSON), 200, 0)
    assert state(app).status_code == 200 and state(app, summary=1).json()["tasks"] == {"total": 1, "failed": 1}


# -- body size: only a non-empty attach raises the limit ------------------------------------------------

ELEVEN_MIB = 11 << 20


@pytest.mark.parametrize("attach", [b"[]", b'""', b"{}", b"null", b'"x"'])
def test_an_11_mib_body_with_an_empty_or_non_array_attach_is_too_large(app: MockApp, attach: bytes) -> None:
    raw = b'{"token":"%s","trigger_id":13,"attach":%s,"data":[{"data":{"email":"f@x.io","x":"%s"}}]}' % (
        TOKEN.encode(),
        attach,
        b"a" * ELEVEN_MIB,
    )
    body = json_envelope(send(app, PATHS["import_and_start_batch"], raw, JSON), 400, 400)
    assert body["error_debug"] == "http: request body too large"
    assert profiles(app) == []


def test_an_11_mib_xml_body_with_an_empty_attach_is_too_large(app: MockApp) -> None:
    raw = (
        f"<xml><token>{TOKEN}</token><trigger_id>13</trigger_id><attach empty='true'/>"
        f"<data><email>f@x.io</email><x>{'a' * ELEVEN_MIB}</x></data></xml>"
    ).encode()
    root = xml_envelope(send(app, PATHS["import_and_start_batch"], raw, XML), 400, 400)
    assert root.findtext("error_debug") == "http: request body too large"


def test_an_11_mib_xml_body_with_a_file_is_accepted(app: MockApp) -> None:
    data = "data:application/octet-stream;base64," + "A" * ELEVEN_MIB
    raw = (
        f"<xml><token>{TOKEN}</token><trigger_id>13</trigger_id><attach><name>f.bin</name><data>{data}</data></attach>"
        "<data><email>f@x.io</email></data></xml>"
    ).encode()
    xml_envelope(send(app, PATHS["import_and_start_batch"], raw, XML), 200, 0)


def test_an_11_mib_body_with_a_file_is_accepted(app: MockApp) -> None:
    attach = [{"name": "f.bin", "data": "data:application/octet-stream;base64," + "A" * ELEVEN_MIB}]
    raw = orjson.dumps({"token": TOKEN, "trigger_id": 13, "attach": attach, "data": [{"data": {"email": "f@x.io"}}]})
    json_envelope(send(app, PATHS["import_and_start_batch"], raw, JSON), 200, 0)


# -- empty arrays in XML ---------------------------------------------------------------------------------


def test_an_empty_result_is_written_as_one_element_marked_empty(app: MockApp) -> None:
    bad = {"channel": "email", "email": "z@x.io", "resource_id": 99}  # refused item: not in the result
    raw = orjson.dumps(
        {
            "token": TOKEN,
            "trigger_id": 8,
            "format": "xml",
            "data": [{"data": {"email": "z@x.io", "subscriptions": [bad]}}],
        }
    )
    response = send(app, PATHS["import_and_start_batch"], raw, JSON)
    root = xml_envelope(response, 200, 0)
    (result,) = root.findall("result")
    assert result.get("empty") == "true" and len(result) == 0 and not result.text
    assert re.search(rb"<result empty=[\"']true[\"']/>", response.content)


def test_an_empty_result_inside_a_task_result_is_marked_empty(app: MockApp, clock: FakeClock) -> None:
    bad = {"channel": "email", "email": "z@x.io", "resource_id": 99}
    raw = orjson.dumps(
        {"token": TOKEN, "trigger_id": 8, "data": [{"data": {"email": "z@x.io", "subscriptions": [bad]}}]}
    )
    task_id = json_envelope(send(app, PATHS["import_and_start_batch_task"], raw, JSON), 200, 0)["task_id"]
    clock.sleep(10)
    status = f"<xml><token>{TOKEN}</token><task_id>{task_id}</task_id></xml>".encode()
    root = xml_envelope(send(app, PATHS["task_status"], status, XML), 200, 0)
    inner = root.find("data/result/result")
    assert inner is not None and inner.get("empty") == "true" and len(inner) == 0


def test_the_reader_takes_empty_true_as_an_empty_array(app: MockApp) -> None:
    raw = (
        f"<xml><token>{TOKEN}</token><db_id>1</db_id><email>e@x.io</email><add_to_segments empty='true'/>"
        "<data><_fname>E</_fname><subscriptions empty='true'/><phones empty='true'/></data></xml>"
    ).encode()
    xml_envelope(send(app, PATHS["import_profile"], raw, XML), 200, 0)
    (profile,) = profiles(app)
    assert profile["subscriptions"] == [] and profile["segments"] == []
    assert profile["fields"]["phones"] == [] and profile["fields"]["_fname"] == "E"


def test_an_empty_marker_beside_items_adds_no_item(app: MockApp) -> None:
    sub = "<subscriptions><channel>email</channel><email>e@x.io</email><resource_id>1</resource_id></subscriptions>"
    raw = (
        f"<xml><token>{TOKEN}</token><db_id>1</db_id><email>e@x.io</email>"
        f"<data><subscriptions empty='true'/>{sub}</data></xml>"
    ).encode()
    xml_envelope(send(app, PATHS["import_profile"], raw, XML), 200, 0)
    assert [s["email"] for s in profiles(app)[0]["subscriptions"]] == ["e@x.io"]


@pytest.mark.parametrize("data", ["<data empty='true'/>", ""], ids=["marked-empty", "absent"])
def test_an_empty_or_absent_batch_data_reads_as_an_empty_array(app: MockApp, data: str) -> None:
    raw = f"<xml><token>{TOKEN}</token><trigger_id>8</trigger_id>{data}</xml>".encode()
    # `data` is not required (001 "Нет"): an empty or absent batch imports nothing and launches nothing.
    answer = send(app, PATHS["import_and_start_batch"], raw, XML)
    assert answer.status_code == 200, answer.text
    assert b'<result empty="true"/>' in answer.content, answer.content
    assert (
        app.state.trigger_launches.summary()["launches"] == 0
        if hasattr(app.state.trigger_launches, "summary")
        else True
    )


# -- dead code and names -----------------------------------------------------------------------------------


def _module_trees() -> dict[str, ast.Module]:
    return {p.name: ast.parse(p.read_text()) for p in sorted(MOCK_DIR.glob("*.py"))}


def test_no_name_in_the_emulator_shadows_a_builtin() -> None:
    shadowing = set(dir(builtins)) | {f"{name}_" for name in dir(builtins) if name[:1].isupper()}
    for name, tree in _module_trees().items():
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for node in classes + functions:
            assert node.name not in shadowing, f"{name}: {node.name}"


def test_no_unused_module_level_names() -> None:
    trees = _module_trees()
    users = [ast.unparse(t) for t in trees.values()]
    users += [p.read_text() for p in (ROOT / "tests" / "mock").glob("test_*.py") if p.name != Path(__file__).name]
    text = "\n".join(users)
    for name, tree in trees.items():
        for node in tree.body:
            names = []
            if isinstance(node, ast.ClassDef | ast.FunctionDef):
                names = [node.name]
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name) and t.id != "__all__"]
            for n in names:
                uses = len(re.findall(rf"\b{re.escape(n)}\b", text))
                assert uses > 1 or n.startswith("__"), f"{name}: {n} is defined and never used"


def test_the_files_the_emulator_cites_exist() -> None:
    for path in MOCK_DIR.glob("*.py"):
        for cited in re.findall(r"\b((?:tests|scripts|overlays)/[\w/.-]+\.py)\b", path.read_text()):
            assert (ROOT / cited).exists(), f"{path.name} cites {cited}, which does not exist"


def test_emulator_answers_json_and_xml_for_an_unknown_route_without_5xx() -> None:
    app = create_app()
    json_envelope(send(app, "/api/v1.1/nope", b"{}", JSON), 404, 404)
    xml_envelope(send(app, "/api/v1.1/nope", b"<xml/>", XML), 404, 404)


def test_a_deep_xml_body_over_10_mib_is_a_400(app: MockApp) -> None:
    data = "data:text/plain;base64," + "A" * ELEVEN_MIB
    raw = (
        f"<xml><token>{TOKEN}</token><trigger_id>13</trigger_id><attach><name>f</name><data>{data}</data></attach>"
        + "<data><email>f@x.io</email>"
        + "<a>" * 2000
        + "</a>" * 2000
        + "</data></xml>"
    ).encode()
    root = xml_envelope(send(app, PATHS["import_and_start_batch"], raw, XML), 400, 400)
    assert "nested too deeply" in root.findtext("error_debug")


def test_empty_xml_elements_of_object_arrays_are_empty_objects(app: MockApp) -> None:
    raw = (
        f"<xml><token>{TOKEN}</token><trigger_id>8</trigger_id><attach></attach>"
        "<data><email>a@b.c</email><subscriptions></subscriptions></data></xml>"
    ).encode()
    answer = send(app, PATHS["import_and_start_batch"], raw, XML)
    assert answer.status_code == 200 and b"<error>0</error>" in answer.content, answer.content
