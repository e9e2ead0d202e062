"""JSON-shaped data to generated models, fast, with the generated ``from_dict`` as the reference.

``from_dict`` of the generated models copies every mapping, defines helper functions per item and
resolves ``oneOf`` unions by trying each variant in turn behind ``try``/``except``. For 10,000-profile
bodies that costs more than reading them. :func:`to_model` builds the same objects through a builder
compiled once per class from its attrs fields (their annotations and wire names): scalars pass through
as ``from_dict`` passes them, enums and nested models are built, a union of models whose variants carry
distinct ``Literal`` discriminators (the subscription ``channel``) is dispatched by that value.

Whenever the data is not what the fast path expects (a missing required key, a wrong type, an
unknown discriminator, a mapping that is not a ``dict``), the whole object is handed to the generated
``from_dict``, so the result, or the exception, is exactly the generated one. A class whose fields
the compiler does not understand simply keeps ``from_dict``.
"""

from __future__ import annotations

import ast
import enum
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
from altcraft_api import models
from altcraft_api.spec_data import SPEC_DATA
from altcraft_api.types import UNSET

__all__ = ["to_model"]

T = TypeVar("T")

_WIRE: Mapping[str, str] = SPEC_DATA["wire_names"]
_BUILDERS: dict[type, Callable[[Any], Any]] = {}
_PLAIN = re.compile(r"(?:str|int|float|bool|Any|None|list\[(?:str|int|float|bool|Any)\]|dict\[str, Any\])\Z")
_UNSET_SUFFIX = " | Unset"


class _Unhandled(Exception):
    """Raised by a builder for data it leaves to ``from_dict``."""


def to_model(cls: type[T], data: Any) -> T:
    """``cls.from_dict(data)``, the same object or the same exception, built faster."""
    result: T = _builder(cls)(data)
    return result


def _builder(cls: type) -> Callable[[Any], Any]:
    builder = _BUILDERS.get(cls)
    if builder is None:
        builder = _BUILDERS[cls] = _compile(cls)
    return builder


def _resolve(name: str) -> Any:
    return getattr(models, name, None)


