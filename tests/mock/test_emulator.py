"""altcraft-mock: doc examples, matching per mode, update vs create, tasks over time, errors, faults, state."""

from __future__ import annotations

import ast
import json
import socket
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from altcraft_mock import MockApp, MockConfig, create_app, transport
from altcraft_mock import _constants as C
from altcraft_mock.__main__ import parse_args
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import TOKEN, FakeClock
from ..doc_examples import JSON_REQUESTS, PATHS, XML_REQUESTS
from ..spec_tools import spec

MOCK_DIR = Path(__file__).resolve().parents[2] / "overlays" / "altcraft_mock"


def http(app: MockApp) -> httpx.Client:
    return httpx.Client(transport=transport(app), base_url="http://mock.test")


def post(app: MockApp, op: str, body: Any, **kwargs: Any) -> httpx.Response:
    with http(app) as c:
        if isinstance(body, bytes | str):
            headers = kwargs.pop("headers", {"content-type": "application/xml"})
            return c.post(PATHS[op], content=body, headers=headers, **kwargs)
        return c.post(PATHS[op], json=body, **kwargs)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == 0, body
    return body


def state(app: MockApp) -> dict[str, Any]:
    with http(app) as c:
        result: dict[str, Any] = c.get("/_mock/state").json()
        return result


# -- independence --------------------------------------------------------------------------------------


def test_mock_imports_nothing_from_the_client() -> None:
    for path in MOCK_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert not name.startswith("altcraft_api"), f"{path.name} imports {name}"
                assert not name.startswith("altcraft") or name.startswith("altcraft_mock"), f"{path.name}: {name}"
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                raise AssertionError(f"{path.name} imports from outside altcraft_mock")
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                assert "openapi" not in node.value.lower(), f"{path.name} refers to the spec: {node.value!r}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not any(m.startswith(("yaml", "jsonschema")) for m in mods), f"{path.name} loads schemas"


def test_mock_constants_agree_with_the_spec() -> None:
    s = spec()
    limits = s["x-altcraft-limits"]
    assert limits["max_body_bytes"] == C.MAX_BODY_BYTES
    assert limits["max_body_bytes_with_files"] == C.MAX_BODY_BYTES_WITH_FILES
    assert limits["recommended_max_profiles_per_request"] == C.RECOMMENDED_MAX_PROFILES
    schemas = s["components"]["schemas"]
    assert tuple(schemas["BatchMatchingMode"]["enum"]) == C.BATCH_MATCHING_MODES
    assert tuple(schemas["ProfileMatchingMode"]["enum"]) == C.PROFILE_MATCHING_MODES
    channels = {s["$ref"].rsplit("/", 1)[1] for s in schemas["Subscription"]["oneOf"]}
    consts = {schemas[n]["allOf"][1]["properties"]["channel"].get("const") for n in channels}
    assert consts - {None} == set(C.CHANNELS)


# -- doc examples ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "name", "value"), JSON_REQUESTS, ids=[f"{o}:{n}" for o, n, _ in JSON_REQUESTS])
def test_every_json_doc_example_is_accepted(app: MockApp, clock: FakeClock, op: str, name: str, value: Any) -> None:
    if op == "task_status":
        batch = next(v for o, _, v in JSON_REQUESTS if o == "import_and_start_batch_task")
        value = {**value, "task_id": ok(post(app, "import_and_start_batch_task", batch))["task_id"]}
    body = ok(post(app, op, value))
    assert body["error_text"] == "Successful operation"
    if op == "import_profile":
        assert len(body["profile_id"]) == 24
    elif op == "import_and_start_batch":
        assert [len(r["profile_id"]) for r in body["result"]] == [24] * len(value["data"])
    elif op == "task_status":
        assert body["data"]["status"] in ("queued", "processing", "completed")
    else:
        assert body["task_id"]


@pytest.mark.parametrize(("op", "name", "value"), XML_REQUESTS, ids=[f"{o}:{n}" for o, n, _ in XML_REQUESTS])
def test_every_xml_doc_example_is_accepted_and_answered_in_xml(app: MockApp, op: str, name: str, value: str) -> None:
    response = post(app, op, value)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.startswith("<xml><error>0</error>")


def _as_text(value: Any) -> Any:
    """Numbers as the text XML writes them: a value whose type allows a string keeps its XML text (issue 22
    case 6: the status "0" of an XML tab is the string "0", its JSON twin's 0 the number)."""
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _leaf_types(value: Any) -> set[type]:
    if isinstance(value, dict):
        return set().union(*map(_leaf_types, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_leaf_types, value)) if value else set()
    return {type(value)}


