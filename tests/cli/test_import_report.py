"""What ``altcraft import`` tells the user: the waiting phase after the last send, the summary of a run
that stopped before the input's end (with the rows never read), a resume with nothing to send, ``-q``
leaving only the failure line, and the dry run as a report (rejected rows, warnings, chunks and bytes).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from altcraft.bulk import Progress
from altcraft.cli import main
from altcraft.cli._import_output import SHOWN, progress_display
from altcraft.cli._readers import open_source
from altcraft_mock import MockProcess
from click.testing import CliRunner, Result

CANARY = "CANARY-REPORT-TOKEN-8d2f-do-not-leak"


@pytest.fixture(scope="module")
def slow_tasks() -> Iterator[MockProcess]:
    # Tasks run 1 s: the input (a few chunks) is read and sent long before the first task ends.
    with MockProcess(task_seconds=1.0, seed=3, token=CANARY) as m:
        yield m


def rows(path: Path, n: int, bad: set[int] = frozenset()) -> Path:  # type: ignore[assignment]
    with path.open("wb") as fh:
        for i in range(1, n + 1):
            data: dict[str, Any] = {"email": f"u{i}@report.test", "_fname": "A"}
            if i in bad:
                data["subscriptions"] = i  # not an array: refused locally
            fh.write(orjson.dumps({"data": data}) + b"\n")
    return path


def run(args: list[str], url: str | None = None) -> Result:
    env = {"ALTCRAFT_TOKEN": CANARY, **({"ALTCRAFT_URL": url} if url else {})}
    result = CliRunner().invoke(main, args, env=env, prog_name="altcraft")
    assert CANARY not in result.output
    return result


def refused_url() -> str:
    """An address on loopback where nothing listens (the port was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- the waiting phase ------------------------------------------------------------------------------------


def test_after_the_last_send_the_progress_says_it_waits_for_the_tasks(slow_tasks: MockProcess, tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 1000)
    # --progress-every 3600: no timed line; the one line printed is the turn to the waiting phase.
    result = run(
        ["import", str(data), "--trigger-id", "13", "--chunk-size", "100", "--progress-every", "3600"], slow_tasks.url
    )
    assert result.exit_code == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("altcraft import: ")]
    assert len(progress) == 1, result.stderr
    assert progress[0].startswith("altcraft import: 1,000 rows read, 1,000 sent, ")
    assert "; input read, waiting for " in progress[0] and " tasks" in progress[0], progress[0]


def test_the_share_done_stays_short_of_the_whole_while_tasks_run(tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 10)
    source = open_source(str(data), None, None)  # type: ignore[arg-type]
    try:
        source.raw.count = source.size or 0  # the whole input read
        with progress_display(source, quiet=False, every=3600) as show:
            assert show is not None
            line = show.line  # type: ignore[attr-defined]
            reading = Progress(10, 10, 4, 0, 0, 0, 6, 0, 0)
            assert "40% done" in line(reading, show.started + 1)  # type: ignore[attr-defined]
            waiting = Progress(10, 10, 4, 0, 0, 0, 6, 0, 2, input_done=True)
            text = line(waiting, show.started + 1)  # type: ignore[attr-defined]
            assert text.endswith("; input read, waiting for 2 tasks") and "100%" not in text
    finally:
        source.close()


# -- a run that stops before the input's end ------------------------------------------------------------------


def test_a_refused_connection_fails_once_in_one_line_with_q_and_the_rows_not_read(
    slow_tasks: MockProcess, tmp_path: Path
) -> None:
    data = rows(tmp_path / "rows.jsonl", 5000)
    args = ["import", str(data), "--trigger-id", "13", "--chunk-size", "100"]
    url = refused_url()
    quiet = run([*args, "-q"], url)
    assert quiet.exit_code == 1 and quiet.stdout == ""
    assert len(quiet.stderr.splitlines()) == 1, quiet.stderr
    assert "could not reach 127.0.0.1" in quiet.stderr and "ConnectError" in quiet.stderr

    Path(f"{data}.altcraft-journal").unlink()
    told = run([*args, "--json"], url)
    summary = json.loads(told.stdout)
    assert summary["pending"] > 0 and summary["imported"] == 0 and summary["exit_code"] == 1
    assert summary["rows"] + summary["not_read"] == 5000, summary  # every row of the input accounted for
    human = run([*args, "--resume"], url)
    assert f"{5000 - summary['rows']:,} rows of the input not read yet" in human.stdout, human.stdout

    done = run([*args, "--resume", "--json"], slow_tasks.url)  # the journal carries on against a live server
    assert done.exit_code == 0, done.stderr
    finished = json.loads(done.stdout)
    assert finished["imported"] == 5000 and finished["not_read"] is None and finished["sent_this_run"] == 5000


