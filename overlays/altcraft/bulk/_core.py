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
import operator
import random
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from .._backoff import Backoff
from .._errors import (
    AltcraftError,
    InvalidInput,
    OutcomeUnknown,
    Problem,
    ProtocolError,
    RequestTooLarge,
    ServerError,
    TaskFailed,
    TransportError,
)
from .._limits import DEFAULT_CHUNK_BYTES, item_size
from .._serialize import dumps, to_plain
from .._validate import Operation, check

__all__ = [
    "Accepted",
    "Chunk",
    "Counts",
    "ImportCore",
    "Imported",
    "JournalChunk",
    "JournalMismatch",
    "NotSent",
    "Outcome",
    "Progress",
    "Refused",
    "Step",
    "StillRunning",
    "Target",
    "Unknown",
    "Unreadable",
    "Write",
    "classify_send_error",
    "classify_wait_error",
    "make_target",
]

State = Literal["sending", "accepted", "done", "unconfirmed", "rejected", "unknown", "unsent"]
FINAL_STATES: frozenset[str] = frozenset({"done", "unconfirmed", "rejected", "unknown"})
PENDING_STATES: frozenset[str] = frozenset({"sending", "accepted", "unsent"})

MAX_ITEMS = 10_000  # the documented recommendation per batch request
# Account-level refusals: every further request would be refused too, and nothing was processed.
_FATAL = frozenset({401, 402, 403})
_TOO_MANY = 429


class JournalMismatch(ValueError):
    """The journal belongs to another import (other parameters or other input rows): refused to resume."""


# -- what is imported where --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where the rows go: the operation and the root fields sent with every request."""

    operation: Operation
    root: Mapping[str, Any]

    @property
    def per_row(self) -> bool:
        """One request per row (``/profiles/import``) instead of batches."""
        return self.operation == "import_profile"

    @property
    def task(self) -> bool:
        return self.operation.endswith("_task")

    def key(self) -> dict[str, Any]:
        """What a resumed run must match: the operation and its root fields."""
        return {"operation": self.operation, "root": dict(self.root)}


def make_target(
    *,
    trigger_id: int | None,
    workflow_id: int | None,
    db_id: int | None,
    task: bool,
    matching: str | None,
    params: Mapping[str, Any] | None,
) -> Target:
    """The target of ``bulk_import``'s keywords; exactly one of trigger_id, workflow_id, db_id."""
    given = [
        name
        for name, v in (("trigger_id", trigger_id), ("workflow_id", workflow_id), ("db_id", db_id))
        if v is not None
    ]
    if len(given) != 1:
        raise InvalidInput(
            "bulk_import: give exactly one of trigger_id, workflow_id or db_id"
            + (f" (got {', '.join(given)})" if given else ""),
            field="trigger_id",
        )
    root: dict[str, Any] = dict(to_plain(params) if params is not None else {})
    for reserved in ("data", "token", "trigger_id", "workflow_id", "db_id"):
        if reserved in root:
            raise InvalidInput(f"bulk_import: params must not contain {reserved!r}", field=f"params.{reserved}")
    if matching is not None:
        root["matching"] = matching
    operation: Operation
    if trigger_id is not None:
        root["trigger_id"] = trigger_id
        operation = "import_and_start_batch_task" if task else "import_and_start_batch"
    elif workflow_id is not None:
        if not task:
            raise InvalidInput("bulk_import: a workflow is started only as a task (task=True)", field="task")
        root["workflow_id"] = workflow_id
        operation = "workflow_import_and_start_batch_task"
    else:
        root["db_id"] = db_id
        operation = "import_profile"
    return Target(operation, root)


# -- chunks --------------------------------------------------------------------------------------------------


@dataclass
class Chunk:
    """Rows ``first_row .. first_row + row_count - 1``; ``items`` are those sent, ``local`` those refused here."""

    id: int
    first_row: int
    row_count: int
    items: list[dict[str, Any]]
    local: list[tuple[int, str, str]]
    digest: bytes
    resend: bool = False

    @property
    def sent_count(self) -> int:
        return len(self.items)

    def body(self, target: Target) -> dict[str, Any]:
        """The request body of this chunk."""
        if target.per_row:
            return {**self.items[0], **target.root}
        return {**target.root, "data": self.items}


@dataclass(frozen=True)
class JournalChunk:
    """A chunk as the journal holds it (no items)."""

    id: int
    first_row: int
    row_count: int
    sent_count: int
    state: str
    task_id: str | None
    attempts: int
    digest: bytes


@dataclass(frozen=True)
class Unreadable:
    """An input row its reader could not turn into a row (e.g. a line that is not JSON).

    It is rejected locally with ``field`` and ``reason``, like a row that fails validation; ``raw`` (its
    bytes as read) goes into the chunk's digest, so a resume still checks it is the same input.
    """

    raw: bytes
    reason: str
    field: str = "row"


