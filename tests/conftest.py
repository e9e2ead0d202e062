"""Shared fixtures: the emulator in-process (fast) and as a real process (integration, contract)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from altcraft import Altcraft, AsyncAltcraft
from altcraft_mock import DEFAULT_TOKEN, MockApp, MockConfig, MockProcess, create_app, transport

from .spec_tools import DOCS_SKIP

TOKEN = DEFAULT_TOKEN
BASE = "http://altcraft.test"


class FakeClock:
    """A clock that only moves when something sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> MockApp:
    return create_app(MockConfig(task_seconds=2.0, seed=7), clock=clock)


@pytest.fixture
def client(app: MockApp, clock: FakeClock) -> Iterator[Altcraft]:
    with Altcraft(BASE, TOKEN, transport=transport(app), clock=clock, sleep=clock.sleep) as c:
        yield c


@pytest.fixture
def xml_client(app: MockApp, clock: FakeClock) -> Iterator[Altcraft]:
    with Altcraft(BASE, TOKEN, transport=transport(app), clock=clock, sleep=clock.sleep, format="xml") as c:
        yield c


@pytest.fixture
async def aclient(app: MockApp, clock: FakeClock) -> AsyncAltcraft:
    return AsyncAltcraft(BASE, TOKEN, transport=transport(app), clock=clock, sleep=clock.asleep)


@pytest.fixture(scope="session")
def live_mock() -> Iterator[MockProcess]:
    """altcraft-mock as a real process on a free loopback port, for the whole session."""
    with MockProcess(task_seconds=0.5, seed=1) as mock:
        yield mock


def _skipped_for_pages(terminalreporter: pytest.TerminalReporter) -> int:
    count = 0
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        count += DOCS_SKIP in str(reason)
    return count


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many tests were skipped for want of the doc pages: in the summary, and in the file that
    scripts/test reads to end its output with that one line."""
    count = _skipped_for_pages(terminalreporter)
    line = f"{count} tests skipped: {DOCS_SKIP}; set ALTCRAFT_DOCS_DIR" if count else ""
    if line:
        terminalreporter.write_sep("=", line, yellow=True, bold=True)
    target = os.environ.get("ALTCRAFT_DOCS_SKIP_FILE")
    if target:
        Path(target).write_text(line, encoding="utf-8")
