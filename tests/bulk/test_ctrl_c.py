"""Ctrl-C in a sync bulk import: noted, acted on between steps; only one after the first was acted on gives up."""

from __future__ import annotations

import pytest
from altcraft._concurrency import SyncCrew


def test_a_second_ctrl_c_before_the_first_was_acted_on_is_noted_not_raised() -> None:
    crew: SyncCrew[str] = SyncCrew(1, wake="wake")
    crew._on_sigint(2, None)
    crew._on_sigint(2, None)  # quick double Ctrl-C: raising here could drop an event the run waits for
    assert crew.sigint and list(crew.ready()) == ["wake", "wake"]
    with pytest.raises(KeyboardInterrupt):
        crew.check_interrupt()  # acted on between two steps
    crew.cancel()  # the run's interrupt begins: in-flight requests settle
    crew.check_interrupt()  # no second raise of the same Ctrl-C
    with pytest.raises(KeyboardInterrupt):
        crew._on_sigint(2, None)  # a Ctrl-C during the settling: give up on the requests in flight
    crew.senders.shutdown()
    crew.waiters.shutdown()
