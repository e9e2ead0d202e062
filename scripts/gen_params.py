"""Writes `altcraft_api.params`: a TypedDict for each request body, and the typed signatures of request().

Called by scripts/gen.py (`generate_into`) with the full spec; the module is generated, never edited.

* `<Operation>Params` (and one TypedDict for each nested object the bodies name, `TimeoutParams`, ...):
  the body's documented keys, so that mypy flags `{"skip_trigers": True}` in a caller's own code, as
  openai-python types its params. `Required[...]` where the schema requires the key. A value's type is
  the schema's `type` (an enum of strings is a Literal); a type the spec only assumes (`x-assumed`) is
  `Any`, because the client only warns about it. Open objects (profile `data`, `custom_data`, `content`)
  are `Mapping[str, Any]`.
* `Operation`: the operationIds, as a Literal.
* `SyncRequest` / `AsyncRequest`: Protocols whose overloaded `__call__` give `request(operation, body)`
  the return type of each operationId (its success model; `dict[str, Any]` with `plain=True`).
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from altcraft_docs.spec import Spec

__all__ = ["params_module"]

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "null": "None"}


def _camel(operation_id: str) -> str:
    return "".join(part.capitalize() for part in operation_id.split("_"))


class _Writer:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.classes: dict[str, str] = {}  # name -> source
        self.names: dict[int, str] = {}

    def merged(self, schema: Any) -> tuple[dict[str, Any], set[str], bool]:
        """(properties, always-required names, open) of an object schema and its allOf members."""
        props: dict[str, Any] = {}
        required: set[str] = set()
        is_open = False
        for part in self.conjuncts(schema):
            props.update(part.get("properties") or {})
            required |= set(part.get("required") or [])
            if part.get("additionalProperties") is True:
                is_open = True
        return props, required, is_open

    def conjuncts(self, schema: Any) -> list[dict[str, Any]]:
        """The schema and its allOf members, resolved (what every valid instance meets)."""
        node = self.spec.resolve(schema)
        if not isinstance(node, dict):
            return []
        out = [node]
        for member in node.get("allOf") or []:
            out += self.conjuncts(member)
        return out

    def annotation(self, raw: Any, hint: str) -> str:
        node = self.spec.resolve(raw)
        if not isinstance(node, dict):
            return "Any"
        if "enum" in node and all(isinstance(v, str) for v in node["enum"]) and node.get("type") == "string":
            return "Literal[" + ", ".join(repr(v) for v in node["enum"]) + "]"
        if "const" in node and isinstance(node["const"], str):
            return f"Literal[{node['const']!r}]"
        for key in ("anyOf", "oneOf"):
            if node.get(key) and "type" not in node:
                parts = [self.annotation(v, hint) for v in node[key]]
                if "Any" in parts:
                    return "Any"
                return " | ".join(dict.fromkeys(parts))
        kind = node.get("type")
        if kind is None:
            props, _, is_open = self.merged(node)
            if props and not is_open:
                return self.typed_dict(raw if isinstance(raw, dict) and "$ref" in raw else node, hint)
            return "Any"
        if isinstance(kind, list):
            return " | ".join(_SCALARS.get(k, "Any") for k in kind)
        if kind == "array":
            return f"Sequence[{self.annotation(node.get('items', {}), hint)}]"
        if kind == "object":
            props, _, is_open = self.merged(node)
            if is_open or not props:
                return "Mapping[str, Any]"
            return self.typed_dict(raw if isinstance(raw, dict) and "$ref" in raw else node, hint)
        return _SCALARS.get(kind, "Any")

    def typed_dict(self, schema: Any, hint: str) -> str:
        node = self.spec.resolve(schema)
        key = id(node)
        if key in self.names:
            return self.names[key]
        title = node.get("title") if isinstance(node, dict) else None
        ref_name = schema["$ref"].rsplit("/", 1)[-1] if isinstance(schema, dict) and "$ref" in schema else None
        name = (ref_name or title or hint).removesuffix("Request") + "Params"
        self.names[key] = name
        props, required, _ = self.merged(node)
        lines = [f"class {name}(TypedDict, total=False):"]
        doc = str(node.get("description", "")).strip().split("\n")[0] if isinstance(node, dict) else ""
        lines.append(f'    """{_doc(doc) or name}"""')
        lines.append("")
        for prop in sorted(props):
            if not prop.isidentifier() or keyword.iskeyword(prop):
                continue  # a key Python cannot name: the functional syntax would be needed; none today
            value = self.annotation(props[prop], _camel(prop))
            value = f"Required[{value}]" if prop in required else value
            lines.append(f"    {prop}: {value}")
        self.classes[name] = "\n".join(lines)
        return name


def _doc(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace('"""', "'''")).strip()


def params_module(document: dict[str, Any], models: dict[str, str]) -> str:
    """The source of altcraft_api/params.py. `models`: operationId -> the success model's class name."""
    spec = Spec(document)
    writer = _Writer(spec)
    ops: list[tuple[str, str, str]] = []
    for op_id, (_, _, op) in sorted(spec.operations().items()):
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        params = writer.typed_dict(schema, _camel(op_id))
        ops.append((op_id, params, schema["$ref"].rsplit("/", 1)[-1]))
    model_imports = sorted({m for _, _, m in ops} | set(models.values()))
    out = [
        '"""TypedDicts of the request bodies, and the typed signatures of request() (one overload per operationId).',
        "",
        "Generated by scripts/generate (scripts/gen_params.py) from openapi.yaml; do not edit.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping, Sequence",
        "from typing import Any, Literal, Protocol, Required, TypedDict, overload",
        "",
        "from .models import " + ", ".join(model_imports),
        "",
        "__all__ = [",
        *[f'    "{n}",' for n in sorted([*writer.classes, "AsyncRequest", "Operation", "SyncRequest"])],
        "]",
        "",
        "# The operationIds of openapi.yaml: what request() and altcraft.validate() take as their operation.",
        "Operation = Literal[",
        *[f'    "{op_id}",' for op_id, _, _ in ops],
        "]",
        "",
    ]
    for name in sorted(writer.classes):
        out += ["", writer.classes[name], ""]
    for protocol, prefix in (("SyncRequest", ""), ("AsyncRequest", "async ")):
        out += [
            "",
            f"class {protocol}(Protocol):",
            f'    """The signature of `{"Async" if prefix else ""}Altcraft.request`."""',
            "",
        ]
        for op_id, params, model in ops:
            answer = models[op_id]
            for plain, result in (("Literal[False] = ...", answer), ("Literal[True]", "dict[str, Any]")):
                out += [
                    "    @overload",
                    f"    {prefix}def __call__(",
                    "        self,",
                    f'        operation: Literal["{op_id}"],',
                    f"        body: {params} | {model} | Mapping[str, Any],",
                    "        *,",
                    "        timeout: float | None = ...,",
                    "        extra_body: Mapping[str, Any] | None = ...,",
                    f"        plain: {plain},",
                    f"    ) -> {result}: ...",
                ]
        out += [
            "    @overload",
            f"    {prefix}def __call__(",
            "        self,",
            "        operation: str,",
            "        body: Any,",
            "        *,",
            "        timeout: float | None = ...,",
            "        extra_body: Mapping[str, Any] | None = ...,",
            "        plain: bool = ...,",
            "    ) -> Any: ...",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"
