from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Attachment")


@_attrs_define
class Attachment:
    """A file to attach to an email message (email triggers only).

    Attributes:
        name (Any | Unset): File name.
        data (Any | Unset): File content as a data URI, e.g. "data:text/csv;base64,SEVMTE8K".
        file_key (Any | Unset): Key of a file already stored on the platform (spelled "flie_key" on en-v72-workflow-
            task). Documented in English only.
        mimetype (Any | Unset): MIME type of the file. Documented in English only.
    """

    name: Any | Unset = UNSET
    data: Any | Unset = UNSET
    file_key: Any | Unset = UNSET
    mimetype: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        data = self.data

        file_key = self.file_key

        mimetype = self.mimetype

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if data is not UNSET:
            field_dict["data"] = data
        if file_key is not UNSET:
            field_dict["file_key"] = file_key
        if mimetype is not UNSET:
            field_dict["mimetype"] = mimetype

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        data = d.pop("data", UNSET)

        file_key = d.pop("file_key", UNSET)

        mimetype = d.pop("mimetype", UNSET)

        attachment = cls(
            name=name,
            data=data,
            file_key=file_key,
            mimetype=mimetype,
        )

        attachment.additional_properties = d
        return attachment

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
