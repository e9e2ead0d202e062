from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_result import TaskResult


T = TypeVar("T", bound="TaskStatusData")


@_attrs_define
class TaskStatusData:
    """The state of a task.

    Attributes:
        status (str): Task status. Only "completed" (with progress 100) is documented. The other values below are
            what this spec and its emulator use; clients must treat any value they do not know as
            "still running" and keep polling.
        progress (int): Progress in percent; 100 when completed.
        result (TaskResult | Unset): The outcome of a finished task, shaped like the synchronous operation's answer.
    """

    status: str
    progress: int
    result: TaskResult | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status = self.status

        progress = self.progress

        result: dict[str, Any] | Unset = UNSET
        if not isinstance(self.result, Unset):
            result = self.result.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "progress": progress,
            }
        )
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.task_result import TaskResult  # noqa: PLC0415

        d = dict(src_dict)
        status = d.pop("status")

        progress = d.pop("progress")

        _result = d.pop("result", UNSET)
        result: TaskResult | Unset
        if isinstance(_result, Unset):
            result = UNSET
        else:
            result = TaskResult.from_dict(_result)

        task_status_data = cls(
            status=status,
            progress=progress,
            result=result,
        )

        task_status_data.additional_properties = d
        return task_status_data

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
