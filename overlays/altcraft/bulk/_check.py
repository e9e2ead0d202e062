"""A dry run: every row checked as ``bulk_import`` would check it, nothing sent, no journal."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Unpack

from .._requests import encode_body
from .._validate import check
from ._core import ImportCore
from ._report import RowResult
from ._rows import Chunk
from ._run import DEFAULT_MAX_ITEMS, ImportOptions
from ._target import TargetArgs

__all__ = ["RowCheck", "RowWarning", "check_rows"]

_ITEM = re.compile(r"^data\[(\d+)\](?:\.(.*))?$")


@dataclass(frozen=True)
class RowWarning:
    """A rule the pages do not state (an assumption, a likely typo of a profile field) that a row breaks:
    the row is sent as written. ``row`` is the 1-based input row, or 0 for the import's own parameters."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field} {self.message}" if self.row else f"{self.field} {self.message}"


class RowCheck:
    """The rows of an import checked locally, as an iterator of the rejected rows (in row order).

    ``rows`` (rows read), ``rejected``, ``chunks`` (the requests the rows would make) and ``bytes``
    (their bodies as encoded in the client's format, the token left out) are final once the iterator is
    exhausted.
    """

    def __init__(self, core: ImportCore, rows: Iterable[Any]) -> None:
        self._core = core
        self._rows = rows
        self.rows = 0
        self.rejected = 0
        self.chunks = 0
        self.bytes = 0
        self.warnings: list[RowWarning] = []  # in row order, final once the iterator is exhausted
        self._root_warned = False

    def __iter__(self) -> Iterator[RowResult]:
        for chunk in self._core.plan(self._rows):
            self.chunks += bool(chunk.items)
            self.bytes += self._size(chunk)
            self.rows = self._core.rows_read
            for row, field, reason in chunk.local:
                self.rejected += 1
                yield RowResult(row, "rejected", None, f"refused before sending: {reason}", field)
            self._warn(chunk)
        self.rows = self._core.rows_read

    def _size(self, chunk: Chunk) -> int:
        """The bytes of the chunk's request body, as the client would encode it (without the token)."""
        if not chunk.items:
            return 0
        target = self._core.target
        return len(encode_body(target.operation, chunk.body(target), self._core.format))

    def _warn(self, chunk: Chunk) -> None:
        """The warnings of the chunk's rows to send, as `validate` gives them: one check of the chunk's
        request, and only where it warns about its items, one check per item (the chunk's check says
        "and in N more item(s)" where a row report names each row)."""
        if not chunk.items:
            return
        refused = {row for row, _, _ in chunk.local}
        numbers = [n for n in range(chunk.first_row, chunk.first_row + chunk.row_count) if n not in refused]
        target = self._core.target
        _, warned = check(target.operation, chunk.body(target))
        if target.per_row:
            self.warnings += [RowWarning(numbers[0], p.field, p.message) for p in warned]
            return
        if not self._root_warned:  # the import's own parameters: said once, not per chunk
            self.warnings += [RowWarning(0, p.field, p.message) for p in warned if not _ITEM.match(p.field)]
            self._root_warned = True
        if not any(_ITEM.match(p.field) for p in warned):
            return
        for number, item in zip(numbers, chunk.items, strict=True):
            _, own = check(target.operation, {**target.root, "data": [item]})
            for problem in own:
                m = _ITEM.match(problem.field)
                if m is not None:
                    self.warnings.append(RowWarning(number, m.group(2) or "row", problem.message))


def check_rows(
    rows: Iterable[Mapping[str, Any] | Any],
    *,
    format: str = "json",
    max_items: int = DEFAULT_MAX_ITEMS,
    max_bytes: int | None = None,
    **target: Unpack[TargetArgs],
) -> RowCheck:
    """Check ``rows`` as :func:`bulk_import` with the same arguments would, without sending anything.

    Iterate the result for the rows refused locally (validation against openapi.yaml, the size of a
    row in ``format``); a problem in the import's own parameters raises :class:`altcraft.InvalidInput`
    at the first row. No client, no token, no journal.
    """
    kwargs: dict[str, Any] = {} if max_bytes is None else {"max_bytes": max_bytes}
    return RowCheck(ImportCore(ImportOptions(**target).target(), format=format, max_items=max_items, **kwargs), rows)
