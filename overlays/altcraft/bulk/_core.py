"""The sans-I/O core of a bulk import: chunking, row states and journal transitions, with no I/O.

The sync and async shells (``_sync``, ``_async``) read rows through :meth:`ImportCore.plan`, write each
:class:`Write` the core returns to the journal, send what it tells them to, and hand every answer back as
an :class:`Outcome`. All decisions (what a chunk holds, which answer means what, when to retry, wait or
stop, how rows are counted) are made here, once, for both shells.

Chunk states (in the journal):

* ``sending``   recorded before the request leaves; left over after a crash it becomes ``unknown``;
* ``accepted``  a task was accepted (``task_id``); resume waits for it and never sends it again;
* ``done``      imported; the server listed one profile per row sent (``result`` holds their ids);
* ``unconfirmed`` the server listed fewer profiles than were sent: no row is claimed as imported;
* ``rejected``  the server refused the request (its code and text in ``reason``);
* ``unknown``   sent, outcome not known (dropped connection, timeout, 5xx); re-sent only with
  ``resend_unknown``;
* ``unsent``    proven not processed (connection refused after retries, 401/402/403/429): resume
  sends it again, safely.

A chunk covers a contiguous range of input rows; the rows that failed local validation stay in the
range (with row, field and reason) and are not sent.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from .._backoff import Backoff
from .._limits import DEFAULT_CHUNK_BYTES, RECOMMENDED_ITEMS, check_chunk_limits
from ._outcomes import Accepted, Imported, NotSent, Outcome, Refused, StillRunning, Unknown
from ._rows import BLOCK_ROWS, Chunk, ChunkBuilder, plain_block, plain_row
from ._states import FINAL_STATES, Counts, JournalChunk, JournalMismatch, Progress, Step, Write, encode_ids
from ._target import Target

__all__ = ["ImportCore"]


@dataclass
class _Live:
    state: str
    sent_count: int
    attempts: int  # requests of this chunk over all runs (journaled)
    task_id: str | None = None
    tries: int = 1  # sends of this chunk in this run (retries of "not sent")


@dataclass
class ImportCore:
    """Decides everything about one run of an import; the shells only do what it says.

    ``journaled`` are the chunks of an earlier run of the same import (resume), in row order.
    """

    target: Target
    format: str = "json"
    max_items: int = RECOMMENDED_ITEMS
    max_bytes: int = DEFAULT_CHUNK_BYTES
    journaled: list[JournalChunk] = field(default_factory=list)
    resend_unknown: bool = False
    max_attempts: int = 6
    # Rows are JSON-shaped already (no models): to_plain is skipped, and batches in JSON are validated a
    # chunk at a time (rows refused locally then still count towards their chunk's max_items).
    plain_rows: bool = False
    backoff: float = 0.5
    max_backoff: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    counts: Counts = field(default_factory=Counts)
    rows_read: int = 0
    rows_sent: int = 0
    input_done: bool = False  # the input was read to its end
    stopped: str | None = None
    reached: bool = False  # the server answered a request of this run (or accepted a task of an earlier one)
    pause_until: float = 0.0

    def __post_init__(self) -> None:
        check_chunk_limits(self.max_items, self.max_bytes, bounded_by="bulk_import")
        self._builder = ChunkBuilder(self.target, self.format, self.max_items, self.max_bytes)
        self._builder.by_chunk = self.plain_rows and self._builder.json and not self.target.per_row
        self._live: dict[int, _Live] = {}
        self._next_id = max((c.id for c in self.journaled), default=0) + 1
        self._resend_ids: set[int] = set()
        self.in_flight = 0
        self.waiting = 0

    # -- resume ------------------------------------------------------------------------------------------
    def startup(self) -> tuple[list[Write], list[tuple[int, str]], list[JournalChunk]]:
        """Journal fixes, tasks to wait for, and chunks that will be sent again, at the start of a run.

        Chunks left ``sending`` become ``unknown`` (their request may have left). ``accepted`` chunks are
        waited for by task id, never sent again. ``unsent`` chunks are sent again (proven not processed);
        ``unknown`` chunks only with ``resend_unknown``.
        """
        writes: list[Write] = []
        waits: list[tuple[int, str]] = []
        resend: list[JournalChunk] = []
        for c in self.journaled:
            state = c.state
            self.counts.add(state, c.sent_count)
            self.counts.rejected += c.row_count - c.sent_count
            if state == "sending":
                writes.append(
                    self._move(
                        c.id,
                        _Live(state, c.sent_count, c.attempts),
                        "unknown",
                        reason="interrupted while sending: the request may have been processed",
                    )
                )
                state = "unknown"
            if state == "accepted" and c.task_id:
                self._live[c.id] = _Live("accepted", c.sent_count, c.attempts, c.task_id)
                self.waiting += 1
                waits.append((c.id, c.task_id))
            elif state == "unsent" or (state == "unknown" and self.resend_unknown):
                self._live[c.id] = _Live(state, c.sent_count, c.attempts)
                resend.append(c)
        self._resend_ids = {c.id for c in resend}
        return writes, waits, resend

    # -- reading -----------------------------------------------------------------------------------------
    def plan(self, rows: Iterable[Any]) -> Iterator[Chunk]:
        """The chunks to send, read from ``rows`` (streamed).

        Rows of journaled chunks are re-read and checked against the journal's digests (a different input
        raises :class:`JournalMismatch`); of those only the chunks to send again are yielded. New rows
        follow in new chunks. Reading stops when the core is :attr:`stopped`.
        """
        it = iter(rows)
        row_no = 0
        for jc in self.journaled:
            resend = jc.id in self._resend_ids
            h = hashlib.blake2b(digest_size=16)
            items: list[dict[str, Any]] = []
            local: list[tuple[int, str, str]] = []
            for _ in range(jc.row_count):
                try:
                    raw = next(it)
                except StopIteration:
                    raise JournalMismatch(
                        f"the input ends at row {row_no}, but the journal has rows up to "
                        f"{jc.first_row + jc.row_count - 1}: not the input of this journal"
                    ) from None
                row_no += 1
                self.rows_read += 1
                plain, encoded = plain_row(raw)
                h.update(encoded + b"\n")
                if resend:
                    item, problem, _ = self._builder.accept(plain, encoded)
                    if item is not None:
                        items.append(item)
                    elif problem is not None:
                        local.append((row_no, *problem))
            if h.digest() != jc.digest:
                raise JournalMismatch(
                    f"rows {jc.first_row}-{jc.first_row + jc.row_count - 1} differ from those the journal "
                    "recorded: not the input of this journal"
                )
            if resend:
                if len(items) != jc.sent_count:
                    raise JournalMismatch(f"chunk {jc.id}: the rows validate differently than when journaled")
                yield Chunk(jc.id, jc.first_row, jc.row_count, items, local, jc.digest, resend=True)
            if self.stopped:
                return
        yield from self._new_chunks(it, row_no)

    def _new_chunks(self, it: Iterator[Any], row_no: int) -> Iterator[Chunk]:
        b = self._builder
        fast = self.plain_rows and b.by_chunk
        first = row_no + 1
        items: list[dict[str, Any]] = []
        item_rows: list[int] = []  # by_chunk: the row of each item, checked when the chunk closes
        local: list[tuple[int, str, str]] = []
        size = 2
        h = hashlib.blake2b(digest_size=16)
        item: dict[str, Any] | None
        problem: tuple[str, str] | None
        # Rows are taken up to BLOCK_ROWS at a time, never more than the open chunk has room for (so reading
        # stops where the row-by-row reading would, give or take the rows of a chunk cut by its bytes). A
        # block of plain objects (the common case: JSON lines of a batch import) is placed with list
        # operations (its rows encoded at once, the chunk cut found on the running sum of their sizes); any
        # other block row by row. The chunks are the same either way.
        while True:
            block = list(itertools.islice(it, min(BLOCK_ROWS, max(1, b.max_items - len(items)))))
            if not block:
                break
            placed = plain_block(block, b.max_bytes) if fast else None
            if placed is not None:
                joined, ends = placed
                pos = 0
                while pos < len(block):
                    room = b.max_items - len(items)
                    take = min(room, len(block) - pos)
                    start = ends[pos - 1] if pos else 0
                    fits = bisect.bisect_right(ends, start + b.max_bytes - size, pos, pos + take) - pos
                    if fits == 0 and not items:
                        fits = 1  # a chunk holds at least one row
                    if fits:
                        end = pos + fits
                        items += block[pos:end]
                        item_rows += range(row_no + pos + 1, row_no + end + 1)
                        h.update(joined[start : ends[end - 1]])
                        size += ends[end - 1] - start
                        self.rows_read += fits
                        pos = end
                    if pos < len(block):  # the chunk is full: the next row starts a new one
                        last = row_no + pos
                        yield self._chunk(first, last - first + 1, items, item_rows, local, h.digest())
                        if self.stopped:
                            return
                        first, items, item_rows, local, size = last + 1, [], [], [], 2
                        h = hashlib.blake2b(digest_size=16)
                row_no += len(block)
                continue
            for raw in block:
                row_no += 1
                self.rows_read += 1
                plain, encoded = plain_row(raw)
                if fast and type(plain) is dict and len(encoded) < b.max_bytes:
                    item, problem, n = plain, None, len(encoded) + 1  # validated with its chunk
                else:
                    item, problem, n = b.accept(plain, encoded)
                if item is not None and items and (len(items) >= b.max_items or size + n > b.max_bytes):
                    yield self._chunk(first, row_no - first, items, item_rows, local, h.digest())
                    if self.stopped:
                        return
                    first, items, item_rows, local, size = row_no, [], [], [], 2
                    h = hashlib.blake2b(digest_size=16)
                h.update(encoded + b"\n")
                if item is not None:
                    items.append(item)
                    item_rows.append(row_no)
                    size += n
                elif problem is not None:
                    local.append((row_no, *problem))
        if row_no >= first:
            yield self._chunk(first, row_no - first + 1, items, item_rows, local, h.digest())

    def _chunk(
        self,
        first: int,
        count: int,
        items: list[dict[str, Any]],
        item_rows: list[int],
        local: list[tuple[int, str, str]],
        digest: bytes,
    ) -> Chunk:
        b = self._builder
        if b.by_chunk and items and not b.chunk_valid(items):
            kept: list[dict[str, Any]] = []
            for row, row_data in zip(item_rows, items, strict=True):
                item, problem, _ = b.accept(row_data, b"")  # the size was checked as the row was read
                if item is not None:
                    kept.append(item)
                elif problem is not None:
                    local.append((row, *problem))
            items = kept
            local.sort()
        chunk = Chunk(self._next_id, first, count, items, local, digest)
        self._next_id += 1
        return chunk

    # -- transitions -------------------------------------------------------------------------------------
    def _move(self, chunk_id: int, live: _Live, state: str, **kwargs: Any) -> Write:
        if live.state != state:
            self.counts.add(live.state, -live.sent_count)
            self.counts.add(state, live.sent_count)
        live.state = state
        if state in FINAL_STATES:
            self._live.pop(chunk_id, None)
        return Write(chunk_id, state, **kwargs)

    def begin(self, chunk: Chunk) -> Write:
        """The journal record committed before the chunk's request leaves (``done`` if nothing is sent)."""
        if chunk.resend:
            live = self._live[chunk.id]
            live.attempts += 1
            live.tries = 1
            self.in_flight += 1
            self.rows_sent += chunk.sent_count
            return self._move(chunk.id, live, "sending", attempts=live.attempts)
        self.counts.rejected += len(chunk.local)
        state = "sending" if chunk.items else "done"
        self.counts.add(state, chunk.sent_count)
        if chunk.items:
            self._live[chunk.id] = _Live("sending", chunk.sent_count, 1)
            self.in_flight += 1
            self.rows_sent += chunk.sent_count
        return Write(chunk.id, state, insert=chunk, attempts=1 if chunk.items else 0)

    def sent(self, chunk_id: int, outcome: Outcome, now: float) -> Step:
        """The answer to a chunk's request (or the exception it raised, classified)."""
        live = self._live[chunk_id]
        if not (isinstance(outcome, NotSent) and outcome.unreached):
            self.reached = True
        if isinstance(outcome, NotSent) and self._resend(live, outcome):
            live.tries += 1
            live.attempts += 1
            delay = self._delay(live.tries, outcome.retry_after)
            self.pause_until = max(self.pause_until, now + delay)
            return Step(Write(chunk_id, "sending", attempts=live.attempts), "retry", delay=delay)
        self.in_flight -= 1
        if isinstance(outcome, Unknown) and outcome.retry_after is not None:
            self.pause_until = max(self.pause_until, now + outcome.retry_after)
        if isinstance(outcome, Accepted):
            live.task_id = outcome.task_id
            self.waiting += 1
            return Step(
                self._move(chunk_id, live, "accepted", task_id=outcome.task_id), "wait", task_id=outcome.task_id
            )
        return self._settle(chunk_id, live, outcome)

    def _resend(self, live: _Live, outcome: NotSent) -> bool:
        """Whether a chunk proven not sent is sent again in this run (with backoff).

        Never a refused token, never once the run stops reading. A server not reached since the run
        began is not retried here: the client has already retried the connection (with backoff), so an
        address where nothing listens fails the run at once, its chunk *unsent* for a resume. Once the
        server has answered, a lost connection (a restart) is retried up to ``max_attempts`` sends.
        """
        if outcome.fatal or self.stopped is not None or (outcome.unreached and not self.reached):
            return False
        return live.tries < self.max_attempts

    def waited(self, chunk_id: int, outcome: Outcome) -> Step:
        """The end of waiting for an accepted chunk's task."""
        live = self._live[chunk_id]
        self.waiting -= 1
        if not isinstance(outcome, Unknown):
            self.reached = True
        if isinstance(outcome, StillRunning):
            return Step(None, "done", reason=outcome.reason)
        return self._settle(chunk_id, live, outcome)

    def _settle(self, chunk_id: int, live: _Live, outcome: Outcome) -> Step:
        if isinstance(outcome, Imported):
            ids = outcome.profile_ids
            if len(ids) == live.sent_count:
                return Step(self._move(chunk_id, live, "done", result=encode_ids(ids)), "done")
            reason = (
                f"the server listed {len(ids)} imported profile(s) for {live.sent_count} sent; "
                "no row of this chunk is claimed as imported"
            )
            return Step(self._move(chunk_id, live, "unconfirmed", result=encode_ids(ids), reason=reason), "done")
        if isinstance(outcome, Refused):
            code = "" if outcome.code is None else f"error {outcome.code}: "
            return Step(self._move(chunk_id, live, "rejected", reason=f"{code}{outcome.text}"), "done")
        if isinstance(outcome, Unknown):
            return Step(self._move(chunk_id, live, "unknown", reason=outcome.reason), "done")
        if isinstance(outcome, NotSent):
            # The first such chunk stops the run; one settling after it is done (reading has stopped already).
            action: Literal["stop", "done"] = "stop" if self.stopped is None else "done"
            self.stopped = self.stopped or outcome.reason
            self.rows_sent -= live.sent_count  # unsent: proven not processed, not counted as sent
            return Step(self._move(chunk_id, live, "unsent", reason=outcome.reason), action, reason=outcome.reason)
        raise TypeError(f"unexpected outcome {outcome!r}")

    def abandon(self, chunk_id: int, reason: str) -> Write:
        """A retry that will not happen (interrupted): the chunk was proven not sent."""
        live = self._live[chunk_id]
        self.in_flight -= 1
        self.rows_sent -= live.sent_count
        return self._move(chunk_id, live, "unsent", reason=reason)

    def stop(self, reason: str) -> None:
        """Stop reading input (interruption); chunks in flight still settle."""
        self.stopped = self.stopped or reason

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return Backoff(self.backoff, self.max_backoff, floor=self.backoff / 2).delay(attempt - 1, self.rng)

    def progress(self) -> Progress:
        c = self.counts
        return Progress(
            self.rows_read,
            self.rows_sent,
            c.imported,
            c.rejected,
            c.unknown,
            c.unconfirmed,
            c.pending,
            self.in_flight,
            self.waiting,
            self.input_done,
        )
