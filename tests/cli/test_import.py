"""``altcraft import`` against altcraft-mock as a process: with injected faults (503 before processing,
dropped connections after processing), killed (SIGKILL) or interrupted (SIGINT) and resumed, and in
every input kind and mode.

What the fault tests prove, from the emulator's own state (``/_mock/state``: the summary's
``repeated_pairs`` and pages of profiles and launches), as tests/bulk/test_live.py does for the API:

* the results file has one record per input row, rows 1..n in order, each in one final state;
* no profile was launched twice (``repeated_pairs == 0``);
* imported rows carry the profile id the emulator gave their email, and were launched;
* the unknown rows are exactly the rows of the requests whose outcome the client could not know: a
  dropped connection (journal reason "no answer ...") was processed, a 503 was not; a request left
  *sending* by a kill is unknown whether or not it got through;
* every launched row is accounted for (imported, unknown after a drop, or unconfirmed).
"""

from __future__ import annotations

import csv
import json
import signal
import sqlite3
import subprocess
import sys
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
from click.testing import CliRunner, Result

from tests.processes import restore_sigint

from ..fault_accounting import account
from ..import_rows import BAD_EVERY, SERVER_FAILS_EVERY, make_item, write_rows

CANARY = "CANARY-IMPORT-TOKEN-31c9-do-not-leak"
TASK_SECONDS = 0.2
ROOT = Path(__file__).resolve().parents[2]


def email(i: int) -> str:
    return f"r{i}@import.test"


def item(i: int) -> dict[str, Any]:
    return make_item(i, email(i))


def write_jsonl(path: Path, n: int) -> Path:
    return write_rows(path, n, item)


def reset(url: str) -> str:
    # altcraft-mock prints its address after bind() and before listen(): the first connection can be refused.
    for _ in range(100):
        try:
            httpx.post(url + "/_mock/reset").raise_for_status()
            break
        except httpx.ConnectError:
            time.sleep(0.05)
    return url


@pytest.fixture(scope="module")
def faulty() -> Iterator[MockProcess]:
    with MockProcess(task_seconds=TASK_SECONDS, fail_rate=0.1, drop_rate=0.05, seed=11, token=CANARY) as m:
        yield m


@pytest.fixture(scope="module")
def lossy() -> Iterator[MockProcess]:
    # Answers are lost on the way back often enough that a run of 30 requests meets at least one:
    # P(none of 30 dropped) = 0.7**30 < 3e-5 (with --drop-rate 0.05 it was 0.95**30 = 0.21, and it flaked).
    with MockProcess(task_seconds=TASK_SECONDS, drop_rate=0.3, seed=17, token=CANARY) as m:
        yield m


@pytest.fixture(scope="module")
def clean() -> Iterator[MockProcess]:
    with MockProcess(task_seconds=TASK_SECONDS, seed=5, token=[DEFAULT_TOKEN, CANARY]) as m:
        yield m


@pytest.fixture
def env(clean: MockProcess) -> dict[str, str]:
    reset(clean.url)
    return {"ALTCRAFT_URL": clean.url, "ALTCRAFT_TOKEN": CANARY}


def run(args: list[str], env: dict[str, str] | None = None, stdin: bytes | None = None) -> Result:
    result = CliRunner().invoke(main, args, env=env, input=stdin, prog_name="altcraft")
    assert CANARY not in result.output, "the token was printed"
    return result


def summary_of(result: Result) -> dict[str, Any]:
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout  # --json: one object, nothing else on stdout
    out: dict[str, Any] = json.loads(lines[0])
    return out


