"""Helpers for the tests that read openapi.yaml directly."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
# The five doc pages live outside the checkout: ALTCRAFT_DOCS_DIR, else ../shared/docs/altcraft next to it.
DEFAULT_DOCS_DIR = ROOT.parent / "shared" / "docs" / "altcraft"
PAGE_FILES = {
    "ru-v72-trigger-task": "ru_v72_triggers_import_and_start_batch_task.txt",
    "ru-v72-trigger-sync": "ru_v72_triggers_import_and_start_batch.txt",
    "en-v72-trigger-sync": "en_v72_triggers_import_and_start_batch.txt",
    "en-v72-workflow-task": "en_v72_workflows_import_and_start_batch_task.txt",
    "ru-v74-profiles-import": "ru_v74_profiles_import.txt",
}


# The skip reason of every test that needs the pages; tests/conftest.py counts the skips by it, and
# scripts/test ends with one line giving their number.
DOCS_SKIP = "doc pages not found"
# Set by .ci/run: CI has ../shared beside the clone, so a test that needs the pages fails there instead
# of being skipped.
DOCS_REQUIRED_ENV = "ALTCRAFT_DOCS_REQUIRED"


def docs_dir() -> tuple[Path | None, str]:
    """(the directory holding all five doc pages, or None; a sentence saying which and why)."""
    configured = os.environ.get("ALTCRAFT_DOCS_DIR")
    where = Path(configured) if configured else DEFAULT_DOCS_DIR
    missing = [name for name in PAGE_FILES.values() if not (where / name).is_file()]
    if not missing:
        return where, f"comparing the spec with the pages in {where}"
    if configured:
        return None, f"ALTCRAFT_DOCS_DIR={where} lacks {len(missing)} of the 5 doc pages (e.g. {missing[0]})"
    return None, f"ALTCRAFT_DOCS_DIR not set and {where} does not hold the 5 doc pages"


def docs_banner() -> str:
    """The line scripts/test prints before pytest."""
    where, text = docs_dir()
    return f"docs: {text}" if where else f"docs: {text}; the tests that need the pages will be skipped"


def require_docs() -> Path:
    """The pages' directory; skips the calling test when the pages are absent (fails it under CI's
    ALTCRAFT_DOCS_REQUIRED=1)."""
    import pytest

    where, text = docs_dir()
    if where is None:
        if os.environ.get(DOCS_REQUIRED_ENV) == "1":
            pytest.fail(f"{DOCS_SKIP}, and {DOCS_REQUIRED_ENV}=1: {text}", pytrace=False)
        pytest.skip(f"{DOCS_SKIP}: {text}; set ALTCRAFT_DOCS_DIR")
    return where


def page_text(page: str) -> str:
    """The text of a doc page by its source tag; skips the calling test when the pages are absent."""
    return (require_docs() / PAGE_FILES[page]).read_text(encoding="utf-8")


@functools.cache
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def variants(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schema and everything it is composed of (allOf/anyOf/oneOf), resolved."""
    schema = resolve(schema)
    yield schema
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from variants(sub)


def property_schemas(schema: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [resolve(v["properties"][name]) for v in variants(schema) if name in v.get("properties", {})]


def item_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [resolve(v["items"]) for v in variants(schema) if "items" in v]


def at_path(schema: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """All schemas found at a dotted path ("data[].data.subscriptions[].channel")."""
    current = [schema]
    for part in path.split("."):
        is_array = part.endswith("[]")
        name = part[:-2] if is_array else part
        current = [p for s in current for p in property_schemas(s, name)]
        if is_array:
            current = [i for s in current for i in item_schemas(s)]
    return current


def operations() -> dict[str, dict[str, Any]]:
    return {op["operationId"]: op for item in spec()["paths"].values() for op in item.values()}


def request_schema(operation_id: str) -> dict[str, Any]:
    op = operations()[operation_id]
    return resolve(op["requestBody"]["content"]["application/json"]["schema"])


def success_schema(operation_id: str) -> dict[str, Any]:
    op = operations()[operation_id]
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    return resolve(schema["anyOf"][0])


def examples() -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """(id, media type, schema, value) for every named example of every operation and response."""
    for op_id, op in operations().items():
        for media, content in op["requestBody"]["content"].items():
            for name, ex in content.get("examples", {}).items():
                yield f"{op_id}:request:{media}:{name}", media, content["schema"], resolve(ex)["value"]
        for code, response in op["responses"].items():
            response = resolve(response)
            for media, content in response.get("content", {}).items():
                for name, ex in content.get("examples", {}).items():
                    yield f"{op_id}:{code}:{media}:{name}", media, content["schema"], resolve(ex)["value"]
