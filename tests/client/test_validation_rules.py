"""Validation finds a problem exactly when the spec's rules, as written, are broken: the one-pass check of
a batch and the schemas it is checked with (oneOf of exclusive variants as anyOf, assumed rules made
binding) give the verdicts of the schemas and search keys of openapi.yaml; and the profile-field typo scan
reports each likely typo once, where it first occurs."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import jsonschema_rs
import pytest
from altcraft import _validate
from altcraft._schema import BATCH_OPERATIONS
from altcraft._validate import check
from altcraft_api.spec_data import SPEC_DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..strategies import schema_values

REF = "#/components/schemas/"
OPERATIONS: dict[str, Any] = SPEC_DATA["operations"]
# Problems of check() that are not about the schema or the search keys.
OTHER_RULES = ("is an unknown parameter", "is not documented for", "is not a documented profile field")


def _binding(node: Any) -> Any:
    """The spec's schemas with each ``x-assumed`` rule made binding, the plainest way: a conjunction."""
    if isinstance(node, list):
        return [_binding(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _binding(v) for k, v in node.items() if k != "x-assumed"}
    if "x-assumed" in node:
        return {"allOf": [out, _binding(node["x-assumed"])]}
    return out


_AS_WRITTEN = {name: _binding(schema) for name, schema in SPEC_DATA["schemas"].items()}


def as_written(name: str) -> Any:
    """The request schema as openapi.yaml writes it (oneOf kept), its assumed rules binding."""
    return jsonschema_rs.Draft202012Validator(
        {"$ref": REF + name, "components": {"schemas": _AS_WRITTEN}}, validate_formats=True
    )


_SCALARS = (
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.sampled_from(["", "x", "email", "sms"])
)
_KEYS = st.sampled_from(["email", "channel", "data", "phone"])
_JSON = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=2) | st.dictionaries(_KEYS, inner, max_size=2), max_leaves=4
)
_ADDED = st.sampled_from(["email", "channel", "matching", "field_name", "resource_id", "data"])


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if isinstance(value, dict | list) else []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found += _containers(child, (*path, key))
    return found


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


@st.composite
def bodies(draw: st.DrawFn, operation: str) -> dict[str, Any]:
    """A valid body of the operation, then up to three edits anywhere in it (a value replaced, a key
    removed or added, an item appended)."""
    body: dict[str, Any] = draw(schema_values({"$ref": REF + OPERATIONS[operation]["request_schema"]}))
    for _ in range(draw(st.integers(0, 3))):
        target = _at(body, draw(st.sampled_from(_containers(body))))
        if isinstance(target, dict) and target and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(target)))
            if draw(st.booleans()):
                del target[key]
            else:
                target[key] = draw(_JSON)
        elif isinstance(target, dict):
            target[draw(_ADDED)] = draw(_JSON)
        elif target and draw(st.booleans()):
            target[draw(st.integers(0, len(target) - 1))] = draw(_JSON)
        else:
            target.append(draw(_JSON))
    return body


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_schema_or_search_key_problem_is_found_exactly_when_the_rules_as_written_are_broken(
    operation: str, data: st.DataObject
) -> None:
    body = data.draw(bodies(operation))
    name = OPERATIONS[operation]["request_schema"]
    broken = not as_written(name).is_valid(body)
    rule = _validate._search_key_rule(body) if operation in BATCH_OPERATIONS else None
    if rule is not None:
        key_schema = jsonschema_rs.Draft202012Validator(_validate._search_key_schema(rule[2]))
        broken |= not key_schema.is_valid(body)
    refusals, warned = check(operation, body)
    found = [p for p in refusals + warned if not any(text in p.message for text in OTHER_RULES)]
    assert bool(found) == broken, (body, found)


# -- the profile-field typo scan ---------------------------------------------------------------------------

TASK = "import_and_start_batch_task"
TYPO = "is not a documented profile field; did you mean {}?{} (sent as a custom field)"


def typos(body: dict[str, Any], operation: str = TASK) -> list[tuple[str, str]]:
    _, warned = check(operation, body)
    return [(p.field, p.message) for p in warned if "documented profile field" in p.message]


def test_typos_are_listed_by_first_item_then_by_place_in_it_with_the_count_of_the_others() -> None:
    items: list[Any] = [
        5,  # not an object: the schema's to report, but it still counts as an index
        {"data": {"email": "a@b.c", "emial": "x", "_fnmae": "y"}},
        {"data": {"email": "a@b.c", "phone": "1", "emial": "z"}},
        {"data": {"email": "a@b.c", "_fnmae": "y"}},
    ]
    expected = [
        ("data[1].data.emial", TYPO.format("email", " (and in 1 more item(s))")),
        ("data[1].data._fnmae", TYPO.format("_fname", " (and in 1 more item(s))")),
        ("data[2].data.phone", TYPO.format("phones", "")),
    ]
    assert typos({"trigger_id": 13, "data": items}) == expected
    # Any mapping is a profile to scan, not only a dict, and a key that is not a string is no typo
    # (jsonschema-rs itself takes dicts with string keys only).
    items[2] = MappingProxyType({"data": MappingProxyType(items[2]["data"])})
    items[3]["data"][7] = "a key that is not a string"
    found = _validate._profile_typos(TASK, {"trigger_id": 13, "data": items})
    assert [(p.field, p.message) for p in found] == expected


def test_a_single_profile_is_scanned_as_data() -> None:
    body = {"db_id": 1, "matching": "email", "email": "a@b.c", "data": {"email": "a@b.c", "_fnmae": "y"}}
    assert typos(body, "import_profile") == [("data._fnmae", TYPO.format("_fname", ""))]


def test_a_tag_that_is_a_list_or_an_object_is_reported_not_a_crash() -> None:
    channels: list[Any] = [[], {}]
    for channel in channels:
        body = {"db_id": 1, "data": {"subscriptions": [{"channel": channel, "resource_id": 1}]}}
        refusals, _ = check("import_profile", body)
        assert refusals and all(p.field.startswith("data.subscriptions[0]") for p in refusals), refusals


def test_no_typo_no_warning_and_other_operations_are_not_scanned() -> None:
    assert typos({"trigger_id": 13, "data": [{"data": {"email": "a@b.c", "Custom_ID": "1"}}] * 3}) == []
    assert typos({"task_id": "t", "data": {"emial": "x"}}, "task_status") == []
    assert typos({"trigger_id": 13, "data": "not a list"}) == []
