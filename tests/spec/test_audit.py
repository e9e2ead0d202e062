"""The requirement audit of openapi.yaml holds: every enforced restriction cites its page, every
unenforced one (`x-assumed`) says why, the search keys are complete, and the relaxed requests are
accepted by the schema while the assumed rules still flag them."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from altcraft._schema import shape
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..spec_tools import PAGE_FILES, page_text, spec

RESTRICTIONS = ("required", "pattern", "minimum", "maximum", "minLength", "minItems", "if", "const", "enum", "not")
CITES_PAGE = re.compile(r"(\w+\.txt) l\.(\d+)(?:-(\d+))?")


def _walk(node: Any, path: str, cited: bool) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(path, schema node, whether it or an ancestor cites a page) for every node outside x-assumed."""
    if isinstance(node, dict):
        cited = cited or "x-source" in node or bool(CITES_PAGE.search(str(node.get("description", ""))))
        yield path, node, cited
        for key, value in node.items():
            if key not in ("x-assumed", "examples", "x-altcraft-search-key"):
                yield from _walk(value, f"{path}/{key}", cited)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}", cited)


SCHEMA_NODES = list(_walk(spec()["components"]["schemas"], "#/components/schemas", False))


def test_every_enforced_restriction_cites_a_page() -> None:
    uncited = [
        f"{path}: {', '.join(k for k in RESTRICTIONS if k in node)}"
        for path, node, cited in SCHEMA_NODES
        if not cited and any(k in node for k in RESTRICTIONS) and not path.endswith("/properties")
    ]
    assert not uncited, "restrictions without x-source (cite the page, or move them into x-assumed):\n" + "\n".join(
        uncited
    )


def test_every_assumed_rule_says_why_and_is_a_schema() -> None:
    assumed = [(p, n) for p, n, _ in SCHEMA_NODES if "x-assumed" in n]
    assert len(assumed) >= 30
    for path, node in assumed:
        assert node.get("x-assumption"), f"{path}: x-assumed without x-assumption"
        Draft202012Validator.check_schema(node["x-assumed"])


def test_spec_data_keeps_the_assumed_rules_and_search_keys() -> None:
    from altcraft_api.spec_data import SPEC_DATA

    schemas = SPEC_DATA["schemas"]
    assert schemas["Attachment"]["x-assumed"]["required"] == ["name"]
    assert "x-assumption" not in schemas["Attachment"] and "x-source" not in schemas["TriggerLaunch"]
    keys = schemas["BatchMatchingMode"]["x-altcraft-search-key"]
    assert keys == spec()["components"]["schemas"]["BatchMatchingMode"]["x-altcraft-search-key"]
    assert "x-assumption" in keys["phone"] and "x-assumption" not in keys["email"]


def test_search_keys_cover_every_batch_mode_and_name_real_fields() -> None:
    schemas = spec()["components"]["schemas"]
    mode = schemas["BatchMatchingMode"]
    keys = mode["x-altcraft-search-key"]
    assert set(keys) == set(mode["enum"])
    profile = set(schemas["ProfileData"]["properties"])
    # Root keys: parameters of every batch operation (field_value is typed per operation, so not in MatchingFields).
    batch = ("ImportAndStartBatchRequest", "ImportAndStartBatchTaskRequest", "WorkflowImportAndStartBatchTaskRequest")
    root = set.intersection(*(set(shape(name).properties) for name in batch))
    for name, entry in keys.items():
        assert CITES_PAGE.search(entry["source"]), name
        assert ("item" in entry) != ("item-field-named-by" in entry), name
        assert set(entry.get("root", [])) <= root, name
        if "item-field-named-by" in entry:
            assert entry["item-field-named-by"] in root, name
        elif "x-assumption" not in entry:
            for field in entry["item"]:
                # "subscriptions[].email": a field of the items of an array of the profile data (issue 22 case 1)
                array, _, key = field.rpartition("[].")
                assert (array or field) in profile, (name, field)
                if array:
                    items = shape("ProfileData").properties[array].items
                    assert items is not None and key in items.properties, (name, field)


# --------------------------------------------------------------------------------------------------
# Requests the spec used to refuse and now accepts, each of which
# at least one assumed rule still flags: (operation's request schema, body).

