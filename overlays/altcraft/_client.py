"""The clients: ``Altcraft`` (sync) and ``AsyncAltcraft`` (asyncio).

Both are thin shells around one sans-I/O core, ``_Core``: it builds the request bytes, decides what a
failure means (retry, :class:`OutcomeUnknown`, an envelope exception) and reads the answer. The shells
only move bytes: the sync one in a worker thread that it stops waiting for at the deadline, the async
one under ``asyncio.timeout``. Deadlines are total: the time of every attempt and every pause between
attempts counts against the caller's ``timeout``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import httpx
import orjson
from altcraft_api import models
from altcraft_api.client import Client
from altcraft_api.models import (
    BatchResult,
    ImportAndStartBatchRequest,
    ImportAndStartBatchTaskRequest,
    ImportProfileRequest,
    ProfileImported,
    TaskAccepted,
    TaskStatus,
    TaskStatusRequest,
    WorkflowImportAndStartBatchTaskRequest,
)
from altcraft_api.params import (
    AsyncRequest,
    ImportAndStartBatchParams,
    ImportAndStartBatchTaskParams,
    ImportProfileParams,
    SyncRequest,
    WorkflowImportAndStartBatchTaskParams,
)

from . import _xml
from ._errors import (
    AltcraftError,
    InvalidInput,
    OutcomeUnknown,
    ProtocolError,
    ServerError,
    TransportError,
    WaitCancelled,
    error_for,
)
from ._limits import DEFAULT_CHUNK_BYTES, RECOMMENDED_ITEMS, check_body_size, chunk_profiles, has_files, warn_if_many
from ._models import to_model
from ._polling import Poller, PollSettings
from ._schema import OPERATIONS
from ._serialize import dumps, is_model, to_plain
from ._validate import Operation, check, raise_or_warn

__all__ = ["Altcraft", "AsyncAltcraft", "AsyncTaskHandle", "TaskHandle"]

logger = logging.getLogger("altcraft")

Auth = Literal["body", "bearer"]
Format = Literal["json", "xml"]
Body = Mapping[str, Any] | Any  # a plain mapping in the JSON form, or the operation's generated model
T = TypeVar("T")

_BATCH_OPERATIONS = {"import_and_start_batch", "import_and_start_batch_task", "workflow_import_and_start_batch_task"}
# Errors raised before the request reached the server: safe to repeat for every operation.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
# The documented answers are small (10,000 profile ids at most); far larger ones are refused unread.
DEFAULT_MAX_ANSWER_BYTES = 16 << 20
_MAX_RETRY_AFTER = 60.0
_ERROR_TEXT_CHARS = 200
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")  # a Bearer token: visible ASCII only


class _Secret:
    """Holds the token; its repr never shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


class _DeadlineExceeded(Exception):
    """The caller's deadline passed while an attempt was under way."""


class _AnswerTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


@dataclass
class _Call:
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


@dataclass
class _Retry:
    delay: float


@dataclass
class _Trace:
    """What httpcore reported of one attempt: whether any part of the request went out."""

    events: bool = False
    sent: threading.Event = field(default_factory=threading.Event)

    def __call__(self, name: str, info: Mapping[str, Any]) -> None:
        self.events = True
        if "send_request_headers" in name:
            self.sent.set()

    async def atrace(self, name: str, info: Mapping[str, Any]) -> None:
        self(name, info)

    def was_sent(self, exc: BaseException) -> bool:
        if isinstance(exc, _DeadlineExceeded):
            return self.sent.is_set() if self.events else True  # a transport that tells nothing: assume sent
        return not isinstance(exc, _NOT_SENT)


