"""The one backoff schedule: exponential growth with full jitter, used by retries, polling and bulk."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True)
class Backoff:
    """Attempt ``n`` (from 0) waits a random time between ``floor`` and ``min(cap, base * factor**n)``.

    ``jitter=False`` waits the ceiling itself. The client retries with ``Backoff(0.1, 2.0)``, task
    polling with ``Backoff(poll_interval, max_interval, backoff, floor=poll_interval)``, and the bulk
    import's resends with ``Backoff(backoff, max_backoff, floor=backoff / 2)``.
    """

    base: float
    cap: float
    factor: float = 2.0
    floor: float = 0.0
    jitter: bool = True

    def ceiling(self, attempt: int) -> float:
        """The longest wait of attempt ``attempt``."""
        return float(min(self.cap, self.base * self.factor**attempt))

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        ceiling = self.ceiling(attempt)
        if not self.jitter:
            return ceiling
        return float(rng.uniform(self.floor, max(ceiling, self.floor)))
