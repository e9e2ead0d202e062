"""Where the sync and the async client really differ, as pairs of small primitives (hand-written).

The async modules (``_async_*.py``) are the source; scripts/generate writes the sync ones
(``_sync_*.py``) from them by renaming tokens (scripts/gen_sync.py holds the table). Every ``Async*``
or ``async_*`` name below has its twin under the ``Sync*`` or ``sync_*`` name, with the same meaning:

- a *runner* makes one HTTP attempt within a total time: the async one under ``asyncio.timeout``, the
  sync one in a worker thread that it stops waiting for at the deadline (a blocking read cannot be
  interrupted), telling the worker through a *stop* event to drop the answer;
- an *event* that cancels a wait, and waiting on it for at most some seconds;
- the default *sleep*;
- a *crew* runs the sends and task waits of one bulk import and hands their events to the calling
  task or thread: asyncio tasks and a queue, or two thread pools, a queue and a Ctrl-C handler that
  only notes the interrupt (it is acted on between two steps, never inside one);
- *cancelled*: what a cancelled send or wait sees (``asyncio.CancelledError``; a worker thread never
  sees the sync twin, ``KeyboardInterrupt``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import queue
import signal
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any, Generic, TypeVar

from ._errors import InvalidInput, WaitCancelled

__all__ = [
    "AsyncCancelled",
    "AsyncCrew",
    "AsyncEvent",
    "AsyncRunner",
    "AsyncSleep",
    "AsyncStop",
    "DeadlineExceeded",
    "SyncCancelled",
    "SyncCrew",
    "SyncEvent",
    "SyncRunner",
    "SyncSleep",
    "SyncStop",
    "async_event_or_none",
    "async_sleep",
    "async_wait_event",
    "sync_event_or_none",
    "sync_sleep",
    "sync_wait_event",
]

T = TypeVar("T")
E = TypeVar("E")

AsyncEvent = asyncio.Event
SyncEvent = threading.Event
AsyncStop = asyncio.Event  # never set: cancellation stops an async attempt
SyncStop = threading.Event
AsyncSleep = Callable[[float], Awaitable[None]]
SyncSleep = Callable[[float], None]
async_sleep: AsyncSleep = asyncio.sleep
sync_sleep: SyncSleep = time.sleep
AsyncCancelled = asyncio.CancelledError
SyncCancelled = KeyboardInterrupt


class DeadlineExceeded(Exception):
    """The caller's deadline passed while an attempt was under way (``started=False``: before it began)."""

    def __init__(self, *, started: bool = True) -> None:
        super().__init__()
        self.started = started


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
            # Still queued for a worker (all busy): it will never run, so nothing was sent.
            raise DeadlineExceeded(started=not future.cancel()) from None

    def close(self) -> None:
        """Stop the worker threads (those still reading finish on their own)."""
        if self._workers is not None:
            self._workers.shutdown(wait=False, cancel_futures=True)


def async_event_or_none(value: object) -> AsyncEvent | None:
    """``value`` when it is None or an ``asyncio.Event``; :class:`InvalidInput` naming ``cancel`` otherwise."""
    if value is None or isinstance(value, AsyncEvent):
        return value
    raise InvalidInput(f"cancel: an asyncio.Event is required, not {type(value).__name__}", field="cancel")


def sync_event_or_none(value: object) -> SyncEvent | None:
    """``value`` when it is None or a ``threading.Event``; :class:`InvalidInput` naming ``cancel`` otherwise."""
    if value is None or isinstance(value, SyncEvent):
        return value
    raise InvalidInput(f"cancel: a threading.Event is required, not {type(value).__name__}", field="cancel")


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


