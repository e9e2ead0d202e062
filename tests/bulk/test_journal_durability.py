"""The journal is durable when it must be: a chunk's ``sending`` record is committed before its request
leaves (seen over a second SQLite connection at the moment the request arrives), and the journal runs
with ``synchronous=FULL`` in WAL mode (each commit fsynced: it survives a power loss, not only a kill).

Issue 24's seeded faults these tests kill: ``self.driver.begin(chunk)`` moved after the send is started
(the sync shell's sender thread can then send before the record is committed), and
``PRAGMA synchronous=FULL`` changed to ``NORMAL``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from altcraft import Altcraft, AsyncAltcraft
from altcraft._concurrency import SyncCrew
from altcraft.bulk import Progress, abulk_import, bulk_import
from altcraft_mock import DEFAULT_TOKEN

BASE = "http://altcraft.test"
ROWS = 60
CHUNK = 10


def rows() -> list[dict[str, Any]]:
    return [{"data": {"email": f"r{i}@durable.test"}} for i in range(1, ROWS + 1)]


def row_of(email: str) -> int:
    return int(email.split("@")[0][1:])


def state_in_journal(journal: Path, first_row: int) -> str | None:
    """The chunk's state as another process would read it: a second, read-only connection."""
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT state FROM chunk WHERE first_row = ?", (first_row,)).fetchone()
    finally:
        db.close()
    return None if row is None else str(row[0])


class Arrivals:
    """What the journal said about each chunk when its request arrived; answers like the server (sync mode)."""

    def __init__(self, journal: Path) -> None:
        self.journal = journal
        self.seen: dict[int, str | None] = {}
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        emails = [item["data"]["email"] for item in orjson.loads(request.content)["data"]]
        first = row_of(emails[0])
        state = state_in_journal(self.journal, first)  # read before anything is answered
        with self.lock:
            self.seen[first] = state
        result = [{"profile_id": f"id-{e}"} for e in emails]
        return httpx.Response(200, json={"error": 0, "error_text": "Successful", "result": result})


class AsyncArrivals(httpx.AsyncBaseTransport):
    def __init__(self, arrivals: Arrivals) -> None:
        self.arrivals = arrivals

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self.arrivals(request)


def inline_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worst case of the sync shell's race, made deterministic: a send runs the moment it is started
    (in the caller's thread), as a sender thread that wins the race would."""

    def start_send(self: SyncCrew[Any], send: Callable[..., None], *args: Any) -> None:
        send(*args)

    monkeypatch.setattr(SyncCrew, "start_send", start_send)


def check(arrivals: Arrivals, report_rows: int) -> None:
    assert report_rows == ROWS
    firsts = list(range(1, ROWS + 1, CHUNK))
    assert sorted(arrivals.seen) == firsts, arrivals.seen
    # Every request arrived after its chunk was committed as "sending" (None: not journaled yet).
    assert arrivals.seen == dict.fromkeys(firsts, "sending")


@pytest.mark.parametrize("scheduling", ["threads", "inline"])
def test_sync_the_sending_record_is_committed_before_the_request_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheduling: str
) -> None:
    journal = tmp_path / "j.db"
    arrivals = Arrivals(journal)
    if scheduling == "inline":
        inline_sends(monkeypatch)
    with Altcraft(BASE, DEFAULT_TOKEN, transport=httpx.MockTransport(arrivals)) as client:
        report = bulk_import(client, rows(), trigger_id=13, task=False, max_items=CHUNK, journal=journal, concurrency=3)
    try:
        check(arrivals, report.rows)
        assert report.imported == ROWS
    finally:
        report.close()