_BLOCK = 512  # rows read and placed together by ImportCore._new_chunks


def _plain_block(block: list[Any], max_bytes: int) -> tuple[memoryview, list[int]] | None:
    """The JSON of the rows of ``block``, each followed by a newline (the bytes ``_plain`` gives a row, as the
    digest reads them), and the offset where each row's newline ends, when every row is a plain object
    that encodes to fewer than ``max_bytes`` (its size in a chunk, plus a comma: ``ends[i] - ends[i - 1]``);
    else None (the block is placed row by row).

    Each row's bytes are appended and dropped at once: keeping one ``bytes`` object per row alive costs
    several times the encoding itself (the allocator's work for a thousand live KiB-sized buffers).
    """
    if set(map(type, block)) != {dict}:
        return None
    joined = bytearray()
    ends: list[int] = []
    dumps = orjson.dumps
    end = ends.append
    try:
        for row in block:
            joined += dumps(row)
            joined += b"\n"
            end(len(joined))
    except orjson.JSONEncodeError:
        return None
    if max(map(operator.sub, ends, [0, *ends[:-1]])) > max_bytes:
        return None
    return memoryview(joined), ends


def _plain(raw: Any) -> tuple[Any, bytes]:
    """A row as JSON-shaped data and its bytes (for the digest, and the size in JSON)."""
    if isinstance(raw, Unreadable):
        return raw, raw.raw
    try:
        plain = to_plain(raw)
        return plain, dumps(plain)
    except (TypeError, orjson.JSONEncodeError):
        return None, repr(raw).encode("utf-8", "replace")
    except RecursionError:  # repr() would recurse as deep: the row is refused as "cannot be encoded"
        return None, b"<a row nested too deeply to encode>"


class _Builder:
    """Checks rows one by one: validation per row, and each item's size in the encoding sent."""

    def __init__(self, target: Target, format: str, max_items: int, max_bytes: int) -> None:
        self.target = target
        self.max_items = 1 if target.per_row else max_items
        root_size = len(dumps(dict(target.root))) + 64  # plus "data":[...] and the token
        self.max_bytes = max_bytes - root_size
        if self.max_bytes < 1024:
            raise InvalidInput("bulk_import: max_bytes leaves no room for rows", field="max_bytes")
        self.json = format == "json"
        self.size_of: Callable[[Any], int] = item_size(format)
        # With plain rows (see ImportCore), batches in JSON are checked a chunk at a time (one validation
        # of the chunk's body); only a chunk that fails is checked again row by row, to find its bad rows.
        self.by_chunk = False

    def chunk_valid(self, items: list[dict[str, Any]]) -> bool:
        """Whether every item of a chunk passes (the chunk's body has no refusal).

        Sound because the batch schemas constrain items one by one (the chunk holds at most the
        documented maximum of items); a chunk that fails is checked again row by row.
        """
        refusals, _ = check(self.target.operation, {**self.target.root, "data": items})
        return not refusals

    def accept(self, plain: Any, encoded: bytes) -> tuple[dict[str, Any] | None, tuple[str, str] | None, int]:
        """(item, None, size) for a row to send, or (None, (field, reason), 0) for one refused here."""
        if plain is None:
            return None, ("row", "cannot be encoded as JSON"), 0
        if isinstance(plain, Unreadable):
            return None, (plain.field, plain.reason), 0
        if not isinstance(plain, dict):
            return None, ("row", f"must be an object, not {type(plain).__name__}"), 0
        if self.target.per_row:
            clash = sorted(set(plain) & set(self.target.root))
            if clash:
                return None, (clash[0], "is set for the whole import; a row must not set it"), 0
            body: dict[str, Any] = {**plain, **self.target.root}
            prefix = ""
        else:
            body = {**self.target.root, "data": [plain]}
            prefix = "data[0]"
        refusals, _ = check(self.target.operation, body)
        if refusals:
            self._root_problems(refusals, prefix)
            reason = "; ".join(f"{_field(p, prefix)} {p.message}" for p in refusals[:5])
            return None, (_field(refusals[0], prefix), reason), 0
        # (the chunk fast path in ImportCore._new_chunks relies on: valid as a chunk => valid row by row)
        if self.target.per_row:
            return plain, None, 0
        size = (len(encoded) if self.json else self.size_of(plain)) + 1
        if size > self.max_bytes:
            return None, ("row", f"encodes to {size} bytes, over the {self.max_bytes}-byte room of one request"), 0
        return plain, None, size

    def _root_problems(self, refusals: list[Problem], prefix: str) -> None:
        """A problem in the import's own parameters refuses the whole import, before anything is sent."""
        if prefix:
            root = [p for p in refusals if not p.field.startswith(prefix)]
        else:
            root = [p for p in refusals if p.field.split(".", 1)[0].split("[", 1)[0] in self.target.root]
        if root:
            first = root[0]
            raise InvalidInput(
                f"{self.target.operation}: {first.field} {first.message}",
                field=first.field,
                problems=tuple(root),
                operation=self.target.operation,
            )


