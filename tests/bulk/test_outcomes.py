"""What each exception of a send or a task wait says about its chunk: the exact outcome, with its reason."""

from __future__ import annotations

from typing import Any

import pytest
from altcraft import InvalidInput, OutcomeUnknown, TaskTimeout, TransportError, WaitCancelled
from altcraft.bulk._outcomes import NotSent, Refused, StillRunning, Unknown, classify_send_error, classify_wait_error


def test_a_body_the_client_refused_is_rejected_with_the_clients_words() -> None:
    exc = InvalidInput("data[0].data: needs one of email", field="data")
    assert classify_send_error(exc) == Refused(None, "refused before sending: data[0].data: needs one of email")


def test_a_server_never_reached_is_not_sent_and_unreached() -> None:
    exc = TransportError("import_and_start_batch: could not reach h after 3 attempt(s)")
    assert classify_send_error(exc) == NotSent(
        "not sent: import_and_start_batch: could not reach h after 3 attempt(s)", None, unreached=True
    )


def test_a_lost_answer_is_unknown_never_not_sent() -> None:
    exc = OutcomeUnknown("sent, no answer")
    assert classify_send_error(exc) == Unknown("no answer: sent, no answer")


def test_a_wait_that_timed_out_or_was_cancelled_leaves_the_task_running_with_its_reason() -> None:
    timeout = TaskTimeout("task t-1 did not finish", task_id="t-1", last_status=None, progress=None)
    assert classify_wait_error(timeout) == StillRunning("task t-1 did not finish")
    assert classify_wait_error(WaitCancelled("waiting was interrupted", task_id="t-1")) == StillRunning(
        "waiting was interrupted"
    )


def test_any_other_wait_failure_is_unknown_naming_the_exception() -> None:
    assert classify_wait_error(RuntimeError("boom")) == Unknown("task status unknown: RuntimeError: boom")


def test_a_failed_send_passes_the_answers_retry_after_on() -> None:
    from altcraft import AltcraftError, ServerError

    busy = ServerError("import_and_start_batch_task: Altcraft error 503 (HTTP 503): busy", http_status=503)
    busy.retry_after = 4.0
    assert classify_send_error(busy) == Unknown(f"outcome unknown: {busy}", 4.0)
    crowded = AltcraftError("import_and_start_batch_task: Altcraft error 429 (HTTP 429): Too many", http_status=429)
    crowded.retry_after = 9.0
    outcome = classify_send_error(crowded)
    assert isinstance(outcome, NotSent) and outcome.retry_after == 9.0 and not outcome.fatal


@pytest.mark.parametrize(("asked", "paused"), [(86400.0, 60.0), (float("inf"), 60.0), (1e12, 60.0), (7.5, 7.5)])
def test_the_pause_a_failed_send_asks_for_is_at_most_a_minute(asked: float, paused: float) -> None:
    from altcraft import ServerError

    busy = ServerError("import_and_start_batch_task: Altcraft error 503 (HTTP 503): busy", http_status=503)
    busy.retry_after = asked
    outcome = classify_send_error(busy)
    assert isinstance(outcome, Unknown) and outcome.retry_after == paused


@pytest.mark.parametrize("asked", [float("nan"), -5.0])
def test_a_pause_that_is_no_number_of_seconds_is_ignored(asked: float) -> None:
    from altcraft import ServerError

    busy = ServerError("busy", http_status=503)
    busy.retry_after = asked
    outcome = classify_send_error(busy)
    assert isinstance(outcome, Unknown) and outcome.retry_after is None


def test_an_error_that_is_no_4xx_leaves_the_outcome_unknown() -> None:
    from altcraft import AltcraftError

    odd = AltcraftError("import_and_start_batch_task: Altcraft error 1 (HTTP 200): odd", code=1, http_status=200)
    assert classify_send_error(odd) == Unknown("outcome unknown: " + str(odd))
    assert classify_send_error(RuntimeError("boom")) == Unknown("outcome unknown: RuntimeError: boom")


def _bulk(transport: Any, **kwargs: Any) -> Any:
    import httpx
    from altcraft import Altcraft
    from altcraft.bulk import bulk_import
    from altcraft_mock import DEFAULT_TOKEN

    rows = [{"data": {"email": f"r{i}@outcomes.test", "_fname": "x" * 200}} for i in range(1, 201)]
    with Altcraft("http://altcraft.test", DEFAULT_TOKEN, transport=httpx.MockTransport(transport)) as client:
        return bulk_import(client, rows, trigger_id=13, **kwargs)


def test_max_bytes_cuts_the_chunks_by_their_size() -> None:
    import httpx
    import orjson

    sizes: list[int] = []

    def server(request: httpx.Request) -> httpx.Response:
        sizes.append(len(request.content))
        items = orjson.loads(request.content)["data"]
        return httpx.Response(200, json={"error": 0, "result": [{"profile_id": str(i)} for i in range(len(items))]})

    report = _bulk(server, task=False, max_bytes=20_000)
    try:
        assert report.imported == 200 and len(sizes) > 2 and max(sizes) <= 20_000, sizes
    finally:
        report.close()


def test_a_task_answer_without_a_task_id_leaves_its_rows_unknown() -> None:
    import httpx

    report = _bulk(lambda request: httpx.Response(200, json={"error": 0, "error_text": "Successful"}))
    try:
        reasons = {r.reason for r in report.results()}
        assert report.unknown == 200
        assert reasons == {"the task was accepted, but the answer gives no task id to wait for"}
    finally:
        report.close()


def test_abulk_import_passes_max_bytes_and_plain_rows_on() -> None:
    import asyncio

    import httpx
    import orjson
    from altcraft import AsyncAltcraft
    from altcraft.bulk import abulk_import
    from altcraft_mock import DEFAULT_TOKEN

    sizes: list[int] = []

    async def server(request: httpx.Request) -> httpx.Response:
        sizes.append(len(request.content))
        items = orjson.loads(request.content)["data"]
        return httpx.Response(200, json={"error": 0, "result": [{"profile_id": str(i)} for i in range(len(items))]})

    rows = [{"data": {"email": f"r{i}@outcomes.test", "_fname": "x" * 200}} for i in range(1, 201)]
    rows[9]["data"]["subscriptions"] = 5  # refused: with plain_rows, its chunk is checked whole, then row by row

    async def go() -> Any:
        async with AsyncAltcraft("http://altcraft.test", DEFAULT_TOKEN, transport=httpx.MockTransport(server)) as c:
            return await abulk_import(c, rows, trigger_id=13, task=False, max_bytes=20_000, plain_rows=True)

    report = asyncio.run(go())
    try:
        assert report.imported == 199 and report.rejected == 1 and max(sizes) <= 20_000 and len(sizes) > 2, sizes
    finally:
        report.close()


@pytest.mark.parametrize(
    ("given", "got"),
    [
        ({}, ""),
        ({"trigger_id": 1, "db_id": 2}, " (got trigger_id, db_id)"),
        ({"workflow_id": 1, "db_id": 1}, " (got workflow_id, db_id)"),
    ],
)
def test_a_bulk_import_needs_exactly_one_target_and_says_which_it_got(given: dict[str, int], got: str) -> None:
    from altcraft.bulk import check_rows

    with pytest.raises(InvalidInput) as err:
        list(check_rows([{"data": {"email": "a@b.c"}}], **given))  # type: ignore[arg-type]
    assert str(err.value) == "bulk_import: give exactly one of trigger_id, workflow_id or db_id" + got
