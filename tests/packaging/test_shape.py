"""The packages' shape: imports go one way between the layers, optional frameworks are imported lazily,
and every declared dependency is imported by the code that declares it."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "altcraft_api": ROOT / "generated" / "altcraft_api",
    "altcraft": ROOT / "overlays" / "altcraft",
    "altcraft_mock": ROOT / "overlays" / "altcraft_mock",
}
# Frameworks of the extras: never imported when a module of the client is imported.
OPTIONAL = {"starlette", "uvicorn", "schemathesis", "hypothesis", "yaml"}
# The one module that is a schemathesis plugin: only schemathesis (and the contract tests) load it.
SCHEMATHESIS_PLUGIN = "altcraft.cli._contract_hooks"


def module_name(package: str, path: Path) -> str:
    parts = [package, *path.relative_to(PACKAGES[package]).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for package, directory in PACKAGES.items():
        for path in sorted(directory.rglob("*.py")):
            yield module_name(package, path), path, ast.parse(path.read_text(encoding="utf-8"))


def imported(module: str, tree: ast.Module, is_package: bool = False, top_level_only: bool = False) -> Iterator[str]:
    """Absolute names of the modules ``tree`` imports, relative imports resolved against ``module``.

    ``top_level_only``: what runs on import (module level, also inside top-level if/try/with blocks),
    not imports inside functions or classes.
    """
    nodes = _module_level(tree.body) if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                prefix = ".".join(parts[: len(parts) - (node.level - 1)])
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            yield target
            for alias in node.names:  # "from . import cli" imports the module altcraft.cli
                yield f"{target}.{alias.name}"


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try | ast.With):
            inner: list[ast.stmt] = [*node.body]
            if isinstance(node, ast.If | ast.Try):
                inner += node.orelse
            if isinstance(node, ast.Try):
                inner += [s for h in node.handlers for s in h.body] + node.finalbody
            yield from _module_level(inner)


def all_imports(top_level_only: bool = False) -> Iterator[tuple[str, str]]:
    for module, path, tree in modules():
        for name in imported(module, tree, path.name == "__init__.py", top_level_only):
            yield module, name


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_relative_imports_are_resolved() -> None:
    names = {name for module, name in all_imports() if module == "altcraft.cli"}
    assert "altcraft.cli._app.main" in names and "altcraft.cli._task.task" in names
    names = {name for module, name in all_imports() if module == "altcraft._sync_client"}
    assert "altcraft._errors" in names and "altcraft_api.models" in names


def test_layers_import_one_way() -> None:
    """altcraft_api <- altcraft (client core) <- altcraft.bulk <- altcraft.cli; altcraft_mock imports none."""
    wrong = []
    for module, name in all_imports():
        if under(module, "altcraft_mock") and (under(name, "altcraft") or under(name, "altcraft_api")):
            wrong.append(f"{module} imports {name} (the emulator imports nothing from the client)")
        if under(module, "altcraft_api") and under(name, "altcraft"):
            wrong.append(f"{module} imports {name} (generated code imports nothing from the overlay)")
        command = under(module, "altcraft.cli") or module == "altcraft.__main__"
        bulk = under(module, "altcraft.bulk")
        core = under(module, "altcraft") and not command and not bulk
        if (core or bulk) and under(name, "altcraft.cli"):
            wrong.append(f"{module} imports {name} (only the command imports the command)")
        if core and under(name, "altcraft.bulk"):
            wrong.append(f"{module} imports {name} (the client core never imports bulk import)")
    assert wrong == []


def test_the_layer_check_catches_a_violation() -> None:
    tree = ast.parse("from .cli import main\nfrom . import cli\nimport altcraft.cli._config\n")
    assert list(imported("altcraft._sync_client", tree)) == [
        "altcraft.cli",
        "altcraft.cli.main",
        "altcraft",
        "altcraft.cli",
        "altcraft.cli._config",
    ]
    in_package = list(imported("altcraft", ast.parse("from ._errors import X"), is_package=True))
    assert in_package == ["altcraft._errors", "altcraft._errors.X"]
    lazy = ast.parse("import os\ntry:\n    import yaml\nexcept ImportError:\n    pass\ndef f():\n    import uvicorn\n")
    assert list(imported("m", lazy, top_level_only=True)) == ["os", "yaml"]


def test_optional_frameworks_are_not_imported_at_module_level() -> None:
    wrong = [
        f"{module} imports {name}"
        for module, name in all_imports(top_level_only=True)
        if under(module, "altcraft") and module != SCHEMATHESIS_PLUGIN and name.split(".")[0] in OPTIONAL
    ]
    assert wrong == []


def test_importing_the_client_and_the_command_loads_no_optional_framework() -> None:
    """Every module of altcraft (the plugin aside) imported in a fresh interpreter: no extra's framework."""
    names = sorted(m for m, _, _ in modules() if under(m, "altcraft") and m != SCHEMATHESIS_PLUGIN)
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(OPTIONAL)!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def _distribution(requirement: str) -> str:
    name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _providers() -> dict[str, set[str]]:
    """Distribution name -> the top-level import names it provides (from the installed metadata)."""
    providers: dict[str, set[str]] = {}
    for top, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            providers.setdefault(_distribution(dist), set()).add(top)
    return providers


