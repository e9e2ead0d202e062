"""Tests written from the mutation run (scripts/mutation) over the clients' shared core (overlays/altcraft/_client.py):
each pins a documented behaviour (messages, retries, deadlines, reading answers, redaction) that a surviving
mutant changed and no other test noticed. In-process fakes only (httpx.MockTransport, a fake clock)."""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from altcraft import Altcraft, AsyncAltcraft, AsyncTaskHandle, TaskHandle, _validate
from altcraft._client import (
    _AnswerTooLarge,
    _AsyncSharedTransport,
    _Call,
    _Capped,
    _check_task_id,
    _Core,
    _DeadlineExceeded,
    _retry_after,
    _Secret,
    _SharedTransport,
    _Trace,
    _unencodable_path,
)
from altcraft._errors import (
    AltcraftError,
    AssumptionWarning,
    BadRequest,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    Problem,
    ProtocolError,
    ServerError,
    TaskTimeout,
    TransportError,
    Unauthorized,
    WaitCancelled,
)
from altcraft._polling import Poller, PollSettings
from altcraft._schema import resolve
from altcraft._validate import check, raise_or_warn, validate
from altcraft_api.models import ProfileImported, TaskAccepted, TaskStatus, TaskStatusRequest

from .conftest import FakeClock

BASE = "http://altcraft.test"
TOKEN = "tok-SECRET-1234"
PROFILE = {"db_id": 1, "email": "a@example.com", "data": {"email": "a@example.com"}}
BATCH = {"trigger_id": 13, "data": [{"data": {"email": "b@example.com"}}, {"data": {"email": "c@example.com"}}]}
IMPORTED = {"error": 0, "error_text": "Successful", "profile_id": "42"}
ACCEPTED = {"error": 0, "error_text": "Successful", "task_id": "t-1"}
RUNNING = {"error": 0, "error_text": "ok", "data": {"status": "processing", "progress": 50}}
DONE = {"error": 0, "error_text": "ok", "data": {"status": "completed", "progress": 100}}

Handler = Callable[[httpx.Request], httpx.Response]


def sync_client(handler: Handler, clock: FakeClock | None = None, **kwargs: Any) -> Altcraft:
    clock = clock or FakeClock()
    return Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler), clock=clock, sleep=clock.sleep, **kwargs)


def async_client(handler: Handler, clock: FakeClock | None = None, **kwargs: Any) -> AsyncAltcraft:
    clock = clock or FakeClock()
    return AsyncAltcraft(BASE, TOKEN, transport=httpx.MockTransport(handler), clock=clock, sleep=clock.asleep, **kwargs)