def test_stdin_that_stops_says_the_rest_was_not_read(tmp_path: Path) -> None:
    payload = rows(tmp_path / "rows.jsonl", 300).read_bytes()
    result = CliRunner().invoke(
        main,
        ["import", "-", "--trigger-id", "13", "--chunk-size", "100"],
        env={"ALTCRAFT_TOKEN": CANARY, "ALTCRAFT_URL": refused_url()},
        input=payload,
        prog_name="altcraft",
    )
    assert result.exit_code == 1
    assert "the rest of the input not read yet (stdin is not read further)" in result.stdout, result.stdout


# -- a resume with nothing to send ------------------------------------------------------------------------


def test_a_resume_of_a_finished_import_says_nothing_was_sent(slow_tasks: MockProcess, tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 200)
    args = ["import", str(data), "--trigger-id", "13", "--chunk-size", "100"]
    assert run(args, slow_tasks.url).exit_code == 0
    again = run([*args, "--resume"], slow_tasks.url)
    assert again.exit_code == 0
    assert "altcraft import: --resume: nothing was left to send; this run sent no request" in again.stderr
    assert "(0 rows/s sent)" in again.stdout
    as_json = json.loads(run([*args, "--resume", "--json"], slow_tasks.url).stdout)
    assert as_json["sent_this_run"] == 0 and as_json["imported"] == 200


# -- the dry run -------------------------------------------------------------------------------------------


def test_the_dry_run_lists_the_first_rejected_rows_and_counts_chunks_and_bytes(tmp_path: Path) -> None:
    bad = set(range(5, 5 + 3 * (SHOWN + 5), 3))  # SHOWN + 5 bad rows
    data = rows(tmp_path / "rows.jsonl", 250, bad)
    results = tmp_path / "rejected.jsonl"
    args = ["import", str(data), "--trigger-id", "13", "--chunk-size", "100", "--dry-run"]
    shown = run([*args, "--results", str(results)])
    assert shown.exit_code == 1
    lines = shown.stderr.splitlines()
    listed = lines[lines.index(f"{len(bad)} rejected row(s):") + 1 :][: SHOWN + 1]
    first = min(bad)
    assert listed[0].startswith(f"  row {first}: data.subscriptions: refused before sending: "), listed[0]
    assert [int(line.split()[1].rstrip(":")) for line in listed[:SHOWN]] == sorted(bad)[:SHOWN]
    assert listed[SHOWN] == f"  ... and 5 more (--results {results} lists them all)"
    on_file = [json.loads(line) for line in results.read_bytes().splitlines()]
    assert [r["row"] for r in on_file] == sorted(bad) and {r["field"] for r in on_file} == {"data.subscriptions"}

    summary = json.loads(run([*args, "--json"]).stdout)
    assert summary["chunks"] == 3 and summary["rejected"] == len(bad)
    assert [r["row"] for r in summary["rejected_rows"]] == sorted(bad)[:SHOWN]
    # The bytes are those of the request bodies as the client encodes them (JSON, no token): checked on
    # rows that are all valid, so that the chunks are plainly rows 1-100, 101-200 and 201-250.
    clean = rows(tmp_path / "clean.jsonl", 250)
    items = [json.loads(line) for line in clean.read_bytes().splitlines()]
    clean_summary = json.loads(
        run(["import", str(clean), "--trigger-id", "13", "--chunk-size", "100", "--dry-run", "--json"]).stdout
    )
    expected = sum(len(orjson.dumps({"trigger_id": 13, "data": items[lo : lo + 100]})) for lo in (0, 100, 200))
    assert clean_summary["chunks"] == 3 and clean_summary["bytes"] == expected
    assert f"would send 3 chunks, {summary['bytes']:,} bytes (the token not counted)" in shown.stdout


