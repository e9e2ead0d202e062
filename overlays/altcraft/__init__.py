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

from importlib.metadata import PackageNotFoundError, version

from altcraft_api import models
from altcraft_api.params import Operation

from ._async_client import AsyncAltcraft
from ._async_tasks import AsyncTaskHandle
from ._errors import (
    AltcraftError,
    AssumptionWarning,
    BadRequest,
    Forbidden,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    Problem,
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
from ._sync_client import Altcraft
from ._sync_tasks import TaskHandle
from ._validate import validate
from ._xml import XMLError

try:
    __version__: str = version("altcraft-client")
except PackageNotFoundError:  # imported from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "Altcraft",
    "AltcraftError",
    "AssumptionWarning",
    "AsyncAltcraft",
    "AsyncTaskHandle",
    "BadRequest",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "Operation",
    "OutcomeUnknown",
    "PollSettings",
    "Problem",
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
    "__version__",
    "chunk_profiles",
    "models",
    "validate",
]
