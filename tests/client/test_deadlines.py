"""Deadlines: the client's timeout bounds each attempt, an operation's timeout bounds the whole call (a hard
deadline, also against servers that trickle or never answer), and a deadline after sending is OutcomeUnknown."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from altcraft import (
    Altcraft,
    AsyncAltcraft,
    InvalidInput,
    OutcomeUnknown,
    TaskTimeout,
    TransportError,
)
from altcraft._concurrency import DeadlineExceeded
from altcraft._protocol import Trace

from ..conftest import BASE, TOKEN, FakeClock
from .fakes import BATCH, IMPORTED, PROFILE, answer, async_client, call, connect_times_out, core, sync_client
from .servers import raw_server, silent, trickle


def test_a_number_bounds_each_attempt_and_an_httpx_timeout_only_its_phases() -> None:
    c = core(timeout=7.0)
    assert c._budget(call()) == (httpx.Timeout(7.0), 7.0)
    phases = httpx.Timeout(3.0, connect=1.0)
    c = core(timeout=phases)
    assert c._budget(call()) == (phases, None)


def test_each_phase_gets_the_time_left_when_it_is_shorter() -> None:
    clock = FakeClock()
    c = core(clock=clock, timeout=httpx.Timeout(5.0, connect=1.0, pool=None))
    pending = call(deadline=1003.0, attempts=0)
    timeouts, total = c._budget(pending)
    assert timeouts == httpx.Timeout(connect=1.0, read=3.0, write=3.0, pool=3.0)
    assert total == 3.0 and pending.attempts == 1
    c = core(clock=clock, timeout=2.0)
    assert c._budget(call(deadline=1003.0)) == (httpx.Timeout(2.0), 2.0)


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


def test_no_attempt_starts_at_or_after_the_deadline() -> None:
    clock = FakeClock()
    c = core(clock=clock)
    with pytest.raises(TransportError) as err:
        c._budget(call("import_profile", deadline=1000.0, attempts=0))
    assert type(err.value) is TransportError  # nothing was sent: not OutcomeUnknown
    assert str(err.value) == "import_profile: no answer from altcraft.test within the deadline (1 attempt(s))"
    assert err.value.operation == "import_profile"
    assert c._budget(call(deadline=1000.001))[1] == pytest.approx(0.001)


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


def test_the_sync_worker_drops_an_answer_once_the_deadline_passed() -> None:
    stop = threading.Event()
    stop.set()
    with sync_client(answer(200, IMPORTED)) as c:
        pending = c._start("import_profile", PROFILE, None, None)
        with pytest.raises(DeadlineExceeded):
            c._exchange(pending, httpx.Timeout(1.0), Trace(), stop)
        status, headers, content = c._exchange(pending, httpx.Timeout(1.0), Trace(), threading.Event())
    assert status == 200 and headers["content-type"] == "application/json"
    assert httpx.Response(200, content=content).json() == IMPORTED


def test_a_connect_timeout_that_is_the_deadline_is_the_deadline() -> None:
    """httpx's connect timer and the client's own wait race at the deadline (this failed under load): a
    timeout of an attempt that had only the deadline's remaining time is the deadline passing, never a
    failed connection that is retried and reported as "could not reach"."""
    with sync_client(connect_times_out) as c, pytest.raises(TransportError) as err:
        c.import_profile(PROFILE, timeout=0.3)
    assert type(err.value) is TransportError
    assert str(err.value) == "import_profile: no answer from altcraft.test within the deadline (1 attempt(s))"


async def test_async_a_connect_timeout_that_is_the_deadline_is_the_deadline() -> None:
    async with async_client(connect_times_out) as c:
        with pytest.raises(TransportError) as err:
            await c.import_profile(PROFILE, timeout=0.3)
    assert type(err.value) is TransportError
    assert str(err.value) == "import_profile: no answer from altcraft.test within the deadline (1 attempt(s))"


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


async def test_async_a_deadline_during_connect_is_known_not_sent(unreachable_port: int) -> None:
    async with AsyncAltcraft(f"http://127.0.0.1:{unreachable_port}", TOKEN) as c:
        with pytest.raises(TransportError) as err:
            await c.import_profile(PROFILE, timeout=0.3)
    assert type(err.value) is TransportError
    assert str(err.value) == "import_profile: no answer from 127.0.0.1 within the deadline (1 attempt(s))"


# -- against raw servers on 127.0.0.1 ------------------------------------------------------------------------


@pytest.mark.parametrize("server", [trickle, silent], ids=["trickling", "silent"])
def test_wait_task_is_a_hard_deadline(server: Callable[[socket.socket], None]) -> None:
    with raw_server(server) as url, Altcraft(url, TOKEN, timeout=30) as client:
        started = time.monotonic()
        with pytest.raises(TaskTimeout):
            client.wait_task("t1", timeout=2, poll_interval=0.2, max_interval=0.5)
        took = time.monotonic() - started
    assert took < 2 + 1.0, took  # T plus one poll's latency, not 46 s or 3 attempts x 30 s


async def test_async_wait_task_is_a_hard_deadline() -> None:
    with raw_server(trickle) as url:
        async with AsyncAltcraft(url, TOKEN, timeout=30) as client:
            started = time.monotonic()
            with pytest.raises(TaskTimeout):
                await client.wait_task("t1", timeout=2, poll_interval=0.2, max_interval=0.5)
            assert time.monotonic() - started < 3.0


def test_an_operation_timeout_bounds_a_launch_and_makes_it_unknown() -> None:
    with raw_server(silent) as url, Altcraft(url, TOKEN, timeout=30) as client:
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown, match="may have imported"):
            client.import_and_start_batch(BATCH, timeout=1)
        assert time.monotonic() - started < 1.8


def test_each_attempt_is_bounded_by_the_client_timeout() -> None:
    with raw_server(trickle) as url, Altcraft(url, TOKEN, timeout=1, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(TransportError):
            client.task_status("t1")
        assert time.monotonic() - started < 1.8
