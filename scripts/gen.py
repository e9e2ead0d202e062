"""The generation pipeline behind scripts/generate.

    gen.py generate   openapi.yaml -> generated/altcraft_api (openapi-python-client + spec data + converters + ruff),
                      the doc pages -> overlays/altcraft_mock/_documented.py, and the async modules of the
                      overlay -> their sync twins (scripts/gen_sync.py)
    gen.py check      the same into a temporary directory; exit 1 naming the files that differ
    gen.py prove      import the packages, mypy --strict them, run one batch task end to end on altcraft-mock

openapi-python-client 0.29 cannot generate `application/xml` bodies, so it is fed a derived copy of
openapi.yaml holding only the `application/json` media types; the XML side is the overlay's job and
is driven by `altcraft_api.spec_data`, which this script writes from the full spec. Then
scripts/gen_converters.py writes `altcraft_api.converters` (model <-> JSON data, one function per model)
from the generated models; it stops the generation on any field type it cannot convert faithfully.
"""

from __future__ import annotations

import copy
import filecmp
import json
import os
import pprint
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import gen_sync
import yaml
from gen_params import params_module

ROOT = Path(__file__).resolve().parent.parent
# ALTCRAFT_SPEC points the pipeline at another copy of the spec (tests use it to prove --check fails).
SPEC = Path(os.environ.get("ALTCRAFT_SPEC", ROOT / "openapi.yaml"))
CONFIG = ROOT / "scripts" / "openapi-python-client.yaml"
TARGET = ROOT / "generated" / "altcraft_api"
VENV_BIN = Path(sys.executable).parent
DOCUMENTED = ROOT / "overlays" / "altcraft_mock" / "_documented.py"
DOCUMENTED_NAME = "overlays/altcraft_mock/_documented.py"

# scripts/altcraft_docs, the doc-page reader behind scripts/docs, of this checkout.
sys.path.insert(0, str(ROOT / "scripts"))

# Keys of a schema that matter to code (validation, XML mapping); prose is left out of spec_data.
_PROSE_KEYS = {"description", "x-description-ru", "examples", "example", "x-assumption", "x-source", "summary", "title"}
# Kept verbatim: an `x-assumption` inside an x-altcraft-search-key entry tells the client to only warn.
_VERBATIM_KEYS = {"x-altcraft-search-key"}


