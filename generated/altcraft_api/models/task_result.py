from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.profile_ref import ProfileRef


T = TypeVar("T", bound="TaskResult")


@_attrs_define
class TaskResult:
    """The outcome of a finished task, shaped like the synchronous operation's answer.

    Attributes:
        error (int): Error code; 0 means success.
        error_text (str | Unset): Error text ("Successful operation" on success).
        error_debug (str | Unset): Technical detail of the error.
        result (list[ProfileRef] | Unset): IDs of the successfully imported profiles.
    """

    error: int
    error_text: str | Unset = UNSET
    error_debug: str | Unset = UNSET
    result: list[ProfileRef] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        error_text = self.error_text

        error_debug = self.error_debug

        result: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.result, Unset):
            result = []
            for result_item_data in self.result:
                result_item = result_item_data.to_dict()
                result.append(result_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )
        if error_text is not UNSET:
            field_dict["error_text"] = error_text
        if error_debug is not UNSET:
            field_dict["error_debug"] = error_debug
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.profile_ref import ProfileRef  # noqa: PLC0415

        d = dict(src_dict)
        error = d.pop("error")

        error_text = d.pop("error_text", UNSET)

        error_debug = d.pop("error_debug", UNSET)

        _result = d.pop("result", UNSET)
        result: list[ProfileRef] | Unset = UNSET
        if _result is not UNSET:
            result = []
            for result_item_data in _result:
                result_item = ProfileRef.from_dict(result_item_data)

                result.append(result_item)

        task_result = cls(
            error=error,
            error_text=error_text,
            error_debug=error_debug,
            result=result,
        )

        task_result.additional_properties = d
        return task_result

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
