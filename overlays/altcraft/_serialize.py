"""Generated models and plain mappings to JSON-ready data, fast.

The generated ``to_dict`` builds each model field by field through generic helpers; for 10,000-profile
batches this walks attrs classes with a per-class plan (attribute -> wire name, from ``spec_data``)
instead, and lets orjson write the bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

import attrs
import orjson
from altcraft_api.spec_data import SPEC_DATA
from altcraft_api.types import Unset

__all__ = ["dumps", "is_model", "to_plain"]

_WIRE: Mapping[str, str] = SPEC_DATA["wire_names"]
_SCALARS = frozenset({str, int, float, bool, type(None)})
_CONVERTERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def is_model(value: object) -> bool:
    """Whether ``value`` is an instance of a generated (attrs) model."""
    return attrs.has(type(value))


def _plan(cls: type) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, _WIRE.get(f.name, f.name)) for f in attrs.fields(cls) if f.name != "additional_properties")


def _compile(cls: type) -> Callable[[Any], dict[str, Any]]:
    """A converter for one model class, written out field by field (no per-field loop at run time)."""
    lines = [
        "def convert(obj):",
        "    out = {}",
        "    extra = getattr(obj, 'additional_properties', None)",
        "    if extra:",
        "        for key, value in extra.items():",
        "            out[key] = value if type(value) in SCALARS else to_plain(value)",
    ]
    for attr, wire in _plan(cls):
        if not attr.isidentifier():
            raise TypeError(f"{cls.__name__}.{attr} is not an identifier")
        lines += [
            f"    value = obj.{attr}",
            "    kind = type(value)",
            "    if kind in SCALARS:",
            f"        out[{wire!r}] = value",
            "    elif kind is not UNSET_TYPE:",
            f"        out[{wire!r}] = to_plain(value)",
        ]
    lines.append("    return out")
    namespace: dict[str, Any] = {"SCALARS": _SCALARS, "UNSET_TYPE": Unset, "to_plain": to_plain}
    exec("\n".join(lines), namespace)  # noqa: S102 - source built from the class's own attrs field names
    convert: Callable[[Any], dict[str, Any]] = namespace["convert"]
    return convert


def _model(obj: Any) -> dict[str, Any]:
    kind = type(obj)
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _compile(kind)
    return convert(obj)


def to_plain(value: Any) -> Any:
    """``value`` with every generated model, enum and tuple turned into dicts, values and lists."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    convert = _CONVERTERS.get(kind)
    if convert is not None:
        return convert(value)
    if kind is dict or isinstance(value, Mapping):
        return {k: v if type(v) in _SCALARS else to_plain(v) for k, v in value.items() if not isinstance(v, Unset)}
    if kind is list or kind is tuple:
        return [v if type(v) in _SCALARS else to_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if attrs.has(kind):
        return _model(value)
    raise TypeError(f"cannot send a value of type {kind.__name__}")


def _default(value: Any) -> Any:
    if attrs.has(type(value)):
        return _model(value)
    if isinstance(value, Unset):
        return None
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot send a value of type {type(value).__name__}")


def dumps(body: Any) -> bytes:
    """JSON bytes of a mapping or model; nested models are converted as orjson meets them."""
    return orjson.dumps(body, default=_default)
