"""The client accepts every request the pages' parameter tables allow (Hypothesis, over the extracted tables).

For each operation, the parameters come from `scripts/docs extract` (the tables of every page that documents
the operation, not from openapi.yaml): a parameter marked Yes/Да is always sent, the others sometimes, each
with a value of a type some page's Type column prints for it (where the pages of one operation disagree, any
page's type is allowed: the client refuses only what every page refuses). Enumerated values are the ones
the pages list; `field_name` comes with `"matching":"custom"`, as its Required cell says.

Two things are taken from the pages' examples, not from a Type column, because every example shows them
and the tables cannot say them: a batch's `data` is an array of `{"data": {...profile...}}` items (the
`data-type` discrepancy), and each item carries the key its matching mode searches by (the search-key rule
of BatchMatchingMode, which cites the rows and examples it comes from).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from altcraft._validate import check
from altcraft_docs.extract import extract_dir
from altcraft_docs.model import Row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..spec_tools import require_docs

OPERATIONS = [
    "import_profile",
    "import_and_start_batch",
    "import_and_start_batch_task",
    "workflow_import_and_start_batch_task",
    "task_status",
]
BATCH = {"import_and_start_batch", "import_and_start_batch_task", "workflow_import_and_start_batch_task"}
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
SCALAR = st.one_of(TEXT, st.integers(-(10**6), 10**6), st.booleans())


@functools.cache
def _rows() -> tuple[Row, ...]:
    return tuple(r for p in extract_dir(require_docs()) for r in p.rows)


def _table(operation: str) -> dict[str, list[Row]]:
    """name -> the table rows of every page for this operation (top-level parameters only)."""
    out: dict[str, list[Row]] = {}
    for row in _rows():
        if row.operation == operation and row.kind == "param" and row.source == "table" and "." not in row.name:
            out.setdefault(row.name, []).append(row)
    return out


def _values(operation: str, name: str) -> list[str]:
    return sorted({r.name for r in _rows() if r.operation == operation and r.kind == "value" and r.param == name})


def _of_type(printed: str) -> st.SearchStrategy[Any]:
    t = printed.strip().lower()
    if t == "int/string":
        return st.one_of(st.integers(0, 10**9), TEXT)
    if t in ("int", "integer"):
        return st.integers(0, 10**9)
    if t in ("bool", "boolean"):
        return st.booleans()
    if t in ("string",):
        return TEXT
    if "array" in t or "список" in t:
        return st.lists(st.integers(1, 100), max_size=3)
    if "object" in t:
        return st.dictionaries(TEXT, SCALAR, max_size=3)
    return st.one_of(SCALAR, st.lists(SCALAR, max_size=3), st.dictionaries(TEXT, SCALAR, max_size=2))


def _profile(mode: str, field_name: str | None) -> st.SearchStrategy[dict[str, Any]]:
    base: dict[str, st.SearchStrategy[Any]] = {"_fname": TEXT, "_lname": TEXT}
    if mode in ("email", "email_profile"):
        base["email"] = st.emails()
    elif mode == "custom" and field_name:
        base[field_name] = st.one_of(TEXT, st.integers(0, 10**6))
    elif mode == "phone":
        base["phones"] = st.just("+79000000000")
    elif mode == "profile_id":
        base["profile_id"] = TEXT
    return st.fixed_dictionaries(base)


@st.composite
def _body(draw: st.DrawFn, operation: str) -> dict[str, Any]:
    table = _table(operation)
    body: dict[str, Any] = {}
    for name, rows in sorted(table.items()):
        if name in ("data", "matching", "field_name", "field_value", "attach", "attach"):
            continue
        required = any(r.required.strip().lower() in ("yes", "да") for r in rows)
        if not required and not draw(st.booleans()):
            continue
        values = _values(operation, name)
        if name == "format":
            body[name] = draw(st.sampled_from(["json", "xml"]))
        elif values:
            body[name] = draw(st.sampled_from(values))
        else:
            body[name] = draw(st.one_of(*[_of_type(r.type) for r in rows]))
    modes = _values(operation, "matching")
    mode = draw(st.sampled_from(modes)) if modes and draw(st.booleans()) else None
    if mode is not None:
        body["matching"] = mode
    field_name = None
    if mode == "custom":
        field_name = draw(st.sampled_from(["CRM_ID", "New_field_1"]))
        body["field_name"] = field_name
        if "field_value" in table and draw(st.booleans()):
            body["field_value"] = draw(st.one_of(*[_of_type(r.type) for r in table["field_value"]]))
    if "attach" in table and draw(st.booleans()):
        body["attach"] = [{"name": draw(TEXT), "data": "data:text/plain;base64,SEVMTE8K"}]
    if "data" in table:
        profile = _profile(mode or "email", field_name)
        if operation in BATCH:
            body["data"] = draw(st.lists(st.fixed_dictionaries({"data": profile}), min_size=1, max_size=3))
        else:
            body["data"] = draw(profile)
    return body


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_request_the_tables_allow_is_accepted(operation: str) -> None:
    assert _table(operation), f"no table rows for {operation}"

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_body(operation))
    def accepted(body: dict[str, Any]) -> None:
        refusals, _ = check(operation, body)
        assert refusals == [], (body, refusals)

    accepted()
