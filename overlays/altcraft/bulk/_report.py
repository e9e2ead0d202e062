"""The outcome of a bulk import: counts per row state, and one record per row read from the journal."""

from __future__ import annotations

import csv
import os
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

from ._journal import Journal
from ._states import Counts, decode_ids, decode_local

__all__ = ["ImportReport", "RowResult", "RowState", "write_results"]

RowState = Literal["imported", "rejected", "unknown", "unconfirmed", "pending"]

_ROW_STATE: dict[str, RowState] = {
    "done": "imported",
    "rejected": "rejected",
    "unknown": "unknown",
    "unconfirmed": "unconfirmed",
    "sending": "pending",
    "accepted": "pending",
    "unsent": "pending",
}


@dataclass(frozen=True)
class RowResult:
    """One input row: ``row`` (1-based), ``state``, ``profile_id`` (when imported), ``reason`` (otherwise).

    ``field`` names the first offending field of a row rejected by local validation.
    """

    row: int
    state: RowState
    profile_id: str | None = None
    reason: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "state": self.state, "profile_id": self.profile_id, "reason": self.reason}


class ImportReport:
    """What a ``bulk_import`` did, over all its runs (the journal is the record).

    Every row read is in exactly one state: ``imported`` (with its profile id), ``rejected`` (locally
    by validation, or by the server), ``unknown`` (sent, outcome not known), ``unconfirmed`` (the server
    listed fewer profiles than were sent), or ``pending`` (a task still running, or a chunk not sent
    because the run stopped: the next run with the same journal finishes them, safely).
    ``complete`` is true when nothing is pending and the input was read to its end. ``chunks`` is the
    number of chunks journaled over all runs (one request each, when anything of it was sent).
    ``rows_read`` and ``rows_sent`` are this run's: the rows it read from the input (those of journaled
    chunks included, as it re-reads them to check them) and the rows it sent (as ``Progress.rows_sent``;
    0: this run sent nothing).
    """

    def __init__(
        self,
        journal: Journal,
        *,
        rows_read: int,
        rows_sent: int = 0,
        input_done: bool,
        stopped: str | None,
        elapsed: float,
    ) -> None:
        self._journal = journal
        journal.unlock()  # the run is over: the journal is only read from here on
        counts = journal.counts()
        self.counts: Counts = counts
        self.imported = counts.imported
        self.rejected = counts.rejected
        self.unknown = counts.unknown
        self.unconfirmed = counts.unconfirmed
        self.pending = counts.pending
        self.rows = counts.total()
        self.chunks = journal.chunk_count()
        self.rows_read = rows_read
        self.rows_sent = rows_sent
        self.stopped = stopped
        self.complete = input_done and counts.pending == 0 and stopped is None
        self.elapsed = elapsed
        self.journal_path: Path | None = None if journal.temporary else journal.path
        if journal.temporary:
            self._finalizer = weakref.finalize(self, journal.remove)
        else:
            self._finalizer = weakref.finalize(self, journal.close)

    def __repr__(self) -> str:
        return (
            f"ImportReport(rows={self.rows}, imported={self.imported}, rejected={self.rejected}, "
            f"unknown={self.unknown}, unconfirmed={self.unconfirmed}, pending={self.pending}, "
            f"complete={self.complete})"
        )

    def close(self) -> None:
        """Release the journal (a temporary one is deleted; after this, :meth:`results` is unavailable)."""
        self._finalizer()

    def results(self) -> Iterator[RowResult]:
        """One record per row, in row order, read from the journal (not held in memory)."""
        for first, count, sent, state, task_id, local_blob, result, reason in self._journal.chunks():
            local = {row: (f, m) for row, f, m in decode_local(local_blob)}
            row_state = _ROW_STATE.get(state, "unknown")
            ids = decode_ids(result) if state == "done" else []
            why = reason
            if row_state == "pending" and task_id:
                why = f"task {task_id} not finished; run the import again with the same journal to wait for it"
            elif state == "sending":  # left in flight by a second Ctrl-C: it may have been processed
                why = (
                    "its request was in flight when the run stopped and may have been processed; the next run with "
                    "the same journal takes it as unknown and never sends it again"
                )
            elif row_state == "pending":
                why = (reason or "not sent") + "; run the import again with the same journal to send it"
            i = 0
            for row in range(first, first + count):
                refused = local.get(row)
                if refused is not None:
                    yield RowResult(row, "rejected", None, f"refused before sending: {refused[1]}", refused[0])
                    continue
                if row_state == "imported":
                    yield RowResult(row, "imported", ids[i], None)
                else:
                    yield RowResult(row, row_state, None, why)
                i += 1
            if i != sent:
                raise RuntimeError(f"journal: chunk at row {first} has {i} sent rows, recorded {sent}")

    def write(self, path: str | os.PathLike[str]) -> int:
        """Write one record per row (``row``, ``state``, ``profile_id``, ``reason``): CSV when ``path``
        ends in ``.csv``, else JSON lines. Returns the number of records written."""
        return write_results(path, self.results())


def write_results(path: str | os.PathLike[str], results: Iterable[RowResult], *, with_field: bool = False) -> int:
    """Write ``results`` (streamed) as :meth:`ImportReport.write` does, and with ``with_field`` a last
    ``field`` column (the offending field of a row rejected locally). Returns the number written."""
    target = Path(path)
    n = 0
    if target.suffix.lower() == ".csv":
        with target.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "state", "profile_id", "reason", *(["field"] if with_field else [])])
            for r in results:
                extra = [r.field or ""] if with_field else []
                writer.writerow([r.row, r.state, r.profile_id or "", r.reason or "", *extra])
                n += 1
    else:
        with target.open("wb") as fb:
            for r in results:
                record = {**r.as_dict(), "field": r.field} if with_field else r.as_dict()
                fb.write(orjson.dumps(record) + b"\n")
                n += 1
    return n