TRIGGER = {"token": "t", "trigger_id": 13}
RELAXED: dict[str, tuple[str, dict[str, Any]]] = {
    "trigger task without data": ("ImportAndStartBatchTaskRequest", {**TRIGGER}),
    "trigger task with empty data": ("ImportAndStartBatchTaskRequest", {**TRIGGER, "data": []}),
    "workflow with custom_request, no data": (
        "WorkflowImportAndStartBatchTaskRequest",
        {"workflow_id": 2, "data": [], "custom_request": {"email": {"$exists": True}}},
    ),
    "profile import, default matching, no root email": (
        "ImportProfileRequest",
        {"db_id": 1, "data": {"email": "a@b.c"}},
    ),
    "profile import, matching custom without field_value": (
        "ImportProfileRequest",
        {"db_id": 1, "matching": "custom", "field_name": "CRM_ID", "data": {}},
    ),
    "subscription without its channel's field": (
        "ImportProfileRequest",
        {"db_id": 1, "email": "a@b.c", "data": {"subscriptions": [{"channel": "email", "resource_id": 1}]}},
    ),
    "subscription without resource_id": (
        "ImportProfileRequest",
        {"db_id": 1, "email": "a@b.c", "data": {"subscriptions": [{"channel": "sms", "phone": "+7900"}]}},
    ),
    "attachment without name": ("ImportAndStartBatchRequest", {**TRIGGER, "data": [{"data": {}}], "attach": [{}]}),
    "attachment data not a data: URI": (
        "ImportAndStartBatchRequest",
        {**TRIGGER, "data": [{"data": {}}], "attach": [{"name": "a.txt", "data": "SEVMTE8K"}]},
    ),
    "zero and negative ids": ("ImportProfileRequest", {"db_id": 0, "email": "a@b.c", "data": {}}),
    "negative timeout": (
        "ImportAndStartBatchTaskRequest",
        {**TRIGGER, "data": [{"data": {}}], "timeout": {"days": -1}},
    ),
    "empty strings": ("ImportProfileRequest", {"token": "", "db_id": 1, "email": "", "data": {}}),
    "telegram cc_data without id": (
        "ImportProfileRequest",
        {
            "db_id": 1,
            "email": "a@b.c",
            "data": {"subscriptions": [{"channel": "telegram_bot", "resource_id": 1, "cc_data": {}}]},
        },
    ),
    "task status with an empty task_id": ("TaskStatusRequest", {"task_id": ""}),
}
# Accepted now without any warning: nothing in the pages or the assumptions speaks against them.
RELAXED_SILENTLY: dict[str, tuple[str, dict[str, Any]]] = {
    "subscription on an undocumented channel (as printed on ru-v72-trigger-task)": (
        "ImportProfileRequest",
        {
            "db_id": 1,
            "email": "a@b.c",
            "data": {"subscriptions": [{"channel": "phone", "phone": "+7900", "resource_id": 1}]},
        },
    ),
}
# Answers the spec used to refuse and now accepts.
RELAXED_ANSWERS: dict[str, tuple[str, dict[str, Any]]] = {
    "profile_id as printed in the XML tab": (
        "ProfileImported",
        {"error": 0, "error_text": "Successful operation", "profile_id": "c1are24fu213lwith21that2axe9"},
    ),
}


def _promoted(node: Any) -> Any:
    """The spec with every x-assumed subschema promoted into an allOf (what the client warns with)."""
    if isinstance(node, dict):
        out = {k: _promoted(v) for k, v in node.items() if k != "x-assumed"}
        if "x-assumed" in node:
            out["allOf"] = [*out.get("allOf", []), _promoted(node["x-assumed"])]
        return out
    if isinstance(node, list):
        return [_promoted(v) for v in node]
    return node


