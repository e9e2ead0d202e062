"""What the sync and async shells share: opening the journal, applying the core's steps, the report."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._core import ImportCore
from ._journal import Journal
from ._outcomes import Accepted, Outcome, Unknown, profile_ids
from ._report import ImportReport
from ._rows import Chunk
from ._states import Progress, Step
from ._target import Target, make_target

__all__ = ["DEFAULT_MAX_ITEMS", "Driver", "Event", "ImportInterrupted", "ImportOptions", "PathLike", "open_driver"]

logger = logging.getLogger("altcraft.bulk")

DEFAULT_MAX_ITEMS = 1_000  # a lost answer makes at most this many rows unknown


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sync ``bulk_import``; the journal is consistent and ``report`` says where it stood.

    Run the import again with the same journal (and the same input) to carry on.
    """

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"bulk import interrupted: {report!r}")
        self.report = report


@dataclass(frozen=True)
class Event:
    """A finished piece of I/O: a send (``sent``), a task wait (``waited``) or a retry not made (``abandon``)."""

    kind: str
    chunk_id: int
    outcome: Outcome | None = None


class Driver:
    """Applies the core's decisions to the journal; the shells do the sending and waiting."""

    def __init__(
        self,
        core: ImportCore,
        journal: Journal,
        on_progress: Callable[[Progress], Any] | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.core = core
        self.journal = journal
        self.on_progress = on_progress
        self.clock = clock
        self.started = clock()
        self.chunks: dict[int, Chunk] = {}  # chunks whose request is not settled (kept for retries)

    @property
    def target(self) -> Target:
        return self.core.target

    def begin(self, chunk: Chunk) -> bool:
        """Journal the chunk (committed) before its request leaves; whether there is anything to send."""
        write = self.core.begin(chunk)
        try:
            self.journal.apply(write)
        except BaseException:
            # Not journaled, so not sent: the chunk must not count as in flight (settling would wait for it
            # forever). The exception (disk full, a locked journal) ends the import.
            if chunk.items:
                self.core.abandon(chunk.id, "not journaled")
            raise
        if chunk.items:
            self.chunks[chunk.id] = chunk
        return bool(chunk.items)

    def send_delay(self) -> float:
        """How long a new request waits (a Retry-After in force)."""
        return max(0.0, self.core.pause_until - self.clock())

    def outcome_of(self, answer: Any) -> Outcome:
        """What the decoded JSON of a send's success answer says about its chunk."""
        if self.target.task:
            task_id = answer.get("task_id") if isinstance(answer, dict) else None
            if isinstance(task_id, str) and task_id:
                return Accepted(task_id)
            return Unknown("the task was accepted, but the answer gives no task id to wait for")
        return profile_ids(answer)

    def handle(self, event: Event) -> Step:
        """Record one finished piece of I/O; the returned step says what the shell does next.

        The shell acts on the step, then calls :meth:`progress` (a callback that raises cannot lose it).
        """
        core = self.core
        if event.kind == "abandon":
            self.journal.apply(core.abandon(event.chunk_id, "interrupted before the retry was sent"))
            self.chunks.pop(event.chunk_id, None)
            step = Step(None, "done")
        else:
            assert event.outcome is not None
            if event.kind == "sent":
                step = core.sent(event.chunk_id, event.outcome, self.clock())
            else:
                step = core.waited(event.chunk_id, event.outcome)
            if step.write is not None:
                self.journal.apply(step.write)
            if step.action != "retry":
                self.chunks.pop(event.chunk_id, None)  # rows sent or settled: no longer held
            if step.action == "stop":
                logger.error("bulk import stops reading: %s", step.reason)
        return step

    def progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.core.progress())

    def input_read(self) -> None:
        """The input was read to its end (said to ``on_progress``): what remains is settling and waiting."""
        self.core.input_done = True
        self.progress()

    def report(self, *, interrupted: bool, results: PathLike | None) -> ImportReport:
        core = self.core
        report = ImportReport(
            self.journal,
            rows_read=core.rows_read,
            rows_sent=core.rows_sent,
            input_done=core.input_done and not interrupted and core.stopped is None,
            stopped=core.stopped,
            elapsed=self.clock() - self.started,
        )
        if results is not None:
            report.write(results)
        return report


PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class ImportOptions:
    """The arguments of one :func:`~altcraft.bulk.bulk_import` call (see there), as they travel on."""

    trigger_id: int | None = None
    workflow_id: int | None = None
    db_id: int | None = None
    task: bool = True
    matching: str | None = None
    params: Mapping[str, Any] | None = None
    journal: PathLike | None = None
    input_id: str | None = None
    concurrency: int = 4
    on_progress: Callable[[Progress], Any] | None = None
    resend_unknown: bool = False
    max_items: int = DEFAULT_MAX_ITEMS
    max_bytes: int | None = None
    max_attempts: int = 6
    plain_rows: bool = False
    task_timeout: float = 3600.0
    results: PathLike | None = None

    def target(self) -> Target:
        """What the import sends, and with which root fields (:class:`InvalidInput` if that is wrong)."""
        return make_target(
            trigger_id=self.trigger_id,
            workflow_id=self.workflow_id,
            db_id=self.db_id,
            task=self.task,
            matching=self.matching,
            params=self.params,
        )


def open_driver(format: str, options: ImportOptions) -> tuple[Driver, list[tuple[int, str]]]:
    """Check the arguments, open (or resume) the journal; the driver and the tasks to wait for."""
    if options.concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    target = options.target()
    j = Journal(options.journal)
    try:
        journaled = j.open_run(target.key(), options.input_id)
        kwargs: dict[str, Any] = {} if options.max_bytes is None else {"max_bytes": options.max_bytes}
        core = ImportCore(
            target,
            format=format,
            max_items=options.max_items,
            journaled=journaled,
            resend_unknown=options.resend_unknown,
            max_attempts=options.max_attempts,
            plain_rows=options.plain_rows,
            **kwargs,
        )
        writes, waits, resend = core.startup()
        for w in writes:
            j.apply(w)
    except BaseException:
        j.remove() if j.temporary else j.close()
        raise
    if journaled:
        logger.info(
            "resuming the import journaled in %s: %d chunk(s), %d task(s) to wait for, %d chunk(s) to send again",
            j.path,
            len(journaled),
            len(waits),
            len(resend),
        )
    unknown = [c for c in resend if c.state in ("unknown", "sending")]
    if unknown:
        rows = sum(c.sent_count for c in unknown)
        ranges = ", ".join(f"{c.first_row}-{c.first_row + c.row_count - 1}" for c in unknown[:20])
        logger.warning(
            "resend_unknown: sending again %d chunk(s) (%d rows; rows %s%s) whose outcome is unknown: "
            "those rows may be imported and launched TWICE",
            len(unknown),
            rows,
            ranges,
            ", ..." if len(unknown) > 20 else "",
        )
    return Driver(core, j, options.on_progress), waits
