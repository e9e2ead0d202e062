from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorResponse")


@_attrs_define
class ErrorResponse:
    """The Altcraft error envelope. `error` is never 0 here. It can arrive with HTTP 200 as well as
    with an HTTP error status: success is `error` = 0 only.

        Attributes:
            error (int): Error code (non-zero).
            error_text (str): Error text ("Successful operation" on success).
            error_debug (str | Unset): Technical detail of the error, e.g. "http: request body too large".
    """

    error: int
    error_text: str
    error_debug: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        error_text = self.error_text

        error_debug = self.error_debug

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "error_text": error_text,
            }
        )
        if error_debug is not UNSET:
            field_dict["error_debug"] = error_debug

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error = d.pop("error")

        error_text = d.pop("error_text")

        error_debug = d.pop("error_debug", UNSET)

        error_response = cls(
            error=error,
            error_text=error_text,
            error_debug=error_debug,
        )

        error_response.additional_properties = d
        return error_response

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
