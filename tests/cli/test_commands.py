"""The ``altcraft`` command: every subcommand through click's CliRunner against altcraft-mock as a real
process, the error lines and exit codes, the token kept out of everything printed, and real subprocess
runs of the installed console script and of ``python -m altcraft``."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from altcraft import Altcraft, AssumptionWarning, validate
from altcraft.cli import _contract, main
from altcraft_mock import DEFAULT_TOKEN, MockProcess
from click.testing import CliRunner, Result

CANARY = "CANARY-TOKEN-7d41e0-do-not-leak"
ALTCRAFT = Path(sys.executable).parent / "altcraft"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with MockProcess(task_seconds=0.6, seed=3, token=[DEFAULT_TOKEN, CANARY]) as process:
        yield process


@pytest.fixture
def env(mock: MockProcess) -> dict[str, str]:
    return {"ALTCRAFT_URL": mock.url, "ALTCRAFT_TOKEN": CANARY}


def new_task(url: str, profiles: int = 2) -> str:
    with Altcraft(url, DEFAULT_TOKEN) as client:
        data = [{"data": {"email": f"cli{i}@example.com"}} for i in range(profiles)]
        return client.import_and_start_batch_task({"trigger_id": 13, "data": data}).task_id


def run(args: list[str], env: dict[str, str] | None = None, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, args, env=env, input=stdin, prog_name="altcraft")


def one_error_line(result: Result, code: int) -> str:
    """The run failed with ``code`` and printed exactly one error line, no traceback, no token."""
    assert result.exit_code == code, (result.exit_code, result.output, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("altcraft: error: "), result.stderr
    assert "Traceback" not in result.output
    assert CANARY not in result.output
    return lines[0]


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the group ----------------------------------------------------------------------------------------------


def test_help_lists_the_commands_and_documents_the_exit_codes() -> None:
    result = run(["--help"])
    assert result.exit_code == 0
    for text in ("task", "validate", "contract", "ALTCRAFT_URL", "ALTCRAFT_TOKEN", "--token-file", "Exit codes:"):
        assert text in result.output
    for code in ("0 ", "1 ", "2 ", "3 ", "4 ", "130 "):
        assert f"\n    {code}" in result.output
    assert "--token " not in result.output and "--token=" not in result.output


def test_there_is_no_token_option() -> None:
    result = run(["--token", CANARY, "task", "status", "x"])
    assert result.exit_code == 2
    assert "No such option '--token'" in result.stderr


def test_version() -> None:
    result = run(["--version"])
    assert result.exit_code == 0 and result.output.startswith("altcraft, version ")


# -- task status / task wait --------------------------------------------------------------------------------


def test_task_status(mock: MockProcess, env: dict[str, str]) -> None:
    task_id = new_task(mock.url)
    result = run(["task", "status", task_id], env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"task {task_id}"
    assert "status: " in result.stdout


def test_task_status_json(mock: MockProcess, env: dict[str, str]) -> None:
    task_id = new_task(mock.url)
    result = run(["task", "status", task_id, "--json"], env)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["error"] == 0 and answer["data"]["status"] in ("queued", "processing", "completed")


@pytest.mark.parametrize(
    "options", [["--format", "xml"], ["--auth", "bearer"], ["--format", "xml", "--auth", "bearer"]]
)
def test_task_status_as_xml_and_with_bearer(mock: MockProcess, env: dict[str, str], options: list[str]) -> None:
    task_id = new_task(mock.url)
    result = run([*options, "task", "status", task_id, "--json"], env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["error"] == 0


def test_task_wait_prints_plain_progress_lines_and_the_result(mock: MockProcess, env: dict[str, str]) -> None:
    task_id = new_task(mock.url, profiles=3)
    result = run(["task", "wait", task_id, "--timeout", "30", "--poll-interval", "0.1"], env)
    assert result.exit_code == 0, result.output
    progress = [line for line in result.stderr.splitlines() if line.startswith(f"task {task_id}: ")]
    assert progress and progress[-1] == f"task {task_id}: completed 100%"
    assert "status: completed (100%)" in result.stdout
    assert "profiles: 3: " in result.stdout


def test_task_wait_json_is_only_the_final_status(mock: MockProcess, env: dict[str, str]) -> None:
    task_id = new_task(mock.url)
    result = run(["task", "wait", task_id, "--json", "--poll-interval", "0.1"], env)
    assert result.exit_code == 0, result.output
    final = json.loads(result.stdout)
    assert final["data"]["status"] == "completed" and len(final["data"]["result"]["result"]) == 2
    assert result.stderr == ""


def test_task_wait_shows_a_progress_bar_on_a_terminal(mock: MockProcess, env: dict[str, str]) -> None:
    task_id = new_task(mock.url)
    result = run(["task", "wait", task_id, "--poll-interval", "0.1"], {**env, "TTY_COMPATIBLE": "1"})
    assert result.exit_code == 0, result.output
    assert "━" in result.stderr and "100%" in result.stderr  # rich's bar, finished
    assert f"task {task_id}: completed 100%" not in result.stderr  # no plain lines


def test_task_wait_timeout_says_how_to_resume(mock: MockProcess, env: dict[str, str]) -> None:
    task_id = new_task(mock.url)
    line = one_error_line(run(["task", "wait", task_id, "--timeout", "0", "--json"], env), 1)
    assert f"task {task_id} did not finish within 0 s" in line
    assert f"resume with: altcraft task wait {task_id}" in line


def test_task_wait_interrupted(mock: MockProcess, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Altcraft, "wait_task", interrupted)
    line = one_error_line(run(["task", "wait", "t-1"], env), 130)
    assert "interrupted; task t-1 goes on: resume with: altcraft task wait t-1" in line


def test_unknown_task_is_a_failed_operation(env: dict[str, str]) -> None:
    line = one_error_line(run(["task", "status", "no-such-task"], env), 1)
    assert "404" in line and "no-such-task" in line


def test_wrong_token(env: dict[str, str]) -> None:
    wrong = CANARY + "-wrong"
    result = run(["task", "status", "t"], {**env, "ALTCRAFT_TOKEN": wrong})
    line = one_error_line(result, 1)
    assert "401" in line and "Unauthorized" in line
    assert wrong not in result.output


def test_wrong_token_verbose_log_keeps_the_token_out(env: dict[str, str]) -> None:
    result = run(["--verbose", "task", "status", "t"], {**env, "ALTCRAFT_TOKEN": CANARY + "x"})
    assert result.exit_code == 1
    assert "httpx: INFO: HTTP Request: POST" in result.stderr  # the log is shown
    assert "altcraft: DEBUG: Unauthorized (code 401, HTTP 401, operation task_status)" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("altcraft: error: task_status: Altcraft error 401")
    assert CANARY not in result.output


def test_unreachable_server(env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    line = one_error_line(run(["task", "status", "t"], {**env, "ALTCRAFT_URL": url}), 1)
    assert "task_status: could not reach 127.0.0.1 after 3 attempt(s): ConnectError" in line


@pytest.mark.parametrize(
    ("overrides", "args", "says"),
    [
        ({"ALTCRAFT_URL": ""}, [], "no server: set ALTCRAFT_URL or pass --url"),
        ({"ALTCRAFT_TOKEN": ""}, [], "no token: set ALTCRAFT_TOKEN or pass --token-file PATH"),
        ({}, ["--url", "ftp://example.com"], "must be http(s)://host[:port]"),
        ({}, ["--url", f"http://u:{CANARY}@example.com"], "must not carry credentials"),
        ({}, ["--token-file", "/nonexistent/token"], "cannot read the token file /nonexistent/token"),
    ],
)
def test_configuration_errors_exit_3(
    env: dict[str, str], overrides: dict[str, str], args: list[str], says: str
) -> None:
    line = one_error_line(run([*args, "task", "status", "t"], {**env, **overrides}), 3)
    assert says in line


def test_token_file(env: dict[str, str], tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{DEFAULT_TOKEN}\n", encoding="utf-8")
    result = run(["--token-file", str(token_file), "task", "status", "no-such-task"], {**env, "ALTCRAFT_TOKEN": ""})
    assert "404" in one_error_line(result, 1)  # authenticated: the task is unknown, the token was fine
    token_file.write_text("  \n", encoding="utf-8")
    assert "is empty" in one_error_line(run(["--token-file", str(token_file), "task", "status", "t"], env), 3)
    token_file.write_text(f"{CANARY} {CANARY}\n", encoding="utf-8")
    assert "whitespace inside" in one_error_line(run(["--token-file", str(token_file), "task", "status", "t"], env), 3)


def test_unexpected_errors_are_one_line_and_the_traceback_is_verbose(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"something broke near {CANARY}")

    monkeypatch.setattr(Altcraft, "task_status", broken)
    line = one_error_line(run(["task", "status", "t"], env), 1)
    assert "unexpected RuntimeError: something broke near ***" in line and "--verbose" in line
    verbose = run(["--verbose", "task", "status", "t"], env)
    assert verbose.exit_code == 1
    assert CANARY not in verbose.output


# -- validate -----------------------------------------------------------------------------------------------

BAD_BATCH = {
    "trigger_id": "13",
    "skip_trigers": True,
    "data": [{"data": {"email": "tom@example.com"}}, {"data": {"_fname": "No email"}}],
}


def test_validate_valid_json_file(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"db_id": 1, "email": "a@example.com", "data": {"_fname": "Ann"}}), encoding="utf-8")
    result = run(["validate", "import_profile", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: valid import_profile request\n"


def test_validate_prints_every_problem_with_its_field_path(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(BAD_BATCH), encoding="utf-8")
    result = run(["validate", "import_and_start_batch", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}: invalid import_and_start_batch request, 3 problem(s):"
    problems = {tuple(line.split(None, 1)) for line in lines[1:]}
    assert problems == {
        (
            "skip_trigers",
            "is an unknown parameter; did you mean skip_triggers? (no page documents it, and this client refuses"
            " unknown names by policy; extra_body= sends it anyway)",
        ),
        (
            "data[1].data",
            "needs one of email, subscriptions[].email with matching 'email': the item's search key (or email at the"
            " root)",
        ),
        ("trigger_id", "must be of type integer, not string"),
    }


def test_validate_json_output_from_stdin() -> None:
    result = run(["validate", "import_and_start_batch", "-", "--json"], stdin=json.dumps(BAD_BATCH))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["file"] == "<stdin>" and report["valid"] is False and report["assumptions"] == []
    assert {"field": "trigger_id", "message": "must be of type integer, not string"} in report["problems"]


@pytest.mark.parametrize("name", ["batch.xml", "batch.txt"])
def test_validate_xml_by_extension_or_content(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(
        "<xml><trigger_id>13</trigger_id><matching>email</matching>"
        "<data><_fname>Lili</_fname><email>lili@example.com</email></data></xml>",
        encoding="utf-8",
    )
    assert run(["validate", "import_and_start_batch", str(path)]).exit_code == 0
    path.write_text(
        "<xml><trigger_id>13</trigger_id><matching>nonsense</matching><skip_trigers>true</skip_trigers></xml>",
        encoding="utf-8",
    )
    result = run(["validate", "import_and_start_batch", str(path), "--json"])
    assert result.exit_code == 1
    fields = {p["field"] for p in json.loads(result.stdout)["problems"]}
    assert {"matching", "skip_trigers"} <= fields


def test_validate_unreadable_input_is_one_error_line(tmp_path: Path) -> None:
    assert "not valid JSON" in one_error_line(run(["validate", "import_profile", "-"], stdin="{oops"), 1)
    path = tmp_path / "hostile.xml"
    path.write_text('<!DOCTYPE x [<!ENTITY e "e">]><xml/>', encoding="utf-8")
    assert "DTD" in one_error_line(run(["validate", "import_profile", str(path)]), 1)


def test_validate_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(["validate", "no_such_operation", "-"], stdin="{}").exit_code == 2
    assert run(["validate", "import_profile", str(tmp_path / "missing.json")]).exit_code == 2


def test_validate_reports_assumptions_marked_as_such() -> None:
    """Rules the spec only assumes (x-assumed; here Attachment.name) are shown, marked, and never refuse."""
    body = json.dumps({"trigger_id": 13, "data": [{"data": {"email": "a@b.c"}}], "attach": [{"data": "data:,x"}]})
    result = run(["validate", "import_and_start_batch", "-"], stdin=body)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "<stdin>: valid import_and_start_batch request",
        "  assumption (not enforced): attach[0].name is required",
    ]
    assert result.stderr == ""
    report = json.loads(run(["validate", "import_and_start_batch", "-", "--json"], stdin=body).stdout)
    assert report["valid"] is True
    assert report["assumptions"] == ["attach[0].name is required"]
    with warnings.catch_warnings():  # and outside the command it is an AssumptionWarning
        warnings.simplefilter("error", AssumptionWarning)
        with pytest.raises(AssumptionWarning):
            validate("import_and_start_batch", json.loads(body))


def test_validate_json_reports_an_xml_type_error_as_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "profile.xml"
    path.write_text("<xml><db_id>one</db_id><data><email>a@b.c</email></data></xml>", encoding="utf-8")
    result = run(["validate", "import_profile", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"] == [
        {"field": "db_id", "message": "must be of type integer, not string"}
    ]


XML_WITH_FOUR_PROBLEMS = (
    "<xml><trigger_id>abc</trigger_id><matching>email</matching>"
    "<data><data><email>a@b.c</email><subscriptions><channel>email</channel><resource_id>x</resource_id>"
    "</subscriptions></data></data>"
    "<data><data><email>z@b.c</email></data><data><email>y@b.c</email></data></data>"
    "<skip_triggers>maybe</skip_triggers></xml>"
)
JSON_WITH_THE_SAME_FOUR = {
    "trigger_id": "abc",
    "matching": "email",
    "data": [
        {"data": {"email": "a@b.c", "subscriptions": [{"channel": "email", "resource_id": "x"}]}},
        {"data": [{"email": "z@b.c"}, {"email": "y@b.c"}]},
    ],
    "skip_triggers": "maybe",
}


def test_validate_gives_every_problem_of_xml_in_the_words_of_json(tmp_path: Path) -> None:
    xml, body = tmp_path / "batch.xml", tmp_path / "batch.json"
    xml.write_text(XML_WITH_FOUR_PROBLEMS, encoding="utf-8")
    body.write_bytes(json.dumps(JSON_WITH_THE_SAME_FOUR).encode())
    reports = [json.loads(run(["validate", "import_and_start_batch", str(p), "--json"]).stdout) for p in (xml, body)]
    from_xml, from_json = (r["problems"] for r in reports)
    assert len(from_xml) == 4, from_xml  # not only the first: the XML reader no longer stops at it
    assert from_xml == from_json
    assert {"field": "trigger_id", "message": "must be of type integer, not string"} in from_xml
    assert any(p["field"] == "data[1].data" for p in from_xml), from_xml  # a repeated element: an array, as in JSON


def test_xml_that_cannot_be_read_is_still_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<xml><trigger_id>1</trigger_id>", encoding="utf-8")
    result = run(["validate", "import_and_start_batch", str(path)])
    assert result.exit_code != 0 and "not a readable import_and_start_batch XML request: malformed XML" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "reading"),
    [
        ("body.xml", "hello", "not a readable import_profile XML request"),  # neither JSON nor XML: the name
        ("body.json", "hello", "not valid JSON"),
        ("body.txt", "hello", "not valid JSON"),
    ],
)
def test_validate_reads_by_the_file_name_what_the_content_does_not_tell(
    tmp_path: Path, name: str, content: str, reading: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert reading in one_error_line(run(["validate", "import_profile", str(path)]), 1)


@pytest.mark.parametrize("content", ['{"email": "lili@example.com"}', "[]"])
def test_validate_reads_json_in_a_file_named_xml_as_json(tmp_path: Path, content: str) -> None:
    reports = []
    for name in ("body.xml", "body.json"):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        result = run(["validate", "import_profile", str(path), "--json"])
        assert result.exit_code == 1, result.stderr
        reports.append(json.loads(result.stdout)["problems"])
    assert reports[0] == reports[1] and reports[0], reports


def test_validate_reports_an_xml_problem_that_has_no_json_form(tmp_path: Path) -> None:
    path = tmp_path / "batch.xml"
    path.write_text(
        "<xml><trigger_id>13</trigger_id><data><data><email>a@example.com</email></data></data>"
        "<data empty='true'/></xml>",
        encoding="utf-8",
    )
    result = run(["validate", "import_and_start_batch", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"] == [
        {"field": "data[1]", "message": "an empty array cannot follow its items"}
    ]


def test_validate_aligns_the_problems_to_the_longest_field_up_to_40_characters(tmp_path: Path) -> None:
    long_key, short_key = "x" * 50, "ab"
    path = tmp_path / "body.json"
    path.write_text(json.dumps({"email": "lili@example.com", long_key: 1, short_key: 2}), encoding="utf-8")
    lines = run(["validate", "import_profile", str(path)]).stdout.splitlines()
    short_line = next(line for line in lines if line.lstrip().startswith(short_key + " "))
    assert short_line.startswith("  " + short_key.ljust(40) + "  is an unknown parameter"), short_line


# -- contract -----------------------------------------------------------------------------------------------


def test_contract_without_schemathesis_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _contract.importlib.util.find_spec
    monkeypatch.setattr(
        _contract.importlib.util, "find_spec", lambda name, *a: None if name == "schemathesis" else real(name, *a)
    )
    line = one_error_line(run(["contract"]), 4)
    assert "pip install 'altcraft-client[contract]'" in line


def test_contract_without_the_mock_extra_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _contract.importlib.util.find_spec
    monkeypatch.setattr(
        _contract.importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a)
    )
    line = one_error_line(run(["contract"]), 4)
    assert "pip install 'altcraft-client[mock]'" in line and "--url" in line


def test_contract_against_a_server_needs_a_token(mock: MockProcess) -> None:
    line = one_error_line(run(["contract", "--url", mock.url], {"ALTCRAFT_TOKEN": ""}), 3)
    assert "no token" in line


def test_contract_never_fuzzes_the_server_of_altcraft_url(mock: MockProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """ALTCRAFT_URL alone does not make `altcraft contract` fuzz that server: it starts altcraft-mock."""
    targets: list[str] = []

    def fake_run(url: str, token: str, media: str, auth: str, options: Any, directory: Path) -> int:
        targets.append(url)
        return 0

    monkeypatch.setattr(_contract, "_run", fake_run)
    result = run(["contract", "--media", "json"], {"ALTCRAFT_URL": "http://192.0.2.1:9", "ALTCRAFT_TOKEN": CANARY})
    assert result.exit_code == 0, result.output
    assert len(targets) == 1 and targets[0].startswith("http://127.0.0.1:") and "== altcraft-mock at" in result.output
    targets.clear()
    assert run(["--url", mock.url, "contract", "--media", "json"], {"ALTCRAFT_TOKEN": CANARY}).exit_code == 0
    assert targets == [mock.url]  # the group's --url, given on the command line, does count


def test_contract_run_against_a_server(mock: MockProcess, env: dict[str, str]) -> None:
    result = run(["contract", "--url", mock.url, "-n", "1", "--media", "json", "--phases", "examples"], env)
    assert result.exit_code == 0, result.output
    assert "== contract: json bodies, token in mixed" in result.output
    assert "No issues found" in result.output
    assert "== spec: " in result.output


def test_contract_failures_are_reported_with_the_token_redacted() -> None:
    """A server failing every case: schemathesis prints reproduction commands carrying the token (its own
    sanitizing is switched off here), and the command's output has it redacted."""
    with MockProcess(fail_rate=1.0, token=CANARY) as failing:
        args = ["contract", "--url", failing.url, "-n", "1", "--media", "json", "--phases", "examples"]
        result = run([*args, "--auth", "bearer", "--", "--output-sanitize", "false"], {"ALTCRAFT_TOKEN": CANARY})
    assert result.exit_code == 1
    assert "curl -X POST -H 'Authorization: Bearer ***'" in result.stdout
    assert CANARY not in result.output
    assert result.stderr.splitlines() == [
        "altcraft: error: the contract failed: json/bearer (exit 1) (the run's output is above)"
    ]


