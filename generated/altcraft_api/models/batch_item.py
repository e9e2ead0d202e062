from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.custom_data import CustomData
    from ..models.profile_data import ProfileData


T = TypeVar("T", bound="BatchItem")


@_attrs_define
class BatchItem:
    """One profile of a batch: `{"data": {...profile...}}`, optionally with its own `custom_data`.
    In XML the item is a root `<data>` element holding the profile fields directly
    (see `x-altcraft-xml-conventions`).

        Attributes:
            data (ProfileData): Profile fields data, including subscriptions. Besides the system fields below (names
                starting
                with "_", plus email and phones) any custom profile field of the database may be sent. The
                pages print no Type for these fields, only examples: their types are assumed (`x-assumed`,
                warnings only).
            custom_data (CustomData | Unset): Data to be used in Action hooks. Can be passed at the root of the request or
                separately in each data object.
    """

    data: ProfileData
    custom_data: CustomData | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        custom_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_data, Unset):
            custom_data = self.custom_data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
            }
        )
        if custom_data is not UNSET:
            field_dict["custom_data"] = custom_data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.custom_data import CustomData  # noqa: PLC0415
        from ..models.profile_data import ProfileData  # noqa: PLC0415

        d = dict(src_dict)
        data = ProfileData.from_dict(d.pop("data"))

        _custom_data = d.pop("custom_data", UNSET)
        custom_data: CustomData | Unset
        if isinstance(_custom_data, Unset):
            custom_data = UNSET
        else:
            custom_data = CustomData.from_dict(_custom_data)

        batch_item = cls(
            data=data,
            custom_data=custom_data,
        )

        batch_item.additional_properties = d
        return batch_item

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