def _field(problem: Problem, prefix: str) -> str:
    if prefix and problem.field.startswith(prefix):
        return problem.field[len(prefix) :].lstrip(".") or "row"
    return problem.field


# -- outcomes --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """The server's list of imported profile ids (a batch answer, a task result, or one profile)."""

    profile_ids: tuple[str, ...]


@dataclass(frozen=True)
class Accepted:
    """A task was accepted."""

    task_id: str


@dataclass(frozen=True)
class Refused:
    """The server refused the request: an envelope error with a 4xx code (proof nothing was imported)."""

    code: int | None
    text: str
    http_status: int | None = None


@dataclass(frozen=True)
class Unknown:
    """Sent, outcome not known: dropped connection, timeout, 5xx, unreadable answer."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True)
class NotSent:
    """Proven not processed: connection failed before sending, 429, or a refused token (``fatal``)."""

    reason: str
    retry_after: float | None = None
    fatal: bool = False


@dataclass(frozen=True)
class StillRunning:
    """Waiting for the task stopped (deadline, cancellation): it stays accepted, resume waits for it."""

    reason: str


Outcome = Imported | Accepted | Refused | Unknown | NotSent | StillRunning


def _retry_after(exc: BaseException) -> float | None:
    value = getattr(exc, "retry_after", None)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 else None


def classify_send_error(exc: BaseException) -> Outcome:
    """What an exception of ``client.request`` says about the chunk it carried."""
    if isinstance(exc, OutcomeUnknown):
        return Unknown(f"no answer: {exc}")
    if isinstance(exc, InvalidInput):  # refused by the client itself, before sending
        return Refused(None, f"refused before sending: {exc}")
    if isinstance(exc, TransportError):  # not OutcomeUnknown: not sent, after the client's own retries
        return NotSent(f"not sent: {exc}", _retry_after(exc))
    if isinstance(exc, ServerError | ProtocolError):
        return Unknown(f"outcome unknown: {exc}", _retry_after(exc))
    if isinstance(exc, AltcraftError):
        status = exc.http_status if exc.http_status is not None and exc.http_status >= 400 else exc.code
        if status == _TOO_MANY:
            return NotSent(f"refused, too many requests: {exc}", _retry_after(exc))
        if status in _FATAL:
            return NotSent(f"refused: {exc}", fatal=True)
        if isinstance(exc, RequestTooLarge) or (status is not None and 400 <= status < 500):
            return Refused(exc.code, exc.error_text or str(exc), exc.http_status)
        return Unknown(f"outcome unknown: {exc}")
    return Unknown(f"outcome unknown: {type(exc).__name__}: {exc}")


def classify_wait_error(exc: BaseException) -> Outcome:
    """What an exception of ``client.wait_task`` says about the accepted chunk."""
    if isinstance(exc, TaskFailed):
        return Refused(exc.code, f"task {exc.task_id} {exc.status}: {exc.error_text or exc}")
    from .._errors import TaskTimeout, WaitCancelled

    if isinstance(exc, TaskTimeout | WaitCancelled):
        return StillRunning(str(exc))
    return Unknown(f"task status unknown: {type(exc).__name__}: {exc}")


def profile_ids(answer: Any) -> Imported | Unknown:
    """The profile ids of a success answer's decoded JSON (the shells ask the client for ``plain``
    answers: no model per profile): a batch answer (``result``), a task's final status
    (``data.result.result``) or one imported profile (``profile_id``).

    No list at all is an empty list (the rows are then *unconfirmed*); a list that cannot be read
    (not a list of objects with a ``profile_id``) says nothing for sure, so the chunk is *unknown*.
    """
    data = answer.get("data") if isinstance(answer, dict) else None
    if isinstance(data, dict) and "status" in data:  # a task's final status
        if "result" not in data:
            return Imported(())
        answer = data["result"]
    if not isinstance(answer, dict):
        return Unknown(f"the answer is not readable: an object was expected, not {type(answer).__name__}")
    if isinstance(answer.get("profile_id"), str):  # /profiles/import
        return Imported((answer["profile_id"],))
    if "result" not in answer:
        return Imported(())
    try:
        return Imported(tuple([str(ref["profile_id"]) for ref in answer["result"]]))
    except (TypeError, KeyError) as exc:
        return Unknown(f"the answer's list of profiles is not readable ({type(exc).__name__}: {exc})")


# -- journal writes and steps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One journal change. ``insert`` records a new chunk; otherwise the chunk's state is updated."""

    chunk_id: int
    state: str
    insert: Chunk | None = None
    task_id: str | None = None
    result: bytes | None = None
    reason: str | None = None
    attempts: int | None = None


