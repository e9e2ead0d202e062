"""At most ``concurrency`` requests are in flight at once, counted where they arrive (the transport).

Issue 24's seeded fault this kills: the run loop's ``while core.in_flight >= concurrency`` letting one
more request go (``concurrency + 1``). The transport holds every request it receives until no more can
come, then answers them all, so the peak it counts is the most the import lets out:

* async: single-threaded and without I/O, so "no more can come" is exact: the event loop went many
  rounds with nothing new arriving (the import is blocked waiting for an answer). No clock is read.
* sync: the requests are held until ``concurrency`` of them are there. The shell's sender pool has
  ``concurrency`` threads, so it bounds the requests a second time; this test fails if both bounds go.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import orjson
import pytest
from altcraft import Altcraft, AsyncAltcraft
from altcraft.bulk import abulk_import, bulk_import
from altcraft_mock import DEFAULT_TOKEN

BASE = "http://altcraft.test"
CHUNK = 5
QUIET_ROUNDS = 500  # event-loop rounds with no new arrival: every request that can leave has arrived


def rows(n: int) -> list[dict[str, Any]]:
    return [{"data": {"email": f"r{i}@bound.test"}} for i in range(1, n + 1)]


def answer(request: httpx.Request) -> httpx.Response:
    emails = [item["data"]["email"] for item in orjson.loads(request.content)["data"]]
    result = [{"profile_id": f"id-{e}"} for e in emails]
    return httpx.Response(200, json={"error": 0, "error_text": "Successful", "result": result})


class AsyncGate(httpx.AsyncBaseTransport):
    """Holds each request until :meth:`release`; counts the requests in flight here and their peak."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.arrived = 0
        self.held: list[asyncio.Future[None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.arrived += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            released = asyncio.get_running_loop().create_future()
            self.held.append(released)
            await released
            return answer(request)
        finally:
            self.in_flight -= 1

    async def keep(self, done: asyncio.Event) -> None:
        """Release the held requests whenever nothing new has arrived for QUIET_ROUNDS rounds."""
        quiet, last = 0, -1
        while not done.is_set():
            await asyncio.sleep(0)
            quiet = quiet + 1 if self.arrived == last else 0
            last = self.arrived
            if quiet >= QUIET_ROUNDS and self.held:
                held, self.held = self.held, []
                for f in held:
                    f.set_result(None)
                quiet = 0


@pytest.mark.parametrize("concurrency", [1, 3, 4])
def test_async_at_most_concurrency_requests_are_in_flight(concurrency: int) -> None:
    gate = AsyncGate()
    n = CHUNK * concurrency * 3 + 2  # three full rounds and a short chunk

    async def go() -> Any:
        done = asyncio.Event()
        keeper = asyncio.create_task(gate.keep(done))
        try:
            async with AsyncAltcraft(BASE, DEFAULT_TOKEN, transport=gate) as client:
                return await abulk_import(
                    client, rows(n), trigger_id=13, task=False, max_items=CHUNK, concurrency=concurrency
                )
        finally:
            done.set()
            await keeper

    report = asyncio.run(go())
    try:
        assert report.imported == n and report.complete
    finally:
        report.close()
    assert gate.arrived == -(-n // CHUNK)
    assert gate.peak == concurrency  # reached (the bound is used), never passed


class SyncGate:
    """Holds the requests until ``concurrency`` are there, then answers them; counts the peak."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self.in_flight = 0
        self.peak = 0
        self.arrived = 0
        self.cond = threading.Condition()
        self.round = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.cond:
            self.arrived += 1
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            mine = self.round
            if self.in_flight >= self.concurrency:
                self.round += 1
                self.cond.notify_all()
            else:
                # Bounded only so that a broken import cannot hang the suite; nothing is asserted on time.
                self.cond.wait_for(lambda: self.round != mine, timeout=30)
        try:
            return answer(request)
        finally:
            with self.cond:
                self.in_flight -= 1


@pytest.mark.parametrize("concurrency", [1, 3, 4])
def test_sync_at_most_concurrency_requests_are_in_flight(concurrency: int) -> None:
    gate = SyncGate(concurrency)
    n = CHUNK * concurrency * 3  # whole rounds: the last requests are not held waiting for more
    with Altcraft(BASE, DEFAULT_TOKEN, transport=httpx.MockTransport(gate)) as client:
        report = bulk_import(client, rows(n), trigger_id=13, task=False, max_items=CHUNK, concurrency=concurrency)
    try:
        assert report.imported == n and report.complete
    finally:
        report.close()
    assert gate.arrived == n // CHUNK
    assert gate.peak == concurrency
