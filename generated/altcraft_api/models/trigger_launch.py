from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attachment import Attachment
    from ..models.content import Content
    from ..models.custom_data import CustomData
    from ..models.timeout import Timeout


T = TypeVar("T", bound="TriggerLaunch")


@_attrs_define
class TriggerLaunch:
    """
    Attributes:
        trigger_id (int): Trigger campaign ID.
        timeout (Timeout | Unset): Trigger start timeout. Specify the days, hours, and minutes to set the timeout
            period.
        custom_data (CustomData | Unset): Data to be used in Action hooks. Can be passed at the root of the request or
            separately in each data object.
        content (Content | Unset): Additional data for the message template, as the {apicontent.fieldname} variable. In
            workflows it can also be used in the "API call" and "API content filter" nodes.
        attach (list[Attachment] | Unset): Files to attach to an email message (email triggers only).
    """

    trigger_id: int
    timeout: Timeout | Unset = UNSET
    custom_data: CustomData | Unset = UNSET
    content: Content | Unset = UNSET
    attach: list[Attachment] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        trigger_id = self.trigger_id

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
        from ..models.content import Content  # noqa: PLC0415
        from ..models.custom_data import CustomData  # noqa: PLC0415
        from ..models.timeout import Timeout  # noqa: PLC0415

        d = dict(src_dict)
        trigger_id = d.pop("trigger_id")

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

        trigger_launch = cls(
            trigger_id=trigger_id,
            timeout=timeout,
            custom_data=custom_data,
            content=content,
            attach=attach,
        )

        trigger_launch.additional_properties = d
        return trigger_launch

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
