from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TaskStatusRequest")


@_attrs_define
class TaskStatusRequest:
    """Checking the status of the task.

    Attributes:
        task_id (str): Task identifier, as returned by a `*_task` operation. Opaque; pass back what was returned.
        token (str | Unset): API token. Every page marks it required in the body ("token ... Да" / "Yes":
            ru_v72_triggers_import_and_start_batch_task.txt
            l.27, ru_v72_triggers_import_and_start_batch.txt l.89, en_v72_triggers_import_and_start_batch.txt l.25,
            en_v72_workflows_import_and_start_batch_task.txt l.24, ru_v74_profiles_import.txt l.86). This spec does not put
            it in
            `required`: it may come as `Authorization: Bearer` instead (see x-assumption and the `token-required`
            discrepancy).
    """

    task_id: str
    token: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task_id": task_id,
            }
        )
        if token is not UNSET:
            field_dict["token"] = token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        task_id = d.pop("task_id")

        token = d.pop("token", UNSET)

        task_status_request = cls(
            task_id=task_id,
            token=token,
        )

        task_status_request.additional_properties = d
        return task_status_request

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