def answer(status: int, body: Any, content_type: str = "application/json", **headers: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        content = body if isinstance(body, bytes) else httpx.Response(200, json=body).content
        return httpx.Response(status, content=content, headers={"content-type": content_type, **headers})

    return handler


def core(token: str = TOKEN, **kwargs: Any) -> _Core:
    settings: dict[str, Any] = {
        "auth": "body",
        "format": "json",
        "timeout": 30.0,
        "validate": True,
        "max_retries": 2,
        "max_answer_bytes": 1000,
        "clock": FakeClock(),
        "rng": random.Random(1),
    }
    settings.update(kwargs)
    return _Core(BASE, token, **settings)


def call(operation: str = "import_profile", deadline: float | None = None, attempts: int = 1) -> _Call:
    return _Call(operation, b"{}", {}, 0, deadline, attempts=attempts, started=1000.0)


# ---------------------------------------------------------------------------------------------- setting up


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"token": ""}, "token: a non-empty API token is required", "token"),
        ({"token": None}, "token: a non-empty API token is required", "token"),
        ({"auth": "basic"}, "auth must be 'body' or 'bearer', not 'basic'", "auth"),
        ({"format": "yaml"}, "format must be 'json' or 'xml', not 'yaml'", "format"),
        ({"max_retries": -1}, "max_retries must be >= 0", "max_retries"),
        ({"max_answer_bytes": 0}, "max_answer_bytes must be positive", "max_answer_bytes"),
        ({"base_url": "http://[::1"}, "base_url: not a valid URL", "base_url"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(kwargs: dict[str, Any], message: str, field: str) -> None:
    args: dict[str, Any] = {"base_url": BASE, "token": TOKEN, **kwargs}
    with pytest.raises(InvalidInput) as err:
        Altcraft(args.pop("base_url"), args.pop("token"), **args)
    assert (str(err.value), err.value.field) == (message, field)
    assert err.value.__cause__ is None


def test_a_bearer_token_with_characters_a_header_cannot_carry_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        Altcraft(BASE, "tok en", auth="bearer")
    assert str(err.value) == (
        "token: it holds characters an HTTP header cannot carry (non-ASCII or control characters); "
        "send it in the body with auth='body'"
    )
    assert err.value.field == "token"
    Altcraft(BASE, "tok en", auth="body").close()  # in the body it is fine
    Altcraft(BASE, "!~", auth="bearer").close()  # visible ASCII at both ends of the range


def test_the_smallest_settings_are_accepted_and_kept() -> None:
    c = core(max_retries=0, max_answer_bytes=1, validate=False, format="xml", auth="bearer")
    assert (c.max_retries, c.max_answer_bytes, c.validate, c.format, c.auth) == (0, 1, False, "xml", "bearer")


def test_the_repr_shows_url_auth_and_format_but_never_the_token() -> None:
    c = Altcraft(BASE + "/", TOKEN, auth="bearer", format="xml")
    assert repr(c) == "Altcraft(base_url='http://altcraft.test', auth='bearer', format='xml')"
    assert repr(_Secret(TOKEN)) == str(_Secret(TOKEN)) == "Secret('***')"
    assert _Secret(TOKEN).get() == TOKEN
    c.close()


def test_a_number_bounds_each_attempt_and_an_httpx_timeout_only_its_phases() -> None:
    c = core(timeout=7.0)
    assert c._budget(call()) == (httpx.Timeout(7.0), 7.0)
    phases = httpx.Timeout(3.0, connect=1.0)
    c = core(timeout=phases)
    assert c._budget(call()) == (phases, None)


# ---------------------------------------------------------------------------------------------- building


def test_an_unknown_operation_and_a_bad_body_are_refused_before_sending() -> None:
    c = core()
    with pytest.raises(InvalidInput) as err:
        c._build("nope", {}, None)
    assert (str(err.value), err.value.field) == ("unknown operation 'nope'", "operation")
    with pytest.raises(InvalidInput) as err:
        c._build("import_profile", [1], None)
    assert str(err.value) == "import_profile: the body must be a mapping or a generated model, not list"
    assert (err.value.field, err.value.operation) == ("body", "import_profile")


def test_the_built_json_request_carries_the_clients_token_and_the_extra_body() -> None:
    c = core()
    content, headers, count = c._build("import_profile", {**PROFILE, "token": "other"}, {"new_param": [1]})
    assert headers == {"Accept": "application/json, application/xml", "Content-Type": "application/json"}
    body = httpx.Response(200, content=content).json()
    assert body == {**PROFILE, "token": TOKEN, "new_param": [1]}
    assert count == 0


def test_a_batch_counts_its_profiles_and_an_unvalidated_plain_body_is_not_changed() -> None:
    c = core(validate=False)
    original = {**BATCH}
    content, _, count = c._build("import_and_start_batch", original, None)
    assert count == 2
    assert original == BATCH  # the token went into a copy
    assert httpx.Response(200, content=content).json() == {**BATCH, "token": TOKEN}
    assert c._build("import_profile", {"data": [1, 2]}, None)[2] == 0  # only batch operations count


def test_bearer_puts_the_token_in_the_header_only() -> None:
    c = core(auth="bearer")
    content, headers, _ = c._build("import_profile", PROFILE, None)
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN.encode() not in content


def test_xml_requests_ask_for_xml_answers_except_task_status() -> None:
    c = core(format="xml")
    content, headers, _ = c._build("import_profile", PROFILE, None)
    assert headers["Content-Type"] == "application/xml"
    assert b"<format>xml</format>" in content
    content, _, _ = c._build("import_profile", {**PROFILE, "format": "json"}, None)
    assert b"<format>json</format>" in content  # the caller's choice stays
    content, _, _ = c._build("task_status", {"task_id": "t-1"}, None)
    assert b"<format>" not in content and b"<task_id>t-1</task_id>" in content


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
    assert _unencodable_path(value, "x") == path


def test_unencodable_paths_at_the_root() -> None:
    assert _unencodable_path({"a": [2**64]}, "") == "a[0]"
    assert _unencodable_path(object(), "") == "body"
    assert _unencodable_path([1, 2], "") is None
    assert _unencodable_path({"a": 1}, "") is None


def test_a_negative_operation_timeout_is_refused_and_zero_sets_the_deadline_now() -> None:
    c = core()
    with pytest.raises(InvalidInput) as err:
        c._start("import_profile", PROFILE, -0.5, None)
    assert (str(err.value), err.value.field, err.value.operation) == (
        "timeout must be >= 0",
        "timeout",
        "import_profile",
    )
    started = c._start("import_profile", PROFILE, 0, None)
    assert (started.deadline, started.started, started.attempts) == (1000.0, 1000.0, 0)
    assert c._start("import_profile", PROFILE, None, None).deadline is None
    assert c._start("import_profile", PROFILE, 2.5, None).deadline == 1002.5


def test_a_task_id_must_be_a_non_empty_string() -> None:
    assert _check_task_id("t") == "t"
    for bad in ("", None, 5):
        with pytest.raises(InvalidInput) as err:
            _check_task_id(bad)
        assert (str(err.value), err.value.field, err.value.operation) == (
            "task_id: a non-empty task id is required",
            "task_id",
            "task_status",
        )


# ---------------------------------------------------------------------------------------------- deadlines


def test_each_phase_gets_the_time_left_when_it_is_shorter() -> None:
    clock = FakeClock()
    c = core(clock=clock, timeout=httpx.Timeout(5.0, connect=1.0, pool=None))
    pending = call(deadline=1003.0, attempts=0)
    timeouts, total = c._budget(pending)
    assert timeouts == httpx.Timeout(connect=1.0, read=3.0, write=3.0, pool=3.0)
    assert total == 3.0 and pending.attempts == 1
    c = core(clock=clock, timeout=2.0)
    assert c._budget(call(deadline=1003.0)) == (httpx.Timeout(2.0), 2.0)


def test_no_attempt_starts_at_or_after_the_deadline() -> None:
    clock = FakeClock()
    c = core(clock=clock)
    with pytest.raises(TransportError) as err:
        c._budget(call("import_profile", deadline=1000.0, attempts=0))
    assert type(err.value) is TransportError  # nothing was sent: not OutcomeUnknown
    assert str(err.value) == "import_profile: no answer from altcraft.test within the deadline (1 attempt(s))"
    assert err.value.operation == "import_profile"
    assert c._budget(call(deadline=1000.001))[1] == pytest.approx(0.001)


class Recorder(random.Random):
    def __init__(self) -> None:
        super().__init__(0)
        self.bounds: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.bounds.append((a, b))
        return b


def test_the_backoff_doubles_from_a_tenth_of_a_second_up_to_two_seconds() -> None:
    rng = Recorder()
    c = core(rng=rng)
    assert [c._backoff(n) for n in (0, 1, 2, 4, 5, 9)] == [0.1, 0.2, 0.4, 1.6, 2.0, 2.0]
    assert rng.bounds[0] == (0, 0.1)


def test_the_pause_before_a_retry() -> None:
    clock = FakeClock()
    c = core(clock=clock, rng=Recorder(), max_retries=2)
    assert c._pause(call(attempts=2), None) == 0.4
    assert c._pause(call(attempts=3), None) is None  # max_retries retries, then no more
    assert c._pause(call(attempts=1), 5.0) == 5.0
    assert c._pause(call(attempts=1), 600.0) == 60.0  # Retry-After is honoured up to 60 s
    assert c._pause(call(attempts=1, deadline=1005.0), 5.0) is None  # would end at the deadline
    assert c._pause(call(attempts=1, deadline=1005.001), 5.0) == 5.0


def test_a_deadline_after_sending_is_outcome_unknown_except_for_task_status() -> None:
    c = core()
    unknown = c._deadline_error(call("import_and_start_batch", attempts=2), sent=True)
    assert type(unknown) is OutcomeUnknown
    assert str(unknown) == (
        "import_and_start_batch: the request was sent to altcraft.test but no answer came back (the deadline "
        "passed before the answer came). Altcraft may have imported the profiles and launched the trigger or "
        "workflow; it was not retried automatically, because a repeat could launch it twice"
    )
    assert unknown.operation == "import_and_start_batch"
    status = c._deadline_error(call("task_status", attempts=2), sent=True)
    assert type(status) is TransportError
    assert str(status) == "task_status: no answer from altcraft.test within the deadline (2 attempt(s))"
    assert status.operation == "task_status"


# ---------------------------------------------------------------------------------------------- failures


def test_was_sent_follows_the_trace_and_the_kind_of_error() -> None:
    trace = _Trace()
    assert trace.was_sent(_DeadlineExceeded())  # a transport that reports nothing: assume it was sent
    assert not trace.was_sent(httpx.ConnectError("x"))
    assert not trace.was_sent(httpx.ConnectTimeout("x"))
    assert not trace.was_sent(httpx.PoolTimeout("x"))
    assert not trace.was_sent(httpx.UnsupportedProtocol("x"))
    assert trace.was_sent(httpx.ReadTimeout("x"))
    trace("connection.connect_tcp.started", {})
    assert trace.events and not trace.was_sent(_DeadlineExceeded())
    trace("http11.send_request_headers.started", {})
    assert trace.was_sent(_DeadlineExceeded())


async def test_the_async_trace_records_the_same() -> None:
    trace = _Trace()
    await trace.atrace("http11.send_request_headers.started", {})
    assert trace.events and trace.sent.is_set()


def test_a_failure_before_sending_is_retried_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    c = core(rng=Recorder())
    with caplog.at_level(logging.INFO, logger="altcraft"):
        step = c._failed(call("import_and_start_batch"), httpx.ConnectError(f"refused {TOKEN}"), _Trace())
    assert step.delay == 0.2
    assert [r.getMessage() for r in caplog.records] == [
        "import_and_start_batch: ConnectError: refused *** from altcraft.test (attempt 1); retrying in 0.20 s"
    ]


def test_a_failure_before_sending_without_retries_left_is_a_transport_error() -> None:
    c = core(max_retries=0)
    with pytest.raises(TransportError) as err:
        c._failed(call("import_profile"), httpx.ConnectError(""), _Trace())
    assert type(err.value) is TransportError
    assert str(err.value) == (
        "import_profile: could not reach altcraft.test after 1 attempt(s): ConnectError: no detail"
    )
    assert err.value.operation == "import_profile"


def test_a_failure_after_sending_a_launch_is_outcome_unknown_at_once() -> None:
    c = core()
    with pytest.raises(OutcomeUnknown) as err:
        c._failed(call("import_profile"), httpx.ReadError(f"reset {TOKEN}"), _Trace())
    assert "(ReadError: reset ***)" in str(err.value) and TOKEN not in str(err.value)
    assert err.value.operation == "import_profile"


def test_task_status_is_retried_after_sending_and_then_gives_up_with_a_transport_error() -> None:
    c = core(max_retries=1, rng=Recorder())
    assert c._failed(call("task_status", attempts=1), httpx.ReadError("x"), _Trace()).delay == 0.2
    with pytest.raises(TransportError) as err:
        c._failed(call("task_status", attempts=2), httpx.ReadError("x"), _Trace())
    assert type(err.value) is TransportError
    assert str(err.value) == "task_status: could not reach altcraft.test after 2 attempt(s): ReadError: x"


def test_a_deadline_during_an_attempt_is_never_retried() -> None:
    c = core()
    with pytest.raises(TransportError) as err:
        c._failed(call("task_status", attempts=1), _DeadlineExceeded(), _Trace())
    assert str(err.value) == "task_status: no answer from altcraft.test within the deadline (1 attempt(s))"
    with pytest.raises(OutcomeUnknown):
        c._failed(call("import_profile", attempts=1), _DeadlineExceeded(), _Trace())


def test_an_answer_too_large_names_the_limit_and_the_size() -> None:
    c = core(max_answer_bytes=10)
    err = c._too_large(call("task_status"), 11)
    assert type(err) is ProtocolError
    assert str(err) == (
        "task_status: the answer from altcraft.test is larger than max_answer_bytes=10 (at least 11 bytes); "
        "it was not read"
    )
    assert err.operation == "task_status"


def test_the_capped_reader_takes_exactly_the_cap() -> None:
    body = _Capped(4, httpx.Headers({"content-length": "4"}))
    body.add(b"ab")
    body.add(b"cd")
    assert body.content() == b"abcd"
    with pytest.raises(_AnswerTooLarge) as err:
        body.add(b"e")
    assert err.value.size == 5
    with pytest.raises(_AnswerTooLarge) as err:
        _Capped(4, httpx.Headers({"content-length": "5"}))
    assert err.value.size == 5
    assert _Capped(4, httpx.Headers({"content-length": "many"})).content() == b""


# ---------------------------------------------------------------------------------------------- Retry-After


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert _retry_after(None) is None
    assert _retry_after("") is None
    assert _retry_after("2.5") == 2.5
    assert _retry_after("-3") == 0.0
    assert _retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 100, usegmt=True)
    assert 95 < (_retry_after(later) or 0) <= 100
    earlier = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert _retry_after(earlier) == 0.0


# ---------------------------------------------------------------------------------------------- answers


def parse(
    status: int, body: bytes, content_type: str | None = "application/json", operation: str = "import_profile"
) -> Any:
    headers = httpx.Headers({"content-type": content_type} if content_type is not None else {})
    return core()._parse(operation, status, headers, body)


def test_a_success_answer_becomes_its_model() -> None:
    imported = parse(200, b'{"error": 0, "error_text": "ok", "profile_id": "7"}', "Application/JSON; charset=utf-8")
    assert isinstance(imported, ProfileImported) and imported.profile_id == "7"


def test_an_answer_is_read_as_xml_by_its_type_or_its_first_character() -> None:
    xml = b"<xml><error>0</error><error_text>ok</error_text><profile_id>7</profile_id></xml>"
    assert parse(200, xml, "text/xml").profile_id == "7"
    assert parse(200, b"  " + xml, None).profile_id == "7"
    assert parse(200, xml, "application/octet-stream").profile_id == "7"
    with pytest.raises(ProtocolError) as err:
        parse(200, xml, "application/json")  # declared JSON is read as JSON
    assert "is not readable" in str(err.value)


def test_an_unreadable_success_answer_is_a_protocol_error_naming_status_and_type() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, b"not json", None)
    assert str(err.value) == (
        "import_profile: the answer (HTTP 200, no content type) is not readable: "
        "invalid literal, expected 'null': line 1 column 1 (char 0)"
    )
    assert (err.value.http_status, err.value.operation) == (200, "import_profile")
    with pytest.raises(ProtocolError) as err:
        parse(299, b"nope", "Text/Plain; charset=x")
    assert str(err.value).startswith("import_profile: the answer (HTTP 299, text/plain) is not readable: ")
    assert err.value.__context__ is None


