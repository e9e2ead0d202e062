"""An in-process httpx transport to the emulator, for fast tests without a socket."""

from __future__ import annotations

import httpx

from ._app import ConnectionDropped, MockApp

__all__ = ["transport"]


class _MockTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: MockApp) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionDropped as exc:
            # What a client sees when a server closes the connection mid-response.
            raise httpx.RemoteProtocolError(str(exc), request=request) from None


class _SyncMockTransport(httpx.BaseTransport):
    """Runs the ASGI app on a private event loop, so sync clients can use it too."""

    def __init__(self, app: MockApp) -> None:
        import asyncio

        self._async = _MockTransport(app)
        self._loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            body = request.read()
            async_request = httpx.Request(
                request.method, request.url, headers=request.headers, content=body, extensions=request.extensions
            )
            response = await self._async.handle_async_request(async_request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

        return self._loop.run_until_complete(call())

    def close(self) -> None:
        self._loop.close()


class _DualTransport(_SyncMockTransport, httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._async.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)

    async def aclose(self) -> None:
        self.close()


def transport(app: MockApp) -> _DualTransport:
    """An httpx transport (sync and async) that sends requests straight to ``app``."""
    return _DualTransport(app)
