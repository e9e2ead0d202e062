"""What the client sends: the body it builds (the token in the body or the header, JSON or XML, extra_body), to
each operation's path, and the bodies it refuses to build (values JSON cannot carry, too deep, not a mapping)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from altcraft import (
    Altcraft,
    AsyncAltcraft,
    AsyncTaskHandle,
    InvalidInput,
    NotFound,
    TaskHandle,
    TransportError,
)
from altcraft._protocol import check_task_id
from altcraft._requests import unencodable_path
from altcraft_api.models import (
    TaskStatusRequest,
)
from altcraft_mock import MockApp, transport

from ..conftest import BASE, TOKEN
from .fakes import ACCEPTED, BATCH, NAMED_PROFILE, PROFILE, TWO_PROFILE_BATCH, async_client, by_path, core, sync_client


def test_token_in_body_and_bearer(app: MockApp) -> None:
    seen: list[httpx.Request] = []
    inner = transport(app)

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return inner.handle_request(request)

    for auth in ("body", "bearer"):
        with Altcraft(BASE, TOKEN, auth=auth, transport=httpx.MockTransport(spy)) as c:  # type: ignore[arg-type]
            assert c.import_profile(NAMED_PROFILE).error == 0
    body_req, bearer_req = seen
    assert b'"token":"' + TOKEN.encode() in body_req.content and "authorization" not in body_req.headers
    assert bearer_req.headers["authorization"] == f"Bearer {TOKEN}" and b"token" not in bearer_req.content
    assert all(TOKEN not in str(r.url) for r in seen)


def test_a_token_in_the_body_mapping_is_replaced_by_the_clients(app: MockApp, client: Altcraft) -> None:
    assert client.import_profile({**NAMED_PROFILE, "token": "stale"}).error == 0


def test_the_built_json_request_carries_the_clients_token_and_the_extra_body() -> None:
    c = core()
    content, headers, count = c._build("import_profile", {**PROFILE, "token": "other"}, {"new_param": [1]})
    assert headers == {"Accept": "application/json, application/xml", "Content-Type": "application/json"}
    body = httpx.Response(200, content=content).json()
    assert body == {**PROFILE, "token": TOKEN, "new_param": [1]}
    assert count == 0


def test_bearer_puts_the_token_in_the_header_only() -> None:
    c = core(auth="bearer")
    content, headers, _ = c._build("import_profile", PROFILE, None)
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN.encode() not in content


def test_bearer_drops_a_token_the_body_carries() -> None:
    content, headers, _ = core(auth="bearer")._build("import_profile", {**PROFILE, "token": "other"}, None)
    assert "token" not in httpx.Response(200, content=content).json()
    assert headers["Authorization"] == f"Bearer {TOKEN}"


def test_xml_requests_ask_for_xml_answers_except_task_status() -> None:
    c = core(format="xml")
    content, headers, _ = c._build("import_profile", PROFILE, None)
    assert headers["Content-Type"] == "application/xml"
    assert b"<format>xml</format>" in content
    content, _, _ = c._build("import_profile", {**PROFILE, "format": "json"}, None)
    assert b"<format>json</format>" in content  # the caller's choice stays
    content, _, _ = c._build("task_status", {"task_id": "t-1"}, None)
    assert b"<format>" not in content and b"<task_id>t-1</task_id>" in content


def test_a_batch_counts_its_profiles_and_an_unvalidated_plain_body_is_not_changed() -> None:
    c = core(validate=False)
    original = {**TWO_PROFILE_BATCH}
    content, _, count = c._build("import_and_start_batch", original, None)
    assert count == 2
    assert original == TWO_PROFILE_BATCH  # the token went into a copy
    assert httpx.Response(200, content=content).json() == {**TWO_PROFILE_BATCH, "token": TOKEN}
    assert c._build("import_profile", {"data": [1, 2]}, None)[2] == 0  # only batch operations count


def test_a_validated_body_may_hold_any_mapping_and_tuples() -> None:
    from types import MappingProxyType

    c = core()
    body = {"db_id": 1, "email": "a@b.c", "data": MappingProxyType({"email": "a@b.c", "phones": ("1", "2")})}
    content, _, _ = c._build("import_profile", body, None)
    sent = httpx.Response(200, content=content).json()
    assert sent["data"] == {"email": "a@b.c", "phones": ["1", "2"]}


def test_a_batch_call_logs_its_profile_count(caplog: pytest.LogCaptureFixture) -> None:
    with sync_client(by_path([])) as c, caplog.at_level(logging.DEBUG, logger="altcraft"):
        c.import_and_start_batch(TWO_PROFILE_BATCH)
    assert any("(json, 2 profiles) -> HTTP 200" in r.getMessage() for r in caplog.records)


# -- bodies refused before sending ---------------------------------------------------------------------------


def test_an_unknown_operation_and_a_bad_body_are_refused_before_sending() -> None:
    c = core()
    with pytest.raises(InvalidInput) as err:
        c._build("nope", {}, None)
    assert (str(err.value), err.value.field) == ("unknown operation 'nope'", "operation")
    with pytest.raises(InvalidInput) as err:
        c._build("import_profile", [1], None)
    assert str(err.value) == "import_profile: the body must be a mapping or a generated model, not list"
    assert (err.value.field, err.value.operation) == ("body", "import_profile")


def test_a_refused_body_names_the_operation() -> None:
    with pytest.raises(InvalidInput) as err:
        core()._build("import_profile", {"db_id": 1}, None)
    assert str(err.value) == "import_profile: data is required"
    assert err.value.operation == "import_profile"


def test_a_task_id_must_be_a_non_empty_string() -> None:
    assert check_task_id("t") == "t"
    for bad in ("", None, 5):
        with pytest.raises(InvalidInput) as err:
            check_task_id(bad)
        assert (str(err.value), err.value.field, err.value.operation) == (
            "task_id: a non-empty task id is required",
            "task_id",
            "task_status",
        )


def test_a_value_json_cannot_carry_is_refused_naming_its_path_without_the_token() -> None:
    c = core(validate=False)
    with pytest.raises(InvalidInput) as err:
        c._build("import_profile", {**PROFILE, "data": {"when": object()}}, None)
    assert err.value.field == "data.when"
    assert str(err.value).startswith("import_profile: data.when: Type is not JSON serializable: object")
    assert err.value.__context__ is None and TOKEN not in str(err.value)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (True, None),
        (None, None),
        ("s", None),
        (1.5, None),
        (2**64 - 1, None),
        (-(2**63), None),
        (2**64, "x"),
        (-(2**63) - 1, "x"),
        ({"a": {"b": [1, 2**70]}}, "x.a.b[1]"),
        ({"a": 1, "b": (1, object())}, "x.b[1]"),
        (object(), "x"),
    ],
)
def test_the_path_of_a_value_json_cannot_carry(value: object, path: str | None) -> None:
    assert unencodable_path(value, "x") == path


def test_unencodable_paths_at_the_root() -> None:
    assert unencodable_path({"a": [2**64]}, "") == "a[0]"
    assert unencodable_path(object(), "") == "body"
    assert unencodable_path([1, 2], "") is None
    assert unencodable_path({"a": 1}, "") is None


def test_a_key_json_cannot_carry_is_refused_naming_the_body() -> None:
    with pytest.raises(InvalidInput) as err:
        core(validate=False)._build("import_profile", {**PROFILE, "data": {1: "x"}}, None)
    assert str(err.value) == "import_profile: body: Dict key must be str"
    assert (err.value.field, err.value.operation) == ("body", "import_profile")


def test_an_integer_json_cannot_carry_is_refused_naming_its_field() -> None:
    class Refuse(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            raise AssertionError("nothing may be sent")

    body = {"trigger_id": 13, "data": [{"data": {"email": "a@b.c", "big": 10**23}}]}
    with Altcraft(BASE, TOKEN, transport=Refuse()) as client, pytest.raises(InvalidInput) as err:
        client.import_and_start_batch(body)
    assert err.value.field == "data[0].data.big"


def test_a_body_nested_too_deeply_is_invalid_input_not_a_crash() -> None:
    deep: dict[str, Any] = {}
    cur = deep
    for _ in range(5000):
        cur["a"] = {}
        cur = cur["a"]
    body = {"trigger_id": 13, "data": [{"data": {"email": "a@example.com", "x": deep}}]}
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"error": 0})

    for fmt in ("json", "xml"):
        with sync_client(handler, format=fmt) as c, pytest.raises(InvalidInput) as err:
            c.import_and_start_batch(body)
        assert err.value.field == "body" and "nested too deeply" in str(err.value)
    assert sent == []


# -- each operation ------------------------------------------------------------------------------------------


def operations(c: Altcraft | AsyncAltcraft) -> list[tuple[str, Callable[..., Any], Any]]:
    workflow = {"workflow_id": 3, "data": [{"data": {"email": "b@example.com"}}]}
    return [
        ("import_profile", c.import_profile, PROFILE),
        ("import_and_start_batch", c.import_and_start_batch, TWO_PROFILE_BATCH),
        ("import_and_start_batch_task", c.import_and_start_batch_task, TWO_PROFILE_BATCH),
        ("workflow_import_and_start_batch_task", c.workflow_import_and_start_batch_task, workflow),
    ]


def passed_on(name: str, answer: Any, sent: list[httpx.Request], c: Any, handle: type) -> None:
    """The operation's request carried its extra_body to its path; a task answer is a handle on ``c``."""
    assert httpx.Response(200, content=sent[-1].content).json()["x_new"] == 1, name
    assert sent[-1].url.path == OPERATIONS_PATHS[name]
    if name.endswith("_task"):
        assert isinstance(answer, handle) and answer.accepted.task_id == "t-1"
        assert answer._client is c
    sent.clear()


