"""`scripts/docs` on input it cannot read: one line naming the file on stderr and exit 2 (never a
traceback); with --json also `{"error": ...}` on stdout; paths are the caller's, not the checkout's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ..spec_tools import ROOT, SPEC_PATH
from .pages import copy_pages, landed_pages, run_docs

EN = "en_v72_triggers_import_and_start_batch.txt"


def _one_line_exit_2(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("scripts/docs: "), done.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


@pytest.mark.parametrize("command", ["extract", "check", "diff"])
def test_a_page_that_is_not_text_is_one_line(tmp_path: Path, command: str) -> None:
    pages = copy_pages(tmp_path / "pages")
    (pages / "zz_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00")
    args = {"extract": [str(pages)], "check": ["--docs", str(pages)], "diff": [str(landed_pages()), str(pages)]}
    _one_line_exit_2(run_docs(command, *args[command]), "zz_binary.txt", "not a text page")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ["the spec cannot be read"]),
        ("- a\n- list\n", ["not an OpenAPI document"]),
        ("openapi: 3.1.0\npaths: {a: [\n", ["not valid YAML at line"]),
        (
            "openapi: 3.1.0\npaths:\n  /api/v1.1/profiles/import:\n"
            "    post: {operationId: import_profile, requestBody: {$ref: '#/nowhere'}}\n",
            ["$ref #/nowhere points to nothing"],
        ),
        ("openapi: 3.1.0\npaths:\n  /a: null\n", ["a shape scripts/docs cannot read"]),
        ("openapi: 3.1.0\npaths:\n  /a: [1, 2]\n", ["a shape scripts/docs cannot read"]),
        (
            "openapi: 3.1.0\npaths:\n  /api/v1.1/profiles/import:\n    post: {operationId: import_profile, "
            "requestBody: {content: {application/json: {schema: {type: object, properties: [1, 2]}}}}}\n",
            ["a shape scripts/docs cannot read"],
        ),
        ("openapi: 3.1.0\npaths: {}\nx: " + "[" * 5000 + "]" * 5000 + "\n", ["nested too deeply"]),
    ],
)
def test_a_spec_that_cannot_be_read_is_one_line(tmp_path: Path, content: str | None, words: list[str]) -> None:
    spec = tmp_path / "openapi.yaml"
    if content is not None:
        spec.write_text(content, encoding="utf-8")
    line = _one_line_exit_2(run_docs("check", "--docs", str(landed_pages()), "--spec", str(spec)), *words)
    assert str(spec) in line or "$ref" in line


def test_an_operation_without_a_request_body_is_checked_not_a_crash(tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    operation = next(op for item in document["paths"].values() for op in item.values() if isinstance(op, dict))
    name = operation["operationId"]
    del operation["requestBody"]
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    done = run_docs("check", "--docs", str(landed_pages()), "--spec", str(spec))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    # Every parameter its pages print is now missing from the spec, and said so.
    assert any(line.split(": ")[1:2] == [name] and ": missing: " in line for line in done.stdout.splitlines())


@pytest.mark.parametrize("command", ["extract", "check", "diff", "fetch"])
def test_with_json_an_error_is_json_on_stdout(tmp_path: Path, command: str) -> None:
    nowhere = str(tmp_path / "nowhere")
    args = {
        "extract": [nowhere],
        "check": ["--docs", nowhere],
        "diff": [nowhere, nowhere],
        "fetch": ["http://127.0.0.1:9/x", "--out", str(_a_file(tmp_path))],
    }
    done = run_docs(command, *args[command], "--json")
    line = _one_line_exit_2(done)
    assert json.loads(done.stdout) == {"error": line.removeprefix("scripts/docs: ")}


def _a_file(tmp_path: Path) -> Path:
    path = tmp_path / "a_file"
    path.write_text("not a directory\n", encoding="utf-8")
    return path


def test_fetch_out_naming_a_file_is_one_line(tmp_path: Path) -> None:
    target = _a_file(tmp_path)
    _one_line_exit_2(run_docs("fetch", "http://127.0.0.1:9/x", "--out", str(target)), "a_file", "not a directory")
    assert target.read_text(encoding="utf-8") == "not a directory\n"


@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "soon"])
def test_fetch_timeout_must_be_a_positive_number(tmp_path: Path, value: str) -> None:
    done = run_docs("fetch", "http://127.0.0.1:9/x", "--out", str(tmp_path / "o"), "--timeout", value)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--timeout" in done.stderr.splitlines()[-1]
    assert not (tmp_path / "o").exists()


def test_relative_paths_are_the_callers(tmp_path: Path) -> None:
    """scripts/docs (the shell command) keeps the caller's working directory."""
    shutil.copytree(landed_pages(), tmp_path / "pages")
    env = {k: v for k, v in os.environ.items() if k != "ALTCRAFT_DOCS_DIR"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = ["bash", str(ROOT / "scripts" / "docs"), *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300, check=False)

    done = run("extract", "pages")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(EN + ":")
    # The spec is looked for in the caller's directory, not found there, and named as the caller wrote it.
    _one_line_exit_2(run("check", "--docs", "pages", "--spec", "no_spec.yaml"), "no_spec.yaml", "cannot be read")


def test_a_deeply_nested_example_is_compared_not_a_crash(tmp_path: Path) -> None:
    page = "Things\nhttps://example.com/api/v1.1/profiles/import\nRequest parameters\n"
    page += "| Parameter | Type | Example | Required | Description |\n|---|---|---|---|---|\n"
    row = "| data | JSON object | " + "[" * 3000 + "]" * 3000 + " | No | {} |\n"
    for name, description in (("old", "deep"), ("new", "deeper")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "en_v72_x.txt").write_text(page + row.format(description), encoding="utf-8")
    done = run_docs("diff", str(tmp_path / "old"), str(tmp_path / "new"))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "description changed: 'deep' -> 'deeper'" in done.stdout
