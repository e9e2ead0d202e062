"""Generated models and plain mappings to JSON-ready data, fast.

The generated ``to_dict`` builds each model field by field through generic helpers; for 10,000-profile
batches this dispatches to the converters ``scripts/generate`` writes for each model into
``altcraft_api.converters`` (attribute -> wire name written out, unset fields left out) instead, and
lets orjson write the bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import orjson
from altcraft_api.converters import DUMPERS, dump_attrs, to_plain
from altcraft_api.types import Unset

__all__ = ["dumps", "is_model", "leaves", "to_plain"]


def is_model(value: object) -> bool:
    """Whether ``value`` is an instance of a generated (attrs) model."""
    return attrs.has(type(value))


def _default(value: Any) -> Any:
    dump = DUMPERS.get(type(value))
    if dump is not None:
        return dump(value)
    if attrs.has(type(value)):
        return dump_attrs(value)
    if isinstance(value, Unset):
        return None
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot send a value of type {type(value).__name__}")


def dumps(body: Any) -> bytes:
    """JSON bytes of a mapping or model; nested models are converted as orjson meets them."""
    return orjson.dumps(body, default=_default)


def leaves(value: Any, path: str = "", *, keys: bool = False) -> Iterator[tuple[str, Any]]:
    """Every leaf of a JSON-shaped value with its path (``data.tags[0]``), depth first.

    With ``keys``, each mapping key is yielded too, at its mapping's path. For error paths, which look
    for the first bad leaf.
    """
    if isinstance(value, Mapping):
        for key, sub in value.items():
            if keys:
                yield path, key
            yield from leaves(sub, f"{path}.{key}" if path else str(key), keys=keys)
    elif isinstance(value, list | tuple):
        for i, sub in enumerate(value):
            yield from leaves(sub, f"{path}[{i}]", keys=keys)
    else:
        yield path, value
