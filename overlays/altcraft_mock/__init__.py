"""altcraft-mock: a stateful emulator of the documented Altcraft API.

Implements the five documented operations from the doc pages (not from openapi.yaml), keeps profiles,
subscriptions, trigger launches, workflow entries and tasks in memory, and can inject latency, 5xx
answers and dropped connections. Run it with ``altcraft-mock`` or use :func:`create_app` in-process::

    import httpx
    from altcraft_mock import create_app, transport

    app = create_app()
    with httpx.Client(transport=transport(app), base_url="http://altcraft.test") as http:
        http.post("/api/v1.1/profiles/import", json={...})

Inspection, outside ``/api/``: ``GET /_mock/state`` and ``POST /_mock/reset``.
This package imports nothing from the client (``altcraft`` or ``altcraft_api``).
"""

from ._app import ConnectionDropped, MockApp, MockConfig, create_app
from ._constants import DEFAULT_TOKEN
from ._process import MockProcess
from ._transport import transport

__all__ = ["DEFAULT_TOKEN", "ConnectionDropped", "MockApp", "MockConfig", "MockProcess", "create_app", "transport"]
