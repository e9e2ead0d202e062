"""The flattener behind the one-pass batch check (altcraft._flatten): types, annotations, allOf merging and $ref
inlining down to their depth bounds. Goes with altcraft/_flatten.py and tests/test_flatten.py."""

from __future__ import annotations

from typing import Any

import pytest
from altcraft._flatten import Flattener

REF = "#/components/schemas/"


def flat(schemas: dict[str, Any], node: Any) -> Any:
    return Flattener(schemas).flatten(node)


def nested(key: str, levels: int, leaf: Any) -> Any:
    """``leaf`` under ``levels`` levels of ``key`` (properties ``p``, ``items`` or a one-member ``anyOf``)."""
    node = leaf
    for _ in range(levels):
        node = {"properties": {"p": node}} if key == "properties" else {key: [node] if key == "anyOf" else node}
    return node


def leaf_of(key: str, levels: int, node: Any) -> Any:
    for _ in range(levels):
        node = node["properties"]["p"] if key == "properties" else node[key][0] if key == "anyOf" else node[key]
    return node


def chain(length: int) -> dict[str, Any]:
    """Components R0 -> R1 -> ... -> R<length> = a string schema: ``length`` bare $refs in a row."""
    schemas: dict[str, Any] = {f"R{i}": {"$ref": f"{REF}R{i + 1}"} for i in range(length)}
    schemas[f"R{length}"] = {"type": "string"}
    return schemas


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"type": "array", "const": [1]}, {"const": [1]}),
        ({"type": "object", "const": {"a": 1}}, {"const": {"a": 1}}),
        ({"type": "boolean", "enum": [True, False]}, {"enum": [True, False]}),
        ({"type": "number", "enum": [1, 1.5]}, {"enum": [1, 1.5]}),
        ({"type": "object", "const": [1]}, {"type": "object", "const": [1]}),
        ({"type": "array", "const": {"a": 1}}, {"type": "array", "const": {"a": 1}}),
        ({"type": "string", "const": 5}, {"type": "string", "const": 5}),
        ({"type": "integer", "enum": [1, True]}, {"type": "integer", "enum": [1, True]}),
    ],
)
def test_a_type_is_dropped_only_when_every_allowed_value_has_it(node: Any, expected: Any) -> None:
    assert flat({}, node) == expected


def test_annotations_are_stripped_inside_single_subschemas_but_not_inside_values() -> None:
    node = {"items": {"title": "t", "type": "string"}, "not": {"description": "d", "const": 1}, "const": {"title": "v"}}
    assert flat({}, node) == {"items": {"type": "string"}, "not": {"const": 1}, "const": {"title": "v"}}


def test_all_of_lists_on_both_sides_are_concatenated() -> None:
    opaque_a, opaque_b = {"additionalProperties": False}, {"unevaluatedProperties": False}
    merged = Flattener({}).conjoin({"allOf": [opaque_a], "minimum": 1}, {"allOf": [opaque_b], "maximum": 5})
    assert merged == {"allOf": [opaque_a, opaque_b], "minimum": 1, "maximum": 5}


def test_a_keyword_on_both_sides_joins_an_existing_all_of() -> None:
    opaque = {"additionalProperties": False}
    merged = Flattener({}).conjoin({"allOf": [opaque], "minimum": 1}, {"minimum": 2})
    assert merged == {"allOf": [opaque, {"minimum": 2}], "minimum": 1}


def test_an_opaque_side_joins_the_all_of_of_the_other_side() -> None:
    opaque = {"additionalProperties": False}
    merged = Flattener({}).conjoin({"allOf": [{"x-a": 1, "minimum": 0}], "maximum": 9}, opaque)
    assert merged == {"allOf": [{"minimum": 0}, opaque], "maximum": 9}
    foreign = {"$ref": "#/elsewhere/A"}
    assert Flattener({}).conjoin(foreign, opaque) == {"allOf": [foreign, opaque]}
    assert Flattener({}).conjoin(opaque, foreign) == {"allOf": [opaque, foreign]}


def test_true_and_the_empty_schema_add_nothing() -> None:
    node = {"minimum": 1}
    nothings: list[Any] = [True, {}]
    for nothing in nothings:
        assert Flattener({}).conjoin(node, nothing) == node
        assert Flattener({}).conjoin(nothing, node) == node


