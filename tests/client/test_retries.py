"""The client's retry rules, all of them: what is retried (a failure before the request was sent; task_status
after sending too; a 429; a 5xx only where a repeat is safe), what never is (a launch once sent, a deadline
passed), how long it waits (the backoff, Retry-After up to 60 s and never past the deadline), how many times,
and what it raises when it gives up."""

from __future__ import annotations

import email.utils
import logging
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from altcraft import (
    Altcraft,
    AltcraftError,
    BadRequest,
    OutcomeUnknown,
    ServerError,
    TransportError,
)
from altcraft._answers import retry_after
from altcraft._concurrency import DeadlineExceeded
from altcraft._protocol import Trace
from altcraft_mock import MockApp, MockConfig, create_app, transport

from ..conftest import BASE, TOKEN, FakeClock
from .fakes import (
    BATCH,
    IMPORTED,
    NAMED_PROFILE,
    PROFILE,
    TWO_PROFILE_BATCH,
    Recorder,
    Scripted,
    async_client,
    call,
    connect_times_out,
    core,
    parse,
    sync_client,
)

# -- the rules, step by step ---------------------------------------------------------------------------------


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


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after(None) is None
    assert retry_after("") is None
    assert retry_after("2.5") == 2.5
    assert retry_after("-3") == 0.0
    assert retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 100, usegmt=True)
    assert 95 < (retry_after(later) or 0) <= 100
    earlier = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert retry_after(earlier) == 0.0


def test_was_sent_follows_the_trace_and_the_kind_of_error() -> None:
    trace = Trace()
    assert trace.was_sent(DeadlineExceeded())  # a transport that reports nothing: assume it was sent
    assert not trace.was_sent(httpx.ConnectError("x"))
    assert not trace.was_sent(httpx.ConnectTimeout("x"))
    assert not trace.was_sent(httpx.PoolTimeout("x"))
    assert not trace.was_sent(httpx.UnsupportedProtocol("x"))
    assert trace.was_sent(httpx.ReadTimeout("x"))
    trace.trace("connection.connect_tcp.started", {})
    assert trace.events and not trace.was_sent(DeadlineExceeded())
    trace.trace("http11.send_request_headers.started", {})
    assert trace.was_sent(DeadlineExceeded())


async def test_the_async_trace_records_the_same() -> None:
    trace = Trace()
    await trace.atrace("http11.send_request_headers.started", {})
    assert trace.events and trace.sent.is_set()


def test_a_failure_before_sending_is_retried_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    c = core(rng=Recorder())
    with caplog.at_level(logging.INFO, logger="altcraft"):
        step = c._failed(call("import_and_start_batch"), httpx.ConnectError(f"refused {TOKEN}"), Trace())
    assert step.delay == 0.2
    assert [r.getMessage() for r in caplog.records] == [
        "import_and_start_batch: ConnectError: refused *** from altcraft.test (attempt 1); retrying in 0.20 s"
    ]


def test_a_failure_before_sending_without_retries_left_is_a_transport_error() -> None:
    c = core(max_retries=0)
    with pytest.raises(TransportError) as err:
        c._failed(call("import_profile"), httpx.ConnectError(""), Trace())
    assert type(err.value) is TransportError
    assert str(err.value) == (
        "import_profile: could not reach altcraft.test after 1 attempt(s): ConnectError: no detail"
    )
    assert err.value.operation == "import_profile"


def test_a_failure_after_sending_a_launch_is_outcome_unknown_at_once() -> None:
    c = core()
    with pytest.raises(OutcomeUnknown) as err:
        c._failed(call("import_profile"), httpx.ReadError(f"reset {TOKEN}"), Trace())
    assert "(ReadError: reset ***)" in str(err.value) and TOKEN not in str(err.value)
    assert err.value.operation == "import_profile"
    # It says what this operation may have done: one profile imported, no trigger.
    assert "Altcraft may have imported the profile; it was not retried" in str(err.value)
    assert str(err.value).endswith("because a repeat could import it twice")
    assert "trigger" not in str(err.value)
    with pytest.raises(OutcomeUnknown) as err:
        c._failed(call("workflow_import_and_start_batch_task"), httpx.ReadError("reset"), Trace())
    assert "may have imported the profiles and launched the trigger or workflow; it was not" in str(err.value)
    assert str(err.value).endswith("because a repeat could launch it twice")


