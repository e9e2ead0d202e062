"""The sans-I/O core of both clients: it decides what an attempt's failure or answer means.

``ClientCore`` builds the request bytes (``_requests``), gives each attempt its share of the caller's
deadline, decides whether a failure is retried, is :class:`OutcomeUnknown` or is final, and reads the
answer (``_answers``). Deadlines are total: the time of every attempt and every pause between attempts
counts against the caller's ``timeout``. It also bridges the generated ``altcraft_api`` client onto the
overlay's connection pool and token.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import orjson
from altcraft_api.client import Client

from ._answers import parse_answer, retry_after, success_model, without_profiles
from ._backoff import Backoff
from ._concurrency import DeadlineExceeded
from ._errors import (
    AltcraftError,
    InvalidInput,
    OutcomeUnknown,
    ProtocolError,
    ServerError,
    TransportError,
)
from ._limits import DEFAULT_CHUNK_BYTES, RECOMMENDED_ITEMS, chunk_profiles
from ._polling import Poller
from ._requests import Auth, Body, Call, Encoding, Format, Redactor, Secret, encode_request
from ._schema import OPERATIONS

__all__ = ["DEFAULT_MAX_ANSWER_BYTES", "NOT_SENT", "ClientCore", "Retry", "Trace", "check_task_id"]

logger = logging.getLogger("altcraft")

T = TypeVar("T")

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

DEFAULT_MAX_ANSWER_BYTES = 16 << 20
MAX_RETRY_AFTER = 60.0
RETRY_BACKOFF = Backoff(0.1, 2.0)  # attempt n waits up to min(2 s, 0.1 s * 2**n)
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")  # a Bearer token: visible ASCII only
# What a request whose answer was lost may have done, and what a repeat could do (OutcomeUnknown's text).
_MAY_HAVE_LAUNCHED = ("imported the profiles and launched the trigger or workflow", "launch it")
_MAY_HAVE = {"import_profile": ("imported the profile", "import it")}


@dataclass
class Retry:
    """The decision to try again after ``delay`` seconds."""

    delay: float


@dataclass
class Trace:
    """What httpcore reported of one attempt: whether any part of the request went out."""

    events: bool = False
    sent: threading.Event = field(default_factory=threading.Event)

    def trace(self, name: str, info: Mapping[str, Any]) -> None:
        """httpcore's ``trace`` extension (sync)."""
        self.events = True
        if "send_request_headers" in name:
            self.sent.set()

    async def atrace(self, name: str, info: Mapping[str, Any]) -> None:
        """httpcore's ``trace`` extension (async)."""
        self.trace(name, info)

    def was_sent(self, exc: BaseException) -> bool:
        """Whether the failed attempt may have reached the server."""
        if isinstance(exc, DeadlineExceeded):
            if not exc.started:
                return False  # never left the queue for a worker
            return self.sent.is_set() if self.events else True  # a transport that tells nothing: assume sent
        return not isinstance(exc, NOT_SENT)


def check_task_id(task_id: object) -> str:
    """``task_id`` when it is a non-empty string; :class:`InvalidInput` otherwise."""
    if not isinstance(task_id, str) or not task_id:
        raise InvalidInput("task_id: a non-empty task id is required", field="task_id", operation="task_status")
    return task_id


