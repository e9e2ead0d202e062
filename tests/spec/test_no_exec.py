"""No code is generated at run time under overlays/: every converter is generated code under generated/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_BANNED = frozenset({"exec", "eval", "compile"})


def banned_uses(source: str, filename: str = "<string>") -> list[str]:
    """Every mention of the builtins ``exec``, ``eval`` and ``compile`` (called, aliased or reached
    through ``builtins``), as ``file:line name``. ``re.compile`` and other methods are not builtins."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Name) and node.id in _BANNED:
            found.append(f"{filename}:{node.lineno} {node.id}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in _BANNED
            and isinstance(node.value, ast.Name)
            and node.value.id in {"builtins", "__builtins__"}
        ):
            found.append(f"{filename}:{node.lineno} {node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and any(isinstance(a, ast.Constant) and a.value in _BANNED for a in node.args[1:2])
        ):
            found.append(f"{filename}:{node.lineno} getattr {ast.unparse(node.args[1])}")
    return sorted(found, key=lambda hit: int(hit.split(":")[-1].split()[0]))


def test_the_check_finds_what_it_looks_for() -> None:
    source = (
        "import builtins, re\nexec('1')\nrun = eval\nbuiltins.compile\ngetattr(builtins, 'exec')\nre.compile('x')\n"
    )
    assert banned_uses(source) == [
        "<string>:2 exec",
        "<string>:3 eval",
        "<string>:4 builtins.compile",
        "<string>:5 getattr 'exec'",
    ]


def test_overlays_never_exec_eval_or_compile() -> None:
    files = sorted((ROOT / "overlays").rglob("*.py"))
    assert len(files) > 10
    found = [
        hit for path in files for hit in banned_uses(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []
