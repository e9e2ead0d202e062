"""Exceptions: the Altcraft error envelope, transport failures, task outcomes and bad input.

Every exception text is free of the API token: the client redacts it from anything the server echoes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "AltcraftError",
    "AssumptionWarning",
    "BadRequest",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "OutcomeUnknown",
    "Problem",
    "ProtocolError",
    "RequestTooLarge",
    "ServerError",
    "TariffLimit",
    "TaskFailed",
    "TaskTimeout",
    "TransportError",
    "Unauthorized",
    "WaitCancelled",
    "error_for",
]


class AltcraftError(Exception):
    """Base of every error of this client.

    Attributes:
        code: the envelope's ``error`` code (``None`` when no envelope was received).
        error_text: the envelope's ``error_text``.
        error_debug: the envelope's ``error_debug``.
        http_status: the HTTP status of the answer (``None`` when there was none).
        operation: the operationId of the request (``import_profile``, ``task_status``, ...).
        retry_after: the seconds the answer's ``Retry-After`` header asked to wait (``None``: no such
            header, or no answer); the bulk import pauses its sends that long.
    """

    retry_after: float | None = None

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        error_text: str | None = None,
        error_debug: str | None = None,
        http_status: int | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.error_text = error_text
        self.error_debug = error_debug
        self.http_status = http_status
        self.operation = operation

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, http_status={self.http_status!r})"


class BadRequest(AltcraftError):
    """400: the server found the request invalid."""


class RequestTooLarge(BadRequest):
    """The body is over the documented limit (10 MB, 100 MB with files).

    Raised by the server (400 "http: request body too large") or by the client before sending, in which
    case ``size`` and ``limit`` say by how much.
    """

    def __init__(self, message: str, *, size: int | None = None, limit: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.size = size
        self.limit = limit


class Unauthorized(AltcraftError):
    """401: the token is missing or wrong."""


class TariffLimit(AltcraftError):
    """402: the account's tariff does not allow the request."""


class Forbidden(AltcraftError):
    """403: the token has no right to this operation or object."""


class NotFound(AltcraftError):
    """404: an unknown trigger, workflow, database, profile, segment or task."""


class ServerError(AltcraftError):
    """5xx: the server failed. ``retry_safe`` says whether a repeat could duplicate an import or launch."""

    def __init__(self, message: str, *, retry_safe: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_safe = retry_safe


class TransportError(AltcraftError):
    """The request failed on the network (connection refused, timeout, connection dropped)."""


class OutcomeUnknown(TransportError):
    """The request was sent, but no answer came back (read timeout, connection dropped).

    Altcraft may have done what it was asked: imported the profile, or imported the profiles and launched
    the trigger or workflow. The client does not repeat such a request by itself, because a repeat could
    do it twice; check before resending.
    """


class ProtocolError(AltcraftError):
    """The answer could not be read as an Altcraft response (not JSON or XML, or not the documented shape)."""


class Problem(NamedTuple):
    """One thing wrong with a request: ``field`` is its path (``data[3].data.email``), ``message`` what."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field} {self.message}"


class InvalidInput(AltcraftError, ValueError):
    """The request is invalid and was not sent.

    ``field`` names the (first) offending field; ``problems`` lists every problem found, each with its
    field path, when validation found several.
    """

    def __init__(self, message: str, *, field: str, problems: tuple[Problem, ...] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field = field
        self.problems: tuple[Problem, ...] = problems or (Problem(field, message),)


class AssumptionWarning(UserWarning):
    """A request breaks a rule that openapi.yaml only assumes (``x-assumed``): sent anyway, but worth a look."""


class TaskFailed(AltcraftError):
    """The task ended in an error; ``task_id`` and ``status`` say which and how, the envelope fields what."""

    def __init__(self, message: str, *, task_id: str, status: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.task_id = task_id
        self.status = status


class TaskTimeout(AltcraftError, TimeoutError):
    """The task did not finish before the deadline. Resume later with ``wait_task(err.task_id)``.

    ``last_error`` is the text of the last status request's failure when the wait ended on one (an
    unreachable or silent server: then the task's state is not known at all).
    """

    def __init__(
        self,
        message: str,
        *,
        task_id: str,
        last_status: str | None,
        progress: int | None,
        last_error: str | None = None,
    ) -> None:
        super().__init__(message, operation="task_status")
        self.task_id = task_id
        self.last_status = last_status
        self.progress = progress
        self.last_error = last_error


class WaitCancelled(AltcraftError):
    """Waiting for a task was cancelled through the ``cancel`` event. The task itself goes on."""

    def __init__(self, message: str, *, task_id: str) -> None:
        super().__init__(message, operation="task_status")
        self.task_id = task_id


_BY_STATUS: dict[int, type[AltcraftError]] = {
    400: BadRequest,
    401: Unauthorized,
    402: TariffLimit,
    403: Forbidden,
    404: NotFound,
}


def error_for(
    *,
    operation: str,
    http_status: int,
    code: int | None,
    error_text: str | None,
    error_debug: str | None,
    retry_safe: bool,
) -> AltcraftError:
    """The exception for an error answer: by HTTP status when it is an error status, else by the code."""
    key = http_status if http_status >= 400 else (code or 0)
    detail = f"{error_text or 'error'}" + (f" ({error_debug})" if error_debug else "")
    message = f"{operation}: Altcraft error {code} (HTTP {http_status}): {detail}"
    kwargs: dict[str, Any] = {
        "code": code,
        "error_text": error_text,
        "error_debug": error_debug,
        "http_status": http_status,
        "operation": operation,
    }
    if key == 400 and error_debug and "request body too large" in error_debug:
        return RequestTooLarge(message, **kwargs)
    if key >= 500:
        if not retry_safe:
            message += "; not retried automatically, because a repeat could import or launch twice"
        return ServerError(message, retry_safe=retry_safe, **kwargs)
    return _BY_STATUS.get(key, AltcraftError)(message, **kwargs)
