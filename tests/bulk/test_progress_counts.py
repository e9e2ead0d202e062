"""Progress counts what was sent: ``rows_sent`` is the rows read less the rows refused locally.

Issue 24's seeded fault this kills: ``bulk/_core.py`` counting a chunk's locally refused rows as sent.
The rows refused here are refused before sending (``subscriptions`` is not an array); the transport
counts the rows that really arrive, and the progress must agree with it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest
from altcraft import Altcraft, AsyncAltcraft
from altcraft.bulk import ImportReport, Progress, abulk_import, bulk_import
from altcraft_mock import DEFAULT_TOKEN

BASE = "http://altcraft.test"
N = 95
BAD_EVERY = 7  # 13 rows refused locally; chunk 61-70 holds two of them
CHUNK = 10


def rows() -> list[dict[str, Any]]:
    out = []
    for i in range(1, N + 1):
        data: dict[str, Any] = {"email": f"r{i}@progress.test"}
        if i % BAD_EVERY == 0:
            data["subscriptions"] = i  # not an array: refused before sending
        out.append({"data": data})
    return out


class Server:
    """Answers batch requests (sync mode) and counts the rows that arrive."""

    def __init__(self) -> None:
        self.rows_arrived = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        emails = [item["data"]["email"] for item in orjson.loads(request.content)["data"]]
        self.rows_arrived += len(emails)
        result = [{"profile_id": f"id-{e}"} for e in emails]
        return httpx.Response(200, json={"error": 0, "error_text": "Successful", "result": result})


class AsyncServer(httpx.AsyncBaseTransport):
    def __init__(self, server: Server) -> None:
        self.server = server

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self.server(request)


def run(kind: str, server: Server, on_progress: Any, plain_rows: bool) -> ImportReport:
    kwargs: dict[str, Any] = {
        "trigger_id": 13,
        "task": False,
        "max_items": CHUNK,
        "on_progress": on_progress,
        "plain_rows": plain_rows,
    }
    if kind == "sync":
        with Altcraft(BASE, DEFAULT_TOKEN, transport=httpx.MockTransport(server)) as client:
            return bulk_import(client, rows(), **kwargs)

    async def go() -> ImportReport:
        async with AsyncAltcraft(BASE, DEFAULT_TOKEN, transport=AsyncServer(server)) as client:
            return await abulk_import(client, rows(), **kwargs)

    return asyncio.run(go())


@pytest.mark.parametrize("plain_rows", [False, True], ids=["models", "plain"])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_rows_sent_is_rows_read_less_rows_refused_locally(kind: str, plain_rows: bool) -> None:
    seen: list[Progress] = []
    server = Server()
    report = run(kind, server, seen.append, plain_rows)
    try:
        refused = N // BAD_EVERY
        assert (report.rows, report.rejected, report.imported) == (N, refused, N - refused)
    finally:
        report.close()
    last = seen[-1]
    assert last.rows_read == N and last.rejected == refused
    assert last.rows_sent == N - refused == server.rows_arrived
    # Never ahead of what was read, never behind what arrived once a chunk settled.
    assert all(p.rows_sent <= p.rows_read - p.rejected for p in seen)
