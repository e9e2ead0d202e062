from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TriggerMatchingValue")


@_attrs_define
class TriggerMatchingValue:
    """The root `field_value` of the two trigger operations, typed as their pages type it (int/string).
    It is not part of MatchingFields, which the workflow operation shares and whose page types
    `field_value` "Any".

        Attributes:
            field_value (int | str | Unset): Custom profile data field value ("matching": "custom"), as the trigger pages
                type it: a string or
                an integer. Searching by a combination of tags is available for tag-type profile fields; values
                are recorded as a string: "tag-1, tag-2".
    """

    field_value: int | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field_value: int | str | Unset
        if isinstance(self.field_value, Unset):
            field_value = UNSET
        else:
            field_value = self.field_value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if field_value is not UNSET:
            field_dict["field_value"] = field_value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_field_value(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        field_value = _parse_field_value(d.pop("field_value", UNSET))

        trigger_matching_value = cls(
            field_value=field_value,
        )

        trigger_matching_value.additional_properties = d
        return trigger_matching_value

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
