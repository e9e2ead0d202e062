"""Schemathesis hooks for the Altcraft contract (loaded through SCHEMATHESIS_HOOKS=altcraft.cli._contract_hooks).

This module is a schemathesis plugin: ``altcraft contract`` has schemathesis load it, and the contract
tests import it. Nothing else imports it, since it imports schemathesis (extra ``[contract]``).

* An XML response deserializer. Schemathesis has none and would otherwise skip response-schema
  validation of XML answers silently; this one decodes them by the spec's XML rules.
* Authentication: ALTCRAFT_CONTRACT_AUTH=body puts ALTCRAFT_TOKEN into every body whose token is absent
  or a non-empty string (a generated non-string or empty token is left alone, so negative cases stay
  negative); =bearer sends it as ``Authorization: Bearer``; =mixed (default) picks one per case.
* An XML request serializer (see below).
* Counters of XML answers decoded, so a test can prove XML validation happened.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import schemathesis

from altcraft._schema import OPERATIONS
from altcraft._xml import decode_request, decode_response

from ._contract import spec_document

XML_DECODED = {"count": 0}


def _survive_cpython_ast_bug() -> None:
    """Work around a CPython 3.11.7 bug seen here: Hypothesis describes lambdas (for reprs of strategies)
    by ``ast.parse`` of their module, and deep in the schemathesis call stack that parse can fail with
    "SystemError: AST constructor recursion depth mismatch". The description is cosmetic, so on that
    error a plain one is used instead of failing the run."""
    from hypothesis.internal import lambda_sources

    original: Callable[..., Any] = lambda_sources._lambda_description

    def described(f: Any, *args: Any, **kwargs: Any) -> str:
        try:
            return str(original(f, *args, **kwargs))
        except SystemError:
            return "lambda: <unknown>"

    lambda_sources._lambda_description = described


_survive_cpython_ast_bug()
_OPERATIONS = {str(op["path"]): name for name, op in OPERATIONS.items()}


@schemathesis.deserializer("application/xml", "text/xml")
def deserialize_altcraft_xml(ctx: schemathesis.DeserializationContext, response: schemathesis.Response) -> Any:
    operation = _OPERATIONS.get(ctx.operation.path)
    if operation is None:
        raise ValueError(f"no XML decoding rules for {ctx.operation.path}")
    XML_DECODED["count"] += 1
    return decode_response(operation, response.content)


def _token() -> str:
    return os.environ.get("ALTCRAFT_TOKEN", "abcdefghijklmnqrstuvwxyz")


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case[Any], kwargs: dict[str, Any]) -> None:
    mode = os.environ.get("ALTCRAFT_CONTRACT_AUTH", "mixed")
    if mode == "mixed":  # both ways in one run: each case picks one, reproducibly
        mode = "bearer" if int(hashlib.sha256(repr(case.body).encode()).hexdigest(), 16) % 2 else "body"
    if mode == "bearer":
        headers = case.headers.copy()  # assigned, not changed in place: schemathesis tracks assignments
        headers["Authorization"] = f"Bearer {_token()}"
        case.headers = headers
        return
    body = case.body
    if isinstance(body, dict) and (
        "token" not in body or (isinstance(body["token"], str) and body["token"] and body["token"] != _token())
    ):
        body["token"] = _token()


# -- XML request bodies --------------------------------------------------------------------------------
# The contract writes XML by the spec's conventions itself: schemathesis' own XML writer sends None as the
# text "null" (a valid string, so a null in a string field could never be rejected) and drops characters
# XML cannot carry (so a one-character string can arrive empty). Here None is an element marked
# nil='true', an empty object is marked object='true', characters XML cannot carry become U+FFFD one
# for one, free-form keys that are not XML names are left out (free-form values carry no constraint, so
# no case changes validity by that), and a list inside a list is sent as its JSON text.

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_BAD_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _BAD_CHARS.sub("\ufffd", value if isinstance(value, str) else json.dumps(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _write(out: list[str], tag: str, value: Any, batch: bool = False) -> None:
    if not _NAME.match(tag) or tag.lower().startswith("xml"):
        return
    if value is None:
        out.append(f"<{tag} nil='true'/>")
    elif isinstance(value, list):
        for item in value:
            if batch and isinstance(item, dict) and set(item) == {"data"} and isinstance(item["data"], dict):
                _write(out, tag, item["data"])  # the documented flat batch item
            elif isinstance(item, list):
                # Altcraft XML has no form for a list inside a list; it travels as its JSON text, which a
                # schema that wants an object or a scalar list item rejects and a free-form value keeps.
                out.append(f"<{tag}>{_text(json.dumps(item))}</{tag}>")
            else:
                _write(out, tag, item)
    elif isinstance(value, dict) and not value:
        out.append(f"<{tag} object='true'/>")  # an empty object, not an empty string
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for key, sub in value.items():
            _write(out, str(key), sub, batch=False)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{_text(value)}</{tag}>")


def _to_xml(path: str, value: Any) -> bytes:
    out: list[str] = ["<xml>"]
    if isinstance(value, dict):
        batch = path != "/api/v1.1/profiles/import"
        for key, sub in value.items():
            _write(out, str(key), sub, batch=batch and key == "data")
    elif value is not None:
        out.append(_text(value))
    out.append("</xml>")
    return "".join(out).encode("utf-8")


@schemathesis.serializer("application/xml", "text/xml")
def serialize_altcraft_xml(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    return _to_xml(ctx.case.operation.path, value)


# -- negative cases XML cannot express ----------------------------------------------------------------------
# XML has no types: a boolean where a string is wanted travels as the text "false", a string where an
# array is wanted as one element of that array. Such a generated negative case reaches the server as a
# valid request, so its acceptance is no fault of the server. A "schema-violating request accepted"
# failure of an XML case is kept only when the XML actually sent, read by the spec's XML rules, violates
# the schema (checked with jsonschema-rs against openapi.yaml).


@functools.cache
def _request_validator(path: str) -> Any:
    """The JSON request schema of ``path`` in openapi.yaml (formats not asserted, as the spec intends)."""
    pointer = (
        "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/post/requestBody/content/application~1json/schema"
    )
    document = {**spec_document(), "$ref": pointer}
    return jsonschema_rs.Draft202012Validator(document, validate_formats=False)


@schemathesis.hook
def filter_failure(
    context: schemathesis.HookContext, failure: Any, case: schemathesis.Case[Any], response: Any
) -> bool:
    if getattr(failure, "code", "") != "ST201" or "xml" not in (case.media_type or ""):
        return True
    path = case.operation.path
    try:
        as_read = decode_request(_OPERATIONS[path], _to_xml(path, case.body))
    except Exception:  # unreadable XML must have been rejected: keep the failure
        return True
    return not _request_validator(path).is_valid(as_read)
