"""The rows the import tests send: every ``BAD_EVERY``-th is refused locally, every ``SERVER_FAILS_EVERY``-th
is skipped by the emulator (so its chunk ends unconfirmed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

BAD_EVERY = 997  # refused locally: subscriptions is not an array (an example-only type, as email's, is only warned)
SERVER_FAILS_EVERY = 1499  # a subscription to an unknown resource: the server skips the item


def make_item(i: int, email: str) -> dict[str, Any]:
    """Row ``i`` of an import, with ``email``."""
    data: dict[str, Any] = {"email": email, "_fname": f"Name {i}"}
    if i % BAD_EVERY == 0:
        data["subscriptions"] = i
    elif i % SERVER_FAILS_EVERY == 0:
        data["subscriptions"] = [{"channel": "email", "email": email, "resource_id": 999}]
    return {"data": data}


def write_rows(path: Path, n: int, item: Callable[[int], dict[str, Any]]) -> Path:
    """Rows 1..n as JSON lines."""
    path.write_bytes(b"".join(orjson.dumps(item(i)) + b"\n" for i in range(1, n + 1)))
    return path