def _validator(document: dict[str, Any], schema_name: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource("urn:spec", Resource.from_contents(document, DRAFT202012))
    return Draft202012Validator({"$ref": f"urn:spec#/components/schemas/{schema_name}"}, registry=registry)


CASES = {**RELAXED, **RELAXED_ANSWERS}


@pytest.mark.parametrize("case", list(RELAXED_SILENTLY))
def test_relaxed_body_is_accepted_without_warning(case: str) -> None:
    schema_name, body = RELAXED_SILENTLY[case]
    for document in (spec(), _promoted(copy.deepcopy(spec()))):
        errors = [e.message for e in _validator(document, schema_name).iter_errors(body)]
        assert not errors, f"{case}: {errors}"


@pytest.mark.parametrize("case", list(CASES))
def test_relaxed_body_is_accepted_and_still_flagged(case: str) -> None:
    schema_name, body = CASES[case]
    errors = [e.message for e in _validator(spec(), schema_name).iter_errors(body)]
    assert not errors, f"{case}: refused by the spec: {errors}"
    assert list(_validator(_promoted(copy.deepcopy(spec())), schema_name).iter_errors(body)), (
        f"{case}: no assumed rule flags it"
    )


def test_documented_requirements_are_still_enforced() -> None:
    """The audit kept what the pages state: these stay refused."""
    refused = {
        "ImportAndStartBatchRequest": {"data": [{"data": {}}]},  # trigger_id "Да"
        "WorkflowImportAndStartBatchTaskRequest": {"data": [{"data": {}}]},  # workflow_id "Yes"
        "ImportProfileRequest": {"data": {}},  # db_id "Да"
        "TaskStatusRequest": {},  # task_id "Да"
        "ImportAndStartBatchTaskRequest": {"trigger_id": 1, "matching": "custom"},  # field_name "matching":"custom"
    }
    for name, body in refused.items():
        assert list(_validator(spec(), name).iter_errors(body)), name
    sub = {"db_id": 1, "data": {"subscriptions": [{"channel": "email", "resource_id": 1}]}}
    assert not list(_validator(spec(), "ImportProfileRequest").iter_errors(sub))


# --------------------------------------------------------------------------------------------------
# Against the pages (skipped when ALTCRAFT_DOCS_DIR / ../shared/docs/altcraft is absent).


def _page_lines(file_name: str) -> list[str]:
    tag = next(t for t, f in PAGE_FILES.items() if f == file_name)
    return page_text(tag).split("\n")


def _citations() -> Iterator[tuple[str, str, int, int]]:
    text_nodes: list[tuple[str, str]] = []

    def collect(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                collect(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                collect(v, f"{path}/{i}")
        elif isinstance(node, str):
            text_nodes.append((path, node))

    collect(spec(), "#")
    for path, text in text_nodes:
        for m in CITES_PAGE.finditer(text):
            yield path, m.group(1), int(m.group(2)), int(m.group(3) or m.group(2))


CITATIONS = list(_citations())


def test_citations_name_real_pages_and_lines() -> None:
    assert len(CITATIONS) > 100
    for path, file_name, first, last in CITATIONS:
        assert file_name in PAGE_FILES.values(), f"{path}: no page {file_name}"
        lines = _page_lines(file_name)
        assert 1 <= first <= last <= len(lines), (
            f"{path}: {file_name} l.{first}-{last} is outside its {len(lines)} lines"
        )


def _xml_examples() -> Iterator[tuple[str, dict[str, Any]]]:
    for item in spec()["paths"].values():
        for op in item.values():
            places = [op["requestBody"]] + [r for r in op["responses"].values() if "$ref" not in r]
            for place in places:
                for name, ex in place.get("content", {}).get("application/xml", {}).get("examples", {}).items():
                    yield f"{op['operationId']}:{name}", ex


XML_EXAMPLES = list(_xml_examples())


@pytest.mark.parametrize(("example_id", "example"), XML_EXAMPLES, ids=[e[0] for e in XML_EXAMPLES])
def test_xml_example_is_the_printed_text(example_id: str, example: dict[str, Any]) -> None:
    """An XML example 'As printed' is on its page verbatim; a corrected one keeps the page's text in x-printed."""
    m = CITES_PAGE.search(example["description"])
    assert m, f"{example_id}: the description cites no page lines"
    first, last = int(m.group(2)), int(m.group(3) or m.group(2))
    printed = "\n".join(_page_lines(m.group(1))[first - 1 : last]) + "\n"
    if "x-printed" in example:
        assert "Erratum:" in example["description"], example_id
        assert example["x-printed"] == printed, f"{example_id}: x-printed is not {m.group(1)} l.{first}-{last}"
        assert example["value"] != printed
    else:
        assert "As printed" in example["description"], example_id
        assert example["value"] == printed, f"{example_id}: the value is not {m.group(1)} l.{first}-{last}"