def _imported_top_levels(*directories: Path) -> set[str]:
    found: set[str] = set()
    for directory in directories:
        for path in directory.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    return found


PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DECLARED = [
    ("runtime", PYPROJECT["dependencies"], [ROOT / "overlays", ROOT / "generated"]),
    ("[mock]", PYPROJECT["optional-dependencies"]["mock"], [ROOT / "overlays" / "altcraft_mock"]),
    ("[contract]", PYPROJECT["optional-dependencies"]["contract"], [ROOT / "overlays" / "altcraft" / "cli"]),
]


@pytest.mark.parametrize(("group", "requirements", "directories"), DECLARED, ids=[d[0] for d in DECLARED])
def test_every_declared_dependency_is_imported_by_the_code_that_declares_it(
    group: str, requirements: list[str], directories: list[Path]
) -> None:
    providers = _providers()
    imports = _imported_top_levels(*directories)
    unused = []
    for requirement in requirements:
        dist = _distribution(requirement)
        assert dist in providers, f"{dist} ({group}) is not installed here"
        if not providers[dist] & imports:
            unused.append(f"{requirement} (provides {sorted(providers[dist])})")
    assert unused == [], f"declared as {group} but imported nowhere under {[str(d) for d in directories]}"


def test_the_mock_extra_is_not_imported_by_the_client() -> None:
    """starlette and uvicorn are [mock] only: nothing in altcraft_api or altcraft imports them at all."""
    imports = _imported_top_levels(PACKAGES["altcraft"], PACKAGES["altcraft_api"])
    assert imports & {"starlette", "uvicorn"} == set()


def _private_imports(module: str, tree: ast.Module, is_package: bool) -> Iterator[str]:
    """``from M import _name`` where ``_name`` is not itself a module (a module's private name)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        base = next(
            imported(
                module,
                ast.Module(body=[ast.ImportFrom(node.module, [], node.level)], type_ignores=[]),
                is_package=is_package,
            ),
            node.module or "",
        )
        for alias in node.names:
            if not alias.name.startswith("_") or (alias.name.startswith("__") and alias.name.endswith("__")):
                continue
            if not _is_module(f"{base}.{alias.name}"):
                yield f"{module} imports {base}.{alias.name}"


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent is a module, not a package
        return False


def test_no_module_imports_a_private_name_of_another() -> None:
    wrong = [
        line for module, path, tree in modules() for line in _private_imports(module, tree, path.name == "__init__.py")
    ]
    assert wrong == []


def test_the_private_import_check_catches_one() -> None:
    tree = ast.parse("from ._limits import _mib\nfrom . import _xml\nfrom ._xml import escape_text\n")
    assert list(_private_imports("altcraft._sync_client", tree, False)) == [
        "altcraft._sync_client imports altcraft._limits._mib"
    ]


def test_every_test_file_of_the_client_bulk_cli_and_mock_is_mutation_tested_or_left_out_with_a_reason() -> None:
    # A test file missing from scripts/mutation's list makes its kills count as survivors (it happened
    # twice: the new behaviour files of issue 24, then test_queued_attempts and four more).
    spec = importlib.util.spec_from_file_location("mutation_script", ROOT / "scripts" / "mutation.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # its dataclasses look their module up
    try:
        spec.loader.exec_module(script)
    finally:
        del sys.modules[spec.name]
    listed = set(script.TEST_FILES) | set(script.NOT_MUTATION_TESTS)
    files = {
        str(path.relative_to(ROOT))
        for folder in ("client", "bulk", "cli", "mock")
        for path in (ROOT / "tests" / folder).glob("test_*.py")
    }
    assert sorted(files - listed) == []
    assert sorted(listed - files) == []  # no name of a file that is gone
    assert set(script.TEST_FILES).isdisjoint(script.NOT_MUTATION_TESTS)


def test_every_equivalent_mutant_of_scripts_mutation_names_a_function_that_still_exists() -> None:
    # Entries are keyed by mutmut's names (module, function, number): when a function is deleted or renamed its
    # entries can only mislabel another survivor, as the 47 of the module before the split and of
    # validation's deleted one-pass validator did until 7 December 2026.
    spec = importlib.util.spec_from_file_location("mutation_script", ROOT / "scripts" / "mutation.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script
    try:
        spec.loader.exec_module(script)
    finally:
        del sys.modules[spec.name]
    functions: dict[str, set[str]] = {}
    for target in script.DEFAULT_TARGETS:
        tree = ast.parse((ROOT / target).read_text(encoding="utf-8"))
        names = functions.setdefault(script.module_of(target), set())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(f"x_{node.name}")
            elif isinstance(node, ast.ClassDef):
                names.update(
                    f"x\u01c1{node.name}\u01c1{item.name}"
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                )
    stale = []
    for name in script.EQUIVALENT:
        module, _, rest = name.partition(".x")
        function = "x" + rest.rsplit("__mutmut_", 1)[0]
        if function not in functions.get(module, set()):
            stale.append(name)
    assert stale == []
