from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MatchingFields")


@_attrs_define
class MatchingFields:
    """The root fields that carry the value to match by (see the matching mode), shared by the four
    import operations. `field_value` is not among them: its Type differs by page (int/string on the
    trigger pages, Any on the workflow page), so each operation defines its own (the
    `field-value-type` discrepancy).

        Attributes:
            email (str | Unset): Email address. "matching": "email" – both profile data and subscriptions; "matching":
                "email_profile" – profile data only.
            phone (str | Unset): Phone number ("matching": "phone").
            profile_id (str | Unset): Profile ID ("matching": "profile_id").
            field_name (str | Unset): Custom profile data field name ("matching": "custom").
            resource_id (int | Unset): Resource ID for email and phone matching.
    """

    email: str | Unset = UNSET
    phone: str | Unset = UNSET
    profile_id: str | Unset = UNSET
    field_name: str | Unset = UNSET
    resource_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        phone = self.phone

        profile_id = self.profile_id

        field_name = self.field_name

        resource_id = self.resource_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if phone is not UNSET:
            field_dict["phone"] = phone
        if profile_id is not UNSET:
            field_dict["profile_id"] = profile_id
        if field_name is not UNSET:
            field_dict["field_name"] = field_name
        if resource_id is not UNSET:
            field_dict["resource_id"] = resource_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email", UNSET)

        phone = d.pop("phone", UNSET)

        profile_id = d.pop("profile_id", UNSET)

        field_name = d.pop("field_name", UNSET)

        resource_id = d.pop("resource_id", UNSET)

        matching_fields = cls(
            email=email,
            phone=phone,
            profile_id=profile_id,
            field_name=field_name,
            resource_id=resource_id,
        )

        matching_fields.additional_properties = d
        return matching_fields

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
