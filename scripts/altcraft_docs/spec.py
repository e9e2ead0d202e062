"""Reading openapi.yaml the way `scripts/docs check` compares it: schemas at a dotted path, their types and
whether a name is always required."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .model import DocsError

__all__ = ["Spec"]

_COMPOSED = ("allOf", "anyOf", "oneOf")


class Spec:
    """An OpenAPI document with `$ref` resolution and path lookups."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document

    @classmethod
    def load(cls, path: Path) -> Spec:
        """The spec at `path`; one that is missing, not YAML or not an OpenAPI mapping is a `DocsError`."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise DocsError(f"{path}: the spec cannot be read ({reason})") from None
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise DocsError(f"{path}: the spec is not valid YAML{where}") from None
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            raise DocsError(f"{path}: not an OpenAPI document (no mapping with `paths`)")
        return cls(document)

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.doc
            ref = node["$ref"]
            for part in str(ref).lstrip("#/").split("/"):
                key = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or key not in target:
                    raise DocsError(f"the spec's $ref {ref} points to nothing")
                target = target[key]
            node = target
            seen += 1
            if seen > 50:
                raise DocsError(f"the spec's $ref {ref} is a cycle")
        return node

    def operations(self) -> dict[str, tuple[str, str, dict[str, Any]]]:
        """operationId -> (method, path, operation)."""
        out = {}
        for path, item in self.doc.get("paths", {}).items():
            for method, op in item.items():
                if isinstance(op, dict) and "operationId" in op:
                    out[op["operationId"]] = (method, path, op)
        return out

    def request_root(self, operation: dict[str, Any]) -> dict[str, Any]:
        """The JSON request body's schema; `{}` for an operation without one (it has no parameters)."""
        schema = self._at(operation, "requestBody", "content", "application/json", "schema")
        return dict(schema) if isinstance(schema, dict) else {}

    def _at(self, node: Any, *keys: str) -> Any:
        for key in keys:
            node = self.resolve(node)
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return self.resolve(node)

    def response_roots(self, operation: dict[str, Any]) -> list[dict[str, Any]]:
        """The schemas of the 200 answer: each variant (the success shape and the error envelope)."""
        schema = self._at(operation, "responses", "200", "content", "application/json", "schema")
        if not isinstance(schema, dict):
            return []
        alternatives = schema.get("anyOf") or schema.get("oneOf") or [schema]
        return [self.resolve(s) for s in alternatives]

    def variants(self, schema: Any, conditional: bool = True) -> Iterator[dict[str, Any]]:
        """The schema and what it is composed of (allOf/anyOf/oneOf, and then/else when `conditional`)."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return
        yield schema
        keys = (*_COMPOSED, "then", "else") if conditional else _COMPOSED
        for key in keys:
            subs = schema.get(key)
            if isinstance(subs, dict):
                subs = [subs]
            for sub in subs or []:
                yield from self.variants(sub, conditional)

    def properties(self, schema: Any, name: str) -> list[dict[str, Any]]:
        return [
            self.resolve(v["properties"][name])
            for v in self.variants(schema)
            if isinstance(v.get("properties"), dict) and name in v["properties"]
        ]

    def items(self, schema: Any) -> list[dict[str, Any]]:
        return [self.resolve(v["items"]) for v in self.variants(schema) if isinstance(v.get("items"), dict)]

    def at_path(self, roots: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
        """The schemas at a dotted path (`data[].data.subscriptions[].channel`) below any of `roots`."""
        current = list(roots)
        for part in path.split("."):
            is_array = part.endswith("[]")
            name = part.removesuffix("[]")
            if name:
                current = [p for s in current for p in self.properties(s, name)]
            if is_array:
                current = [i for s in current for i in self.items(s)]
        return current

    def always_required(self, schema: Any, name: str) -> bool:
        """Whether every valid instance of `schema` must hold `name` (if/then do not count)."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return False
        if name in schema.get("required", []):
            return True
        if any(self.always_required(s, name) for s in schema.get("allOf", [])):
            return True
        for key in ("anyOf", "oneOf"):
            if schema.get(key) and all(self.always_required(s, name) for s in schema[key]):
                return True
        return False

    def types(self, schema: Any) -> set[str]:
        """The JSON types a schema allows; {"any"} when it does not say."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return {"any"}
        if "type" in schema:
            t = schema["type"]
            return set(t) if isinstance(t, list) else {t}
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                out: set[str] = set()
                for s in schema[key]:
                    out |= self.types(s)
                return out
        for s in schema.get("allOf", []):
            found = self.types(s)
            if found != {"any"}:
                return found
        values = list(schema.get("enum", [])) + ([schema["const"]] if "const" in schema else [])
        if values:
            return {_json_type(v) for v in values}
        return {"any"}

    def values(self, schemas: list[dict[str, Any]]) -> set[object]:
        """The enumerated values (enum, const, x-known-values) of the schemas and their variants."""
        out: set[object] = set()
        for schema in schemas:
            for v in self.variants(schema):
                out.update(x for x in v.get("enum", []) if isinstance(x, str | int | float | bool))
                if "const" in v and isinstance(v["const"], str | int | float | bool):
                    out.add(v["const"])
                out.update(k["value"] for k in v.get("x-known-values", []) if isinstance(k, dict))
        return out

    def request_properties(self, operation: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
        """(path, the property's own node before resolution, resolved) of every request property,
        not descending into open objects (`additionalProperties` true)."""
        seen: set[str] = set()

        def walk(schema: Any, prefix: str, depth: int) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
            if depth > 12:
                return
            for v in self.variants(schema):
                for name, raw in (v.get("properties") or {}).items():
                    path = f"{prefix}.{name}" if prefix else name
                    node = self.resolve(raw)
                    if path not in seen:
                        seen.add(path)
                        yield path, raw, node
                    if _open(self, node):
                        continue
                    yield from walk(node, path, depth + 1)
                    for item in self.items(node):
                        if not _open(self, item):
                            yield from walk(item, path + "[]", depth + 1)

        yield from walk(self.request_root(operation), "", 0)


def _open(spec: Spec, node: dict[str, Any]) -> bool:
    return any(v.get("additionalProperties") is True for v in spec.variants(node, conditional=False))


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"
