"""The journal of a bulk import: SQLite (stdlib ``sqlite3``), WAL mode, ``synchronous=FULL``.

Durability: every change is its own transaction, committed before the shell goes on; the ``sending``
record of a chunk is committed before its request leaves, and checkpointed into the file itself (so that
losing the ``-wal`` file after a kill can make chunks *unknown*, never make a sent chunk look unsent).
In WAL mode with ``synchronous=FULL`` each commit is fsynced, so the journal survives a process kill
(SIGKILL) *and* an OS crash or power loss. (``NORMAL`` would survive a process kill only.) A commit is a
few milliseconds at most on a local disk; a chunk is one or two commits and one checkpoint.

Schema::

    run(id = 1, version, created, operation, root  -- JSON of the root fields, input_id)
    chunk(id, first_row, row_count, sent_count, state, task_id, attempts, digest,
          local   -- zlib(JSON [[row, field, reason], ...]) of rows refused locally,
          result  -- UTF-8 "\\n"-joined profile ids the server listed,
          reason, updated)

Rows are not stored one by one: a chunk's rows are ``first_row .. first_row + row_count - 1`` minus its
local refusals, in order, and the ``result`` ids map onto them when the chunk is ``done``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from ._states import Counts, JournalChunk, JournalMismatch, Write, encode_local

__all__ = ["Journal"]

logger = logging.getLogger("altcraft.bulk")

VERSION = 2  # 2: result is no longer zlib-compressed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    created REAL NOT NULL,
    operation TEXT NOT NULL,
    root TEXT NOT NULL,
    input_id TEXT
);
CREATE TABLE IF NOT EXISTS chunk (
    id INTEGER PRIMARY KEY,
    first_row INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    sent_count INTEGER NOT NULL,
    state TEXT NOT NULL,
    task_id TEXT,
    attempts INTEGER NOT NULL,
    digest BLOB NOT NULL,
    local BLOB,
    result BLOB,
    reason TEXT,
    updated REAL NOT NULL
);
"""


