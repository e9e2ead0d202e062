"""Attack tests of the journal of ``altcraft import`` (issue 24, item 6), each through the command as a
child process against altcraft-mock (no injected faults here: every request that reaches it leaves a
profile, a launch or a task behind, so "nothing was sent" can be read from its state).

* two runs on one journal at once: the second is refused (exit 2, one line), never both sending;
* a damaged journal (read-only, random bytes, cut to half its size, its -wal file deleted after a
  SIGKILL) and a resume with another --chunk-size or an edited input: each ends in a clear refusal (one
  line on stderr naming the journal, exit 2, nothing sent) or a complete, correct run; never a
  traceback, never a row launched twice.
"""

from __future__ import annotations

import os
import random
import shutil
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
    command,
    finish,
    journal_files,
    kill,
    ready,
    run,
    start,
    traces,
    wait_for_chunks,
    write_jsonl,
)

N = 20_000
CHUNK = 500  # 40 chunks
TASK_SECONDS = 0.2
ARGS = ["--chunk-size", str(CHUNK), "--json", "--quiet"]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    # A delay on every answer, so that a run lasts long enough to be caught in the middle.
    with MockProcess(task_seconds=TASK_SECONDS, latency_ms=40, seed=3, token=CANARY) as m:
        yield m


@pytest.fixture
def url(mock: MockProcess) -> str:
    return ready(mock.url)


def settled_traces(url: str) -> tuple[int, int, int]:
    time.sleep(TASK_SECONDS + 0.4)  # tasks accepted by a killed run finish on the emulator's clock
    return traces(url)


def stopped_run(data: Path, url: str, cwd: Path, chunks: int, how: int = signal.SIGKILL, *resume: str) -> Done:
    """A run of the import stopped by ``how`` once its journal holds ``chunks`` chunks."""
    child = start(command(data, *ARGS, *resume), url, cwd)
    assert wait_for_chunks(child, Path(f"{data}.altcraft-journal"), chunks), "the run ended before it was stopped"
    done = kill(child, how)
    assert done.code == (-signal.SIGKILL if how == signal.SIGKILL else 130), (done.code, done.err[-2000:])
    return done


def check_outcome(done: Done, before: tuple[int, int, int], data: Path, url: str, results: Path) -> str:
    """A clear refusal (one line naming the journal, exit 2, nothing sent) or a complete, correct run."""
    journal = Path(f"{data}.altcraft-journal")
    assert b"Traceback" not in done.err, done.err[-3000:]
    assert_no_canary(done.out, done.err)
    if done.code == 2:
        assert len(done.err_lines) == 1, done.err_lines
        line = done.err_lines[0]
        assert line.startswith("altcraft: error: ") and str(journal) in line, line
        assert settled_traces(url) == before, "a refused run sent something"
        return line
    assert done.code in (1, 5), (done.code, done.err[-3000:])  # rows rejected / unknown or unconfirmed
    check_complete_run(results, journal, url, N, TASK_SECONDS, done.summary())
    assert_no_canary(results, *journal_files(journal))
    return "complete"


# -- two runs on one journal ---------------------------------------------------------------------------------


def test_a_second_run_on_a_journal_in_use_is_refused(url: str, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", N)
    journal = Path(f"{data}.altcraft-journal")
    results = tmp_path / "results.jsonl"
    first = start(command(data, *ARGS, "--results", str(results)), url, tmp_path)
    assert wait_for_chunks(first, journal, 3)
    second = run(command(data, *ARGS, "--resume", "--results", str(tmp_path / "second.jsonl")), url, tmp_path)
    assert first.poll() is None, "the first run ended before the second was started"
    assert second.code == 2, (second.code, second.err[-2000:])
    assert second.err_lines == [f"altcraft: error: {journal} is in use by another import (it is locked): refused"]
    assert second.out == b"" and not (tmp_path / "second.jsonl").exists()
    done = finish(first)
    assert done.code in (1, 5), (done.code, done.err[-2000:])
    check_complete_run(results, journal, url, N, TASK_SECONDS, done.summary())


def test_two_runs_started_at_once_one_is_refused(url: str, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", N)
    journal = Path(f"{data}.altcraft-journal")
    outs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    children = [start(command(data, *ARGS, "--results", str(o)), url, tmp_path) for o in outs]
    done = [finish(c) for c in children]
    codes = sorted(d.code for d in done)
    assert codes[0] == 2 and codes[1] in (1, 5), [(d.code, d.err[-1000:]) for d in done]
    refused = next(d for d in done if d.code == 2)
    winner = next(i for i, d in enumerate(done) if d.code != 2)
    assert len(refused.err_lines) == 1 and str(journal) in refused.err_lines[0], refused.err_lines
    check_complete_run(outs[winner], journal, url, N, TASK_SECONDS, done[winner].summary())


# -- damaged journals, changed resumes ------------------------------------------------------------------------


def _drop_dac() -> list[str]:
    """A prefix that runs the child without the right to ignore file modes (as root, a 0444 file is writable)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a read-only file cannot be made read-only for the child")
    caps = "-dac_override,-dac_read_search,-fowner"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


ATTACKS = [
    "read-only",
    "garbage",
    "cut-in-half",
    "cut-in-half-after-kill",
    "wal-deleted",
    "other-chunk-size",
    "edited-input",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_damaged_journal_or_a_changed_resume(url: str, tmp_path: Path, attack: str) -> None:
    rng = random.Random(attack)
    data = write_jsonl(tmp_path / "rows.jsonl", N)
    journal = Path(f"{data}.altcraft-journal")
    wal = Path(f"{journal}-wal")
    results = tmp_path / "results.jsonl"
    resume = ["--resume", "--results", str(results)]
    prefix: list[str] = []
    if attack == "wal-deleted":
        # A journal stopped cleanly once (its WAL checkpointed into the file), then killed: the newest
        # commits are in the -wal file only.
        stopped_run(data, url, tmp_path, 6, signal.SIGINT)
        stopped_run(data, url, tmp_path, 14, signal.SIGKILL, "--resume")
        assert wal.exists() and wal.stat().st_size > 0
    elif attack == "cut-in-half":
        stopped_run(data, url, tmp_path, rng.randint(6, 14), signal.SIGINT)  # closed: all of it in the file
        assert not wal.exists()
    else:
        stopped_run(data, url, tmp_path, rng.randint(6, 14))
    assert journal.exists()
    if attack == "read-only":
        prefix = _drop_dac()
        for p in journal_files(journal):
            p.chmod(0o444)
    elif attack == "garbage":
        for p in journal_files(journal):
            p.unlink()
        journal.write_bytes(rng.randbytes(16_384))
    elif attack.startswith("cut-in-half"):
        os.truncate(journal, journal.stat().st_size // 2)
    elif attack == "wal-deleted":
        wal.unlink()
    elif attack == "other-chunk-size":
        resume += ["--chunk-size", "300"]
    elif attack == "edited-input":
        lines = data.read_bytes().splitlines(keepends=True)
        lines[rng.randrange(100)] = b'{"data": {"email": "edited@attack.test"}}\n'
        data.write_bytes(b"".join(lines))
    before = settled_traces(url)
    done = run(command(data, *ARGS, *resume), url, tmp_path, prefix)
    outcome = check_outcome(done, before, data, url, results)
    print(f"\n{attack}: {outcome}")
    if attack in ("read-only", "garbage", "edited-input"):
        assert done.code == 2, outcome  # none of these can carry on correctly
    if attack == "other-chunk-size":
        assert outcome == "complete"
