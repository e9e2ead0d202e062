"""Every example in openapi.yaml is valid against its schema (jsonschema, draft 2020-12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..spec_tools import resolve, spec

BASE = "urn:altcraft-openapi"


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _examples() -> Iterator[tuple[str, str, str, Any]]:
    """(id, media type, JSON pointer of the schema, example value)."""
    for path, item in spec()["paths"].items():
        for method, op in item.items():
            base = ("paths", path, method)
            for media, content in op["requestBody"]["content"].items():
                for name, ex in content.get("examples", {}).items():
                    ptr = _pointer(*base, "requestBody", "content", media, "schema")
                    yield f"{op['operationId']}:request:{media}:{name}", media, ptr, ex["value"]
            for code, response in op["responses"].items():
                where: tuple[str, ...] = (*base, "responses", code)
                if "$ref" in response:
                    where = tuple(response["$ref"].lstrip("#/").split("/"))
                    response = resolve(response)
                for media, content in response.get("content", {}).items():
                    for name, ex in content.get("examples", {}).items():
                        ptr = _pointer(*where, "content", media, "schema")
                        yield f"{op['operationId']}:{code}:{media}:{name}", media, ptr, ex["value"]


EXAMPLES = list(_examples())
JSON_EXAMPLES = [e for e in EXAMPLES if e[1] == "application/json"]


def validator_for(pointer: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        BASE, Resource.from_contents(spec(), default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": f"{BASE}#{pointer}"}, registry=registry)


def test_there_are_examples_for_every_operation_in_both_media_types() -> None:
    ids = {e[0].split(":")[0] for e in JSON_EXAMPLES}
    assert ids == {op["operationId"] for item in spec()["paths"].values() for op in item.values()}
    assert len(JSON_EXAMPLES) >= 23
    assert sum(1 for e in EXAMPLES if e[1] == "application/xml") >= 8


@pytest.mark.parametrize(("example_id", "media", "pointer", "value"), JSON_EXAMPLES, ids=[e[0] for e in JSON_EXAMPLES])
def test_json_example_matches_schema(example_id: str, media: str, pointer: str, value: Any) -> None:
    errors = sorted(validator_for(pointer).iter_errors(value), key=lambda e: list(e.absolute_path))
    assert not errors, f"{example_id}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_validator_rejects_a_broken_example() -> None:
    """The check above can fail: a launch without trigger_id is not valid."""
    ptr = _pointer("paths", "/api/v1.1/campaigns/triggers/import_and_start_batch", "post")
    ptr += "/requestBody/content/application~1json/schema"
    bad = {"token": "t", "data": [{"data": {"email": "a@b.c"}}]}
    assert list(validator_for(ptr).iter_errors(bad))
    custom_without_field_name = {"trigger_id": 1, "matching": "custom", "data": [{"data": {}}]}
    assert list(validator_for(ptr).iter_errors(custom_without_field_name))


XML_EXAMPLES = [e for e in EXAMPLES if e[1] == "application/xml"]


@pytest.mark.parametrize(("example_id", "media", "pointer", "value"), XML_EXAMPLES, ids=[e[0] for e in XML_EXAMPLES])
def test_xml_example_decoded_matches_schema(example_id: str, media: str, pointer: str, value: Any) -> None:
    """XML examples are strings; decoded by the spec-driven codec, they must match the schema too."""
    from altcraft._xml import decode_request, decode_response

    operation, where = example_id.split(":")[:2]
    decoded = decode_request(operation, value) if where == "request" else decode_response(operation, value)
    errors = sorted(validator_for(pointer).iter_errors(decoded), key=lambda e: list(e.absolute_path))
    assert not errors, f"{example_id}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