def test_xml_and_json_twins_give_the_same_state() -> None:
    by_name = {(o, n): v for o, n, v in JSON_REQUESTS}
    # Tabs the pages print with other values in XML than in JSON (x-docs-discrepancies:
    # xml-examples-differ-from-json) are each accepted on their own; the rest are twins.
    apart = {
        ("import_profile", "email_subscription"),
        ("import_profile", "additional_data"),
        ("import_profile", "channels"),
        ("import_and_start_batch", "ru_matching_custom"),
    }
    for op, name, xml in XML_REQUESTS:
        if (op, name) in apart:
            assert post(create_app(MockConfig(seed=1)), op, xml).status_code == 200
            continue
        a, b = create_app(MockConfig(seed=1)), create_app(MockConfig(seed=1))
        ok_xml = post(a, op, xml)
        assert ok_xml.status_code == 200
        ok(post(b, op, by_name[(op, name)]))
        from_xml, from_json = state(a)["profiles"], state(b)["profiles"]
        assert _as_text(from_xml) == _as_text(from_json), (op, name)
        assert _leaf_types(from_xml) <= _leaf_types(from_json) | {str}, (op, name)  # text, never a new type


# -- matching and import -----------------------------------------------------------------------------------


def imp(app: MockApp, **body: Any) -> dict[str, Any]:
    return post(app, "import_profile", {"token": TOKEN, "db_id": 1, **body}).json()


def test_import_creates_then_updates_by_email(app: MockApp) -> None:
    first = imp(app, email="a@x.io", data={"email": "a@x.io", "_fname": "A"})
    second = imp(app, email="a@x.io", data={"_lname": "B"})
    assert first["profile_id"] == second["profile_id"]
    profiles = state(app)["profiles"]
    assert len(profiles) == 1 and profiles[0]["fields"] == {"email": "a@x.io", "_fname": "A", "_lname": "B"}


def test_email_matches_subscriptions_but_email_profile_does_not(app: MockApp) -> None:
    sub = {"channel": "email", "email": "s@x.io", "resource_id": 1}
    base = imp(app, email="other@x.io", data={"email": "other@x.io", "subscriptions": [sub]})
    assert imp(app, matching="email", email="s@x.io", data={})["profile_id"] == base["profile_id"]
    assert imp(app, matching="email_profile", email="s@x.io", data={})["profile_id"] != base["profile_id"]
    assert imp(app, matching="email_sub", email="s@x.io", data={})["profile_id"] == base["profile_id"]


def test_phone_modes(app: MockApp) -> None:
    base = imp(app, email="p@x.io", data={"phones": ["+79000000001"]})
    assert imp(app, matching="phone", phone="+79000000001", data={})["profile_id"] == base["profile_id"]
    viber = {"channel": "viber", "resource_id": 1, "cc_data": {"phone": "+79000000002"}}
    other = imp(app, email="q@x.io", data={"subscriptions": [viber]})
    assert imp(app, matching="phone_sub", phone="+79000000002", data={})["profile_id"] == other["profile_id"]
    assert imp(app, matching="email_phone", phone="+79000000001", data={})["profile_id"] == base["profile_id"]


def test_profile_id_mode_updates_only(app: MockApp) -> None:
    base = imp(app, email="i@x.io", data={})
    assert (
        imp(app, matching="profile_id", profile_id=base["profile_id"], data={"k": "v"})["profile_id"]
        == base["profile_id"]
    )
    missing = imp(app, matching="profile_id", profile_id="0" * 24, data={})
    assert missing["error"] == 404 and missing["error_text"] == "Profile not found"
    assert len(state(app)["profiles"]) == 1


def test_custom_and_push_modes(app: MockApp) -> None:
    base = imp(app, email="c@x.io", data={"CRM_ID": "12345", "tags": "a, b, c"})
    assert (
        imp(app, matching="custom", field_name="CRM_ID", field_value=12345, data={})["profile_id"] == base["profile_id"]
    )
    assert (
        imp(app, matching="custom", field_name="tags", field_value="c, a", data={})["profile_id"] == base["profile_id"]
    )
    push = {"channel": "push", "resource_id": 1, "provider": "Firefox", "subscription_id": "s1"}
    p = imp(app, email="push@x.io", data={"subscriptions": [push]})
    found = imp(app, matching="push_sub", provider="Firefox", subscription_id="s1", resource_id=1, data={})
    assert found["profile_id"] == p["profile_id"]


