"""``altcraft import --resume --resend-unknown`` really sends the unknown chunks again.

Issue 24's seeded fault this kills: ``cli/_import.py`` not passing ``resend_unknown`` to
``bulk_import`` (the warning is still printed, and nothing is sent). Against an emulator that drops
answers after processing, the first run leaves chunks *unknown*; the resumed run must raise those
chunks' attempt counts in the journal, and the emulator must receive their rows a second time (each
of them launched twice), while the other rows are neither sent nor launched again.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from altcraft.cli import main
from altcraft_mock import DEFAULT_TOKEN, MockProcess
from click.testing import CliRunner

N = 3000
CHUNK = 100


def email(i: int) -> str:
    return f"r{i}@resend.test"


@pytest.fixture(scope="module")
def lossy() -> Iterator[MockProcess]:
    # Only dropped answers (after processing), no 503s: an unknown chunk here was always processed.
    # P(none of 30 answers dropped) = 0.7**30 < 3e-5.
    with MockProcess(task_seconds=0.2, drop_rate=0.3, seed=23) as m:
        url = m.url
        for _ in range(100):  # the address is printed after bind(), before listen()
            try:
                httpx.post(url + "/_mock/reset").raise_for_status()
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        yield m


def attempts(journal: Path) -> dict[int, tuple[str, int]]:
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
        return {
            first: (state, tries) for first, state, tries in db.execute("SELECT first_row, state, attempts FROM chunk")
        }


def launches_by_row(url: str) -> Counter[int]:
    def section(name: str, fields: str) -> list[list[Any]]:
        page = httpx.get(
            url + "/_mock/state", params={"section": name, "limit": 100_000, "fields": fields}, timeout=60
        ).json()
        items: list[list[Any]] = page["items"]
        assert len(items) == page["total"]
        return items

    row_of = {pid: int(e.split("@")[0][1:]) for pid, e in section("profiles", "email")}
    return Counter(row_of[pid] for pid, _trigger in section("trigger_launches", "profile_id,trigger_id"))


def test_resend_unknown_sends_the_unknown_chunks_again(lossy: MockProcess, tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_bytes(b"".join(orjson.dumps({"data": {"email": email(i)}}) + b"\n" for i in range(1, N + 1)))
    journal = Path(f"{data}.altcraft-journal")
    env = {"ALTCRAFT_URL": lossy.url, "ALTCRAFT_TOKEN": DEFAULT_TOKEN}
    args = ["import", str(data), "--trigger-id", "13", "--sync", "--chunk-size", str(CHUNK), "--json", "--quiet"]

    first = CliRunner().invoke(main, args, env=env, prog_name="altcraft")
    assert first.exit_code != 0, first.output  # some rows unknown
    before = attempts(journal)
    unknown = {f for f, (state, _n) in before.items() if state == "unknown"}
    assert unknown and len(before) == N // CHUNK
    assert set(launches_by_row(lossy.url).values()) == {1}  # every row launched once: drops came after processing

    second = CliRunner().invoke(main, [*args, "--resume", "--resend-unknown"], env=env, prog_name="altcraft")
    assert "may be imported and launched twice" in second.stderr
    after = attempts(journal)
    # The unknown chunks were attempted again (once each), the others not.
    assert {f: n for f, (_s, n) in after.items()} == {f: n + (f in unknown) for f, (_s, n) in before.items()}
    # The emulator received the unknown chunks' rows again: each launched twice; every other row once.
    resent_rows = {i for f in unknown for i in range(f, f + CHUNK)}
    launched = launches_by_row(lossy.url)
    assert sorted(launched) == list(range(1, N + 1))
    assert {i for i, times in launched.items() if times == 2} == resent_rows
    assert all(times == 1 for i, times in launched.items() if i not in resent_rows)