def test_an_unreadable_error_answer_is_the_error_of_its_status_with_the_text_redacted_and_cut() -> None:
    text = f"bad gateway {TOKEN} " + "x" * 300
    with pytest.raises(ServerError) as err:
        parse(502, text.encode(), "text/html", operation="task_status")
    assert err.value.error_text == ("bad gateway *** " + "x" * 300)[:200]
    assert (err.value.http_status, err.value.code, err.value.error_debug) == (502, None, None)
    assert err.value.retry_safe and err.value.operation == "task_status"
    with pytest.raises(ServerError) as err:
        parse(500, b"oops", "text/plain")
    assert not err.value.retry_safe
    with pytest.raises(BadRequest) as bad:
        parse(400, b"<html>\xff</html>", "text/html")
    assert bad.value.error_text == "<html>\ufffd</html>"


def test_the_decoder_message_is_redacted_and_cut_to_200_characters() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, f"<xml><{TOKEN}>".encode() + b"y" * 400, "application/xml")
    message = str(err.value)
    prefix = "import_profile: the answer (HTTP 200, application/xml) is not readable: "
    assert message.startswith(prefix) and TOKEN not in message
    assert len(message) <= len(prefix) + 200


def test_an_answer_that_is_not_an_object() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, b"[1, 2]")
    assert str(err.value) == "import_profile: the answer is not an object"
    assert (err.value.http_status, err.value.operation) == (200, "import_profile")


def test_a_success_status_without_an_error_field() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, b'{"error_text": "ok"}')
    assert str(err.value) == "import_profile: the answer has no 'error' field"
    assert (err.value.http_status, err.value.operation) == (200, "import_profile")
    with pytest.raises(NotFound) as nf:
        parse(404, b'{"error_text": "no such"}')
    assert (nf.value.code, nf.value.error_text) == (None, "no such")


def test_an_error_envelope_keeps_its_code_and_redacted_texts() -> None:
    body = f'{{"error": 401, "error_text": "bad {TOKEN}", "error_debug": "got {TOKEN}"}}'.encode()
    with pytest.raises(Unauthorized) as err:
        parse(200, body)
    assert (err.value.code, err.value.error_text, err.value.error_debug) == (401, "bad ***", "got ***")
    assert err.value.http_status == 200
    with pytest.raises(AltcraftError) as any_err:
        parse(200, b'{"error": true, "error_text": 5}')
    assert (any_err.value.code, any_err.value.error_text, any_err.value.error_debug) == (None, "5", None)
    with pytest.raises(AltcraftError) as any_err:
        parse(200, b'{"error": "1"}')
    assert any_err.value.code is None
    with pytest.raises(BadRequest) as bad:
        parse(400, b'{"error": 0}')  # an error status whatever the code
    assert bad.value.code == 0 and bad.value.error_text is None


def test_a_5xx_envelope_is_retry_safe_only_for_task_status() -> None:
    with pytest.raises(ServerError) as err:
        parse(200, b'{"error": 500, "error_text": "x"}', operation="task_status")
    assert err.value.retry_safe
    with pytest.raises(ServerError) as err:
        parse(503, b'{"error": 1, "error_text": "x"}')
    assert not err.value.retry_safe


def test_a_success_answer_of_another_shape_names_the_documented_model() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, f'{{"error": 0, "error_text": "{TOKEN}"}}'.encode())
    assert str(err.value) == "import_profile: the answer is not the documented ProfileImported: KeyError('profile_id')"
    assert (err.value.http_status, err.value.operation) == (200, "import_profile")
    assert err.value.__context__ is None


def test_a_429_is_retried_after_its_retry_after(caplog: pytest.LogCaptureFixture) -> None:
    c = core()
    with caplog.at_level(logging.INFO, logger="altcraft"):
        step = c._answered(call("import_profile"), 429, httpx.Headers({"retry-after": "3"}), b'{"error": 429}')
    assert step.delay == 3.0
    assert [r.getMessage() for r in caplog.records] == [
        "import_profile: HTTP 429 from altcraft.test (attempt 1); retrying in 3.00 s"
    ]
    with pytest.raises(AltcraftError):
        c._answered(call("import_profile", attempts=3), 429, httpx.Headers(), b'{"error": 429}')


def test_a_5xx_is_retried_only_when_it_is_safe() -> None:
    c = core(rng=Recorder())
    step = c._answered(call("task_status"), 503, httpx.Headers(), b'{"error": 1}')
    assert step.delay == 0.2
    with pytest.raises(ServerError):
        c._answered(call("import_profile"), 503, httpx.Headers(), b'{"error": 1}')
    with pytest.raises(BadRequest):
        c._answered(call("task_status"), 400, httpx.Headers(), b'{"error": 1}')


def test_a_success_is_logged_at_debug_with_size_format_count_and_time(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    c = core(clock=clock)
    pending = _Call("import_and_start_batch", b"12345", {}, 2, None, attempts=2, started=999.5)
    with caplog.at_level(logging.DEBUG, logger="altcraft"):
        result = c._answered(pending, 200, httpx.Headers(), b'{"error": 0, "error_text": "", "result": []}')
    assert result.result == []
    assert [r.getMessage() for r in caplog.records] == [
        "import_and_start_batch: 5 bytes (json, 2 profiles) -> HTTP 200 in 0.500 s, 2 attempt(s)"
    ]


# ---------------------------------------------------------------------------------------------- the generated client


def test_inject_adds_the_token_to_a_json_body_that_has_none() -> None:
    c = core()
    request = httpx.Request("POST", BASE + "/x", json={"a": 1}, extensions={"timeout": {"read": 1.0}})
    injected = c._inject(request)
    assert httpx.Response(200, content=injected.content).json() == {"a": 1, "token": TOKEN}
    assert injected.headers["Content-Length"] == str(len(injected.content))
    assert injected.extensions == {"timeout": {"read": 1.0}} and injected.method == "POST"
    assert injected.url == BASE + "/x"
    kept = c._inject(httpx.Request("POST", BASE + "/x", json={"token": "mine"}))
    assert httpx.Response(200, content=kept.content).json() == {"token": "mine"}
    listed = c._inject(httpx.Request("POST", BASE + "/x", json=[1]))
    assert listed.content == b"[1]"
    other = c._inject(httpx.Request("POST", BASE + "/x", content=b"a=1", headers={"content-type": "text/plain"}))
    assert other.content == b"a=1"
    empty = c._inject(httpx.Request("POST", BASE + "/x", headers={"content-type": "application/json"}))
    assert empty.content == b""


def test_inject_with_bearer_sets_the_header_and_leaves_the_body() -> None:
    c = core(auth="bearer")
    injected = c._inject(httpx.Request("POST", BASE + "/x", json={"a": 1}))
    assert injected.headers["Authorization"] == f"Bearer {TOKEN}"
    assert httpx.Response(200, content=injected.content).json() == {"a": 1}


def test_the_shared_transports_show_the_url_only() -> None:
    c = core()
    assert repr(_SharedTransport(c, httpx.Client())) == "_SharedTransport('http://altcraft.test')"
    assert repr(_AsyncSharedTransport(c, httpx.AsyncClient())) == "_AsyncSharedTransport('http://altcraft.test')"


async def test_the_async_generated_client_sends_through_the_pool_with_the_token() -> None:
    from altcraft_api.api.profiles import import_profile as gen_import_profile
    from altcraft_api.models import ImportProfileRequest

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=IMPORTED)

    async with async_client(handler) as c:
        generated = c.generated
        body = ImportProfileRequest.from_dict({**PROFILE, "token": ""})
        result = await gen_import_profile.asyncio_detailed(client=generated, body=body)
        assert result.status_code == 200
        await generated.get_async_httpx_client().aclose()  # leaves the client's own pool open
        assert (await c.import_profile(PROFILE)).profile_id == "42"
    assert httpx.Response(200, content=seen[0].content).json()["token"] == TOKEN
    assert seen[0].url == BASE + "/api/v1.1/profiles/import"


# ---------------------------------------------------------------------------------------------- whole calls


def refused_then_answered() -> Callable[[httpx.Request], httpx.Response]:
    """A connection refused, then a 429 with Retry-After: 1, then the import's answer."""
    answers: Iterator[Exception | httpx.Response] = iter(
        [httpx.ConnectError("no"), httpx.Response(429, json={"error": 429}, headers={"retry-after": "1"})]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        nxt = next(answers, None)
        if isinstance(nxt, Exception):
            raise nxt
        return nxt or httpx.Response(200, json=IMPORTED)

    return handler


def test_sync_retries_until_an_answer_comes_and_sleeps_between() -> None:
    clock = FakeClock()
    handler = refused_then_answered()
    with sync_client(handler, clock, rng=Recorder()) as c:
        assert c.import_profile(PROFILE).profile_id == "42"
    assert clock.sleeps == [0.2, 1.0]


async def test_async_retries_until_an_answer_comes_and_sleeps_between() -> None:
    clock = FakeClock()
    handler = refused_then_answered()
    async with async_client(handler, clock, rng=Recorder()) as c:
        assert (await c.import_profile(PROFILE)).profile_id == "42"
    assert clock.sleeps == [0.2, 1.0]


async def test_async_a_read_error_after_sending_a_launch_is_outcome_unknown_without_a_chain() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"dropped {TOKEN}")

    async with async_client(handler) as c:
        with pytest.raises(OutcomeUnknown) as err:
            await c.import_and_start_batch(BATCH)
    assert err.value.__context__ is None and err.value.__cause__ is None
    assert "dropped ***" in str(err.value)


async def test_async_an_answer_over_the_cap_is_refused() -> None:
    async with async_client(answer(200, b"x" * 50, "application/json"), max_answer_bytes=10) as c:
        with pytest.raises(ProtocolError) as err:
            await c.task_status("t-1")
    assert "larger than max_answer_bytes=10 (at least 50 bytes)" in str(err.value)
    assert err.value.__context__ is None


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
        task = await c.import_and_start_batch_task(BATCH)
        assert task.task_id == "t-1"
    request = seen[0]
    assert (request.method, str(request.url)) == ("POST", BASE + "/api/v1.1/workflows/import_and_start_batch_task")
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.extensions["timeout"] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    assert str(seen[1].url) == BASE + "/api/v1.1/campaigns/triggers/import_and_start_batch_task"


