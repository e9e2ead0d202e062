from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

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
    from ..models.custom_request import CustomRequest


T = TypeVar("T", bound="WorkflowImportAndStartBatchTaskRequest")


@_attrs_define
class WorkflowImportAndStartBatchTaskRequest:
    """Batch import of profiles and their entry into a workflow (scenario), as a task.

    Attributes:
        workflow_id (int): Workflow identifier.
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
        skip_triggers (bool | Unset): Skip triggers and workflows activated by import and update actions. By default –
            false.
        skip_invalid_subscriptions (bool | Unset): Skip invalid subscriptions. By default – false.
        detect_geo (bool | Unset): Detect geolocation by IP (it is detected by data from the fields _regip or _ip).
        content (Content | Unset): Additional data for the message template, as the {apicontent.fieldname} variable. In
            workflows it can also be used in the "API call" and "API content filter" nodes.
        custom_data (CustomData | Unset): Data to be used in Action hooks. Can be passed at the root of the request or
            separately in each data object.
        attach (list[Attachment] | Unset): Files to attach to an email message (only for email triggers).
        custom_request (CustomRequest | Unset): MongoDB query on profile fields, used if there is no "matching"
            property. Documented in English only.
        field_value (Any | Unset): The value of the custom profile field for search ("matching": "custom"). Its Type on
            this page is
            "Any": no type is enforced. Search by combination of tags is available; values are recorded as a
            string: "tag-1, tag-2".
    """

    workflow_id: int
    token: str | Unset = UNSET
    format_: Format | Unset = UNSET
    matching: BatchMatchingMode | Unset = UNSET
    data: list[BatchItem] | Unset = UNSET
    email: str | Unset = UNSET
    phone: str | Unset = UNSET
    profile_id: str | Unset = UNSET
    field_name: str | Unset = UNSET
    resource_id: int | Unset = UNSET
    skip_triggers: bool | Unset = UNSET
    skip_invalid_subscriptions: bool | Unset = UNSET
    detect_geo: bool | Unset = UNSET
    content: Content | Unset = UNSET
    custom_data: CustomData | Unset = UNSET
    attach: list[Attachment] | Unset = UNSET
    custom_request: CustomRequest | Unset = UNSET
    field_value: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        workflow_id = self.workflow_id

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

        skip_triggers = self.skip_triggers

        skip_invalid_subscriptions = self.skip_invalid_subscriptions

        detect_geo = self.detect_geo

        content: dict[str, Any] | Unset = UNSET
        if not isinstance(self.content, Unset):
            content = self.content.to_dict()

        custom_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_data, Unset):
            custom_data = self.custom_data.to_dict()

        attach: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.attach, Unset):
            attach = []
            for attach_item_data in self.attach:
                attach_item = attach_item_data.to_dict()
                attach.append(attach_item)

        custom_request: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_request, Unset):
            custom_request = self.custom_request.to_dict()

        field_value = self.field_value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "workflow_id": workflow_id,
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
        if skip_triggers is not UNSET:
            field_dict["skip_triggers"] = skip_triggers
        if skip_invalid_subscriptions is not UNSET:
            field_dict["skip_invalid_subscriptions"] = skip_invalid_subscriptions
        if detect_geo is not UNSET:
            field_dict["detect_geo"] = detect_geo
        if content is not UNSET:
            field_dict["content"] = content
        if custom_data is not UNSET:
            field_dict["custom_data"] = custom_data
        if attach is not UNSET:
            field_dict["attach"] = attach
        if custom_request is not UNSET:
            field_dict["custom_request"] = custom_request
        if field_value is not UNSET:
            field_dict["field_value"] = field_value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attachment import Attachment  # noqa: PLC0415
        from ..models.batch_item import BatchItem  # noqa: PLC0415
        from ..models.content import Content  # noqa: PLC0415
        from ..models.custom_data import CustomData  # noqa: PLC0415
        from ..models.custom_request import CustomRequest  # noqa: PLC0415

        d = dict(src_dict)
        workflow_id = d.pop("workflow_id")

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

        skip_triggers = d.pop("skip_triggers", UNSET)

        skip_invalid_subscriptions = d.pop("skip_invalid_subscriptions", UNSET)

        detect_geo = d.pop("detect_geo", UNSET)

        _content = d.pop("content", UNSET)
        content: Content | Unset
        if isinstance(_content, Unset):
            content = UNSET
        else:
            content = Content.from_dict(_content)

        _custom_data = d.pop("custom_data", UNSET)
        custom_data: CustomData | Unset
        if isinstance(_custom_data, Unset):
            custom_data = UNSET
        else:
            custom_data = CustomData.from_dict(_custom_data)

        _attach = d.pop("attach", UNSET)
        attach: list[Attachment] | Unset = UNSET
        if _attach is not UNSET:
            attach = []
            for attach_item_data in _attach:
                attach_item = Attachment.from_dict(attach_item_data)

                attach.append(attach_item)

        _custom_request = d.pop("custom_request", UNSET)
        custom_request: CustomRequest | Unset
        if isinstance(_custom_request, Unset):
            custom_request = UNSET
        else:
            custom_request = CustomRequest.from_dict(_custom_request)

        field_value = d.pop("field_value", UNSET)

        workflow_import_and_start_batch_task_request = cls(
            workflow_id=workflow_id,
            token=token,
            format_=format_,
            matching=matching,
            data=data,
            email=email,
            phone=phone,
            profile_id=profile_id,
            field_name=field_name,
            resource_id=resource_id,
            skip_triggers=skip_triggers,
            skip_invalid_subscriptions=skip_invalid_subscriptions,
            detect_geo=detect_geo,
            content=content,
            custom_data=custom_data,
            attach=attach,
            custom_request=custom_request,
            field_value=field_value,
        )

        workflow_import_and_start_batch_task_request.additional_properties = d
        return workflow_import_and_start_batch_task_request

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
