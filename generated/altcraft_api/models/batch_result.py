from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.profile_ref import ProfileRef


T = TypeVar("T", bound="BatchResult")


@_attrs_define
class BatchResult:
    """IDs of successfully imported profiles.

    Attributes:
        error (Literal[0]): Error code, 0 on success.
        error_text (str): Error text ("Successful operation" on success).
        result (list[ProfileRef]): IDs of successfully imported profiles.
    """

    error: Literal[0]
    error_text: str
    result: list[ProfileRef]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        error_text = self.error_text

        result = []
        for result_item_data in self.result:
            result_item = result_item_data.to_dict()
            result.append(result_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "error_text": error_text,
                "result": result,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.profile_ref import ProfileRef  # noqa: PLC0415

        d = dict(src_dict)
        error = cast(Literal[0], d.pop("error"))
        if error != 0:
            raise ValueError(f"error must match const 0, got '{error}'")

        error_text = d.pop("error_text")

        result = []
        _result = d.pop("result")
        for result_item_data in _result:
            result_item = ProfileRef.from_dict(result_item_data)

            result.append(result_item)

        batch_result = cls(
            error=error,
            error_text=error_text,
            result=result,
        )

        batch_result.additional_properties = d
        return batch_result

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
