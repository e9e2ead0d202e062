"""Attack test (issue 24, item 6): ``python -m altcraft import`` of 100,000 rows killed with SIGKILL at
seeded random moments, over and over, against an emulator that drops answers, answers 503 and delays
every answer, then run to completion.

What it proves, from the journal, the results file and the emulator's own record of launches:

* every input row is in exactly one final state; the summary, the results file and the journal agree;
* no row was launched twice (the emulator's ``repeated_pairs`` is 0 and each row's launches are <= 1);
  imported rows were launched once, with the profile id the emulator gave them; rejected rows never;
* a chunk once *sending* or *unknown* in the journal (seen after a kill) is never sent again (its
  attempts never grow, and it ends *unknown*): no run here passes --resend-unknown;
* a chunk once settled or *accepted* is never sent again either;
* the faults each did what the journal says (tests/fault_accounting.py);
* the token (a canary) is in no byte written: the journal and its -wal/-shm after every kill and at the
  end, the results file, stdout and stderr (every run with -v).
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from altcraft_mock import MockProcess

from ..attack_tools import (
    CANARY,
    Done,
    assert_no_canary,
    check_complete_run,
    chunk_rows,
    command,
    journal_files,
    journaled,
    kill,
    launches_by_row,
    ready,
    run,
    start,
    wait_for_chunks,
    write_jsonl,
)
from ..fault_accounting import account
from ..import_rows import BAD_EVERY, SERVER_FAILS_EVERY

N = 100_000
CHUNK = 500  # 200 chunks
TASK_SECONDS = 0.3
SEED = 20261207


@pytest.fixture(scope="module")
def faulty() -> Iterator[MockProcess]:
    with MockProcess(
        task_seconds=TASK_SECONDS, fail_rate=0.08, drop_rate=0.05, latency_ms=20, seed=SEED, token=CANARY
    ) as m:
        ready(m.url)
        yield m


def test_many_sigkills_then_completion(faulty: MockProcess, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    url = faulty.url
    data = write_jsonl(tmp_path / "rows.jsonl", N)
    journal = Path(f"{data}.altcraft-journal")
    args = ["--chunk-size", str(CHUNK), "--json", "--progress-every", "0.2"]
    kills = rng.randint(11, 14)
    outputs: list[Done] = []
    seen: dict[int, tuple[str, int]] = {}  # first_row -> (state, attempts) when first seen unknown/sending/...
    landed = 0
    sending_seen = 0
    started = time.monotonic()
    for k in range(kills):
        resume = ["--resume"] if journal.exists() else []
        child = start(command(data, *args, *resume, verbose=True), url, tmp_path)
        if rng.random() < 0.3:
            time.sleep(rng.uniform(0.05, 0.8))  # anywhere: start-up, re-reading the journaled rows, sending
            alive = child.poll() is None
        else:
            alive = wait_for_chunks(child, journal, journaled(journal) + rng.randint(2, 8))
            time.sleep(rng.uniform(0, 0.03))
            alive = alive and child.poll() is None
        done = kill(child)
        outputs.append(done)
        assert b"Traceback" not in done.err, done.err[-3000:]
        if not alive:  # it ended on its own first (it is never expected to finish all 200 chunks)
            assert done.code in (1, 5), (k, done.code, done.err[-3000:])
            break
        assert done.code == -signal.SIGKILL, (k, done.code, done.err[-3000:])
        landed += 1
        assert_no_canary(*journal_files(journal), done.out, done.err)
        if not journal.exists():
            continue  # killed before the journal was created
        now = chunk_rows(journal)
        for first, (_count, _sent, state, attempts, _reason) in now.items():
            if state == "sending":
                sending_seen += 1
            if first in seen:
                was_state, was_attempts = seen[first]
                # Never sent again: neither an unknown / in-flight chunk nor a settled or accepted one.
                assert attempts == was_attempts, (first, seen[first], now[first])
                if was_state in ("unknown", "sending"):
                    assert state in ("unknown", "sending"), (first, seen[first], now[first])
                elif was_state != "accepted":
                    assert state == was_state, (first, seen[first], now[first])
            if state != "unsent":
                seen[first] = (state, attempts)
    assert landed >= 8, f"only {landed} kills landed mid-run"

    results = tmp_path / "results.jsonl"
    final = run(command(data, *args, "--resume", "--results", str(results), verbose=True), url, tmp_path, timeout=180)
    outputs.append(final)
    elapsed = time.monotonic() - started
    assert b"Traceback" not in final.err, final.err[-3000:]
    assert final.code in (1, 5), (final.code, final.err[-3000:])
    summary = final.summary()
    assert summary["exit_code"] == final.code
    states = check_complete_run(results, journal, url, N, TASK_SECONDS, summary)
    assert final.code == (5 if states.get("unknown") or states.get("unconfirmed") else 1)

    # Chunks seen unknown or in flight after a kill ended unknown, with the attempts they had then.
    end = chunk_rows(journal)
    for first, (state, attempts) in seen.items():
        assert end[first][3] == attempts, (first, state, end[first])
        if state in ("unknown", "sending"):
            assert end[first][2] == "unknown", (first, state, end[first])
    assert len(end) == N // CHUNK
    # What each fault did agrees with the emulator (tests/fault_accounting.py).
    launched, _ = launches_by_row(url)
    faults = account(
        [(f, c[0], c[1], c[2], c[4]) for f, c in sorted(end.items())],
        set(launched),
        bad_every=BAD_EVERY,
        server_fails_every=SERVER_FAILS_EVERY,
    )
    unknown_rows = {r for f, c in end.items() if c[2] == "unknown" for r in range(f, f + c[0]) if r % BAD_EVERY}
    assert unknown_rows == faults.dropped_rows | faults.failed_rows

    assert_no_canary(results, *journal_files(journal))
    for done in outputs:
        assert_no_canary(done.out, done.err)
    assert any(b"DEBUG" in d.err or b"HTTP Request" in d.err for d in outputs), "-v showed no log"
    print(
        f"\nattack: {landed} SIGKILLs of {kills} planned, {sending_seen} chunk(s) seen sending after a kill, "
        f"{len(outputs)} runs in {elapsed:.1f} s; {states}; faults: {faults.dropped} dropped, {faults.failed} 503"
    )