def load_spec() -> dict[str, Any]:
    with SPEC.open(encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


def _without_defaults(node: Any) -> Any:
    """A schema with its `default`s left out: a default documents what the server does when a key is
    absent; a model that filled it in would send a value the caller never set."""
    if isinstance(node, list):
        return [_without_defaults(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "default":
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _without_defaults(sub) for name, sub in value.items()}
        elif key in ("examples", "example", "x-assumed", "enum", "const"):
            out[key] = value
        else:
            out[key] = _without_defaults(value)
    return out


def derive_json_only(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as openapi-python-client is given it: application/xml media types removed, and no
    `default` in the schemas (the models send only what the caller set)."""
    derived = copy.deepcopy(spec)
    derived["components"]["schemas"] = _without_defaults(derived["components"]["schemas"])
    for item in derived["paths"].values():
        for op in item.values():
            op["requestBody"]["content"].pop("application/xml", None)
            for response in op["responses"].values():
                response.get("content", {}).pop("application/xml", None)
    for response in derived["components"].get("responses", {}).values():
        response.get("content", {}).pop("application/xml", None)
    return derived


def _strip_prose(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: v if k in _VERBATIM_KEYS else _strip_prose(v) for k, v in node.items() if k not in _PROSE_KEYS}
    if isinstance(node, list):
        return [_strip_prose(v) for v in node]
    return node


def _schema_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def spec_data(spec: dict[str, Any]) -> dict[str, Any]:
    """What the overlay needs of the spec at run time: schemas, operations, limits, XML conventions."""
    operations: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            body = op["requestBody"]["content"]["application/json"]["schema"]
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            variants = ok.get("anyOf") or ok.get("oneOf") or [ok]
            operations[op["operationId"]] = {
                "method": method.upper(),
                "path": path,
                "tag": op["tags"][0],
                "request_schema": _schema_name(body["$ref"]),
                "response_schemas": [_schema_name(v["$ref"]) for v in variants],
                "media_types": sorted(op["requestBody"]["content"]),
                "limits": op.get("x-altcraft-limits", {}),
                "documented_by": _documented_by(spec, body),
            }
    limits = {k: v for k, v in spec["x-altcraft-limits"].items() if not k.startswith("x-") and k != "description"}
    return {
        "wire_names": _wire_names(spec),
        "openapi": spec["openapi"],
        "version": spec["info"]["version"],
        "limits": limits,
        "operations": operations,
        "schemas": _strip_prose(spec["components"]["schemas"]),
    }


def _documented_by(spec: dict[str, Any], body: dict[str, Any]) -> dict[str, list[str]]:
    """Top-level parameter -> the doc pages its schema cites (x-source, description): what the client
    names when a caller sends a parameter of another operation."""
    from altcraft_docs.spec import Spec

    reader = Spec(spec)
    out: dict[str, set[str]] = {}
    for part in reader.variants(body):
        for name, raw in (part.get("properties") or {}).items():
            pages = out.setdefault(name, set())
            for node in (raw, reader.resolve(raw)):
                if isinstance(node, dict):
                    text = f"{node.get('x-source', '')} {node.get('description', '')}"
                    pages.update(re.findall(r"\b[a-z0-9_]+\.txt\b", text))
    return {name: sorted(pages) for name, pages in sorted(out.items())}


def _wire_names(spec: dict[str, Any]) -> dict[str, str]:
    """Python attribute name -> JSON property name, where the generator renames a property."""
    from openapi_python_client.config import ConfigFile
    from openapi_python_client.strings import PythonIdentifier

    prefix = ConfigFile.load_from_path(CONFIG).field_prefix
    names: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for prop in node.get("properties", {}) if isinstance(node.get("properties"), dict) else {}:
                attr = str(PythonIdentifier(prop, prefix=prefix))
                if attr != prop:
                    if names.get(attr, prop) != prop:
                        raise SystemExit(f"two properties map to the attribute {attr!r}: {names[attr]!r}, {prop!r}")
                    names[attr] = prop
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec["components"]["schemas"])
    return names


def write_spec_data(spec: dict[str, Any], package_dir: Path) -> None:
    data = spec_data(spec)
    text = (
        '"""Data of openapi.yaml that the overlay reads at run time (schemas, operations, limits).\n\n'
        "Generated by scripts/generate from openapi.yaml; do not edit.\n"
        '"""\n\n'
        "from typing import Any, Final\n\n"
        f"SPEC_DATA: Final[dict[str, Any]] = {pprint.pformat(data, width=110, sort_dicts=True)}\n"
    )
    (package_dir / "spec_data.py").write_text(text, encoding="utf-8")


def run(cmd: list[str], **kwargs: Any) -> None:
    subprocess.run(cmd, check=True, **kwargs)


def generate_into(out_parent: Path) -> Path:
    """Generate the package as out_parent/altcraft_api and return its path."""
    spec = load_spec()
    out = out_parent / "altcraft_api"
    with tempfile.TemporaryDirectory() as tmp:
        derived = Path(tmp) / "openapi.json"
        derived.write_text(json.dumps(derive_json_only(spec), ensure_ascii=False), encoding="utf-8")
        run(
            [
                str(VENV_BIN / "openapi-python-client"),
                "generate",
                "--path",
                str(derived),
                "--config",
                str(CONFIG),
                "--meta",
                "none",
                "--output-path",
                str(out),
                "--overwrite",
                "--fail-on-warning",
            ],
            stdout=subprocess.DEVNULL,
        )
    write_spec_data(spec, out)
    answers = {op_id: op["response_schemas"][0] for op_id, op in spec_data(spec)["operations"].items()}
    (out / "params.py").write_text(params_module(spec, answers), encoding="utf-8")
    # converters.py is read off the models just generated, so it runs as its own process importing them.
    run(
        [sys.executable, str(ROOT / "scripts" / "gen_converters.py"), str(out)],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    (out / "py.typed").write_text("# Marker file for PEP 561\n", encoding="utf-8")
    ruff = str(VENV_BIN / "ruff")
    cfg = ["--config", str(ROOT / "pyproject.toml")]
    run([ruff, "check", *cfg, "--fix-only", "--quiet", str(out)], cwd=ROOT)
    run([ruff, "format", *cfg, "--quiet", str(out)], cwd=ROOT)
    return out


def _tmp_parent() -> Path:
    # Inside generated/ so that ruff applies the same per-file rules as to generated/altcraft_api.
    parent = ROOT / "generated" / f".tmp-{os.getpid()}"
    if parent.exists():
        shutil.rmtree(parent)
    parent.mkdir(parents=True)
    return parent


def _tree(path: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(path)): p
        for p in sorted(path.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def differences(a: Path, b: Path) -> list[str]:
    ta, tb = _tree(a), _tree(b)
    out = []
    for name in sorted(set(ta) | set(tb)):
        if name not in ta or name not in tb or not filecmp.cmp(ta[name], tb[name], shallow=False):
            out.append(name)
    return out


# -- the emulator's reading of the doc pages -------------------------------------------------------------

_DOCUMENTED_HEAD = '''"""Generated by scripts/generate from the Altcraft doc pages (scripts/altcraft_docs); do not edit.

The request parameters the pages document, per operationId, as the emulator (altcraft_mock) reads them:
written from the pages, never from the spec, so that the contract tests compare two independent readings.

PAGES       the page files read.
PARAMETERS  operationId -> parameter path (dotted; `[]` marks an array's items: `data[].data.email`) -> the
            JSON types the page's Type cell names, sorted ("any" for Any; "int/string" is two types).
            Names read only from examples, or from a Type cell the reader does not know, carry no type:
            (). Several pages of one operation give the union of their types. Sample content of the
            free-form objects (custom_data, content, ...) is left out.
REQUIRED    operationId -> the parameters every Required cell of their table rows reads Yes/Да (never
            from examples; a name one page marks Yes and another No is not listed), in page order.
VALUES      operationId -> parameter path -> its enumerated values, in the order the pages print them.
"""

from typing import Final

'''


def docs_dir() -> Path | None:
    """The doc pages' directory (ALTCRAFT_DOCS_DIR, else ../shared/docs/altcraft), None without pages."""
    from altcraft_docs.cli import default_docs_dir
    from altcraft_docs.extract import page_files

    where = default_docs_dir()
    return where if where.is_dir() and page_files(where) else None


def _no_pages_line(what: str) -> str:
    from altcraft_docs.cli import default_docs_dir

    return (
        f"!!! doc pages not found in {default_docs_dir()}: {DOCUMENTED_NAME} {what}; set ALTCRAFT_DOCS_DIR "
        "to the directory of the Altcraft doc pages"
    )


_EXAMPLE_SOURCES = ("example", "table-example")


def _json_types(printed: str, where: str) -> tuple[str, ...]:
    from altcraft_docs.check import page_types

    types = page_types(printed)
    if types is None:
        if printed.strip():
            print(f"gen.py: warning: {where}: Type cell {printed.strip()!r} names no known JSON type; left untyped")
        return ()
    return ("any",) if "any" in types else tuple(sorted(types))


def documented_data(docs: Path) -> dict[str, Any]:
    """PAGES, PARAMETERS, REQUIRED, VALUES (see _DOCUMENTED_HEAD) read from the pages in `docs`."""
    from altcraft_docs.check import required_reading
    from altcraft_docs.extract import extract_dir

    pages = sorted(extract_dir(docs), key=lambda p: p.file)
    types: dict[str, dict[str, set[str]]] = {}
    readings: dict[str, dict[str, list[str]]] = {}
    values: dict[str, dict[str, list[str]]] = {}
    for page in pages:
        # Page order: by line, the reader's order within a line (a table row before its example's keys).
        for _, row in sorted(enumerate(page.rows), key=lambda ir: (ir[1].line, ir[0])):
            if row.free_form:
                continue
            op = row.operation
            if row.kind == "param":
                known = types.setdefault(op, {}).setdefault(row.name, set())
                if row.source in _EXAMPLE_SOURCES:  # a key of an example: a name, no type, no Required cell
                    continue
                # A table row's cells, also where its description places it (`data[].custom_data`).
                known.update(_json_types(row.type, f"{page.file}:{row.line}: {row.name}"))
                reading = required_reading(row.required)
                if reading:
                    readings.setdefault(op, {}).setdefault(row.name, []).append(reading)
            elif row.kind == "value" and row.param:
                listed = values.setdefault(op, {}).setdefault(row.param, [])
                if row.name not in listed:
                    listed.append(row.name)
    parameters = {
        op: {name: ("any",) if "any" in t else tuple(sorted(t)) for name, t in sorted(names.items())}
        for op, names in sorted(types.items())
    }
    required = {
        op: tuple(name for name, found in names.items() if all(r == "yes" for r in found))
        for op, names in sorted(readings.items())
    }
    return {
        "PAGES": tuple(p.file for p in pages),
        "PARAMETERS": parameters,
        "REQUIRED": {op: names for op, names in required.items() if names},
        "VALUES": {
            op: {param: tuple(listed) for param, listed in sorted(params.items())}
            for op, params in sorted(values.items())
        },
    }


_DOCUMENTED_TYPES = {
    "PAGES": "tuple[str, ...]",
    "PARAMETERS": "dict[str, dict[str, tuple[str, ...]]]",
    "REQUIRED": "dict[str, tuple[str, ...]]",
    "VALUES": "dict[str, dict[str, tuple[str, ...]]]",
}


def documented_text(docs: Path) -> str:
    """The text of _documented.py, formatted as ruff formats overlays/."""
    data = documented_data(docs)
    body = "".join(
        f"{name}: Final[{kind}] = {pprint.pformat(data[name], width=110, sort_dicts=False)}\n\n"
        for name, kind in _DOCUMENTED_TYPES.items()
    )
    text = _DOCUMENTED_HEAD + body.rstrip("\n") + "\n"
    formatted = subprocess.run(
        [
            str(VENV_BIN / "ruff"),
            "format",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--stdin-filename",
            str(DOCUMENTED),
            "-",
        ],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return formatted.stdout


def generate_documented() -> None:
    docs = docs_dir()
    if docs is None:
        print(_no_pages_line("kept as committed, not regenerated"), file=sys.stderr)
        return
    text = documented_text(docs)
    if DOCUMENTED.is_file() and DOCUMENTED.read_text(encoding="utf-8") == text:
        print(f"{DOCUMENTED_NAME}: up to date")
        return
    DOCUMENTED.write_text(text, encoding="utf-8")
    print(f"{DOCUMENTED_NAME}: written from the pages in {docs}")


def check_documented() -> bool:
    """Whether _documented.py is what the pages give (True, with a loud line, when the pages are absent)."""
    docs = docs_dir()
    if docs is None:
        print(_no_pages_line("not checked"), file=sys.stderr)
        return True
    if not DOCUMENTED.is_file() or DOCUMENTED.read_text(encoding="utf-8") != documented_text(docs):
        print(
            f"{DOCUMENTED_NAME} is stale; run scripts/generate (doc pages: {docs}). Differing files:", file=sys.stderr
        )
        print(f"  {DOCUMENTED_NAME}", file=sys.stderr)
        return False
    print(f"{DOCUMENTED_NAME} matches the doc pages in {docs}")
    return True


# -- commands -------------------------------------------------------------------------------------------


def cmd_generate() -> int:
    parent = _tmp_parent()
    try:
        fresh = generate_into(parent)
        changed = differences(fresh, TARGET) if TARGET.exists() else ["(all)"]
        if changed:
            if TARGET.exists():
                shutil.rmtree(TARGET)
            shutil.copytree(fresh, TARGET, ignore=shutil.ignore_patterns("__pycache__"))
            print(f"generated/altcraft_api: {len(changed)} file(s) written")
        else:
            print("generated/altcraft_api: up to date")
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    generate_documented()
    for target in gen_sync.write():
        print(f"{target}: written from its async source")
    return 0


def cmd_check() -> int:
    parent = _tmp_parent()
    try:
        fresh = generate_into(parent)
        changed = differences(fresh, TARGET) if TARGET.exists() else ["(generated/altcraft_api is missing)"]
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    stale = False
    if changed:
        print("generated/altcraft_api is stale; run scripts/generate. Differing files:", file=sys.stderr)
        for name in changed:
            print(f"  generated/altcraft_api/{name}", file=sys.stderr)
        stale = True
    else:
        print("generated/altcraft_api matches openapi.yaml")
    if not check_documented():
        stale = True
    differing = gen_sync.stale()
    for target in differing:
        print(f"{target} differs from its async source: run scripts/generate (never edit it by hand)", file=sys.stderr)
        stale = True
    if not differing:
        print(f"the sync twins match their async sources: {', '.join(gen_sync.MODULES.values())}")
    return 1 if stale else 0


def cmd_prove() -> int:
    py = sys.executable
    run([py, "-c", "import altcraft_api, altcraft; print('import altcraft_api, altcraft: ok')"], cwd=ROOT)
    run(
        [str(VENV_BIN / "mypy"), "--strict", "generated/altcraft_api", "overlays/altcraft", "overlays/altcraft_mock"],
        cwd=ROOT,
    )
    run([py, str(ROOT / "scripts" / "prove_e2e.py")], cwd=ROOT)
    return 0


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "generate"
    handlers = {"generate": cmd_generate, "check": cmd_check, "prove": cmd_prove}
    if command not in handlers:
        print(f"usage: gen.py [{'|'.join(handlers)}]", file=sys.stderr)
        return 2
    return handlers[command]()


if __name__ == "__main__":
    raise SystemExit(main())
