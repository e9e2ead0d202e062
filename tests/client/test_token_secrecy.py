"""The token is in no channel an exception, a repr or a log can reach, in every form it takes on the wire
(JSON- and XML-escaped), and a token a header cannot carry is refused for bearer without being shown."""

from __future__ import annotations

import logging
import socket
import traceback
from typing import Any

import httpx
import pytest
from altcraft import (
    Altcraft,
    AltcraftError,
    InvalidInput,
    OutcomeUnknown,
    TransportError,
)
from altcraft._requests import Redactor, Secret

from ..conftest import BASE, TOKEN, FakeClock
from .fakes import BATCH, NAMED_PROFILE, PROFILE, core
from .servers import drop, raw_server

CANARY = "CANARY-tok-1234567890-secret"


ECHOED_CANARY = "ECHOED_CANARY-TOKEN-9f3b1c-do-not-leak"


def _everything_reachable(exc: BaseException) -> list[str]:
    """Texts of an exception, its chain, its attributes and anything request-like they hold."""
    out = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    stack: list[Any] = [exc]
    while stack:
        item = stack.pop()
        if id(item) in seen or item is None:
            continue
        seen.add(id(item))
        out.append(repr(item))
        if isinstance(item, BaseException):
            stack += [item.__context__, item.__cause__, *vars(item).values()]
        elif isinstance(item, httpx.Request):
            out += [str(item.headers), item.content.decode("utf-8", "replace")]
        elif isinstance(item, httpx.Response):
            out += [str(item.headers), item.text]
    return out


def test_canary_token_never_leaks(caplog: pytest.LogCaptureFixture, clock: FakeClock) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        text = request.content.decode()
        if "tasks/status" in str(request.url):
            raise httpx.ReadTimeout(f"timeout talking about {text}", request=request)
        return httpx.Response(400, json={"error": 400, "error_text": f"bad {text}", "error_debug": text})

    leaks: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for auth in ("body", "bearer"):
            for fmt in ("json", "xml"):
                c = Altcraft(
                    BASE,
                    ECHOED_CANARY,
                    auth=auth,
                    format=fmt,
                    transport=httpx.MockTransport(echo),  # type: ignore[arg-type]
                    sleep=clock.sleep,
                    clock=clock,
                )
                leaks += [repr(c), str(c)]
                for call in (
                    lambda c=c: c.import_profile(NAMED_PROFILE),
                    lambda c=c: c.task_status("t1"),
                    lambda c=c: c.wait_task("t1", timeout=3),
                    lambda c=c: c.import_and_start_batch({"data": []}),
                    lambda c=c: c.import_and_start_batch(
                        {"trigger_id": 1, "data": [{"data": {"b": "x" * (11 << 20)}}]}
                    ),
                ):
                    with pytest.raises(AltcraftError) as err:
                        call()
                    e = err.value
                    leaks += [str(e), repr(e), str(e.error_text), str(e.error_debug), str(e.__cause__)]
                    leaks += [str(arg) for arg in e.args]
    leaks += [r.getMessage() for r in caplog.records]
    assert leaks and all(ECHOED_CANARY not in text for text in leaks)
    with pytest.raises(InvalidInput):
        Altcraft(BASE, "")