def test_the_dry_run_in_xml_counts_the_xml_bytes(tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 50)
    as_json = json.loads(run(["import", str(data), "--trigger-id", "13", "--dry-run", "--json"]).stdout)
    as_xml = json.loads(
        run(["import", str(data), "--trigger-id", "13", "--dry-run", "--json", "--format", "xml"]).stdout
    )
    assert as_xml["chunks"] == as_json["chunks"] == 1
    assert as_xml["bytes"] > as_json["bytes"] > 0  # the same rows cost more bytes as XML


def test_the_dry_run_with_q_prints_nothing_but_exits_with_the_verdict(tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 20, {3})
    result = run(["import", str(data), "--trigger-id", "13", "--dry-run", "-q"])
    assert result.exit_code == 1 and result.output == ""


def test_the_dry_run_summary_has_its_keys_and_the_results_file(tmp_path: Path) -> None:
    import time

    data = rows(tmp_path / "rows.jsonl", 30, {7})
    results = tmp_path / "rejected.csv"
    started = time.monotonic()
    summary = json.loads(
        run(["import", str(data), "--db-id", "1", "--dry-run", "--json", "--results", str(results)]).stdout
    )
    took = time.monotonic() - started
    assert set(summary) == {
        "rows", "valid", "rejected", "imported", "unknown", "unconfirmed", "chunks", "bytes", "seconds",
        "dry_run", "rejected_rows", "warnings", "results", "exit_code",
    }  # fmt: skip
    assert summary["unknown"] == summary["unconfirmed"] == summary["imported"] == 0 and summary["dry_run"] is True
    assert 0 <= summary["seconds"] <= took and summary["results"] == str(results) and summary["exit_code"] == 1
    assert summary["chunks"] == 29  # --db-id: one request per valid row
    import csv

    with results.open(newline="", encoding="utf-8") as fh:
        records = list(csv.DictReader(fh))
    assert [(r["row"], r["state"], r["field"]) for r in records] == [("7", "rejected", "data.subscriptions")]


@pytest.mark.parametrize(
    ("maps", "why"),
    [
        (["email"], "'email' is not COLUMN=FIELD"),
        (["=email"], "'=email' is not COLUMN=FIELD"),
        (["email="], "'email=' is not COLUMN=FIELD"),
        (["email=  "], "'email=  ' is not COLUMN=FIELD"),
        (["a=b", "a=c"], "column 'a' is mapped twice"),
    ],
)
def test_a_bad_map_is_a_usage_error_naming_map(tmp_path: Path, maps: list[str], why: str) -> None:
    data = rows(tmp_path / "rows.jsonl", 3)
    args = [arg for m in maps for arg in ("--map", m)]
    result = run(["import", str(data), "--trigger-id", "13", "--dry-run", *args])
    assert result.exit_code == 2 and f"Invalid value for --map: {why}" in result.stderr, result.stderr


def test_rows_of_a_chunk_that_could_not_be_sent_are_not_counted_as_sent(tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 3000)
    result = run(["import", str(data), "--trigger-id", "13", "--json"], refused_url())
    summary = json.loads(result.stdout)
    assert summary["pending"] > 0 and summary["sent_this_run"] == 0, summary
    assert "(0 rows/s sent)" in run(["import", str(data), "--trigger-id", "13", "--resume"], refused_url()).stdout


def test_a_row_xml_cannot_carry_is_rejected_alone_and_the_rest_imported(
    slow_tasks: MockProcess, tmp_path: Path
) -> None:
    """A key that is no XML element name, or a control character, refuses its row, before anything is
    sent, as any local refusal: not the whole import (which had sent chunks before it, exit 2)."""
    data = tmp_path / "rows.jsonl"
    lines = [orjson.dumps({"data": {"email": f"x{i}@report.test"}}) for i in range(1, 301)]
    lines[149] = orjson.dumps({"data": {"email": "bad@report.test", "bad name": "x"}})
    lines[249] = orjson.dumps({"data": {"email": "ctl@report.test", "_fname": "a\x01b"}})
    data.write_bytes(b"\n".join(lines) + b"\n")
    args = ["import", str(data), "--trigger-id", "13", "--chunk-size", "100", "--format", "xml"]
    dry = json.loads(run([*args, "--dry-run", "--json"]).stdout)
    assert [(r["row"], r["field"]) for r in dry["rejected_rows"]] == [(150, "data.bad name"), (250, "data._fname")]
    assert "'bad name' is not a valid XML element name" in dry["rejected_rows"][0]["reason"]
    results = tmp_path / "results.jsonl"
    done = run([*args, "--json", "--results", str(results)], slow_tasks.url)
    summary = json.loads(done.stdout)
    assert done.exit_code == 1 and summary["imported"] == 298 and summary["rejected"] == 2, (summary, done.stderr)
    states = {r["row"]: r["state"] for r in map(json.loads, results.read_bytes().splitlines())}
    assert states[150] == states[250] == "rejected" and list(states.values()).count("imported") == 298


