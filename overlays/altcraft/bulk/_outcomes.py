"""What an answer (or a failure) says about a chunk: the outcomes the shells hand back to the core."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._errors import (
    AltcraftError,
    InvalidInput,
    OutcomeUnknown,
    ProtocolError,
    RequestTooLarge,
    ServerError,
    TaskFailed,
    TransportError,
)
from .._protocol import MAX_RETRY_AFTER

__all__ = [
    "FATAL_STATUSES",
    "TOO_MANY",
    "Accepted",
    "Imported",
    "NotSent",
    "Outcome",
    "Refused",
    "StillRunning",
    "Unknown",
    "classify_send_error",
    "classify_wait_error",
    "profile_ids",
]

FATAL_STATUSES = frozenset({401, 402, 403})
TOO_MANY = 429


@dataclass(frozen=True)
class Imported:
    """The server's list of imported profile ids (a batch answer, a task result, or one profile)."""

    profile_ids: tuple[str, ...]


@dataclass(frozen=True)
class Accepted:
    """A task was accepted."""

    task_id: str


@dataclass(frozen=True)
class Refused:
    """The server refused the request: an envelope error with a 4xx code (proof nothing was imported)."""

    code: int | None
    text: str
    http_status: int | None = None


@dataclass(frozen=True)
class Unknown:
    """Sent, outcome not known: dropped connection, timeout, 5xx, unreadable answer."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True)
class NotSent:
    """Proven not processed: connection failed before sending (``unreached``), 429, or a refused token
    (``fatal``)."""

    reason: str
    retry_after: float | None = None
    fatal: bool = False
    unreached: bool = False  # the server was not reached at all (after the client's own retries)


@dataclass(frozen=True)
class StillRunning:
    """Waiting for the task stopped (deadline, cancellation): it stays accepted, resume waits for it."""

    reason: str


Outcome = Imported | Accepted | Refused | Unknown | NotSent | StillRunning


def _retry_after(exc: BaseException) -> float | None:
    """The pause a failed send's answer asked for (``Retry-After``), at most :data:`MAX_RETRY_AFTER` as the
    client's own retries (a day, or ``inf``, would stall the import)."""
    value = getattr(exc, "retry_after", None)
    if not isinstance(value, int | float) or isinstance(value, bool) or not value >= 0:  # None, NaN, negative
        return None
    return min(float(value), MAX_RETRY_AFTER)


def classify_send_error(exc: BaseException) -> Outcome:
    """What an exception of ``client.request`` says about the chunk it carried."""
    if isinstance(exc, OutcomeUnknown):
        return Unknown(f"no answer: {exc}")
    if isinstance(exc, InvalidInput):  # refused by the client itself, before sending
        return Refused(None, f"refused before sending: {exc}")
    if isinstance(exc, TransportError):  # not OutcomeUnknown: not sent, after the client's own retries
        return NotSent(f"not sent: {exc}", _retry_after(exc), unreached=True)
    if isinstance(exc, ServerError | ProtocolError):
        return Unknown(f"outcome unknown: {exc}", _retry_after(exc))
    if isinstance(exc, AltcraftError):
        status = exc.http_status if exc.http_status is not None and exc.http_status >= 400 else exc.code
        if status == TOO_MANY:
            return NotSent(f"refused, too many requests: {exc}", _retry_after(exc))
        if status in FATAL_STATUSES:
            return NotSent(f"refused: {exc}", fatal=True)
        if isinstance(exc, RequestTooLarge) or (status is not None and 400 <= status < 500):
            return Refused(exc.code, exc.error_text or str(exc), exc.http_status)
        return Unknown(f"outcome unknown: {exc}")
    return Unknown(f"outcome unknown: {type(exc).__name__}: {exc}")


def classify_wait_error(exc: BaseException) -> Outcome:
    """What an exception of ``client.wait_task`` says about the accepted chunk."""
    if isinstance(exc, TaskFailed):
        return Refused(exc.code, f"task {exc.task_id} {exc.status}: {exc.error_text or exc}")
    from .._errors import TaskTimeout, WaitCancelled

    if isinstance(exc, TaskTimeout | WaitCancelled):
        return StillRunning(str(exc))
    return Unknown(f"task status unknown: {type(exc).__name__}: {exc}")


def profile_ids(answer: Any) -> Imported | Unknown:
    """The profile ids of a success answer's decoded JSON (the shells ask the client for ``plain``
    answers: no model per profile): a batch answer (``result``), a task's final status
    (``data.result.result``) or one imported profile (``profile_id``).

    No list at all is an empty list (the rows are then *unconfirmed*); a list that cannot be read
    (not a list of objects with a ``profile_id``) says nothing for sure, so the chunk is *unknown*.
    """
    data = answer.get("data") if isinstance(answer, dict) else None
    if isinstance(data, dict) and "status" in data:  # a task's final status
        if "result" not in data:
            return Imported(())
        answer = data["result"]
    if not isinstance(answer, dict):
        return Unknown(f"the answer is not readable: an object was expected, not {type(answer).__name__}")
    if isinstance(answer.get("profile_id"), str):  # /profiles/import
        return Imported((answer["profile_id"],))
    if "result" not in answer:
        return Imported(())
    try:
        return Imported(tuple([str(ref["profile_id"]) for ref in answer["result"]]))
    except (TypeError, KeyError) as exc:
        return Unknown(f"the answer's list of profiles is not readable ({type(exc).__name__}: {exc})")


# -- journal writes and steps ---------------------------------------------------------------------------------
