"""The documented request limits, applied before anything is sent."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal, TypeVar

from ._errors import InvalidInput, RequestTooLarge
from ._schema import limits
from ._serialize import dumps

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "RECOMMENDED_ITEMS",
    "check_body_size",
    "check_chunk_limits",
    "chunk_profiles",
    "item_size",
    "warn_if_many",
]

logger = logging.getLogger("altcraft")

T = TypeVar("T")

_BATCH = limits("import_and_start_batch")
# Room left in a chunk for the rest of the request (token, trigger settings, content, attach).
_HEADROOM = 256 * 1024
DEFAULT_CHUNK_BYTES: int = _BATCH["max_body_bytes"] - _HEADROOM
RECOMMENDED_ITEMS: int = _BATCH["recommended_max_profiles_per_request"]


def check_chunk_limits(max_items: int, max_bytes: int, *, bounded_by: str | None = None) -> None:
    """The one check of chunk limits: :class:`InvalidInput` naming the field.

    Both must be positive. ``bounded_by`` (the caller's name, e.g. ``bulk_import``) also holds them to
    the documented batch: at most ``RECOMMENDED_ITEMS`` items and ``DEFAULT_CHUNK_BYTES`` bytes.
    """
    if bounded_by is None:
        if max_items < 1 or max_bytes < 1:
            field = "max_items" if max_items < 1 else "max_bytes"
            raise InvalidInput("max_items and max_bytes must be positive", field=field)
        return
    if not 1 <= max_items <= RECOMMENDED_ITEMS:
        raise InvalidInput(f"{bounded_by}: max_items must be 1..{RECOMMENDED_ITEMS}", field="max_items")
    if not 0 < max_bytes <= DEFAULT_CHUNK_BYTES:
        raise InvalidInput(f"{bounded_by}: max_bytes must be 1..{DEFAULT_CHUNK_BYTES}", field="max_bytes")


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


def check_body_size(operation: str, size: int, *, has_files: bool) -> None:
    """Raise :class:`RequestTooLarge` when ``size`` bytes exceed the operation's documented limit."""
    lim = limits(operation)
    limit = lim["max_body_bytes_with_files"] if has_files else lim["max_body_bytes"]
    if size > limit:
        kind = "with files" if has_files else "without files"
        raise RequestTooLarge(
            f"{operation}: the request body is {size} bytes ({_mib(size)}), over the documented limit of "
            f"{limit} bytes ({_mib(limit)}) {kind}; split the batch with altcraft.chunk_profiles()",
            size=size,
            limit=limit,
            operation=operation,
        )


def warn_if_many(operation: str, count: int) -> None:
    """Log a warning when a batch has more profiles than the docs recommend per request."""
    recommended = limits(operation).get("recommended_max_profiles_per_request")
    if recommended is not None and count > recommended:
        logger.warning(
            "%s: %d profiles in one request; the docs recommend at most %d (see altcraft.chunk_profiles)",
            operation,
            count,
            recommended,
        )


def chunk_profiles(
    items: Iterable[T],
    max_items: int = RECOMMENDED_ITEMS,
    max_bytes: int = DEFAULT_CHUNK_BYTES,
    *,
    format: Literal["json", "xml"] = "json",
) -> Iterator[list[T]]:
    """Split batch items (``{"data": {...}}`` mappings or ``BatchItem`` models) into request-sized lists.

    Each list has at most ``max_items`` items and encodes to at most ``max_bytes`` bytes in ``format``,
    so that a batch request built from it stays within the documented limits. An item that alone is
    larger than ``max_bytes`` raises :class:`RequestTooLarge` naming its position.
    """
    check_chunk_limits(max_items, max_bytes)
    encode = item_size(format)
    batch: list[T] = []
    size = 2
    for index, item in enumerate(items):
        n = encode(item) + 1
        if n + 2 > max_bytes:
            raise RequestTooLarge(
                f"batch item {index} alone encodes to {n} bytes, over max_bytes={max_bytes}", size=n, limit=max_bytes
            )
        if batch and (len(batch) >= max_items or size + n > max_bytes):
            yield batch
            batch, size = [], 2
        batch.append(item)
        size += n
    if batch:
        yield batch


def item_size(format: str) -> Any:
    """A function giving the size in bytes of one batch item encoded in ``format`` ("json" or "xml")."""
    if format == "json":
        return lambda item: len(dumps(item))
    if format == "xml":
        from ._schema import shape
        from ._serialize import to_plain
        from ._xml import encode_item

        item_shape = shape("BatchItem")

        def xml_size(item: Any) -> int:
            return len(encode_item(to_plain(item), item_shape))

        return xml_size
    raise ValueError(f"format must be 'json' or 'xml', not {format!r}")


def has_files(body: Mapping[str, Any]) -> bool:
    """Whether the body attaches files (the 100 MB limit applies then)."""
    return bool(body.get("attach"))
