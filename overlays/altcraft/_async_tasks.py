"""Task handles: a task started by a ``*_task`` method, its status, and waiting for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from altcraft_api.models import TaskAccepted, TaskStatus

from ._concurrency import AsyncEvent
from ._polling import WaitOptions

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

    async def wait(self, *, cancel: AsyncEvent | None = None, **options: Unpack[WaitOptions]) -> TaskStatus:
        """Wait for the task: :meth:`AsyncAltcraft.wait_task` with this task's id and the same keywords."""
        return await self._client.wait_task(self.task_id, cancel=cancel, **options)
