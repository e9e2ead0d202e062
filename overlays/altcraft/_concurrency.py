"""Where the sync and the async client really differ, as pairs of small primitives (hand-written).

The async modules (``_async_*.py``) are the source; scripts/generate writes the sync ones
(``_sync_*.py``) from them by renaming tokens (scripts/gen_sync.py holds the table). Every ``Async*``
or ``async_*`` name below has its twin under the ``Sync*`` or ``sync_*`` name, with the same meaning:

- a *runner* makes one HTTP attempt within a total time: the async one under ``asyncio.timeout``, the
  sync one in a worker thread that it stops waiting for at the deadline (a blocking read cannot be
  interrupted), telling the worker through a *stop* event to drop the answer;
- an *event* that cancels a wait, and waiting on it for at most some seconds;
- the default *sleep*.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = [
    "AsyncEvent",
    "AsyncRunner",
    "AsyncSleep",
    "AsyncStop",
    "DeadlineExceeded",
    "SyncEvent",
    "SyncRunner",
    "SyncSleep",
    "SyncStop",
    "async_sleep",
    "async_wait_event",
    "sync_sleep",
    "sync_wait_event",
]

T = TypeVar("T")

AsyncEvent = asyncio.Event
SyncEvent = threading.Event
AsyncStop = asyncio.Event  # never set: cancellation stops an async attempt
SyncStop = threading.Event
AsyncSleep = Callable[[float], Awaitable[None]]
SyncSleep = Callable[[float], None]
async_sleep: AsyncSleep = asyncio.sleep
sync_sleep: SyncSleep = time.sleep


class DeadlineExceeded(Exception):
    """The caller's deadline passed while an attempt was under way."""


class AsyncRunner:
    """Runs one attempt within a total time, under ``asyncio.timeout``."""

    async def within(self, total: float | None, work: Callable[[AsyncStop], Awaitable[T]]) -> T:
        """``work(stop)``, or :class:`DeadlineExceeded` once ``total`` seconds have passed."""
        try:
            async with asyncio.timeout(total):
                return await work(AsyncStop())
        except TimeoutError:
            raise DeadlineExceeded from None

    def close(self) -> None:
        """Nothing to release."""


class SyncRunner:
    """Runs one attempt within a total time, in a worker thread that it stops waiting for at the deadline."""

    def __init__(self) -> None:
        self._workers: concurrent.futures.ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._lock:
            if self._workers is None:
                self._workers = concurrent.futures.ThreadPoolExecutor(64, thread_name_prefix="altcraft")
            return self._workers

    def within(self, total: float | None, work: Callable[[SyncStop], T]) -> T:
        """``work(stop)``, or :class:`DeadlineExceeded` once ``total`` seconds have passed.

        Without a total the work runs in the calling thread, bounded by its own httpx timeouts.
        """
        if total is None:
            return work(SyncStop())
        stop = SyncStop()
        future = self._pool().submit(work, stop)
        try:
            return future.result(timeout=total)
        except concurrent.futures.TimeoutError:
            stop.set()  # the worker drops the answer when it next wakes; its connection is discarded
            raise DeadlineExceeded from None

    def close(self) -> None:
        """Stop the worker threads (those still reading finish on their own)."""
        if self._workers is not None:
            self._workers.shutdown(wait=False, cancel_futures=True)


async def async_wait_event(event: AsyncEvent, timeout: float) -> bool:
    """Wait until ``event`` is set (True) or ``timeout`` seconds pass (False)."""
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return event.is_set()
    return True


def sync_wait_event(event: SyncEvent, timeout: float) -> bool:
    """Wait until ``event`` is set (True) or ``timeout`` seconds pass (False)."""
    return event.wait(timeout)