async def test_async_an_attempt_past_its_time_is_the_deadline() -> None:
    import asyncio

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=IMPORTED)

    c = AsyncAltcraft(BASE, TOKEN, transport=httpx.MockTransport(slow))
    started = time.monotonic()
    with pytest.raises(OutcomeUnknown) as err:
        await c.import_profile(PROFILE, timeout=0.2)
    assert time.monotonic() - started < 2
    assert "the deadline passed before the answer came" in str(err.value)
    with pytest.raises(TransportError) as status_err:
        await c.task_status("t-1", timeout=0.2)
    assert type(status_err.value) is TransportError
    assert "within the deadline (1 attempt(s))" in str(status_err.value)
    await c.aclose()


def test_sync_an_attempt_past_its_time_is_the_deadline() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(2)
        return httpx.Response(200, json=IMPORTED)

    c = Altcraft(BASE, TOKEN, transport=httpx.MockTransport(slow))
    started = time.monotonic()
    with pytest.raises(OutcomeUnknown) as err:
        c.import_profile(PROFILE, timeout=0.1)
    assert "the deadline passed before the answer came" in str(err.value)
    c.close()  # does not wait for the worker still sending
    assert time.monotonic() - started < 1.5


def test_the_sync_worker_drops_an_answer_once_the_deadline_passed() -> None:
    stop = threading.Event()
    stop.set()
    with sync_client(answer(200, IMPORTED)) as c:
        pending = c._start("import_profile", PROFILE, None, None)
        with pytest.raises(_DeadlineExceeded):
            c._exchange(pending, httpx.Timeout(1.0), _Trace(), stop)
        status, headers, content = c._exchange(pending, httpx.Timeout(1.0), _Trace(), threading.Event())
    assert status == 200 and headers["content-type"] == "application/json"
    assert httpx.Response(200, content=content).json() == IMPORTED


def test_the_sync_client_closes_its_workers_and_only_its_own_pool() -> None:
    http = httpx.Client(transport=httpx.MockTransport(answer(200, IMPORTED)))
    with Altcraft(BASE, TOKEN, http_client=http) as c:
        c.import_profile(PROFILE, timeout=5.0)
        workers = c._workers
        assert workers is not None and c._pool() is workers
    assert not http.is_closed
    with pytest.raises(RuntimeError):
        workers.submit(print)
    own = Altcraft(BASE, TOKEN, transport=httpx.MockTransport(answer(200, IMPORTED)))
    own.close()
    assert own._http.is_closed


async def test_the_async_client_closes_only_its_own_pool() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer(200, IMPORTED)))
    async with AsyncAltcraft(BASE, TOKEN, http_client=http) as c:
        assert (await c.import_profile(PROFILE)).profile_id == "42"
    assert not http.is_closed
    own = AsyncAltcraft(BASE, TOKEN, transport=httpx.MockTransport(answer(200, IMPORTED)))
    await own.aclose()
    assert own._http.is_closed
    await http.aclose()


# ---------------------------------------------------------------------------------------------- waiting


def status_sequence(*bodies: dict[str, Any]) -> tuple[Handler, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []
    answers = iter(bodies)

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(httpx.Response(200, content=request.content).json())
        return httpx.Response(200, json=next(answers, DONE))

    return handler, sent


@pytest.mark.parametrize("use_async", [False, True])
async def test_wait_polls_with_the_settings_given(use_async: bool) -> None:
    clock = FakeClock()
    handler, sent = status_sequence(RUNNING, RUNNING)
    seen: list[TaskStatus] = []
    settings: dict[str, Any] = {"timeout": 60.0, "poll_interval": 1.0, "max_interval": 8.0, "backoff": 3.0}
    if use_async:
        async with async_client(handler, clock) as ac:
            status = await ac.wait_task("t-1", **settings, jitter=False, on_progress=seen.append)
    else:
        with sync_client(handler, clock) as c:
            status = c.wait_task("t-1", **settings, jitter=False, on_progress=seen.append)
    assert status.data.status == "completed"
    assert clock.sleeps == [1.0, 3.0]
    assert [s.data.progress for s in seen] == [50, 50, 100]
    assert sent[0] == {"task_id": "t-1", "token": TOKEN}


async def test_async_handle_wait_passes_its_settings_on() -> None:
    clock = FakeClock()
    handler, _ = status_sequence(ACCEPTED, RUNNING, RUNNING, RUNNING, RUNNING)
    async with async_client(handler, clock) as c:
        handle = await c.import_and_start_batch_task(BATCH)
        assert (await handle.status()).data.progress == 50
        status = await handle.wait(poll_interval=1.0, max_interval=5.0, backoff=3.0, jitter=False)
    assert status.data.progress == 100
    assert clock.sleeps == [1.0, 3.0, 5.0]


def test_sync_handle_wait_passes_its_settings_on() -> None:
    clock = FakeClock()
    handler, _ = status_sequence(ACCEPTED, RUNNING, RUNNING, RUNNING, RUNNING)
    with sync_client(handler, clock) as c:
        handle = c.import_and_start_batch_task(BATCH)
        assert repr(handle) == "TaskHandle(task_id='t-1')"
        assert handle.accepted.task_id == "t-1"
        assert handle.status().data.progress == 50
        status = handle.wait(poll_interval=1.0, max_interval=5.0, backoff=3.0, jitter=False)
    assert status.data.progress == 100
    assert clock.sleeps == [1.0, 3.0, 5.0]


@pytest.mark.parametrize("use_async", [False, True])
async def test_wait_ends_at_its_deadline_with_the_last_status(use_async: bool) -> None:
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=RUNNING)

    with pytest.raises(TaskTimeout) as err:
        if use_async:
            async with async_client(handler, clock) as ac:
                await ac.wait_task("t-9", timeout=5.0, poll_interval=1.0, jitter=False)
        else:
            with sync_client(handler, clock) as c:
                c.wait_task("t-9", timeout=5.0, poll_interval=1.0, jitter=False)
    assert (err.value.task_id, err.value.last_status, err.value.progress) == ("t-9", "processing", 50)
    assert clock.now == pytest.approx(1005.0)


@pytest.mark.parametrize("use_async", [False, True])
async def test_wait_polls_on_through_server_errors(use_async: bool) -> None:
    clock = FakeClock()
    answers = iter([httpx.Response(502, text="bad gateway"), httpx.Response(200, json=DONE)])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers)

    if use_async:
        async with async_client(handler, clock, max_retries=0) as ac:
            status = await ac.wait_task("t-1", poll_interval=1.0, jitter=False)
    else:
        with sync_client(handler, clock, max_retries=0) as c:
            status = c.wait_task("t-1", poll_interval=1.0, jitter=False)
    assert status.data.status == "completed"
    assert clock.sleeps == [1.0]


def test_wait_refuses_an_empty_task_id_before_sending() -> None:
    with sync_client(answer(200, DONE)) as c:
        with pytest.raises(InvalidInput):
            c.wait_task("")
        with pytest.raises(InvalidInput):
            c.task_status("")


# ---------------------------------------------------------------------------------------------- _validate

SUB = "data[0].data.subscriptions[0]"
# matching 'email' searches "both profile data and subscriptions" (issue 22 case 1): either email is the item's key.
EMAIL_KEY = (
    "needs one of email, subscriptions[].email with matching 'email': the item's search key (or email at the root)"
)
POLICY = "(no page documents it, and this client refuses unknown names by policy; extra_body= sends it anyway)"
PHONE_KEY = "is required with matching 'phone': the item's search key (or phone at the root)"
CUSTOM_KEY = "is required with matching 'custom': the item's search key (or field_value at the root)"


def with_subscription(subscription: Any) -> dict[str, Any]:
    return {"trigger_id": 1, "data": [{"data": {"email": "a@b.c", "subscriptions": [subscription]}}]}


