"""altcraft-mock: a stateful emulator of the documented Altcraft API.

Implements the five documented operations from the doc pages (not from openapi.yaml), keeps profiles,
subscriptions, trigger launches, workflow entries and tasks in memory, and can inject latency, 5xx
answers and dropped connections. Run it with ``altcraft-mock`` or use :func:`create_app` in-process::

    import httpx
    from altcraft_mock import create_app, transport

    app = create_app()
    with httpx.Client(transport=transport(app), base_url="http://altcraft.test") as http:
        http.post("/api/v1.1/profiles/import", json={...})

Every API request is answered with the Altcraft envelope (``error``, ``error_text``, ``error_debug``) in
the request's format (the Content-Type's, or the body's ``format``), never with a 5xx unless fault
injection asks for one. Decisions where the docs say nothing explicit:

* Content-Type: the docs name ``application/json`` for JSON bodies and ``application/xml`` for XML
  bodies (ru-v74-profiles-import). Those two are accepted (any parameters, such as ``charset``, and any
  letter case), and ``text/xml``, RFC 7303's alias of ``application/xml``. Any other Content-Type, or
  none, is answered HTTP 400 with ``{"error": 400, "error_text": "Invalid request", "error_debug":
  "Content-Type text/plain is not accepted: send application/json or application/xml"}`` in JSON; the
  body is not guessed at.
* Token: the docs' ``token`` is a string (in the body; the ``Authorization: Bearer`` header is also
  read). A body ``token`` of another type (number, boolean, null, array, object; in XML an element with
  children) is a malformed request: HTTP 400, ``Invalid request``, ``error_debug`` "token: must be a
  string (the API token)", whatever the header says. A missing or empty token is 401 "no API token", an
  unknown one 401 "invalid API token". The token itself is never echoed.
* JSON is read as orjson reads it: integers exact within 64 bits and as doubles beyond (as Altcraft, a Go
  server, reads free-form numbers into float64). A number beyond the double range (``1e400``, ``10**400``),
  a lone surrogate escape (``"\\ud800"``, not a character), NaN/Infinity, invalid UTF-8 and nesting deeper
  than 1024 are HTTP 400 ``Invalid request`` with ``error_debug`` "malformed JSON: ...". A value read but
  too deep to store (about 1000 levels) is refused with the 400 envelope and nothing is stored.
* XML: DTDs and entities are refused in every encoding (the parsed document is judged); characters XML
  cannot carry are written as ``\\uXXXX`` text in XML answers; an empty array is ``<name empty="true"/>``
  both ways, and an absent required array (the batch's ``data``) reads as empty.
* A task whose run fails ends as ``failed`` with an error result (``error`` 500 in the task's result);
  the emulator goes on.

Inspection, outside ``/api/`` (answers are JSON; bad parameters get the 400 envelope):

* ``GET /_mock/state``: everything (profiles, launches, tasks), for small states.
* ``GET /_mock/state?summary=1`` (or ``/_mock/state/summary``): counts only, whatever the size:
  ``profiles``; for ``trigger_launches`` and ``workflow_entries`` the number of ``launches``, of
  ``distinct_pairs`` (target, profile) and of ``repeated_pairs`` (pairs launched more than once; 0 means
  no profile was launched twice by the same trigger or workflow), in total and ``by_target``; ``tasks``
  by status.
* ``GET /_mock/state?section=profiles|trigger_launches|workflow_entries|tasks&offset=0&limit=1000``: one
  page (``limit`` up to 100000) as ``{"section", "total", "offset", "limit", "items"}``, in import order.
  ``fields=`` projects each item to an array: for profiles ``fields=email,Custom_ID`` gives
  ``[profile_id, email, Custom_ID]`` (profile fields, null when absent); for launches the entry's own
  keys, ``fields=profile_id,trigger_id`` giving ``[profile_id, trigger_id]``.
* ``POST /_mock/reset``.

The state is compact (a 1,000,000-profile import stays well under 1 GB; ``scripts/bench`` measures it).
This package imports nothing from the client (``altcraft`` or ``altcraft_api``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._constants import DEFAULT_TOKEN
from ._process import MockProcess

if TYPE_CHECKING:
    from ._app import ConnectionDropped, MockApp, MockConfig, create_app
    from ._transport import transport

__all__ = ["DEFAULT_TOKEN", "ConnectionDropped", "MockApp", "MockConfig", "MockProcess", "create_app", "transport"]

# Imported when first used, so that ``import altcraft_mock`` (and the altcraft-mock command, which says
# in one line what to install) works without the [mock] extra; using one of these names then raises
# ModuleNotFoundError naming the pip install command.
_NEED_THE_EXTRA = {
    "ConnectionDropped": "._app",
    "MockApp": "._app",
    "MockConfig": "._app",
    "create_app": "._app",
    "transport": "._transport",
}


def __getattr__(name: str) -> Any:
    module = _NEED_THE_EXTRA.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    try:
        value = getattr(importlib.import_module(module, __name__), name)
    except ModuleNotFoundError as exc:  # starlette: the [mock] extra
        if exc.name != "starlette":
            raise
        raise ModuleNotFoundError(
            "altcraft_mock needs the [mock] extra (starlette, uvicorn): pip install 'altcraft-client[mock]'",
            name=exc.name,
        ) from None
    globals()[name] = value
    return value
