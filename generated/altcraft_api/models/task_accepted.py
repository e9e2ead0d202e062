from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaskAccepted")


@_attrs_define
class TaskAccepted:
    """The task was created; its progress is read by /tasks/status.

    Attributes:
        error (Literal[0]): Error code, 0 on success.
        error_text (str): Error text ("Successful operation" on success).
        task_id (str): Task identifier, as returned by a `*_task` operation. Opaque; pass back what was returned.
    """

    error: Literal[0]
    error_text: str
    task_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        error_text = self.error_text

        task_id = self.task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "error_text": error_text,
                "task_id": task_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error = cast(Literal[0], d.pop("error"))
        if error != 0:
            raise ValueError(f"error must match const 0, got '{error}'")

        error_text = d.pop("error_text")

        task_id = d.pop("task_id")

        task_accepted = cls(
            error=error,
            error_text=error_text,
            task_id=task_id,
        )

        task_accepted.additional_properties = d
        return task_accepted

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
