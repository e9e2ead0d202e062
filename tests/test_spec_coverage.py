"""openapi.yaml holds every parameter, response field and value the five doc pages print."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from .spec_tools import at_path, page_text, request_schema, success_schema

TABLE = Path(__file__).with_name("docs_parameters.tsv")


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


ROWS = _rows()


def test_table_is_not_empty_and_covers_every_operation() -> None:
    assert len(ROWS) > 200
    assert {r["operation_id"] for r in ROWS} == {
        "import_profile",
        "import_and_start_batch",
        "import_and_start_batch_task",
        "workflow_import_and_start_batch_task",
        "task_status",
    }


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['operation_id']}:{r['kind']}:{r['name']}")
def test_name_is_printed_on_its_page(row: dict[str, str]) -> None:
    """The table itself is checked against the pages, so it cannot drift from them."""
    text = page_text(row["page"])
    last = row["name"].split(".")[-1].removesuffix("[]")
    assert last in text, f"{last!r} is not printed on {row['page']}"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['operation_id']}:{r['kind']}:{r['name']}")
def test_spec_holds_it(row: dict[str, str]) -> None:
    op = row["operation_id"]
    where = "success response" if row["kind"].startswith("response") else "request"
    schema = success_schema(op) if where == "success response" else request_schema(op)
    found = at_path(schema, row["spec_path"])
    assert found, f"{op}: the {where} has no {row['spec_path']!r} (page {row['page']} prints {row['name']!r})"
    if row["kind"].endswith("value"):
        allowed: set[object] = set()
        for schema in found:
            allowed.update(schema.get("enum", []))
            if "const" in schema:
                allowed.add(schema["const"])
            allowed.update(v["value"] for v in schema.get("x-known-values", []))
        assert row["name"] in allowed, f"{op}: {row['spec_path']} does not allow {row['name']!r}"
