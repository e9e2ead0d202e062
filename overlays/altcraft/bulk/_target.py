"""What a bulk import sends: the operation, its root fields and how rows become request items."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from altcraft_api.params import Operation

from .._errors import (
    InvalidInput,
)
from .._serialize import to_plain

__all__ = ["Target", "TargetArgs", "make_target"]

# Account-level refusals: every further request would be refused too, and nothing was processed.


# -- what is imported where --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where the rows go: the operation and the root fields sent with every request."""

    operation: Operation
    root: Mapping[str, Any]

    @property
    def per_row(self) -> bool:
        """One request per row (``/profiles/import``) instead of batches."""
        return self.operation == "import_profile"

    @property
    def task(self) -> bool:
        return self.operation.endswith("_task")

    def key(self) -> dict[str, Any]:
        """What a resumed run must match: the operation and its root fields."""
        return {"operation": self.operation, "root": dict(self.root)}


class TargetArgs(TypedDict, total=False):
    """The keywords of ``bulk_import`` that say what is sent (see there); ``check_rows`` takes them too."""

    trigger_id: int | None
    workflow_id: int | None
    db_id: int | None
    task: bool
    matching: str | None
    params: Mapping[str, Any] | None


def make_target(
    *,
    trigger_id: int | None,
    workflow_id: int | None,
    db_id: int | None,
    task: bool,
    matching: str | None,
    params: Mapping[str, Any] | None,
) -> Target:
    """The target of ``bulk_import``'s keywords; exactly one of trigger_id, workflow_id, db_id."""
    given = [
        name
        for name, v in (("trigger_id", trigger_id), ("workflow_id", workflow_id), ("db_id", db_id))
        if v is not None
    ]
    if len(given) != 1:
        raise InvalidInput(
            "bulk_import: give exactly one of trigger_id, workflow_id or db_id"
            + (f" (got {', '.join(given)})" if given else ""),
            field="trigger_id",
        )
    root: dict[str, Any] = dict(to_plain(params) if params is not None else {})
    for reserved in ("data", "token", "trigger_id", "workflow_id", "db_id"):
        if reserved in root:
            raise InvalidInput(f"bulk_import: params must not contain {reserved!r}", field=f"params.{reserved}")
    if matching is not None:
        root["matching"] = matching
    operation: Operation
    if trigger_id is not None:
        root["trigger_id"] = trigger_id
        operation = "import_and_start_batch_task" if task else "import_and_start_batch"
    elif workflow_id is not None:
        if not task:
            raise InvalidInput("bulk_import: a workflow is started only as a task (task=True)", field="task")
        root["workflow_id"] = workflow_id
        operation = "workflow_import_and_start_batch_task"
    else:
        root["db_id"] = db_id
        operation = "import_profile"
    return Target(operation, root)


# -- chunks --------------------------------------------------------------------------------------------------