class AsyncCrew(Generic[E]):
    """The sends and task waits of one bulk import as asyncio tasks; their events come back on a queue."""

    def __init__(self, concurrency: int, wake: E) -> None:
        self.events: asyncio.Queue[E] = asyncio.Queue()
        self.tasks: set[asyncio.Task[None]] = set()
        self.cancellable: set[asyncio.Task[None]] = set()  # waits, and sends not yet on the wire
        self.wait_slots = asyncio.Semaphore(concurrency)  # as many task waits as sends at once
        self.cancel_event = AsyncEvent()
        self.wait_cancel: AsyncEvent | None = None  # a wait is cancelled as a task, its sleep stays injectable

    def start_send(self, send: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
        """Run ``send(*args)`` (or a wait, as ``start_wait``) beside the caller, as a task."""
        t = asyncio.get_running_loop().create_task(send(*args))
        self.tasks.add(t)
        t.add_done_callback(self.tasks.discard)

    start_wait = start_send  # a task wait runs the same way

    def put(self, event: E) -> None:
        """Hand an event to the caller (from a send or a wait)."""
        self.events.put_nowait(event)

    async def next_event(self) -> E:
        """The next event, waiting for it."""
        return await self.events.get()

    def ready(self) -> Iterator[E]:
        """The events already there, without waiting."""
        while not self.events.empty():
            yield self.events.get_nowait()

    async def pause(self, delay: float) -> bool:
        """Wait ``delay`` seconds before a send; True when the import was cancelled (do not send)."""
        me = asyncio.current_task()
        assert me is not None
        self.cancellable.add(me)
        try:
            if delay > 0:
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            return True
        finally:
            self.cancellable.discard(me)
        return self.cancel_event.is_set()

    @contextlib.asynccontextmanager
    async def waiting(self, task_id: str) -> AsyncIterator[None]:
        """Around one task wait: a wait slot, and cancellable by :meth:`cancel`."""
        me = asyncio.current_task()
        assert me is not None
        self.cancellable.add(me)
        try:
            async with self.wait_slots:
                yield
        finally:
            self.cancellable.discard(me)

    async def checkpoint(self) -> None:
        """Between two chunks: let the new request start."""
        await asyncio.sleep(0)

    def check_interrupt(self) -> None:
        """Between two steps (nothing to do: cancellation arrives as ``CancelledError``)."""

    def cancel(self) -> None:
        """Stop the waits and the sends not yet on the wire; the requests in flight settle."""
        self.cancel_event.set()
        for t in list(self.cancellable):
            t.cancel()

    def give_up(self) -> None:
        """Cancelled again: give up on the requests in flight too (they stay *sending*, unknown on resume)."""
        for t in list(self.tasks):
            t.cancel()

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Around the whole run (nothing to set up)."""
        yield


class SyncCrew(Generic[E]):
    """The sends and task waits of one bulk import in two thread pools; their events come back on a queue.

    In the main thread, Ctrl-C is noted and raised between two steps (:meth:`check_interrupt`), so
    that the journal stays consistent; one that comes after the first was acted on is raised at once.
    """

    def __init__(self, concurrency: int, wake: E) -> None:
        self.events: queue.SimpleQueue[E] = queue.SimpleQueue()
        self.senders = concurrent.futures.ThreadPoolExecutor(concurrency, thread_name_prefix="altcraft-bulk-send")
        self.waiters = concurrent.futures.ThreadPoolExecutor(concurrency, thread_name_prefix="altcraft-bulk-wait")
        self.cancel_event = SyncEvent()
        self.wait_cancel: SyncEvent | None = self.cancel_event  # a waiting thread wakes up on it
        self.sigint = False
        self._wake = wake

    def start_send(self, send: Callable[..., None], *args: Any) -> None:
        """Run ``send(*args)`` in a sender thread."""
        self.senders.submit(send, *args)

    def start_wait(self, wait: Callable[..., None], *args: Any) -> None:
        """Run ``wait(*args)`` in a waiter thread."""
        self.waiters.submit(wait, *args)

    def put(self, event: E) -> None:
        """Hand an event to the caller (from a send or a wait)."""
        self.events.put(event)

    def next_event(self) -> E:
        """The next event, waiting for it."""
        return self.events.get()

    def ready(self) -> Iterator[E]:
        """The events already there, without waiting (the caller is their only reader)."""
        while not self.events.empty():
            yield self.events.get_nowait()

    def pause(self, delay: float) -> bool:
        """Wait ``delay`` seconds before a send; True when the import was cancelled (do not send)."""
        return (delay > 0 and self.cancel_event.wait(delay)) or self.cancel_event.is_set()

    @contextlib.contextmanager
    def waiting(self, task_id: str) -> Iterator[None]:
        """Around one task wait (the waiter pool bounds them); an import already cancelled waits no more."""
        if self.cancel_event.is_set():
            raise WaitCancelled("waiting was interrupted", task_id=task_id)
        yield

    def checkpoint(self) -> None:
        """Between two chunks: act on a Ctrl-C noted meanwhile."""
        self.check_interrupt()

    def check_interrupt(self) -> None:
        """Raise the Ctrl-C noted by the signal handler here, between two steps, never inside one."""
        if self.sigint and not self.cancel_event.is_set():
            raise KeyboardInterrupt

    def cancel(self) -> None:
        """Stop the waits and the sends not yet on the wire; the requests in flight settle."""
        self.cancel_event.set()

    def give_up(self) -> None:
        """Interrupted again: the requests in flight are left (they stay *sending*, unknown on resume)."""

    def _on_sigint(self, signum: int, frame: object) -> None:
        if self.cancel_event.is_set():
            raise KeyboardInterrupt  # a Ctrl-C after the first was acted on: give up on the requests in flight
        # The first Ctrl-C, or a second one before the first was acted on (raising now could drop an event
        # the run is waiting for): noted, acted on between two steps.
        self.sigint = True
        self.events.put(self._wake)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Around the whole run: Ctrl-C noted (in the main thread), the threads released at the end."""
        try:
            if threading.current_thread() is not threading.main_thread() or (
                signal.getsignal(signal.SIGINT) is not signal.default_int_handler
            ):
                yield
                return
            previous = signal.signal(signal.SIGINT, self._on_sigint)
            try:
                yield
            finally:
                signal.signal(signal.SIGINT, previous)
        finally:
            self.senders.shutdown(wait=False, cancel_futures=True)
            self.waiters.shutdown(wait=False, cancel_futures=True)