def _split_union(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _literal(text: str) -> tuple[bool, Any]:
    if text.startswith("Literal[") and text.endswith("]"):
        try:
            return True, ast.literal_eval(text[len("Literal[") : -1])
        except (ValueError, SyntaxError):
            return False, None
    return False, None


def _discriminated(names: list[str]) -> tuple[str, dict[Any, type]] | None:
    """The wire key and value -> class table of a union of models told apart by one ``Literal`` field."""
    classes = [_resolve(n) for n in names]
    if not all(isinstance(c, type) and attrs.has(c) for c in classes):
        return None
    candidates: set[str] | None = None
    for cls in classes:
        own = {f.name for f in attrs.fields(cls) if _literal(str(f.type))[0]}
        candidates = own if candidates is None else candidates & own
    for attr in sorted(candidates or ()):
        table: dict[Any, type] = {}
        for cls in classes:
            value = _literal(str(attrs.fields_dict(cls)[attr].type))[1]
            if value in table or type(value) not in (str, int):
                break
            table[value] = cls
        else:
            return _WIRE.get(attr, attr), table
    return None


def _convert(attr: str, text: str, names: dict[str, Any]) -> str | None:
    """An expression turning the wire value ``v`` into the field's value (as ``from_dict`` does for a
    present value of annotation ``text``), or None when the field is beyond the compiler."""
    is_literal, value = _literal(text)
    if is_literal:
        names[f"L_{attr}"] = value
        return f"v if v == L_{attr} else unhandled()"
    if all(_PLAIN.match(part) for part in _split_union(text)):
        return "v"
    target = _resolve(text)
    if isinstance(target, type) and issubclass(target, enum.Enum):
        names[f"E_{attr}"] = target
        return f"E_{attr}(v)"
    if isinstance(target, type) and attrs.has(target):
        names[f"B_{attr}"] = _LazyBuilder(target)
        return f"B_{attr}(v)"
    if text.startswith("list[") and text.endswith("]"):
        inner = _split_union(text[5:-1])
        if len(inner) == 1:
            item = _resolve(inner[0])
            if isinstance(item, type) and attrs.has(item):
                names[f"B_{attr}"] = _LazyBuilder(item)
                return f"[B_{attr}(x) for x in v]"
            return None
        found = _discriminated(inner)
        if found is not None:
            key, table = found
            names[f"T_{attr}"] = {value: _LazyBuilder(cls) for value, cls in table.items()}
            return f"[dispatch(T_{attr}, {key!r}, x) for x in v]"
    return None


class _LazyBuilder:
    """The builder of a class compiled on first use (models refer to each other in cycles)."""

    __slots__ = ("cls", "fn")

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.fn: Callable[[Any], Any] | None = None

    def __call__(self, data: Any) -> Any:
        fn = self.fn
        if fn is None:
            fn = self.fn = _builder(self.cls)
        return fn(data)


def _unhandled() -> Any:
    raise _Unhandled


def _dispatch(table: Mapping[Any, Callable[[Any], Any]], key: str, data: Any) -> Any:
    if type(data) is not dict:
        raise _Unhandled
    builder = table.get(data.get(key))
    if builder is None:
        raise _Unhandled
    return builder(data)


def _compile(cls: type) -> Callable[[Any], Any]:
    from_dict: Callable[[Any], Any] = getattr(cls, "from_dict")  # noqa: B009 - every generated model has it
    fields = [f for f in attrs.fields(cls) if f.name != "additional_properties"]
    if len(fields) == len(attrs.fields(cls)) or not all(f.name.isidentifier() for f in fields):
        return from_dict
    names: dict[str, Any] = {}
    body: list[str] = []
    args: list[str] = []
    known: list[str] = []
    for f in fields:
        wire = _WIRE.get(f.name, f.name)
        text = str(f.type)
        optional = text.endswith(_UNSET_SUFFIX)
        if optional:
            text = text[: -len(_UNSET_SUFFIX)]
        if optional and text.startswith("Literal["):
            return from_dict  # no model has one; how from_dict would treat it is left unguessed
        expr = _convert(f.name, text, names)
        if expr is None:
            return from_dict
        if not optional:
            body.append(f"v = src[{wire!r}]")
        elif expr == "v":
            body.append(f"v = src.get({wire!r}, UNSET)")
        else:
            body += [f"v = src.get({wire!r}, UNSET)", f"if v is not UNSET: v = {expr}"]
            expr = "v"
        body.append(f"a_{f.name} = {expr}")
        args.append(f"{f.name}=a_{f.name}")
        known.append(wire)
    if not body:
        body.append("pass")
    lines = [
        "def build(src):",
        "    if type(src) is not dict:",
        "        return from_dict(src)",
        "    try:",
        *(f"        {line}" for line in body),
        "    except (UNHANDLED, KeyError, TypeError, ValueError, AttributeError):",
        "        return from_dict(src)",
        f"    obj = cls({', '.join(args)})",
        "    if src.keys() <= KNOWN:",
        "        obj.additional_properties = {}",
        "    else:",
        "        obj.additional_properties = {k: x for k, x in src.items() if k not in KNOWN}",
        "    return obj",
    ]
    namespace: dict[str, Any] = {
        **names,
        "cls": cls,
        "from_dict": from_dict,
        "UNSET": UNSET,
        "UNHANDLED": _Unhandled,
        "KNOWN": frozenset(known),
        "dispatch": _dispatch,
        "unhandled": _unhandled,
    }
    exec("\n".join(lines), namespace)  # noqa: S102 - source built from the class's own attrs fields
    build: Callable[[Any], Any] = namespace["build"]
    return build
