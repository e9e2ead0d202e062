"""wait_task's ``cancel`` is the client's own kind of event; any other is refused at once, naming ``cancel``."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from altcraft import Altcraft, AsyncAltcraft, InvalidInput

from ..conftest import BASE, TOKEN


def _never(request: httpx.Request) -> httpx.Response:
    raise AssertionError("no status request may be sent")


def test_the_sync_wait_refuses_an_asyncio_event() -> None:
    client = Altcraft(BASE, TOKEN, transport=httpx.MockTransport(_never))
    with pytest.raises(InvalidInput, match=r"^cancel: a threading.Event is required, not Event$") as caught:
        client.wait_task("t-1", timeout=1, cancel=asyncio.Event())  # type: ignore[arg-type]
    assert caught.value.field == "cancel"
    client.close()


def test_the_async_wait_refuses_a_threading_event_at_once() -> None:
    async def main() -> None:
        async with AsyncAltcraft(BASE, TOKEN, transport=httpx.MockTransport(_never)) as client:
            with pytest.raises(InvalidInput, match=r"^cancel: an asyncio.Event is required, not Event$") as caught:
                await asyncio.wait_for(client.wait_task("t-1", timeout=1, cancel=threading.Event()), 2)  # type: ignore[arg-type]
            assert caught.value.field == "cancel"
            handle_cancel = object()
            with pytest.raises(InvalidInput, match="not object"):
                await client.wait_task("t-1", timeout=1, cancel=handle_cancel)  # type: ignore[arg-type]

    asyncio.run(main())
