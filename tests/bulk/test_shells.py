"""The sync and async shells of bulk import against a scripted fake client: retries, stops, interruption."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from altcraft import OutcomeUnknown, TransportError, Unauthorized
from altcraft.bulk import ImportInterrupted, ImportReport, JournalMismatch, Progress, abulk_import, bulk_import


def rows(n: int) -> list[dict[str, Any]]:
    return [{"data": {"email": f"r{i}@example.com"}} for i in range(1, n + 1)]


class Fake:
    """Answers ``import_and_start_batch`` like the server; ``script`` maps a chunk's first email to the
    exceptions raised (one per attempt) before it succeeds; ``short`` first emails get one id fewer."""

    format = "json"

    def __init__(self, script: dict[str, list[Exception]] | None = None, short: frozenset[str] = frozenset()) -> None:
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.short = short
        self.attempts: Counter[str] = Counter()
        self.imported: Counter[str] = Counter()  # email -> times imported by the "server"
        self.lock = threading.Lock()

    def answer(self, operation: str, body: dict[str, Any]) -> Any:
        assert operation == "import_and_start_batch"
        emails = [item["data"]["email"] for item in body["data"]]
        with self.lock:
            self.attempts[emails[0]] += 1
            pending = self.script.get(emails[0])
            if pending:
                exc = pending.pop(0)
                if isinstance(exc, OutcomeUnknown):  # processed, answer lost
                    self.imported.update(emails)
                raise exc
            self.imported.update(emails)
        listed = emails[:-1] if emails[0] in self.short else emails
        return {"error": 0, "error_text": "", "result": [{"profile_id": f"id-{e}"} for e in listed]}

    def request(self, operation: str, body: dict[str, Any], *, plain: bool = False) -> Any:
        assert plain  # bulk import reads the decoded JSON of its answers
        return self.answer(operation, body)


class AsyncFake(Fake):
    async def request(self, operation: str, body: dict[str, Any], *, plain: bool = False) -> Any:  # type: ignore[override]
        assert plain  # bulk import reads the decoded JSON of its answers
        await asyncio.sleep(0.001)
        return self.answer(operation, body)


def not_sent(retry_after: float | None = None) -> TransportError:
    exc = TransportError("import_and_start_batch: ConnectError: refused")
    if retry_after is not None:
        exc.retry_after = retry_after  # type: ignore[attr-defined]
    return exc


def run(fake: Fake, data: list[dict[str, Any]], **kwargs: Any) -> ImportReport:
    kwargs.setdefault("trigger_id", 13)
    kwargs.setdefault("task", False)
    kwargs.setdefault("max_items", 10)
    if isinstance(fake, AsyncFake):
        return asyncio.run(abulk_import(fake, data, **kwargs))  # type: ignore[arg-type]
    return bulk_import(fake, data, **kwargs)  # type: ignore[arg-type]


FAKES = [Fake, AsyncFake]


@pytest.mark.parametrize("kind", FAKES)
def test_outcomes_map_to_row_states(kind: type[Fake], tmp_path: Path) -> None:
    fake = kind(
        {"r11@example.com": [OutcomeUnknown("lost")], "r21@example.com": [not_sent(0.01), not_sent(0.01)]},
        short=frozenset({"r31@example.com"}),
    )
    report = run(fake, rows(45), results=tmp_path / "rows.jsonl")
    assert (report.imported, report.unknown, report.unconfirmed, report.rejected, report.pending) == (25, 10, 10, 0, 0)
    assert report.complete and report.rows == 45
    assert fake.attempts["r21@example.com"] == 3 and fake.attempts["r11@example.com"] == 1
    assert max(fake.imported.values()) == 1
    states = [r.state for r in report.results()]
    assert states[10:20] == ["unknown"] * 10 and states[30:40] == ["unconfirmed"] * 10
    assert len((tmp_path / "rows.jsonl").read_text().splitlines()) == 45


@pytest.mark.parametrize("kind", FAKES)
def test_a_refused_token_stops_the_import_and_resume_finishes_it(kind: type[Fake], tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    fake = kind({"r21@example.com": [Unauthorized("bad token", code=401, http_status=401)]})
    report = run(fake, rows(100), journal=journal, concurrency=1)
    assert not report.complete and report.stopped and "bad token" in report.stopped
    assert report.pending == 10 and report.rows < 100
    report.close()
    again = run(fake, rows(100), journal=journal)
    assert again.complete and again.imported == 100
    assert set(fake.imported.values()) == {1}


@pytest.mark.parametrize("kind", FAKES)
def test_not_sent_after_every_attempt_stops_as_pending(kind: type[Fake], tmp_path: Path) -> None:
    # The server answered the first chunk: a lost connection later (a restart) is sent again up to max_attempts.
    fake = kind({"r11@example.com": [not_sent(0.0)] * 3})
    report = run(fake, rows(30), journal=tmp_path / "j.db", max_attempts=3, concurrency=1)
    assert report.stopped and report.pending == 10 and fake.attempts["r11@example.com"] == 3
    assert report.imported == 10


@pytest.mark.parametrize("kind", FAKES)
def test_a_server_never_reached_stops_the_run_at_the_first_chunk_without_resending(
    kind: type[Fake], tmp_path: Path
) -> None:
    # The client has retried the connection already: the bulk layer does not send the chunk again, so an
    # address where nothing listens fails the run at once; the chunk stays unsent (pending) for a resume.
    fake = kind({"r1@example.com": [not_sent(0.0)]})  # refused once: a resend in this run would succeed
    journal = tmp_path / "j.db"
    report = run(fake, rows(30), journal=journal, max_attempts=3, concurrency=1)
    assert report.stopped and report.pending == 10 and fake.attempts["r1@example.com"] == 1
    resumed = run(fake, rows(30), journal=journal, max_attempts=3, concurrency=1)
    assert resumed.imported == 30 and fake.attempts["r1@example.com"] == 2


@pytest.mark.parametrize("kind", FAKES)
def test_unknown_chunks_are_resent_only_with_resend_unknown(
    kind: type[Fake], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = tmp_path / "j.db"
    fake = kind({"r11@example.com": [OutcomeUnknown("lost")]})
    assert run(fake, rows(30), journal=journal).unknown == 10
    assert run(fake, rows(30), journal=journal).unknown == 10
    assert fake.attempts["r11@example.com"] == 1
    report = run(fake, rows(30), journal=journal, resend_unknown=True)
    assert report.imported == 30 and fake.attempts["r11@example.com"] == 2
    assert "may be imported and launched TWICE" in caplog.text and "rows 11-20" in caplog.text
    with pytest.raises(JournalMismatch):
        run(fake, rows(30), journal=journal, input_id="other")


def test_ctrl_c_stops_reading_settles_and_resume_carries_on(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    fake = Fake()
    read: list[int] = []

    def stream() -> Any:
        for i, row in enumerate(rows(200), start=1):
            read.append(i)
            yield row

    def interrupt(p: Progress) -> None:
        if p.rows_sent >= 50 and read[-1:] != [0]:
            read.append(0)  # once, like one Ctrl-C
            raise KeyboardInterrupt

    with pytest.raises(ImportInterrupted) as info:
        bulk_import(fake, stream(), trigger_id=13, task=False, max_items=10, journal=journal, on_progress=interrupt)  # type: ignore[arg-type]
    report = info.value.report
    # Sent chunks settled; a chunk journaled but not yet on the wire is pending ("unsent"), never unknown.
    assert report.unknown == 0 and report.imported + report.pending == report.rows and 50 <= report.rows < 200
    assert report.pending <= 40 and not report.complete
    assert len(read) < 200 and read[-1] == 0  # reading stopped
    report.close()
    again = bulk_import(fake, rows(200), trigger_id=13, task=False, max_items=10, journal=journal)  # type: ignore[arg-type]
    assert again.complete and again.imported == 200
    assert sum(fake.imported.values()) == 200 and set(fake.imported.values()) == {1}


def test_cancelling_the_async_import_leaves_the_journal_consistent(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    fake = AsyncFake()
    seen: list[Progress] = []

    async def main() -> None:
        t = asyncio.ensure_future(
            abulk_import(
                fake, rows(2000), trigger_id=13, task=False, max_items=10, journal=journal, on_progress=seen.append
            )  # type: ignore[arg-type]
        )
        while not seen or seen[-1].rows_sent < 100:
            await asyncio.sleep(0.001)
        t.cancel()
        with pytest.raises(asyncio.CancelledError):
            await t

    asyncio.run(main())
    assert 100 <= sum(fake.imported.values()) < 2000
    report = asyncio.run(abulk_import(fake, rows(2000), trigger_id=13, task=False, max_items=10, journal=journal))  # type: ignore[arg-type]
    assert report.complete and report.imported == 2000
    assert sum(fake.imported.values()) == 2000 and set(fake.imported.values()) == {1}


# -- the journal guards (found by an adversarial pass) ---------------------------------------------------------


@pytest.mark.parametrize("damage", ["emptied", "garbage"])
def test_a_journal_without_its_run_is_refused_not_started_over(tmp_path: Path, damage: str) -> None:
    journal = tmp_path / "j.db"
    fake = Fake()
    report = run(fake, rows(30), journal=journal)
    assert report.imported == 30
    report.close()
    for suffix in ("-wal", "-shm"):
        Path(str(journal) + suffix).unlink(missing_ok=True)
    journal.write_bytes(b"" if damage == "emptied" else b"not a journal at all" * 100)
    with pytest.raises(JournalMismatch, match=r"no import run|not a readable journal"):
        run(fake, rows(30), journal=journal)
    assert set(fake.imported.values()) == {1}  # nothing was sent a second time


def test_a_second_import_on_the_same_journal_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    started, release = threading.Event(), threading.Event()

    class Slow(Fake):
        def request(self, operation: str, body: dict[str, Any], *, plain: bool = False) -> Any:
            started.set()
            release.wait(10)
            return self.answer(operation, body)

    fake = Slow()
    first = threading.Thread(target=run, args=(fake, rows(30)), kwargs={"journal": journal})
    first.start()
    assert started.wait(10)
    try:
        with pytest.raises(JournalMismatch, match="in use by another import"):
            run(Fake(), rows(30), journal=journal)
    finally:
        release.set()
        first.join(10)
    assert not first.is_alive()
    assert set(fake.imported.values()) == {1}


def test_a_journal_write_that_fails_ends_the_import_without_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from altcraft.bulk import _journal

    journal = tmp_path / "j.db"
    real = _journal.Journal.apply
    calls = {"n": 0}

    def failing(self: Any, write: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(self, write)

    monkeypatch.setattr(_journal.Journal, "apply", failing)
    done = threading.Event()
    errors: list[BaseException] = []

    def go() -> None:
        try:
            run(Fake(), rows(100), journal=journal)
        except BaseException as exc:
            errors.append(exc)
        done.set()

    threading.Thread(target=go, daemon=True).start()
    assert done.wait(20), "the import hung after a failed journal write"
    assert errors and isinstance(errors[0], OSError)