class _Core:
    """What both clients share, with no I/O: building requests, deciding retries, reading answers."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        auth: Auth,
        format: Format,
        timeout: float | httpx.Timeout,
        validate: bool,
        max_retries: int,
        max_answer_bytes: int,
        clock: Callable[[], float],
        rng: random.Random | None,
    ) -> None:
        if not isinstance(token, str) or not token:
            raise InvalidInput("token: a non-empty API token is required", field="token")
        if auth not in ("body", "bearer"):
            raise InvalidInput(f"auth must be 'body' or 'bearer', not {auth!r}", field="auth")
        if format not in ("json", "xml"):
            raise InvalidInput(f"format must be 'json' or 'xml', not {format!r}", field="format")
        if max_retries < 0:
            raise InvalidInput("max_retries must be >= 0", field="max_retries")
        if max_answer_bytes < 1:
            raise InvalidInput("max_answer_bytes must be positive", field="max_answer_bytes")
        if auth == "bearer" and not _HEADER_SAFE.fullmatch(token):
            raise InvalidInput(
                "token: it holds characters an HTTP header cannot carry (non-ASCII or control characters); "
                "send it in the body with auth='body'",
                field="token",
            )
        try:
            self._host = httpx.URL(base_url).host or base_url
        except httpx.InvalidURL:
            raise InvalidInput("base_url: not a valid URL", field="base_url") from None
        self.base_url = base_url.rstrip("/")
        self._token = _Secret(token)
        # The forms an echo of the request can show the token in: as sent, JSON-escaped, XML-escaped.
        forms = {token, orjson.dumps(token).decode()[1:-1], json.dumps(token)[1:-1], _xml._escape(token)}
        self._token_forms = tuple(_Secret(f) for f in sorted(forms, key=len, reverse=True))
        self.auth: Auth = auth
        self.format: Format = format
        self.validate = validate
        self.max_retries = max_retries
        self.max_answer_bytes = max_answer_bytes
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        # A number bounds each attempt as a whole; an httpx.Timeout bounds its phases only.
        self._attempt_total = None if isinstance(timeout, httpx.Timeout) else float(timeout)
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self.auth!r}, format={self.format!r})"

    def chunks(
        self, items: Iterable[T], max_items: int = RECOMMENDED_ITEMS, max_bytes: int = DEFAULT_CHUNK_BYTES
    ) -> Iterator[list[T]]:
        """:func:`altcraft.chunk_profiles` measured in this client's format (XML is larger than JSON)."""
        return chunk_profiles(items, max_items, max_bytes, format=self.format)

    # -- building ----------------------------------------------------------------------------------
    def _redact(self, text: str) -> str:
        for secret in self._token_forms:
            form = secret.get()
            if form in text:
                text = text.replace(form, "***")
        return text

    def _build(
        self, operation: str, body: Body, extra_body: Mapping[str, Any] | None
    ) -> tuple[bytes, dict[str, str], int]:
        """The encoded body and headers of a request; validation and limits happen here, before sending."""
        try:
            return self._encode(operation, body, extra_body)
        except RecursionError:
            raise InvalidInput(
                f"{operation}: the body is nested too deeply to encode", field="body", operation=operation
            ) from None

    def _encode(
        self, operation: str, body: Body, extra_body: Mapping[str, Any] | None
    ) -> tuple[bytes, dict[str, str], int]:
        if operation not in OPERATIONS:
            raise InvalidInput(f"unknown operation {operation!r}", field="operation")
        if is_model(body):
            plain: dict[str, Any] = to_plain(body)
        elif isinstance(body, Mapping):
            # A deep copy only when something must look inside (validation, XML); JSON has a fast path.
            plain = to_plain(body) if self.validate or self.format == "xml" else dict(body)
        else:
            raise InvalidInput(
                f"{operation}: the body must be a mapping or a generated model, not {type(body).__name__}",
                field="body",
                operation=operation,
            )
        plain.pop("token", None)
        if self.validate:
            raise_or_warn(operation, *check(operation, plain))
        if extra_body:
            plain.update(to_plain(dict(extra_body)))
        count = len(plain["data"]) if operation in _BATCH_OPERATIONS and isinstance(plain.get("data"), list) else 0
        if count:
            warn_if_many(operation, count)
        if self.auth == "body":
            plain["token"] = self._token.get()
        headers = {"Accept": "application/json, application/xml"}
        if self.format == "xml":
            if operation != "task_status":
                plain.setdefault("format", "xml")
            content = _xml.encode_request(operation, plain)
            headers["Content-Type"] = "application/xml"
        else:
            unencodable = None
            try:
                content = dumps(plain)
            except TypeError as exc:
                unencodable = self._redact(str(exc))
            if unencodable is not None:
                where = _unencodable_path(plain, "") or "body"
                raise InvalidInput(f"{operation}: {where}: {unencodable}", field=where, operation=operation)
            headers["Content-Type"] = "application/json"
        if self.auth == "bearer":
            headers["Authorization"] = f"Bearer {self._token.get()}"
        check_body_size(operation, len(content), has_files=has_files(plain))
        return content, headers, count

    def _start(
        self,
        operation: str,
        body: Body,
        timeout: float | None,
        extra_body: Mapping[str, Any] | None,
        plain: bool = False,
    ) -> _Call:
        if timeout is not None and timeout < 0:
            raise InvalidInput("timeout must be >= 0", field="timeout", operation=operation)
        content, headers, count = self._build(operation, body, extra_body)
        now = self._clock()
        deadline = None if timeout is None else now + timeout
        return _Call(operation, content, headers, count, deadline, started=now, plain=plain)

    def _url(self, operation: str) -> str:
        return f"{self.base_url}{OPERATIONS[operation]['path']}"

    def _budget(self, call: _Call) -> tuple[httpx.Timeout, float | None]:
        """The httpx timeouts of the next attempt and its total time (None: the per-read timeouts only)."""
        call.attempts += 1
        if call.deadline is None:
            return self._timeout, self._attempt_total
        remaining = call.deadline - self._clock()
        if remaining <= 0:
            raise self._deadline_error(call, sent=False)
        phases = [v for v in (self._timeout.connect, self._timeout.read, self._timeout.write) if v is not None]
        call.deadline_bound = remaining <= min(phases, default=remaining) and (
            self._attempt_total is None or remaining <= self._attempt_total
        )
        if self._attempt_total is not None:
            remaining = min(remaining, self._attempt_total)
        parts = {
            name: remaining if value is None else min(value, remaining)
            for name, value in (
                ("connect", self._timeout.connect),
                ("read", self._timeout.read),
                ("write", self._timeout.write),
                ("pool", self._timeout.pool),
            )
        }
        return httpx.Timeout(**parts), remaining

    # -- deciding ----------------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        return float(self._rng.uniform(0, min(2.0, 0.1 * 2**attempt)))

    def _pause(self, call: _Call, retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None when no attempt may follow."""
        if call.attempts > self.max_retries:
            return None
        delay = self._backoff(call.attempts) if retry_after is None else min(retry_after, _MAX_RETRY_AFTER)
        if call.deadline is not None and self._clock() + delay >= call.deadline:
            return None
        return delay

    def _deadline_error(self, call: _Call, *, sent: bool) -> TransportError:
        if sent and call.operation != "task_status":
            return self._unknown(call, "the deadline passed before the answer came")
        return TransportError(
            f"{call.operation}: no answer from {self._host} within the deadline ({call.attempts} attempt(s))",
            operation=call.operation,
        )

    def _unknown(self, call: _Call, detail: str) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"{call.operation}: the request was sent to {self._host} but no answer came back ({detail}). "
            "Altcraft may have imported the profiles and launched the trigger or workflow; it was not "
            "retried automatically, because a repeat could launch it twice",
            operation=call.operation,
        )

    def _failed(self, call: _Call, exc: BaseException, trace: _Trace) -> _Retry:
        """An attempt that got no answer: a pause before the next one, or the final exception."""
        sent = trace.was_sent(exc)
        # A timeout that is the deadline's own (the attempt had only the deadline's remaining time) is the
        # deadline passing, however close httpx's timer and our clock are.
        if isinstance(exc, _DeadlineExceeded) or (isinstance(exc, httpx.TimeoutException) and call.deadline_bound):
            raise self._deadline_error(call, sent=sent)
        detail = f"{type(exc).__name__}: {self._redact(str(exc)) or 'no detail'}"
        if not sent or call.operation == "task_status":
            delay = self._pause(call, None)
            if delay is not None:
                logger.info(
                    "%s: %s from %s (attempt %d); retrying in %.2f s",
                    call.operation,
                    detail,
                    self._host,
                    call.attempts,
                    delay,
                )
                return _Retry(delay)
        if sent and call.operation != "task_status":
            raise self._unknown(call, detail)
        raise TransportError(
            f"{call.operation}: could not reach {self._host} after {call.attempts} attempt(s): {detail}",
            operation=call.operation,
        )

    def _answered(self, call: _Call, status: int, headers: httpx.Headers, content: bytes) -> Any:
        """The success model of an answer, a :class:`_Retry`, or the exception its envelope stands for."""
        try:
            result = self._parse(call.operation, status, headers, content, plain=call.plain)
        except AltcraftError as exc:
            # A 429 proves the request was refused (nothing done): repeating it is safe for every operation.
            # Other 5xx are repeated only for /tasks/status, which changes nothing.
            safe = status == 429 or (isinstance(exc, ServerError) and exc.retry_safe)
            if safe:
                delay = self._pause(call, _retry_after(headers.get("retry-after")))
                if delay is not None:
                    logger.info(
                        "%s: HTTP %d from %s (attempt %d); retrying in %.2f s",
                        call.operation,
                        status,
                        self._host,
                        call.attempts,
                        delay,
                    )
                    return _Retry(delay)
            raise
        logger.debug(
            "%s: %d bytes (%s, %d profiles) -> HTTP %d in %.3f s, %d attempt(s)",
            call.operation,
            len(call.content),
            self.format,
            call.count,
            status,
            self._clock() - call.started,
            call.attempts,
        )
        return result

    def _too_large(self, call: _Call, size: int) -> ProtocolError:
        return ProtocolError(
            f"{call.operation}: the answer from {self._host} is larger than max_answer_bytes="
            f"{self.max_answer_bytes} (at least {size} bytes); it was not read",
            operation=call.operation,
        )

    def _parse(
        self, operation: str, status: int, headers: httpx.Headers, content: bytes, *, plain: bool = False
    ) -> Any:
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
            unreadable = self._redact(str(exc))[:_ERROR_TEXT_CHARS]
        if unreadable is not None:
            if status >= 400:
                raise error_for(
                    operation=operation,
                    http_status=status,
                    code=None,
                    error_text=self._redact(content.decode("utf-8", "replace"))[:_ERROR_TEXT_CHARS],
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
                error_text=self._redact(str(text)) if text is not None else None,
                error_debug=self._redact(str(debug)) if debug is not None else None,
                retry_safe=retry_safe,
            )
        return data if plain else self._model(operation, status, data)

    def _model(self, operation: str, status: int | None, data: dict[str, Any]) -> Any:
        """The success model of an answer's decoded JSON; :class:`ProtocolError` when it is not that model."""
        model = getattr(models, OPERATIONS[operation]["response_schemas"][0])
        try:
            return to_model(model, data)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            unreadable = self._redact(repr(exc))[:_ERROR_TEXT_CHARS]
        raise ProtocolError(
            f"{operation}: the answer is not the documented {model.__name__}: {unreadable}",
            http_status=status,
            operation=operation,
        )

    def _observe(self, poller: Poller, answer: Any, *, plain: bool) -> Any:
        """One status answer given to the poller: the final status when the task completed, else None.

        ``plain``: the answer is decoded JSON. The poller (and ``on_progress``) gets its model built
        without the list of imported profiles, which is what costs (a model per profile), and the final
        answer is returned as the JSON, whose profile ids the caller reads (bulk import does).
        """
        if not plain:
            return poller.observe(answer)
        done = poller.observe(self._model("task_status", None, _without_profiles(answer)))
        return None if done is None else answer

    # -- the generated client ------------------------------------------------------------------------
    def _inject(self, request: httpx.Request) -> httpx.Request:
        """A request of the generated functions with this client's token (header or JSON body)."""
        headers = httpx.Headers(request.headers)
        content = request.content
        if self.auth == "bearer":
            headers["Authorization"] = f"Bearer {self._token.get()}"
        elif headers.get("content-type", "").startswith("application/json") and content:
            body = orjson.loads(content)
            if isinstance(body, dict) and not body.get("token"):
                body["token"] = self._token.get()
                content = orjson.dumps(body)
                headers["Content-Length"] = str(len(content))
        return httpx.Request(
            request.method, request.url, headers=headers, content=content, extensions=request.extensions
        )

    def _generated(self, transport: httpx.BaseTransport | httpx.AsyncBaseTransport) -> Client:
        generated = Client(base_url=self.base_url)
        if isinstance(transport, httpx.AsyncBaseTransport):
            generated.set_async_httpx_client(httpx.AsyncClient(base_url=self.base_url, transport=transport))
        else:
            generated.set_httpx_client(httpx.Client(base_url=self.base_url, transport=transport))
        return generated


def _without_profiles(answer: dict[str, Any]) -> dict[str, Any]:
    """A task status answer with its list of imported profiles (``data.result.result``) left empty."""
    data = answer.get("data")
    if not isinstance(data, dict):
        return answer
    result = data.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("result"), list):
        return answer
    return {**answer, "data": {**data, "result": {**result, "result": []}}}


