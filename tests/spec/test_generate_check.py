"""scripts/generate --check fails, naming the file, when generated/ is not what the spec produces."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(spec: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ALTCRAFT_SPEC=str(spec))
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen.py"), "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_changed_description_fails_and_names_the_file(tmp_path: Path) -> None:
    text = (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    old = "description: Profile identifier, 24 lowercase hex digits."
    assert old in text
    changed = tmp_path / "openapi.yaml"
    changed.write_text(text.replace(old, "description: Profile identifier (24 hex digits)."), encoding="utf-8")
    result = _check(changed)
    assert result.returncode == 1
    assert "generated/altcraft_api/models/profile_ref.py" in result.stderr, result.stderr
