from enum import StrEnum


class BatchMatchingMode(StrEnum):
    CUSTOM = "custom"
    EMAIL = "email"
    EMAIL_PROFILE = "email_profile"
    PHONE = "phone"
    PROFILE_ID = "profile_id"

    def __str__(self) -> str:
        return str(self.value)
