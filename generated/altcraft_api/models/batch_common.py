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
    """The fields every batch operation shares. `data` is not required: ru_v72_triggers_import_and_start_batch_task.txt
    l.47
    ("нет"), ru_v72_triggers_import_and_start_batch.txt l.109 ("Нет") and
    en_v72_workflows_import_and_start_batch_task.txt l.44
    ("No") make it optional; only en_v72_triggers_import_and_start_batch.txt l.45 says "Yes" (the `data-required`
    discrepancy). Each operation states its assumed rule in `x-assumed`.

        Attributes:
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
    """

    token: str | Unset = UNSET
    format_: Format | Unset = UNSET
    matching: BatchMatchingMode | Unset = UNSET
    data: list[BatchItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if token is not UNSET:
            field_dict["token"] = token
        if format_ is not UNSET:
            field_dict["format"] = format_
        if matching is not UNSET:
            field_dict["matching"] = matching
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_item import BatchItem  # noqa: PLC0415

        d = dict(src_dict)
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

        batch_common = cls(
            token=token,
            format_=format_,
            matching=matching,
            data=data,
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
