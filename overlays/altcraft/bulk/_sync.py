"""The sync shell: threads send and wait; the calling thread reads rows, journals and decides."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from .._polling import PollSettings
from .._sync_client import wait_decoded
from ._core import Chunk, Outcome, Progress, StillRunning, classify_send_error, classify_wait_error, profile_ids
from ._report import ImportReport
from ._run import DEFAULT_MAX_ITEMS, Driver, Event, ImportInterrupted, open_driver

if TYPE_CHECKING:
    from .._sync_client import Altcraft

__all__ = ["bulk_import"]


def bulk_import(
    client: Altcraft,
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
    """Import a large set of profiles and launch a trigger or workflow for them, resumably.

    Args:
        client: the :class:`~altcraft.Altcraft` client to send with (its ``format`` is used).
        rows: any iterable of batch items (``{"data": {...}, "custom_data": {...}}`` mappings or
            ``BatchItem`` models); with ``db_id``, of ``/profiles/import`` bodies without ``db_id``
            (``{"email": ..., "data": {...}}``). Streamed: never held in memory as a whole.
        trigger_id / workflow_id / db_id: exactly one. ``trigger_id`` launches the trigger (as a task
            unless ``task=False``), ``workflow_id`` starts the workflow (always a task), ``db_id``
            imports each row with one ``/profiles/import`` request, launching nothing.
        matching: the matching mode; ``params``: other root fields of the operation (``timeout``,
            ``custom_data``, ``skip_triggers``, ...), sent with every request.
        journal: path of the SQLite journal. When it holds a run of the same import, this call resumes
            it: rows of journaled chunks are skipped (and checked against the journal), accepted tasks
            are waited for and never sent again, chunks left *sending* become *unknown*. ``None``: a
            temporary journal, deleted with the report.
        input_id: an identity of the input (e.g. :func:`file_fingerprint`); a resume with another is
            refused. Without it, the re-read rows' digests still must match.
        concurrency: requests (chunks) in flight at once; as many task waits run besides.
        on_progress: called with a :class:`Progress` after each chunk is journaled or settles.
        resend_unknown: send again the chunks a previous run left *unknown*: their rows may be
            launched twice (logged as a warning).
        max_items / max_bytes: chunk limits (at most the documented 10,000 items and 10 MB less room
            for the root fields), measured in the client's format.
        max_attempts: sends of a chunk that failed before reaching the server (with backoff).
        plain_rows: the rows are JSON-shaped data already (dicts, lists, str, int, float, bool, None, as
            ``orjson.loads`` gives them; no models): their conversion is skipped, and JSON batches are
            validated a chunk at a time, row by row only in a chunk that fails (much less CPU; a chunk
            with rows refused locally then sends fewer than ``max_items``).
        task_timeout: seconds to wait for each task; a task still running stays *pending*.
        results: write one record per row there (CSV if it ends in ``.csv``, else JSON lines).

    Returns an :class:`ImportReport`. Ctrl-C stops reading, lets the requests in flight settle (a
    second Ctrl-C leaves them *sending*, i.e. *unknown* on resume) and raises
    :class:`ImportInterrupted` carrying the report.
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
    return _SyncRun(client, driver, concurrency, task_timeout).run(rows, waits, results)