def test_subscriptions_merge_per_channel_and_resource(app: MockApp) -> None:
    s1 = {"channel": "email", "email": "m@x.io", "resource_id": 1, "status": "subscribed"}
    imp(app, email="m@x.io", data={"subscriptions": [s1]})
    imp(app, email="m@x.io", data={"subscriptions": [{**s1, "status": "unsubscribed"}, {**s1, "resource_id": 2}]})
    subs = state(app)["profiles"][0]["subscriptions"]
    assert [(s["resource_id"], s["status"]) for s in subs] == [(1, "unsubscribed"), (2, "subscribed")]


def test_invalid_subscription_and_skip_invalid(app: MockApp) -> None:
    bad = {"channel": "email", "email": "z@x.io", "resource_id": 99}
    err = imp(app, email="z@x.io", data={"subscriptions": [bad]})
    assert err["error"] == 400 and "resource_id" in err["error_debug"]
    fine = imp(app, email="z@x.io", skip_invalid_subscriptions=True, data={"subscriptions": [bad]})
    assert fine["error"] == 0


def test_segments(app: MockApp) -> None:
    pid = imp(app, email="s@x.io", add_to_segments=[1, 2], data={})["profile_id"]
    imp(app, email="s@x.io", remove_from_segments=[1], data={})
    assert [p["segments"] for p in state(app)["profiles"] if p["profile_id"] == pid] == [[2]]
    assert imp(app, email="s@x.io", add_to_segments=[42], data={})["error"] == 404


def test_batch_launch_records_everything(app: MockApp) -> None:
    body = {
        "token": TOKEN,
        "trigger_id": 8,
        "timeout": {"minutes": 5},
        "content": {"page": "x"},
        "custom_data": {"root": 1},
        "attach": [{"name": "a.txt", "data": "data:text/plain;base64,SEVMTE8K"}],
        "data": [{"data": {"email": "b1@x.io"}, "custom_data": {"item": 2}}, {"data": {"email": "b2@x.io"}}],
    }
    result = ok(post(app, "import_and_start_batch", body))["result"]
    launches = state(app)["trigger_launches"]
    assert [entry["profile_id"] for entry in launches] == [r["profile_id"] for r in result]
    assert launches[0]["custom_data"] == {"root": 1, "item": 2}
    assert launches[0]["timeout"] == {"minutes": 5} and launches[0]["attach"][0]["name"] == "a.txt"


def test_batch_custom_matching_reads_the_value_from_each_item(app: MockApp) -> None:
    body = {"token": TOKEN, "trigger_id": 455, "matching": "custom", "field_name": "N", "data": []}
    first = ok(post(app, "import_and_start_batch", {**body, "data": [{"data": {"N": "1"}}, {"data": {"N": "2"}}]}))
    again = ok(post(app, "import_and_start_batch", {**body, "data": [{"data": {"N": "2", "x": "y"}}]}))
    assert again["result"][0]["profile_id"] == first["result"][1]["profile_id"]


# -- tasks ----------------------------------------------------------------------------------------------


def test_task_progress_rises_over_time_and_ends_with_result(app: MockApp, clock: FakeClock) -> None:
    task_id = ok(
        post(
            app,
            "workflow_import_and_start_batch_task",
            {"token": TOKEN, "workflow_id": 2, "data": [{"data": {"email": "w@x.io"}}]},
        )
    )["task_id"]
    seen = []
    for _ in range(5):
        data = ok(post(app, "task_status", {"token": TOKEN, "task_id": task_id}))["data"]
        seen.append((data["status"], data["progress"]))
        clock.sleep(0.5)
    assert seen[0] == ("queued", 0)
    assert [p for _, p in seen] == sorted(p for _, p in seen) and seen[-1] == ("completed", 100)
    assert ("processing", 50) in seen
    final = ok(post(app, "task_status", {"token": TOKEN, "task_id": task_id}))["data"]
    assert final["result"]["error"] == 0 and len(final["result"]["result"]) == 1
    assert state(app)["workflow_entries"][0]["task_id"] == task_id


