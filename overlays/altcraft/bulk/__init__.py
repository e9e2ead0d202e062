"""Bulk import: move a large set of profiles into Altcraft and launch a trigger or workflow, resumably.

    from altcraft import Altcraft
    from altcraft.bulk import bulk_import

    rows = ({"data": {"email": f"user{i}@example.com"}} for i in range(50_000))
    with Altcraft("http://127.0.0.1:8080", "abcdefghijklmnqrstuvwxyz") as client:
        report = bulk_import(client, rows, trigger_id=13, journal="import.journal")
    print(report.imported, report.rejected, report.unknown, report.unconfirmed)

Every row ends in exactly one state (imported, rejected, unknown, unconfirmed; pending while a run
is unfinished), recorded in a SQLite journal: an interrupted or crashed import resumes from it without
sending any chunk twice. See :func:`bulk_import`; :func:`check_rows` checks rows without sending them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ._async import abulk_import
from ._check import RowCheck, RowWarning, check_rows
from ._report import ImportReport, RowResult, RowState
from ._rows import Unreadable
from ._run import ImportInterrupted
from ._states import JournalMismatch, Progress
from ._sync import bulk_import

__all__ = [
    "ImportInterrupted",
    "ImportReport",
    "JournalMismatch",
    "Progress",
    "RowCheck",
    "RowResult",
    "RowState",
    "RowWarning",
    "Unreadable",
    "abulk_import",
    "bulk_import",
    "check_rows",
    "file_fingerprint",
]


def file_fingerprint(path: str | os.PathLike[str]) -> str:
    """An ``input_id`` for a file: its size and the SHA-256 of its whole content.

    (Not the modification time: a copied or touched file with the same rows is the same input.)
    """
    h = hashlib.sha256()
    size = 0
    with Path(path).open("rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
            size += len(block)
    return f"size={size};sha256={h.hexdigest()}"