class ClientCore:
    """What both clients share, with no I/O: building requests, deciding retries, reading answers.

    The clients (``_async_client.AsyncAltcraft`` and its generated twin ``_sync_client.Altcraft``) subclass
    it and only move bytes.
    """

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
        self._token = Secret(token)
        self._redact = Redactor(token)
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
    def _build(
        self, operation: str, body: Body, extra_body: Mapping[str, Any] | None
    ) -> tuple[bytes, dict[str, str], int]:
        """The encoded body and headers of a request; validation and limits happen here, before sending."""
        how = Encoding(self.format, self.auth, self.validate, self._token, self._redact)
        return encode_request(operation, body, extra_body, how)

    def _start(
        self,
        operation: str,
        body: Body,
        timeout: float | None,
        extra_body: Mapping[str, Any] | None,
        plain: bool = False,
    ) -> Call:
        if timeout is not None and timeout < 0:
            raise InvalidInput("timeout must be >= 0", field="timeout", operation=operation)
        content, headers, count = self._build(operation, body, extra_body)
        now = self._clock()
        deadline = None if timeout is None else now + timeout
        return Call(operation, content, headers, count, deadline, started=now, plain=plain)

    def _url(self, operation: str) -> str:
        return f"{self.base_url}{OPERATIONS[operation]['path']}"

    def _budget(self, call: Call) -> tuple[httpx.Timeout, float | None]:
        """The httpx timeouts of the next attempt and its total time (None: the per-read timeouts only)."""
        call.attempts += 1
        if call.deadline is None:
            return self._timeout, self._attempt_total
        remaining = call.deadline - self._clock()
        if remaining <= 0:
            raise self._deadline_error(call, sent=False)
        given = self._timeout.as_dict()  # connect, read, write, pool
        phases = [v for name in ("connect", "read", "write") if (v := given[name]) is not None]
        call.deadline_bound = remaining <= min(phases, default=remaining) and (
            self._attempt_total is None or remaining <= self._attempt_total
        )
        if self._attempt_total is not None:
            remaining = min(remaining, self._attempt_total)
        parts = {name: remaining if value is None else min(value, remaining) for name, value in given.items()}
        return httpx.Timeout(**parts), remaining

    # -- deciding ----------------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        return RETRY_BACKOFF.delay(attempt, self._rng)

    def _pause(self, call: Call, retry_after: float | None) -> float | None:
        """Seconds to wait before the next attempt, or None when no attempt may follow."""
        if call.attempts > self.max_retries:
            return None
        delay = self._backoff(call.attempts) if retry_after is None else min(retry_after, MAX_RETRY_AFTER)
        if call.deadline is not None and self._clock() + delay >= call.deadline:
            return None
        return delay

    def _retry(self, call: Call, retry_after: float | None, what: str) -> Retry | None:
        """The :class:`Retry` after a failure ``what`` (logged), or None when no attempt may follow."""
        delay = self._pause(call, retry_after)
        if delay is None:
            return None
        logger.info(
            "%s: %s from %s (attempt %d); retrying in %.2f s", call.operation, what, self._host, call.attempts, delay
        )
        return Retry(delay)

    def _deadline_error(self, call: Call, *, sent: bool) -> TransportError:
        if sent and call.operation != "task_status":
            return self._unknown(call, "the deadline passed before the answer came")
        return TransportError(
            f"{call.operation}: no answer from {self._host} within the deadline ({call.attempts} attempt(s))",
            operation=call.operation,
        )

    def _unknown(self, call: Call, detail: str) -> OutcomeUnknown:
        done, again = _MAY_HAVE.get(call.operation, _MAY_HAVE_LAUNCHED)
        return OutcomeUnknown(
            f"{call.operation}: the request was sent to {self._host} but no answer came back ({detail}). "
            f"Altcraft may have {done}; it was not retried automatically, because a repeat could {again} twice",
            operation=call.operation,
        )

    def _failed(self, call: Call, exc: BaseException, trace: Trace) -> Retry:
        """An attempt that got no answer: a pause before the next one, or the final exception."""
        sent = trace.was_sent(exc)
        # A timeout that is the deadline's own (the attempt had only the deadline's remaining time) is the
        # deadline passing, however close httpx's timer and our clock are.
        if isinstance(exc, DeadlineExceeded) or (isinstance(exc, httpx.TimeoutException) and call.deadline_bound):
            raise self._deadline_error(call, sent=sent)
        detail = f"{type(exc).__name__}: {self._redact(str(exc)) or 'no detail'}"
        if not sent or call.operation == "task_status":
            retry = self._retry(call, None, detail)
            if retry is not None:
                return retry
        if sent and call.operation != "task_status":
            raise self._unknown(call, detail)
        raise TransportError(
            f"{call.operation}: could not reach {self._host} after {call.attempts} attempt(s): {detail}",
            operation=call.operation,
        )

    def _answered(self, call: Call, status: int, headers: httpx.Headers, content: bytes) -> Any:
        """The success model of an answer, a :class:`Retry`, or the exception its envelope stands for."""
        try:
            result = self._parse(call.operation, status, headers, content, plain=call.plain)
        except AltcraftError as exc:
            exc.retry_after = retry_after(headers.get("retry-after"))
            # A 429 proves the request was refused (nothing done): repeating it is safe for every operation.
            # Other 5xx are repeated only for /tasks/status, which changes nothing.
            safe = status == 429 or (isinstance(exc, ServerError) and exc.retry_safe)
            retry = self._retry(call, exc.retry_after, f"HTTP {status}") if safe else None
            if retry is not None:
                return retry
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

    def _too_large(self, call: Call, size: int) -> ProtocolError:
        return ProtocolError(
            f"{call.operation}: the answer from {self._host} is larger than max_answer_bytes="
            f"{self.max_answer_bytes} (at least {size} bytes); it was not read",
            operation=call.operation,
        )

    def _parse(
        self, operation: str, status: int, headers: httpx.Headers, content: bytes, *, plain: bool = False
    ) -> Any:
        return parse_answer(operation, status, headers, content, plain=plain, redact=self._redact)

    def _model(self, operation: str, status: int | None, data: dict[str, Any]) -> Any:
        return success_model(operation, status, data, self._redact)

    def _observe(self, poller: Poller, answer: Any, *, plain: bool) -> Any:
        """One status answer given to the poller: the final status when the task completed, else None.

        ``plain``: the answer is decoded JSON. The poller (and ``on_progress``) gets its model built
        without the list of imported profiles, which is what costs (a model per profile), and the final
        answer is returned as the JSON, whose profile ids the caller reads (bulk import does).
        """
        if not plain:
            return poller.observe(answer)
        done = poller.observe(self._model("task_status", None, without_profiles(answer)))
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
