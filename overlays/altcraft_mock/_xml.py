"""The emulator's own reading of Altcraft XML (ru-v72-trigger-sync and ru-v74-profiles-import examples).

Root ``<xml>``; arrays are repeated elements, ``array='true'`` marks one even when it occurs once; batch
items are root ``<data>`` elements holding the profile fields directly (or, to carry per-item keys,
a ``<data>`` child). Values of the documented numeric and boolean fields are converted; everything
else stays text. Which elements are arrays, objects, integers and booleans is read off the pages' Type
cells (``_documented``, generated from the pages), plus the few rules below where the tables are silent.

Empty arrays: one empty element marked ``empty='true'`` (``<result empty='true'/>``) is an empty array,
both ways; a required array that is absent (the batch's ``data``) reads as an empty array, as Go's
encoding/xml writes nothing for an empty slice.

DTDs and entities are refused in every encoding: the parsed document is judged (its doctype, internal
or external DTD, entity reference nodes), never the raw bytes; entities are never resolved or loaded.
"""

from __future__ import annotations

import math
import re
from typing import Any

from lxml import etree

from ._reading import ALL_OPERATIONS, PROFILE, SUBSCRIPTION, Node, operation

__all__ = ["XMLRejected", "dumps", "loads"]


class XMLRejected(ValueError):
    """The body is not acceptable Altcraft XML."""


