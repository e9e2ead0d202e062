"""The clients: ``Altcraft`` (sync) and ``AsyncAltcraft`` (asyncio)."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, cast

import httpx
import orjson
from altcraft_api import models
from altcraft_api.client import AuthenticatedClient, Client
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
from ._limits import check_body_size, has_files, warn_if_many
from ._models import to_model
from ._polling import Poller, PollSettings
from ._schema import OPERATIONS
from ._serialize import dumps, is_model, to_plain
from ._validate import check, raise_or_warn

__all__ = ["Altcraft", "AsyncAltcraft", "AsyncTaskHandle", "TaskHandle"]

logger = logging.getLogger("altcraft")

Auth = Literal["body", "bearer"]
Format = Literal["json", "xml"]
Body = Mapping[str, Any] | Any  # a plain mapping in the JSON form, or the operation's generated model

_BATCH_OPERATIONS = {"import_and_start_batch", "import_and_start_batch_task", "workflow_import_and_start_batch_task"}
# Errors raised before the request reached the server: safe to repeat for every operation.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


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


class _Core:
    """What both clients share: building the request bytes and reading the answer."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        auth: Auth,
        format: Format,
        validate: bool,
        max_retries: int,
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
        self.base_url = base_url.rstrip("/")
        self._token = _Secret(token)
        self.auth: Auth = auth
        self.format: Format = format
        self.validate = validate
        self.max_retries = max_retries
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self.auth!r}, format={self.format!r})"

    # -- request -----------------------------------------------------------------------------------
    def _redact(self, text: str | None) -> str | None:
        if text is None:
            return None
        token = self._token.get()
        return text.replace(token, "***") if token in text else text

    def build(self, operation: str, body: Body) -> tuple[bytes, dict[str, str], int]:
        """The encoded body and headers of a request; validation and limits happen here, before sending."""
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
            try:
                content = dumps(plain)
            except TypeError as exc:
                raise InvalidInput(f"{operation}: {exc}", field="body", operation=operation) from None
            headers["Content-Type"] = "application/json"
        if self.auth == "bearer":
            headers["Authorization"] = f"Bearer {self._token.get()}"
        check_body_size(operation, len(content), has_files=has_files(plain))
        return content, headers, count

    def default_headers(self) -> dict[str, str]:
        """Headers of a connection pool created here: the Bearer token, so the generated functions have it."""
        return {"Authorization": f"Bearer {self._token.get()}"} if self.auth == "bearer" else {}

    def url(self, operation: str) -> str:
        return f"{self.base_url}{OPERATIONS[operation]['path']}"

    # -- answer ------------------------------------------------------------------------------------
    def parse(self, operation: str, response: httpx.Response) -> Any:
        """The generated success model of an answer, or the exception its error envelope stands for."""
        status = response.status_code
        content = response.content
        media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        retry_safe = operation == "task_status"
        try:
            if media.endswith("xml") or (not media.endswith("json") and content.lstrip()[:1] == b"<"):
                data: Any = _xml.decode_response(operation, content)
            else:
                data = orjson.loads(content)
        except (orjson.JSONDecodeError, ProtocolError) as exc:
            if status >= 400:
                raise error_for(
                    operation=operation,
                    http_status=status,
                    code=None,
                    error_text=self._redact(content[:200].decode("utf-8", "replace")),
                    error_debug=None,
                    retry_safe=retry_safe,
                ) from None
            raise ProtocolError(
                f"{operation}: the answer (HTTP {status}, {media or 'no content type'}) is not readable: "
                f"{self._redact(str(exc))}",
                http_status=status,
                operation=operation,
            ) from None
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
                code=code if isinstance(code, int) else None,
                error_text=self._redact(str(text)) if text is not None else None,
                error_debug=self._redact(str(debug)) if debug is not None else None,
                retry_safe=retry_safe,
            )
        model = getattr(models, OPERATIONS[operation]["response_schemas"][0])
        try:
            return to_model(model, data)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise ProtocolError(
                f"{operation}: the answer is not the documented {model.__name__}: {exc!r}",
                http_status=status,
                operation=operation,
            ) from None

    def transport_error(self, operation: str, exc: httpx.HTTPError, sent: bool) -> TransportError:
        detail = self._redact(str(exc)) or type(exc).__name__
        if sent and operation != "task_status":
            return OutcomeUnknown(
                f"{operation}: the request was sent but no answer came back ({type(exc).__name__}: {detail}). "
                "Altcraft may have imported the profiles and launched the trigger or workflow; it was not "
                "retried automatically, because a repeat could launch it twice",
                operation=operation,
            )
        return TransportError(f"{operation}: {type(exc).__name__}: {detail}", operation=operation)

    def may_retry(self, operation: str, exc: BaseException) -> bool:
        if isinstance(exc, _NOT_SENT):
            return True
        if operation != "task_status":
            return False
        return isinstance(exc, httpx.TransportError | ServerError)

    def retry_delay(self, attempt: int) -> float:
        return float(self._rng.uniform(0, min(2.0, 0.1 * 2**attempt)))

    def generated_client(self, http: httpx.Client | httpx.AsyncClient) -> Client | AuthenticatedClient:
        """An ``altcraft_api`` client sharing this client's connection pool (for the generated functions)."""
        generated: Client | AuthenticatedClient
        if self.auth == "bearer":
            generated = AuthenticatedClient(base_url=self.base_url, token=self._token.get())
        else:
            generated = Client(base_url=self.base_url)
        if not str(http.base_url):
            return generated  # a caller's pool without a base URL: the generated client opens its own
        if isinstance(http, httpx.AsyncClient):
            generated.set_async_httpx_client(http)
        else:
            generated.set_httpx_client(http)
        return generated


