"""The async shell: asyncio tasks send and wait; the calling task reads rows, journals and decides.

The same core and driver as the sync shell; only the concurrency primitive differs. The journal is
written on the event loop (one short SQLite commit per change).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._async_client import async_wait_decoded
from .._polling import PollSettings
from ._core import (
    Chunk,
    Outcome,
    Progress,
    StillRunning,
    Unknown,
    classify_send_error,
    classify_wait_error,
    profile_ids,
)
from ._report import ImportReport
from ._run import DEFAULT_MAX_ITEMS, Driver, Event, open_driver

if TYPE_CHECKING:
    from .._async_client import AsyncAltcraft

__all__ = ["abulk_import"]


async def abulk_import(
    client: AsyncAltcraft,
    rows: Iterable[Mapping[str, Any] | Any],
    *,
    trigger_id: int | None = None,
    workflow_id: int | None = None,
    db_id: int | None = None,
    task: bool = True,
    matching: str | None = None,
    params: Mapping[str, Any] | None = None,
    journal: str | os.PathLike[str] | None = None,
    input_id: str | None = None,
    concurrency: int = 4,
    on_progress: Callable[[Progress], Any] | None = None,
    resend_unknown: bool = False,
    max_items: int = DEFAULT_MAX_ITEMS,
    max_bytes: int | None = None,
    max_attempts: int = 6,
    plain_rows: bool = False,
    task_timeout: float = 3600.0,
    results: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """The asyncio twin of :func:`bulk_import` (same arguments; ``client`` is an ``AsyncAltcraft``).

    Cancelling the awaiting task stops reading, cancels task waits and retries not yet sent, lets the
    requests in flight settle, leaves the journal consistent and re-raises ``CancelledError``; run it
    again with the same journal to carry on.
    """
    driver, waits = open_driver(
        format=client.format,
        trigger_id=trigger_id,
        workflow_id=workflow_id,
        db_id=db_id,
        task=task,
        matching=matching,
        params=params,
        journal=journal,
        input_id=input_id,
        resend_unknown=resend_unknown,
        max_items=max_items,
        max_bytes=max_bytes,
        max_attempts=max_attempts,
        plain_rows=plain_rows,
        concurrency=concurrency,
        on_progress=on_progress,
    )
    return await _AsyncRun(client, driver, concurrency, task_timeout).run(rows, waits, results)


class _AsyncRun:
    def __init__(self, client: AsyncAltcraft, driver: Driver, concurrency: int, task_timeout: float) -> None:
        self.client = client
        self.driver = driver
        self.core = driver.core
        self.concurrency = concurrency
        self.task_timeout = task_timeout
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.tasks: set[asyncio.Task[None]] = set()
        self.cancellable: set[asyncio.Task[None]] = set()  # waits, and sends not yet on the wire
        self.wait_slots = asyncio.Semaphore(concurrency)
        self.cancelled = False

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        t = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(t)
        t.add_done_callback(self.tasks.discard)

    async def run(
        self, rows: Iterable[Any], waits: list[tuple[int, str]], results: str | os.PathLike[str] | None
    ) -> ImportReport:
        core = self.core
        input_done = False
        try:
            for chunk_id, task_id in waits:
                self._spawn(self._wait(chunk_id, task_id))
            for chunk in core.plan(rows):
                if self.driver.begin(chunk):
                    self._spawn(self._send(chunk, self.driver.send_delay()))
                self.driver.progress()
                while core.in_flight >= self.concurrency:
                    self._handle(await self.events.get())
                self._drain()
                if core.stopped:
                    break
                await asyncio.sleep(0)  # let the new request start
            else:
                input_done = True
            await self._settle()
        except BaseException:
            try:
                await self._interrupt()
            finally:
                self.driver.journal.unlock()  # no report follows: the run is over
            raise
        return self.driver.report(input_done=input_done, results=results)

    async def _interrupt(self) -> None:
        self.core.stop("interrupted")
        self.cancelled = True
        for t in list(self.cancellable):
            t.cancel()
        try:
            await self._settle()
        except asyncio.CancelledError:
            # Cancelled again: give up on the requests in flight; they stay "sending" (unknown on resume).
            for t in list(self.tasks):
                t.cancel()

    async def _settle(self) -> None:
        while self.core.in_flight or self.core.waiting:
            self._handle(await self.events.get())

    def _drain(self) -> None:
        while not self.events.empty():
            self._handle(self.events.get_nowait())

    def _handle(self, event: Event) -> None:
        step = self.driver.handle(event)
        if step.action == "retry":
            self._spawn(self._send(self.driver.chunks[event.chunk_id], step.delay))
        elif step.action == "wait":
            assert step.task_id is not None
            self._spawn(self._wait(event.chunk_id, step.task_id))
        self.driver.progress()

    # -- the tasks -----------------------------------------------------------------------------------------
    async def _send(self, chunk: Chunk, delay: float) -> None:
        me = asyncio.current_task()
        assert me is not None
        self.cancellable.add(me)
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            if self.cancelled:
                raise asyncio.CancelledError
        except asyncio.CancelledError:
            self.events.put_nowait(Event("abandon", chunk.id))  # the request never left
            return
        finally:
            self.cancellable.discard(me)
        outcome: Outcome
        try:
            answer = await self.client.request(self.driver.target.operation, chunk.body(self.driver.target), plain=True)
            outcome = self.driver.outcome_of(answer)
        except asyncio.CancelledError:
            self.events.put_nowait(Event("sent", chunk.id, Unknown("cancelled while the request was in flight")))
            raise
        except Exception as exc:
            outcome = classify_send_error(exc)
        self.events.put_nowait(Event("sent", chunk.id, outcome))

    async def _wait(self, chunk_id: int, task_id: str) -> None:
        me = asyncio.current_task()
        assert me is not None
        self.cancellable.add(me)
        outcome: Outcome
        try:
            async with self.wait_slots:
                # wait_task's own loop, with the final status as decoded JSON: its ids are read, no model built
                status = await async_wait_decoded(self.client, task_id, PollSettings(self.task_timeout))
            outcome = profile_ids(status)
        except asyncio.CancelledError:
            outcome = StillRunning("waiting was cancelled")
        except Exception as exc:
            outcome = classify_wait_error(exc)
        finally:
            self.cancellable.discard(me)
        with contextlib.suppress(Exception):
            self.events.put_nowait(Event("waited", chunk_id, outcome))
