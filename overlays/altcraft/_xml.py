"""Altcraft XML both ways, driven by openapi.yaml (through ``altcraft_api.spec_data``).

Conventions (``x-altcraft-xml-conventions`` in the spec): root ``<xml>``; arrays are repeated elements,
``array='true'`` marks one that occurs once (honoured on decode, written where the spec says so); an
empty array is one empty element marked ``empty='true'``, and a required array that is absent reads as
``[]`` (Go's encoding/xml, which Altcraft's error texts point to, writes nothing for an empty slice);
booleans ``true``/``false``; scalars typed by the schema; free-form values (custom fields, custom_data,
content) are text; a batch item is a root ``<data>`` element holding the profile fields directly, or a
``<data>`` holding ``<data>`` and item keys such as ``<custom_data>`` when it has any.

Hostile input (DTDs, entity declarations, external entities) is refused before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from enum import Enum
from typing import Any
from xml.sax import saxutils

from lxml import etree

from ._errors import InvalidInput, ProtocolError
from ._schema import Shape, request_shape, response_shape, success_shape
from ._serialize import leaves

__all__ = [
    "XMLError",
    "decode",
    "decode_request",
    "decode_request_leniently",
    "decode_response",
    "encode",
    "encode_item",
    "encode_request",
]


class XMLError(ProtocolError):
    """XML that cannot be read: malformed, hostile (DTD/entities) or not of the expected shape.

    ``field`` is the JSON path of the value that does not fit its schema (None for unreadable XML).
    """

    field: str | None = None
    problem: str | None = None


_HOSTILE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")


# -- decode ----------------------------------------------------------------------------------------
# Parsed by libxml2 (lxml) with entities unresolved and no network, after refusing any DTD or entity
# declaration outright; then walked once.

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


# Set while ``decode_request_leniently`` runs: the problems that have no JSON form, with their element.
# A lenient decode keeps going where a strict one raises: see ``_unfit``.
_LENIENT: ContextVar[list[tuple[Any, str]] | None] = ContextVar("_LENIENT", default=None)


def _unfit(el: Any, message: str, as_json: Any) -> Any:
    """A value that does not fit its schema: raised (strict), or in a lenient decode its JSON form
    ``as_json`` (the text, the child elements as an object), which the schema check then reports in the
    words it uses for JSON ("must be of type integer, not string")."""
    if _LENIENT.get() is None:
        raise _Bad(el, message)
    return as_json


class _Bad(Exception):
    """A value that does not fit its schema; the path is worked out from the element, only then."""

    def __init__(self, el: Any, message: str) -> None:
        super().__init__(message)
        self.el = el


def _is_int(text: str) -> bool:
    """Whether ``text`` is an optional minus and ASCII digits only."""
    body = text[1:] if text[:1] == "-" else text
    return body.isascii() and body.isdigit()


def _scalar(text: str, shape: Shape, el: Any) -> Any:
    """An element's text as its schema's type. Where the schema allows a string, the text is that string,
    as written (a CRM id "0002" stays "0002"); it becomes a number or a boolean only where no string is
    allowed."""
    kinds = shape.kinds
    if "string" in kinds:
        return text
    if shape.assumed:
        return _assumed_scalar(text, kinds)
    if "integer" in kinds and _is_int(text):
        return int(text)
    if "number" in kinds and _FLOAT.match(text.strip()):
        value = float(text)
        return int(value) if "integer" in kinds and value.is_integer() and "." not in text else value
    if "boolean" in kinds and (text == "true" or text == "false"):
        return text == "true"
    if "any" in kinds or shape.free:
        return text
    if ("object" in kinds or "array" in kinds) and text.strip() == "":
        return {} if "object" in kinds else []
    return _unfit(el, f"{text!r} is not {' or '.join(sorted(kinds))}", text)


def _assumed_scalar(text: str, kinds: frozenset[str]) -> Any:
    """Text under an assumed (unenforced) type: a number or a boolean only where it reads back unchanged
    ("5" is 5, "007" stays "007"), else the text as written."""
    if ("integer" in kinds or "number" in kinds) and _is_int(text) and str(int(text)) == text:
        return int(text)
    if "number" in kinds and _FLOAT.match(text) and repr(float(text)) == text:
        return float(text)
    if "boolean" in kinds and (text == "true" or text == "false"):
        return text == "true"
    return text


def _free(el: Any) -> Any:
    """A value with no schema: an element with children is an object, otherwise its text."""
    if el.get("nil") == "true":
        return None
    if not len(el):
        if el.get("object") == "true":
            return {}
        if el.get("empty") == "true":
            return []
        return el.text or ""
    out: dict[str, Any] = {}
    lists: set[str] = set()
    for child in el:
        _put(out, lists, child.tag, _free(child), child.get("array") == "true")
    return out


def _put(out: dict[str, Any], lists: set[str], tag: str, value: Any, marked: bool) -> None:
    """Store ``value`` under ``tag``: a repeated tag, or one marked ``array='true'``, becomes a list."""
    if tag in out:
        if tag not in lists:
            out[tag] = [out[tag]]
            lists.add(tag)
        out[tag].append(value)
    elif marked:
        out[tag] = [value]
        lists.add(tag)
    else:
        out[tag] = value


def _object(el: Any, shape: Shape) -> dict[str, Any]:
    out: dict[str, Any] = {}
    lists: set[str] = set()
    props = shape.properties
    for child in el:
        tag = child.tag
        prop = props.get(tag)
        if prop is None:
            text = child.text
            if text is not None and tag not in out and not len(child) and child.get("array") is None:
                out[tag] = text  # a custom field with a plain value
                continue
            value = _free(child)
            marked = child.get("array") == "true"
        else:
            items = prop.items
            if items is not None and child.get("empty") == "true" and not len(child) and not child.text:
                if tag in out:
                    sink = _LENIENT.get()
                    if sink is None:
                        raise _Bad(child, "an empty array cannot follow its items")
                    sink.append((child, "an empty array cannot follow its items"))
                    continue
                out[tag] = []
                lists.add(tag)
                continue
            if items is not None and (prop.many or tag in lists or child.get("array") == "true"):
                if tag not in lists:
                    lists.add(tag)
                    out[tag] = [out[tag]] if tag in out else []  # a string form met first, then an item
                out[tag].append(_item(child, items))
                continue
            value = _value(child, prop)
            marked = False
        if tag in out and prop is not None and prop.items is None and not prop.assumed:
            # Strict: refused. Lenient: _put makes the repeated element a list, as JSON would give it.
            _unfit(child, "one element expected, found several", None)
        _put(out, lists, tag, value, marked)
    for name in shape.required_arrays:
        out.setdefault(name, [])
    return out


def _item(el: Any, shape: Shape) -> Any:
    inner = shape.unwrap
    if inner is not None:
        if el.find(inner) is not None:
            return _object(el, shape)  # the wrapped form: <data><data>...</data><custom_data/></data>
        return {inner: _value(el, shape.properties[inner])}
    return _value(el, shape)


def _value(el: Any, shape: Shape) -> Any:
    if el.get("nil") == "true":
        return None
    if len(el):
        if shape.obj:
            return _object(el, shape)
        if shape.free:
            return _free(el)
        return _unfit(el, f"expected {' or '.join(sorted(shape.kinds))}, found child elements", _free(el))
    text = el.text or ""
    kinds = shape.kinds
    if "object" in kinds and not ({"string", "integer", "number", "boolean"} & kinds):
        if text.strip():
            return _unfit(el, "expected an object, found text", text)
        return {}
    return _scalar(text, shape, el)


def _path(el: Any, root: Any, shape: Shape | None) -> str:
    """The JSON path of ``el`` (``data[3].subscriptions[1].resource_id``), for error messages."""
    chain = []
    node = el
    while node is not None and node is not root:
        chain.append(node)
        node = node.getparent()
    parts: list[str] = []
    for node in reversed(chain):
        tag = node.tag
        prop = shape.properties.get(tag) if shape is not None else None
        items = prop.items if prop is not None else None
        parent = node.getparent()
        same = [c for c in parent if c.tag == tag] if parent is not None else [node]
        repeated = len(same) > 1 or any(c.get("array") == "true" for c in same)
        if prop is not None and items is not None and (prop.many or repeated):
            parts.append(f"{tag}[{next(i for i, c in enumerate(same) if c is node)}]")
            inner = items.unwrap
            shape = items.properties[inner] if inner is not None and node.find(inner) is None else items
        else:
            parts.append(tag)
            shape = prop
    return ".".join(parts)


def _parse(data: bytes | str) -> Any:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _HOSTILE.search(raw):
        raise XMLError("XML with a DTD or entity declarations is refused")
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XMLError(f"malformed XML: {exc}") from None
    if root is None:
        raise XMLError("the root element must be <xml>, not <None>")
    # The bytes check above sees only ASCII-compatible encodings; the parsed document is judged too, so
    # that a DTD or an entity in UTF-16 or UTF-32 (with or without a BOM) is refused all the same.
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.doctype or info.system_url:
        raise XMLError("XML with a DTD or entity declarations is refused")
    if next(root.iter(etree.Entity), None) is not None:
        raise XMLError("XML with entity references is refused")
    if root.tag != "xml":
        raise XMLError(f"the root element must be <xml>, not <{root.tag}>")
    return root


def decode(data: bytes | str, shape: Shape) -> dict[str, Any]:
    """Decode an Altcraft XML document into the JSON shape ``shape`` describes."""
    root = _parse(data)
    try:
        return _object(root, shape)
    except _Bad as bad:
        where = _path(bad.el, root, shape)
        error = XMLError(f"{where}: {bad}" if where else str(bad))
        error.field = where or "body"
        error.problem = str(bad)
    raise error from None


def decode_request(operation: str, data: bytes | str) -> dict[str, Any]:
    """Decode an XML request body of ``operation`` into its JSON form."""
    return decode(data, request_shape(operation))


def decode_request_leniently(operation: str, data: bytes | str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """An XML request body in its JSON form, with every value as it reads, fitting its schema or not.

    A value that does not fit (``<trigger_id>x</trigger_id>``, a repeated single element) is kept in
    its JSON form, for the schema check to report as it would in a JSON body. Returned with the problems
    that have no JSON form, as (field, message) pairs. Unreadable XML still raises :class:`XMLError`.
    """
    root = _parse(data)
    shape = request_shape(operation)
    sink: list[tuple[Any, str]] = []
    token = _LENIENT.set(sink)
    try:
        body = _object(root, shape)
    finally:
        _LENIENT.reset(token)
    return body, [(_path(el, root, shape) or "body", message) for el, message in sink]


def decode_response(operation: str, data: bytes | str) -> dict[str, Any]:
    """Decode an XML answer of ``operation`` (success or error envelope) into its JSON form."""
    out = decode(data, response_shape(operation))
    if out.get("error") == 0:  # a success answer: its own required arrays (the union has none)
        for name in success_shape(operation).required_arrays:
            out.setdefault(name, [])
    return out


# -- encode ----------------------------------------------------------------------------------------
# Built as text (one list of parts, joined once): several times faster than building an lxml tree.

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape_text(text: str) -> str:
    """``text`` as XML character data (&, < and > escaped)."""
    return saxutils.escape(text)


def _scalar_text(value: Any, path: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, float):
        text = repr(value)
        if text in ("nan", "inf", "-inf"):
            raise InvalidInput(f"{path}: {text} cannot be sent", field=path)
        return text
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, int):
        return str(value)
    raise InvalidInput(f"{path}: a value of type {type(value).__name__} cannot be sent", field=path)


def _check_name(tag: str, path: str) -> None:
    if not _NAME.match(tag) or (tag.lower().startswith("xml") and tag != "xml"):
        raise InvalidInput(f"{path}: {tag!r} is not a valid XML element name", field=path)


def _emit(out: list[str], tag: str, value: Any, shape: Shape | None, path: str, attr: str = "") -> None:
    kind = type(value)
    if kind is str:
        out.append(f"<{tag}{attr}>{escape_text(value)}</{tag}>")
    elif kind is int:
        out.append(f"<{tag}{attr}>{value}</{tag}>")
    elif value is None:
        return
    elif kind is list or kind is tuple:
        if not value:
            out.append(f"<{tag} empty='true'/>")
            return
        item_shape = shape.items if shape is not None else None
        mark = " array='true'" if shape is None or shape.array_attr else ""
        emit = emit_item if item_shape is not None and item_shape.unwrap is not None else _emit
        for i, item in enumerate(value):
            emit(out, tag, item, item_shape, f"{path}[{i}]", mark)
    elif isinstance(value, Mapping):
        out.append(f"<{tag}{attr}>")
        _emit_fields(out, value, shape, path)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}{attr}>{_scalar_text(value, path)}</{tag}>")


def emit_item(out: list[str], tag: str, item: Any, shape: Shape | None, path: str, attr: str) -> None:
    """Append the XML of one list item ``item`` as element ``tag`` to ``out`` (``shape``: its schema's)."""
    if shape is not None and shape.unwrap is not None and isinstance(item, Mapping):
        inner = shape.unwrap
        if len(item) == 1 and inner in item:  # the documented flat form: <data> holds the profile fields
            _emit(out, tag, item[inner], shape.properties[inner], f"{path}.{inner}", attr)
            return
    _emit(out, tag, item, shape, path, attr)


def _emit_fields(out: list[str], value: Mapping[str, Any], shape: Shape | None, path: str) -> None:
    props = shape.properties if shape is not None else {}
    for key, sub in value.items():
        prop = props.get(key)
        kind = type(sub)
        if prop is None:
            _check_name(key, f"{path}.{key}" if path else key)
        if kind is str:
            out.append(f"<{key}>{escape_text(sub)}</{key}>")
        elif kind is int:
            out.append(f"<{key}>{sub}</{key}>")
        else:
            _emit(out, key, sub, prop, f"{path}.{key}" if path else key)


def _find_control(value: Any, path: str) -> str | None:
    """The path of the first string holding a character XML cannot carry (the slow, error-only path)."""
    found = (where for where, leaf in leaves(value, path, keys=True) if isinstance(leaf, str) and _CONTROL.search(leaf))
    return next(found, None)


def _checked(text: str, value: Any, path: str) -> bytes:
    if _CONTROL.search(text):
        where = _find_control(value, path) or path or "body"
        raise InvalidInput(f"{where}: control characters and lone surrogates cannot be sent in XML", field=where)
    return text.encode("utf-8")


def encode(body: Mapping[str, Any], shape: Shape) -> bytes:
    """Encode a JSON-shaped body as an Altcraft XML document."""
    out: list[str] = ["<xml>"]
    _emit_fields(out, body, shape, "")
    out.append("</xml>")
    return _checked("".join(out), body, "")


def encode_item(item: Any, shape: Shape | None) -> bytes:
    """One batch item as the ``<data>`` element of a request (:class:`InvalidInput`, its field under
    ``data``, for what XML cannot carry: a key that is no element name, a control character)."""
    out: list[str] = []
    emit_item(out, "data", item, shape, "data", "")
    return _checked("".join(out), item, "data")


def encode_request(operation: str, body: Mapping[str, Any]) -> bytes:
    """Encode a request body of ``operation`` (a plain mapping in JSON form) as Altcraft XML."""
    return encode(body, request_shape(operation))


def encode_response(operation: str, body: Mapping[str, Any]) -> bytes:
    """Encode an answer of ``operation`` as Altcraft XML (used by tests and tools)."""
    return encode(body, response_shape(operation))
