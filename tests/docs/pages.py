"""Helpers for the tests of scripts/docs: the landed pages (or a skip), copies of them to change, and the
command run as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..spec_tools import PAGE_FILES, ROOT, require_docs


def landed_pages() -> Path:
    """The five pages' directory (skips the test without them)."""
    return require_docs()


def copy_pages(target: Path) -> Path:
    """A copy of the five pages in `target`, to change."""
    target.mkdir(parents=True, exist_ok=True)
    source = landed_pages()
    for name in PAGE_FILES.values():
        shutil.copy(source / name, target / name)
    return target


def edit_line(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` (which must occur) in a page."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def run_docs(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`scripts/docs ARGS` (as python -m altcraft_docs, with this venv's python), run in `cwd` (default:
    the checkout)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts"), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "altcraft_docs", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=full_env,
        timeout=120,
        check=False,
    )


def run_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    done = run_docs(*args, "--json")
    assert done.returncode in (0, 1), done.stderr
    data: list[dict[str, Any]] = json.loads(done.stdout)
    return done.returncode, data
