"""JSON-shaped data to generated models, fast, with the generated ``from_dict`` as the reference.

The generated ``from_dict`` copies every mapping, defines helpers per item and resolves ``oneOf`` unions by
trying each variant behind ``try``/``except``: for 10,000-profile bodies that costs more than reading them.
:func:`to_model` uses the builder ``scripts/generate`` writes per model into ``altcraft_api.converters``:
scalars pass through as in ``from_dict``, enums and nested models are built, and a union whose variants
carry distinct ``Literal`` discriminators (the subscription ``channel``) is dispatched by that value.

When the data is not what that fast path expects (a missing required key, a wrong type, an unknown
discriminator, a mapping that is not a ``dict``), the whole object goes to the generated ``from_dict``, so
the result or the exception is exactly the generated one. A class without a builder gets its own ``from_dict``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from altcraft_api.converters import BUILDERS

__all__ = ["to_model"]

T = TypeVar("T")


def to_model(cls: type[T], data: Any) -> T:
    """``cls.from_dict(data)``, the same object or the same exception, built faster."""
    result: T = _builder(cls)(data)
    return result


def _builder(cls: type) -> Callable[[Any], Any]:
    """The generated builder of ``cls``, or its ``from_dict`` when it has none."""
    builder = BUILDERS.get(cls)
    if builder is None:
        builder = getattr(cls, "from_dict")  # noqa: B009 - a class without a builder, typed only by use
    return builder
