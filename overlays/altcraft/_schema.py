"""The spec at run time: operations, limits and the schema shapes the XML codec follows, all read from
``altcraft_api.spec_data`` (generated from openapi.yaml by scripts/generate). Validation is in _validate."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from altcraft_api.spec_data import SPEC_DATA

__all__ = [
    "BATCH_OPERATIONS",
    "OPERATIONS",
    "Shape",
    "limits",
    "request_shape",
    "resolve",
    "response_shape",
    "shape",
    "success_shape",
]

OPERATIONS: Mapping[str, Mapping[str, Any]] = SPEC_DATA["operations"]
# The operations whose ``data`` is a list of profiles: those the docs give a per-request profile limit.
BATCH_OPERATIONS = frozenset(
    name for name, op in OPERATIONS.items() if "recommended_max_profiles_per_request" in op.get("limits", {})
)
_SCHEMAS: Mapping[str, Any] = SPEC_DATA["schemas"]


def limits(operation: str) -> Mapping[str, int]:
    """The operation's documented limits (``max_body_bytes``, ``max_body_bytes_with_files``, ...)."""
    merged: dict[str, int] = dict(SPEC_DATA["limits"])
    merged.update(OPERATIONS[operation].get("limits", {}))
    return merged


def resolve(node: Any, schemas: Mapping[str, Any] | None = None) -> Any:
    """The schema ``node`` stands for: its ``$ref`` followed, and the target's, until a node without one.

    The one ``$ref`` resolver of the package (the XML shapes here, validation in _validate). A reference
    is ``#/components/schemas/Name``, or a JSON pointer below it (``.../Name/oneOf/1``: list indexes,
    ``~1`` for ``/``; component names cannot hold ``~``). ``schemas`` are the components to look in (by
    default the spec's own, ``altcraft_api.spec_data``). Anything that is not a mapping with ``$ref`` is
    returned as it is.
    """
    components = _SCHEMAS if schemas is None else schemas
    while isinstance(node, Mapping) and "$ref" in node:
        ref: str = node["$ref"]
        target: Any = components
        for part in ref.removeprefix("#/components/schemas/").split("/"):
            target = target[int(part)] if isinstance(target, list) else target[part.replace("~1", "/")]
        node = target
    return node


# --------------------------------------------------------------------------------------------------
# Shapes: what the XML codec needs of a schema (types, properties, arrays, x-altcraft-xml).


@dataclass(eq=False)
class Shape:
    """A schema reduced to what the XML mapping needs. ``kinds`` holds the JSON types it admits."""

    kinds: frozenset[str]
    properties: dict[str, Shape] = field(default_factory=dict)
    items: Shape | None = None
    free: bool = False  # additionalProperties / untyped: decoded generically, values as text
    array_attr: bool = False
    unwrap: str | None = None
    many: bool = False  # an array that cannot also be a string: an XML element of it is always an item
    obj: bool = False  # an object (child elements are its properties)
    required: frozenset[str] = frozenset()  # required property names (own and allOf, not anyOf/oneOf)
    required_arrays: tuple[str, ...] = ()  # required properties that are arrays: read as [] when absent
    assumed: bool = False  # the kinds come from ``x-assumed`` only: a hint for decoding, never a refusal

    def settle(self) -> None:
        """Derive the flags below once the shape's own fields are final."""
        self.many = self.items is not None and "string" not in self.kinds
        self.obj = "object" in self.kinds or bool(self.properties)
        self.required_arrays = tuple(
            sorted(n for n in self.required if n in self.properties and self.properties[n].many)
        )


def _merge(a: Shape, b: Shape) -> Shape:
    """One shape admitting what either admits (the same property in several oneOf variants)."""
    merged = Shape(a.kinds | b.kinds, dict(a.properties), a.items or b.items, a.free or b.free)
    merged.array_attr = a.array_attr or b.array_attr
    merged.unwrap = a.unwrap or b.unwrap
    merged.assumed = a.assumed and b.assumed
    for name, prop in b.properties.items():
        have = merged.properties.get(name)
        merged.properties[name] = prop if have is None or have is prop else _merge(have, prop)
    merged.settle()
    return merged


def _build(node: Mapping[str, Any], memo: dict[int, Shape]) -> Shape:
    node = resolve(node)
    key = id(node)
    if key in memo:
        return memo[key]
    out = Shape(frozenset())
    memo[key] = out
    kinds: set[str] = set()
    declared = node.get("type")
    if isinstance(declared, list):
        kinds.update(declared)
    elif isinstance(declared, str):
        kinds.add(declared)
    if "const" in node and not declared:
        kinds.add({bool: "boolean", int: "integer", float: "number"}.get(type(node["const"]), "string"))
    for name, sub in node.get("properties", {}).items():
        out.properties[name] = _build(sub, memo)
        kinds.add("object")
    if "items" in node:
        out.items = _build(node["items"], memo)
        kinds.add("array")
    if node.get("additionalProperties") is True:
        out.free = True
    required = set(node.get("required", ()))
    for combinator in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(combinator, []):
            part = _build(sub, memo)
            if combinator == "allOf":
                required |= part.required
            kinds |= part.kinds
            for name, prop in part.properties.items():
                have = out.properties.get(name)
                out.properties[name] = prop if have is None or have is prop else _merge(have, prop)
            if part.items is not None and out.items is None:
                out.items = part.items
            out.free = out.free or part.free
            out.array_attr = out.array_attr or part.array_attr
    assumed = node.get("x-assumed")
    if not kinds and isinstance(assumed, Mapping):
        # No enforced type: the assumed one guides decoding (numbers, arrays), and anything else is kept as
        # written, since an assumption is warned about, never refused.
        part = _build(assumed, memo)
        kinds |= part.kinds
        out.items = out.items or part.items
        out.free = True
        out.assumed = True
    xml = node.get("x-altcraft-xml", {})
    out.array_attr = out.array_attr or bool(xml.get("array-attribute"))
    out.unwrap = xml.get("unwrap", out.unwrap)
    if not kinds:
        kinds.add("any")
        out.free = True
    out.kinds = frozenset(kinds)
    out.required = frozenset(required)
    out.settle()
    return out


_MEMO: dict[int, Shape] = {}


def shape(schema_name: str) -> Shape:
    """The shape of ``components.schemas[schema_name]``."""
    return _build(_SCHEMAS[schema_name], _MEMO)


def request_shape(operation: str) -> Shape:
    return shape(OPERATIONS[operation]["request_schema"])


@functools.cache
def success_shape(operation: str) -> Shape:
    """The shape of the operation's success answer alone."""
    return shape(OPERATIONS[operation]["response_schemas"][0])


@functools.cache
def response_shape(operation: str) -> Shape:
    """The union of the operation's 200 answers (success shape and error envelope)."""
    names = OPERATIONS[operation]["response_schemas"]
    return _build({"anyOf": [{"$ref": f"#/components/schemas/{n}"} for n in names]}, _MEMO)