def _lock(path: Path) -> int | None:
    """One import at a time on a journal: an exclusive ``flock`` held until close (readers, such as a
    tool looking at a running import, are not blocked; SQLite's own locks are separate)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (documented)
        return None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # read-only, a directory, no such folder: refused in one line, nothing sent
        raise JournalMismatch(f"{path} cannot be opened for writing ({exc.strerror or exc}): refused") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise JournalMismatch(f"{path} is in use by another import (it is locked): refused") from None
    return fd


class Journal:
    """One import's journal file. ``path=None`` makes a temporary one, removed by :meth:`remove`."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.temporary = path is None
        if path is None:
            fd, name = tempfile.mkstemp(prefix="altcraft-import-", suffix=".journal")
            os.close(fd)
            path = name
        self.path = Path(path)
        # An existing file must hold a run: one that is empty or damaged is refused, never started over
        # (starting over would send its rows again).
        self.existed = not self.temporary and self.path.exists()
        self._lock = _lock(self.path)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5.0)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            if self.existed and self._db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("quick_check failed")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self.close()
            raise JournalMismatch(f"{self.path} is not a readable journal ({exc}): refused") from None

    def unlock(self) -> None:
        """Let another import use the journal (the run is over; it may still be read, e.g. for results)."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def close(self) -> None:
        self._db.close()
        self.unlock()

    def remove(self) -> None:
        """Close and delete the journal (and its WAL files)."""
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    # -- the run -----------------------------------------------------------------------------------------
    def open_run(self, key: Mapping[str, Any], input_id: str | None) -> list[JournalChunk]:
        """Start a run, or resume the journaled one: its chunks, after checking it is the same import."""
        row = self._db.execute("SELECT version, operation, root, input_id FROM run WHERE id = 1").fetchone()
        root_text = orjson.dumps(key["root"], option=orjson.OPT_SORT_KEYS).decode()
        if row is None and self.existed:
            raise JournalMismatch(
                f"{self.path} holds no import run (empty or damaged): refused, since starting over on it could "
                "send rows twice; remove it to start a new import"
            )
        if row is None:
            self._db.execute(
                "INSERT INTO run (id, version, created, operation, root, input_id) VALUES (1, ?, ?, ?, ?, ?)",
                (VERSION, time.time(), key["operation"], root_text, input_id),
            )
            return []
        version, operation, root, stored_id = row
        if version != VERSION:
            raise JournalMismatch(f"{self.path}: journal version {version}, this client writes {VERSION}")
        if operation != key["operation"] or root != root_text:
            raise JournalMismatch(
                f"{self.path} is the journal of another import ({operation} {root}), "
                f"not of {key['operation']} {root_text}"
            )
        if stored_id != input_id:
            raise JournalMismatch(
                f"{self.path} is the journal of input {stored_id!r}, not {input_id!r}: refused to resume"
            )
        return [
            JournalChunk(*r)
            for r in self._db.execute(
                "SELECT id, first_row, row_count, sent_count, state, task_id, attempts, digest "
                "FROM chunk ORDER BY first_row"
            )
        ]

    # -- changes -----------------------------------------------------------------------------------------
    def apply(self, write: Write) -> None:
        """Commit one change (durably, before the caller goes on)."""
        now = time.time()
        if write.insert is not None:
            c = write.insert
            self._db.execute(
                "INSERT INTO chunk (id, first_row, row_count, sent_count, state, attempts, digest, local, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    c.id,
                    c.first_row,
                    c.row_count,
                    c.sent_count,
                    write.state,
                    write.attempts or 0,
                    c.digest,
                    encode_local(c.local),
                    now,
                ),
            )
        else:
            self._update(write, now)
        if write.state == "sending":
            self._checkpoint()

    def _update(self, write: Write, now: float) -> None:
        sets = ["state = ?", "updated = ?"]
        values: list[Any] = [write.state, now]
        for name in ("task_id", "result", "reason", "attempts"):
            value = getattr(write, name)
            if value is not None:
                sets.append(f"{name} = ?")
                values.append(value)
        values.append(write.chunk_id)
        self._db.execute(f"UPDATE chunk SET {', '.join(sets)} WHERE id = ?", values)  # noqa: S608 - fixed names

    def _checkpoint(self) -> None:
        """Copy the WAL into the journal file itself (fsynced) before a request leaves.

        A ``sending`` record must survive the loss of the ``-wal`` file (deleted or not copied after a
        kill): otherwise a resume would take the chunk for one never sent and send it again. Later
        changes may live in the WAL only; losing them turns chunks back into ``sending``, i.e. *unknown*
        (never sent again). ``FULL`` waits (up to the 5 s busy timeout) for readers of an older snapshot.
        """
        busy, log, done = self._db.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        if busy or done != log:  # the record is durable all the same (in the WAL, fsynced)
            logger.warning(
                "%s: the journal could not be checkpointed before sending (a reader holds an older snapshot); "
                "the -wal file holds this chunk's record: keep it beside the journal",
                self.path,
            )

    # -- reading -----------------------------------------------------------------------------------------
    def counts(self) -> Counts:
        """Rows per state, from the journal."""
        counts = Counts()
        for state, sent, rows in self._db.execute(
            "SELECT state, sum(sent_count), sum(row_count) FROM chunk GROUP BY state"
        ):
            counts.add(state, sent)
            counts.rejected += rows - sent
        return counts

    def chunk_count(self) -> int:
        """How many chunks (requests, or rows refused before sending) the journal holds."""
        return int(self._db.execute("SELECT count(*) FROM chunk").fetchone()[0])

    def chunks(self) -> Iterator[tuple[int, int, int, str, str | None, bytes | None, bytes | None, str | None]]:
        """(first_row, row_count, sent_count, state, task_id, local, result, reason) in row order."""
        cursor = self._db.execute(
            "SELECT first_row, row_count, sent_count, state, task_id, local, result, reason FROM chunk "
            "ORDER BY first_row"
        )
        yield from cursor
