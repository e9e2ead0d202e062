from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.batch_matching_mode import BatchMatchingMode
from ..models.format_ import Format
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attachment import Attachment
    from ..models.batch_item import BatchItem
    from ..models.content import Content
    from ..models.custom_data import CustomData
    from ..models.timeout import Timeout


T = TypeVar("T", bound="ImportAndStartBatchTaskRequest")


@_attrs_define
class ImportAndStartBatchTaskRequest:
    """Bulk profile import + trigger campaign launch, as a task.

    Attributes:
        trigger_id (int): Trigger campaign ID.
        token (str | Unset): API token. Every page marks it required in the body ("token ... Да" / "Yes":
            ru_v72_triggers_import_and_start_batch_task.txt
            l.27, ru_v72_triggers_import_and_start_batch.txt l.89, en_v72_triggers_import_and_start_batch.txt l.25,
            en_v72_workflows_import_and_start_batch_task.txt l.24, ru_v74_profiles_import.txt l.86). This spec does not put
            it in
            `required`: it may come as `Authorization: Bearer` instead (see x-assumption and the `token-required`
            discrepancy).
        format_ (Format | Unset): Data format (by default - "json").
        matching (BatchMatchingMode | Unset): Profile matching mode. By default – email.
            * `email` – by email, both profile data and subscriptions (`email`)
            * `email_profile` – by email, profile data only (`email`)
            * `phone` – by phone number (`phone`)
            * `profile_id` – by profile identifier (`profile_id`)
            * `custom` – by a custom profile field (`field_name` + `field_value`)

            Where the search key sits (`x-altcraft-search-key`, read by the client): the tables list
            `email`, `phone`, `profile_id`, `field_value` as root parameters, while every example puts the
            value to match in each item's `data` – `email` in the profile (email matching), the custom
            field named by the root `field_name` (custom matching, e.g. `"field_name": "Custom_ID"` at the
            root and `"Custom_ID": "345"` in each item). So each item's `data` must hold a non-empty value
            for one of the mode's `item` fields (for `custom`: the field whose name is the root
            `field_name`), unless the root holds one of the mode's `root` fields, which then serves every
            item. An `item` field written `subscriptions[].email` is the `email` of any one of the item's
            subscriptions: `email` matching searches "both profile data and subscriptions", so an item is
            keyed by its profile `email` or by the email of one of its subscriptions; `email_profile`
            ("profile data only") is keyed by the profile `email` alone. Without `matching`, the default
            mode `email` applies. The item keys of `phone` and `profile_id` are not shown by any page: they
            carry an `x-assumption`, and the client only warns.
        data (list[BatchItem] | Unset): Profile data, including subscriptions. Each profile is a separate JSON object
            "data".
            en-v72-workflow-task (en_v72_workflows_import_and_start_batch_task.txt l.13) advises against more than 10,000
            profiles per request; this spec applies that advice to every batch operation (`x-recommended-max-items`).
        email (str | Unset): Email address. "matching": "email" – both profile data and subscriptions; "matching":
            "email_profile" – profile data only.
        phone (str | Unset): Phone number ("matching": "phone").
        profile_id (str | Unset): Profile ID ("matching": "profile_id").
        field_name (str | Unset): Custom profile data field name ("matching": "custom").
        resource_id (int | Unset): Resource ID for email and phone matching.
        field_value (int | str | Unset): Custom profile data field value ("matching": "custom"), as the trigger pages
            type it: a string or
            an integer. Searching by a combination of tags is available for tag-type profile fields; values
            are recorded as a string: "tag-1, tag-2".
        skip_triggers (bool | Unset): Skip triggers and workflows activated by import and update actions. By default –
            false.
        skip_invalid_subscriptions (bool | Unset): Skip invalid subscriptions. By default – false.
        detect_geo (bool | Unset): Detect geolocation by IP (it is detected by data from the fields _regip or _ip).
        timeout (Timeout | Unset): Trigger start timeout. Specify the days, hours, and minutes to set the timeout
            period.
        custom_data (CustomData | Unset): Data to be used in Action hooks. Can be passed at the root of the request or
            separately in each data object.
        content (Content | Unset): Additional data for the message template, as the {apicontent.fieldname} variable. In
            workflows it can also be used in the "API call" and "API content filter" nodes.
        attach (list[Attachment] | Unset): Files to attach to an email message (email triggers only).
    """

    trigger_id: int
    token: str | Unset = UNSET
    format_: Format | Unset = UNSET
    matching: BatchMatchingMode | Unset = UNSET
    data: list[BatchItem] | Unset = UNSET
    email: str | Unset = UNSET
    phone: str | Unset = UNSET
    profile_id: str | Unset = UNSET
    field_name: str | Unset = UNSET
    resource_id: int | Unset = UNSET
    field_value: int | str | Unset = UNSET
    skip_triggers: bool | Unset = UNSET
    skip_invalid_subscriptions: bool | Unset = UNSET
    detect_geo: bool | Unset = UNSET
    timeout: Timeout | Unset = UNSET
    custom_data: CustomData | Unset = UNSET
    content: Content | Unset = UNSET
    attach: list[Attachment] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        trigger_id = self.trigger_id

        token = self.token

        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_.value

        matching: str | Unset = UNSET
        if not isinstance(self.matching, Unset):
            matching = self.matching.value

        data: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = []
            for componentsschemas_batch_items_item_data in self.data:
                componentsschemas_batch_items_item = componentsschemas_batch_items_item_data.to_dict()
                data.append(componentsschemas_batch_items_item)

        email = self.email

        phone = self.phone

        profile_id = self.profile_id

        field_name = self.field_name

        resource_id = self.resource_id

        field_value: int | str | Unset
        if isinstance(self.field_value, Unset):
            field_value = UNSET
        else:
            field_value = self.field_value

        skip_triggers = self.skip_triggers

        skip_invalid_subscriptions = self.skip_invalid_subscriptions

        detect_geo = self.detect_geo

        timeout: dict[str, Any] | Unset = UNSET
        if not isinstance(self.timeout, Unset):
            timeout = self.timeout.to_dict()

        custom_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_data, Unset):
            custom_data = self.custom_data.to_dict()

        content: dict[str, Any] | Unset = UNSET
        if not isinstance(self.content, Unset):
            content = self.content.to_dict()

        attach: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.attach, Unset):
            attach = []
            for attach_item_data in self.attach:
                attach_item = attach_item_data.to_dict()
                attach.append(attach_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "trigger_id": trigger_id,
            }
        )
        if token is not UNSET:
            field_dict["token"] = token
        if format_ is not UNSET:
            field_dict["format"] = format_
        if matching is not UNSET:
            field_dict["matching"] = matching
        if data is not UNSET:
            field_dict["data"] = data
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
        if field_value is not UNSET:
            field_dict["field_value"] = field_value
        if skip_triggers is not UNSET:
            field_dict["skip_triggers"] = skip_triggers
        if skip_invalid_subscriptions is not UNSET:
            field_dict["skip_invalid_subscriptions"] = skip_invalid_subscriptions
        if detect_geo is not UNSET:
            field_dict["detect_geo"] = detect_geo
        if timeout is not UNSET:
            field_dict["timeout"] = timeout
        if custom_data is not UNSET:
            field_dict["custom_data"] = custom_data
        if content is not UNSET:
            field_dict["content"] = content
        if attach is not UNSET:
            field_dict["attach"] = attach

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attachment import Attachment  # noqa: PLC0415
        from ..models.batch_item import BatchItem  # noqa: PLC0415
        from ..models.content import Content  # noqa: PLC0415
        from ..models.custom_data import CustomData  # noqa: PLC0415
        from ..models.timeout import Timeout  # noqa: PLC0415

        d = dict(src_dict)
        trigger_id = d.pop("trigger_id")

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

        _data = d.pop("data", UNSET)
        data: list[BatchItem] | Unset = UNSET
        if _data is not UNSET:
            data = []
            for componentsschemas_batch_items_item_data in _data:
                componentsschemas_batch_items_item = BatchItem.from_dict(componentsschemas_batch_items_item_data)

                data.append(componentsschemas_batch_items_item)

        email = d.pop("email", UNSET)

        phone = d.pop("phone", UNSET)

        profile_id = d.pop("profile_id", UNSET)

        field_name = d.pop("field_name", UNSET)

        resource_id = d.pop("resource_id", UNSET)

        def _parse_field_value(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        field_value = _parse_field_value(d.pop("field_value", UNSET))

        skip_triggers = d.pop("skip_triggers", UNSET)

        skip_invalid_subscriptions = d.pop("skip_invalid_subscriptions", UNSET)

        detect_geo = d.pop("detect_geo", UNSET)

        _timeout = d.pop("timeout", UNSET)
        timeout: Timeout | Unset
        if isinstance(_timeout, Unset):
            timeout = UNSET
        else:
            timeout = Timeout.from_dict(_timeout)

        _custom_data = d.pop("custom_data", UNSET)
        custom_data: CustomData | Unset
        if isinstance(_custom_data, Unset):
            custom_data = UNSET
        else:
            custom_data = CustomData.from_dict(_custom_data)

        _content = d.pop("content", UNSET)
        content: Content | Unset
        if isinstance(_content, Unset):
            content = UNSET
        else:
            content = Content.from_dict(_content)

        _attach = d.pop("attach", UNSET)
        attach: list[Attachment] | Unset = UNSET
        if _attach is not UNSET:
            attach = []
            for attach_item_data in _attach:
                attach_item = Attachment.from_dict(attach_item_data)

                attach.append(attach_item)

        import_and_start_batch_task_request = cls(
            trigger_id=trigger_id,
            token=token,
            format_=format_,
            matching=matching,
            data=data,
            email=email,
            phone=phone,
            profile_id=profile_id,
            field_name=field_name,
            resource_id=resource_id,
            field_value=field_value,
            skip_triggers=skip_triggers,
            skip_invalid_subscriptions=skip_invalid_subscriptions,
            detect_geo=detect_geo,
            timeout=timeout,
            custom_data=custom_data,
            content=content,
            attach=attach,
        )

        import_and_start_batch_task_request.additional_properties = d
        return import_and_start_batch_task_request

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
