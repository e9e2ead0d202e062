"""What the emulator's injected faults did to each chunk of a bulk import, read from its journal.

Shared by tests/bulk/test_live.py and tests/cli/test_import.py: a chunk left *unknown* by a dropped
connection was processed whole; one answered 503 was not processed at all; a chunk killed in flight was
processed whole or not at all; an *unconfirmed* chunk holds an item the server skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Faults:
    dropped_rows: set[int] = field(default_factory=set)
    failed_rows: set[int] = field(default_factory=set)
    unconfirmed_rows: set[int] = field(default_factory=set)
    dropped: int = 0
    failed: int = 0


def account(
    chunks: Iterable[tuple[int, int, int, str, str | None]],
    launched_rows: set[int],
    *,
    bad_every: int,
    server_fails_every: int,
) -> Faults:
    """Check each unsettled chunk against what the emulator launched; the rows of each kind of fault."""
    faults = Faults()
    for first, count, _sent, chunk_state, reason in chunks:
        sent = {i for i in range(first, first + count) if i % bad_every}
        if chunk_state == "unknown":
            assert reason is not None
            if reason.startswith("no answer") or reason.startswith("interrupted while sending"):
                faults.dropped += 1
                processed = {i for i in sent if i % server_fails_every}
                if reason.startswith("no answer"):
                    assert processed <= launched_rows, "a dropped request was not processed"
                elif not processed <= launched_rows:
                    assert not processed & launched_rows, "a killed request was processed in part"
                    faults.failed_rows |= sent
                    continue
                faults.dropped_rows |= sent
            else:
                assert "503" in reason, reason
                faults.failed += 1
                assert not sent & launched_rows, "a request answered 503 was processed"
                faults.failed_rows |= sent
        elif chunk_state == "unconfirmed":
            assert any(i % server_fails_every == 0 for i in sent), "unconfirmed without a failing item"
            faults.unconfirmed_rows |= sent
    return faults
