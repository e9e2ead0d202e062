"""The request examples of openapi.yaml (the five pages' examples, as corrected in the spec)."""

from __future__ import annotations

from typing import Any

from .spec_tools import operations, spec

PATHS = {op["operationId"]: path for path, item in spec()["paths"].items() for op in item.values()}


def request_examples(media: str) -> list[tuple[str, str, Any]]:
    """(operation_id, example name, value) for every request example of ``media``."""
    out = []
    for op_id, op in operations().items():
        for name, ex in op["requestBody"]["content"].get(media, {}).get("examples", {}).items():
            out.append((op_id, name, ex["value"]))
    return out


JSON_REQUESTS = request_examples("application/json")
XML_REQUESTS = request_examples("application/xml")