def test_a_group_on_one_side_only_is_merged_and_on_both_sides_kept_whole() -> None:
    cond = {"if": {"minimum": 1}, "then": {"maximum": 5}}
    assert Flattener({}).conjoin({"minimum": 0}, cond) == {"minimum": 0, **cond}
    other = {"if": {"minimum": 2}, "then": {"maximum": 6}, "multipleOf": 3}
    assert Flattener({}).conjoin(cond, other) == {
        **cond,
        "multipleOf": 3,
        "allOf": [{"if": {"minimum": 2}, "then": {"maximum": 6}}],
    }


@pytest.mark.parametrize("key", ["properties", "items"])
def test_refs_are_inlined_in_conjoined_subschemas_down_to_the_depth_bound(key: str) -> None:
    schemas = {"S": {"type": "string"}, "M": {"minLength": 1}}
    flattener = Flattener(schemas)
    for levels, inlined in ((31, True), (32, False)):
        a, b = nested(key, levels, {"$ref": REF + "S"}), nested(key, levels, {"$ref": REF + "M"})
        got = leaf_of(key, levels, flattener.conjoin(a, b))
        expected = (
            {"type": "string", "minLength": 1} if inlined else {"allOf": [{"$ref": REF + "S"}, {"$ref": REF + "M"}]}
        )
        assert (levels, got) == (levels, expected)


@pytest.mark.parametrize("key", ["properties", "items", "anyOf"])
def test_refs_are_inlined_in_flattened_subschemas_down_to_the_depth_bound(key: str) -> None:
    schemas = {"S": {"type": "string"}}
    for levels, inlined in ((31, True), (32, False)):
        got = leaf_of(key, levels, flat(schemas, nested(key, levels, {"$ref": REF + "S"})))
        assert (levels, got) == (levels, {"type": "string"} if inlined else {"$ref": REF + "S"})


def test_all_of_members_are_merged_down_to_depth_32_and_kept_below() -> None:
    members = {"allOf": [{"minimum": 1}, {"maximum": 2}]}
    assert leaf_of("properties", 32, flat({}, nested("properties", 32, members))) == {"minimum": 1, "maximum": 2}
    assert leaf_of("properties", 33, flat({}, nested("properties", 33, members))) == members


def test_a_chain_of_refs_is_followed_32_steps_and_no_further() -> None:
    assert flat(chain(31), {"$ref": REF + "R0"}) == {"type": "string"}
    assert flat(chain(32), {"$ref": REF + "R0"}) == {"$ref": REF + "R32"}
    assert Flattener(chain(31)).conjoin({"$ref": REF + "R0"}, {"minLength": 1}) == {"type": "string", "minLength": 1}


def test_only_component_refs_are_inlined() -> None:
    schemas = {"A": {"type": "string"}, "A/b": {"type": "integer"}}
    assert flat(schemas, {"$ref": "#/components/Schemas/A"}) == {"$ref": "#/components/Schemas/A"}
    assert flat(schemas, {"$ref": REF + "A/b"}) == {"$ref": REF + "A/b"}
    assert flat(schemas, {"$ref": REF + "A"}) == {"type": "string"}


def test_members_lose_the_type_their_node_demands() -> None:
    opaque = {"type": "string", "additionalProperties": False}
    assert flat({}, {"type": "string", "allOf": [opaque]}) == {
        "type": "string",
        "allOf": [{"additionalProperties": False}],
    }
    node = {"type": "object", "oneOf": [{"type": "object", "required": ["a"]}, {"required": ["b"]}]}
    assert flat({}, node) == {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}
    node = {"type": "object", "anyOf": [{"type": "object", "required": ["a"]}, {"type": "array"}]}
    assert flat({}, node) == {"type": "object", "anyOf": [{"required": ["a"]}, {"type": "array"}]}


def test_an_empty_or_single_all_of_disappears() -> None:
    assert flat({}, {"allOf": [], "minimum": 1}) == {"minimum": 1}
    foreign = {"$ref": "#/elsewhere/A"}
    assert flat({}, {"allOf": [{"allOf": [foreign]}]}) == foreign


def test_a_document_whose_root_has_a_components_key_is_wrapped() -> None:
    assert Flattener({}).document({"components": 5, "minimum": 1}) == {
        "allOf": [{"components": 5, "minimum": 1}],
        "components": {"schemas": {}},
    }
    assert Flattener({"S": {"title": "s", "type": "string"}}).document({"minimum": 1}) == {
        "minimum": 1,
        "components": {"schemas": {"S": {"type": "string"}}},
    }
    assert Flattener({}).document(True) == {"allOf": [True], "components": {"schemas": {}}}
