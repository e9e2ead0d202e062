"""Hypothesis strategies for JSON values of the spec's schemas (read from ``altcraft_api.spec_data``)."""

from __future__ import annotations

import re
from typing import Any

from altcraft_api.spec_data import SPEC_DATA
from hypothesis import strategies as st

SCHEMAS = SPEC_DATA["schemas"]
_NUMERIC = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12).filter(
    lambda s: not _NUMERIC.match(s) and s.strip() == s
)
_XML_NAME = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,10}\Z").filter(lambda s: not s.lower().startswith("xml"))


def _free_value(depth: int = 0) -> st.SearchStrategy[Any]:
    if depth >= 2:
        return _TEXT
    return st.one_of(
        _TEXT,
        st.lists(_TEXT, max_size=3),  # empty lists too: written as <x empty='true'/>
        st.dictionaries(_XML_NAME, _free_value(depth + 1), min_size=1, max_size=3),
    )


def _node(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SCHEMAS
        for part in node["$ref"].removeprefix("#/components/schemas/").split("/"):
            target = target[part]
        node = target
    return node


def schema_values(node: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values valid against ``node`` (scalars kept apart from numbers, so XML reads them back alike)."""
    node = _node(node)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    if "allOf" in node:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in node["allOf"]:
            part = _node(part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
            if part.get("additionalProperties") is True:
                merged["additionalProperties"] = True
        merged["properties"].update(node.get("properties", {}))
        merged["required"] += node.get("required", [])
        return schema_values(merged, depth)
    if "oneOf" in node or "anyOf" in node:
        return st.one_of([schema_values(s, depth) for s in node.get("oneOf", node.get("anyOf"))])
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        required = set(node.get("required", []))
        fixed = {k: schema_values(v, depth + 1) for k, v in props.items() if k in required}
        optional = {k: schema_values(v, depth + 1) for k, v in props.items() if k not in required}
        base = st.fixed_dictionaries(fixed, optional=optional)
        if node.get("additionalProperties") is True:
            extra = st.dictionaries(_XML_NAME.filter(lambda k: k not in props), _free_value(), max_size=3)
            return st.tuples(base, extra).map(lambda t: {**t[1], **t[0]})
        return base
    if kind == "array":
        return st.lists(schema_values(node["items"], depth + 1), min_size=node.get("minItems", 0), max_size=3)
    if kind == "integer":
        return st.integers(min_value=node.get("minimum", -(2**40)), max_value=2**40)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        if "pattern" in node:
            return st.just("data:text/plain;base64,SEVMTE8K")
        if node.get("minLength"):
            return _TEXT.filter(bool)
        return _TEXT
    if isinstance(kind, list):
        return st.one_of([schema_values({**node, "type": k}, depth) for k in kind])
    return _TEXT
