"""The overlay client: token, envelope errors, retries, limits, secrets, models, generated interop."""

from __future__ import annotations

import logging
from typing import Any

import altcraft
import httpx
import pytest
from altcraft import (
    Altcraft,
    AltcraftError,
    AsyncAltcraft,
    BadRequest,
    Forbidden,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    ProtocolError,
    RequestTooLarge,
    ServerError,
    TariffLimit,
    TransportError,
    Unauthorized,
    chunk_profiles,
)
from altcraft._validate import check
from altcraft_api.api.profiles import import_profile as gen_import_profile
from altcraft_api.models import (
    BatchItem,
    EmailSubscription,
    ImportAndStartBatchRequest,
    ImportProfileRequest,
    ProfileData,
    ProfileImported,
    SmsSubscription,
)
from altcraft_mock import MockApp, MockConfig, create_app, transport

from .conftest import BASE, TOKEN, FakeClock

CANARY = "CANARY-TOKEN-9f3b1c-do-not-leak"
PROFILE = {"db_id": 1, "email": "a@example.com", "data": {"email": "a@example.com", "_fname": "Ann"}}
BATCH = {"trigger_id": 13, "data": [{"data": {"email": "b@example.com"}}]}


def answering(status: int, body: Any, content_type: str = "application/json") -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        content = body if isinstance(body, bytes) else httpx.Response(200, json=body).content
        return httpx.Response(status, content=content, headers={"content-type": content_type})

    return httpx.MockTransport(handler)


def test_token_in_body_and_bearer(app: MockApp) -> None:
    seen: list[httpx.Request] = []
    inner = transport(app)

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return inner.handle_request(request)

    for auth in ("body", "bearer"):
        with Altcraft(BASE, TOKEN, auth=auth, transport=httpx.MockTransport(spy)) as c:  # type: ignore[arg-type]
            assert c.import_profile(PROFILE).error == 0
    body_req, bearer_req = seen
    assert b'"token":"' + TOKEN.encode() in body_req.content and "authorization" not in body_req.headers
    assert bearer_req.headers["authorization"] == f"Bearer {TOKEN}" and b"token" not in bearer_req.content
    assert all(TOKEN not in str(r.url) for r in seen)


def test_a_token_in_the_body_mapping_is_replaced_by_the_clients(app: MockApp, client: Altcraft) -> None:
    assert client.import_profile({**PROFILE, "token": "stale"}).error == 0


@pytest.mark.parametrize(
    ("status", "body", "exc", "code"),
    [
        (200, {"error": 404, "error_text": "Trigger not found"}, NotFound, 404),
        (200, {"error": 7, "error_text": "Something"}, AltcraftError, 7),
        (400, {"error": 400, "error_text": "Invalid request", "error_debug": "db_id: bad"}, BadRequest, 400),
        (
            400,
            {"error": 400, "error_debug": "http: request body too large", "error_text": "Invalid request"},
            RequestTooLarge,
            400,
        ),
        (401, {"error": 401, "error_text": "Unauthorized"}, Unauthorized, 401),
        (402, {"error": 402, "error_text": "Tariff"}, TariffLimit, 402),
        (403, {"error": 403, "error_text": "Forbidden"}, Forbidden, 403),
        (404, {"error": 404, "error_text": "Not found"}, NotFound, 404),
        (500, {"error": 500, "error_text": "Boom"}, ServerError, 500),
        (502, b"<html>bad gateway</html>", ServerError, None),
    ],
)
def test_error_envelope_becomes_typed_exception(status: int, body: Any, exc: type[Exception], code: Any) -> None:
    with Altcraft(BASE, TOKEN, transport=answering(status, body), max_retries=0) as c, pytest.raises(exc) as err:
        c.import_and_start_batch(BATCH)
    e = err.value
    assert isinstance(e, AltcraftError)
    assert e.code == code and e.http_status == status and e.operation == "import_and_start_batch"
    if isinstance(body, dict):
        assert e.error_text == body["error_text"] and e.error_debug == body.get("error_debug")


def test_server_error_after_launch_says_it_was_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, json={"error": 503, "error_text": "busy"})

    with Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler)) as c, pytest.raises(ServerError) as err:
        c.import_and_start_batch(BATCH)
    assert len(calls) == 1 and not err.value.retry_safe
    assert "not retried automatically" in str(err.value)


