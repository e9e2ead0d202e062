"""Building requests: the token kept secret, a body checked and encoded, one operation in flight.

No I/O. Validation and the documented size limits are applied here, before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from . import _xml
from ._errors import InvalidInput
from ._limits import check_body_size, has_files, warn_if_many
from ._schema import BATCH_OPERATIONS, OPERATIONS
from ._serialize import dumps, is_model, leaves, to_plain
from ._validate import check, raise_or_warn

__all__ = [
    "Body",
    "Call",
    "Encoding",
    "Redactor",
    "Secret",
    "encode_body",
    "encode_request",
    "unencodable_path",
]

Auth = Literal["body", "bearer"]
Format = Literal["json", "xml"]
Body = Mapping[str, Any] | Any  # a plain mapping in the JSON form, or the operation's generated model


class Secret:
    """Holds the token; its repr never shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        """The token itself."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


class Redactor:
    """Replaces the token in a text by ``***``, in every form an echo of the request can show it in."""

    def __init__(self, token: str) -> None:
        # As sent, JSON-escaped (orjson and json differ on non-ASCII), XML-escaped; longest first.
        forms = {token, orjson.dumps(token).decode()[1:-1], json.dumps(token)[1:-1], _xml.escape_text(token)}
        self._forms = tuple(Secret(f) for f in sorted(forms, key=len, reverse=True))

    def __repr__(self) -> str:
        return "Redactor(***)"

    def __call__(self, text: str) -> str:
        for secret in self._forms:
            form = secret.get()
            if form in text:
                text = text.replace(form, "***")
        return text


@dataclass
class Call:
    """One operation in flight: its bytes, its deadline, and how many attempts it has had."""

    operation: str
    content: bytes
    headers: dict[str, str]
    count: int
    deadline: float | None
    attempts: int = 0
    started: float = 0.0
    plain: bool = False  # answer with the decoded JSON, not the model
    deadline_bound: bool = False  # this attempt's httpx timeouts are the deadline's remaining time


@dataclass(frozen=True)
class Encoding:
    """How a client encodes its requests: the format, where the token goes, whether bodies are validated."""

    format: Format
    auth: Auth
    validate: bool
    token: Secret
    redact: Redactor


def encode_request(
    operation: str, body: Body, extra_body: Mapping[str, Any] | None, how: Encoding
) -> tuple[bytes, dict[str, str], int]:
    """The encoded body, the headers and the profile count of a request; :class:`InvalidInput` if it is bad."""
    try:
        return _encode(operation, body, extra_body, how)
    except RecursionError:
        raise InvalidInput(
            f"{operation}: the body is nested too deeply to encode", field="body", operation=operation
        ) from None


def _encode(
    operation: str, body: Body, extra_body: Mapping[str, Any] | None, how: Encoding
) -> tuple[bytes, dict[str, str], int]:
    format, auth, validate, token, redact = how.format, how.auth, how.validate, how.token, how.redact
    if operation not in OPERATIONS:
        raise InvalidInput(f"unknown operation {operation!r}", field="operation")
    if is_model(body):
        plain: dict[str, Any] = to_plain(body)
    elif isinstance(body, Mapping):
        # A deep copy only when something must look inside (validation, XML); JSON has a fast path.
        plain = to_plain(body) if validate or format == "xml" else dict(body)
    else:
        raise InvalidInput(
            f"{operation}: the body must be a mapping or a generated model, not {type(body).__name__}",
            field="body",
            operation=operation,
        )
    plain.pop("token", None)
    if validate:
        raise_or_warn(operation, *check(operation, plain))
    if extra_body:
        plain.update(to_plain(dict(extra_body)))
    count = len(plain["data"]) if operation in BATCH_OPERATIONS and isinstance(plain.get("data"), list) else 0
    if count:
        warn_if_many(operation, count)
    if auth == "body":
        plain["token"] = token.get()
    headers = {"Accept": "application/json, application/xml", "Content-Type": f"application/{format}"}
    unencodable = None
    try:
        content = encode_body(operation, plain, format)
    except TypeError as exc:  # JSON cannot carry a value (XML refuses one as InvalidInput itself)
        unencodable = redact(str(exc))
    if unencodable is not None:
        where = unencodable_path(plain, "") or "body"
        raise InvalidInput(f"{operation}: {where}: {unencodable}", field=where, operation=operation)
    if auth == "bearer":
        headers["Authorization"] = f"Bearer {token.get()}"
    check_body_size(operation, len(content), has_files=has_files(plain))
    return content, headers, count


def encode_body(operation: str, plain: dict[str, Any], format: str) -> bytes:
    """The bytes of a plain body as a client of ``format`` sends them; in XML, ``format`` is set to
    ``xml`` unless the body sets it (task_status takes none). TypeError: a value JSON cannot carry."""
    if format == "xml":
        if operation != "task_status":
            plain.setdefault("format", "xml")
        return _xml.encode_request(operation, plain)
    return dumps(plain)


def _json_leaf(value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**64
    return value is None or isinstance(value, bool | str | float)


def unencodable_path(value: Any, path: str) -> str | None:
    """The path of the first value JSON cannot carry (an integer beyond 64 bits, a foreign type); error path only."""
    return next((where or "body" for where, leaf in leaves(value, path) if not _json_leaf(leaf)), None)
