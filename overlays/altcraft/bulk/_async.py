"""The asyncio bulk import, ``abulk_import``: the source of the sync ``bulk_import``.

scripts/generate writes ``_sync.py`` from this file (scripts/gen_sync.py renames its tokens): edit
this one. The caller's task (or thread) reads rows, journals and decides (``_run.Driver``); the sends
and task waits run beside it, in the crew of ``altcraft._concurrency`` (asyncio tasks, or threads). The
journal is written by the caller only: one short SQLite commit per change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._async_client import async_wait_decoded
from .._concurrency import AsyncCancelled, AsyncCrew
from .._polling import PollSettings
from ._outcomes import Outcome, StillRunning, Unknown, classify_send_error, classify_wait_error, profile_ids
from ._report import ImportReport
from ._rows import Chunk
from ._run import DEFAULT_MAX_ITEMS, Driver, Event, ImportInterrupted, ImportOptions, PathLike, open_driver
from ._states import Progress

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
    journal: PathLike | None = None,
    input_id: str | None = None,
    concurrency: int = 4,
    on_progress: Callable[[Progress], Any] | None = None,
    resend_unknown: bool = False,
    max_items: int = DEFAULT_MAX_ITEMS,
    max_bytes: int | None = None,
    max_attempts: int = 6,
    plain_rows: bool = False,
    task_timeout: float = 3600.0,
    results: PathLike | None = None,
) -> ImportReport:
    """Import a large set of profiles and launch a trigger or workflow for them, resumably.

    Args:
        client: the :class:`~altcraft.AsyncAltcraft` client to send with (its ``format`` is used).
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

    Returns an :class:`ImportReport`. Cancelling the awaiting task stops reading, cancels task waits
    and retries not yet sent, lets the requests in flight settle (cancelling it again leaves them
    *sending*, i.e. *unknown* on resume), leaves the journal consistent and re-raises
    ``CancelledError``; run it again with the same journal to carry on.
    """
    options = ImportOptions(
        trigger_id=trigger_id,
        workflow_id=workflow_id,
        db_id=db_id,
        task=task,
        matching=matching,
        params=params,
        journal=journal,
        input_id=input_id,
        concurrency=concurrency,
        on_progress=on_progress,
        resend_unknown=resend_unknown,
        max_items=max_items,
        max_bytes=max_bytes,
        max_attempts=max_attempts,
        plain_rows=plain_rows,
        task_timeout=task_timeout,
        results=results,
    )
    driver, waits = open_driver(client.format, options)
    return await AsyncRun(client, driver, options).run(rows, waits)


class AsyncRun:
    """One run of an import: the caller's loop, and the sends and waits of its crew."""

    def __init__(self, client: AsyncAltcraft, driver: Driver, options: ImportOptions) -> None:
        self.client = client
        self.driver = driver
        self.core = driver.core
        self.options = options
        self.crew: AsyncCrew[Event] = AsyncCrew(options.concurrency, wake=Event("wake", 0))

    async def run(self, rows: Iterable[Any], waits: list[tuple[int, str]]) -> ImportReport:
        """Send every chunk of ``rows``, wait for ``waits`` and every new task; the report."""
        core, results = self.core, self.options.results
        with self.crew.running():
            try:
                for chunk_id, task_id in waits:
                    self.crew.start_wait(self._wait, chunk_id, task_id)
                for chunk in core.plan(rows):
                    if self.driver.begin(chunk):
                        self.crew.start_send(self._send, chunk, self.driver.send_delay())
                    self.driver.progress()
                    while core.in_flight >= self.options.concurrency:
                        self._handle(await self.crew.next_event())
                    self._drain()
                    if core.stopped:
                        break
                    await self.crew.checkpoint()
                else:
                    self.driver.input_read()
                await self._settle()
            except KeyboardInterrupt:
                await self._interrupt()
                report = self.driver.report(interrupted=True, results=results)
                raise ImportInterrupted(report) from None
            except BaseException:
                try:
                    await self._interrupt()  # e.g. the input raised: settle what is in flight, then re-raise
                finally:
                    self.driver.journal.unlock()  # no report follows: the run is over
                raise
        return self.driver.report(interrupted=False, results=results)

    async def _interrupt(self) -> None:
        self.core.stop("interrupted")
        self.crew.cancel()
        try:
            await self._settle()
        except AsyncCancelled:
            # Interrupted again: give up on the chunks still in flight; they stay "sending" (unknown on resume).
            self.crew.give_up()

    async def _settle(self) -> None:
        while self.core.in_flight or self.core.waiting:
            self._handle(await self.crew.next_event())

    def _drain(self) -> None:
        for event in self.crew.ready():
            self._handle(event)

    def _handle(self, event: Event) -> None:
        if event.kind == "wake":
            self.crew.check_interrupt()
            return
        step = self.driver.handle(event)
        if step.action == "retry":
            self.crew.start_send(self._send, self.driver.chunks[event.chunk_id], step.delay)
        elif step.action == "wait":
            assert step.task_id is not None
            self.crew.start_wait(self._wait, event.chunk_id, step.task_id)
        self.driver.progress()
        self.crew.check_interrupt()

    # -- beside the caller ---------------------------------------------------------------------------------
    async def _send(self, chunk: Chunk, delay: float) -> None:
        # Interrupted before the request left (a queued send, a retry waiting out its delay): not sent.
        if await self.crew.pause(delay):
            self.crew.put(Event("abandon", chunk.id))
            return
        outcome: Outcome
        try:
            answer = await self.client.request(self.driver.target.operation, chunk.body(self.driver.target), plain=True)
            outcome = self.driver.outcome_of(answer)
        except AsyncCancelled:
            self.crew.put(Event("sent", chunk.id, Unknown("cancelled while the request was in flight")))
            raise
        except Exception as exc:
            outcome = classify_send_error(exc)
        self.crew.put(Event("sent", chunk.id, outcome))

    async def _wait(self, chunk_id: int, task_id: str) -> None:
        outcome: Outcome
        try:
            async with self.crew.waiting(task_id):
                # wait_task's own loop, with the final status as decoded JSON: its ids are read, no model built
                settings = PollSettings(self.options.task_timeout)
                status = await async_wait_decoded(self.client, task_id, settings, self.crew.wait_cancel)
            outcome = profile_ids(status)
        except AsyncCancelled:
            outcome = StillRunning("waiting was cancelled")
        except Exception as exc:
            outcome = classify_wait_error(exc)
        self.crew.put(Event("waited", chunk_id, outcome))
