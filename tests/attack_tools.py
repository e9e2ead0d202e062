"""Shared by the attack tests (tests/bulk/test_attack.py, tests/cli/test_journal_attacks.py): the input,
``python -m altcraft import`` as a child process, the journal as another process reads it, and the
emulator's record of what it launched.

Every child gets ``ALTCRAFT_TOKEN`` = :data:`CANARY` (the emulator accepts only it), so that any byte the
command writes can be searched for the token.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .import_rows import make_item, write_rows
from .processes import restore_sigint

CANARY = "CANARY-ATTACK-TOKEN-5d1e-never-written"
ROOT = Path(__file__).resolve().parents[1]


def email(i: int) -> str:
    return f"r{i}@attack.test"


def item(i: int) -> dict[str, Any]:
    return make_item(i, email(i))


def write_jsonl(path: Path, n: int) -> Path:
    return write_rows(path, n, item)


def ready(url: str) -> str:
    """The emulator prints its address after bind() and before listen(): wait until it answers."""
    for _ in range(200):
        try:
            httpx.post(url + "/_mock/reset", timeout=10).raise_for_status()
            return url
        except httpx.ConnectError:
            time.sleep(0.05)
    raise RuntimeError(f"altcraft-mock at {url} does not answer")


# -- the command as a child process ------------------------------------------------------------------------


def command(data: Path, *args: str, verbose: bool = False) -> list[str]:
    flags = ["-v"] if verbose else []
    return [sys.executable, "-m", "altcraft", *flags, "import", str(data), "--trigger-id", "13", *args]


def child_env(url: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ALTCRAFT_URL": url, "ALTCRAFT_TOKEN": CANARY}


def start(cmd: Sequence[str], url: str, cwd: Path, prefix: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*prefix, *cmd],
        cwd=cwd,
        env=child_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=restore_sigint,  # the child is sent SIGINT
    )


@dataclass
class Done:
    code: int
    out: bytes
    err: bytes

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.decode(errors="replace").splitlines() if line.strip()]

    def summary(self) -> dict[str, Any]:
        lines = self.out.decode().splitlines()
        assert len(lines) == 1, (self.out, self.err[-3000:])
        out: dict[str, Any] = json.loads(lines[0])
        return out


def finish(child: subprocess.Popen[bytes], timeout: float = 120) -> Done:
    out, err = child.communicate(timeout=timeout)
    return Done(child.returncode, out, err)


def run(cmd: Sequence[str], url: str, cwd: Path, prefix: Sequence[str] = (), timeout: float = 120) -> Done:
    return finish(start(cmd, url, cwd, prefix), timeout)


def journaled(path: Path) -> int:
    """How many chunks the journal holds, as another process sees it (0 while it cannot be read)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return int(db.execute("SELECT count(*) FROM chunk").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def wait_for_chunks(child: subprocess.Popen[bytes], journal: Path, at_least: int, timeout: float = 60) -> bool:
    """Wait until the journal holds ``at_least`` chunks; False if the child ended first."""
    deadline = time.monotonic() + timeout
    while journaled(journal) < at_least:
        if child.poll() is not None:
            return False
        assert time.monotonic() < deadline, f"the journal did not reach {at_least} chunks"
        time.sleep(0.005)
    return child.poll() is None


def kill(child: subprocess.Popen[bytes], how: int = signal.SIGKILL) -> Done:
    child.send_signal(how)
    return finish(child, 60)


def chunk_rows(path: Path) -> dict[int, tuple[int, int, str, int, str | None]]:
    """first_row -> (row_count, sent_count, state, attempts, reason), read-only."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return {
            r[0]: (r[1], r[2], r[3], r[4], r[5])
            for r in db.execute("SELECT first_row, row_count, sent_count, state, attempts, reason FROM chunk")
        }
    finally:
        db.close()


def journal_files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def assert_no_canary(*blobs: bytes | Path) -> None:
    for blob in blobs:
        data = blob.read_bytes() if isinstance(blob, Path) else blob
        assert CANARY.encode() not in data, f"the token is in {blob if isinstance(blob, Path) else 'the output'}"


# -- the emulator's record -----------------------------------------------------------------------------------


def summary(url: str) -> dict[str, Any]:
    out: dict[str, Any] = httpx.get(url + "/_mock/state", params={"summary": 1}, timeout=60).json()
    return out


def traces(url: str) -> tuple[int, int, int]:
    """What any request that reached the emulator leaves behind: profiles, launches, tasks."""
    s = summary(url)
    return s["profiles"], s["trigger_launches"]["launches"], s["tasks"]["total"]


def _section(url: str, name: str, fields: str) -> list[list[Any]]:
    items: list[list[Any]] = []
    while True:
        page = httpx.get(
            url + "/_mock/state",
            params={"section": name, "offset": len(items), "limit": 100_000, "fields": fields},
            timeout=60,
        ).json()
        items += page["items"]
        if len(items) >= page["total"]:
            return items


def launches_by_row(url: str) -> tuple[Counter[int], dict[int, str]]:
    """How many times trigger 13 was launched for each input row, and each row's profile id."""
    profile_of = {int(e.split("@")[0][1:]): pid for pid, e in _section(url, "profiles", "email")}
    row_of = {pid: row for row, pid in profile_of.items()}
    launched: Counter[int] = Counter(
        row_of[pid] for pid, trigger in _section(url, "trigger_launches", "profile_id,trigger_id") if trigger == 13
    )
    return launched, profile_of


def read_results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def check_complete_run(
    results: Path, journal: Path, url: str, n: int, task_seconds: float, final: dict[str, Any] | None = None
) -> dict[str, int]:
    """A finished import: every row in one final state, the counts add up, no row launched twice."""
    records = read_results(results)
    assert [r["row"] for r in records] == list(range(1, n + 1)), "a row is missing, doubled or out of order"
    states = Counter(r["state"] for r in records)
    assert set(states) <= {"imported", "rejected", "unknown", "unconfirmed"}, states
    if final is not None:
        assert final["rows"] == n and final["complete"] and final["pending"] == 0, final
        for key in ("imported", "rejected", "unknown", "unconfirmed"):
            assert final[key] == states.get(key, 0), (key, final, states)
    chunks = chunk_rows(journal)
    assert {c[2] for c in chunks.values()} <= {"done", "rejected", "unknown", "unconfirmed"}, "a chunk not settled"
    by_state: Counter[str] = Counter()
    for _count, sent, state, _attempts, _reason in chunks.values():
        by_state["imported" if state == "done" else state] += sent
        by_state["rejected"] += _count - sent
    assert {k: v for k, v in by_state.items() if v} == dict(states), (by_state, states)

    time.sleep(task_seconds + 0.4)  # tasks accepted by a killed run finish on the emulator's clock
    launched, profile_of = launches_by_row(url)
    twice = sorted(i for i, times in launched.items() if times > 1)
    assert not twice, f"{len(twice)} row(s) launched twice: {twice[:10]}"
    assert summary(url)["trigger_launches"]["repeated_pairs"] == 0
    for r in records:
        i = r["row"]
        if r["state"] == "imported":
            assert launched[i] == 1 and r["profile_id"] == profile_of[i], r
        elif r["state"] == "rejected":
            assert launched[i] == 0, r
        # unknown and unconfirmed rows: launched 0 or 1 times (at most once, checked above)
    assert set(launched) <= set(range(1, n + 1))
    return dict(states)
