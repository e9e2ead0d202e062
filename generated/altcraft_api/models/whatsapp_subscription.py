from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.phone_data import PhoneData
    from ..models.subscription_custom_fields import SubscriptionCustomFields


T = TypeVar("T", bound="WhatsappSubscription")


@_attrs_define
class WhatsappSubscription:
    """WhatsApp channel subscription.

    Attributes:
        channel (Literal['whatsapp']): Channel type.
        resource_id (int | Unset): Resource identifier.
        status (int | str | Unset): Subscription status (optional). Recommended only when the status has to be updated.
            v74 documents a string ("subscribed"); v72 examples send the integer 0.
        priority (int | Unset): Subscription priority (optional). When sent, the resource's "raise the priority of new
            subscriptions" option does not apply.
        custom_fields (SubscriptionCustomFields | Unset): Standard and additional subscription fields (optional);
            /v1.1/resources/fields_get lists a resource's fields.
        cats (list[Any] | Unset): Resource categories to subscribe the profile to (optional).
        cc_data (PhoneData | Unset): The profile's phone in the messenger (WhatsApp, Viber, VK/OK/SMS).
    """

    channel: Literal["whatsapp"]
    resource_id: int | Unset = UNSET
    status: int | str | Unset = UNSET
    priority: int | Unset = UNSET
    custom_fields: SubscriptionCustomFields | Unset = UNSET
    cats: list[Any] | Unset = UNSET
    cc_data: PhoneData | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel = self.channel

        resource_id = self.resource_id

        status: int | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        priority = self.priority

        custom_fields: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_fields, Unset):
            custom_fields = self.custom_fields.to_dict()

        cats: list[Any] | Unset = UNSET
        if not isinstance(self.cats, Unset):
            cats = self.cats

        cc_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.cc_data, Unset):
            cc_data = self.cc_data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel": channel,
            }
        )
        if resource_id is not UNSET:
            field_dict["resource_id"] = resource_id
        if status is not UNSET:
            field_dict["status"] = status
        if priority is not UNSET:
            field_dict["priority"] = priority
        if custom_fields is not UNSET:
            field_dict["custom_fields"] = custom_fields
        if cats is not UNSET:
            field_dict["cats"] = cats
        if cc_data is not UNSET:
            field_dict["cc_data"] = cc_data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.phone_data import PhoneData  # noqa: PLC0415
        from ..models.subscription_custom_fields import SubscriptionCustomFields  # noqa: PLC0415

        d = dict(src_dict)
        channel = cast(Literal["whatsapp"], d.pop("channel"))
        if channel != "whatsapp":
            raise ValueError(f"channel must match const 'whatsapp', got '{channel}'")

        resource_id = d.pop("resource_id", UNSET)

        def _parse_status(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        priority = d.pop("priority", UNSET)

        _custom_fields = d.pop("custom_fields", UNSET)
        custom_fields: SubscriptionCustomFields | Unset
        if isinstance(_custom_fields, Unset):
            custom_fields = UNSET
        else:
            custom_fields = SubscriptionCustomFields.from_dict(_custom_fields)

        cats = cast(list[Any], d.pop("cats", UNSET))

        _cc_data = d.pop("cc_data", UNSET)
        cc_data: PhoneData | Unset
        if isinstance(_cc_data, Unset):
            cc_data = UNSET
        else:
            cc_data = PhoneData.from_dict(_cc_data)

        whatsapp_subscription = cls(
            channel=channel,
            resource_id=resource_id,
            status=status,
            priority=priority,
            custom_fields=custom_fields,
            cats=cats,
            cc_data=cc_data,
        )

        whatsapp_subscription.additional_properties = d
        return whatsapp_subscription

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