@pytest.mark.parametrize(
    ("operation", "body", "refused", "warned"),
    [
        (
            "nope",
            {},
            [
                (
                    "operation",
                    "'nope' is not one of import_and_start_batch, import_and_start_batch_task, import_profile, "
                    "task_status, workflow_import_and_start_batch_task",
                )
            ],
            [],
        ),
        ("import_profile", [1], [("body", "must be an object, not array")], []),
        ("import_profile", "x", [("body", "must be an object, not string")], []),
        ("import_profile", {}, [("db_id", "is required"), ("data", "is required")], []),
        ("import_profile", {"db_id": 1, "data": {"email": "a"}}, [], [("email", "is required")]),
        (
            "import_profile",
            {"db_id": 1, "matching": "email_phone", "data": {"_fname": "a"}},
            [],
            [("email", "is required (email or phone)")],
        ),
        ("import_and_start_batch", {"trigger_id": 1}, [], [("data", "is required (data or custom_request)")]),
        ("task_status", {"task_id": 5}, [("task_id", "must be of type string, not integer")], []),
        ("task_status", {}, [("task_id", "is required")], []),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": "one"}),
            [(f"{SUB}.resource_id", "must be of type integer, not string")],
            [],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": 1}),
            [],
            [(f"{SUB}.email", "is required")],
        ),
        ("import_and_start_batch", with_subscription({"resource_id": 1}), [], [(f"{SUB}.channel", "is required")]),
        (
            "import_and_start_batch",
            with_subscription({"channel": 5, "resource_id": 1, "email": "a"}),
            [(f"{SUB}.channel", "must be of type string, not integer")],
            [],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": 1, "email": "a", "status": 1.5}),
            [(f"{SUB}.status", "must be of type integer or string, not number")],
            [],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": "1", "email": 3}),
            [
                (f"{SUB}.resource_id", "must be of type integer, not string"),
                (f"{SUB}.email", "must be of type string, not integer"),
            ],
            [],
        ),
        (  # the channel selects the variant, though the email one would have fewer problems
            "import_and_start_batch",
            with_subscription({"channel": "sms", "resource_id": 1, "email": "a"}),
            [],
            [(f"{SUB}.phone", "is required")],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": 1, "email": ""}),
            [],
            [(f"{SUB}.email", "must not be empty")],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "push", "resource_id": 1}),
            [],
            [(f"{SUB}.provider", "is required"), (f"{SUB}.subscription_id", "is required")],
        ),
        (  # the pages show phones' type only in examples (issue 22 case 3): a warning
            "import_and_start_batch",
            {"trigger_id": 1, "data": [{"data": {"email": "a@b.c", "phones": 5}}]},
            [],
            [("data[0].data.phones", "must be of type string, not integer")],
        ),
        (
            "import_and_start_batch",
            {"trigger_id": "x", "skip_trigers": 1, "data": [{"data": {}}, {"data": {}}, 5]},
            [
                ("skip_trigers", f"is an unknown parameter; did you mean skip_triggers? {POLICY}"),
                ("data[2]", "must be of type object, not integer"),
                ("trigger_id", "must be of type integer, not string"),
                ("data[0].data", EMAIL_KEY),
                ("data[1].data", EMAIL_KEY),
            ],
            [],
        ),
        (
            "import_and_start_batch",
            {"trigger_id": 1, "matching": "phone", "data": [{"data": {"email": "a"}}, {"data": {"phone": "1"}}]},
            [],
            [
                (
                    "data[1].data.phone",
                    "is not a documented profile field; did you mean phones? (sent as a custom field)",
                ),
                (
                    "data[0].data.phones",
                    "is required with matching 'phone': the item's search key (or phone at the root)",
                ),
                (
                    "data[1].data.phones",
                    "is required with matching 'phone': the item's search key (or phone at the root)",
                ),
            ],
        ),
        (
            "import_and_start_batch",
            {"trigger_id": 1, "matching": "custom", "field_name": "CRM", "data": [{"data": {"email": "a"}}]},
            [
                (
                    "data[0].data.CRM",
                    "is required with matching 'custom': the item's search key (or field_value at the root)",
                )
            ],
            [],
        ),
    ],
)
def test_check_names_each_problem_with_its_path_and_message(
    operation: str, body: Any, refused: list[tuple[str, str]], warned: list[tuple[str, str]]
) -> None:
    refusals, warnings_ = check(operation, body)
    assert [tuple(p) for p in refusals] == refused
    assert [tuple(p) for p in warnings_] == warned


def test_one_refusal_is_raised_as_it_is_and_more_are_counted() -> None:
    one = [Problem("a", "is required")]
    with pytest.raises(InvalidInput) as err:
        raise_or_warn("import_profile", one, [])
    assert str(err.value) == "import_profile: a is required"
    assert (err.value.field, err.value.problems, err.value.operation) == ("a", tuple(one), "import_profile")
    three = [*one, Problem("b", "x"), Problem("c", "y")]
    with pytest.raises(InvalidInput) as err:
        raise_or_warn("task_status", three, [Problem("w", "z")])
    assert str(err.value) == "task_status: a is required (and 2 more problem(s); see .problems)"
    assert err.value.problems == tuple(three)
    raise_or_warn("task_status", [], [])


def test_an_assumed_rule_is_logged_and_warned(caplog: pytest.LogCaptureFixture) -> None:
    text = "import_profile: email is required (a rule openapi.yaml only assumes; not refused)"
    with caplog.at_level(logging.INFO, logger="altcraft"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raise_or_warn("import_profile", [], [Problem("email", "is required"), Problem("phone", "is required")])
        validate("import_profile", {"db_id": 1, "data": {"email": "a"}})
    assert [r.getMessage() for r in caplog.records] == [text, text.replace("email is", "phone is"), text]
    assert [(str(w.message), w.category) for w in caught] == [
        (text, AssumptionWarning),
        (text.replace("email is", "phone is"), AssumptionWarning),
        (text, AssumptionWarning),
    ]


def test_the_warning_of_an_assumed_rule_points_at_the_callers_line() -> None:
    """Deselected in mutation runs (scripts/mutation.py): mutmut's trampolines add frames inside the package."""
    with (
        sync_client(answer(200, IMPORTED)) as c,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        raise_or_warn("import_profile", [], [Problem("email", "is required")])
        validate("import_profile", {"db_id": 1, "data": {"email": "a"}})
        c.import_profile({"db_id": 1, "data": {"email": "a"}})
    assert [w.filename for w in caught] == [__file__] * 3


@pytest.fixture
def two_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """A matching mode whose items may carry either of two keys (no mode of the spec has two yet)."""
    rules = {
        **_validate._SEARCH_KEYS,
        "email": {"item": ["email", "phones"], "root": ["email", "phone"]},
        "profile_id": {"item": ["profile_id", "email"], "x-assumption": "two keys"},
    }
    monkeypatch.setattr(_validate, "_SEARCH_KEYS", rules)


@pytest.mark.usefixtures("two_keys")
def test_an_item_with_neither_of_two_keys_needs_one_of_them() -> None:
    body = {"trigger_id": 1, "data": [{"data": {"phones": "1"}}, {"data": {"_fname": "x"}}, {"data": {"email": ""}}]}
    refusals, warned = check("import_and_start_batch", body)
    need = "needs one of email, phones with matching 'email': the item's search key (or email or phone at the root)"
    assert [tuple(p) for p in refusals] == [("data[1].data", need), ("data[2].data", need)]
    assert warned == []
    assert check("import_and_start_batch", {**body, "phone": "+1"}) == ([], [])
    assumed = {**body, "matching": "profile_id"}
    refusals, warned = check("import_and_start_batch", assumed)
    need = "needs one of profile_id, email with matching 'profile_id': the item's search key"
    assert refusals == [] and [tuple(p) for p in warned] == [(f"data[{i}].data", need) for i in range(3)]


def test_a_search_key_at_the_root_or_no_rule_needs_none_in_the_items() -> None:
    items = [{"data": {"_fname": "x"}}]
    for extra in (
        {"email": "a@b.c"},
        {"matching": "custom", "field_name": "CRM", "field_value": "7"},
        {"matching": 5},
        {"custom_request": {"a": 1}},
    ):
        assert _validate._search_key_problems({"trigger_id": 1, "data": items, **extra}) == ([], []), extra
    assert _validate._search_key_rule({"data": items, "matching": "custom", "field_name": ""}) is None
    assert _validate._search_key_rule({"data": "x"}) is None
    assert _validate._search_key_rule({"data": items, "custom_request": None}) is not None
    found = _validate._search_key_rule({"data": items, "matching": "custom", "custom_request": {}, "field_name": "F"})
    assert found is not None and found[0] == "custom" and found[2] == ("F",)


def test_at_most_a_thousand_items_are_reported() -> None:
    body = {"trigger_id": 1, "data": [{"data": {"_fname": "x"}}] * 1002}
    refusals, _ = check("import_and_start_batch", body)
    assert len(refusals) == 1000
    assert refusals[-1].field == "data[999].data"


# ---------------------------------------------------------------------------------------------- more of the shells


def test_a_sync_attempt_runs_in_a_worker_only_when_it_has_a_total_bound() -> None:
    threads: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        threads.append(threading.current_thread().name)
        return httpx.Response(200, json=IMPORTED)

    with Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler), timeout=httpx.Timeout(5.0)) as c:
        c.import_profile(PROFILE)
        c.import_profile(PROFILE, timeout=5.0)
    with Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler)) as c:
        c.import_profile(PROFILE)
    assert threads[0] == threading.current_thread().name
    assert threads[1].startswith("altcraft") and threads[2].startswith("altcraft")


def test_sync_wait_is_cancelled_by_its_event_and_the_handle_passes_everything_on() -> None:
    clock = FakeClock()
    handler, _ = status_sequence(ACCEPTED, RUNNING, RUNNING, RUNNING, RUNNING)
    seen: list[TaskStatus] = []
    cancel = threading.Event()
    cancel.set()
    with sync_client(handler, clock) as c:
        handle = c.import_and_start_batch_task(BATCH)
        with pytest.raises(WaitCancelled) as err:
            handle.wait(on_progress=seen.append, cancel=cancel, poll_interval=0.01)
        assert str(err.value) == "waiting for task t-1 was cancelled"
        assert (err.value.task_id, err.value.operation) == ("t-1", "task_status")
        assert [s.data.progress for s in seen] == [50]
        assert clock.sleeps == []  # the event waited, not sleep
        with pytest.raises(TaskTimeout):
            handle.wait(timeout=2.0, poll_interval=1.0, jitter=False)
        assert clock.now == pytest.approx(1002.0)
    not_set = threading.Event()
    with sync_client(status_sequence(RUNNING)[0], FakeClock()) as c:
        assert c.wait_task("t-1", cancel=not_set, poll_interval=0.01, jitter=False).data.progress == 100


async def test_async_handle_wait_passes_timeout_and_progress_on() -> None:
    clock = FakeClock()
    handler, _ = status_sequence(ACCEPTED, RUNNING, RUNNING, RUNNING, RUNNING, RUNNING)
    seen: list[TaskStatus] = []
    async with async_client(handler, clock) as c:
        handle = await c.import_and_start_batch_task(BATCH)
        with pytest.raises(TaskTimeout) as err:
            await handle.wait(timeout=2.0, poll_interval=1.0, jitter=False, on_progress=seen.append)
    assert err.value.task_id == "t-1"
    assert clock.now == pytest.approx(1002.0)
    assert [s.data.progress for s in seen] == [50, 50]


