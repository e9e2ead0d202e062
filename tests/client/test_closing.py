"""Closing a client closes its own connection pool and worker threads, never a pool passed in."""

from __future__ import annotations

import httpx
import pytest
from altcraft import (
    Altcraft,
    AsyncAltcraft,
)

from ..conftest import BASE, TOKEN
from .fakes import IMPORTED, PROFILE, answer


def test_the_sync_client_closes_its_workers_and_only_its_own_pool() -> None:
    http = httpx.Client(transport=httpx.MockTransport(answer(200, IMPORTED)))
    with Altcraft(BASE, TOKEN, http_client=http) as c:
        c.import_profile(PROFILE, timeout=5.0)
        workers = c._runner._workers
        assert workers is not None and c._runner._pool() is workers
    assert not http.is_closed
    with pytest.raises(RuntimeError):
        workers.submit(print)
    own = Altcraft(BASE, TOKEN, transport=httpx.MockTransport(answer(200, IMPORTED)))
    own.close()
    assert own._http.is_closed


async def test_the_async_client_closes_only_its_own_pool() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer(200, IMPORTED)))
    async with AsyncAltcraft(BASE, TOKEN, http_client=http) as c:
        assert (await c.import_profile(PROFILE)).profile_id == "42"
    assert not http.is_closed
    own = AsyncAltcraft(BASE, TOKEN, transport=httpx.MockTransport(answer(200, IMPORTED)))
    await own.aclose()
    assert own._http.is_closed
    await http.aclose()
