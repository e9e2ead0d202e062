"""The flattened schema of the one-pass batch check gives the verdicts of the schemas as written."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from altcraft._flatten import Flattener
from altcraft._validate import (
    _ASSUMED_SCHEMAS,
    _OPERATIONS,
    _SEARCH_KEYS,
    _search_key_schema,
    _whole_document,
    _whole_validator,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .strategies import schema_values

REF = "#/components/schemas/"


def reference(name: str, candidates: tuple[str, ...]) -> Any:
    """The unflattened document: the request schema as written, and the search keys as a second pass."""
    assert _ASSUMED_SCHEMAS is not None
    root: dict[str, Any] = {"$ref": REF + name}
    if candidates:
        root = {"allOf": [root, _search_key_schema(candidates)]}
    return jsonschema_rs.Draft202012Validator(
        {**root, "components": {"schemas": dict(_ASSUMED_SCHEMAS)}}, validate_formats=True
    )


def flat(schemas: dict[str, Any], root: Any) -> Any:
    return Flattener(schemas).flatten(root)


# -- the rules, one by one ------------------------------------------------------------------------------


def test_all_of_members_merge_into_one_node() -> None:
    schemas = {"A": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "title": "A"}}
    more = {"type": "object", "properties": {"b": {"type": "integer"}}, "required": ["a", "b"]}
    node = {"allOf": [{"$ref": REF + "A"}, more]}
    assert flat(schemas, node) == {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    }


def test_a_property_on_both_sides_is_conjoined() -> None:
    node = {"allOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"a": {"minLength": 1}}}]}
    assert flat({}, node) == {"properties": {"a": {"type": "string", "minLength": 1}}}


def test_items_on_both_sides_are_conjoined() -> None:
    node = {"allOf": [{"items": {"type": "string"}}, {"items": {"maxLength": 3}}]}
    assert flat({}, node) == {"items": {"type": "string", "maxLength": 3}}


def test_the_same_keyword_with_other_values_stays_a_conjunction() -> None:
    node = {"allOf": [{"type": "string", "minLength": 1}, {"type": "integer", "minLength": 2}]}
    assert flat({}, node) == {"type": "string", "minLength": 1, "allOf": [{"type": "integer", "minLength": 2}]}


@pytest.mark.parametrize("keyword", ["additionalProperties", "patternProperties", "unevaluatedProperties"])
def test_keywords_that_read_their_siblings_are_never_merged(keyword: str) -> None:
    closed = {"properties": {"a": {}}, keyword: False if keyword != "patternProperties" else {"^x": False}}
    node = {"allOf": [closed, {"properties": {"b": {}}}]}
    assert flat({}, node) == {"properties": {"b": {}}, "allOf": [closed]}
    assert flat({}, {"allOf": [closed, closed]}) == {"allOf": [closed, closed]}


def test_if_then_else_on_both_sides_are_not_mixed() -> None:
    first = {"if": {"required": ["a"]}, "then": {"required": ["b"]}}
    second = {"else": {"required": ["c"]}}  # a lone else is no rule; paired with first's if it would be one
    assert flat({}, {"allOf": [first, second]}) == {**first, "allOf": [second]}
    contains = {"contains": {"type": "string"}}
    assert flat({}, {"allOf": [contains, {"contains": {"type": "integer"}, "minContains": 2}]}) == {
        **contains,
        "allOf": [{"contains": {"type": "integer"}, "minContains": 2}],
    }


def test_a_ref_with_siblings_and_a_foreign_ref_are_kept() -> None:
    schemas = {"A": {"type": "string"}}
    sibling = {"$ref": REF + "A", "minLength": 1}
    assert flat(schemas, {"allOf": [sibling, {"maxLength": 2}]}) == {"maxLength": 2, "allOf": [sibling]}
    assert flat(schemas, {"allOf": [{"maxLength": 2}, sibling]}) == {"maxLength": 2, "allOf": [sibling]}
    foreign = {"$ref": REF + "A/properties/x"}
    assert flat(schemas, foreign) == foreign
    assert flat(schemas, {"$ref": REF + "Missing"}) == {"$ref": REF + "Missing"}


def test_annotations_and_open_additional_properties_are_dropped() -> None:
    node = {"type": "object", "additionalProperties": True, "xml": {"name": "x"}, "x-assumption": "y", "default": {},
            "properties": {"default": {"type": "string", "description": "a property named default"}}}  # fmt: skip
    assert flat({}, node) == {"type": "object", "properties": {"default": {"type": "string"}}}
    assert flat({}, {"enum": [{"title": "data, not a keyword"}]}) == {"enum": [{"title": "data, not a keyword"}]}


def test_a_type_implied_by_const_or_enum_or_the_enclosing_node_is_dropped() -> None:
    assert flat({}, {"type": "string", "const": "email"}) == {"const": "email"}
    assert flat({}, {"type": "number", "enum": [1, 2.5]}) == {"enum": [1, 2.5]}
    assert flat({}, {"type": "integer", "enum": [1, True]}) == {"type": "integer", "enum": [1, True]}
    assert flat({}, {"type": "integer", "const": 1.5}) == {"type": "integer", "const": 1.5}
    assert flat({}, {"type": "integer", "const": 1.0}) == {"const": 1.0}  # JSON Schema: 1.0 is an integer
    assert flat({}, {"type": ["string", "null"], "enum": ["a", None]}) == {"enum": ["a", None]}
    node = {"type": "object", "anyOf": [{"type": "object", "required": ["a"]}, {"type": "array"}]}
    assert flat({}, node) == {"type": "object", "anyOf": [{"required": ["a"]}, {"type": "array"}]}


def test_a_non_empty_string_rule_becomes_min_length() -> None:
    empty = {"not": {"enum": [None, "", [], {}]}}
    assert flat({}, {"allOf": [{"type": "string"}, empty]}) == {"type": "string", "minLength": 1}
    assert flat({}, {"type": "string", "minLength": 3, **empty}) == {"type": "string", "minLength": 3}
    assert flat({}, {"type": "integer", **empty}) == {"type": "integer", **empty}
    assert flat({}, {"type": "string", "not": {"enum": ["", "x"]}}) == {"type": "string", "not": {"enum": ["", "x"]}}


def test_boolean_schemas_and_single_members() -> None:
    assert flat({}, {"allOf": [True]}) is True
    assert flat({}, {"allOf": [{"type": "string"}]}) == {"type": "string"}
    assert Flattener({}).conjoin(False, {"type": "string"}) == {"allOf": [False, {"type": "string"}]}
    assert Flattener({}).conjoin({"type": "string"}, {}) == {"type": "string"}
    assert Flattener({}).document(True) == {"allOf": [True], "components": {"schemas": {}}}


def test_a_recursive_schema_stays_finite() -> None:
    schemas = {"Tree": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": REF + "Tree"}}}}}
    doc = Flattener(schemas).document({"$ref": REF + "Tree"})
    validator = jsonschema_rs.Draft202012Validator(doc)
    assert validator.is_valid({"kids": [{"kids": [{}]}]})
    assert not validator.is_valid({"kids": [{"kids": [1]}]})


# -- the same verdicts on the spec itself -------------------------------------------------------------

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
    body = draw(schema_values({"$ref": REF + _OPERATIONS[operation]["request_schema"]}))
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


@pytest.mark.parametrize("operation", sorted(_OPERATIONS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_flattened_check_gives_the_verdicts_of_the_schemas_as_written(operation: str, data: st.DataObject) -> None:
    body = data.draw(bodies(operation))
    name = _OPERATIONS[operation]["request_schema"]
    modes = [(), *(tuple(rule.get("item", ())) for rule in _SEARCH_KEYS.values() if rule.get("item")), ("Custom_ID",)]
    for candidates in modes:
        verdict = _whole_validator(name, candidates).is_valid(body)
        assert verdict == reference(name, candidates).is_valid(body), (candidates, body)


def test_the_flattened_batch_schema_is_one_node_per_profile() -> None:
    """What the flattening is for: each profile's rules (four $ref-ed parts and the search key) are one
    node, and a subscription's common part sits beside its channel variants."""
    doc = _whole_document(_OPERATIONS["import_and_start_batch"]["request_schema"], ("email",))
    profile = doc["properties"]["data"]["items"]["properties"]["data"]
    assert "allOf" not in profile and "$ref" not in profile
    assert profile["required"] == ["email"] and profile["properties"]["email"] == {"type": "string", "minLength": 1}
    subscription = profile["properties"]["subscriptions"]["items"]
    assert "resource_id" in subscription["required"] and len(subscription["anyOf"]) == 8
