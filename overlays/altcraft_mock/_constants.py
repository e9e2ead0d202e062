"""Constants of the documented Altcraft behaviour, as the emulator reads the docs.

Written from the doc pages, not loaded from openapi.yaml: the contract tests compare two independent
readings of the docs. The matching modes and channels are the values the pages enumerate
(``_documented``, generated from the pages by scripts/generate); the rest is read off the pages' text.
tests/mock/test_emulator.py (test_mock_constants_agree_with_the_spec) checks that the limits, matching modes and
channels agree with the spec's values.
"""

from __future__ import annotations

from typing import Final

from . import _documented as D

DEFAULT_TOKEN: Final = "abcdefghijklmnqrstuvwxyz"  # noqa: S105 - the docs' public example token

MAX_BODY_BYTES: Final = 10 << 20
MAX_BODY_BYTES_WITH_FILES: Final = 100 << 20
RECOMMENDED_MAX_PROFILES: Final = 10_000

BATCH_OPERATIONS: Final = (
    "import_and_start_batch",
    "import_and_start_batch_task",
    "workflow_import_and_start_batch_task",
)


def _values(operations: tuple[str, ...], param: str) -> tuple[str, ...]:
    """The values the pages of `operations` enumerate for `param`, in the order they first print them."""
    out: list[str] = []
    for op in operations:
        out.extend(v for v in D.VALUES.get(op, {}).get(param, ()) if v not in out)
    return tuple(out)


# One list for the three batch operations, as the trigger pages print it (the workflow page names the same
# five modes in its Required column, in another order): a mode any batch page documents is accepted by all.
BATCH_MATCHING_MODES: Final = _values(BATCH_OPERATIONS, "matching")
PROFILE_MATCHING_MODES: Final = _values(("import_profile",), "matching")
# The channels of ru-v74-profiles-import's subscription table (data.subscriptions[].channel).
CHANNELS: Final = _values(("import_profile",), "data.subscriptions[].channel")
# Enumerated by no table (format is in one only on en-v72-workflow-task: string, "by default - json"):
# the request examples send "json", ru-v72-trigger-sync's XML examples <format>xml</format>.
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