def _retry_after(value: str | None) -> float | None:
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


class _Capped:
    """An answer's body, read in chunks up to ``cap`` bytes (a larger declared or actual size raises)."""

    def __init__(self, cap: int, headers: httpx.Headers) -> None:
        self.cap = cap
        self.out = bytearray()
        try:
            declared = int(headers["content-length"])
        except (KeyError, ValueError):
            return
        if declared > cap:
            raise _AnswerTooLarge(declared)

    def add(self, chunk: bytes) -> None:
        self.out += chunk
        if len(self.out) > self.cap:
            raise _AnswerTooLarge(len(self.out))

    def content(self) -> bytes:
        return bytes(self.out)


def _unencodable_path(value: Any, path: str) -> str | None:
    """The path of the first value JSON cannot carry (an integer beyond 64 bits, a foreign type); error path only."""
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return None
    if isinstance(value, int):
        return path if not -(2**63) <= value < 2**64 else None
    if isinstance(value, Mapping):
        for key, sub in value.items():
            found = _unencodable_path(sub, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for i, sub in enumerate(value):
            found = _unencodable_path(sub, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    return path or "body"


def _check_task_id(task_id: object) -> str:
    if not isinstance(task_id, str) or not task_id:
        raise InvalidInput("task_id: a non-empty task id is required", field="task_id", operation="task_status")
    return task_id


class _SharedTransport(httpx.BaseTransport):
    """The overlay's connection pool as the generated client's transport: adds the token; close is a no-op."""

    def __init__(self, core: _Core, http: httpx.Client) -> None:
        self._core = core
        self._http = http

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core.base_url!r})"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._http.send(self._core._inject(request), stream=True)
        return httpx.Response(response.status_code, headers=response.headers, stream=response.stream)

    def close(self) -> None:
        """The pool belongs to the overlay client; ``with client.generated:`` leaves it open."""


