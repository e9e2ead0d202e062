from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SubscriptionFilter")


@_attrs_define
class SubscriptionFilter:
    """Selects the profile's subscription to send to, when the profile is found by custom, profile_id
    or custom_request. `not_strict` says what to do when the subscription is not found: with true,
    any suitable subscription is used. (Documented in Russian only, on ru-v72-trigger-sync; translated.)

        Attributes:
            email (Any | Unset): Email of the subscription.
            phone (Any | Unset): Phone of the subscription.
            subscription_id (Any | Unset): Push subscription identifier.
            provider (Any | Unset): Push provider.
            not_strict (Any | Unset): With true, any suitable subscription is used when the given one is not found.
    """

    email: Any | Unset = UNSET
    phone: Any | Unset = UNSET
    subscription_id: Any | Unset = UNSET
    provider: Any | Unset = UNSET
    not_strict: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        phone = self.phone

        subscription_id = self.subscription_id

        provider = self.provider

        not_strict = self.not_strict

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if phone is not UNSET:
            field_dict["phone"] = phone
        if subscription_id is not UNSET:
            field_dict["subscription_id"] = subscription_id
        if provider is not UNSET:
            field_dict["provider"] = provider
        if not_strict is not UNSET:
            field_dict["not_strict"] = not_strict

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email", UNSET)

        phone = d.pop("phone", UNSET)

        subscription_id = d.pop("subscription_id", UNSET)

        provider = d.pop("provider", UNSET)

        not_strict = d.pop("not_strict", UNSET)

        subscription_filter = cls(
            email=email,
            phone=phone,
            subscription_id=subscription_id,
            provider=provider,
            not_strict=not_strict,
        )

        subscription_filter.additional_properties = d
        return subscription_filter

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
