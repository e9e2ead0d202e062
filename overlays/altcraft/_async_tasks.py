"""Task handles: a task started by a ``*_task`` method, its status, and waiting for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from altcraft_api.models import TaskAccepted, TaskStatus

from ._concurrency import AsyncEvent

if TYPE_CHECKING:
    from ._async_client import AsyncAltcraft

__all__ = ["AsyncTaskHandle"]


class AsyncTaskHandle:
    """A task started by a ``*_task`` method of :class:`AsyncAltcraft`: its id, its status, and waiting for it."""

    def __init__(self, client: AsyncAltcraft, accepted: TaskAccepted) -> None:
        self._client = client
        self.accepted = accepted
        self.task_id: str = accepted.task_id

    def __repr__(self) -> str:
        return f"AsyncTaskHandle(task_id={self.task_id!r})"

    async def status(self) -> TaskStatus:
        """One /tasks/status request."""
        return await self._client.task_status(self.task_id)

    async def wait(
        self,
        *,
        timeout: float = 600.0,
        poll_interval: float = 0.5,
        max_interval: float = 10.0,
        backoff: float = 2.0,
        jitter: bool = True,
        on_progress: Callable[[TaskStatus], Any] | None = None,
        cancel: AsyncEvent | None = None,
    ) -> TaskStatus:
        """Wait for the task; see :meth:`AsyncAltcraft.wait_task`."""
        return await self._client.wait_task(
            self.task_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            backoff=backoff,
            jitter=jitter,
            on_progress=on_progress,
            cancel=cancel,
        )