def test_async_the_sending_record_is_committed_before_the_request_leaves(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    arrivals = Arrivals(journal)

    async def go() -> Any:
        async with AsyncAltcraft(BASE, DEFAULT_TOKEN, transport=AsyncArrivals(arrivals)) as client:
            return await abulk_import(
                client, rows(), trigger_id=13, task=False, max_items=CHUNK, journal=journal, concurrency=3
            )

    report = asyncio.run(go())
    try:
        check(arrivals, report.rows)
        assert report.imported == ROWS
    finally:
        report.close()


def test_the_journal_of_a_running_import_is_wal_with_synchronous_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settings of the connection the import writes with (``synchronous`` is per connection), read
    while the import runs; and WAL as the file says it to another connection."""
    journal = tmp_path / "j.db"
    connections: list[sqlite3.Connection] = []
    connect = sqlite3.connect

    def recording_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db: sqlite3.Connection = connect(*args, **kwargs)
        connections.append(db)
        return db

    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    settings: list[tuple[Any, ...]] = []

    def on_progress(p: Progress) -> None:
        if not settings:
            db = connections[0]  # the journal's own connection: bulk_import opens it before any request
            settings.append(
                (db.execute("PRAGMA synchronous").fetchone()[0], db.execute("PRAGMA journal_mode").fetchone()[0])
            )

    arrivals = Arrivals(journal)
    with Altcraft(BASE, DEFAULT_TOKEN, transport=httpx.MockTransport(arrivals)) as client:
        report = bulk_import(
            client, rows(), trigger_id=13, task=False, max_items=CHUNK, journal=journal, on_progress=on_progress
        )
    imported = report.imported
    report.close()
    monkeypatch.undo()
    assert imported == ROWS
    assert settings == [(2, "wal")]  # 2 = FULL: every commit is fsynced (NORMAL, 1, is not in WAL mode)
    other = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
    finally:
        other.close()


def attempts_in_journal(journal: Path) -> dict[int, tuple[str, int]]:
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        return {int(f): (str(s), int(a)) for f, s, a in db.execute("SELECT first_row, state, attempts FROM chunk")}
    finally:
        db.close()


def test_a_chunk_sent_again_on_resume_is_committed_as_sending_first_and_counts_its_attempt(tmp_path: Path) -> None:
    """A chunk a first run proved unsent (nothing listened) is sent again by the resume: its request too
    must find it journaled as ``sending`` (else a kill during that send would leave it *unsent*, and the
    next resume would send it a third time), with its attempt counted."""
    journal = tmp_path / "j.db"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with Altcraft(BASE, DEFAULT_TOKEN, transport=httpx.MockTransport(refuse), sleep=lambda s: None) as client:
        first = bulk_import(client, rows(), trigger_id=13, task=False, max_items=CHUNK, journal=journal, concurrency=1)
    first.close()
    assert attempts_in_journal(journal) == {1: ("unsent", 1)}

    arrivals = Arrivals(journal)
    with Altcraft(BASE, DEFAULT_TOKEN, transport=httpx.MockTransport(arrivals)) as client:
        report = bulk_import(client, rows(), trigger_id=13, task=False, max_items=CHUNK, journal=journal, concurrency=1)
    try:
        check(arrivals, report.rows)
        assert report.imported == ROWS
        assert attempts_in_journal(journal)[1] == ("done", 2)
    finally:
        report.close()


def test_a_retried_chunk_counts_each_attempt_in_the_journal(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    arrivals = Arrivals(journal)
    calls = {"n": 0}

    def crowded_once(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(429, json={"error": 429, "error_text": "Too many"}, headers={"Retry-After": "0"})
        return arrivals(request)

    with Altcraft(BASE, DEFAULT_TOKEN, transport=httpx.MockTransport(crowded_once), max_retries=0) as client:
        report = bulk_import(client, rows(), trigger_id=13, task=False, max_items=CHUNK, journal=journal, concurrency=1)
    try:
        assert report.imported == ROWS
        attempts = attempts_in_journal(journal)
        assert attempts[1] == ("done", 2), attempts  # refused once (429), then sent
        assert {a for first, (_s, a) in attempts.items() if first != 1} == {1}
    finally:
        report.close()


def test_the_journal_is_readable_by_its_owner_only_and_checkpoints_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The journal holds the rows' profile ids: created 0600 whatever the umask. Each ``sending`` record
    is checkpointed into the file; with no other reader, every checkpoint completes, so nothing is logged."""
    import logging
    import os
    import stat

    journal = tmp_path / "j.db"
    old = os.umask(0o022)
    try:
        with (
            caplog.at_level(logging.WARNING, logger="altcraft"),
            Altcraft(BASE, DEFAULT_TOKEN, transport=httpx.MockTransport(Arrivals(journal))) as client,
        ):
            report = bulk_import(client, rows(), trigger_id=13, task=False, max_items=CHUNK, journal=journal)
        report.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    assert [r.getMessage() for r in caplog.records] == []
