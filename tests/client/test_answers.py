"""How the client reads answers: the envelope becomes the documented model or the typed error of its status and
code, an unreadable answer is a ProtocolError naming status and type, and an answer over max_answer_bytes is
refused without being read whole."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from altcraft import (
    Altcraft,
    AltcraftError,
    BadRequest,
    Forbidden,
    NotFound,
    ProtocolError,
    RequestTooLarge,
    ServerError,
    TariffLimit,
    Unauthorized,
)
from altcraft._answers import AnswerTooLarge, CappedBody
from altcraft._requests import Call
from altcraft_api.models import (
    ProfileImported,
)

from ..conftest import BASE, TOKEN, FakeClock
from .fakes import BATCH, NAMED_PROFILE, answer, async_client, call, core, parse, sync_client


def answering(status: int, body: Any, content_type: str = "application/json") -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        content = body if isinstance(body, bytes) else httpx.Response(200, json=body).content
        return httpx.Response(status, content=content, headers={"content-type": content_type})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("status", "body", "exc", "code"),
    [
        (200, {"error": 404, "error_text": "Trigger not found"}, NotFound, 404),
        (200, {"error": 7, "error_text": "Something"}, AltcraftError, 7),
        (400, {"error": 400, "error_text": "Invalid request", "error_debug": "db_id: bad"}, BadRequest, 400),
        (
            400,
            {"error": 400, "error_debug": "http: request body too large", "error_text": "Invalid request"},
            RequestTooLarge,
            400,
        ),
        (401, {"error": 401, "error_text": "Unauthorized"}, Unauthorized, 401),
        (402, {"error": 402, "error_text": "Tariff"}, TariffLimit, 402),
        (403, {"error": 403, "error_text": "Forbidden"}, Forbidden, 403),
        (404, {"error": 404, "error_text": "Not found"}, NotFound, 404),
        (500, {"error": 500, "error_text": "Boom"}, ServerError, 500),
        (502, b"<html>bad gateway</html>", ServerError, None),
    ],
)
def test_error_envelope_becomes_typed_exception(status: int, body: Any, exc: type[Exception], code: Any) -> None:
    with Altcraft(BASE, TOKEN, transport=answering(status, body), max_retries=0) as c, pytest.raises(exc) as err:
        c.import_and_start_batch(BATCH)
    e = err.value
    assert isinstance(e, AltcraftError)
    assert e.code == code and e.http_status == status and e.operation == "import_and_start_batch"
    if isinstance(body, dict):
        assert e.error_text == body["error_text"] and e.error_debug == body.get("error_debug")


def test_xml_error_answer_is_read(xml_client: Altcraft) -> None:
    with pytest.raises(NotFound) as err:
        xml_client.import_and_start_batch({**BATCH, "trigger_id": 4242})
    assert err.value.error_text == "Trigger not found"


def test_unreadable_success_answer_is_a_protocol_error() -> None:
    with (
        Altcraft(BASE, TOKEN, transport=answering(200, b"not json", "text/plain")) as c,
        pytest.raises(ProtocolError),
    ):
        c.import_profile(NAMED_PROFILE)
    with (
        Altcraft(BASE, TOKEN, transport=answering(200, {"error": 0, "error_text": "ok"})) as c,
        pytest.raises(ProtocolError, match="ProfileImported"),
    ):
        c.import_profile(NAMED_PROFILE)


def test_a_success_answer_becomes_its_model() -> None:
    imported = parse(200, b'{"error": 0, "error_text": "ok", "profile_id": "7"}', "Application/JSON; charset=utf-8")
    assert isinstance(imported, ProfileImported) and imported.profile_id == "7"


def test_an_answer_is_read_as_xml_by_its_type_or_its_first_character() -> None:
    xml = b"<xml><error>0</error><error_text>ok</error_text><profile_id>7</profile_id></xml>"
    assert parse(200, xml, "text/xml").profile_id == "7"
    assert parse(200, b"  " + xml, None).profile_id == "7"
    assert parse(200, xml, "application/octet-stream").profile_id == "7"
    with pytest.raises(ProtocolError) as err:
        parse(200, xml, "application/json")  # declared JSON is read as JSON
    assert "is not readable" in str(err.value)


def test_a_declared_xml_answer_is_read_as_xml_whatever_it_starts_with() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, b"oops", "application/xml")
    assert str(err.value) == (
        "import_profile: the answer (HTTP 200, application/xml) is not readable: malformed XML: "
        "Start tag expected, '<' not found, line 1, column 1 (<string>, line 1)"
    )
    with pytest.raises(ProtocolError) as err:
        parse(200, b"oops", "text/plain; charset=x; q=1")
    assert str(err.value).startswith("import_profile: the answer (HTTP 200, text/plain) is not readable: unexpected")


def test_an_unreadable_success_answer_is_a_protocol_error_naming_status_and_type() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, b"not json", None)
    assert str(err.value) == (
        "import_profile: the answer (HTTP 200, no content type) is not readable: "
        "invalid literal, expected 'null': line 1 column 1 (char 0)"
    )
    assert (err.value.http_status, err.value.operation) == (200, "import_profile")
    with pytest.raises(ProtocolError) as err:
        parse(299, b"nope", "Text/Plain; charset=x")
    assert str(err.value).startswith("import_profile: the answer (HTTP 299, text/plain) is not readable: ")
    assert err.value.__context__ is None


def test_an_unreadable_error_answer_is_the_error_of_its_status_with_the_text_redacted_and_cut() -> None:
    text = f"bad gateway {TOKEN} " + "x" * 300
    with pytest.raises(ServerError) as err:
        parse(502, text.encode(), "text/html", operation="task_status")
    assert err.value.error_text == ("bad gateway *** " + "x" * 300)[:200]
    assert (err.value.http_status, err.value.code, err.value.error_debug) == (502, None, None)
    assert err.value.retry_safe and err.value.operation == "task_status"
    with pytest.raises(ServerError) as err:
        parse(500, b"oops", "text/plain")
    assert not err.value.retry_safe
    with pytest.raises(BadRequest) as bad:
        parse(400, b"<html>\xff</html>", "text/html")
    assert bad.value.error_text == "<html>\ufffd</html>"


def test_the_decoder_message_is_redacted_and_cut_to_200_characters() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, f"<xml><{TOKEN}>".encode() + b"y" * 400, "application/xml")
    message = str(err.value)
    prefix = "import_profile: the answer (HTTP 200, application/xml) is not readable: "
    assert message.startswith(prefix) and TOKEN not in message
    assert len(message) <= len(prefix) + 200


def test_an_answer_that_is_not_an_object() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, b"[1, 2]")
    assert str(err.value) == "import_profile: the answer is not an object"
    assert (err.value.http_status, err.value.operation) == (200, "import_profile")


def test_a_success_status_without_an_error_field() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, b'{"error_text": "ok"}')
    assert str(err.value) == "import_profile: the answer has no 'error' field"
    assert (err.value.http_status, err.value.operation) == (200, "import_profile")
    with pytest.raises(NotFound) as nf:
        parse(404, b'{"error_text": "no such"}')
    assert (nf.value.code, nf.value.error_text) == (None, "no such")


def test_a_400_without_an_error_field_is_a_bad_request() -> None:
    with pytest.raises(BadRequest) as err:
        parse(400, b'{"error_text": "bad"}')
    assert (err.value.code, err.value.error_text, err.value.http_status) == (None, "bad", 400)


def test_an_error_envelope_keeps_its_code_and_redacted_texts() -> None:
    body = f'{{"error": 401, "error_text": "bad {TOKEN}", "error_debug": "got {TOKEN}"}}'.encode()
    with pytest.raises(Unauthorized) as err:
        parse(200, body)
    assert (err.value.code, err.value.error_text, err.value.error_debug) == (401, "bad ***", "got ***")
    assert err.value.http_status == 200
    with pytest.raises(AltcraftError) as any_err:
        parse(200, b'{"error": true, "error_text": 5}')
    assert (any_err.value.code, any_err.value.error_text, any_err.value.error_debug) == (None, "5", None)
    with pytest.raises(AltcraftError) as any_err:
        parse(200, b'{"error": "1"}')
    assert any_err.value.code is None
    with pytest.raises(BadRequest) as bad:
        parse(400, b'{"error": 0}')  # an error status whatever the code
    assert bad.value.code == 0 and bad.value.error_text is None


def test_a_success_answer_of_another_shape_names_the_documented_model() -> None:
    with pytest.raises(ProtocolError) as err:
        parse(200, f'{{"error": 0, "error_text": "{TOKEN}"}}'.encode())
    assert str(err.value) == "import_profile: the answer is not the documented ProfileImported: KeyError('profile_id')"
    assert (err.value.http_status, err.value.operation) == (200, "import_profile")
    assert err.value.__context__ is None


def test_a_success_is_logged_at_debug_with_size_format_count_and_time(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    c = core(clock=clock)
    pending = Call("import_and_start_batch", b"12345", {}, 2, None, attempts=2, started=999.5)
    with caplog.at_level(logging.DEBUG, logger="altcraft"):
        result = c._answered(pending, 200, httpx.Headers(), b'{"error": 0, "error_text": "", "result": []}')
    assert result.result == []
    assert [r.getMessage() for r in caplog.records] == [
        "import_and_start_batch: 5 bytes (json, 2 profiles) -> HTTP 200 in 0.500 s, 2 attempt(s)"
    ]


# -- answer size ---------------------------------------------------------------------------------------------


def test_an_answer_too_large_names_the_limit_and_the_size() -> None:
    c = core(max_answer_bytes=10)
    err = c._too_large(call("task_status"), 11)
    assert type(err) is ProtocolError
    assert str(err) == (
        "task_status: the answer from altcraft.test is larger than max_answer_bytes=10 (at least 11 bytes); "
        "it was not read"
    )
    assert err.operation == "task_status"


def test_the_capped_reader_takes_exactly_the_cap() -> None:
    body = CappedBody(4, httpx.Headers({"content-length": "4"}))
    body.add(b"ab")
    body.add(b"cd")
    assert body.content() == b"abcd"
    with pytest.raises(AnswerTooLarge) as err:
        body.add(b"e")
    assert err.value.size == 5
    with pytest.raises(AnswerTooLarge) as err:
        CappedBody(4, httpx.Headers({"content-length": "5"}))
    assert err.value.size == 5
    assert CappedBody(4, httpx.Headers({"content-length": "many"})).content() == b""


def test_sync_an_answer_over_the_cap_names_its_size() -> None:
    client = sync_client(answer(200, b"x" * 50, "application/json"), max_answer_bytes=10)
    with client, pytest.raises(ProtocolError) as err:
        client.task_status("t-1")
    assert "larger than max_answer_bytes=10 (at least 50 bytes)" in str(err.value)


async def test_async_an_answer_over_the_cap_is_refused() -> None:
    async with async_client(answer(200, b"x" * 50, "application/json"), max_answer_bytes=10) as c:
        with pytest.raises(ProtocolError) as err:
            await c.task_status("t-1")
    assert "larger than max_answer_bytes=10 (at least 50 bytes)" in str(err.value)
    assert err.value.__context__ is None


async def test_async_an_endless_answer_is_read_only_up_to_the_cap() -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(1000):
            pulled += 1
            yield b"12345678"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless(), headers={"content-type": "application/json"})

    async with async_client(handler, max_answer_bytes=20) as c:
        with pytest.raises(ProtocolError) as err:
            await c.task_status("t-1")
    assert "larger than max_answer_bytes=20 (at least 24 bytes)" in str(err.value)
    assert pulled < 10


def test_a_huge_answer_is_refused_without_reading_it_whole() -> None:
    produced = []

    def chunks() -> Iterator[bytes]:
        yield b'{"error":0,"error_text":"ok","result":['
        for _ in range(1000):
            produced.append(1)
            yield b'{"profile_id":"0123456789abcdef01234567"},' * 100
        yield b'{"profile_id":"0123456789abcdef01234567"}]}'

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks(), headers={"content-type": "application/json"})

    client = Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler), max_answer_bytes=1 << 20)
    with client, pytest.raises(ProtocolError, match="max_answer_bytes"):
        client.import_and_start_batch(BATCH)
    assert len(produced) < 400  # stopped soon after 1 MiB, not after 4.3 MB


def test_a_declared_huge_answer_is_refused_before_reading() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{}", headers={"content-length": str(1 << 30)})

    client = Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler))
    with client, pytest.raises(ProtocolError, match="max_answer_bytes"):
        client.task_status("t")
