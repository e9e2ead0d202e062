"""What the sync and async shells share: opening the journal, applying the core's steps, the report."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ._core import (
    MAX_ITEMS,
    Accepted,
    Chunk,
    ImportCore,
    Outcome,
    Progress,
    Step,
    Target,
    Unknown,
    make_target,
    profile_ids,
)
from ._journal import Journal
from ._report import ImportReport

__all__ = ["DEFAULT_MAX_ITEMS", "Driver", "Event", "ImportInterrupted", "open_driver"]

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

    def report(self, *, input_done: bool, results: str | os.PathLike[str] | None) -> ImportReport:
        core = self.core
        report = ImportReport(
            self.journal,
            rows_read=core.rows_read,
            input_done=input_done and core.stopped is None,
            stopped=core.stopped,
            elapsed=self.clock() - self.started,
        )
        if results is not None:
            report.write(results)
        return report


def open_driver(
    *,
    format: str,
    trigger_id: int | None,
    workflow_id: int | None,
    db_id: int | None,
    task: bool,
    matching: str | None,
    params: Mapping[str, Any] | None,
    journal: str | os.PathLike[str] | None,
    input_id: str | None,
    resend_unknown: bool,
    max_items: int,
    max_bytes: int | None,
    max_attempts: int,
    plain_rows: bool = False,
    concurrency: int,
    on_progress: Callable[[Progress], Any] | None,
) -> tuple[Driver, list[tuple[int, str]]]:
    """Check the arguments, open (or resume) the journal; the driver and the tasks to wait for."""
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    if max_items > MAX_ITEMS:
        raise ValueError(f"max_items must be at most {MAX_ITEMS} (the documented limit)")
    target = make_target(
        trigger_id=trigger_id, workflow_id=workflow_id, db_id=db_id, task=task, matching=matching, params=params
    )
    j = Journal(journal)
    try:
        journaled = j.open_run(target.key(), input_id)
        kwargs: dict[str, Any] = {} if max_bytes is None else {"max_bytes": max_bytes}
        core = ImportCore(
            target,
            format=format,
            max_items=max_items,
            journaled=journaled,
            resend_unknown=resend_unknown,
            max_attempts=max_attempts,
            plain_rows=plain_rows,
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
    return Driver(core, j, on_progress), waits
