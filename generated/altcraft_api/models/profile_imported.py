from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ProfileImported")


@_attrs_define
class ProfileImported:
    """The profile was imported.

    Attributes:
        error (Literal[0]): Error code, 0 on success.
        error_text (str): Error text ("Successful operation" on success).
        profile_id (str): Profile identifier, 24 lowercase hex digits. That is the form of every JSON example (a MongoDB
            ObjectId, e.g. ru_v74_profiles_import.txt l.472) and only assumed (x-assumed), not enforced, because the XML tab
            of the same page prints the 28-character non-hex "c1are24fu213lwith21that2axe9" (l.477). Any string is accepted
            (the profile-id-format discrepancy).
    """

    error: Literal[0]
    error_text: str
    profile_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error

        error_text = self.error_text

        profile_id = self.profile_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
                "error_text": error_text,
                "profile_id": profile_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        error = cast(Literal[0], d.pop("error"))
        if error != 0:
            raise ValueError(f"error must match const 0, got '{error}'")

        error_text = d.pop("error_text")

        profile_id = d.pop("profile_id")

        profile_imported = cls(
            error=error,
            error_text=error_text,
            profile_id=profile_id,
        )

        profile_imported.additional_properties = d
        return profile_imported

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
