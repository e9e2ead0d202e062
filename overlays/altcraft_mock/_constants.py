"""Constants of the documented Altcraft behaviour, as the emulator reads the docs.

Written from the doc pages, not loaded from openapi.yaml: the contract tests compare two independent
readings of the docs. tests/test_mock.py (test_mock_constants_agree_with_the_spec) checks that the limits,
matching modes and channels agree with the spec's values.
"""

from __future__ import annotations

from typing import Final

DEFAULT_TOKEN: Final = "abcdefghijklmnqrstuvwxyz"  # noqa: S105 - the docs' public example token

MAX_BODY_BYTES: Final = 10 << 20
MAX_BODY_BYTES_WITH_FILES: Final = 100 << 20
RECOMMENDED_MAX_PROFILES: Final = 10_000

BATCH_MATCHING_MODES: Final = ("email", "email_profile", "phone", "profile_id", "custom")
PROFILE_MATCHING_MODES: Final = (
    "email",
    "email_profile",
    "email_sub",
    "phone",
    "phone_sub",
    "profile_id",
    "push_sub",
    "custom",
    "custom_sub",
    "email_phone",
    "email_phone_sub",
)
CHANNELS: Final = ("email", "sms", "push", "telegram_bot", "whatsapp", "viber", "notify")
FORMATS: Final = ("json", "xml")

# Objects that exist in a fresh emulator: every id used by a doc example.
DEFAULT_DATABASES: Final = (1,)
DEFAULT_RESOURCES: Final = (1, 2, 21, 24)
DEFAULT_TRIGGERS: Final = (8, 13, 85, 96, 455)
DEFAULT_WORKFLOWS: Final = (1, 2, 233)
DEFAULT_SEGMENTS: Final = (1, 2)

OK_TEXT: Final = "Successful operation"
INVALID_REQUEST: Final = "Invalid request"
TOO_LARGE_DEBUG: Final = "http: request body too large"

# Task statuses the emulator reports. Only "completed" is documented; the rest are the spec's
# assumptions, and clients must tolerate others.
STATUS_QUEUED: Final = "queued"
STATUS_PROCESSING: Final = "processing"
STATUS_COMPLETED: Final = "completed"
STATUS_FAILED: Final = "failed"
