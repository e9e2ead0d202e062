"""Altcraft XML both ways, driven by openapi.yaml (through ``altcraft_api.spec_data``).

Conventions (``x-altcraft-xml-conventions`` in the spec): root ``<xml>``; arrays are repeated elements,
``array='true'`` marks one that occurs once (honoured on decode, written where the spec says so);
booleans ``true``/``false``; scalars typed by the schema; free-form values (custom fields, custom_data,
content) are text; a batch item is a root ``<data>`` element holding the profile fields directly, or a
``<data>`` holding ``<data>`` and item keys such as ``<custom_data>`` when it has any.

Hostile input (DTDs, entity declarations, external entities) is refused before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from lxml import etree

from ._errors import InvalidInput, ProtocolError
from ._schema import Shape, request_shape, response_shape

__all__ = ["XMLError", "decode", "decode_request", "decode_response", "encode", "encode_request"]


class XMLError(ProtocolError):
    """XML that cannot be read: malformed, hostile (DTD/entities) or not of the expected shape."""


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
_HOSTILE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_INT = re.compile(r"-?[0-9]+\Z")
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")


# -- decode ----------------------------------------------------------------------------------------


def _scalar(text: str, shape: Shape, path: str) -> Any:
    kinds = shape.kinds
    if "integer" in kinds and _INT.match(text.strip()):
        return int(text)
    if "number" in kinds and _FLOAT.match(text.strip()):
        value = float(text)
        return int(value) if "integer" in kinds and value.is_integer() and "." not in text else value
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    if "string" in kinds or "any" in kinds or shape.free:
        return text
    if kinds & {"object", "array"} and text.strip() == "":
        return {} if "object" in kinds else []
    expected = " or ".join(sorted(kinds))
    raise XMLError(f"{path}: {text!r} is not {expected}")


def _free(el: Any) -> Any:
    """A value with no schema: an element with children is an object, otherwise its text."""
    if el.get("nil") == "true":
        return None
    children = [c for c in el if isinstance(c.tag, str)]
    if not children:
        return el.text or ""
    out: dict[str, Any] = {}
    arrays: set[str] = set()
    for child in children:
        value = _free(child)
        tag = child.tag
        if tag in out:
            if tag not in arrays:
                out[tag] = [out[tag]]
                arrays.add(tag)
            out[tag].append(value)
        elif child.get("array") == "true":
            out[tag] = [value]
            arrays.add(tag)
        else:
            out[tag] = value
    return out


def _object(el: Any, shape: Shape, path: str) -> dict[str, Any]:
    groups: dict[str, list[Any]] = {}
    for child in el:
        if isinstance(child.tag, str):
            groups.setdefault(child.tag, []).append(child)
    out: dict[str, Any] = {}
    props = shape.properties
    for tag, elements in groups.items():
        prop = props.get(tag)
        where = f"{path}.{tag}" if path else tag
        if prop is None:
            values = [_free(e) for e in elements]
            out[tag] = values if len(values) > 1 or elements[0].get("array") == "true" else values[0]
            continue
        if prop.items is not None and (
            "string" not in prop.kinds or len(elements) > 1 or elements[0].get("array") == "true"
        ):
            out[tag] = [_item(e, prop.items, f"{where}[{i}]") for i, e in enumerate(elements)]
        elif len(elements) > 1:
            raise XMLError(f"{where}: one element expected, found {len(elements)}")
        else:
            out[tag] = _value(elements[0], prop, where)
    return out


def _item(el: Any, shape: Shape, path: str) -> Any:
    if shape.unwrap is not None:
        inner = shape.unwrap
        if any(isinstance(c.tag, str) and c.tag == inner for c in el):
            return _object(el, shape, path)  # the wrapped form: <data><data>...</data><custom_data/></data>
        return {inner: _value(el, shape.properties[inner], f"{path}.{inner}")}
    return _value(el, shape, path)


def _value(el: Any, shape: Shape, path: str) -> Any:
    if el.get("nil") == "true":
        return None
    has_children = any(isinstance(c.tag, str) for c in el)
    if has_children:
        if "object" in shape.kinds or shape.properties:
            return _object(el, shape, path)
        if shape.free:
            return _free(el)
        raise XMLError(f"{path}: expected {' or '.join(sorted(shape.kinds))}, found child elements")
    text = el.text or ""
    if "object" in shape.kinds and not ({"string", "integer", "number", "boolean"} & shape.kinds):
        if text.strip():
            raise XMLError(f"{path}: expected an object, found text")
        return {}
    return _scalar(text, shape, path)


def _parse(data: bytes | str) -> Any:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _HOSTILE.search(raw):
        raise XMLError("XML with a DTD or entity declarations is refused")
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XMLError(f"malformed XML: {exc}") from None
    if root.tag != "xml":
        raise XMLError(f"the root element must be <xml>, not <{root.tag}>")
    return root


def decode(data: bytes | str, shape: Shape) -> dict[str, Any]:
    """Decode an Altcraft XML document into the JSON shape ``shape`` describes."""
    return _object(_parse(data), shape, "")


def decode_request(operation: str, data: bytes | str) -> dict[str, Any]:
    """Decode an XML request body of ``operation`` into its JSON form."""
    return decode(data, request_shape(operation))


def decode_response(operation: str, data: bytes | str) -> dict[str, Any]:
    """Decode an XML answer of ``operation`` (success or error envelope) into its JSON form."""
    return decode(data, response_shape(operation))


# -- encode ----------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any, path: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float):
        text = repr(value)
        if text in ("nan", "inf", "-inf"):
            raise InvalidInput(f"{path}: {text} cannot be sent", field=path)
        return text
    text = str(value)
    if _CONTROL.search(text):
        raise InvalidInput(f"{path}: control characters cannot be sent in XML", field=path)
    return text.translate(_ESCAPES)


def _check_name(tag: str, path: str) -> None:
    if not _NAME.match(tag) or (tag.lower().startswith("xml") and tag != "xml"):
        raise InvalidInput(f"{path}: {tag!r} is not a valid XML element name", field=path)


def _emit(out: list[str], tag: str, value: Any, shape: Shape | None, path: str, attr: str = "") -> None:
    if value is None:
        return
    if isinstance(value, list | tuple):
        item_shape = shape.items if shape is not None else None
        mark = " array='true'" if shape is None or shape.array_attr else ""
        for i, item in enumerate(value):
            _emit_item(out, tag, item, item_shape, f"{path}[{i}]", mark)
        return
    if isinstance(value, Mapping):
        out.append(f"<{tag}{attr}>")
        _emit_fields(out, value, shape, path)
        out.append(f"</{tag}>")
        return
    out.append(f"<{tag}{attr}>{_text(value, path)}</{tag}>")


def _emit_item(out: list[str], tag: str, item: Any, shape: Shape | None, path: str, attr: str) -> None:
    if shape is not None and shape.unwrap is not None and isinstance(item, Mapping):
        inner = shape.unwrap
        if set(item) == {inner}:  # the documented flat form: <data> holds the profile fields
            _emit(out, tag, item[inner], shape.properties[inner], f"{path}.{inner}", attr)
            return
    _emit(out, tag, item, shape, path, attr)


def _emit_fields(out: list[str], value: Mapping[str, Any], shape: Shape | None, path: str) -> None:
    props = shape.properties if shape is not None else {}
    for key, sub in value.items():
        where = f"{path}.{key}" if path else key
        prop = props.get(key)
        if prop is None:
            _check_name(key, where)
        _emit(out, key, sub, prop, where)


def encode(body: Mapping[str, Any], shape: Shape) -> bytes:
    """Encode a JSON-shaped body as an Altcraft XML document."""
    out: list[str] = ["<xml>"]
    _emit_fields(out, body, shape, "")
    out.append("</xml>")
    return "".join(out).encode("utf-8")


def encode_request(operation: str, body: Mapping[str, Any]) -> bytes:
    """Encode a request body of ``operation`` (a plain mapping in JSON form) as Altcraft XML."""
    return encode(body, request_shape(operation))


def encode_response(operation: str, body: Mapping[str, Any]) -> bytes:
    """Encode an answer of ``operation`` as Altcraft XML (used by tests and tools)."""
    return encode(body, response_shape(operation))
