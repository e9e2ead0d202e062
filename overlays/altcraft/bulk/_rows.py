"""Rows into chunks: each row checked, converted and encoded once, chunks within the documented limits."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from .._errors import (
    InvalidInput,
    Problem,
)
from .._limits import item_size
from .._serialize import dumps, to_plain
from .._validate import check
from ._target import Target

__all__ = ["BLOCK_ROWS", "Chunk", "ChunkBuilder", "Unreadable", "plain_block", "plain_row"]


@dataclass
class Chunk:
    """Rows ``first_row .. first_row + row_count - 1``; ``items`` are those sent, ``local`` those refused here."""

    id: int
    first_row: int
    row_count: int
    items: list[dict[str, Any]]
    local: list[tuple[int, str, str]]
    digest: bytes
    resend: bool = False

    @property
    def sent_count(self) -> int:
        return len(self.items)

    def body(self, target: Target) -> dict[str, Any]:
        """The request body of this chunk."""
        if target.per_row:
            return {**self.items[0], **target.root}
        return {**target.root, "data": self.items}


@dataclass(frozen=True)
class Unreadable:
    """An input row its reader could not turn into a row (e.g. a line that is not JSON).

    It is rejected locally with ``field`` and ``reason``, like a row that fails validation; ``raw`` (its
    bytes as read) goes into the chunk's digest, so a resume still checks it is the same input.
    """

    raw: bytes
    reason: str
    field: str = "row"


BLOCK_ROWS = 512  # rows read and placed together by ImportCore._new_chunks


def plain_block(block: list[Any], max_bytes: int) -> tuple[memoryview, list[int]] | None:
    """The JSON of the rows of ``block``, each followed by a newline (the bytes ``plain_row`` gives a row, as the
    digest reads them), and the offset where each row's newline ends, when every row is a plain object
    that encodes to fewer than ``max_bytes`` (its size in a chunk, plus a comma: ``ends[i] - ends[i - 1]``);
    else None (the block is placed row by row).

    Each row's bytes are appended and dropped at once: keeping one ``bytes`` object per row alive costs
    several times the encoding itself (the allocator's work for a thousand live KiB-sized buffers).
    """
    if set(map(type, block)) != {dict}:
        return None
    joined = bytearray()
    ends: list[int] = []
    dumps = orjson.dumps
    end = ends.append
    try:
        for row in block:
            joined += dumps(row)
            joined += b"\n"
            end(len(joined))
    except orjson.JSONEncodeError:
        return None
    if max(map(operator.sub, ends, [0, *ends[:-1]])) > max_bytes:
        return None
    return memoryview(joined), ends


def plain_row(raw: Any) -> tuple[Any, bytes]:
    """A row as JSON-shaped data and its bytes (for the digest, and the size in JSON)."""
    if isinstance(raw, Unreadable):
        return raw, raw.raw
    try:
        plain = to_plain(raw)
        return plain, dumps(plain)
    except (TypeError, orjson.JSONEncodeError):
        return None, repr(raw).encode("utf-8", "replace")
    except RecursionError:  # repr() would recurse as deep: the row is refused as "cannot be encoded"
        return None, b"<a row nested too deeply to encode>"


class ChunkBuilder:
    """Checks rows one by one: validation per row, and each item's size in the encoding sent."""

    def __init__(self, target: Target, format: str, max_items: int, max_bytes: int) -> None:
        self.target = target
        self.max_items = 1 if target.per_row else max_items
        root_size = len(dumps(dict(target.root))) + 64  # plus "data":[...] and the token
        self.max_bytes = max_bytes - root_size
        if self.max_bytes < 1024:
            raise InvalidInput("bulk_import: max_bytes leaves no room for rows", field="max_bytes")
        self.json = format == "json"
        self.size_of: Callable[[Any], int] = item_size(format)
        # With plain rows (see ImportCore), batches in JSON are checked a chunk at a time (one validation
        # of the chunk's body); only a chunk that fails is checked again row by row, to find its bad rows.
        self.by_chunk = False

    def chunk_valid(self, items: list[dict[str, Any]]) -> bool:
        """Whether every item of a chunk passes (the chunk's body has no refusal).

        Sound because the batch schemas constrain items one by one (the chunk holds at most the
        documented maximum of items); a chunk that fails is checked again row by row.
        """
        refusals, _ = check(self.target.operation, {**self.target.root, "data": items})
        return not refusals

    def accept(self, plain: Any, encoded: bytes) -> tuple[dict[str, Any] | None, tuple[str, str] | None, int]:
        """(item, None, size) for a row to send, or (None, (field, reason), 0) for one refused here."""
        if plain is None:  # a JSON null, or a row plain_row could not encode
            return (
                None,
                ("row", "must be an object, not null" if encoded == b"null" else "cannot be encoded as JSON"),
                0,
            )
        if isinstance(plain, Unreadable):
            return None, (plain.field, plain.reason), 0
        if not isinstance(plain, dict):
            return None, ("row", f"must be an object, not {type(plain).__name__}"), 0
        if self.target.per_row:
            clash = sorted(set(plain) & set(self.target.root))
            if clash:
                return None, (clash[0], "is set for the whole import; a row must not set it"), 0
            body: dict[str, Any] = {**plain, **self.target.root}
            prefix = ""
        else:
            body = {**self.target.root, "data": [plain]}
            prefix = "data[0]"
        refusals, _ = check(self.target.operation, body)
        if refusals:
            self._root_problems(refusals, prefix)
            reason = "; ".join(f"{_field(p, prefix)} {p.message}" for p in refusals[:5])
            return None, (_field(refusals[0], prefix), reason), 0
        # (the chunk fast path in ImportCore._new_chunks relies on: valid as a chunk => valid row by row)
        if self.target.per_row:
            return plain, None, 0
        try:
            size = (len(encoded) if self.json else self.size_of(plain)) + 1
        except InvalidInput as exc:  # a key or a value this format cannot carry (XML: a name with a space)
            where = (exc.field or "row").removeprefix("data.")
            return None, (where, str(exc).split(": ", 1)[-1]), 0
        if size > self.max_bytes:
            return None, ("row", f"encodes to {size} bytes, over the {self.max_bytes}-byte room of one request"), 0
        return plain, None, size

    def _root_problems(self, refusals: list[Problem], prefix: str) -> None:
        """A problem in the import's own parameters refuses the whole import, before anything is sent."""
        if prefix:
            root = [p for p in refusals if not p.field.startswith(prefix)]
        else:
            root = [p for p in refusals if p.field.split(".", 1)[0].split("[", 1)[0] in self.target.root]
        if root:
            first = root[0]
            raise InvalidInput(
                f"{self.target.operation}: {first.field} {first.message}",
                field=first.field,
                problems=tuple(root),
                operation=self.target.operation,
            )


def _field(problem: Problem, prefix: str) -> str:
    if prefix and problem.field.startswith(prefix):
        return problem.field[len(prefix) :].lstrip(".") or "row"
    return problem.field


# -- outcomes --------------------------------------------------------------------------------------------------