class _AsyncSharedTransport(httpx.AsyncBaseTransport):
    def __init__(self, core: _Core, http: httpx.AsyncClient) -> None:
        self._core = core
        self._http = http

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core.base_url!r})"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._http.send(self._core._inject(request), stream=True)
        return httpx.Response(response.status_code, headers=response.headers, stream=response.stream)

    async def aclose(self) -> None:
        """The pool belongs to the overlay client; ``async with client.generated:`` leaves it open."""


class TaskHandle:
    """A task started by a ``*_task`` method: its id, its status, and waiting for it."""

    def __init__(self, client: Altcraft, accepted: TaskAccepted) -> None:
        self._client = client
        self.accepted = accepted
        self.task_id: str = accepted.task_id

    def __repr__(self) -> str:
        return f"TaskHandle(task_id={self.task_id!r})"

    def status(self) -> TaskStatus:
        """One /tasks/status request."""
        return self._client.task_status(self.task_id)

    def wait(
        self,
        *,
        timeout: float = 600.0,
        poll_interval: float = 0.5,
        max_interval: float = 10.0,
        backoff: float = 2.0,
        jitter: bool = True,
        on_progress: Callable[[TaskStatus], Any] | None = None,
        cancel: threading.Event | None = None,
    ) -> TaskStatus:
        """Wait for the task; see :meth:`Altcraft.wait_task`."""
        return self._client.wait_task(
            self.task_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            backoff=backoff,
            jitter=jitter,
            on_progress=on_progress,
            cancel=cancel,
        )