def test_xml_error_answer_is_read(xml_client: Altcraft) -> None:
    with pytest.raises(NotFound) as err:
        xml_client.import_and_start_batch({**BATCH, "trigger_id": 4242})
    assert err.value.error_text == "Trigger not found"


def test_unreadable_success_answer_is_a_protocol_error() -> None:
    with (
        Altcraft(BASE, TOKEN, transport=answering(200, b"not json", "text/plain")) as c,
        pytest.raises(ProtocolError),
    ):
        c.import_profile(PROFILE)
    with (
        Altcraft(BASE, TOKEN, transport=answering(200, {"error": 0, "error_text": "ok"})) as c,
        pytest.raises(ProtocolError, match="ProfileImported"),
    ):
        c.import_profile(PROFILE)


class Flaky(httpx.BaseTransport):
    """Raises ``errors`` in order, then hands requests to the emulator."""

    def __init__(self, app: MockApp, errors: list[type[httpx.HTTPError]]) -> None:
        self.inner = transport(app)
        self.errors = list(errors)
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)("injected", request=request)
        return self.inner.handle_request(request)


def test_connection_errors_before_sending_are_retried_for_a_launch(app: MockApp, clock: FakeClock) -> None:
    flaky = Flaky(app, [httpx.ConnectError, httpx.ConnectTimeout])
    with Altcraft(BASE, TOKEN, transport=flaky, sleep=clock.sleep) as c:
        assert len(c.import_and_start_batch(BATCH).result) == 1
    assert flaky.calls == 3


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError])
def test_errors_after_sending_a_launch_are_not_retried(app: MockApp, error: type[httpx.HTTPError]) -> None:
    flaky = Flaky(app, [error])
    with Altcraft(BASE, TOKEN, transport=flaky) as c, pytest.raises(OutcomeUnknown) as err:
        c.import_and_start_batch_task(BATCH)
    assert flaky.calls == 1
    assert "may have imported" in str(err.value) and "twice" in str(err.value)


def test_task_status_is_retried_on_read_errors_and_5xx(app: MockApp, clock: FakeClock) -> None:
    task_id = Altcraft(BASE, TOKEN, transport=transport(app)).import_and_start_batch_task(BATCH).task_id
    flaky = Flaky(app, [httpx.ReadTimeout, httpx.RemoteProtocolError])
    with Altcraft(BASE, TOKEN, transport=flaky, sleep=clock.sleep) as c:
        assert c.task_status(task_id).data.status in ("queued", "processing")
    assert flaky.calls == 3


def test_retries_give_up_with_a_transport_error(app: MockApp, clock: FakeClock) -> None:
    flaky = Flaky(app, [httpx.ConnectError] * 5)
    with (
        Altcraft(BASE, TOKEN, transport=flaky, sleep=clock.sleep, max_retries=2) as c,
        pytest.raises(TransportError) as err,
    ):
        c.import_profile(PROFILE)
    assert flaky.calls == 3 and not isinstance(err.value, OutcomeUnknown)


def test_drop_rate_on_a_launch_is_outcome_unknown_and_not_repeated() -> None:
    app = create_app(MockConfig(drop_rate=1.0, seed=2))
    with Altcraft(BASE, TOKEN, transport=transport(app)) as c, pytest.raises(OutcomeUnknown):
        c.import_and_start_batch(BATCH)
    assert len(app.state.trigger_launches) == 1  # processed once, never twice


# -- validation before sending ----------------------------------------------------------------------