class _SyncRun:
    def __init__(self, client: Altcraft, driver: Driver, concurrency: int, task_timeout: float) -> None:
        self.client = client
        self.driver = driver
        self.core = driver.core
        self.concurrency = concurrency
        self.task_timeout = task_timeout
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.cancel = threading.Event()
        self.senders = ThreadPoolExecutor(concurrency, thread_name_prefix="altcraft-bulk-send")
        self.waiters = ThreadPoolExecutor(concurrency, thread_name_prefix="altcraft-bulk-wait")
        self.sigint = False

    def run(
        self, rows: Iterable[Any], waits: list[tuple[int, str]], results: str | os.PathLike[str] | None
    ) -> ImportReport:
        with self._sigint_noted():
            return self._run(rows, waits, results)

    def _run(
        self, rows: Iterable[Any], waits: list[tuple[int, str]], results: str | os.PathLike[str] | None
    ) -> ImportReport:
        core = self.core
        input_done = False
        try:
            try:
                for chunk_id, task_id in waits:
                    self.waiters.submit(self._wait, chunk_id, task_id)
                for chunk in core.plan(rows):
                    if self.driver.begin(chunk):
                        self.senders.submit(self._send, chunk, self.driver.send_delay())
                    self.driver.progress()
                    while core.in_flight >= self.concurrency:
                        self._handle(self.events.get())
                    self._drain()
                    if core.stopped:
                        break
                    self._check_interrupt()
                else:
                    input_done = True
                self._settle()
            except KeyboardInterrupt:
                self._interrupt()
                report = self.driver.report(input_done=False, results=results)
                raise ImportInterrupted(report) from None
            except BaseException:
                try:
                    self._interrupt()  # e.g. the input raised: settle what is in flight, then re-raise
                finally:
                    self.driver.journal.unlock()  # no report follows: the run is over
                raise
        finally:
            self.senders.shutdown(wait=False, cancel_futures=True)
            self.waiters.shutdown(wait=False, cancel_futures=True)
        return self.driver.report(input_done=input_done, results=results)

    def _interrupt(self) -> None:
        self.core.stop("interrupted")
        self.cancel.set()
        # A second Ctrl-C gives up on the chunks still in flight: they stay "sending" (unknown on resume).
        with contextlib.suppress(KeyboardInterrupt):
            self._settle()

    def _settle(self) -> None:
        while self.core.in_flight or self.core.waiting:
            self._handle(self.events.get())

    def _drain(self) -> None:
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            self._handle(event)

    def _handle(self, event: Event) -> None:
        if event.kind == "wake":
            self._check_interrupt()
            return
        step = self.driver.handle(event)
        if step.action == "retry":
            self.senders.submit(self._send, self.driver.chunks[event.chunk_id], step.delay)
        elif step.action == "wait":
            assert step.task_id is not None
            self.waiters.submit(self._wait, event.chunk_id, step.task_id)
        self.driver.progress()
        self._check_interrupt()

    # -- Ctrl-C --------------------------------------------------------------------------------------------
    def _check_interrupt(self) -> None:
        """Raise the Ctrl-C noted by the signal handler here, between two steps, never inside one."""
        if self.sigint and not self.cancel.is_set():
            raise KeyboardInterrupt

    def _on_sigint(self, signum: int, frame: object) -> None:
        if self.sigint or self.cancel.is_set():
            raise KeyboardInterrupt  # the second Ctrl-C: give up on the requests in flight
        self.sigint = True
        self.events.put(Event("wake", 0))

    @contextlib.contextmanager
    def _sigint_noted(self) -> Iterator[None]:
        """In the main thread, Ctrl-C is noted and acted on between steps (the journal stays consistent)."""
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

    # -- in the worker threads -----------------------------------------------------------------------------
    def _send(self, chunk: Chunk, delay: float) -> None:
        # Interrupted before the request left (a queued send, a retry waiting out its delay): not sent.
        if (delay > 0 and self.cancel.wait(delay)) or self.cancel.is_set():
            self.events.put(Event("abandon", chunk.id))
            return
        outcome: Outcome
        try:
            answer = self.client.request(self.driver.target.operation, chunk.body(self.driver.target), plain=True)
            outcome = self.driver.outcome_of(answer)
        except Exception as exc:
            outcome = classify_send_error(exc)
        self.events.put(Event("sent", chunk.id, outcome))

    def _wait(self, chunk_id: int, task_id: str) -> None:
        outcome: Outcome
        if self.cancel.is_set():
            self.events.put(Event("waited", chunk_id, StillRunning("waiting was interrupted")))
            return
        try:
            # wait_task's own loop, with the final status as decoded JSON: its ids are read, no model built
            status = wait_decoded(self.client, task_id, PollSettings(self.task_timeout), self.cancel)
            outcome = profile_ids(status)
        except Exception as exc:
            outcome = classify_wait_error(exc)
        self.events.put(Event("waited", chunk_id, outcome))