def test_with_q_the_warning_about_unknown_rows_still_shows(tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 200)
    with MockProcess(drop_rate=1.0, seed=9, token=CANARY) as dropping:  # every answer lost after processing
        result = run(["import", str(data), "--trigger-id", "13", "--chunk-size", "100", "-q"], dropping.url)
    assert result.exit_code == 5 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "altcraft import: 200 rows unknown: their requests were sent and may have been processed (see --results); "
        "--resume --resend-unknown sends them again, and they may then be launched twice"
    ]


def test_a_second_ctrl_c_exits_at_once_though_a_request_is_stuck(tmp_path: Path) -> None:
    """A server that accepts and never answers: the first Ctrl-C waits for the request in flight (up to
    its 30 s timeout); the second gives it up, and the process exits then, not when the request times out."""
    import signal
    import subprocess
    import sys
    import threading
    import time

    from tests.processes import restore_sigint

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # never answered
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    data = rows(tmp_path / "rows.jsonl", 100)
    env = {"PATH": "/usr/bin:/bin", "ALTCRAFT_URL": f"http://127.0.0.1:{listener.getsockname()[1]}",
           "ALTCRAFT_TOKEN": CANARY}  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "altcraft", "--timeout", "30", "import", str(data), "--trigger-id", "13", "-q"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=restore_sigint,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not held and time.monotonic() < deadline:
            time.sleep(0.05)
        assert held, "the request never arrived"
        child.send_signal(signal.SIGINT)
        time.sleep(0.5)
        started = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        stop.set()
        child.kill()
        for s in held:
            s.close()
        listener.close()
    assert child.returncode == 130, (out, err)
    assert took < 15, took  # the request's timeout is 30 s
    assert "Traceback" not in err and CANARY not in out + err
    assert err.splitlines()[-1].startswith("altcraft: error: interrupted"), err


def test_the_hints_name_unconfirmed_rows_even_with_q(capsys: pytest.CaptureFixture[str]) -> None:
    from types import SimpleNamespace

    from altcraft.cli._import_output import print_hints

    report = SimpleNamespace(unknown=0, unconfirmed=7, pending=0, complete=True, rows_sent=10)
    print_hints(report, resumable=True, resumed=False, quiet=True)  # type: ignore[arg-type]
    assert capsys.readouterr().err.splitlines() == [
        "altcraft import: 7 rows unconfirmed: the server listed fewer profiles than were sent in their chunks"
    ]


def test_the_share_done_is_the_share_read_times_the_share_settled(tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 10)
    source = open_source(str(data), None, None)  # type: ignore[arg-type]
    try:
        source.raw.count = (source.size or 0) // 2  # half the input read
        with progress_display(source, quiet=False, every=3600) as show:
            half_settled = Progress(5, 5, 5, 0, 0, 0, 5, 0, 0)  # 5 imported, 5 pending
            assert "25% done" in show.line(half_settled, show.started + 1)  # type: ignore[union-attr]
    finally:
        source.close()


def test_a_stopped_run_that_read_its_whole_input_says_nothing_of_rows_not_read(tmp_path: Path) -> None:
    data = rows(tmp_path / "rows.jsonl", 300)  # 3 chunks: all read before the first one fails
    result = run(["import", str(data), "--trigger-id", "13", "--chunk-size", "100"], refused_url())
    assert result.exit_code == 1 and "not read yet" not in result.stdout, result.stdout
    summary = json.loads(run(["import", str(data), "--trigger-id", "13", "--resume", "--json"], refused_url()).stdout)
    assert summary["not_read"] == 0 and summary["rows"] == 300