class Refuse(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")


@pytest.mark.parametrize(
    ("op", "body", "field"),
    [
        ("import_and_start_batch", {"data": [{"data": {}}]}, "trigger_id"),
        ("import_and_start_batch", {"trigger_id": 1, "data": [{"data": {"_fname": "no email"}}]}, "data[0].data"),
        ("import_and_start_batch", {"trigger_id": "13", "data": [{"data": {}}]}, "trigger_id"),
        ("import_and_start_batch", {"trigger_id": 1, "matching": "custom", "data": [{"data": {}}]}, "field_name"),
        ("import_and_start_batch_task", {"trigger_id": 1, "data": [{"x": 1}]}, "data[0].data"),
        (
            "import_profile",
            {"db_id": 1, "email": "e", "data": {"subscriptions": [{"channel": "sms", "resource_id": "1"}]}},
            "data.subscriptions[0].resource_id",
        ),
        (
            "import_profile",
            {"db_id": 1, "email": "e", "data": {"subscriptions": {"channel": "sms"}}},
            "data.subscriptions",
        ),
        ("import_profile", {"db_id": 1, "matching": "push", "data": {}}, "matching"),
        ("import_profile", {"db_id": "1", "data": {}}, "db_id"),
        ("workflow_import_and_start_batch_task", {"data": [{"data": {}}]}, "workflow_id"),
        (
            "workflow_import_and_start_batch_task",
            {"workflow_id": 1, "data": [{"data": {"email": "a@b.c"}}], "attach": [5]},
            "attach[0]",
        ),
    ],
)
def test_bad_input_is_refused_before_sending_naming_the_field(op: str, body: Any, field: str) -> None:
    with Altcraft(BASE, TOKEN, transport=Refuse()) as c, pytest.raises(InvalidInput) as err:
        c.request(op, body)
    assert err.value.field == field, str(err.value)
    assert field in str(err.value)


def test_an_attachment_is_checked_only_as_the_pages_state() -> None:
    """'attach array of {name, flie_key, data, mimetype}' (en-v72-workflow-task l.62) gives no type and no
    "required" for the fields: a numeric name is warned about and sent; an item that is no object is refused."""
    body = {"workflow_id": 1, "data": [{"data": {"email": "a@b.c"}}], "attach": [{"name": 5, "data": "data:,x"}]}
    refusals, warned = check("workflow_import_and_start_batch_task", body)
    assert refusals == [] and [p.field for p in warned] == ["attach[0].name"]
    refusals, _ = check("workflow_import_and_start_batch_task", {**body, "attach": [{"name": "a.txt"}, 5]})
    assert [p.field for p in refusals] == ["attach[1]"]


def test_task_status_needs_a_task_id() -> None:
    with Altcraft(BASE, TOKEN, transport=Refuse()) as c, pytest.raises(InvalidInput):
        c.task_status("")


def test_validation_can_be_switched_off(app: MockApp) -> None:
    with Altcraft(BASE, TOKEN, transport=transport(app), validate=False) as c, pytest.raises(BadRequest):
        c.import_and_start_batch({"data": []})


# -- limits ----------------------------------------------------------------------------------------------


def test_body_over_10_mb_is_refused_before_sending() -> None:
    big = {"trigger_id": 1, "data": [{"data": {"email": "a@b.c", "blob": "x" * (11 << 20)}}]}
    with Altcraft(BASE, TOKEN, transport=Refuse()) as c, pytest.raises(RequestTooLarge) as err:
        c.import_and_start_batch(big)
    assert err.value.limit == 10 << 20 and err.value.size is not None and err.value.size > 11 << 20
    assert str(err.value.limit) in str(err.value) and str(err.value.size) in str(err.value)


def test_files_raise_the_limit_to_100_mb(app: MockApp) -> None:
    attach = [{"name": "f", "data": "data:application/octet-stream;base64," + "A" * (11 << 20)}]
    with Altcraft(BASE, TOKEN, transport=transport(app)) as c:
        assert c.import_and_start_batch({**BATCH, "attach": attach}).error == 0
    with Altcraft(BASE, TOKEN, transport=Refuse()) as c, pytest.raises(RequestTooLarge) as err:
        c.import_and_start_batch({**BATCH, "attach": [{"name": "f", "data": "data:," + "A" * (101 << 20)}]})
    assert err.value.limit == 100 << 20


def test_more_than_10000_profiles_logs_a_warning(app: MockApp, caplog: pytest.LogCaptureFixture) -> None:
    items = [{"data": {"email": f"p{i}@x.io"}} for i in range(10_001)]
    with Altcraft(BASE, TOKEN, transport=transport(app)) as c, caplog.at_level(logging.WARNING, "altcraft"):
        c.import_and_start_batch({"trigger_id": 13, "data": items})
    assert any("10001 profiles" in r.getMessage() for r in caplog.records)


def test_chunk_profiles_by_count_and_size() -> None:
    items = [{"data": {"email": f"p{i}@x.io", "pad": "x" * 100}} for i in range(2500)]
    by_count = list(chunk_profiles(items, max_items=1000))
    assert [len(c) for c in by_count] == [1000, 1000, 500]
    by_size = list(chunk_profiles(items, max_bytes=50_000))
    assert sum(map(len, by_size)) == 2500 and all(len(altcraft._serialize.dumps(c)) <= 50_000 for c in by_size)
    assert [x for c in by_size for x in c] == items
    by_xml = list(chunk_profiles(items, max_bytes=50_000, format="xml"))
    assert len(by_xml) >= len(by_size)
    with pytest.raises(RequestTooLarge, match="item 1"):
        list(chunk_profiles([{"data": {}}, {"data": {"x": "y" * 1000}}], max_bytes=500))


# -- models, async, generated interop --------------------------------------------------------------------


def test_generated_models_in_and_out(client: Altcraft) -> None:
    data = ProfileData(fname="Olly", email="m@x.io", phones=["+79000000000"])
    data.subscriptions = [
        EmailSubscription(resource_id=1, channel="email", email="m@x.io"),
        SmsSubscription(resource_id=1, channel="sms", phone="+79000000000"),
    ]
    data["custom_field"] = "custom"
    result = client.import_profile(ImportProfileRequest(db_id=1, data=data, email="m@x.io"))
    assert isinstance(result, ProfileImported) and len(result.profile_id) == 24
    batch = client.import_and_start_batch(ImportAndStartBatchRequest(trigger_id=96, data=[BatchItem(data=data)]))
    assert batch.result[0].profile_id == result.profile_id


def test_generated_functions_share_the_clients_pool(app: MockApp) -> None:
    with Altcraft(BASE, TOKEN, auth="bearer", transport=transport(app)) as c:
        body = ImportProfileRequest.from_dict(PROFILE)
        response = gen_import_profile.sync_detailed(client=c.generated, body=body)
    assert response.status_code == 200 and isinstance(response.parsed, ProfileImported)


async def test_async_client(aclient: AsyncAltcraft) -> None:
    async with aclient as c:
        assert (await c.import_profile(PROFILE)).error == 0
        assert len((await c.import_and_start_batch(BATCH)).result) == 1
        task = await c.workflow_import_and_start_batch_task({"workflow_id": 1, **{"data": BATCH["data"]}})
        assert (await task.wait(timeout=30)).data.status == "completed"
        with pytest.raises(NotFound):
            await c.task_status("nope")


# -- secrets -------------------------------------------------------------------------------------------


def test_canary_token_never_leaks(caplog: pytest.LogCaptureFixture, clock: FakeClock) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        text = request.content.decode()
        if "tasks/status" in str(request.url):
            raise httpx.ReadTimeout(f"timeout talking about {text}", request=request)
        return httpx.Response(400, json={"error": 400, "error_text": f"bad {text}", "error_debug": text})

    leaks: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for auth in ("body", "bearer"):
            for fmt in ("json", "xml"):
                c = Altcraft(
                    BASE,
                    CANARY,
                    auth=auth,
                    format=fmt,
                    transport=httpx.MockTransport(echo),  # type: ignore[arg-type]
                    sleep=clock.sleep,
                    clock=clock,
                )
                leaks += [repr(c), str(c)]
                for call in (
                    lambda c=c: c.import_profile(PROFILE),
                    lambda c=c: c.task_status("t1"),
                    lambda c=c: c.wait_task("t1", timeout=3),
                    lambda c=c: c.import_and_start_batch({"data": []}),
                    lambda c=c: c.import_and_start_batch(
                        {"trigger_id": 1, "data": [{"data": {"b": "x" * (11 << 20)}}]}
                    ),
                ):
                    with pytest.raises(AltcraftError) as err:
                        call()
                    e = err.value
                    leaks += [str(e), repr(e), str(e.error_text), str(e.error_debug), str(e.__cause__)]
                    leaks += [str(arg) for arg in e.args]
    leaks += [r.getMessage() for r in caplog.records]
    assert leaks and all(CANARY not in text for text in leaks)
    with pytest.raises(InvalidInput):
        Altcraft(BASE, "")