def test_task_status_is_retried_after_sending_and_then_gives_up_with_a_transport_error() -> None:
    c = core(max_retries=1, rng=Recorder())
    assert c._failed(call("task_status", attempts=1), httpx.ReadError("x"), Trace()).delay == 0.2
    with pytest.raises(TransportError) as err:
        c._failed(call("task_status", attempts=2), httpx.ReadError("x"), Trace())
    assert type(err.value) is TransportError
    assert str(err.value) == "task_status: could not reach altcraft.test after 2 attempt(s): ReadError: x"


def test_a_deadline_during_an_attempt_is_never_retried() -> None:
    c = core()
    with pytest.raises(TransportError) as err:
        c._failed(call("task_status", attempts=1), DeadlineExceeded(), Trace())
    assert str(err.value) == "task_status: no answer from altcraft.test within the deadline (1 attempt(s))"
    with pytest.raises(OutcomeUnknown):
        c._failed(call("import_profile", attempts=1), DeadlineExceeded(), Trace())


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


def test_a_5xx_envelope_is_retry_safe_only_for_task_status() -> None:
    with pytest.raises(ServerError) as err:
        parse(200, b'{"error": 500, "error_text": "x"}', operation="task_status")
    assert err.value.retry_safe
    with pytest.raises(ServerError) as err:
        parse(503, b'{"error": 1, "error_text": "x"}')
    assert not err.value.retry_safe


# -- whole calls ---------------------------------------------------------------------------------------------


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
            await c.import_and_start_batch(TWO_PROFILE_BATCH)
    assert err.value.__context__ is None and err.value.__cause__ is None
    assert "dropped ***" in str(err.value)


def test_a_connect_timeout_shorter_than_the_deadline_is_retried() -> None:
    with sync_client(connect_times_out, timeout=httpx.Timeout(0.05)) as c, pytest.raises(TransportError) as err:
        c.import_profile(PROFILE, timeout=30)
    assert str(err.value).startswith("import_profile: could not reach altcraft.test after ")
    assert "after 1 attempt(s)" not in str(err.value)


# -- against the emulator ------------------------------------------------------------------------------------


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


@pytest.mark.parametrize("op", ["import_profile", "import_and_start_batch", "import_and_start_batch_task"])
def test_no_operation_that_imports_is_repeated_after_it_was_sent(app: MockApp, op: str) -> None:
    body = PROFILE if op == "import_profile" else BATCH
    recorder = Scripted(app, [httpx.ReadTimeout("read timed out")])
    with Altcraft(BASE, TOKEN, transport=recorder) as client, pytest.raises(OutcomeUnknown):
        client.request(op, body)  # type: ignore[arg-type]
    assert recorder.calls == 1


def test_drop_rate_on_a_launch_is_outcome_unknown_and_not_repeated() -> None:
    app = create_app(MockConfig(drop_rate=1.0, seed=2))
    with Altcraft(BASE, TOKEN, transport=transport(app)) as c, pytest.raises(OutcomeUnknown):
        c.import_and_start_batch(BATCH)
    assert len(app.state.trigger_launches) == 1  # processed once, never twice


def test_task_status_is_retried_on_read_errors_and_5xx(app: MockApp, clock: FakeClock) -> None:
    task_id = Altcraft(BASE, TOKEN, transport=transport(app)).import_and_start_batch_task(BATCH).task_id
    flaky = Flaky(app, [httpx.ReadTimeout, httpx.RemoteProtocolError])
    with Altcraft(BASE, TOKEN, transport=flaky, sleep=clock.sleep) as c:
        assert c.task_status(task_id).data.status in ("queued", "processing")
    assert flaky.calls == 3


def test_server_error_after_launch_says_it_was_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503, json={"error": 503, "error_text": "busy"})

    with Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler)) as c, pytest.raises(ServerError) as err:
        c.import_and_start_batch(BATCH)
    assert len(calls) == 1 and not err.value.retry_safe
    assert "not retried automatically" in str(err.value)