def test_canary_token_in_no_channel(caplog: pytest.LogCaptureFixture) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        text = request.content.decode() + request.headers.get("authorization", "")
        path = request.url.path
        if path.endswith("tasks/status"):
            raise httpx.ReadTimeout(f"timeout with {text}", request=request)
        if "workflows" in path:
            raise httpx.RemoteProtocolError(f"dropped: {text}", request=request)
        if "profiles" in path:  # a non-JSON error body that echoes the token after 190 characters
            return httpx.Response(502, content=("x" * 190 + text).encode(), headers={"content-type": "text/plain"})
        if path.endswith("_batch_task"):
            return httpx.Response(404, content=b"404 page not found " + text.encode())
        return httpx.Response(401, json={"error": 401, "error_text": f"bad {text}", "error_debug": text})

    texts: list[str] = []
    clock = FakeClock()
    with caplog.at_level(logging.DEBUG):
        for auth in ("body", "bearer"):
            for fmt in ("json", "xml"):
                client = Altcraft(
                    BASE,
                    CANARY,
                    auth=auth,  # type: ignore[arg-type]
                    format=fmt,  # type: ignore[arg-type]
                    transport=httpx.MockTransport(echo),
                    sleep=clock.sleep,
                    clock=clock,
                )
                texts += [repr(client), str(client), repr(client.generated), repr(vars(client))]
                for call in (
                    lambda c=client: c.import_profile(PROFILE),
                    lambda c=client: c.task_status("t1"),
                    lambda c=client: c.wait_task("t1", timeout=3),
                    lambda c=client: c.import_and_start_batch(BATCH),
                    lambda c=client: c.import_and_start_batch_task(BATCH),
                    lambda c=client: c.workflow_import_and_start_batch_task({"workflow_id": 1, "data": BATCH["data"]}),
                    lambda c=client: c.import_and_start_batch(
                        {"trigger_id": 1, "data": [{"data": {"b": "x" * (11 << 20)}}]}
                    ),
                ):
                    with pytest.raises(AltcraftError) as err:
                        call()
                    texts += _everything_reachable(err.value)
    # connection refused and a real dropped connection, through real sockets
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with caplog.at_level(logging.DEBUG), Altcraft(f"http://127.0.0.1:{port}", CANARY, sleep=clock.sleep) as client:
        with pytest.raises(TransportError) as err:
            client.import_profile(PROFILE)
        texts += _everything_reachable(err.value)
    with raw_server(drop) as url, caplog.at_level(logging.DEBUG), Altcraft(url, CANARY, auth="bearer") as client:
        with pytest.raises(OutcomeUnknown) as err:
            client.import_and_start_batch(BATCH)
        texts += _everything_reachable(err.value)
    texts += [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    assert texts
    leaks = [t for t in texts if CANARY in t or CANARY[:12] in t]
    assert not leaks, leaks[:3]


@pytest.mark.parametrize("token", ['CANARY"tok\\en', "CANARY\ttok\nen", "CANARY<tok&en>", "CANARYtökenЖ"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_with_escaped_characters_is_redacted_in_every_form(token: str, fmt: str) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400, json={"error": 400, "error_text": "bad", "error_debug": request.content.decode("utf-8", "replace")}
        )

    client = Altcraft(BASE, token, format=fmt, transport=httpx.MockTransport(echo))  # type: ignore[arg-type]
    with client, pytest.raises(AltcraftError) as err:
        client.task_status("t1")
    texts = _everything_reachable(err.value)
    assert "CANARY" not in "".join(texts), [t for t in texts if "CANARY" in t][:2]


@pytest.mark.parametrize("token", ["CANARYtoken\n", "CANARYtökenЖ", "CANARY token"])
def test_a_token_a_header_cannot_carry_is_refused_for_bearer_without_showing_it(token: str) -> None:
    with pytest.raises(InvalidInput) as err:
        Altcraft(BASE, token, auth="bearer")
    assert err.value.field == "token" and "CANARY" not in "".join(_everything_reachable(err.value))
    Altcraft(BASE, token, auth="body").close()  # in the body any string can travel


def test_the_repr_shows_url_auth_and_format_but_never_the_token() -> None:
    c = Altcraft(BASE + "/", TOKEN, auth="bearer", format="xml")
    assert repr(c) == "Altcraft(base_url='http://altcraft.test', auth='bearer', format='xml')"
    assert repr(Secret(TOKEN)) == str(Secret(TOKEN)) == "Secret('***')"
    assert Secret(TOKEN).get() == TOKEN
    c.close()


def test_every_form_of_the_token_is_redacted_whole_the_longest_first() -> None:
    def redacted(token: str, text: str) -> str:
        return core(token, timeout=1.0, max_retries=0, max_answer_bytes=10, rng=None)._redact(text)

    assert redacted("tok\\", "a tok\\\\ b tok\\ c") == "a *** b *** c"  # JSON-escaped: one backslash more
    assert redacted('t<"k', 'a t&lt;"k b t<\\"k c t<"k d') == "a *** b *** c *** d"


def test_a_non_ascii_token_is_redacted_in_its_orjson_and_json_forms() -> None:
    c = core('é"k', timeout=1.0, max_retries=0, max_answer_bytes=10, rng=None)
    assert c._redact('a é\\"k b') == "a *** b"  # orjson keeps é, escapes the quote
    assert c._redact('a \\u00e9\\"k b') == "a *** b"  # json.dumps escapes both
    assert c._redact('a é"k b') == "a *** b"


def test_the_holders_of_the_token_show_only_their_names() -> None:
    assert (repr(Secret(TOKEN)), str(Secret(TOKEN))) == ("Secret('***')", "Secret('***')")
    assert repr(Redactor(TOKEN)) == "Redactor(***)"