def read_results(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            return [{**r, "row": int(r["row"])} for r in csv.DictReader(fh)]
    return [json.loads(line) for line in path.read_bytes().splitlines()]


# -- the emulator's state ----------------------------------------------------------------------------------


def state_summary(url: str) -> dict[str, Any]:
    out: dict[str, Any] = httpx.get(url + "/_mock/state", params={"summary": 1}, timeout=60).json()
    return out


def page_all(url: str, section: str, fields: str) -> list[list[Any]]:
    items: list[list[Any]] = []
    while True:
        page = httpx.get(
            url + "/_mock/state",
            params={"section": section, "offset": len(items), "limit": 100_000, "fields": fields},
            timeout=60,
        ).json()
        items += page["items"]
        if len(items) >= page["total"]:
            return items


def journal_chunks(path: Path) -> list[tuple[int, int, int, str, str | None]]:
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT first_row, row_count, sent_count, state, reason FROM chunk ORDER BY first_row"))


def verify(results: Path, journal: Path, url: str, n: int, kind: str = "trigger") -> dict[str, int]:
    """The guarantees listed in the module docstring; returns figures."""
    records = read_results(results)
    assert [r["row"] for r in records] == list(range(1, n + 1)), "a row is missing, doubled or out of order"
    states = Counter(r["state"] for r in records)
    assert set(states) <= {"imported", "rejected", "unknown", "unconfirmed"}, states

    time.sleep(TASK_SECONDS + 0.3)  # tasks whose acceptance was dropped finish on the emulator's clock
    summary = state_summary(url)
    section, target = ("trigger_launches", "trigger_id") if kind == "trigger" else ("workflow_entries", "workflow_id")
    assert summary[section]["repeated_pairs"] == 0, summary[section]
    profile_of = {e: pid for pid, e in page_all(url, "profiles", "email")}
    launched = Counter(pid for pid, _t in page_all(url, section, f"profile_id,{target}"))
    assert not [p for p, times in launched.items() if times > 1]
    launched_rows = {i for i in range(1, n + 1) if profile_of.get(email(i)) in launched}

    for r in records:
        i = r["row"]
        if i % BAD_EVERY == 0:
            assert r["state"] == "rejected" and "data.subscriptions" in r["reason"], r
        elif r["state"] == "imported":
            assert r["profile_id"] == profile_of[email(i)] and i in launched_rows, r

    chunks = journal_chunks(journal)
    assert all(c[3] in ("done", "rejected", "unknown", "unconfirmed") for c in chunks), chunks
    faults = account(chunks, launched_rows, bad_every=BAD_EVERY, server_fails_every=SERVER_FAILS_EVERY)
    dropped_rows, failed_rows, unconfirmed_rows = faults.dropped_rows, faults.failed_rows, faults.unconfirmed_rows
    dropped, failed = faults.dropped, faults.failed
    unknown_rows = {r["row"] for r in records if r["state"] == "unknown"}
    assert unknown_rows == dropped_rows | failed_rows
    assert {r["row"] for r in records if r["state"] == "unconfirmed"} == unconfirmed_rows
    imported_rows = {r["row"] for r in records if r["state"] == "imported"}
    accounted = imported_rows | dropped_rows | unconfirmed_rows
    assert launched_rows <= accounted, f"rows launched but not accounted for: {sorted(launched_rows - accounted)[:10]}"
    assert imported_rows <= launched_rows
    return {"dropped_chunks": dropped, "failed_chunks": failed, **states}


# -- faults -----------------------------------------------------------------------------------------------


def test_50000_jsonl_rows_with_faults(faulty: MockProcess, tmp_path: Path) -> None:
    n = 50_000
    url = reset(faulty.url)
    data = write_jsonl(tmp_path / "rows.jsonl", n)
    results = tmp_path / "results.jsonl"
    args = ["import", str(data), "--trigger-id", "13", "--matching", "email", "--chunk-size", "250"]
    started = time.perf_counter()
    result = run(
        [*args, "--results", str(results), "--json", "--progress-every", "1"],
        {"ALTCRAFT_URL": url, "ALTCRAFT_TOKEN": CANARY},
    )
    elapsed = time.perf_counter() - started
    assert result.exit_code == 5, (result.stdout, result.stderr)  # some rows unknown
    summary = summary_of(result)
    figures = verify(results, Path(f"{data}.altcraft-journal"), url, n)
    print(f"\naltcraft import: {n} rows in {elapsed:.1f} s, {summary}, {figures}")
    assert summary["rows"] == n and summary["exit_code"] == 5 and summary["complete"]
    for key in ("imported", "rejected", "unknown", "unconfirmed"):
        assert summary[key] == figures.get(key, 0), key
    assert summary["chunks"] == len(journal_chunks(Path(f"{data}.altcraft-journal")))
    assert isinstance(summary["seconds"], float)
    # The faults happened (200 requests: P(no drop) = 0.95**200 < 1e-4).
    assert figures["dropped_chunks"] and figures["failed_chunks"] and summary["unconfirmed"]
    assert "rows unknown: their requests were sent and may have been processed" in result.stderr
    assert "rows read" in result.stderr  # plain progress lines (stderr is not a terminal)


def journaled(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM chunk").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("how", ["sigkill", "sigint"])
def test_killed_import_resumes_without_duplicates(faulty: MockProcess, tmp_path: Path, how: str) -> None:
    n = 20_000
    url = reset(faulty.url)
    data = write_jsonl(tmp_path / "rows.jsonl", n)
    journal = Path(f"{data}.altcraft-journal")
    args = ["import", str(data), "--trigger-id", "13", "--chunk-size", "200", "--json", "--quiet"]
    env = {"PATH": "/usr/bin:/bin", "ALTCRAFT_URL": url, "ALTCRAFT_TOKEN": CANARY}
    child = subprocess.Popen(
        [sys.executable, "-m", "altcraft", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=restore_sigint,
    )
    deadline = time.monotonic() + 60
    while journaled(journal) < 40 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    assert child.poll() is None, child.communicate()
    child.send_signal(signal.SIGKILL if how == "sigkill" else signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert CANARY not in out + err
    if how == "sigint":
        assert child.returncode == 130, (out, err)
        assert err.splitlines()[-1].startswith("altcraft: error: interrupted; the journal is consistent"), err
        interrupted = json.loads(out)
        assert interrupted["interrupted"] and interrupted["exit_code"] == 130 and not interrupted["complete"]
        # The whole input accounted for: the rows journaled, and those never read (counted after the stop).
        assert interrupted["rows"] + interrupted["not_read"] == n, interrupted
    else:
        assert child.returncode == -signal.SIGKILL
    before = journal_chunks(journal)
    assert 40 <= len(before) < 100

    again = run(["import", str(data), "--trigger-id", "13", "--chunk-size", "200", "--json"], env)
    assert again.exit_code == 2 and "add --resume to carry on" in again.stderr  # a journal exists
    results = tmp_path / "results.csv"
    resumed = run([*args, "--resume", "--results", str(results)], env)
    assert resumed.exit_code in (0, 1, 5), (resumed.stdout, resumed.stderr)
    summary = summary_of(resumed)
    assert summary["rows"] == n and summary["complete"]
    figures = verify(results, journal, url, n)
    assert resumed.exit_code == (5 if figures.get("unknown") or figures.get("unconfirmed") else 1)
    after = {c[0]: c for c in journal_chunks(journal)}
    for first, _count, _sent, chunk_state, _reason in before:
        if chunk_state == "sending":
            assert after[first][3] == "unknown"  # its request may have left: never sent again
        if chunk_state == "accepted":
            assert after[first][3] in ("done", "unconfirmed")  # waited for by task id


def test_resend_unknown_says_so_and_finishes(lossy: MockProcess, tmp_path: Path) -> None:
    url = reset(lossy.url)
    data = write_jsonl(tmp_path / "rows.jsonl", 3000)
    env = {"ALTCRAFT_URL": url, "ALTCRAFT_TOKEN": CANARY}
    args = ["import", str(data), "--trigger-id", "13", "--sync", "--chunk-size", "100", "--json", "--quiet"]
    first = summary_of(run(args, env))
    assert first["unknown"], first  # 30 import requests, each answer lost with P = 0.3
    assert run([*args, "--resend-unknown"], env).exit_code == 2  # needs --resume
    second = run([*args, "--resume", "--resend-unknown"], env)
    assert "may be imported and launched twice" in second.stderr
    assert summary_of(second)["rows"] == 3000


# -- inputs and modes (a mock without faults) ---------------------------------------------------------------

CSV_HEADER = (
    "E-mail,_fname,_sex,subscriptions[0].channel,subscriptions[0].email,subscriptions[0].resource_id,"
    "subscriptions[1].channel,subscriptions[1].phone,subscriptions[1].resource_id,custom_data.code"
)


def write_csv(path: Path, n: int) -> Path:
    lines = [CSV_HEADER]
    for i in range(1, n + 1):
        sms = f"sms,+7900{i:07d},2" if i % 2 else ",,"  # every other row has no second subscription
        lines.append(f"c{i}@example.com,Name {i},{i % 2},email,c{i}@example.com,1,{sms},K{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_with_subscriptions_custom_data_and_map(env: dict[str, str], tmp_path: Path) -> None:
    data = write_csv(tmp_path / "people.csv", 30)
    results = tmp_path / "results.csv"
    args = ["import", str(data), "--trigger-id", "13", "--map", "E-mail=email", "--results", str(results), "--json"]
    result = run(args, env)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    summary = summary_of(result)
    assert summary["rows"] == summary["imported"] == 30 and summary["chunks"] == 1
    records = read_results(results)
    assert [r["row"] for r in records] == list(range(1, 31)) and {r["state"] for r in records} == {"imported"}

    time.sleep(TASK_SECONDS + 0.3)
    state = httpx.get(env["ALTCRAFT_URL"] + "/_mock/state").json()
    profiles = {p["fields"]["email"]: p for p in state["profiles"]}
    first, second = profiles["c1@example.com"], profiles["c2@example.com"]
    assert first["fields"]["_sex"] == 1 and first["fields"]["_fname"] == "Name 1"  # an integer field, as integer
    channels = sorted((s["channel"], s["resource_id"]) for s in first["subscriptions"])
    assert channels == [("email", 1), ("sms", 2)]  # resource_id sent as an integer
    assert [s["channel"] for s in second["subscriptions"]] == ["email"]  # empty cells: no subscription
    launches = {e["profile_id"]: e for e in state["trigger_launches"]}
    assert launches[first["profile_id"]]["custom_data"] == {"code": "K1"}
    assert records[0]["profile_id"] == first["profile_id"]


def test_csv_header_errors_and_bad_cells(env: dict[str, str], tmp_path: Path) -> None:
    data = write_csv(tmp_path / "people.csv", 3)
    missing = run(["import", str(data), "--trigger-id", "13", "--map", "Email=email"], env)
    assert missing.exit_code == 2 and "--map names a column the header does not have: Email" in missing.stderr
    bad = tmp_path / "bad.csv"
    lines = ["email,subscriptions[0].resource_id", "a@example.com,one", "b@example.com,1,extra", "c@example.com"]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = tmp_path / "bad.jsonl"
    result = run(["import", str(bad), "--trigger-id", "13", "--results", str(results), "--json"], env)
    assert result.exit_code == 1  # rows rejected, none unknown
    records = read_results(results)
    assert len(records) == 3 and all(r["state"] == "rejected" for r in records)
    assert "data.subscriptions[0].resource_id must be of type integer" in records[0]["reason"]
    assert "has 3 cells, the header has 2" in records[1]["reason"]
    assert "has 1 cell, the header has 2" in records[2]["reason"]  # cut short: not imported without its column
    assert state_summary(env["ALTCRAFT_URL"])["profiles"] == 0


def test_json_array_in_xml_to_a_workflow(env: dict[str, str], tmp_path: Path) -> None:
    n = 2500
    data = tmp_path / "rows.json"
    data.write_bytes(b"[\n" + b",\n".join(orjson.dumps(item(i)) for i in range(1, n + 1)) + b"\n]\n")
    results = tmp_path / "results.jsonl"
    args = ["import", str(data), "--workflow-id", "2", "--format", "xml", "--chunk-size", "500"]
    result = run([*args, "--results", str(results), "--json"], env)
    summary = summary_of(result)
    assert result.exit_code == 5, result.stderr  # the row that fails on the server makes its chunk unconfirmed
    assert summary["rows"] == n and summary["rejected"] == 2 and summary["unconfirmed"] == 500
    assert summary["imported"] == n - 502 and summary["chunks"] == 5
    assert len(read_results(results)) == n
    time.sleep(TASK_SECONDS + 0.3)
    assert state_summary(env["ALTCRAFT_URL"])["workflow_entries"]["launches"] == n - 3


def test_json_array_broken_mid_way(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "rows.json"
    data.write_text('[{"data": {"email": "a@example.com"}}, {"data": ', encoding="utf-8")
    result = run(["import", str(data), "--trigger-id", "13"], env)
    assert result.exit_code == 1 and "not one JSON array" in result.stderr


def test_jsonl_from_stdin_sync_mode(env: dict[str, str], tmp_path: Path) -> None:
    lines = b"".join(orjson.dumps(item(i)) + b"\n" for i in range(1, 1201)) + b"\n{not json}\n"
    results = tmp_path / "results.jsonl"
    args = ["import", "-", "--trigger-id", "13", "--sync", "--results", str(results), "--json"]
    result = run(args, env, stdin=lines)
    summary = summary_of(result)
    assert result.exit_code == 1, result.stderr  # 1 row rejected locally (1 bad email) + 1 not JSON
    assert summary["rows"] == 1201 and summary["rejected"] == 2 and summary["imported"] == 1199
    assert summary["journal"] is None  # stdin without --journal: a temporary journal
    assert "reading stdin without --journal: this import cannot be resumed" in result.stderr
    records = read_results(results)
    assert len(records) == 1201 and "is not JSON" in records[-1]["reason"]
    state = state_summary(env["ALTCRAFT_URL"])
    assert state["tasks"]["total"] == 0 and state["trigger_launches"]["launches"] == 1199  # no tasks: --sync
    resumed = run([*args, "--resume"], env, stdin=lines)
    assert resumed.exit_code == 2 and "needs --journal PATH" in resumed.stderr


def test_db_id_imports_one_request_per_row(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "profiles.csv"
    data.write_text(
        "email,_fname,subscriptions[0].channel,subscriptions[0].email,subscriptions[0].resource_id\n"
        + "".join(f"p{i}@example.com,P{i},email,p{i}@example.com,1\n" for i in range(1, 21)),
        encoding="utf-8",
    )
    result = run(["import", str(data), "--db-id", "1", "--json", "--concurrency", "8"], env)
    assert result.exit_code == 0, result.stderr
    summary = summary_of(result)
    assert summary["imported"] == 20 and summary["chunks"] == 20
    state = httpx.get(env["ALTCRAFT_URL"] + "/_mock/state").json()
    assert sorted(p["fields"]["email"] for p in state["profiles"]) == sorted(f"p{i}@example.com" for i in range(1, 21))
    assert not state["trigger_launches"] and not state["tasks"]


def test_dry_run_sends_nothing_and_needs_no_token(env: dict[str, str], tmp_path: Path) -> None:
    n = 2000
    data = write_jsonl(tmp_path / "rows.jsonl", n)
    for results in (tmp_path / "rejects.jsonl", tmp_path / "rejects.csv"):
        result = run(["import", str(data), "--trigger-id", "13", "--dry-run", "--results", str(results), "--json"], {})
        assert result.exit_code == 1, result.stderr  # rows 997 and 1994 are invalid
        summary = summary_of(result)
        assert summary["rows"] == n and summary["rejected"] == 2 and summary["valid"] == n - 2
        assert summary["chunks"] == 2 and summary["dry_run"]
        records = read_results(results)
        assert [r["row"] for r in records] == [997, 1994] and all("data.subscriptions" in r["reason"] for r in records)
    ok = tmp_path / "ok.jsonl"
    ok.write_bytes(b"".join(orjson.dumps(item(i)) + b"\n" for i in range(1, 900)))
    assert run(["import", str(ok), "--trigger-id", "13", "--dry-run"], {}).exit_code == 0
    assert not (tmp_path / "rows.jsonl.altcraft-journal").exists()
    state = state_summary(env["ALTCRAFT_URL"])
    assert state["profiles"] == 0 and state["tasks"]["total"] == 0
    assert state["trigger_launches"]["launches"] == 0


def test_dry_run_lists_the_warnings_validate_gives_by_row(tmp_path: Path) -> None:
    """Issue 22: `import --dry-run` shows the profile-field typos and the assumptions (sent, not refused),
    each with its input row, as `altcraft validate` does for one request; a refused row does not shift them."""
    rows = [
        {"data": {"email": "a@example.com", "_fnmae": "Ann"}},
        {"data": {"email": "b@example.com", "subscriptions": "not an array"}},  # refused
        {"data": {"email": "c@example.com"}},
        {"data": {"email": "d@example.com", "phones": 79000000000}},
    ]
    data = tmp_path / "rows.jsonl"
    data.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows * 15))  # 60 rows, 2 chunks of 50
    args = ["import", str(data), "--trigger-id", "13", "--dry-run", "--chunk-size", "50"]
    summary = summary_of(run([*args, "--json"], {}))
    assert summary["rejected"] == 15 and summary["valid"] == 45
    warnings = summary["warnings"]
    assert len(warnings) == 30
    assert (
        warnings[0]
        == "row 1: data._fnmae is not a documented profile field; did you mean _fname? (sent as a custom field)"
    )
    assert warnings[1].startswith("row 4: data.phones ")
    assert warnings[-2].startswith("row 57: data._fnmae ") and warnings[-1].startswith("row 60: data.phones ")
    shown = run(args, {})
    assert shown.exit_code == 1
    lines = shown.stderr.splitlines()
    assert "30 warning(s), not refused (the rows are sent as written):" in lines
    assert "  ... and 10 more (--json lists them all)" in lines
    warned = lines[lines.index("30 warning(s), not refused (the rows are sent as written):") + 1 :]
    assert sum(1 for line in warned if line.startswith("  row ")) == 20
    # The rejected rows come first, each with its row and field (15: all shown, under the 20 the terminal gets).
    rejected = lines[lines.index("15 rejected row(s):") + 1 : lines.index(warned[0]) - 1]
    assert len(rejected) == 15 and all(line.startswith("  row ") for line in rejected), rejected


# -- exit codes, output ---------------------------------------------------------------------------------


def test_exit_0_human_summary_and_progress(env: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_bytes(b"".join(orjson.dumps(item(i)) + b"\n" for i in range(1, 900)))
    result = run(["import", str(data), "--trigger-id", "13", "--chunk-size", "100", "--progress-every", "0"], env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("899 rows: 899 imported, 0 rejected, 0 unknown")
    assert f"journal: {data}.altcraft-journal" in result.stdout
    progress = [line for line in result.stderr.splitlines() if line.startswith("altcraft import: ")]
    assert progress and "rows read" in progress[-1] and "rows/s" in progress[-1]
    quiet = run(["import", str(data), "--trigger-id", "13", "--resume", "--quiet"], env)
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_progress_bar_on_a_terminal(env: dict[str, str], tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", 500)
    result = run(["import", str(data), "--trigger-id", "13", "--chunk-size", "100"], {**env, "TTY_COMPATIBLE": "1"})
    assert "━" in result.stderr and "rows/s" in result.stderr  # rich's bar
    assert "altcraft import: 500 rows read" not in result.stderr  # no plain lines


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--trigger-id", "13", "--workflow-id", "2"], "exactly one of --trigger-id, --workflow-id, --db-id"),
        ([], "exactly one of --trigger-id"),
        (["--workflow-id", "2", "--sync"], "--sync is for --trigger-id only"),
        (["--trigger-id", "x"], "'x' is not a valid integer"),
        (["--trigger-id", "13", "--no-such-option"], "No such option"),
        (["--trigger-id", "13", "--map", "oops"], "is not COLUMN=FIELD"),
        (["--trigger-id", "13", "--resume"], "there is no journal"),
        (["--trigger-id", "13", "--matching", "nonsense"], "matching"),
        (["--trigger-id", "13", "--chunk-size", "10001"], "10001 is not in the range"),
        (["--trigger-id", "13", "--results", "/proc/no/such/dir/r.csv"], "cannot write a file there"),
    ],
)
def test_usage_errors_exit_2(env: dict[str, str], tmp_path: Path, args: list[str], says: str) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", 3)
    result = run(["import", str(data), *args], env)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)  # as in every command
    assert says in result.stderr
    assert state_summary(env["ALTCRAFT_URL"])["profiles"] == 0


def test_configuration_errors_exit_3_and_group_usage_errors_2_as_in_every_command(
    env: dict[str, str], tmp_path: Path
) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", 3)
    no_token = run(["import", str(data), "--trigger-id", "13"], {**env, "ALTCRAFT_TOKEN": ""})
    assert no_token.exit_code == 3 and "no token" in no_token.stderr
    assert not Path(f"{data}.altcraft-journal").exists()  # nothing journaled before the configuration is checked
    no_url = run(["import", str(data), "--trigger-id", "13"], {**env, "ALTCRAFT_URL": ""})
    assert no_url.exit_code == 3 and "no server" in no_url.stderr
    group = run(["--format", "yaml", "import", str(data), "--trigger-id", "13"], env)
    assert group.exit_code == 2 and "'yaml' is not one of" in group.stderr
    missing = run(["import", str(tmp_path / "missing.csv"), "--trigger-id", "13"], env)
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    assert run(["--format", "yaml", "task", "status", "t"], env).exit_code == 2  # the same code as import's
    assert state_summary(env["ALTCRAFT_URL"])["profiles"] == 0


def test_wrong_token_stops_with_rows_pending(env: dict[str, str], tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "rows.jsonl", 300)
    wrong = CANARY + "-wrong"
    result = run(["import", str(data), "--trigger-id", "13", "--json"], {**env, "ALTCRAFT_TOKEN": wrong})
    assert wrong not in result.output
    assert result.exit_code == 1, result.stderr
    summary = summary_of(result)
    assert summary["pending"] == 300 and not summary["complete"]
    assert "rows pending, the input not finished: run the same command with --resume" in result.stderr
    resumed = run(["import", str(data), "--trigger-id", "13", "--json", "--resume"], env)
    assert resumed.exit_code == 0, resumed.stderr  # the unsent chunk is sent now
    assert summary_of(resumed)["imported"] == 300


def test_help_documents_the_columns_and_exit_codes() -> None:
    result = run(["import", "--help"])
    assert result.exit_code == 0
    for text in ("subscriptions[N].KEY", "custom_data.KEY", "@NAME", "--resume", "--resend-unknown", "--dry-run"):
        assert text in result.output
    for code in ("0 ", "1 ", "2 ", "3 ", "5 ", "130 "):
        assert f"\n    {code}" in result.output
    assert "2   usage error" in result.output and "5   rows unknown or unconfirmed" in result.output


def test_real_process_python_m(env: dict[str, str], tmp_path: Path) -> None:
    data = write_csv(tmp_path / "people.csv", 5)
    command = [sys.executable, "-m", "altcraft", "import", str(data), "--trigger-id", "13", "--map", "E-mail=email"]
    done = subprocess.run(
        [*command, "--json", "--quiet"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["imported"] == 5 and done.stderr == ""
    assert CANARY not in done.stdout + done.stderr


@pytest.mark.parametrize("bad_at", [0, 5, 511, 512, 700])
def test_jsonl_reader_keeps_every_row_in_order_around_blank_and_unreadable_lines(tmp_path: Path, bad_at: int) -> None:
    """One row per non-blank line, in order, wherever the bad line falls (before, at and after the
    core's 512-row blocks): ``null`` is a row, the bad line an Unreadable row, a blank line no row."""
    from altcraft.bulk import Unreadable
    from altcraft.cli._readers import jsonl_rows, open_source

    lines = [orjson.dumps(item(i)) for i in range(1, 1101)]
    lines[bad_at] = b"{not json"
    lines[bad_at + 3] = b"null"
    lines.insert(bad_at + 1, b"   ")  # blank: no row
    data = tmp_path / "rows.jsonl"
    data.write_bytes(b"\n".join(lines) + b"\n\n")
    source = open_source(str(data), None, sys.stdin.buffer)
    try:
        got = list(jsonl_rows(source, {"email": "mail"}))
    finally:
        source.close()
    assert len(got) == 1100
    assert isinstance(got[bad_at], Unreadable) and got[bad_at].raw == b"{not json"
    assert got[bad_at + 3] is None
    for i, row in enumerate(got):
        if i not in (bad_at, bad_at + 3):
            expected = item(i + 1)
            expected["data"]["mail"] = expected["data"].pop("email")  # --map email=mail
            assert row == expected, i


def test_csv_cells_of_an_assumed_type_change_no_value() -> None:
    """_sex is an integer by assumption only (x-assumed): a cell becomes a number only where it reads back
    unchanged; db_id's type is stated (int), so its cell is read as that number."""
    from altcraft._schema import request_shape
    from altcraft.cli._readers import _converter, _shape_at

    profile = request_shape("import_profile")
    sex = _converter(_shape_at(profile, ["data", "_sex"]))
    assert (sex("1"), sex("-2"), sex("007"), sex("+1"), sex("x")) == (1, -2, "007", "+1", "x")
    db_id = _converter(_shape_at(profile, ["db_id"]))
    assert (db_id("007"), db_id("+1"), db_id("٣")) == (7, 1, "٣")  # ASCII digits only


def test_csv_cells_of_a_type_that_allows_a_string_keep_their_digits() -> None:
    """field_value is int/string on the trigger pages: "0002" (a CRM id) is sent as written, never as 2."""
    from altcraft._schema import request_shape
    from altcraft.cli._readers import _converter, _shape_at

    field_value = _converter(_shape_at(request_shape("import_and_start_batch"), ["field_value"]))
    assert (field_value("0002"), field_value("12"), field_value("+1"), field_value("x")) == ("0002", 12, "+1", "x")
