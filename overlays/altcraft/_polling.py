"""Waiting for tasks: adaptive polling of /tasks/status, shared by the sync and async clients.

The schedule is exponential with full jitter between ``poll_interval`` and ``max_interval``. Once the
task reports rising progress, the next poll is aimed at the completion time the progress predicts (a
straight line through the observations), capped by ``max_interval``. On a task whose progress rises
linearly over 60 s, the defaults poll about eight times and see completion well within a second.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from altcraft_api.models import TaskStatus
from altcraft_api.types import Unset

from ._backoff import Backoff
from ._errors import AltcraftError, ServerError, TaskFailed, TaskTimeout, TransportError

__all__ = ["FAILED_STATUSES", "PollSettings", "Poller", "WaitOptions"]

logger = logging.getLogger("altcraft")

COMPLETED = "completed"
# Not documented; what a task that stopped on an error might report. Any other unknown status is
# treated as "still running".
FAILED_STATUSES = frozenset({"failed", "error", "canceled", "cancelled", "aborted"})

# Aim a little past the predicted completion, so that the poll lands after it rather than before.
_AIM_MARGIN = 0.1


class WaitOptions(TypedDict, total=False):
    """The keywords of ``wait_task`` that a task handle's ``wait`` passes on (see there)."""

    timeout: float
    poll_interval: float
    max_interval: float
    backoff: float
    jitter: bool
    on_progress: Callable[[TaskStatus], Any] | None


@dataclass
class PollSettings:
    """How to wait: overall ``timeout`` (seconds), and the bounds and growth of the poll interval."""

    timeout: float = 600.0
    poll_interval: float = 0.5
    max_interval: float = 10.0
    backoff: float = 2.0
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.timeout < 0 or self.poll_interval <= 0 or self.max_interval < self.poll_interval:
            raise ValueError("need timeout >= 0 and 0 < poll_interval <= max_interval")
        if self.backoff < 1:
            raise ValueError("backoff must be >= 1")


@dataclass
class Poller:
    """The state of one wait: decides what an answer means and how long to sleep before the next poll."""

    task_id: str
    settings: PollSettings
    clock: Callable[[], float]
    rng: random.Random = field(default_factory=random.Random)
    on_progress: Callable[[TaskStatus], Any] | None = None
    deadline: float = 0.0
    attempt: int = 0
    samples: list[tuple[float, int]] = field(default_factory=list)
    last_status: str | None = None
    last_progress: int | None = None
    last_error: str | None = None  # the last status request's failure, when the last one failed

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.settings.timeout

    def observe(self, answer: TaskStatus) -> TaskStatus | None:
        """Record one answer. Returns it when the task completed; raises TaskFailed; None to go on."""
        self.last_error = None
        data = answer.data
        status, progress = data.status, data.progress
        self.last_status, self.last_progress = status, progress
        if isinstance(progress, int) and not isinstance(progress, bool):
            self.samples.append((self.clock(), progress))
        if self.on_progress is not None:
            self.on_progress(answer)
        result = data.result
        result_error = 0 if isinstance(result, Unset) else result.error
        if status == COMPLETED:
            if result_error:
                raise self._failed(answer)
            return answer
        if isinstance(status, str) and status in FAILED_STATUSES:  # (a list or an object is unknown too)
            raise self._failed(answer)
        return None

    def remaining(self) -> float:
        """Seconds left before the deadline (0 once it has passed): the most one status request may take."""
        return max(0.0, self.deadline - self.clock())

    def _failed(self, answer: TaskStatus) -> TaskFailed:
        data = answer.data
        result = data.result
        code = None if isinstance(result, Unset) else result.error
        text = None if isinstance(result, Unset) or isinstance(result.error_text, Unset) else result.error_text
        debug = None if isinstance(result, Unset) or isinstance(result.error_debug, Unset) else result.error_debug
        return TaskFailed(
            f"task {self.task_id} ended with status {data.status!r}: error {code}: {text or ''}"
            + (f" ({debug})" if debug else ""),
            task_id=self.task_id,
            status=data.status,
            code=code,
            error_text=text,
            error_debug=debug,
            operation="task_status",
        )

    def failed(self, exc: AltcraftError) -> None:
        """A status request failed: a network failure, 5xx or 429 is recorded and the wait goes on until
        the deadline; anything else (an unknown task, a wrong token) is raised again."""
        if not self.is_transient(exc):
            raise exc
        self.last_error = str(exc)
        logger.info("task %s: status request failed (%s); polling on", self.task_id, type(exc).__name__)

    def budget(self) -> float:
        """The time the next status request may take: what is left; :class:`TaskTimeout` when nothing is."""
        remaining = self.remaining()
        if remaining <= 0:
            raise self.timeout_error()
        return remaining

    def timeout_error(self) -> TaskTimeout:
        failing = f"; the last status request failed: {self.last_error}" if self.last_error else ""
        return TaskTimeout(
            f"task {self.task_id} did not finish within {self.settings.timeout:g} s "
            f"(last status {self.last_status!r}, progress {self.last_progress}{failing}); "
            "resume with wait_task(task_id)",
            task_id=self.task_id,
            last_status=self.last_status,
            progress=self.last_progress,
            last_error=self.last_error,
        )

    def _backoff_delay(self) -> float:
        s = self.settings
        schedule = Backoff(s.poll_interval, s.max_interval, s.backoff, floor=s.poll_interval, jitter=s.jitter)
        return schedule.delay(self.attempt, self.rng)

    def _aimed_delay(self, now: float) -> float | None:
        if len(self.samples) < 2:
            return None
        lowest = min(p for _, p in self.samples)
        anchor_t = max(t for t, p in self.samples if p == lowest)  # closest to when progress started
        last_t, last_p = self.samples[-1]
        if last_p <= lowest or last_t <= anchor_t or last_p >= 100:
            return None
        rate = (last_p - lowest) / (last_t - anchor_t)
        eta = last_t + (100 - last_p) / rate
        return max(eta - now + _AIM_MARGIN, self.settings.poll_interval)

    def next_delay(self) -> float:
        """Seconds to sleep before the next poll; raises TaskTimeout when the deadline has passed."""
        now = self.clock()
        remaining = self.deadline - now
        if remaining <= 0:
            raise self.timeout_error()
        aimed = self._aimed_delay(now)
        delay = self._backoff_delay() if aimed is None else min(aimed, self.settings.max_interval)
        self.attempt += 1
        return min(delay, remaining)

    def is_transient(self, exc: AltcraftError) -> bool:
        """Errors worth another poll before the deadline: network failures, 5xx and 429 answers."""
        return isinstance(exc, TransportError | ServerError) or exc.http_status == 429