def _parser(*, huge: bool) -> etree.XMLParser:
    """libxml2 with entities unresolved, no network, no DTD, no comments or processing instructions."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
        remove_comments=True,
        remove_pis=True,
    )


_PARSER = _parser(huge=False)
# For bodies over 10 MiB, which carry files (attach): text nodes beyond libxml2's 10 MB default.
_HUGE_PARSER = _parser(huge=True)
# Characters XML 1.0 cannot carry, not even as references; an answer shows them as \\uXXXX.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_INT64 = (-(1 << 63), (1 << 63) - 1)

_INT_RE = re.compile(r"^-?[0-9]+$")


def _named(nodes: list[tuple[str, Node]], kind: str) -> set[str]:
    """The names typed exactly `kind` ("array" also for a name with items, "object" with fields)."""
    out = set()
    for name, node in nodes:
        if node.types == (kind,) or (kind == "array" and node.items is not None) or (kind == "object" and node.fields):
            out.add(name)
    return out


_ROOTS = [(name, node) for op in ALL_OPERATIONS for name, node in operation(op).fields.items()]
_EVERYWHERE = [pair for op in ALL_OPERATIONS for pair in operation(op).walk()]
# By element name, at any depth (as the pages name them). `data` is the reader's own: root <data>
# elements are batch items, import_profile's <data> is the profile. `result` is the answers' array.
_ALWAYS_ARRAYS = (_named(_EVERYWHERE, "array") - {"data"}) | {"result"}
_OBJECTS = _named(_EVERYWHERE, "object") - {"data"}
_ROOT_INTS = _named(_ROOTS, "integer")
# not_strict (of subscription_filter, table example only) was read at the root too; kept.
_BOOLS = _named(_ROOTS, "boolean") | {"not_strict"}
# A subscription's status is "string" in the table (0 in ru-v72-trigger-sync's examples): its XML text stays
# the string that was written (issue 22 case 6), as does every value whose type allows a string.
_SUBSCRIPTION_INTS = _named(list(SUBSCRIPTION.fields.items()), "integer")
_SUBSCRIPTION_BOOLS = _named(list(SUBSCRIPTION.fields.items()), "boolean")
_SUBSCRIPTION_OBJECTS = _named(list(SUBSCRIPTION.fields.items()), "object")
# The profile's fields are typed by no table; _sex is 0 in the examples (read as a number only where exact).
_PROFILE_INTS = _named(list(PROFILE.fields.items()), "integer")
_PROFILE_EXAMPLE_INTS = {"_sex"}
_PROFILE_BOOLS = _named(list(PROFILE.fields.items()), "boolean")


def _int_or_text(text: Any) -> Any:
    """An integer as JSON reads it: exact within 64 bits, a double beyond; out of range stays text."""
    if not isinstance(text, str) or not _INT_RE.match(text.strip()):
        return text
    digits = text.strip()
    if len(digits) <= 20:
        number = int(digits)
        if _INT64[0] <= number <= _INT64[1]:
            return number
    value = float(digits)
    return value if math.isfinite(value) else text


def _exact_int_or_text(text: Any) -> Any:
    """An integer only an example shows: a number where the text is that number's own writing ("5"), else the
    text as written ("007", "05", " 5"), since nothing states the type."""
    if isinstance(text, str) and _INT_RE.match(text):
        number = int(text)
        if str(number) == text and _INT64[0] <= number <= _INT64[1]:
            return number
    return text


def _bool_or_text(text: Any) -> Any:
    if text == "true":
        return True
    if text == "false":
        return False
    return text


def _element(el: Any) -> Any:
    if el.get("nil") == "true":
        return None
    if el.get("empty") == "true":
        return []
    children = [c for c in el if isinstance(c.tag, str)]
    if not children:
        if el.get("object") == "true":
            return {}
        return el.text or ""
    out: dict[str, Any] = {}
    arrays: set[str] = set()
    for child in children:
        tag = child.tag
        value = _element(child)
        if child.get("empty") == "true":  # an empty array: contributes no item
            arrays.add(tag)
            if tag not in out:
                out[tag] = []
            elif not isinstance(out[tag], list):
                out[tag] = [out[tag]]
            continue
        if child.get("array") == "true" or tag in _ALWAYS_ARRAYS:
            arrays.add(tag)
        if tag in out:
            if not isinstance(out[tag], list) or tag not in arrays:
                out[tag] = [out[tag]]
                arrays.add(tag)
            out[tag].append(value)
        else:
            out[tag] = [value] if tag in arrays else value
    return out


def _as_object(value: Any) -> Any:
    return {} if value == "" else value


def _fix_subscription(sub: Any) -> Any:
    if not isinstance(sub, dict):
        return _as_object(sub)  # an empty <subscriptions/> is an empty subscription object
    for key in _SUBSCRIPTION_INTS & sub.keys():
        sub[key] = _int_or_text(sub[key])
    for key in _SUBSCRIPTION_BOOLS & sub.keys():
        sub[key] = _bool_or_text(sub[key])
    cc = sub.get("cc_data")
    if isinstance(cc, dict) and "id" in cc:  # telegram_bot's chat id (table example {"id": 1})
        cc["id"] = _exact_int_or_text(cc["id"])
    for key in _SUBSCRIPTION_OBJECTS & sub.keys():
        sub[key] = _as_object(sub[key])
    return sub


def _fix_profile(profile: Any) -> Any:
    if profile == "":
        return {}
    if not isinstance(profile, dict):
        return profile
    for key in _PROFILE_INTS & profile.keys():
        profile[key] = _int_or_text(profile[key])
    for key in _PROFILE_EXAMPLE_INTS & profile.keys():
        profile[key] = _exact_int_or_text(profile[key])
    for key in _PROFILE_BOOLS & profile.keys():
        profile[key] = _bool_or_text(profile[key])
    subs = profile.get("subscriptions")
    if isinstance(subs, list):
        profile["subscriptions"] = [_fix_subscription(s) for s in subs]
    return profile


def _fix_root(body: dict[str, Any], operation: str) -> dict[str, Any]:
    for key in _ROOT_INTS & body.keys():
        body[key] = _int_or_text(body[key])
    for key in _BOOLS & body.keys():
        body[key] = _bool_or_text(body[key])
    for key in _OBJECTS & body.keys():
        body[key] = _as_object(body[key])
    if isinstance(body.get("timeout"), dict):
        body["timeout"] = {k: _exact_int_or_text(v) for k, v in body["timeout"].items()}
    flt = body.get("subscription_filter")
    if isinstance(flt, dict) and "not_strict" in flt:
        flt["not_strict"] = _bool_or_text(flt["not_strict"])
    if "attach" in body:  # always an array of objects ("array of {name, flie_key, data, mimetype}")
        attach = body["attach"]
        items = attach if isinstance(attach, list) else [attach]
        body["attach"] = [_as_object(item) for item in items]
    for key in ("add_to_segments", "remove_from_segments"):
        if isinstance(body.get(key), list):
            body[key] = [_exact_int_or_text(v) for v in body[key]]
    if operation != "import_profile":
        body.setdefault("data", [])  # a required array, absent when empty
    if "data" in body:
        if operation == "import_profile":
            body["data"] = _fix_profile(body["data"])
        else:
            items = body["data"] if isinstance(body["data"], list) else [body["data"]]
            body["data"] = [_batch_item(item) for item in items]
    return body


def _batch_item(item: Any) -> Any:
    # A <data> item holding a <data> element is the wrapped form (its <data> is the profile); anything
    # else is the documented flat form, the item's fields being the profile's.
    if isinstance(item, dict) and "data" in item:
        wrapped = dict(item)
        wrapped["data"] = _fix_profile(wrapped["data"])
        if "custom_data" in wrapped:
            wrapped["custom_data"] = _as_object(wrapped["custom_data"])
        return wrapped
    return {"data": _fix_profile(item)}


def loads(body: bytes, operation: str, *, huge: bool = False) -> dict[str, Any]:
    """Parse an Altcraft XML request body into the JSON shape of the operation.

    ``huge`` lifts libxml2's limits (10 MB text nodes, 256 levels), for bodies that may carry files.
    """
    try:
        root = etree.fromstring(body, _HUGE_PARSER if huge else _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XMLRejected(f"malformed XML: {exc}") from None
    info: Any = root.getroottree().docinfo  # the stubs lack DocInfo.doctype
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise XMLRejected("DTDs and entity declarations are not accepted")
    if next(root.iter(etree.Entity), None) is not None:
        raise XMLRejected("entity references are not accepted")
    if root.tag != "xml":
        raise XMLRejected(f"the root element must be <xml>, not <{root.tag}>")
    try:
        value = _element(root)
    except RecursionError:
        raise XMLRejected("malformed XML: nested too deeply") from None
    if not isinstance(value, dict):
        value = {}
    if operation != "import_profile" and "data" in value and not isinstance(value["data"], list):
        value["data"] = [value["data"]]
    return _fix_root(value, operation)


def _text(value: object) -> str:
    text = str(value)
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _NOT_XML.search(text) else text


def _emit(parent: Any, key: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, list):
        if not value:
            etree.SubElement(parent, key, empty="true")
        for item in value:
            _emit(parent, key, item)
        return
    el = etree.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _emit(el, k, v)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    else:
        el.text = _text(value)


def dumps(payload: dict[str, Any]) -> bytes:
    """Serialize a response as Altcraft XML (an empty array as ``<name empty="true"/>``; characters XML
    cannot carry, as ``\\uXXXX`` text)."""
    root = etree.Element("xml")
    for key, value in payload.items():
        _emit(root, key, value)
    result: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return result