# -- _validate's helpers, called directly: the schema preparation runs at import time and the validators are
# cached, so the tests above cannot reach them once the caches are warm.

SCHEMAS = "#/components/schemas/"


def test_a_union_of_bare_types_becomes_one_type_list() -> None:
    bare = {"anyOf": [{"type": "string"}, {"type": ["integer", "null"]}]}
    assert _validate._exclusive_any_of(bare) == {"type": ["string", "integer", "null"]}
    assert _validate._exclusive_any_of({"p": [bare]}) == {"p": [{"type": ["string", "integer", "null"]}]}
    kept_as_they_are: list[dict[str, Any]] = [
        {"anyOf": [{"type": "string"}], "title": "t"},
        {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]},
        {"anyOf": [{"type": "string"}, True]},
        {"anyOf": []},
    ]
    for kept in kept_as_they_are:
        assert _validate._exclusive_any_of(kept) == kept


def test_the_part_every_subscription_variant_shares_is_checked_once() -> None:
    variants = _validate._SCHEMAS["Subscription"]["oneOf"]
    common = {"$ref": SCHEMAS + "SubscriptionCommon"}
    own = [[p for p in resolve(v)["allOf"] if p != common] for v in variants]
    assert all(len(parts) == 1 for parts in own)
    assert _validate._shared_parts(variants) == [common]
    assert _validate._exclusive_any_of({"oneOf": variants}) == {
        "allOf": [common],
        "anyOf": [{"allOf": parts} for parts in own],
    }
    extra = {"minProperties": 1}
    assert _validate._exclusive_any_of({"allOf": [extra], "oneOf": variants, "title": "S"}) == {
        "allOf": [extra, common],
        "anyOf": [{"allOf": parts} for parts in own],
        "title": "S",
    }
    assert _validate._CHECKED_SCHEMAS["Subscription"] == _validate._exclusive_any_of(_validate._SCHEMAS["Subscription"])


def test_shared_parts_are_refs_in_every_variant_of_allofs_only() -> None:
    email, sms = {"$ref": SCHEMAS + "EmailSubscription"}, {"$ref": SCHEMAS + "SmsSubscription"}
    assert _validate._shared_parts([]) == []
    assert _validate._shared_parts([email, sms]) == [{"$ref": SCHEMAS + "SubscriptionCommon"}]
    assert _validate._shared_parts([sms, email]) == [{"$ref": SCHEMAS + "SubscriptionCommon"}]
    titled = {"title": "T", "allOf": [{"$ref": SCHEMAS + "SubscriptionCommon"}, {"type": "object"}]}
    assert _validate._shared_parts([titled, email]) == [{"$ref": SCHEMAS + "SubscriptionCommon"}]
    inline = {"allOf": [{"type": "object"}]}
    assert _validate._shared_parts([inline, inline]) == []  # only $ref members are shared
    assert _validate._shared_parts([{"allOf": [], "type": "object"}, email]) == []
    assert _validate._shared_parts([{"allOf": [{"$ref": SCHEMAS + "PhoneData"}]}, email]) == []


def test_assumed_keywords_the_node_has_join_its_all_of() -> None:
    node = {"allOf": [{"minimum": 1}], "minimum": 0, "required": ["b"]}
    node["x-assumed"] = {"minimum": 2, "required": ["a", "b"], "maximum": 3}
    assert _validate._promote_assumed(node) == {
        "allOf": [{"minimum": 1}, {"minimum": 2}],
        "minimum": 0,
        "required": ["b", "a"],
        "maximum": 3,
    }


def test_resolve_follows_pointers_with_indexes_and_escapes() -> None:
    schemas = {"S": {"oneOf": [{"a": 1}, {"$ref": SCHEMAS + "a~1b"}]}, "a~b": {}, "a/b": {"c": 3}}
    assert resolve({"$ref": SCHEMAS + "S/oneOf/1"}, schemas) == {"c": 3}
    assert resolve({"$ref": SCHEMAS + "S/oneOf/0"}, schemas) == {"a": 1}
    assert resolve([1], schemas) == [1]


def test_schema_at_walks_maps_and_lists_by_string_parts() -> None:
    root = {"a": [{"b": 1}, {"b": 2}]}
    assert _validate._schema_at(["a", "1", "b"], root) == 2
    assert _validate._schema_at(["a", 0], root) == {"b": 1}


def test_known_parameters_come_from_properties_combinators_and_conditionals() -> None:
    schemas: dict[str, Any] = {"T": {"properties": {"t": {}}}, "E": {"properties": {"e": {}}}}
    node = {
        "properties": {"p": {}},
        "anyOf": [{"required": ["p"]}, {"properties": {"q": {}}}],
        "if": {"properties": {"i": {}}},
        "then": {"$ref": SCHEMAS + "T"},
        "else": {"$ref": SCHEMAS + "E"},
    }
    assert _validate._properties(node, schemas, set()) == {"p", "q", "t", "e"}
    assert _validate._properties({"required": ["x"]}, schemas, set()) == set()


def test_the_document_of_a_schema_refers_to_it_by_name() -> None:
    assert _validate._document({"X": {}}, "X") == {"$ref": SCHEMAS + "X", "components": {"schemas": {"X": {}}}}


def test_the_search_key_schema_takes_any_of_the_candidates() -> None:
    empty: dict[str, Any] = {"not": {"enum": [None, "", [], {}]}}
    one = {"required": ["a"], "properties": {"a": empty}}
    two = {"required": ["b"], "properties": {"b": empty}}

    def wrap(data: Any) -> Any:
        return {"properties": {"data": {"items": {"properties": {"data": data}}}}}

    assert _validate._search_key_schema(("a",)) == wrap(one)
    assert _validate._search_key_schema(("a", "b")) == wrap({"anyOf": [one, two]})


def test_present_means_neither_null_nor_empty() -> None:
    assert [_validate._present(v) for v in (None, "", [], {}, "a", 0, [0], {"a": 1}, False)] == [
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        True,
        True,
    ]


def test_admits_by_consts_or_by_exclusion() -> None:
    absent = _validate._ABSENT
    assert _validate._admits(None, "x") and _validate._admits(None, absent)
    const = (frozenset({"email"}), False)
    assert [_validate._admits(const, v) for v in ("email", "sms", absent)] == [True, False, False]
    others = (frozenset({"email"}), True)
    assert [_validate._admits(others, v) for v in ("email", "sms", absent)] == [False, True, True]


def test_tags_read_consts_from_required_properties_and_exclusions() -> None:
    assert _validate._tags({"properties": {"c": {"const": "x"}}, "required": ["c"]}, "c") == (frozenset({"x"}), False)
    assert _validate._tags({"properties": {"c": {"const": "x"}}}, "c") is None  # not required: any value
    assert _validate._tags({"allOf": [True, {"properties": {"c": {"not": {"enum": ["x"]}}}}]}, "c") == (
        frozenset({"x"}),
        True,
    )


def test_exclusive_property_looks_in_all_of_parts_and_tries_every_candidate() -> None:
    def const(prop: str, value: str, *extra: str) -> dict[str, Any]:
        props = {prop: {"const": value}, **{e: {} for e in extra}}
        return {"allOf": [{"properties": props, "required": [prop]}]}

    # "a" sorts first and is not exclusive (the same const twice); "b" is.
    variants = [const("b", "1", "a"), const("b", "2", "a")]
    variants[0]["allOf"].append({"properties": {"a": {"const": "z"}}, "required": ["a"]})
    variants[1]["allOf"].append({"properties": {"a": {"const": "z"}}, "required": ["a"]})
    assert _validate.exclusive_property(variants) == "b"
    assert _validate.exclusive_property([]) is None
    multi = {"properties": {"c": {"enum": ["x", "y"]}}, "required": ["c"]}
    assert _validate.exclusive_property([const("c", "x"), multi]) is None
    first_plain = [{"properties": {"d": {"const": "1"}}, "required": ["d"]}, const("d", "2")]
    assert _validate.exclusive_property(first_plain) == "d"
    in_part = [
        {"allOf": [{"type": "object"}, {"properties": {"e": {"const": "1"}}, "required": ["e"]}]},
        const("e", "2"),
    ]
    assert _validate.exclusive_property(in_part) == "e"


class Type:
    """A Type error kind without a types list (jsonschema-rs always gives one; _problem copes anyway)."""


def test_a_type_error_without_types_says_what_the_value_must_not_be() -> None:
    error = SimpleNamespace(kind=Type(), instance_path=["a", 1], instance=5, message="m")
    assert _validate._problem(error) == Problem("a[1]", "must not be of type integer")
    error.instance_path = []
    error.instance = "s"
    assert _validate._problem(error) == Problem("body", "must not be of type string")


def test_at_most_a_thousand_schema_problems_are_reported() -> None:
    refusals, _ = check("import_and_start_batch", {"trigger_id": 1, "data": [5] * 1002})
    assert len(refusals) == 1000
    assert refusals[-1] == Problem("data[999]", "must be of type object, not integer")


def test_validate_takes_a_model_and_names_the_operation() -> None:
    from altcraft_api.models import TaskStatusRequest

    validate("task_status", TaskStatusRequest(task_id="t"))
    with pytest.raises(InvalidInput) as err:
        validate("task_status", {"task_id": 5})
    assert str(err.value) == "task_status: task_id must be of type string, not integer"
    assert err.value.operation == "task_status"


def test_the_search_key_rule_of_an_unknown_or_unhashable_mode_is_none() -> None:
    items: list[Any] = [{"data": {}}]
    assert _validate._search_key_rule({"matching": ["email"], "data": items}) is None
    assert _validate._search_key_rule({"matching": "no_such_mode", "data": items}) is None
    assert _validate._search_key_rule({"data": items, "email": ""}) == (
        "email",
        _validate._SEARCH_KEYS["email"],
        ("email", "subscriptions[].email"),
    )