def test_a_5xx_launch_is_not_retried_even_with_retry_after(app: MockApp, clock: FakeClock) -> None:
    busy = httpx.Response(503, json={"error": 503, "error_text": "busy"}, headers={"Retry-After": "1"})
    recorder = Scripted(app, [busy])
    client = Altcraft(BASE, TOKEN, transport=recorder, clock=clock, sleep=clock.sleep)
    with client, pytest.raises(ServerError):
        client.import_and_start_batch(BATCH)
    assert recorder.calls == 1


def test_429_is_retried_after_retry_after_for_every_operation(app: MockApp, clock: FakeClock) -> None:
    busy = httpx.Response(429, json={"error": 429, "error_text": "Too many requests"}, headers={"Retry-After": "7"})
    recorder = Scripted(app, [busy])
    with Altcraft(BASE, TOKEN, transport=recorder, clock=clock, sleep=clock.sleep) as client:
        assert client.import_and_start_batch(BATCH).error == 0
    assert recorder.calls == 2 and clock.sleeps == [7.0]
    assert len(app.state.trigger_launches) == 1


def test_retry_after_never_goes_past_the_deadline(app: MockApp, clock: FakeClock) -> None:
    busy = httpx.Response(429, json={"error": 429, "error_text": "Too many"}, headers={"Retry-After": "50"})
    client = Altcraft(BASE, TOKEN, transport=Scripted(app, [busy]), clock=clock, sleep=clock.sleep)
    with client, pytest.raises(AltcraftError) as err:
        client.import_profile(PROFILE, timeout=10)
    assert err.value.http_status == 429 and clock.sleeps == []


def test_retries_give_up_with_a_transport_error(app: MockApp, clock: FakeClock) -> None:
    flaky = Flaky(app, [httpx.ConnectError] * 5)
    with (
        Altcraft(BASE, TOKEN, transport=flaky, sleep=clock.sleep, max_retries=2) as c,
        pytest.raises(TransportError) as err,
    ):
        c.import_profile(NAMED_PROFILE)
    assert flaky.calls == 3 and not isinstance(err.value, OutcomeUnknown)


def test_transport_errors_name_the_host_and_the_attempts(clock: FakeClock) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: connection refused
    client = Altcraft(f"http://127.0.0.1:{port}", TOKEN, max_retries=2, sleep=clock.sleep)
    with client, pytest.raises(TransportError) as err:
        client.import_profile(PROFILE)
    assert "127.0.0.1" in str(err.value) and "3 attempt(s)" in str(err.value)
    assert not isinstance(err.value, OutcomeUnknown)


def test_an_error_answer_carries_its_retry_after(app: MockApp, clock: FakeClock) -> None:
    """The Retry-After of the answer that ended the call travels on the exception (the bulk import pauses
    its sends by it); an answer without one gives None."""
    busy = httpx.Response(503, json={"error": 503, "error_text": "busy"}, headers={"Retry-After": "4"})
    with (
        Altcraft(BASE, TOKEN, transport=Scripted(app, [busy]), clock=clock, sleep=clock.sleep) as client,
        pytest.raises(ServerError) as launched,
    ):
        client.import_and_start_batch(BATCH)
    assert launched.value.retry_after == 4.0
    crowded = httpx.Response(429, json={"error": 429, "error_text": "Too many"}, headers={"Retry-After": "50"})
    with (
        Altcraft(BASE, TOKEN, transport=Scripted(app, [crowded]), clock=clock, sleep=clock.sleep) as client,
        pytest.raises(AltcraftError) as refused,
    ):
        client.import_profile(PROFILE, timeout=10)
    assert refused.value.http_status == 429 and refused.value.retry_after == 50.0
    plain = httpx.Response(503, json={"error": 503, "error_text": "busy"})
    with (
        Altcraft(BASE, TOKEN, transport=Scripted(app, [plain]), clock=clock, sleep=clock.sleep) as client,
        pytest.raises(ServerError) as bare,
    ):
        client.import_and_start_batch(BATCH)
    assert bare.value.retry_after is None
