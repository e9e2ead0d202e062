"""Reading answers: the body up to a size cap, the Altcraft envelope as exceptions, the success model.

No I/O. Every text an exception carries goes through the caller's ``redact`` first, so that an answer
that echoes the token never shows it.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from altcraft_api import models

from . import _xml
from ._errors import ProtocolError, error_for
from ._models import to_model
from ._schema import OPERATIONS

__all__ = [
    "ERROR_TEXT_CHARS",
    "AnswerTooLarge",
    "CappedBody",
    "parse_answer",
    "retry_after",
    "success_model",
    "without_profiles",
]

ERROR_TEXT_CHARS = 200  # of an unreadable answer or decoder message, quoted in an exception

Redact = Callable[[str], str]


class AnswerTooLarge(Exception):
    """An answer larger than the client's ``max_answer_bytes`` (declared or read so far)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


class CappedBody:
    """An answer's body, read in chunks up to ``cap`` bytes (a larger declared or actual size raises)."""

    def __init__(self, cap: int, headers: httpx.Headers) -> None:
        self.cap = cap
        self.out = bytearray()
        try:
            declared = int(headers["content-length"])
        except (KeyError, ValueError):
            return
        if declared > cap:
            raise AnswerTooLarge(declared)

    def add(self, chunk: bytes) -> None:
        """Append one chunk; :class:`AnswerTooLarge` past the cap."""
        self.out += chunk
        if len(self.out) > self.cap:
            raise AnswerTooLarge(len(self.out))

    def content(self) -> bytes:
        """The bytes read."""
        return bytes(self.out)


def retry_after(value: str | None) -> float | None:
    """Seconds of a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def parse_answer(
    operation: str, status: int, headers: httpx.Headers, content: bytes, *, plain: bool, redact: Redact
) -> Any:
    """The success model of an answer (its decoded JSON with ``plain``), or the envelope's exception."""
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    retry_safe = operation == "task_status"
    # Exceptions are raised outside ``except`` blocks throughout, so that none carries the failed
    # decoder's exception (which holds the answer, and so maybe an echoed token) as its context.
    unreadable: str | None = None
    data: Any = None
    try:
        if media.endswith("xml") or (not media.endswith("json") and content.lstrip()[:1] == b"<"):
            data = _xml.decode_response(operation, content)
        else:
            data = orjson.loads(content)
    except (orjson.JSONDecodeError, ProtocolError) as exc:
        unreadable = redact(str(exc))[:ERROR_TEXT_CHARS]
    if unreadable is not None:
        if status >= 400:
            raise error_for(
                operation=operation,
                http_status=status,
                code=None,
                error_text=redact(content.decode("utf-8", "replace"))[:ERROR_TEXT_CHARS],
                error_debug=None,
                retry_safe=retry_safe,
            )
        raise ProtocolError(
            f"{operation}: the answer (HTTP {status}, {media or 'no content type'}) is not readable: {unreadable}",
            http_status=status,
            operation=operation,
        )
    if not isinstance(data, dict):
        raise ProtocolError(f"{operation}: the answer is not an object", http_status=status, operation=operation)
    code = data.get("error")
    if status >= 400 or code != 0:
        if code is None and status < 400:
            raise ProtocolError(
                f"{operation}: the answer has no 'error' field", http_status=status, operation=operation
            )
        text, debug = data.get("error_text"), data.get("error_debug")
        raise error_for(
            operation=operation,
            http_status=status,
            code=code if isinstance(code, int) and not isinstance(code, bool) else None,
            error_text=redact(str(text)) if text is not None else None,
            error_debug=redact(str(debug)) if debug is not None else None,
            retry_safe=retry_safe,
        )
    return data if plain else success_model(operation, status, data, redact)


def success_model(operation: str, status: int | None, data: dict[str, Any], redact: Redact) -> Any:
    """The success model of an answer's decoded JSON; :class:`ProtocolError` when it is not that model."""
    model = getattr(models, OPERATIONS[operation]["response_schemas"][0])
    try:
        return to_model(model, data)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        unreadable = redact(repr(exc))[:ERROR_TEXT_CHARS]
    raise ProtocolError(
        f"{operation}: the answer is not the documented {model.__name__}: {unreadable}",
        http_status=status,
        operation=operation,
    )


def without_profiles(answer: dict[str, Any]) -> dict[str, Any]:
    """A task status answer with its list of imported profiles (``data.result.result``) left empty."""
    data = answer.get("data")
    if not isinstance(data, dict):
        return answer
    result = data.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("result"), list):
        return answer
    return {**answer, "data": {**data, "result": {**result, "result": []}}}
