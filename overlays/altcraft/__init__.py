"""altcraft: the client users import for the Altcraft profile-import and trigger/workflow API.

Thin layer over the generated ``altcraft_api`` package: it fills in the token, turns the Altcraft error
envelope into exceptions, speaks JSON and XML, waits for tasks, applies the documented request limits
and retries only what cannot launch a trigger twice.

    from altcraft import Altcraft

    with Altcraft("https://example.com", token) as client:
        task = client.import_and_start_batch_task({"trigger_id": 13, "data": [{"data": {"email": "a@b.c"}}]})
        status = task.wait(timeout=300)
        print([r.profile_id for r in status.data.result.result])
"""

from altcraft_api import models

from ._client import Altcraft, AsyncAltcraft, AsyncTaskHandle, TaskHandle
from ._errors import (
    AltcraftError,
    BadRequest,
    Forbidden,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    ProtocolError,
    RequestTooLarge,
    ServerError,
    TariffLimit,
    TaskFailed,
    TaskTimeout,
    TransportError,
    Unauthorized,
    WaitCancelled,
)
from ._limits import chunk_profiles
from ._polling import PollSettings
from ._xml import XMLError

__all__ = [
    "Altcraft",
    "AltcraftError",
    "AsyncAltcraft",
    "AsyncTaskHandle",
    "BadRequest",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "OutcomeUnknown",
    "PollSettings",
    "ProtocolError",
    "RequestTooLarge",
    "ServerError",
    "TariffLimit",
    "TaskFailed",
    "TaskHandle",
    "TaskTimeout",
    "TransportError",
    "Unauthorized",
    "WaitCancelled",
    "XMLError",
    "chunk_profiles",
    "models",
]
