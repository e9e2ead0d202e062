from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImportFlags")


@_attrs_define
class ImportFlags:
    """
    Attributes:
        skip_triggers (bool | Unset): Skip triggers and workflows activated by import and update actions. By default –
            false.
        skip_invalid_subscriptions (bool | Unset): Skip invalid subscriptions. By default – false.
        detect_geo (bool | Unset): Detect geolocation by IP (it is detected by data from the fields _regip or _ip).
    """

    skip_triggers: bool | Unset = UNSET
    skip_invalid_subscriptions: bool | Unset = UNSET
    detect_geo: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        skip_triggers = self.skip_triggers

        skip_invalid_subscriptions = self.skip_invalid_subscriptions

        detect_geo = self.detect_geo

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if skip_triggers is not UNSET:
            field_dict["skip_triggers"] = skip_triggers
        if skip_invalid_subscriptions is not UNSET:
            field_dict["skip_invalid_subscriptions"] = skip_invalid_subscriptions
        if detect_geo is not UNSET:
            field_dict["detect_geo"] = detect_geo

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        skip_triggers = d.pop("skip_triggers", UNSET)

        skip_invalid_subscriptions = d.pop("skip_invalid_subscriptions", UNSET)

        detect_geo = d.pop("detect_geo", UNSET)

        import_flags = cls(
            skip_triggers=skip_triggers,
            skip_invalid_subscriptions=skip_invalid_subscriptions,
            detect_geo=detect_geo,
        )

        import_flags.additional_properties = d
        return import_flags

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
