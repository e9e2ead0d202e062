"""The spec at run time: operations, limits, schema shapes and a validator, all read from
``altcraft_api.spec_data`` (generated from openapi.yaml by scripts/generate)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from altcraft_api.spec_data import SPEC_DATA

from ._errors import InvalidInput

__all__ = ["OPERATIONS", "Shape", "limits", "request_shape", "response_shape", "shape", "validate_request"]

OPERATIONS: Mapping[str, Mapping[str, Any]] = SPEC_DATA["operations"]
_SCHEMAS: Mapping[str, Any] = SPEC_DATA["schemas"]


def limits(operation: str) -> Mapping[str, int]:
    """The operation's documented limits (``max_body_bytes``, ``max_body_bytes_with_files``, ...)."""
    merged: dict[str, int] = dict(SPEC_DATA["limits"])
    merged.update(OPERATIONS[operation].get("limits", {}))
    return merged


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow ``$ref`` (``#/components/schemas/Name`` and JSON pointers below it)."""
    while "$ref" in node:
        ref: str = node["$ref"]
        parts = ref.removeprefix("#/components/schemas/").split("/")
        target: Any = _SCHEMAS
        for part in parts:
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
    leaf: str = ""  # "s", "i" or "b" when the shape is exactly one scalar type (a fast path for XML)
    many: bool = False  # an array that cannot also be a string: an XML element of it is always an item
    obj: bool = False  # an object (child elements are its properties)

    def settle(self) -> None:
        """Derive the fast-path flags once the shape's own fields are final."""
        self.leaf = ""
        if not self.properties and self.items is None and not self.free and len(self.kinds) == 1:
            self.leaf = {"string": "s", "integer": "i", "boolean": "b"}.get(next(iter(self.kinds)), "")
        self.many = self.items is not None and "string" not in self.kinds
        self.obj = "object" in self.kinds or bool(self.properties)


def _merge(a: Shape, b: Shape) -> Shape:
    """One shape admitting what either admits (the same property in several oneOf variants)."""
    merged = Shape(a.kinds | b.kinds, dict(a.properties), a.items or b.items, a.free or b.free)
    merged.array_attr = a.array_attr or b.array_attr
    merged.unwrap = a.unwrap or b.unwrap
    for name, prop in b.properties.items():
        have = merged.properties.get(name)
        merged.properties[name] = prop if have is None or have is prop else _merge(have, prop)
    merged.settle()
    return merged


def _build(node: Mapping[str, Any], memo: dict[int, Shape]) -> Shape:
    node = _resolve(node)
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
    for combinator in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(combinator, []):
            part = _build(sub, memo)
            kinds |= part.kinds
            for name, prop in part.properties.items():
                have = out.properties.get(name)
                out.properties[name] = prop if have is None or have is prop else _merge(have, prop)
            if part.items is not None and out.items is None:
                out.items = part.items
            out.free = out.free or part.free
            out.array_attr = out.array_attr or part.array_attr
    xml = node.get("x-altcraft-xml", {})
    out.array_attr = out.array_attr or bool(xml.get("array-attribute"))
    out.unwrap = xml.get("unwrap", out.unwrap)
    if not kinds:
        kinds.add("any")
        out.free = True
    out.kinds = frozenset(kinds)
    out.settle()
    return out


_MEMO: dict[int, Shape] = {}


def shape(schema_name: str) -> Shape:
    """The shape of ``components.schemas[schema_name]``."""
    return _build(_SCHEMAS[schema_name], _MEMO)


def request_shape(operation: str) -> Shape:
    return shape(OPERATIONS[operation]["request_schema"])


@functools.cache
def response_shape(operation: str) -> Shape:
    """The union of the operation's 200 answers (success shape and error envelope)."""
    names = OPERATIONS[operation]["response_schemas"]
    return _build({"anyOf": [{"$ref": f"#/components/schemas/{n}"} for n in names]}, _MEMO)


# --------------------------------------------------------------------------------------------------
# Validation: a compiled subset of JSON Schema 2020-12, enough for openapi.yaml's request schemas.


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "object":
        return isinstance(value, Mapping)
    if kind == "array":
        return isinstance(value, list | tuple)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "null":
        return value is None
    return True


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Failure(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(problem)
        self.path = path
        self.problem = problem


def _compile(node: Mapping[str, Any], memo: dict[int, Callable[[Any, str], None]]) -> Callable[[Any, str], None]:
    node = _resolve(node)
    key = id(node)
    if key in memo:
        return memo[key]
    checks: list[Callable[[Any, str], None]] = []

    def run(value: Any, path: str) -> None:
        for check in checks:
            check(value, path)

    memo[key] = run
    declared = node.get("type")
    if declared is not None:
        kinds = declared if isinstance(declared, list) else [declared]

        def check_type(value: Any, path: str, kinds: list[str] = kinds) -> None:
            if not any(_type_ok(k, value) for k in kinds):
                raise _Failure(path, f"must be of type {' or '.join(kinds)}, not {type(value).__name__}")

        checks.append(check_type)
    if "const" in node:
        const = node["const"]

        def check_const(value: Any, path: str) -> None:
            if value != const or isinstance(value, bool) != isinstance(const, bool):
                raise _Failure(path, f"must be {const!r}")

        checks.append(check_const)
    if "enum" in node:
        allowed = node["enum"]

        def check_enum(value: Any, path: str) -> None:
            if value not in allowed:
                raise _Failure(path, "must be one of " + ", ".join(map(str, allowed)))

        checks.append(check_enum)
    if "minLength" in node:
        min_length = node["minLength"]

        def check_min_length(value: Any, path: str) -> None:
            if isinstance(value, str) and len(value) < min_length:
                raise _Failure(path, "must not be empty" if min_length == 1 else f"must be >= {min_length} chars")

        checks.append(check_min_length)
    if "pattern" in node:
        pattern = re.compile(node["pattern"])

        def check_pattern(value: Any, path: str) -> None:
            if isinstance(value, str) and not pattern.search(value):
                raise _Failure(path, f"must match {pattern.pattern}")

        checks.append(check_pattern)
    for bound, op, word in (("minimum", float.__lt__, ">="), ("maximum", float.__gt__, "<=")):
        if bound in node:
            limit = float(node[bound])

            def check_bound(value: Any, path: str, limit: float = limit, op: Any = op, word: str = word) -> None:
                if _type_ok("number", value) and op(float(value), limit):
                    raise _Failure(path, f"must be {word} {limit:g}")

            checks.append(check_bound)
    if "required" in node:
        required = list(node["required"])

        def check_required(value: Any, path: str) -> None:
            if isinstance(value, Mapping):
                for name in required:
                    if name not in value:
                        raise _Failure(_join(path, name), "is required")

        checks.append(check_required)
    if "properties" in node:
        props = {name: _compile(sub, memo) for name, sub in node["properties"].items()}

        def check_properties(value: Any, path: str) -> None:
            if isinstance(value, Mapping):
                for name, check in props.items():
                    if name in value:
                        check(value[name], _join(path, name))

        checks.append(check_properties)
    if "items" in node or "minItems" in node:
        item_check = _compile(node["items"], memo) if "items" in node else None
        min_items = node.get("minItems", 0)

        def check_items(value: Any, path: str) -> None:
            if isinstance(value, list | tuple):
                if len(value) < min_items:
                    raise _Failure(path, f"must have at least {min_items} item(s)")
                if item_check is not None:
                    for i, item in enumerate(value):
                        item_check(item, f"{path}[{i}]")

        checks.append(check_items)
    for sub in node.get("allOf", []):
        checks.append(_compile(sub, memo))
    if "anyOf" in node or "oneOf" in node:
        subs = [_compile(s, memo) for s in node.get("anyOf", node.get("oneOf", []))]
        discriminator = node.get("discriminator")

        def check_any(value: Any, path: str) -> None:
            if discriminator and isinstance(value, Mapping):
                prop = discriminator["propertyName"]
                target = discriminator["mapping"].get(value.get(prop))
                if target is None:
                    where = _join(path, prop)
                    if prop not in value:
                        raise _Failure(where, "is required")
                    raise _Failure(where, "must be one of " + ", ".join(discriminator["mapping"]))
                _compile({"$ref": target}, memo)(value, path)
                return
            failures = []
            for sub_check in subs:
                try:
                    sub_check(value, path)
                except _Failure as exc:
                    failures.append(exc)
                else:
                    return
            deepest = max(failures, key=lambda f: len(f.path))
            raise deepest

        checks.append(check_any)
    if "not" in node:
        negated = _compile(node["not"], memo)

        def check_not(value: Any, path: str) -> None:
            try:
                negated(value, path)
            except _Failure:
                return
            raise _Failure(path, "is not allowed here")

        checks.append(check_not)
    if "if" in node:
        condition = _compile(node["if"], memo)
        then = _compile(node["then"], memo) if "then" in node else None
        otherwise = _compile(node["else"], memo) if "else" in node else None

        def check_if(value: Any, path: str) -> None:
            try:
                condition(value, path)
            except _Failure:
                if otherwise is not None:
                    otherwise(value, path)
                return
            if then is not None:
                then(value, path)

        checks.append(check_if)
    return run


_VALIDATORS: dict[int, Callable[[Any, str], None]] = {}


def validate_request(operation: str, body: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidInput` naming the first field of ``body`` that openapi.yaml rejects."""
    check = _compile(_SCHEMAS[OPERATIONS[operation]["request_schema"]], _VALIDATORS)
    try:
        check(body, "")
    except _Failure as exc:
        where = exc.path or "body"
        raise InvalidInput(f"{operation}: {where} {exc.problem}", field=where, operation=operation) from None
