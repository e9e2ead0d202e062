"""The client's exceptions: which class an answer gets (error_for), their messages and their attributes."""

from __future__ import annotations

from altcraft import (
    AltcraftError,
    BadRequest,
    InvalidInput,
    NotFound,
    RequestTooLarge,
    ServerError,
    TaskTimeout,
)
from altcraft._errors import Problem, WaitCancelled, error_for


def _error(http_status: int, code: int | None, **kw: object) -> AltcraftError:
    args: dict[str, object] = {"error_text": None, "error_debug": None, "retry_safe": False, **kw}
    return error_for(operation="import_profile", http_status=http_status, code=code, **args)  # type: ignore[arg-type]


def test_an_http_400_is_a_bad_request_whatever_the_envelope_code() -> None:
    err = _error(400, 1, error_text="wrong")
    assert type(err) is BadRequest
    assert str(err) == err.message == "import_profile: Altcraft error 1 (HTTP 400): wrong"
    assert (err.code, err.http_status, err.operation, err.error_text) == (1, 400, "import_profile", "wrong")


def test_without_error_text_the_message_says_error_and_adds_the_debug_text_only_when_given() -> None:
    assert str(_error(404, 404)) == "import_profile: Altcraft error 404 (HTTP 404): error"
    assert str(_error(404, 404, error_debug="no such trigger")) == (
        "import_profile: Altcraft error 404 (HTTP 404): error (no such trigger)"
    )


def test_only_a_too_large_body_400_is_request_too_large() -> None:
    assert type(_error(400, 400, error_debug="other")) is BadRequest
    err = _error(400, 400, error_debug="http: request body too large")
    assert type(err) is RequestTooLarge
    assert str(err) == "import_profile: Altcraft error 400 (HTTP 400): error (http: request body too large)"


def test_an_http_200_envelope_without_a_code_is_a_plain_altcraft_error() -> None:
    err = _error(200, None, error_text="odd")
    assert type(err) is AltcraftError
    assert str(err) == "import_profile: Altcraft error None (HTTP 200): odd"


def test_a_5xx_says_whether_it_may_be_retried() -> None:
    unsafe = _error(502, 502, error_text="bad gateway")
    assert isinstance(unsafe, ServerError)
    assert unsafe.retry_safe is False
    assert str(unsafe) == (
        "import_profile: Altcraft error 502 (HTTP 502): bad gateway; not retried automatically, because a repeat "
        "could import or launch twice"
    )
    safe = _error(503, 503, error_text="busy", retry_safe=True)
    assert isinstance(safe, ServerError)
    assert safe.retry_safe is True
    assert str(safe) == "import_profile: Altcraft error 503 (HTTP 503): busy"


def test_an_error_keeps_its_message_code_and_status_and_shows_them_in_its_repr() -> None:
    err = AltcraftError("boom", code=7, http_status=200)
    assert err.message == "boom"
    assert repr(err) == "AltcraftError('boom', code=7, http_status=200)"
    assert repr(NotFound("gone", code=404, http_status=404)) == "NotFound('gone', code=404, http_status=404)"
    assert ServerError("x").retry_safe is False
    invalid = InvalidInput("email: not an email", field="email", operation="import_profile")
    assert invalid.operation == "import_profile"
    assert invalid.problems == (Problem("email", "email: not an email"),)


def test_task_errors_belong_to_task_status() -> None:
    timeout = TaskTimeout("late", task_id="t1", last_status="processing", progress=40)
    assert (timeout.message, timeout.operation, timeout.task_id) == ("late", "task_status", "t1")
    assert (timeout.last_status, timeout.progress) == ("processing", 40)
    cancelled = WaitCancelled("stopped", task_id="t2")
    assert (cancelled.message, cancelled.operation, cancelled.task_id) == ("stopped", "task_status", "t2")
    assert str(cancelled) == "stopped"