OPERATIONS_PATHS = {
    "import_profile": "/api/v1.1/profiles/import",
    "import_and_start_batch": "/api/v1.1/campaigns/triggers/import_and_start_batch",
    "import_and_start_batch_task": "/api/v1.1/campaigns/triggers/import_and_start_batch_task",
    "workflow_import_and_start_batch_task": "/api/v1.1/workflows/import_and_start_batch_task",
}


def test_each_sync_operation_passes_its_timeout_and_extra_body_on() -> None:
    sent: list[httpx.Request] = []
    with sync_client(by_path(sent)) as c:
        for name, method, body in operations(c):
            with pytest.raises(TransportError) as err:
                method(body, timeout=0)
            assert str(err.value).startswith(f"{name}: no answer from altcraft.test within the deadline"), name
            assert sent == []
            passed_on(name, method(body, extra_body={"x_new": 1}, timeout=5.0), sent, c, TaskHandle)
        with pytest.raises(TransportError):
            c.task_status("t-1", timeout=0)
        assert c.task_status(TaskStatusRequest(task_id="t-2")).data.status == "completed"
        assert httpx.Response(200, content=sent[-1].content).json()["task_id"] == "t-2"


async def test_each_async_operation_passes_its_timeout_and_extra_body_on() -> None:
    sent: list[httpx.Request] = []
    async with async_client(by_path(sent)) as c:
        for name, method, body in operations(c):
            with pytest.raises(TransportError) as err:
                await method(body, timeout=0)
            assert str(err.value).startswith(f"{name}: no answer from altcraft.test within the deadline"), name
            assert sent == []
            passed_on(name, await method(body, extra_body={"x_new": 1}, timeout=5.0), sent, c, AsyncTaskHandle)
        with pytest.raises(TransportError):
            await c.task_status("t-1", timeout=0)
        assert (await c.task_status(TaskStatusRequest(task_id="t-2"))).data.status == "completed"
        assert httpx.Response(200, content=sent[-1].content).json()["task_id"] == "t-2"


