from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.batch_matching_mode import BatchMatchingMode
from ..models.format_ import Format
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_item import BatchItem


T = TypeVar("T", bound="BatchCommon")


@_attrs_define
class BatchCommon:
    """
    Attributes:
        data (list[BatchItem]): Profile data, including subscriptions. Each profile is a separate JSON object "data".
            Not recommended: more than 10,000 profiles per request.
        token (str | Unset): API token. Required unless sent as `Authorization: Bearer`.
        format_ (Format | Unset): Data format (by default - "json").
        matching (BatchMatchingMode | Unset): Profile matching mode. By default – email.
            * `email` – by email, both profile data and subscriptions (`email`)
            * `email_profile` – by email, profile data only (`email`)
            * `phone` – by phone number (`phone`)
            * `profile_id` – by profile identifier (`profile_id`)
            * `custom` – by a custom profile field (`field_name` + `field_value`)
            In a batch, each item's profile data supplies the value to match (its `email`, `phones`,
            or the custom field named by `field_name`) unless the root field gives it.
    """

    data: list[BatchItem]
    token: str | Unset = UNSET
    format_: Format | Unset = UNSET
    matching: BatchMatchingMode | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for componentsschemas_batch_items_item_data in self.data:
            componentsschemas_batch_items_item = componentsschemas_batch_items_item_data.to_dict()
            data.append(componentsschemas_batch_items_item)

        token = self.token

        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_.value

        matching: str | Unset = UNSET
        if not isinstance(self.matching, Unset):
            matching = self.matching.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
            }
        )
        if token is not UNSET:
            field_dict["token"] = token
        if format_ is not UNSET:
            field_dict["format"] = format_
        if matching is not UNSET:
            field_dict["matching"] = matching

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_item import BatchItem  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for componentsschemas_batch_items_item_data in _data:
            componentsschemas_batch_items_item = BatchItem.from_dict(componentsschemas_batch_items_item_data)

            data.append(componentsschemas_batch_items_item)

        token = d.pop("token", UNSET)

        _format_ = d.pop("format", UNSET)
        format_: Format | Unset
        if isinstance(_format_, Unset):
            format_ = UNSET
        else:
            format_ = Format(_format_)

        _matching = d.pop("matching", UNSET)
        matching: BatchMatchingMode | Unset
        if isinstance(_matching, Unset):
            matching = UNSET
        else:
            matching = BatchMatchingMode(_matching)

        batch_common = cls(
            data=data,
            token=token,
            format_=format_,
            matching=matching,
        )

        batch_common.additional_properties = d
        return batch_common

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