def test_a_union_under_a_property_whose_name_needs_escaping_is_narrowed(monkeypatch: pytest.MonkeyPatch) -> None:
    union = {"anyOf": [{"type": "string", "minLength": 2}, {"type": "integer", "minimum": 5}]}
    schemas = {**_validate._CHECKED_SCHEMAS, "KillsEscapes": {"type": "object", "properties": {"x/y~z": union}}}
    monkeypatch.setattr(_validate, "_CHECKED_SCHEMAS", schemas)
    problems = _validate._schema_problems("KillsEscapes", {"x/y~z": 3}, assumed=False)
    assert problems == [Problem("x/y~z", "must be of type string, not integer")]


# ---------------------------------------------------------------------------------------------- documented defaults

QUEUED = {"error": 0, "error_text": "ok", "data": {"status": "processing", "progress": 0}}


@pytest.mark.parametrize("cls", [Altcraft, AsyncAltcraft])
def test_the_documented_client_defaults(cls: type[Altcraft] | type[AsyncAltcraft]) -> None:
    c = cls(BASE, TOKEN)
    assert (c.auth, c.format, c.validate, c.max_retries, c.max_answer_bytes) == ("body", "json", True, 2, 16 << 20)
    assert (c._timeout, c._attempt_total) == (httpx.Timeout(30.0), 30.0)


class Midpoint(random.Random):
    """Jitter at the middle of its range (tells the jittered schedule from the plain one)."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2


async def waited(how: str, handler: Handler, clock: FakeClock) -> TaskStatus:
    """``wait_task`` or a handle's ``wait``, sync or async, all with their default settings."""
    if how.startswith("async"):
        async with async_client(handler, clock, rng=Midpoint()) as ac:
            if how == "async handle":
                status = await AsyncTaskHandle(ac, TaskAccepted(error=0, error_text="", task_id="t-1")).wait()
            else:
                status = await ac.wait_task("t-1")
        return status
    with sync_client(handler, clock, rng=Midpoint()) as c:
        if how == "handle":
            return TaskHandle(c, TaskAccepted(error=0, error_text="", task_id="t-1")).wait()
        return c.wait_task("t-1")


WAYS = ["wait_task", "handle", "async wait_task", "async handle"]


@pytest.mark.parametrize("how", WAYS)
async def test_waiting_by_default_backs_off_from_half_a_second_to_ten_with_jitter(how: str) -> None:
    clock = FakeClock()
    handler, _ = status_sequence(*[QUEUED] * 6)
    assert (await waited(how, handler, clock)).data.progress == 100
    assert clock.sleeps == [0.5, 0.75, 1.25, 2.25, 4.25, 5.25]  # the middle of 0.5 .. min(10, 0.5 * 2**n)


@pytest.mark.parametrize("how", WAYS)
async def test_waiting_by_default_ends_after_600_seconds(how: str) -> None:
    clock = FakeClock()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=QUEUED)

    with pytest.raises(TaskTimeout) as err:
        await waited(how, handler, clock)
    assert "did not finish within 600 s" in str(err.value)
    assert clock.now == pytest.approx(1600.0)


def test_a_validated_body_may_hold_any_mapping_and_tuples() -> None:
    from types import MappingProxyType

    c = core()
    body = {"db_id": 1, "email": "a@b.c", "data": MappingProxyType({"email": "a@b.c", "phones": ("1", "2")})}
    content, _, _ = c._build("import_profile", body, None)
    sent = httpx.Response(200, content=content).json()
    assert sent["data"] == {"email": "a@b.c", "phones": ["1", "2"]}


def test_exclusive_property_of_one_variant_of_direct_properties_and_of_a_one_value_exclusion() -> None:
    tag = {"properties": {"c": {"const": "x"}}, "required": ["c"]}
    assert _validate.exclusive_property([tag]) == "c"
    direct = {**tag, "allOf": [{"properties": {"z": {}}}]}
    assert _validate.exclusive_property([direct, {"properties": {"c": {"const": "y"}}, "required": ["c"]}]) == "c"
    assert _validate.exclusive_property([tag, {"properties": {"c": {"not": {"enum": ["x"]}}}}]) == "c"


def test_a_failed_one_of_is_narrowed_too_and_each_variant_reports_at_most_a_thousand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_of = {"oneOf": [{"type": "string", "minLength": 2}, {"type": "integer", "minimum": 5}]}
    many = {"anyOf": [{"items": {"type": "string"}}, {"items": {"type": "integer"}, "minItems": 5000}]}
    schemas = {
        **_validate._CHECKED_SCHEMAS,
        "KillsOneOf": {"type": "object", "properties": {"o": one_of, "m": many}},
    }
    monkeypatch.setattr(_validate, "_CHECKED_SCHEMAS", schemas)
    assert _validate._schema_problems("KillsOneOf", {"o": 3}, assumed=False) == [
        Problem("o", "must be of type string, not integer")
    ]
    problems = _validate._schema_problems("KillsOneOf", {"m": [1.5] * 1002}, assumed=False)
    assert len(problems) == 1000
    assert problems[0] == Problem("m[0]", "must be of type string, not number")


def test_every_form_of_the_token_is_redacted_whole_the_longest_first() -> None:
    def redacted(token: str, text: str) -> str:
        return core(token, timeout=1.0, max_retries=0, max_answer_bytes=10, rng=None)._redact(text)

    assert redacted("tok\\", "a tok\\\\ b tok\\ c") == "a *** b *** c"  # JSON-escaped: one backslash more
    assert redacted('t<"k', 'a t&lt;"k b t<\\"k c t<"k d') == "a *** b *** c *** d"


# ---------------------------------------------------------------------------------------------- _polling


def poller(clock: FakeClock, timeout: float = 10.0) -> Poller:
    return Poller("t-1", PollSettings(timeout, 1.0, 4.0, 2.0, False), clock, random.Random(0), None)


def test_a_transient_status_failure_is_logged_and_an_answer_clears_it(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    waiting = poller(clock)
    with caplog.at_level(logging.INFO, logger="altcraft"):
        waiting.failed(ServerError("task_status: boom", http_status=502))
    assert [r.getMessage() for r in caplog.records] == ["task t-1: status request failed (ServerError); polling on"]
    assert waiting.timeout_error().last_error == "task_status: boom"
    waiting.observe(TaskStatus.from_dict(RUNNING))
    assert waiting.timeout_error().last_error is None


def test_no_delay_is_given_at_the_deadline() -> None:
    clock = FakeClock()
    waiting = poller(clock, timeout=3.0)
    assert waiting.next_delay() == 1.0
    clock.now = 1003.0
    with pytest.raises(TaskTimeout):
        waiting.next_delay()


def test_more_union_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    alternatives = {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}
    schemas = {
        **_validate._CHECKED_SCHEMAS,
        "KillsUnions": {
            "type": "object",
            "properties": {
                "n": {"properties": {"q": alternatives}},
                "one": {"anyOf": [{"required": ["a"]}]},
                "k~1": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "z": {"type": "string"},
            },
        },
    }
    monkeypatch.setattr(_validate, "_CHECKED_SCHEMAS", schemas)
    problems = _validate._schema_problems

    assert problems("KillsUnions", {"n": {"q": {}}}, assumed=False) == [Problem("n.q.a", "is required (a or b)")]
    assert problems("KillsUnions", {"one": {}}, assumed=False) == [Problem("one.a", "is required")]
    assert problems("KillsUnions", {"k~1": 1.5}, assumed=False) == [
        Problem("k~1", "must be of type string, not number")
    ]
    both = problems("KillsUnions", {"n": {"q": {}}, "z": 1}, assumed=False)
    assert sorted(both) == [
        Problem("n.q.a", "is required (a or b)"),
        Problem("z", "must be of type string, not integer"),
    ]


def test_a_subscription_that_is_not_an_object() -> None:
    refusals, warned = check("import_and_start_batch", with_subscription(5))
    assert set(refusals) == {Problem(SUB, "must be of type object, not integer")} and warned == []


def test_two_refusals_mention_the_one_more() -> None:
    with pytest.raises(InvalidInput) as err:
        raise_or_warn("import_profile", [Problem("a", "x"), Problem("b", "y")], [])
    assert str(err.value) == "import_profile: a x (and 1 more problem(s); see .problems)"


def test_a_mode_with_a_root_key_only_needs_nothing_in_the_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_validate, "_SEARCH_KEYS", {**_validate._SEARCH_KEYS, "email_profile": {"root": ["email"]}})
    body = {"trigger_id": 1, "matching": "email_profile", "data": [{"data": {"_fname": "x"}}]}
    assert _validate._search_key_rule(body) is None
    assert check("import_and_start_batch", body) == ([], [])


def test_an_unknown_parameter_like_no_documented_one_points_at_extra_body() -> None:
    refusals, _ = check("task_status", {"task_id": "t", "zzzqqq": 1})
    assert refusals == [Problem("zzzqqq", f"is an unknown parameter {POLICY}")]


# ---------------------------------------------------------------------------------------------- each operation


def operations(c: Altcraft | AsyncAltcraft) -> list[tuple[str, Callable[..., Any], Any]]:
    workflow = {"workflow_id": 3, "data": [{"data": {"email": "b@example.com"}}]}
    return [
        ("import_profile", c.import_profile, PROFILE),
        ("import_and_start_batch", c.import_and_start_batch, BATCH),
        ("import_and_start_batch_task", c.import_and_start_batch_task, BATCH),
        ("workflow_import_and_start_batch_task", c.workflow_import_and_start_batch_task, workflow),
    ]


ANSWERS = {
    "/api/v1.1/profiles/import": IMPORTED,
    "/api/v1.1/campaigns/triggers/import_and_start_batch": {"error": 0, "error_text": "ok", "result": []},
    "/api/v1.1/campaigns/triggers/import_and_start_batch_task": ACCEPTED,
    "/api/v1.1/workflows/import_and_start_batch_task": ACCEPTED,
    "/api/v1.1/tasks/status": DONE,
}