def _check_task_id(task_id: object) -> str:
    if not isinstance(task_id, str) or not task_id:
        raise InvalidInput("task_id: a non-empty task id is required", field="task_id", operation="task_status")
    return task_id


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

    def wait(self, **kwargs: Any) -> TaskStatus:
        """Wait for the task; the keywords are those of :meth:`Altcraft.wait_task`."""
        return self._client.wait_task(self.task_id, **kwargs)


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

    async def wait(self, **kwargs: Any) -> TaskStatus:
        """Wait for the task; the keywords are those of :meth:`AsyncAltcraft.wait_task`."""
        return await self._client.wait_task(self.task_id, **kwargs)


class Altcraft(_Core):
    """Synchronous Altcraft client.

    Args:
        base_url: the installation's address, e.g. ``https://example.com``.
        token: the API token. Never logged, shown in reprs or put in URLs and exception texts.
        auth: ``"body"`` sends the token as the ``token`` body field (every doc page), ``"bearer"`` as
            ``Authorization: Bearer``.
        timeout: seconds (or an ``httpx.Timeout``) for each HTTP request.
        format: ``"json"`` or ``"xml"``: the encoding of requests (answers are read in either).
        http_client: an ``httpx.Client`` to send with (its base URL is not used); or
        transport: an httpx transport for a client created here (e.g. ``altcraft_mock.transport(app)``).
        validate: check each request against openapi.yaml before sending (names the bad field).
        max_retries: retries of requests that did not reach the server (connection errors), and for
            /tasks/status also of network errors and 5xx answers.
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
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(base_url, token, auth=auth, format=format, validate=validate, max_retries=max_retries, rng=rng)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            base_url=self.base_url, timeout=timeout, transport=transport, headers=self.default_headers()
        )
        self._timeout = timeout
        self._clock = clock
        self._sleep = sleep

    def __enter__(self) -> Altcraft:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool (only if this client created it)."""
        if self._owns_http:
            self._http.close()

    @property
    def generated(self) -> Client | AuthenticatedClient:
        """An ``altcraft_api`` client on the same connection pool, for the generated functions."""
        return self.generated_client(self._http)

    def request(self, operation: str, body: Body) -> Any:
        """Send one operation (by operationId) and return its generated success model."""
        content, headers, count = self.build(operation, body)
        url = self.url(operation)
        attempt = 0
        while True:
            started = self._clock()
            try:
                response = self._http.post(url, content=content, headers=headers, timeout=self._timeout)
                result = self.parse(operation, response)
            except (httpx.HTTPError, ServerError) as exc:
                if attempt < self.max_retries and self.may_retry(operation, exc):
                    attempt += 1
                    logger.info("%s: retrying after %s (attempt %d)", operation, type(exc).__name__, attempt + 1)
                    self._sleep(self.retry_delay(attempt))
                    continue
                if isinstance(exc, httpx.HTTPError):
                    raise self.transport_error(operation, exc, sent=not isinstance(exc, _NOT_SENT)) from None
                raise
            logger.debug(
                "%s: %d bytes (%s, %d profiles) -> HTTP %d in %.3f s",
                operation,
                len(content),
                self.format,
                count,
                response.status_code,
                self._clock() - started,
            )
            return result

    # -- operations --------------------------------------------------------------------------------
    def import_profile(self, body: ImportProfileRequest | Mapping[str, Any]) -> ProfileImported:
        """POST /api/v1.1/profiles/import: import (add or update) one profile."""
        return cast(ProfileImported, self.request("import_profile", body))

    def import_and_start_batch(self, body: ImportAndStartBatchRequest | Mapping[str, Any]) -> BatchResult:
        """POST /api/v1.1/campaigns/triggers/import_and_start_batch: import profiles, launch a trigger."""
        return cast(BatchResult, self.request("import_and_start_batch", body))

    def import_and_start_batch_task(self, body: ImportAndStartBatchTaskRequest | Mapping[str, Any]) -> TaskHandle:
        """POST .../triggers/import_and_start_batch_task: the same as a task; returns its handle at once."""
        return TaskHandle(self, cast(TaskAccepted, self.request("import_and_start_batch_task", body)))

    def workflow_import_and_start_batch_task(
        self, body: WorkflowImportAndStartBatchTaskRequest | Mapping[str, Any]
    ) -> TaskHandle:
        """POST /api/v1.1/workflows/import_and_start_batch_task: import profiles into a workflow, as a task."""
        return TaskHandle(self, cast(TaskAccepted, self.request("workflow_import_and_start_batch_task", body)))

    def task_status(self, task_id: str | TaskStatusRequest) -> TaskStatus:
        """POST /api/v1.1/tasks/status: one status request (retried on network errors and 5xx)."""
        body = task_id if isinstance(task_id, TaskStatusRequest) else {"task_id": _check_task_id(task_id)}
        return cast(TaskStatus, self.request("task_status", body))

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
        task_id, to resume later) after ``timeout`` seconds, and :class:`WaitCancelled` when ``cancel``
        is set. Unknown statuses, network errors and 5xx answers keep it polling until the deadline.
        """
        poller = Poller(
            _check_task_id(task_id),
            PollSettings(timeout, poll_interval, max_interval, backoff, jitter),
            self._clock,
            self._rng,
            on_progress,
        )
        while True:
            try:
                answer = self.request("task_status", {"task_id": task_id})
            except AltcraftError as exc:
                if not poller.is_transient(exc):
                    raise
                poller.transient_failure()
                logger.info("task %s: status request failed (%s); polling on", task_id, type(exc).__name__)
            else:
                done = poller.observe(answer)
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
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(base_url, token, auth=auth, format=format, validate=validate, max_retries=max_retries, rng=rng)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, transport=transport, headers=self.default_headers()
        )
        self._timeout = timeout
        self._clock = clock
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
    def generated(self) -> Client | AuthenticatedClient:
        """An ``altcraft_api`` client on the same connection pool, for the generated ``asyncio`` functions."""
        return self.generated_client(self._http)

    async def request(self, operation: str, body: Body) -> Any:
        """Send one operation (by operationId) and return its generated success model."""
        content, headers, count = self.build(operation, body)
        url = self.url(operation)
        attempt = 0
        while True:
            try:
                response = await self._http.post(url, content=content, headers=headers, timeout=self._timeout)
                result = self.parse(operation, response)
            except (httpx.HTTPError, ServerError) as exc:
                if attempt < self.max_retries and self.may_retry(operation, exc):
                    attempt += 1
                    logger.info("%s: retrying after %s (attempt %d)", operation, type(exc).__name__, attempt + 1)
                    await self._sleep(self.retry_delay(attempt))
                    continue
                if isinstance(exc, httpx.HTTPError):
                    raise self.transport_error(operation, exc, sent=not isinstance(exc, _NOT_SENT)) from None
                raise
            logger.debug(
                "%s: %d bytes (%s, %d profiles) -> HTTP %d",
                operation,
                len(content),
                self.format,
                count,
                response.status_code,
            )
            return result

    async def import_profile(self, body: ImportProfileRequest | Mapping[str, Any]) -> ProfileImported:
        """POST /api/v1.1/profiles/import: import (add or update) one profile."""
        return cast(ProfileImported, await self.request("import_profile", body))

    async def import_and_start_batch(self, body: ImportAndStartBatchRequest | Mapping[str, Any]) -> BatchResult:
        """POST /api/v1.1/campaigns/triggers/import_and_start_batch: import profiles, launch a trigger."""
        return cast(BatchResult, await self.request("import_and_start_batch", body))

    async def import_and_start_batch_task(
        self, body: ImportAndStartBatchTaskRequest | Mapping[str, Any]
    ) -> AsyncTaskHandle:
        """POST .../triggers/import_and_start_batch_task: the same as a task; returns its handle at once."""
        return AsyncTaskHandle(self, cast(TaskAccepted, await self.request("import_and_start_batch_task", body)))

    async def workflow_import_and_start_batch_task(
        self, body: WorkflowImportAndStartBatchTaskRequest | Mapping[str, Any]
    ) -> AsyncTaskHandle:
        """POST /api/v1.1/workflows/import_and_start_batch_task: import profiles into a workflow, as a task."""
        accepted = await self.request("workflow_import_and_start_batch_task", body)
        return AsyncTaskHandle(self, cast(TaskAccepted, accepted))

    async def task_status(self, task_id: str | TaskStatusRequest) -> TaskStatus:
        """POST /api/v1.1/tasks/status: one status request (retried on network errors and 5xx)."""
        body = task_id if isinstance(task_id, TaskStatusRequest) else {"task_id": _check_task_id(task_id)}
        return cast(TaskStatus, await self.request("task_status", body))

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
        poller = Poller(
            _check_task_id(task_id),
            PollSettings(timeout, poll_interval, max_interval, backoff, jitter),
            self._clock,
            self._rng,
            on_progress,
        )
        while True:
            try:
                answer = await self.request("task_status", {"task_id": task_id})
            except AltcraftError as exc:
                if not poller.is_transient(exc):
                    raise
                poller.transient_failure()
                logger.info("task %s: status request failed (%s); polling on", task_id, type(exc).__name__)
            else:
                done = poller.observe(answer)
                if done is not None:
                    return done
            await self._sleep(poller.next_delay())
