"""The generated client (``client.generated``) and the generated models through the overlay: the token is
injected, the connection pool is the client's, answers and headers come through."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from altcraft import (
    Altcraft,
    AsyncAltcraft,
)
from altcraft._async_client import AsyncSharedTransport
from altcraft._sync_client import SharedTransport
from altcraft_api.api.profiles import import_profile as gen_import_profile
from altcraft_api.models import (
    BatchItem,
    EmailSubscription,
    ImportAndStartBatchRequest,
    ImportProfileRequest,
    ProfileData,
    ProfileImported,
    SmsSubscription,
    TaskStatus,
    TaskStatusRequest,
)
from altcraft_mock import MockApp, MockConfig, create_app, transport

from ..conftest import BASE, TOKEN
from .fakes import DONE, IMPORTED, NAMED_PROFILE, PROFILE, async_client, by_path, core, sync_client


def test_generated_models_in_and_out(client: Altcraft) -> None:
    data = ProfileData(fname="Olly", email="m@x.io", phones=["+79000000000"])
    data.subscriptions = [
        EmailSubscription(resource_id=1, channel="email", email="m@x.io"),
        SmsSubscription(resource_id=1, channel="sms", phone="+79000000000"),
    ]
    data["custom_field"] = "custom"
    result = client.import_profile(ImportProfileRequest(db_id=1, data=data, email="m@x.io"))
    assert isinstance(result, ProfileImported) and len(result.profile_id) == 24
    batch = client.import_and_start_batch(ImportAndStartBatchRequest(trigger_id=96, data=[BatchItem(data=data)]))
    assert batch.result[0].profile_id == result.profile_id


def test_generated_functions_share_the_clients_pool(app: MockApp) -> None:
    with Altcraft(BASE, TOKEN, auth="bearer", transport=transport(app)) as c:
        body = ImportProfileRequest.from_dict(NAMED_PROFILE)
        response = gen_import_profile.sync_detailed(client=c.generated, body=body)
    assert response.status_code == 200 and isinstance(response.parsed, ProfileImported)


@pytest.mark.parametrize("auth", ["body", "bearer"])
def test_generated_carries_the_token_shares_the_pool_and_hides_it(auth: str) -> None:
    seen: list[httpx.Request] = []
    inner = transport(create_app(MockConfig()))

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return inner.handle_request(request)

    with Altcraft(BASE, TOKEN, auth=auth, transport=httpx.MockTransport(spy)) as client:  # type: ignore[arg-type]
        generated = client.generated
        assert TOKEN not in repr(generated) and str(generated._base_url) == client.base_url
        with generated as g:
            answer = gen_import_profile.sync(client=g, body=ImportProfileRequest.from_dict(PROFILE))
        assert answer is not None and answer.error == 0  # type: ignore[union-attr]
        assert client.import_profile(PROFILE).error == 0  # the overlay's pool is still open
    sent = seen[0]
    if auth == "bearer":
        assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    else:
        assert f'"token":"{TOKEN}"'.encode() in sent.content


def test_inject_adds_the_token_to_a_json_body_that_has_none() -> None:
    c = core()
    request = httpx.Request("POST", BASE + "/x", json={"a": 1}, extensions={"timeout": {"read": 1.0}})
    injected = c._inject(request)
    assert httpx.Response(200, content=injected.content).json() == {"a": 1, "token": TOKEN}
    assert injected.headers["Content-Length"] == str(len(injected.content))
    assert injected.extensions == {"timeout": {"read": 1.0}} and injected.method == "POST"
    assert injected.url == BASE + "/x"
    kept = c._inject(httpx.Request("POST", BASE + "/x", json={"token": "mine"}))
    assert httpx.Response(200, content=kept.content).json() == {"token": "mine"}
    listed = c._inject(httpx.Request("POST", BASE + "/x", json=[1]))
    assert listed.content == b"[1]"
    other = c._inject(httpx.Request("POST", BASE + "/x", content=b"a=1", headers={"content-type": "text/plain"}))
    assert other.content == b"a=1"
    empty = c._inject(httpx.Request("POST", BASE + "/x", headers={"content-type": "application/json"}))
    assert empty.content == b""


def test_inject_with_bearer_sets_the_header_and_leaves_the_body() -> None:
    c = core(auth="bearer")
    injected = c._inject(httpx.Request("POST", BASE + "/x", json={"a": 1}))
    assert injected.headers["Authorization"] == f"Bearer {TOKEN}"
    assert httpx.Response(200, content=injected.content).json() == {"a": 1}


def test_inject_leaves_a_request_without_a_content_type() -> None:
    request = httpx.Request("POST", BASE + "/x")
    assert core()._inject(request).content == b""


def test_the_shared_transports_show_the_url_only() -> None:
    c = core()
    assert repr(SharedTransport(c.base_url, c._inject, httpx.Client())) == "SharedTransport('http://altcraft.test')"
    assert (
        repr(AsyncSharedTransport(c.base_url, c._inject, httpx.AsyncClient()))
        == "AsyncSharedTransport('http://altcraft.test')"
    )


async def test_the_async_generated_client_sends_through_the_pool_with_the_token() -> None:
    from altcraft_api.api.profiles import import_profile as gen_import_profile
    from altcraft_api.models import ImportProfileRequest

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=IMPORTED)

    async with async_client(handler) as c:
        generated = c.generated
        body = ImportProfileRequest.from_dict({**PROFILE, "token": ""})
        result = await gen_import_profile.asyncio_detailed(client=generated, body=body)
        assert result.status_code == 200
        await generated.get_async_httpx_client().aclose()  # leaves the client's own pool open
        assert (await c.import_profile(PROFILE)).profile_id == "42"
    assert httpx.Response(200, content=seen[0].content).json()["token"] == TOKEN
    assert seen[0].url == BASE + "/api/v1.1/profiles/import"


@pytest.mark.parametrize("use_async", [False, True])
async def test_the_generated_clients_see_the_answers_headers(use_async: bool) -> None:
    from altcraft_api.api.tasks import task_status as gen_task_status

    sent: list[httpx.Request] = []
    body = TaskStatusRequest(task_id="t-1", token="")
    if use_async:
        async with async_client(by_path(sent)) as ac:
            result = await gen_task_status.asyncio_detailed(client=ac.generated, body=body)
    else:
        with sync_client(by_path(sent)) as c:
            result = gen_task_status.sync_detailed(client=c.generated, body=body)
    assert result.status_code == 200 and result.headers["content-type"] == "application/json"
    assert httpx.Response(200, content=sent[0].content).json()["token"] == TOKEN


@pytest.fixture
def loopback_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering every POST with a completed task status."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            body = httpx.Response(200, json=DONE).content
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("use_async", [False, True])
async def test_the_generated_functions_read_answers_over_a_real_connection(
    use_async: bool, loopback_server: str
) -> None:
    from altcraft_api.api.tasks import task_status as gen_task_status

    body = TaskStatusRequest(task_id="t-1")
    if use_async:
        async with AsyncAltcraft(loopback_server, TOKEN) as ac:
            result = await gen_task_status.asyncio_detailed(client=ac.generated, body=body)
    else:
        with Altcraft(loopback_server, TOKEN) as c:
            result = gen_task_status.sync_detailed(client=c.generated, body=body)
    assert result.status_code == 200
    assert isinstance(result.parsed, TaskStatus) and result.parsed.data.status == "completed"
