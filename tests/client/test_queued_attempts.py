"""A sync attempt still queued for a worker thread when its deadline passes is known not sent, and never runs."""

from __future__ import annotations

import concurrent.futures
import threading

import httpx
import pytest
from altcraft import Altcraft, OutcomeUnknown, TransportError
from altcraft._concurrency import DeadlineExceeded, SyncRunner
from altcraft._protocol import Trace

from ..conftest import BASE, TOKEN
from .fakes import BATCH


def _busy(runner: SyncRunner, release: threading.Event) -> None:
    """Every worker of ``runner`` (one here) busy until ``release`` is set."""
    runner._workers = concurrent.futures.ThreadPoolExecutor(1)
    runner._workers.submit(release.wait)


def test_a_queued_attempt_is_deadline_exceeded_not_started_and_never_runs() -> None:
    runner, release, ran = SyncRunner(), threading.Event(), threading.Event()
    _busy(runner, release)
    with pytest.raises(DeadlineExceeded) as caught:
        runner.within(0.05, lambda stop: ran.set())
    assert caught.value.started is False
    release.set()
    runner.close()
    assert not ran.wait(0.2)
    assert Trace().was_sent(caught.value) is False
    assert Trace().was_sent(DeadlineExceeded()) is True  # a started attempt of a silent transport: maybe sent


def test_a_batch_whose_attempt_never_left_the_queue_is_not_sent_and_never_arrives() -> None:
    arrived: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrived.append(request.content)
        return httpx.Response(200, json={"error": 0, "error_text": "Successful", "result": []})

    release = threading.Event()
    with Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler), max_retries=0) as client:
        _busy(client._runner, release)
        with pytest.raises(TransportError) as caught:
            client.import_and_start_batch(BATCH, timeout=0.1)
        assert not isinstance(caught.value, OutcomeUnknown)  # known not sent: safe to send again
        assert "within the deadline" in str(caught.value)
        release.set()
    assert arrived == []
