"""Fakes the client tests share: bodies and answers, clients on an httpx.MockTransport with a fake clock, the
client core with small settings, a transport that fails as scripted and then hands requests to the emulator."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx
from altcraft import (
    Altcraft,
    AsyncAltcraft,
)
from altcraft._protocol import ClientCore
from altcraft._requests import Call
from altcraft_mock import MockApp, transport

from ..conftest import BASE, TOKEN, FakeClock

PROFILE = {"db_id": 1, "email": "a@example.com", "data": {"email": "a@example.com"}}


BATCH = {"trigger_id": 13, "data": [{"data": {"email": "b@example.com"}}]}


TWO_PROFILE_BATCH = {
    "trigger_id": 13,
    "data": [{"data": {"email": "b@example.com"}}, {"data": {"email": "c@example.com"}}],
}


NAMED_PROFILE = {"db_id": 1, "email": "a@example.com", "data": {"email": "a@example.com", "_fname": "Ann"}}


IMPORTED = {"error": 0, "error_text": "Successful", "profile_id": "42"}


ACCEPTED = {"error": 0, "error_text": "Successful", "task_id": "t-1"}


RUNNING = {"error": 0, "error_text": "ok", "data": {"status": "processing", "progress": 50}}


DONE = {"error": 0, "error_text": "ok", "data": {"status": "completed", "progress": 100}}


Handler = Callable[[httpx.Request], httpx.Response]


def sync_client(handler: Handler, clock: FakeClock | None = None, **kwargs: Any) -> Altcraft:
    clock = clock or FakeClock()
    return Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler), clock=clock, sleep=clock.sleep, **kwargs)


def async_client(handler: Handler, clock: FakeClock | None = None, **kwargs: Any) -> AsyncAltcraft:
    clock = clock or FakeClock()
    return AsyncAltcraft(BASE, TOKEN, transport=httpx.MockTransport(handler), clock=clock, sleep=clock.asleep, **kwargs)


def answer(status: int, body: Any, content_type: str = "application/json", **headers: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        content = body if isinstance(body, bytes) else httpx.Response(200, json=body).content
        return httpx.Response(status, content=content, headers={"content-type": content_type, **headers})

    return handler


def core(token: str = TOKEN, **kwargs: Any) -> ClientCore:
    settings: dict[str, Any] = {
        "auth": "body",
        "format": "json",
        "timeout": 30.0,
        "validate": True,
        "max_retries": 2,
        "max_answer_bytes": 1000,
        "clock": FakeClock(),
        "rng": random.Random(1),
    }
    settings.update(kwargs)
    return ClientCore(BASE, token, **settings)


def call(operation: str = "import_profile", deadline: float | None = None, attempts: int = 1) -> Call:
    return Call(operation, b"{}", {}, 0, deadline, attempts=attempts, started=1000.0)


class Recorder(random.Random):
    def __init__(self) -> None:
        super().__init__(0)
        self.bounds: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.bounds.append((a, b))
        return b


def parse(
    status: int, body: bytes, content_type: str | None = "application/json", operation: str = "import_profile"
) -> Any:
    headers = httpx.Headers({"content-type": content_type} if content_type is not None else {})
    return core()._parse(operation, status, headers, body)


def status_sequence(*bodies: dict[str, Any]) -> tuple[Handler, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []
    answers = iter(bodies)

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(httpx.Response(200, content=request.content).json())
        return httpx.Response(200, json=next(answers, DONE))

    return handler, sent


ANSWERS = {
    "/api/v1.1/profiles/import": IMPORTED,
    "/api/v1.1/campaigns/triggers/import_and_start_batch": {"error": 0, "error_text": "ok", "result": []},
    "/api/v1.1/campaigns/triggers/import_and_start_batch_task": ACCEPTED,
    "/api/v1.1/workflows/import_and_start_batch_task": ACCEPTED,
    "/api/v1.1/tasks/status": DONE,
}


def by_path(sent: list[httpx.Request]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=ANSWERS[request.url.path])

    return handler


def connect_times_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout("timed out", request=request)


class Scripted(httpx.BaseTransport):
    def __init__(self, app: MockApp, fail: list[Exception | httpx.Response]) -> None:
        self.inner = transport(app)
        self.fail = fail
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.fail:
            what = self.fail.pop(0)
            if isinstance(what, httpx.Response):
                return what
            if isinstance(what, httpx.HTTPError):
                what.request = request  # type: ignore[attr-defined]
            raise what
        return self.inner.handle_request(request)
