"""Task polling: adaptive schedule, deadline, failures, unknown statuses, transient errors, cancellation."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import threading
from typing import Any

import httpx
import pytest
from altcraft import (
    Altcraft,
    AsyncAltcraft,
    AsyncTaskHandle,
    InvalidInput,
    NotFound,
    ProtocolError,
    ServerError,
    TaskFailed,
    TaskHandle,
    TaskTimeout,
    WaitCancelled,
)
from altcraft._async_client import async_wait_decoded
from altcraft._polling import Poller, PollSettings
from altcraft_api.models import TaskAccepted, TaskStatus
from altcraft_mock import MockApp, MockConfig, create_app, transport

from ..conftest import BASE, TOKEN, FakeClock
from .fakes import (
    ACCEPTED,
    DONE,
    RUNNING,
    TWO_PROFILE_BATCH,
    Handler,
    Scripted,
    answer,
    async_client,
    status_sequence,
    sync_client,
)
from .servers import STATUS_OK

BATCH = {"trigger_id": 13, "data": [{"data": {"email": "a@example.com"}}]}


class CountingTransport(httpx.BaseTransport):
    """Counts /tasks/status requests and can fail some of them or rewrite their answers."""

    def __init__(self, inner: Any, *, fail_first: int = 0, rewrite: Any = None) -> None:
        self.inner = inner
        self.status_requests = 0
        self.fail_first = fail_first
        self.rewrite = rewrite

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tasks/status"):
            self.status_requests += 1
            if self.status_requests <= self.fail_first:
                if self.status_requests % 2:
                    raise httpx.ReadTimeout("slow", request=request)
                return httpx.Response(503, json={"error": 503, "error_text": "unavailable"}, request=request)
        response = self.inner.handle_request(request)
        if self.rewrite is not None and request.url.path.endswith("/tasks/status"):
            response = self.rewrite(response, request)
        return response


def make(clock: FakeClock, task_seconds: float, **kwargs: Any) -> tuple[Altcraft, CountingTransport]:
    app = create_app(MockConfig(task_seconds=task_seconds, seed=3), clock=clock)
    counting = CountingTransport(transport(app), **kwargs)
    client = Altcraft(BASE, TOKEN, transport=counting, clock=clock, sleep=clock.sleep, rng=random.Random(5))
    return client, counting


@pytest.mark.parametrize("seed", range(20))
def test_linear_60s_task_uses_few_requests_and_sees_completion_within_a_second(seed: int) -> None:
    clock = FakeClock()
    app = create_app(MockConfig(task_seconds=60.0, seed=seed), clock=clock)
    counting = CountingTransport(transport(app))
    client = Altcraft(BASE, TOKEN, transport=counting, clock=clock, sleep=clock.sleep, rng=random.Random(seed))
    task = client.import_and_start_batch_task(BATCH)
    started = clock.now
    status = task.wait()  # the defaults
    assert status.data.status == "completed" and status.data.progress == 100
    assert counting.status_requests <= 12, counting.status_requests
    assert 60.0 <= clock.now - started <= 61.0, clock.now - started


def test_backoff_grows_with_jitter_between_bounds_when_no_progress_is_reported(clock: FakeClock) -> None:
    def frozen(response: httpx.Response, request: httpx.Request) -> httpx.Response:
        body = {"error": 0, "error_text": "ok", "data": {"status": "queued", "progress": 0}}
        return httpx.Response(200, json=body, request=request)

    client, counting = make(clock, 1.0, rewrite=frozen)
    task = client.import_and_start_batch_task(BATCH)
    with pytest.raises(TaskTimeout) as err:
        task.wait(timeout=120, poll_interval=0.5, max_interval=8)
    assert err.value.task_id == task.task_id
    assert err.value.last_status == "queued"
    assert task.task_id in str(err.value)
    sleeps = clock.sleeps
    assert all(0.5 <= s <= 8 for s in sleeps[:-1])
    assert max(sleeps) > 4  # it grew
    assert counting.status_requests < 40


def test_no_jitter_gives_exact_exponential_schedule(clock: FakeClock) -> None:
    def frozen(response: httpx.Response, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": 0, "error_text": "", "data": {"status": "x", "progress": 0}})

    client, _ = make(clock, 1.0, rewrite=frozen)
    task = client.import_and_start_batch_task(BATCH)
    with pytest.raises(TaskTimeout):
        task.wait(timeout=10, poll_interval=1, max_interval=4, backoff=2, jitter=False)
    assert clock.sleeps[:4] == [1, 2, 4, 3]  # 1, 2, 4, then what is left of the 10 s


def test_unknown_status_keeps_polling_until_completed(clock: FakeClock) -> None:
    seen: list[str] = []

    def odd_status(response: httpx.Response, request: httpx.Request) -> httpx.Response:
        body = response.json()
        if body["data"]["status"] != "completed":
            body["data"]["status"] = "warming_up_the_flux_capacitor"
        return httpx.Response(200, json=body, request=request)

    client, _ = make(clock, 5.0, rewrite=odd_status)
    task = client.import_and_start_batch_task(BATCH)
    status = task.wait(timeout=60, on_progress=lambda s: seen.append(s.data.status))
    assert status.data.status == "completed"
    assert "warming_up_the_flux_capacitor" in seen


@pytest.mark.parametrize("odd", [["running"], {"state": "running"}, 7, None, True])
@pytest.mark.parametrize("plain", [False, True])
def test_a_status_that_is_not_text_is_an_unknown_status(clock: FakeClock, odd: Any, plain: bool) -> None:
    """Unhashable JSON (a list, an object) once leaked a TypeError out of the wait; it is an unknown
    status like any other: the wait goes on until the task completes, or raises TaskTimeout (with the
    task id, to resume) at its deadline."""

    def rewrite(completes: bool) -> Any:
        def odd_status(response: httpx.Response, request: httpx.Request) -> httpx.Response:
            body = response.json()
            if not completes or body["data"]["status"] != "completed":
                body["data"]["status"] = odd
            return httpx.Response(200, json=body, request=request)

        return odd_status

    client, counting = make(clock, 5.0, rewrite=rewrite(True))
    task = client.import_and_start_batch_task(BATCH)
    final = client._wait(task.task_id, PollSettings(60), None, None, plain=True) if plain else task.wait(timeout=60)
    assert (final["data"]["status"] if plain else final.data.status) == "completed"
    assert counting.status_requests > 1  # the odd statuses were polled past
    client, counting = make(clock, 5.0, rewrite=rewrite(False))
    task = client.import_and_start_batch_task(BATCH)
    with pytest.raises(TaskTimeout) as err:
        client._wait(task.task_id, PollSettings(20), None, None, plain=True) if plain else task.wait(timeout=20)
    assert err.value.task_id == task.task_id and counting.status_requests > 1


def test_failed_task_raises_task_failed_with_server_text(clock: FakeClock) -> None:
    client, _ = make(clock, 1.0)
    task = client.import_and_start_batch_task({**BATCH, "trigger_id": 777})
    with pytest.raises(TaskFailed) as err:
        task.wait(timeout=30)
    assert err.value.task_id == task.task_id
    assert err.value.code == 404
    assert "Trigger not found" in str(err.value)


def test_completed_with_error_result_is_a_failure(clock: FakeClock) -> None:
    def error_result(response: httpx.Response, request: httpx.Request) -> httpx.Response:
        body = {
            "error": 0,
            "error_text": "",
            "data": {"status": "completed", "progress": 100, "result": {"error": 402, "error_text": "Tariff"}},
        }
        return httpx.Response(200, json=body, request=request)

    client, _ = make(clock, 1.0, rewrite=error_result)
    task = client.import_and_start_batch_task(BATCH)
    with pytest.raises(TaskFailed) as err:
        task.wait(timeout=30)
    assert err.value.code == 402 and err.value.status == "completed"


def test_transient_errors_on_status_are_retried(clock: FakeClock) -> None:
    client, counting = make(clock, 3.0, fail_first=5)
    task = client.import_and_start_batch_task(BATCH)
    status = task.wait(timeout=60)
    assert status.data.status == "completed"
    assert counting.status_requests > 5


def test_unknown_task_is_not_found_at_once(clock: FakeClock) -> None:
    client, counting = make(clock, 1.0)
    with pytest.raises(NotFound):
        client.wait_task("no-such-task", timeout=60)
    assert counting.status_requests == 1


def test_timeout_then_resume_by_id(clock: FakeClock) -> None:
    client, _ = make(clock, 30.0)
    task = client.import_and_start_batch_task(BATCH)
    with pytest.raises(TaskTimeout) as err:
        task.wait(timeout=5)
    assert err.value.progress is not None and err.value.progress < 100
    status = client.wait_task(err.value.task_id, timeout=60)
    assert status.data.status == "completed"


def test_sync_cancel_with_event_leaves_no_thread_behind() -> None:
    app = create_app(MockConfig(task_seconds=3600))
    client = Altcraft(BASE, TOKEN, transport=transport(app))
    task = client.import_and_start_batch_task(BATCH)
    cancel = threading.Event()
    threads_before = set(threading.enumerate())
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    with pytest.raises(WaitCancelled) as err:
        task.wait(timeout=60, poll_interval=0.05, max_interval=0.2, cancel=cancel)
    timer.join()
    assert err.value.task_id == task.task_id
    # Only the client's own request workers may remain, and they end with the client.
    added = [t for t in threading.enumerate() if t not in threads_before]
    assert all(t.name.startswith("altcraft") for t in added), added
    client.close()
    for t in added:
        t.join(timeout=2)
    assert not any(t.is_alive() for t in added)


async def test_async_wait_and_cancel(clock: FakeClock) -> None:
    app = create_app(MockConfig(task_seconds=10.0, seed=1), clock=clock)
    client = AsyncAltcraft(BASE, TOKEN, transport=transport(app), clock=clock, sleep=clock.asleep)
    task = await client.import_and_start_batch_task(BATCH)
    status = await task.wait(timeout=60)
    assert status.data.status == "completed"

    slow_app = create_app(MockConfig(task_seconds=3600))
    real = AsyncAltcraft(BASE, TOKEN, transport=transport(slow_app))
    slow = await real.import_and_start_batch_task(BATCH)
    waiter = asyncio.ensure_future(slow.wait(timeout=60, poll_interval=0.05, max_interval=0.1))
    await asyncio.sleep(0.3)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await real.aclose()
    await client.aclose()


def test_invalid_poll_settings_are_refused(client: Altcraft) -> None:
    with pytest.raises(ValueError):
        client.wait_task("t", poll_interval=0)
    with pytest.raises(ValueError):
        client.wait_task("t", poll_interval=5, max_interval=1)


def test_plain_waits_poll_alike_and_return_the_final_status_as_json(clock: FakeClock) -> None:
    """``plain`` (bulk import's wait): the same schedule and outcome as wait_task, the poller and on_progress
    see the status without its list of profiles, and the final answer comes back as its decoded JSON."""
    batch = {"trigger_id": 13, "data": [{"data": {"email": f"p{i}@example.com"}} for i in range(5)]}
    seen: list[Any] = []
    client, counting = make(clock, 3.0, fail_first=3)
    task_id = client.import_and_start_batch_task(batch).task_id
    answer = client._wait(task_id, PollSettings(60), seen.append, None, plain=True)
    plain_polls = counting.status_requests
    assert isinstance(answer, dict) and answer["data"]["status"] == "completed"
    assert [ref["profile_id"] for ref in answer["data"]["result"]["result"]] == [
        ref.profile_id for ref in client.task_status(task_id).data.result.result
    ] and len(answer["data"]["result"]["result"]) == 5
    assert seen and all(s.data.result.result == [] for s in seen if s.data.result)  # modelled without the list

    twin, twin_counting = make(FakeClock(), 3.0, fail_first=3)
    twin.wait_task(twin.import_and_start_batch_task(batch).task_id, timeout=60)
    assert plain_polls == twin_counting.status_requests  # the same schedule


def test_plain_waits_raise_what_wait_task_raises(clock: FakeClock) -> None:

    def broken(response: httpx.Response, request: httpx.Request) -> httpx.Response:
        body = response.json()
        body["data"] = "oops"  # not the documented TaskStatus
        return httpx.Response(200, json=body, request=request)

    client, _ = make(clock, 1.0, rewrite=broken)
    task_id = client.import_and_start_batch_task(BATCH).task_id
    with pytest.raises(ProtocolError, match="not the documented TaskStatus"):
        client._wait(task_id, PollSettings(60), None, None, plain=True)
    with pytest.raises(NotFound):
        client._wait("no-such-task", PollSettings(60), None, None, plain=True)
    client, _ = make(FakeClock(), 30.0)
    with pytest.raises(TaskTimeout):
        client._wait(client.import_and_start_batch_task(BATCH).task_id, PollSettings(5), None, None, plain=True)


def test_async_plain_wait_returns_the_final_status_as_json() -> None:
    async def main() -> Any:
        app = create_app(MockConfig(task_seconds=0.2, seed=3))
        async with AsyncAltcraft(BASE, TOKEN, transport=transport(app)) as client:
            task = await client.import_and_start_batch_task(BATCH)
            return await async_wait_decoded(client, task.task_id, PollSettings(30, poll_interval=0.05))

    answer = asyncio.run(main())
    assert answer["data"]["status"] == "completed" and len(answer["data"]["result"]["result"]) == 1


# -- wait_task and the handles' wait, with fakes -------------------------------------------------------------


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
        handle = await c.import_and_start_batch_task(TWO_PROFILE_BATCH)
        assert (await handle.status()).data.progress == 50
        status = await handle.wait(poll_interval=1.0, max_interval=5.0, backoff=3.0, jitter=False)
    assert status.data.progress == 100
    assert clock.sleeps == [1.0, 3.0, 5.0]


def test_sync_handle_wait_passes_its_settings_on() -> None:
    clock = FakeClock()
    handler, _ = status_sequence(ACCEPTED, RUNNING, RUNNING, RUNNING, RUNNING)
    with sync_client(handler, clock) as c:
        handle = c.import_and_start_batch_task(TWO_PROFILE_BATCH)
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


def test_sync_wait_is_cancelled_by_its_event_and_the_handle_passes_everything_on() -> None:
    clock = FakeClock()
    handler, _ = status_sequence(ACCEPTED, RUNNING, RUNNING, RUNNING, RUNNING)
    seen: list[TaskStatus] = []
    cancel = threading.Event()
    cancel.set()
    with sync_client(handler, clock) as c:
        handle = c.import_and_start_batch_task(TWO_PROFILE_BATCH)
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
        handle = await c.import_and_start_batch_task(TWO_PROFILE_BATCH)
        with pytest.raises(TaskTimeout) as err:
            await handle.wait(timeout=2.0, poll_interval=1.0, jitter=False, on_progress=seen.append)
    assert err.value.task_id == "t-1"
    assert clock.now == pytest.approx(1002.0)
    assert [s.data.progress for s in seen] == [50, 50]


def test_task_timeout_comes_at_the_deadline_with_a_bounded_number_of_requests(clock: FakeClock) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(clock())
        return httpx.Response(200, content=STATUS_OK, headers={"content-type": "application/json"})

    client = Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler), clock=clock, sleep=clock.sleep)
    start = clock()
    with pytest.raises(TaskTimeout) as err:
        client.wait_task("t1", timeout=30, poll_interval=0.5, max_interval=4, jitter=False)
    assert err.value.task_id == "t1" and err.value.last_status == "processing"
    assert clock() - start <= 30 + 1e-9  # never sleeps past the deadline
    # 0.5, 1, 2, 4, 4, ...: about 11 polls in 30 s, never more
    assert 8 <= len(calls) <= 12, len(calls)


def test_a_wait_that_never_reached_the_server_says_so(clock: FakeClock) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = Altcraft(f"http://127.0.0.1:{port}", TOKEN, clock=clock, sleep=clock.sleep)
    with client, pytest.raises(TaskTimeout) as err:
        client.wait_task("t1", timeout=5)
    assert err.value.last_error is not None and "could not reach 127.0.0.1" in err.value.last_error
    assert "the last status request failed: " in str(err.value)


def test_a_5xx_envelope_in_an_http_200_is_a_server_error_and_wait_polls_on(app: MockApp, clock: FakeClock) -> None:
    five_hundred = httpx.Response(200, json={"error": 500, "error_text": "Internal error"})
    client = Altcraft(BASE, TOKEN, transport=Scripted(app, [five_hundred]), max_retries=0)
    with client, pytest.raises(ServerError) as err:
        client.import_and_start_batch(BATCH)
    assert err.value.http_status == 200 and err.value.code == 500
    task_id = Altcraft(BASE, TOKEN, transport=transport(app)).import_and_start_batch_task(BATCH).task_id
    bad = [httpx.Response(200, json={"error": 503, "error_text": "busy"}) for _ in range(3)]
    recorder = Scripted(app, list(bad))
    with Altcraft(BASE, TOKEN, transport=recorder, clock=clock, sleep=clock.sleep, max_retries=0) as client:
        assert client.wait_task(task_id, timeout=60).data.status == "completed"
    assert recorder.calls > 3


def test_a_429_while_waiting_keeps_polling(app: MockApp, clock: FakeClock) -> None:
    task_id = Altcraft(BASE, TOKEN, transport=transport(app)).import_and_start_batch_task(BATCH).task_id
    busy = [httpx.Response(429, json={"error": 429, "error_text": "Too many requests"}) for _ in range(4)]
    recorder = Scripted(app, list(busy))
    client = Altcraft(BASE, TOKEN, transport=recorder, clock=clock, sleep=clock.sleep, max_retries=0)
    with client:
        assert client.wait_task(task_id, timeout=60).data.status == "completed"
    assert recorder.calls > 4


# -- the documented defaults ---------------------------------------------------------------------------------


QUEUED = {"error": 0, "error_text": "ok", "data": {"status": "processing", "progress": 0}}


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


# -- the poller ----------------------------------------------------------------------------------------------


def _answer(status: str, progress: object = 0, result: dict[str, object] | None = None) -> TaskStatus:
    data: dict[str, object] = {"status": status, "progress": progress}
    if result is not None:
        data["result"] = result
    return TaskStatus.from_dict({"error": 0, "error_text": "Successful", "data": data})


def _poller(clock: FakeClock, **settings: Any) -> Poller:
    return Poller("t1", PollSettings(**{"jitter": False, **settings}), clock, rng=random.Random(1))


def test_poll_settings_accept_their_boundaries() -> None:
    PollSettings(timeout=0)
    PollSettings(timeout=0.5)
    PollSettings(poll_interval=2.0, max_interval=2.0)
    PollSettings(backoff=1)
    PollSettings(backoff=1.5)


@pytest.mark.parametrize(
    "settings", [{"timeout": -1}, {"poll_interval": 0}, {"poll_interval": 3.0, "max_interval": 2.0}]
)
def test_poll_settings_refuse_bad_bounds_with_the_rule(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"^need timeout >= 0 and 0 < poll_interval <= max_interval$"):
        PollSettings(**settings)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^backoff must be >= 1$"):
        PollSettings(backoff=0.5)


def test_completed_without_a_result_is_success() -> None:
    answer = _answer("completed", 100)
    assert _poller(FakeClock()).observe(answer) is answer


def test_a_failed_task_carries_the_result_fields() -> None:
    poller = _poller(FakeClock())
    with pytest.raises(TaskFailed) as err:
        poller.observe(_answer("failed", 40, {"error": 5, "error_text": "bad data", "error_debug": "row 3"}))
    e = err.value
    assert str(e) == "task t1 ended with status 'failed': error 5: bad data (row 3)"
    assert (e.task_id, e.status, e.code, e.error_text, e.error_debug) == ("t1", "failed", 5, "bad data", "row 3")
    assert e.operation == "task_status"


def test_a_failed_task_without_result_or_texts_still_raises_task_failed() -> None:
    poller = _poller(FakeClock())
    with pytest.raises(TaskFailed) as err:
        poller.observe(_answer("error"))
    assert str(err.value) == "task t1 ended with status 'error': error None: "
    assert (err.value.code, err.value.error_text, err.value.error_debug) == (None, None, None)
    with pytest.raises(TaskFailed) as err:
        poller.observe(_answer("completed", 100, {"error": 7}))
    assert str(err.value) == "task t1 ended with status 'completed': error 7: "
    assert (err.value.code, err.value.error_text, err.value.error_debug) == (7, None, None)


def test_the_timeout_error_says_how_to_resume() -> None:
    poller = _poller(FakeClock(), timeout=5)
    poller.observe(_answer("processing", 30))
    err = poller.timeout_error()
    assert str(err) == (
        "task t1 did not finish within 5 s (last status 'processing', progress 30); resume with wait_task(task_id)"
    )


def test_remaining_is_exact_and_never_negative() -> None:
    clock = FakeClock()
    poller = _poller(clock, timeout=5)
    clock.sleep(4.5)
    assert poller.remaining() == 0.5
    clock.sleep(1)
    assert poller.remaining() == 0.0


def test_the_last_half_second_is_still_slept_on() -> None:
    clock = FakeClock()
    poller = _poller(clock, timeout=5, poll_interval=2, max_interval=2)
    clock.sleep(4.5)
    assert poller.next_delay() == 0.5


def test_the_aimed_poll_lands_just_after_the_predicted_completion() -> None:
    clock = FakeClock()
    poller = _poller(clock, max_interval=100)
    poller.observe(_answer("processing", 20))
    clock.sleep(10)
    poller.observe(_answer("processing", 40))
    # 2 %/s from 20 % at t0: 100 % at t0 + 40, 30 s from now; plus the 0.1 s margin
    assert poller.next_delay() == pytest.approx(30.1)


def test_an_aimed_poll_never_exceeds_max_interval() -> None:
    now = [0.0]
    poller = Poller("t", PollSettings(timeout=1000, poll_interval=0.1, max_interval=3, jitter=False), lambda: now[0])
    poller.samples = [(0.0, 1), (1.0, 2)]  # 1 %/s: completion predicted 98 s away
    assert poller.next_delay() == 3
    poller.samples = [(0.0, 1), (1.0, 99)]
    now[0] = 1.0
    assert 0.1 <= poller.next_delay() <= 3


def test_no_aim_from_samples_taken_at_the_same_instant_or_at_100() -> None:
    clock = FakeClock()
    poller = _poller(clock, poll_interval=1, max_interval=50)
    poller.observe(_answer("processing", 10))
    poller.observe(_answer("processing", 20))  # the clock did not move: no rate
    assert poller.next_delay() == 1.0  # the backoff schedule: poll_interval * 2**0
    clock.sleep(5)
    poller.observe(_answer("processing", 100))  # 100 but not completed: nothing left to aim at
    assert poller.next_delay() == 2.0


def test_answers_without_an_integer_progress_are_not_aimed_at() -> None:
    clock = FakeClock()
    poller = _poller(clock, poll_interval=1, max_interval=50)
    for progress in (None, True, None):
        poller.observe(_answer("processing", progress))
        clock.sleep(1)
    assert poller.samples == []
    assert poller.next_delay() == 1.0


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
