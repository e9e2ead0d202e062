"""A dry run: every row checked as ``bulk_import`` would check it, nothing sent, no journal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ._core import ImportCore, make_target
from ._report import RowResult
from ._run import DEFAULT_MAX_ITEMS

__all__ = ["RowCheck", "check_rows"]


class RowCheck:
    """The rows of an import checked locally, as an iterator of the rejected rows (in row order).

    ``rows`` (rows read), ``rejected`` and ``chunks`` (the requests the rows would make) are final
    once the iterator is exhausted.
    """

    def __init__(self, core: ImportCore, rows: Iterable[Any]) -> None:
        self._core = core
        self._rows = rows
        self.rows = 0
        self.rejected = 0
        self.chunks = 0

    def __iter__(self) -> Iterator[RowResult]:
        for chunk in self._core.plan(self._rows):
            self.chunks += bool(chunk.items)
            self.rows = self._core.rows_read
            for row, field, reason in chunk.local:
                self.rejected += 1
                yield RowResult(row, "rejected", None, f"refused before sending: {reason}", field)
        self.rows = self._core.rows_read


def check_rows(
    rows: Iterable[Mapping[str, Any] | Any],
    *,
    trigger_id: int | None = None,
    workflow_id: int | None = None,
    db_id: int | None = None,
    task: bool = True,
    matching: str | None = None,
    params: Mapping[str, Any] | None = None,
    format: str = "json",
    max_items: int = DEFAULT_MAX_ITEMS,
    max_bytes: int | None = None,
) -> RowCheck:
    """Check ``rows`` as :func:`bulk_import` with the same arguments would, without sending anything.

    Iterate the result for the rows refused locally (validation against openapi.yaml, the size of a
    row in ``format``); a problem in the import's own parameters raises :class:`altcraft.InvalidInput`
    at the first row. No client, no token, no journal.
    """
    target = make_target(
        trigger_id=trigger_id, workflow_id=workflow_id, db_id=db_id, task=task, matching=matching, params=params
    )
    kwargs: dict[str, Any] = {} if max_bytes is None else {"max_bytes": max_bytes}
    return RowCheck(ImportCore(target, format=format, max_items=max_items, **kwargs), rows)