# -- real processes -----------------------------------------------------------------------------------------


def process(args: list[str], env: dict[str, str], module: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "altcraft", *args] if module else [str(ALTCRAFT), *args]
    environ = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", **env}
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("module", [False, True], ids=["console-script", "python-m"])
def test_real_process_against_altcraft_mock(mock: MockProcess, env: dict[str, str], module: bool) -> None:
    task_id = new_task(mock.url)
    done = process(["task", "wait", task_id, "--json", "--poll-interval", "0.1"], env, module)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["data"]["status"] == "completed"

    wrong = process(["task", "status", task_id], {**env, "ALTCRAFT_TOKEN": CANARY + "-wrong"}, module)
    unreachable = process(["task", "status", task_id], {**env, "ALTCRAFT_URL": f"http://127.0.0.1:{unused_port()}"})
    no_token = process(["task", "status", task_id], {"ALTCRAFT_URL": mock.url}, module)
    for result, code, says in [(wrong, 1, "401"), (unreachable, 1, "ConnectError"), (no_token, 3, "no token")]:
        assert result.returncode == code, (result.stdout, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("altcraft: error: ") and says in lines[0], result.stderr
        assert CANARY not in result.stdout + result.stderr


def test_contract_against_an_unreachable_server_fails_at_once(env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    started = time.monotonic()
    line = one_error_line(run(["contract", "--url", url, "-n", "1"], env), 1)
    assert f"cannot reach {url}" in line and time.monotonic() - started < 10
