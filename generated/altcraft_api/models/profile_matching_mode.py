from enum import StrEnum


class ProfileMatchingMode(StrEnum):
    CUSTOM = "custom"
    CUSTOM_SUB = "custom_sub"
    EMAIL = "email"
    EMAIL_PHONE = "email_phone"
    EMAIL_PHONE_SUB = "email_phone_sub"
    EMAIL_PROFILE = "email_profile"
    EMAIL_SUB = "email_sub"
    PHONE = "phone"
    PHONE_SUB = "phone_sub"
    PROFILE_ID = "profile_id"
    PUSH_SUB = "push_sub"

    def __str__(self) -> str:
        return str(self.value)