def test_task_with_unknown_workflow_ends_in_error(app: MockApp, clock: FakeClock) -> None:
    task_id = ok(
        post(
            app,
            "workflow_import_and_start_batch_task",
            {"token": TOKEN, "workflow_id": 999, "data": [{"data": {"email": "w@x.io"}}]},
        )
    )["task_id"]
    clock.sleep(5)
    data = ok(post(app, "task_status", {"token": TOKEN, "task_id": task_id}))["data"]
    assert data["status"] == "failed" and data["result"]["error"] == 404


# -- errors ---------------------------------------------------------------------------------------------


def test_body_over_10_mb_is_refused_with_the_documented_envelope(app: MockApp) -> None:
    big = b'{"token":"' + TOKEN.encode() + b'","trigger_id":1,"data":[{"data":{"x":"' + b"a" * (11 << 20) + b'"}}]}'
    response = post(app, "import_and_start_batch", big, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {
        "error": 400,
        "error_debug": "http: request body too large",
        "error_text": "Invalid request",
    }


def test_body_with_files_may_be_larger(app: MockApp) -> None:
    attach = [{"name": "f.bin", "data": "data:application/octet-stream;base64," + "A" * (11 << 20)}]
    body = {"token": TOKEN, "trigger_id": 13, "attach": attach, "data": [{"data": {"email": "f@x.io"}}]}
    ok(post(app, "import_and_start_batch", body))


def test_declared_length_over_100_mb_is_refused_before_reading() -> None:
    app = create_app()
    read = []

    async def receive() -> dict[str, Any]:
        read.append(1)
        return {"type": "http.request", "body": b"{}", "more_body": False}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    import asyncio

    scope = {
        "type": "http",
        "method": "POST",
        "path": PATHS["import_profile"],
        "headers": [(b"content-length", str(200 << 20).encode()), (b"content-type", b"application/json")],
        "query_string": b"",
        "scheme": "http",
        "server": ("t", 80),
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 400 and b"request body too large" in sent[1]["body"]
    assert not read


@pytest.mark.parametrize(
    ("headers", "body", "status", "debug"),
    [
        ({}, {"db_id": 1, "email": "a@b.c", "data": {}}, 401, "no API token"),
        ({}, {"token": "nope", "db_id": 1, "email": "a@b.c", "data": {}}, 401, "invalid API token"),
        ({"authorization": f"Bearer {TOKEN}"}, {"db_id": 1, "email": "a@b.c", "data": {}}, 200, None),
        ({}, {"token": TOKEN, "db_id": "1", "email": "a@b.c", "data": {}}, 400, "db_id: must be an integer"),
        ({}, {"token": TOKEN, "db_id": 1, "email": "a@b.c"}, 400, "data: is required"),
        ({}, {"token": TOKEN, "db_id": 7, "email": "a@b.c", "data": {}}, 200, "db_id 7"),
        ({}, {"token": TOKEN, "db_id": 1, "matching": "nope", "email": "a", "data": {}}, 400, "matching: must be"),
    ],
)
def test_errors(app: MockApp, headers: dict[str, str], body: Any, status: int, debug: str | None) -> None:
    with http(app) as c:
        response = c.post(PATHS["import_profile"], json=body, headers=headers)
    assert response.status_code == status, response.text
    if debug:
        assert debug in response.json()["error_debug"]


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/json", b"{not json"),
        ("application/json", b"[1, 2]"),
        ("application/json", b"\xff\xfe"),
        ("application/xml", b"<xml><token>x</token"),
        ("application/xml", b"<root/>"),
        ("application/xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>'),
    ],
)
def test_malformed_bodies_are_400(app: MockApp, content_type: str, raw: bytes) -> None:
    response = post(app, "import_profile", raw, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.content.count(b"400") >= 1


def test_unknown_trigger_in_sync_operation(app: MockApp) -> None:
    body = post(app, "import_and_start_batch", {"token": TOKEN, "trigger_id": 12345, "data": [{"data": {}}]}).json()
    assert body["error"] == 404 and body["error_text"] == "Trigger not found"


def test_unknown_path_and_method(app: MockApp) -> None:
    with http(app) as c:
        assert c.post("/api/v1.1/nope", json={}).json()["error"] == 404
        assert c.get(PATHS["task_status"]).status_code == 405


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    op=st.sampled_from(sorted(PATHS)),
    body=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    ),
    xml=st.booleans(),
)
def test_never_a_500(op: str, body: Any, xml: bool) -> None:
    app = create_app()
    if xml:
        raw = b"<xml>" + json.dumps(body).encode().replace(b"{", b"<a>").replace(b"}", b"</a>") + b"</xml>"
        response = post(app, op, raw)
    else:
        payload = {"token": TOKEN, **body} if isinstance(body, dict) else body
        response = post(app, op, json.dumps(payload).encode(), headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text


# -- faults, state, CLI -----------------------------------------------------------------------------


def test_fail_rate_answers_503_without_changing_state() -> None:
    app = create_app(MockConfig(fail_rate=1.0, seed=1))
    response = post(app, "import_profile", {"token": TOKEN, "db_id": 1, "email": "f@x.io", "data": {}})
    assert response.status_code == 503 and response.json()["error"] == 503
    assert state(app)["profiles"] == []


def test_drop_rate_drops_the_answer_after_processing() -> None:
    app = create_app(MockConfig(drop_rate=1.0, seed=1))
    with pytest.raises(httpx.RemoteProtocolError):
        post(app, "import_profile", {"token": TOKEN, "db_id": 1, "email": "d@x.io", "data": {}})
    assert len(state(app)["profiles"]) == 1


def test_latency_is_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    app = create_app(MockConfig(latency_ms=250))
    post(app, "task_status", {"token": TOKEN, "task_id": "x"})
    assert delays == [0.25]


def test_state_and_reset(app: MockApp) -> None:
    imp(app, email="r@x.io", data={})
    snapshot = state(app)
    assert snapshot["triggers"] == [8, 13, 85, 96, 455] and snapshot["workflows"] == [1, 2, 233]
    assert {1, 21, 24} <= set(snapshot["resources"]) and len(snapshot["profiles"]) == 1
    with http(app) as c:
        assert c.post("/_mock/reset").json() == {"reset": True}
    assert state(app)["profiles"] == []


def test_cli_flags() -> None:
    args = parse_args(
        [
            "--port",
            "0",
            "--token",
            "a",
            "--token",
            "b",
            "--task-seconds",
            "3",
            "--latency-ms",
            "5",
            "--fail-rate",
            "0.1",
            "--drop-rate",
            "0.2",
            "--seed",
            "9",
        ]
    )
    assert args.tokens == ["a", "b"] and args.task_seconds == 3 and args.fail_rate == 0.1 and args.seed == 9
    with pytest.raises(SystemExit):
        parse_args(["--fail-rate", "2"])


def test_live_process_answers(live_mock: Any) -> None:
    response = httpx.post(live_mock.url + PATHS["task_status"], json={"token": TOKEN, "task_id": "x"})
    assert response.status_code == 200 and response.json()["error"] == 404
    assert live_mock.url.startswith("http://127.0.0.1:")


def test_xml_wrapped_batch_item_whose_data_is_not_one_profile_is_rejected(app: MockApp) -> None:
    xml = (
        f"<xml><token>{TOKEN}</token><workflow_id>1</workflow_id>"
        "<data><data><email>a@x.io</email></data><data><email>b@x.io</email></data></data></xml>"
    )
    response = post(app, "workflow_import_and_start_batch_task", xml)
    assert response.status_code == 400 and b"data[0].data" in response.content
    wrapped = (
        f"<xml><token>{TOKEN}</token><workflow_id>1</workflow_id><data><data><email>a@x.io</email></data>"
        "<custom_data><k>v</k></custom_data></data></xml>"
    )
    assert post(app, "workflow_import_and_start_batch_task", wrapped).status_code == 200


def test_start_up_problems_are_one_line_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from altcraft_mock.__main__ import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as exited:
            main(["--port", str(port)])
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"altcraft-mock: error: cannot listen on 127.0.0.1:{port}")
    with pytest.raises(SystemExit):
        main(["--port", "99999"])
    assert "port must be 0-65535" in capsys.readouterr().err


def test_the_listening_socket_sends_answers_without_delay(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """TCP_NODELAY on the listening socket (accepted connections inherit it): without it every answer on a
    kept-alive connection waited about 40 ms for the client's delayed ACK."""
    import uvicorn
    from altcraft_mock.__main__ import main

    served: list[socket.socket] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets: served.extend(sockets))
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0"])
    assert exited.value.code == 0 and len(served) == 1
    with served[0] as sock:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    assert "altcraft-mock listening on http://127.0.0.1:" in capsys.readouterr().out


def test_without_the_mock_extra_the_command_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from altcraft_mock.__main__ import main

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn -> ModuleNotFoundError
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0"])
    assert exited.value.code == 2
    assert "pip install 'altcraft-client[mock]'" in capsys.readouterr().err
