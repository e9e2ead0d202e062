"""The journal's records: chunk states, the writes the core asks for, row counts and progress."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import orjson

from ._rows import Chunk

__all__ = [
    "FINAL_STATES",
    "PENDING_STATES",
    "Counts",
    "JournalChunk",
    "JournalMismatch",
    "Progress",
    "State",
    "Step",
    "Write",
    "decode_ids",
    "decode_local",
    "encode_ids",
    "encode_local",
]

State = Literal["sending", "accepted", "done", "unconfirmed", "rejected", "unknown", "unsent"]
FINAL_STATES: frozenset[str] = frozenset({"done", "unconfirmed", "rejected", "unknown"})
PENDING_STATES: frozenset[str] = frozenset({"sending", "accepted", "unsent"})


class JournalMismatch(ValueError):
    """The journal belongs to another import (other parameters or other input rows): refused to resume."""


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
    """What ``on_progress`` receives: rows read from the input this run, rows sent, and rows per state.

    ``rows_sent`` counts the rows of every chunk whose request this run started, less those of the chunks
    it left *unsent* (proven not processed: the connection failed, a 429, a refused token, a retry that
    an interruption stopped): the rows the server may have processed.

    ``input_done`` turns true once the input has been read to its end: from then on the run only settles
    the ``chunks_in_flight`` and waits for the ``tasks_waiting``.
    """

    rows_read: int
    rows_sent: int
    imported: int
    rejected: int
    unknown: int
    unconfirmed: int
    pending: int
    chunks_in_flight: int
    tasks_waiting: int
    input_done: bool = False


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
