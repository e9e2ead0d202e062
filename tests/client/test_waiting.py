"""Task polling: adaptive schedule, deadline, failures, unknown statuses, transient errors, cancellation."""

from __future__ import annotations

import asyncio
import random
import threading
from typing import Any

import httpx
import pytest
from altcraft import Altcraft, AsyncAltcraft, NotFound, TaskFailed, TaskTimeout, WaitCancelled
from altcraft._polling import PollSettings
from altcraft_mock import MockConfig, create_app, transport

from ..conftest import BASE, TOKEN, FakeClock

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
    from altcraft import ProtocolError

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
            return await client._wait(task.task_id, PollSettings(30, poll_interval=0.05), None, plain=True)

    answer = asyncio.run(main())
    assert answer["data"]["status"] == "completed" and len(answer["data"]["result"]["result"]) == 1
