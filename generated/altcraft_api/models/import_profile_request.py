from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.format_ import Format
from ..models.profile_matching_mode import ProfileMatchingMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.profile_data import ProfileData


T = TypeVar("T", bound="ImportProfileRequest")


@_attrs_define
class ImportProfileRequest:
    """Import (add or update) one profile in a database. Each matching mode needs its fields in the body
    (ru_v74_profiles_import.txt l.116); which ones is assumed (`x-assumed`, see ProfileMatchingMode).

        Attributes:
            db_id (int): Database identifier.
            data (ProfileData): Profile fields data, including subscriptions. Besides the system fields below (names
                starting
                with "_", plus email and phones) any custom profile field of the database may be sent. The
                pages print no Type for these fields, only examples: their types are assumed (`x-assumed`,
                warnings only).
            email (str | Unset): Email address. "matching": "email" – both profile data and subscriptions; "matching":
                "email_profile" – profile data only.
            phone (str | Unset): Phone number ("matching": "phone").
            profile_id (str | Unset): Profile ID ("matching": "profile_id").
            field_name (str | Unset): Custom profile data field name ("matching": "custom").
            resource_id (int | Unset): Resource ID for email and phone matching.
            skip_triggers (bool | Unset): Skip triggers and workflows activated by import and update actions. By default –
                false.
            skip_invalid_subscriptions (bool | Unset): Skip invalid subscriptions. By default – false.
            detect_geo (bool | Unset): Detect geolocation by IP (it is detected by data from the fields _regip or _ip).
            token (str | Unset): API token. Every page marks it required in the body ("token ... Да" / "Yes":
                ru_v72_triggers_import_and_start_batch_task.txt
                l.27, ru_v72_triggers_import_and_start_batch.txt l.89, en_v72_triggers_import_and_start_batch.txt l.25,
                en_v72_workflows_import_and_start_batch_task.txt l.24, ru_v74_profiles_import.txt l.86). This spec does not put
                it in
                `required`: it may come as `Authorization: Bearer` instead (see x-assumption and the `token-required`
                discrepancy).
            format_ (Format | Unset): Data format (by default - "json").
            matching (ProfileMatchingMode | Unset): Profile matching mode. By default – email. Each mode needs its own
                fields in the request body
                (ru-v74-profiles-import; translated):
                * `email` – by email from the profile or subscriptions (`email`)
                * `email_profile` – by email from the profile (`email`)
                * `email_sub` – by email from subscriptions (`email`)
                * `phone` – by phone from the profile or subscriptions (`phone`)
                * `phone_sub` – by phone from subscriptions (`phone`)
                * `profile_id` – by profile identifier, update only (`profile_id`)
                * `push_sub` – by push subscription (`provider`, `subscription_id`, `resource_id`)
                * `custom` – by a custom field (`field_name`, `field_value`)
                * `custom_sub` – by a subscription to a custom channel
                * `email_phone` – by email or phone from the profile (`email` or `phone`)
                * `email_phone_sub` – by email or phone from subscriptions (`email` or `phone`)
                With `email` or `phone` the search covers contact data and subscriptions at once.
            provider (Any | Unset): Push provider ("matching": "push_sub").
            subscription_id (Any | Unset): Push subscription identifier ("matching": "push_sub").
            field_value (Any | Unset): Custom profile field value ("matching": "custom"). Not printed by this page; assumed
                from the
                trigger pages, which type it int/string.
            add_to_segments (list[Any] | Unset):
            remove_from_segments (list[Any] | Unset):
    """

    db_id: int
    data: ProfileData
    email: str | Unset = UNSET
    phone: str | Unset = UNSET
    profile_id: str | Unset = UNSET
    field_name: str | Unset = UNSET
    resource_id: int | Unset = UNSET
    skip_triggers: bool | Unset = UNSET
    skip_invalid_subscriptions: bool | Unset = UNSET
    detect_geo: bool | Unset = UNSET
    token: str | Unset = UNSET
    format_: Format | Unset = UNSET
    matching: ProfileMatchingMode | Unset = UNSET
    provider: Any | Unset = UNSET
    subscription_id: Any | Unset = UNSET
    field_value: Any | Unset = UNSET
    add_to_segments: list[Any] | Unset = UNSET
    remove_from_segments: list[Any] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        db_id = self.db_id

        data = self.data.to_dict()

        email = self.email

        phone = self.phone

        profile_id = self.profile_id

        field_name = self.field_name

        resource_id = self.resource_id

        skip_triggers = self.skip_triggers

        skip_invalid_subscriptions = self.skip_invalid_subscriptions

        detect_geo = self.detect_geo

        token = self.token

        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_.value

        matching: str | Unset = UNSET
        if not isinstance(self.matching, Unset):
            matching = self.matching.value

        provider = self.provider

        subscription_id = self.subscription_id

        field_value = self.field_value

        add_to_segments: list[Any] | Unset = UNSET
        if not isinstance(self.add_to_segments, Unset):
            add_to_segments = self.add_to_segments

        remove_from_segments: list[Any] | Unset = UNSET
        if not isinstance(self.remove_from_segments, Unset):
            remove_from_segments = self.remove_from_segments

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "db_id": db_id,
                "data": data,
            }
        )
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
        if skip_triggers is not UNSET:
            field_dict["skip_triggers"] = skip_triggers
        if skip_invalid_subscriptions is not UNSET:
            field_dict["skip_invalid_subscriptions"] = skip_invalid_subscriptions
        if detect_geo is not UNSET:
            field_dict["detect_geo"] = detect_geo
        if token is not UNSET:
            field_dict["token"] = token
        if format_ is not UNSET:
            field_dict["format"] = format_
        if matching is not UNSET:
            field_dict["matching"] = matching
        if provider is not UNSET:
            field_dict["provider"] = provider
        if subscription_id is not UNSET:
            field_dict["subscription_id"] = subscription_id
        if field_value is not UNSET:
            field_dict["field_value"] = field_value
        if add_to_segments is not UNSET:
            field_dict["add_to_segments"] = add_to_segments
        if remove_from_segments is not UNSET:
            field_dict["remove_from_segments"] = remove_from_segments

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.profile_data import ProfileData  # noqa: PLC0415

        d = dict(src_dict)
        db_id = d.pop("db_id")

        data = ProfileData.from_dict(d.pop("data"))

        email = d.pop("email", UNSET)

        phone = d.pop("phone", UNSET)

        profile_id = d.pop("profile_id", UNSET)

        field_name = d.pop("field_name", UNSET)

        resource_id = d.pop("resource_id", UNSET)

        skip_triggers = d.pop("skip_triggers", UNSET)

        skip_invalid_subscriptions = d.pop("skip_invalid_subscriptions", UNSET)

        detect_geo = d.pop("detect_geo", UNSET)

        token = d.pop("token", UNSET)

        _format_ = d.pop("format", UNSET)
        format_: Format | Unset
        if isinstance(_format_, Unset):
            format_ = UNSET
        else:
            format_ = Format(_format_)

        _matching = d.pop("matching", UNSET)
        matching: ProfileMatchingMode | Unset
        if isinstance(_matching, Unset):
            matching = UNSET
        else:
            matching = ProfileMatchingMode(_matching)

        provider = d.pop("provider", UNSET)

        subscription_id = d.pop("subscription_id", UNSET)

        field_value = d.pop("field_value", UNSET)

        add_to_segments = cast(list[Any], d.pop("add_to_segments", UNSET))

        remove_from_segments = cast(list[Any], d.pop("remove_from_segments", UNSET))

        import_profile_request = cls(
            db_id=db_id,
            data=data,
            email=email,
            phone=phone,
            profile_id=profile_id,
            field_name=field_name,
            resource_id=resource_id,
            skip_triggers=skip_triggers,
            skip_invalid_subscriptions=skip_invalid_subscriptions,
            detect_geo=detect_geo,
            token=token,
            format_=format_,
            matching=matching,
            provider=provider,
            subscription_id=subscription_id,
            field_value=field_value,
            add_to_segments=add_to_segments,
            remove_from_segments=remove_from_segments,
        )

        import_profile_request.additional_properties = d
        return import_profile_request

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
