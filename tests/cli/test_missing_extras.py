"""A missing extra is one line naming the pip install command, a non-zero exit and no traceback.

Each command runs in its own process, as its console script does (``from M import main; sys.exit(main())``),
with the extra's packages hidden from every import finder: ``import starlette`` then fails, and
``importlib.util.find_spec("starlette")`` is None, exactly as when the package is not installed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HIDE = textwrap.dedent(
    """
    import sys
    HIDDEN = set(sys.argv.pop(1).split(","))

    class Hide:
        def __init__(self, inner):
            self.inner = inner

        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in HIDDEN:
                return None
            return self.inner.find_spec(name, path, target)

        def __getattr__(self, attr):
            return getattr(self.inner, attr)

    sys.meta_path[:] = [Hide(f) for f in sys.meta_path]
    """
)

ENTRY = {
    "altcraft-mock": "from altcraft_mock.__main__ import main\nsys.exit(main())",
    "python -m altcraft_mock": "import runpy\nrunpy.run_module('altcraft_mock', run_name='__main__', alter_sys=True)",
    "altcraft": "from altcraft.cli import main\nsys.exit(main())",
}


def run_hidden(entry: str, hidden: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE + ENTRY[entry], hidden, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "ALTCRAFT_TOKEN": ""},
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("entry", ["altcraft-mock", "python -m altcraft_mock"])
@pytest.mark.parametrize("hidden", ["starlette,uvicorn", "starlette", "uvicorn"])
def test_altcraft_mock_without_the_mock_extra(entry: str, hidden: str, tmp_path: Path) -> None:
    result = run_hidden(entry, hidden, "--port", "0", tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    line = one_line(result)
    assert line.startswith("altcraft-mock: error: ") and "pip install 'altcraft-client[mock]'" in line
    assert result.stdout == ""  # it never said it was listening


def test_altcraft_contract_without_the_contract_extra(tmp_path: Path) -> None:
    result = run_hidden("altcraft", "schemathesis", "contract", tmp_path=tmp_path)
    assert result.returncode == 4, result.stderr
    assert "pip install 'altcraft-client[contract]'" in one_line(result)


def test_altcraft_contract_without_the_mock_extra_and_without_url(tmp_path: Path) -> None:
    result = run_hidden("altcraft", "starlette,uvicorn", "contract", tmp_path=tmp_path)
    assert result.returncode == 4, result.stderr
    line = one_line(result)
    assert "pip install 'altcraft-client[mock]'" in line and "--url" in line


def test_the_hiding_is_real(tmp_path: Path) -> None:
    """The blocker makes the import fail as a missing package does (else the tests above prove nothing)."""
    probe = "import importlib.util\nprint(importlib.util.find_spec('starlette'))\nimport starlette"
    result = subprocess.run(
        [sys.executable, "-c", HIDE + probe, "starlette"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout == "None\n"
    assert result.stderr.splitlines()[-1] == "ModuleNotFoundError: No module named 'starlette'"