class AsyncTaskHandle:
    """A task started by a ``*_task`` method of :class:`AsyncAltcraft`."""

    def __init__(self, client: AsyncAltcraft, accepted: TaskAccepted) -> None:
        self._client = client
        self.accepted = accepted
        self.task_id: str = accepted.task_id

    def __repr__(self) -> str:
        return f"AsyncTaskHandle(task_id={self.task_id!r})"

    async def status(self) -> TaskStatus:
        """One /tasks/status request."""
        return await self._client.task_status(self.task_id)

    async def wait(
        self,
        *,
        timeout: float = 600.0,
        poll_interval: float = 0.5,
        max_interval: float = 10.0,
        backoff: float = 2.0,
        jitter: bool = True,
        on_progress: Callable[[TaskStatus], Any] | None = None,
    ) -> TaskStatus:
        """Wait for the task; see :meth:`AsyncAltcraft.wait_task`."""
        return await self._client.wait_task(
            self.task_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            backoff=backoff,
            jitter=jitter,
            on_progress=on_progress,
        )


class Altcraft(_Core):
    """Synchronous Altcraft client.

    Args:
        base_url: the installation's address, e.g. ``https://example.com``.
        token: the API token. Never logged, shown in reprs or put in URLs and exception texts.
        auth: ``"body"`` sends the token as the ``token`` body field (every doc page), ``"bearer"`` as
            ``Authorization: Bearer``.
        timeout: seconds (or an ``httpx.Timeout``) for each HTTP attempt. Each operation also takes an
            overall ``timeout`` that bounds all its attempts together.
        format: ``"json"`` or ``"xml"``: the encoding of requests (answers are read in either).
        http_client: an ``httpx.Client`` to send with (its base URL is not used); or
        transport: an httpx transport for a client created here (e.g. ``altcraft_mock.transport(app)``).
        validate: check each request against openapi.yaml before sending (see :func:`altcraft.validate`).
        max_retries: retries of requests that did not reach the server (connection errors) or that the
            server refused with 429, and for /tasks/status also of network errors and 5xx answers.
            ``Retry-After`` is honoured (at most 60 s, never past a deadline).
        max_answer_bytes: answers larger than this are refused unread (:class:`ProtocolError`).
        clock, sleep, rng: injectable time source, sleep function and random generator (for tests).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        auth: Auth = "body",
        timeout: float | httpx.Timeout = 30.0,
        format: Format = "json",
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        validate: bool = True,
        max_retries: int = 2,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(
            base_url,
            token,
            auth=auth,
            format=format,
            timeout=timeout,
            validate=validate,
            max_retries=max_retries,
            max_answer_bytes=max_answer_bytes,
            clock=clock,
            rng=rng,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)
        self._sleep = sleep
        self._workers: concurrent.futures.ThreadPoolExecutor | None = None
        self._workers_lock = threading.Lock()

    def __enter__(self) -> Altcraft:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._workers is not None:
            self._workers.shutdown(wait=False, cancel_futures=True)
        if self._owns_http:
            self._http.close()

    @property
    def generated(self) -> Client:
        """An ``altcraft_api`` client on this client's connection pool and token, for the generated functions.

        Closing it (``with client.generated:``) leaves this client's pool open.
        """
        return self._generated(_SharedTransport(self, self._http))

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._workers_lock:
            if self._workers is None:
                self._workers = concurrent.futures.ThreadPoolExecutor(64, thread_name_prefix="altcraft")
            return self._workers

    def _exchange(self, call: _Call, timeout: httpx.Timeout, trace: _Trace, stop: threading.Event) -> Any:
        request = self._http.build_request(
            "POST",
            self._url(call.operation),
            content=call.content,
            headers=call.headers,
            timeout=timeout,
            extensions={"trace": trace},
        )
        response = self._http.send(request, stream=True)
        try:
            body = _Capped(self.max_answer_bytes, response.headers)
            for chunk in response.iter_bytes():
                body.add(chunk)
                if stop.is_set():
                    raise _DeadlineExceeded
        finally:
            response.close()
        return response.status_code, response.headers, body.content()

    def _attempt(self, call: _Call, timeout: httpx.Timeout, total: float | None, trace: _Trace) -> Any:
        """One attempt in a worker thread, waited for at most ``total`` seconds."""
        if total is None:
            return self._exchange(call, timeout, trace, threading.Event())
        stop = threading.Event()
        future = self._pool().submit(self._exchange, call, timeout, trace, stop)
        try:
            return future.result(timeout=total)
        except concurrent.futures.TimeoutError:
            stop.set()  # the worker drops the answer when it next wakes; its connection is discarded
            raise _DeadlineExceeded from None

    def _request(
        self,
        operation: Operation,
        body: Body,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        plain: bool = False,
    ) -> Any:
        """Send one operation (by operationId) and return its generated success model.

        ``timeout`` bounds the whole call, retries and pauses included. ``extra_body`` adds parameters
        that openapi.yaml does not know yet (newer docs); they are sent unvalidated. ``plain=True``
        returns the answer's decoded JSON (a ``dict``, its error envelope checked as always) instead
        of the model: for callers that read a few fields of a large answer, such as the profile ids
        of a 10,000-profile batch, without building a model per profile.
        """
        call = self._start(operation, body, timeout, extra_body, plain)
        while True:
            http_timeout, total = self._budget(call)
            trace = _Trace()
            failure: BaseException | None = None
            try:
                status, headers, content = self._attempt(call, http_timeout, total, trace)
            except (httpx.HTTPError, _DeadlineExceeded, _AnswerTooLarge) as exc:
                failure = exc  # handled below, outside the except block: no exception chain to the token
            if isinstance(failure, _AnswerTooLarge):
                raise self._too_large(call, failure.size)
            if failure is None:
                step = self._answered(call, status, headers, content)
                if not isinstance(step, _Retry):
                    return step
            else:
                step = self._failed(call, failure, trace)
                failure = None
            self._sleep(step.delay)

    # request() as its generated signature: one overload per operationId, each returning its answer's model
    # (altcraft_api.params.SyncRequest); the implementation is _request.
    if TYPE_CHECKING:
        request: SyncRequest
    else:
        request = _request

    # -- operations --------------------------------------------------------------------------------
    def import_profile(
        self,
        body: ImportProfileParams | ImportProfileRequest,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ProfileImported:
        """POST /api/v1.1/profiles/import: import (add or update) one profile."""
        return cast(ProfileImported, self.request("import_profile", body, timeout=timeout, extra_body=extra_body))

    def import_and_start_batch(
        self,
        body: ImportAndStartBatchParams | ImportAndStartBatchRequest,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> BatchResult:
        """POST /api/v1.1/campaigns/triggers/import_and_start_batch: import profiles, launch a trigger."""
        answer = self.request("import_and_start_batch", body, timeout=timeout, extra_body=extra_body)
        return cast(BatchResult, answer)

    def import_and_start_batch_task(
        self,
        body: ImportAndStartBatchTaskParams | ImportAndStartBatchTaskRequest,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> TaskHandle:
        """POST .../triggers/import_and_start_batch_task: the same as a task; returns its handle at once."""
        answer = self.request("import_and_start_batch_task", body, timeout=timeout, extra_body=extra_body)
        return TaskHandle(self, cast(TaskAccepted, answer))

    def workflow_import_and_start_batch_task(
        self,
        body: WorkflowImportAndStartBatchTaskParams | WorkflowImportAndStartBatchTaskRequest,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> TaskHandle:
        """POST /api/v1.1/workflows/import_and_start_batch_task: import profiles into a workflow, as a task."""
        answer = self.request("workflow_import_and_start_batch_task", body, timeout=timeout, extra_body=extra_body)
        return TaskHandle(self, cast(TaskAccepted, answer))

    def task_status(self, task_id: str | TaskStatusRequest, *, timeout: float | None = None) -> TaskStatus:
        """POST /api/v1.1/tasks/status: one status request (retried on network errors and 5xx)."""
        body = task_id if isinstance(task_id, TaskStatusRequest) else {"task_id": _check_task_id(task_id)}
        return self.request("task_status", body, timeout=timeout)

    def wait_task(
        self,
        task_id: str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 0.5,
        max_interval: float = 10.0,
        backoff: float = 2.0,
        jitter: bool = True,
        on_progress: Callable[[TaskStatus], Any] | None = None,
        cancel: threading.Event | None = None,
    ) -> TaskStatus:
        """Poll /tasks/status until the task completes and return its final status.

        Raises :class:`TaskFailed` if the task ends in an error, :class:`TaskTimeout` (carrying the
        task_id, to resume later) once ``timeout`` seconds have passed — each status request gets only
        the time that is left, so a slow or silent server cannot stretch the wait — and
        :class:`WaitCancelled` when ``cancel`` is set. Unknown statuses, network errors and 5xx answers
        keep it polling until the deadline.
        """
        settings = PollSettings(timeout, poll_interval, max_interval, backoff, jitter)
        return cast(TaskStatus, self._wait(task_id, settings, on_progress, cancel, plain=False))

    def _wait(
        self,
        task_id: str,
        settings: PollSettings,
        on_progress: Callable[[TaskStatus], Any] | None,
        cancel: threading.Event | None,
        *,
        plain: bool,
    ) -> Any:
        """The loop of :meth:`wait_task`; ``plain``: the final status as decoded JSON (see ``_observe``)."""
        poller = Poller(_check_task_id(task_id), settings, self._clock, self._rng, on_progress)
        while True:
            answer = None
            budget = poller.budget()
            try:
                answer = self.request("task_status", {"task_id": task_id}, timeout=budget, plain=plain)
            except AltcraftError as exc:
                poller.failed(exc)
            if answer is not None:
                done = self._observe(poller, answer, plain=plain)
                if done is not None:
                    return done
            delay = poller.next_delay()
            if cancel is not None:
                if cancel.wait(delay):
                    raise WaitCancelled(f"waiting for task {task_id} was cancelled", task_id=task_id)
            else:
                self._sleep(delay)


class AsyncAltcraft(_Core):
    """Asyncio Altcraft client; the arguments are those of :class:`Altcraft` (``sleep`` is async)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        auth: Auth = "body",
        timeout: float | httpx.Timeout = 30.0,
        format: Format = "json",
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        validate: bool = True,
        max_retries: int = 2,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(
            base_url,
            token,
            auth=auth,
            format=format,
            timeout=timeout,
            validate=validate,
            max_retries=max_retries,
            max_answer_bytes=max_answer_bytes,
            clock=clock,
            rng=rng,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport)
        self._sleep = sleep

    async def __aenter__(self) -> AsyncAltcraft:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owns_http:
            await self._http.aclose()

    @property
    def generated(self) -> Client:
        """An ``altcraft_api`` client on this client's pool and token, for the generated ``asyncio`` functions."""
        return self._generated(_AsyncSharedTransport(self, self._http))

    async def _exchange(self, call: _Call, timeout: httpx.Timeout, trace: _Trace) -> Any:
        request = self._http.build_request(
            "POST",
            self._url(call.operation),
            content=call.content,
            headers=call.headers,
            timeout=timeout,
            extensions={"trace": trace.atrace},
        )
        response = await self._http.send(request, stream=True)
        try:
            body = _Capped(self.max_answer_bytes, response.headers)
            async for chunk in response.aiter_bytes():
                body.add(chunk)
        finally:
            await response.aclose()
        return response.status_code, response.headers, body.content()

    async def _attempt(self, call: _Call, timeout: httpx.Timeout, total: float | None, trace: _Trace) -> Any:
        try:
            async with asyncio.timeout(total):
                return await self._exchange(call, timeout, trace)
        except TimeoutError:
            raise _DeadlineExceeded from None

    async def _request(
        self,
        operation: Operation,
        body: Body,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
        plain: bool = False,
    ) -> Any:
        """Send one operation (by operationId) and return its generated success model; see :meth:`Altcraft.request`."""
        call = self._start(operation, body, timeout, extra_body, plain)
        while True:
            http_timeout, total = self._budget(call)
            trace = _Trace()
            failure: BaseException | None = None
            try:
                status, headers, content = await self._attempt(call, http_timeout, total, trace)
            except (httpx.HTTPError, _DeadlineExceeded, _AnswerTooLarge) as exc:
                failure = exc  # handled below, outside the except block: no exception chain to the token
            if isinstance(failure, _AnswerTooLarge):
                raise self._too_large(call, failure.size)
            if failure is None:
                step = self._answered(call, status, headers, content)
                if not isinstance(step, _Retry):
                    return step
            else:
                step = self._failed(call, failure, trace)
                failure = None
            await self._sleep(step.delay)

    # request() as its generated signature (altcraft_api.params.AsyncRequest); the implementation is _request.
    if TYPE_CHECKING:
        request: AsyncRequest
    else:
        request = _request

    async def import_profile(
        self,
        body: ImportProfileParams | ImportProfileRequest,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ProfileImported:
        """POST /api/v1.1/profiles/import: import (add or update) one profile."""
        answer = await self.request("import_profile", body, timeout=timeout, extra_body=extra_body)
        return cast(ProfileImported, answer)

    async def import_and_start_batch(
        self,
        body: ImportAndStartBatchParams | ImportAndStartBatchRequest,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> BatchResult:
        """POST /api/v1.1/campaigns/triggers/import_and_start_batch: import profiles, launch a trigger."""
        answer = await self.request("import_and_start_batch", body, timeout=timeout, extra_body=extra_body)
        return cast(BatchResult, answer)

    async def import_and_start_batch_task(
        self,
        body: ImportAndStartBatchTaskParams | ImportAndStartBatchTaskRequest,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncTaskHandle:
        """POST .../triggers/import_and_start_batch_task: the same as a task; returns its handle at once."""
        answer = await self.request("import_and_start_batch_task", body, timeout=timeout, extra_body=extra_body)
        return AsyncTaskHandle(self, cast(TaskAccepted, answer))

    async def workflow_import_and_start_batch_task(
        self,
        body: WorkflowImportAndStartBatchTaskParams | WorkflowImportAndStartBatchTaskRequest,
        *,
        timeout: float | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> AsyncTaskHandle:
        """POST /api/v1.1/workflows/import_and_start_batch_task: import profiles into a workflow, as a task."""
        operation: Operation = "workflow_import_and_start_batch_task"
        answer = await self.request(operation, body, timeout=timeout, extra_body=extra_body)
        return AsyncTaskHandle(self, cast(TaskAccepted, answer))

    async def task_status(self, task_id: str | TaskStatusRequest, *, timeout: float | None = None) -> TaskStatus:
        """POST /api/v1.1/tasks/status: one status request (retried on network errors and 5xx)."""
        body = task_id if isinstance(task_id, TaskStatusRequest) else {"task_id": _check_task_id(task_id)}
        return await self.request("task_status", body, timeout=timeout)

    async def wait_task(
        self,
        task_id: str,
        *,
        timeout: float = 600.0,
        poll_interval: float = 0.5,
        max_interval: float = 10.0,
        backoff: float = 2.0,
        jitter: bool = True,
        on_progress: Callable[[TaskStatus], Any] | None = None,
    ) -> TaskStatus:
        """Poll /tasks/status until the task completes; see :meth:`Altcraft.wait_task`.

        Cancel by cancelling the awaiting task (``asyncio.CancelledError`` propagates at once).
        """
        settings = PollSettings(timeout, poll_interval, max_interval, backoff, jitter)
        return cast(TaskStatus, await self._wait(task_id, settings, on_progress, plain=False))

    async def _wait(
        self, task_id: str, settings: PollSettings, on_progress: Callable[[TaskStatus], Any] | None, *, plain: bool
    ) -> Any:
        """The loop of :meth:`wait_task`; ``plain``: the final status as decoded JSON (see ``_observe``)."""
        poller = Poller(_check_task_id(task_id), settings, self._clock, self._rng, on_progress)
        while True:
            answer = None
            budget = poller.budget()
            try:
                answer = await self.request("task_status", {"task_id": task_id}, timeout=budget, plain=plain)
            except AltcraftError as exc:
                poller.failed(exc)
            if answer is not None:
                done = self._observe(poller, answer, plain=plain)
                if done is not None:
                    return done
            await self._sleep(poller.next_delay())