async def test_async_the_exchange_posts_the_built_request_to_the_operations_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=ACCEPTED)

    async with async_client(handler, auth="bearer", timeout=httpx.Timeout(4.0)) as c:
        handle = await c.workflow_import_and_start_batch_task(
            {"workflow_id": 3, "data": [{"data": {"email": "b@example.com"}}]}, timeout=2.5
        )
        assert repr(handle) == "AsyncTaskHandle(task_id='t-1')"
        assert handle.accepted.task_id == "t-1"
        task = await c.import_and_start_batch_task(TWO_PROFILE_BATCH)
        assert task.task_id == "t-1"
    request = seen[0]
    assert (request.method, str(request.url)) == ("POST", BASE + "/api/v1.1/workflows/import_and_start_batch_task")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.extensions["timeout"] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    assert str(seen[1].url) == BASE + "/api/v1.1/campaigns/triggers/import_and_start_batch_task"


async def test_async_client(aclient: AsyncAltcraft) -> None:
    async with aclient as c:
        assert (await c.import_profile(NAMED_PROFILE)).error == 0
        assert len((await c.import_and_start_batch(BATCH)).result) == 1
        task = await c.workflow_import_and_start_batch_task({"workflow_id": 1, **{"data": BATCH["data"]}})
        assert (await task.wait(timeout=30)).data.status == "completed"
        with pytest.raises(NotFound):
            await c.task_status("nope")