def passed_on(name: str, answer: Any, sent: list[httpx.Request], c: Any, handle: type) -> None:
    """The operation's request carried its extra_body to its path; a task answer is a handle on ``c``."""
    assert httpx.Response(200, content=sent[-1].content).json()["x_new"] == 1, name
    assert sent[-1].url.path == OPERATIONS_PATHS[name]
    if name.endswith("_task"):
        assert isinstance(answer, handle) and answer.accepted.task_id == "t-1"
        assert answer._client is c
    sent.clear()


def by_path(sent: list[httpx.Request]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=ANSWERS[request.url.path])

    return handler


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


OPERATIONS_PATHS = {
    "import_profile": "/api/v1.1/profiles/import",
    "import_and_start_batch": "/api/v1.1/campaigns/triggers/import_and_start_batch",
    "import_and_start_batch_task": "/api/v1.1/campaigns/triggers/import_and_start_batch_task",
    "workflow_import_and_start_batch_task": "/api/v1.1/workflows/import_and_start_batch_task",
}


def test_inject_leaves_a_request_without_a_content_type() -> None:
    request = httpx.Request("POST", BASE + "/x")
    assert core()._inject(request).content == b""


@pytest.mark.parametrize("use_async", [False, True])
async def test_the_generated_clients_see_the_answers_headers(use_async: bool) -> None:
    from altcraft_api.api.tasks import task_status as gen_task_status

    sent: list[httpx.Request] = []
    body = TaskStatusRequest(task_id="t-1", token="")
    if use_async:
        async with async_client(by_path(sent)) as ac:
            result = await gen_task_status.asyncio_detailed(client=ac.generated, body=body)
    else:
        with sync_client(by_path(sent)) as c:
            result = gen_task_status.sync_detailed(client=c.generated, body=body)
    assert result.status_code == 200 and result.headers["content-type"] == "application/json"
    assert httpx.Response(200, content=sent[0].content).json()["token"] == TOKEN


def test_a_declared_xml_answer_is_read_as_xml_whatever_it_starts_with() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, b"oops", "application/xml")
    assert str(err.value) == (
        "import_profile: the answer (HTTP 200, application/xml) is not readable: malformed XML: "
        "Start tag expected, '<' not found, line 1, column 1 (<string>, line 1)"
    )
    with pytest.raises(ProtocolError) as err:
        parse(200, b"oops", "text/plain; charset=x; q=1")
    assert str(err.value).startswith("import_profile: the answer (HTTP 200, text/plain) is not readable: unexpected")


@pytest.fixture
def unreachable_port() -> Iterator[int]:
    """A loopback port whose listen backlog is full: a connect starts (httpcore reports it) and never ends."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    probe = socket.socket()
    probe.settimeout(0.3)
    try:
        probe.connect(("127.0.0.1", port))
        connected = True
    except OSError:
        connected = False
    finally:
        probe.close()
    try:
        if connected:
            pytest.skip("this system completes connects beyond a full backlog")
        yield port
    finally:
        for s in [*fillers, server]:
            s.close()


def test_sync_a_deadline_during_connect_is_known_not_sent(unreachable_port: int) -> None:
    with Altcraft(f"http://127.0.0.1:{unreachable_port}", TOKEN) as c, pytest.raises(TransportError) as err:
        c.import_profile(PROFILE, timeout=0.3)
    assert type(err.value) is TransportError  # the trace showed no request headers went out
    assert str(err.value) == "import_profile: no answer from 127.0.0.1 within the deadline (1 attempt(s))"


def _connect_times_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout("timed out", request=request)


def test_a_connect_timeout_that_is_the_deadline_is_the_deadline() -> None:
    """httpx's connect timer and the client's own wait race at the deadline (this failed under load): a
    timeout of an attempt that had only the deadline's remaining time is the deadline passing, never a
    failed connection that is retried and reported as "could not reach"."""
    with sync_client(_connect_times_out) as c, pytest.raises(TransportError) as err:
        c.import_profile(PROFILE, timeout=0.3)
    assert type(err.value) is TransportError
    assert str(err.value) == "import_profile: no answer from altcraft.test within the deadline (1 attempt(s))"


async def test_async_a_connect_timeout_that_is_the_deadline_is_the_deadline() -> None:
    async with async_client(_connect_times_out) as c:
        with pytest.raises(TransportError) as err:
            await c.import_profile(PROFILE, timeout=0.3)
    assert type(err.value) is TransportError
    assert str(err.value) == "import_profile: no answer from altcraft.test within the deadline (1 attempt(s))"


def test_a_connect_timeout_shorter_than_the_deadline_is_retried() -> None:
    with sync_client(_connect_times_out, timeout=httpx.Timeout(0.05)) as c, pytest.raises(TransportError) as err:
        c.import_profile(PROFILE, timeout=30)
    assert str(err.value).startswith("import_profile: could not reach altcraft.test after ")
    assert "after 1 attempt(s)" not in str(err.value)


async def test_async_a_deadline_during_connect_is_known_not_sent(unreachable_port: int) -> None:
    async with AsyncAltcraft(f"http://127.0.0.1:{unreachable_port}", TOKEN) as c:
        with pytest.raises(TransportError) as err:
            await c.import_profile(PROFILE, timeout=0.3)
    assert type(err.value) is TransportError
    assert str(err.value) == "import_profile: no answer from 127.0.0.1 within the deadline (1 attempt(s))"


async def test_async_an_endless_answer_is_read_only_up_to_the_cap() -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(1000):
            pulled += 1
            yield b"12345678"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless(), headers={"content-type": "application/json"})

    async with async_client(handler, max_answer_bytes=20) as c:
        with pytest.raises(ProtocolError) as err:
            await c.task_status("t-1")
    assert "larger than max_answer_bytes=20 (at least 24 bytes)" in str(err.value)
    assert pulled < 10


def test_a_400_without_an_error_field_is_a_bad_request() -> None:
    with pytest.raises(BadRequest) as err:
        parse(400, b'{"error_text": "bad"}')
    assert (err.value.code, err.value.error_text, err.value.http_status) == (None, "bad", 400)


@pytest.fixture
def loopback_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering every POST with a completed task status."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            body = httpx.Response(200, json=DONE).content
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("use_async", [False, True])
async def test_the_generated_functions_read_answers_over_a_real_connection(
    use_async: bool, loopback_server: str
) -> None:
    from altcraft_api.api.tasks import task_status as gen_task_status

    body = TaskStatusRequest(task_id="t-1")
    if use_async:
        async with AsyncAltcraft(loopback_server, TOKEN) as ac:
            result = await gen_task_status.asyncio_detailed(client=ac.generated, body=body)
    else:
        with Altcraft(loopback_server, TOKEN) as c:
            result = gen_task_status.sync_detailed(client=c.generated, body=body)
    assert result.status_code == 200
    assert isinstance(result.parsed, TaskStatus) and result.parsed.data.status == "completed"


def test_sync_each_attempt_gets_the_clients_phases_or_the_time_left() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=IMPORTED)

    with sync_client(handler, timeout=httpx.Timeout(4.0)) as c:
        c.import_profile(PROFILE)  # no deadline: in the calling thread, with the client's phases
        c.import_profile(PROFILE, timeout=2.5)  # in a worker, bounded by the time left
    assert seen[0].extensions["timeout"] == {"connect": 4.0, "read": 4.0, "write": 4.0, "pool": 4.0}
    assert seen[1].extensions["timeout"] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}


def test_sync_an_answer_over_the_cap_names_its_size() -> None:
    client = sync_client(answer(200, b"x" * 50, "application/json"), max_answer_bytes=10)
    with client, pytest.raises(ProtocolError) as err:
        client.task_status("t-1")
    assert "larger than max_answer_bytes=10 (at least 50 bytes)" in str(err.value)


def test_bearer_drops_a_token_the_body_carries() -> None:
    content, headers, _ = core(auth="bearer")._build("import_profile", {**PROFILE, "token": "other"}, None)
    assert "token" not in httpx.Response(200, content=content).json()
    assert headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_refused_body_names_the_operation() -> None:
    with pytest.raises(InvalidInput) as err:
        core()._build("import_profile", {"db_id": 1}, None)
    assert str(err.value) == "import_profile: data is required"
    assert err.value.operation == "import_profile"


def test_a_key_json_cannot_carry_is_refused_naming_the_body() -> None:
    with pytest.raises(InvalidInput) as err:
        core(validate=False)._build("import_profile", {**PROFILE, "data": {1: "x"}}, None)
    assert str(err.value) == "import_profile: body: Dict key must be str"
    assert (err.value.field, err.value.operation) == ("body", "import_profile")


def test_a_batch_call_logs_its_profile_count(caplog: pytest.LogCaptureFixture) -> None:
    with sync_client(by_path([])) as c, caplog.at_level(logging.DEBUG, logger="altcraft"):
        c.import_and_start_batch(BATCH)
    assert any("(json, 2 profiles) -> HTTP 200" in r.getMessage() for r in caplog.records)


def test_only_trailing_slashes_are_cut_off_the_base_url() -> None:
    c = Altcraft("http://altcraft.test/apiX/", TOKEN)
    assert c.base_url == "http://altcraft.test/apiX"
    c.close()


def test_a_non_ascii_token_is_redacted_in_its_orjson_and_json_forms() -> None:
    c = core('é"k', timeout=1.0, max_retries=0, max_answer_bytes=10, rng=None)
    assert c._redact('a é\\"k b') == "a *** b"  # orjson keeps é, escapes the quote
    assert c._redact('a \\u00e9\\"k b') == "a *** b"  # json.dumps escapes both
    assert c._redact('a é"k b') == "a *** b"


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
