"""The asyncio client, ``AsyncAltcraft``: the source of the sync client ``Altcraft``.

scripts/generate writes ``_sync_client.py`` from this file (scripts/gen_sync.py renames its tokens):
edit this one.

Both are thin shells around the sans-I/O ``ClientCore`` (``_protocol``): they only move bytes, under the
caller's total deadline, with the primitives of ``_concurrency``.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import httpx
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
    Operation,
    WorkflowImportAndStartBatchTaskParams,
)

from ._answers import AnswerTooLarge, CappedBody
from ._async_tasks import AsyncTaskHandle
from ._concurrency import (
    AsyncEvent,
    AsyncRunner,
    AsyncSleep,
    AsyncStop,
    DeadlineExceeded,
    async_event_or_none,
    async_sleep,
    async_wait_event,
)
from ._errors import AltcraftError, WaitCancelled
from ._polling import Poller, PollSettings
from ._protocol import DEFAULT_MAX_ANSWER_BYTES, ClientCore, Retry, Trace, check_task_id
from ._requests import Auth, Body, Call, Format

__all__ = ["AsyncAltcraft", "AsyncSharedTransport", "async_wait_decoded"]

Inject = Callable[[httpx.Request], httpx.Request]  # adds a client's token to a request


class AsyncSharedTransport(httpx.AsyncBaseTransport):
    """The overlay's connection pool as the generated client's transport: adds the token; close is a no-op."""

    def __init__(self, base_url: str, inject: Inject, http: httpx.AsyncClient) -> None:
        self._base_url = base_url
        self._inject = inject  # the client's: adds its token
        self._http = http

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._base_url!r})"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._http.send(self._inject(request), stream=True)
        return httpx.Response(response.status_code, headers=response.headers, stream=response.stream)

    async def aclose(self) -> None:
        """The pool belongs to the overlay client; closing the generated client leaves it open."""


class AsyncAltcraft(ClientCore):
    """Asynchronous Altcraft client.

    Args:
        base_url: the installation's address, e.g. ``https://example.com``.
        token: the API token. Never logged, shown in reprs or put in URLs and exception texts.
        auth: ``"body"`` sends the token as the ``token`` body field (every doc page), ``"bearer"`` as
            ``Authorization: Bearer``.
        timeout: seconds (or an ``httpx.Timeout``) for each HTTP attempt. Each operation also takes an
            overall ``timeout`` that bounds all its attempts together.
        format: ``"json"`` or ``"xml"``: the encoding of requests (answers are read in either).
        http_client: an ``httpx.AsyncClient`` to send with (its base URL is not used); or
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
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        validate: bool = True,
        max_retries: int = 2,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: AsyncSleep = async_sleep,
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
        self._runner = AsyncRunner()

    async def __aenter__(self) -> AsyncAltcraft:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (only if this client created it)."""
        self._runner.close()
        if self._owns_http:
            await self._http.aclose()

    @property
    def generated(self) -> Client:
        """An ``altcraft_api`` client on this client's connection pool and token, for the generated functions.

        Closing it (``async with client.generated:``) leaves this client's pool open.
        """
        return self._generated(AsyncSharedTransport(self.base_url, self._inject, self._http))

    async def _exchange(self, call: Call, timeout: httpx.Timeout, trace: Trace, stop: AsyncStop) -> Any:
        request = self._http.build_request(
            "POST",
            self._url(call.operation),
            content=call.content,
            headers=call.headers,
            timeout=timeout,
            extensions={"trace": trace.atrace},
        )
        if stop.is_set():  # the caller stopped waiting before this attempt began: it is not sent
            raise DeadlineExceeded(started=False)
        response = await self._http.send(request, stream=True)
        try:
            body = CappedBody(self.max_answer_bytes, response.headers)
            async for chunk in response.aiter_bytes():
                body.add(chunk)
                if stop.is_set():
                    raise DeadlineExceeded
        finally:
            await response.aclose()
        return response.status_code, response.headers, body.content()

    async def _attempt(self, call: Call, timeout: httpx.Timeout, total: float | None, trace: Trace) -> Any:
        """One attempt, given at most ``total`` seconds."""
        return await self._runner.within(total, functools.partial(self._exchange, call, timeout, trace))

    async def _request(
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
            trace = Trace()
            failure: BaseException | None = None
            try:
                status, headers, content = await self._attempt(call, http_timeout, total, trace)
            except (httpx.HTTPError, DeadlineExceeded, AnswerTooLarge) as exc:
                failure = exc  # handled below, outside the except block: no exception chain to the token
            if isinstance(failure, AnswerTooLarge):
                raise self._too_large(call, failure.size)
            if failure is None:
                step = self._answered(call, status, headers, content)
                if not isinstance(step, Retry):
                    return step
            else:
                step = self._failed(call, failure, trace)
                failure = None
            await self._sleep(step.delay)

    # request() as its generated signature: one overload per operationId, each returning its answer's model
    # (altcraft_api.params.AsyncRequest); the implementation is _request.
    if TYPE_CHECKING:
        request: AsyncRequest
    else:
        request = _request

    # -- operations --------------------------------------------------------------------------------
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
        body = task_id if isinstance(task_id, TaskStatusRequest) else {"task_id": check_task_id(task_id)}
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
        cancel: AsyncEvent | None = None,
    ) -> TaskStatus:
        """Poll /tasks/status until the task completes and return its final status.

        Raises :class:`TaskFailed` if the task ends in an error, :class:`TaskTimeout` (carrying the
        task_id, to resume later) once ``timeout`` seconds have passed — each status request gets only
        the time that is left, so a slow or silent server cannot stretch the wait — and
        :class:`WaitCancelled` when ``cancel`` is set. Unknown statuses, network errors and 5xx answers
        keep it polling until the deadline.
        """
        settings = PollSettings(timeout, poll_interval, max_interval, backoff, jitter)
        return cast(TaskStatus, await self._wait(task_id, settings, on_progress, cancel, plain=False))

    async def _wait(
        self,
        task_id: str,
        settings: PollSettings,
        on_progress: Callable[[TaskStatus], Any] | None,
        cancel: AsyncEvent | None,
        *,
        plain: bool,
    ) -> Any:
        """The loop of :meth:`wait_task`; ``plain``: the final status as decoded JSON (see ``_observe``)."""
        cancel = async_event_or_none(cancel)
        poller = Poller(check_task_id(task_id), settings, self._clock, self._rng, on_progress)
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
            delay = poller.next_delay()
            if cancel is not None:
                if await async_wait_event(cancel, delay):
                    raise WaitCancelled(f"waiting for task {task_id} was cancelled", task_id=task_id)
            else:
                await self._sleep(delay)


async def async_wait_decoded(
    client: AsyncAltcraft, task_id: str, settings: PollSettings, cancel: AsyncEvent | None = None
) -> dict[str, Any]:
    """For ``altcraft.bulk``: :meth:`AsyncAltcraft.wait_task`, returning the final status as decoded JSON.

    No model is built of the list of imported profiles (a 10,000-profile batch would build 10,000); the
    caller reads their ids from the JSON.
    """
    return cast(dict[str, Any], await client._wait(task_id, settings, None, cancel, plain=True))