@dataclass(frozen=True)
class Step:
    """What the shell does after an outcome: write ``write`` (if any), then ``action``.

    ``action``: ``"wait"`` for ``task_id``; ``"retry"`` the send after ``delay`` seconds; ``"done"``;
    ``"stop"`` reading input (``reason`` says why) after this chunk.
    """

    write: Write | None
    action: Literal["wait", "retry", "done", "stop"]
    task_id: str | None = None
    delay: float = 0.0
    reason: str | None = None


@dataclass
class Counts:
    """Rows per state. ``pending``: journaled, not finished (in flight, task running, not sent)."""

    imported: int = 0
    rejected: int = 0
    unknown: int = 0
    unconfirmed: int = 0
    pending: int = 0

    def total(self) -> int:
        return self.imported + self.rejected + self.unknown + self.unconfirmed + self.pending

    def add(self, state: str, n: int) -> None:
        if state == "done":
            self.imported += n
        elif state in ("rejected", "unknown", "unconfirmed"):
            setattr(self, state, getattr(self, state) + n)
        else:
            self.pending += n


@dataclass(frozen=True)
class Progress:
    """What ``on_progress`` receives: rows read from the input this run, rows sent, and rows per state."""

    rows_read: int
    rows_sent: int
    imported: int
    rejected: int
    unknown: int
    unconfirmed: int
    pending: int
    chunks_in_flight: int
    tasks_waiting: int


def encode_ids(ids: Iterable[str]) -> bytes:
    """The profile ids of a chunk as the journal stores them: UTF-8, one per line (not compressed: zlib
    took as long as everything else done for a row, for a journal about a third smaller)."""
    return "\n".join(ids).encode("utf-8")


def decode_ids(blob: bytes | None) -> list[str]:
    if not blob:
        return []
    text = blob.decode("utf-8")
    return text.split("\n") if text else []


def encode_local(local: list[tuple[int, str, str]]) -> bytes | None:
    return zlib.compress(orjson.dumps(local), 1) if local else None


def decode_local(blob: bytes | None) -> list[tuple[int, str, str]]:
    return [(int(r), str(f), str(m)) for r, f, m in orjson.loads(zlib.decompress(blob))] if blob else []


# -- the state machine ---------------------------------------------------------------------------------------


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
    max_items: int = MAX_ITEMS
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
    stopped: str | None = None
    pause_until: float = 0.0

    def __post_init__(self) -> None:
        if not 1 <= self.max_items <= MAX_ITEMS:
            raise InvalidInput(f"bulk_import: max_items must be 1..{MAX_ITEMS}", field="max_items")
        if not 0 < self.max_bytes <= DEFAULT_CHUNK_BYTES:
            raise InvalidInput(f"bulk_import: max_bytes must be 1..{DEFAULT_CHUNK_BYTES}", field="max_bytes")
        self._builder = _Builder(self.target, self.format, self.max_items, self.max_bytes)
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
                plain, encoded = _plain(raw)
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
        # Rows are taken up to _BLOCK at a time, never more than the open chunk has room for (so reading
        # stops where the row-by-row reading would, give or take the rows of a chunk cut by its bytes). A
        # block of plain objects (the common case: JSON lines of a batch import) is placed with list
        # operations (its rows encoded at once, the chunk cut found on the running sum of their sizes); any
        # other block row by row. The chunks are the same either way.
        while True:
            block = list(itertools.islice(it, min(_BLOCK, max(1, b.max_items - len(items)))))
            if not block:
                break
            placed = _plain_block(block, b.max_bytes) if fast else None
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
                plain, encoded = _plain(raw)
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
        if isinstance(outcome, NotSent) and not outcome.fatal and live.tries < self.max_attempts:
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

    def waited(self, chunk_id: int, outcome: Outcome) -> Step:
        """The end of waiting for an accepted chunk's task."""
        live = self._live[chunk_id]
        self.waiting -= 1
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
            self.stopped = self.stopped or outcome.reason
            return Step(self._move(chunk_id, live, "unsent", reason=outcome.reason), "stop", reason=outcome.reason)
        raise TypeError(f"unexpected outcome {outcome!r}")

    def abandon(self, chunk_id: int, reason: str) -> Write:
        """A retry that will not happen (interrupted): the chunk was proven not sent."""
        live = self._live[chunk_id]
        self.in_flight -= 1
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
        )
