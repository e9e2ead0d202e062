"""Requests checked against openapi.yaml before anything is sent.

Three checks, all driven by ``altcraft_api.spec_data`` (generated from openapi.yaml):

* the operation's request schema, through jsonschema-rs (a maintained Rust implementation of JSON
  Schema Draft 2020-12; the schemas of OpenAPI 3.1 are that dialect). Where a ``oneOf`` fails, the
  report is narrowed to the variant that the value's discriminating property (a subscription's
  ``channel``) selects;
* unknown top-level parameters, refused with the closest documented name (client policy: a typo such
  as ``skip_trigers`` would otherwise be ignored by the server and launch the trigger);
* in batch requests, each item's search key for the matching mode (``x-altcraft-search-key``).

Rules the spec only assumes (``x-assumed`` subschemas, and search keys marked ``x-assumption``) never
refuse a request: they are logged and issued as :class:`AssumptionWarning`.
"""

from __future__ import annotations

import copy
import difflib
import functools
import itertools
import logging
import os
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonschema_rs
from altcraft_api.params import Operation
from altcraft_api.spec_data import SPEC_DATA

from ._errors import AssumptionWarning, InvalidInput, Problem
from ._schema import BATCH_OPERATIONS, OPERATIONS, resolve
from ._serialize import is_model, to_plain

__all__ = ["check", "known_parameters", "validate"]

logger = logging.getLogger("altcraft")

_SCHEMAS: Mapping[str, Any] = SPEC_DATA["schemas"]
_MAX_PROBLEMS = 1000  # a broken 10,000-item batch is reported in full up to here
_SHOWN_VALUE = 60  # characters of an offending value quoted in a message


# -- the schema documents ------------------------------------------------------------------------------


# Keywords whose verdict depends on no sibling keyword: an assumed one of these that its schema does not
# already hold is checked in place, one keyword more, where an ``allOf`` member costs a subschema per value.
_SELF_CONTAINED = frozenset(
    {"type", "const", "enum", "minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "anyOf", "not"}
)


def _promote_assumed(node: Any) -> Any:
    """The schemas with every ``x-assumed`` subschema made binding: its keywords added to the schema
    (``required`` joined to the schema's own), or else an extra ``allOf`` member."""
    if isinstance(node, list):
        return [_promote_assumed(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _promote_assumed(v) for k, v in node.items() if k != "x-assumed"}
    if "x-assumed" in node:
        assumed = _promote_assumed(node["x-assumed"])
        if all(k == "required" or (k in _SELF_CONTAINED and k not in out) for k in assumed):
            required = [*out.get("required", []), *assumed.get("required", [])]
            out.update(assumed)
            if required:
                out["required"] = list(dict.fromkeys(required))
        else:
            out["allOf"] = [*out.get("allOf", []), assumed]
    return out


def _tags(variant: Any, prop: str) -> tuple[frozenset[Any], bool] | None:
    """The values of ``prop`` a variant admits: (consts, False), or (excluded values, True); None: any."""
    variant = resolve(variant)
    for part in [variant, *(resolve(p) for p in variant.get("allOf", []))]:
        spec = part.get("properties", {}).get(prop, {}) if isinstance(part, dict) else {}
        if "const" in spec and prop in part.get("required", ()):
            return frozenset([spec["const"]]), False
        if "enum" in spec.get("not", {}):
            return frozenset(spec["not"]["enum"]), True
    return None


_ABSENT = object()


def _admits(tags: tuple[frozenset[Any], bool] | None, value: Any) -> bool:
    """Whether a variant with these :func:`_tags` admits ``value`` (``_ABSENT``: the property left out)."""
    if tags is None:
        return True
    values, negated = tags
    if value is _ABSENT:
        return negated  # a const variant requires the property; the "every other value" one does not
    try:
        member = value in values
    except TypeError:  # unhashable (a list or an object): none of the tag values, which are scalars
        member = False
    return member != negated


def exclusive_property(variants: Sequence[Any]) -> str | None:
    """The property by whose values the ``oneOf`` variants exclude one another (a subscription's
    ``channel``: one const each, and one variant for every other value), or None."""
    first = resolve(variants[0]) if variants else {}
    candidates = set(first.get("properties", {}))
    for part in first.get("allOf", []):
        candidates |= set(resolve(part).get("properties", {}))
    for prop in sorted(candidates):
        tags = [_tags(v, prop) for v in variants]
        if any(t is None for t in tags):
            continue
        consts = [next(iter(values)) for values, negated in tags if not negated and len(values) == 1]  # type: ignore[misc]
        others = [values for values, negated in tags if negated]  # type: ignore[misc]
        if len(consts) + len(others) != len(variants) or len(set(consts)) != len(consts) or len(others) > 1:
            continue
        if all(set(consts) <= values for values in others):
            return str(prop)
    return None


def _exclusive_any_of(node: Any) -> Any:
    """The schemas with each ``oneOf`` whose variants exclude one another checked as ``anyOf``.

    The same verdicts: when at most one variant can match (distinct ``const`` values of one property,
    and at most one variant for all other values), ``anyOf`` stops at the first match where ``oneOf``
    must try them all.
    """
    if isinstance(node, list):
        return [_exclusive_any_of(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _exclusive_any_of(v) for k, v in node.items()}
    if "oneOf" in node and exclusive_property(node["oneOf"]) is not None:
        variants = out.pop("oneOf")
        shared = _shared_parts(variants)
        if shared:
            # A and (B1 or B2 ...) instead of (A and B1) or (A and B2) ...: the part every variant
            # shares (SubscriptionCommon) is checked once, not once per variant tried.
            rest = [[p for p in resolve(v)["allOf"] if p not in shared] for v in variants]
            out["allOf"] = [*out.get("allOf", []), *shared]
            variants = [{"allOf": parts} for parts in rest]
        out["anyOf"] = variants
    return out


def _shared_parts(variants: Sequence[Any]) -> list[Any]:
    """The ``$ref`` members of ``allOf`` that every variant has, when the variants are nothing else."""
    resolved = [resolve(v) for v in variants]
    if not resolved or any(set(r) - {"allOf", "title"} for r in resolved):
        return []
    return [p for p in resolved[0]["allOf"] if "$ref" in p and all(p in r["allOf"] for r in resolved[1:])]


def _has_assumed(node: Any) -> bool:
    if isinstance(node, dict):
        return "x-assumed" in node or any(_has_assumed(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_assumed(v) for v in node)
    return False


_CHECKED_SCHEMAS: Mapping[str, Any] = _exclusive_any_of(dict(_SCHEMAS))
_ASSUMED_SCHEMAS: Mapping[str, Any] | None = (
    _promote_assumed(copy.deepcopy(dict(_CHECKED_SCHEMAS))) if _has_assumed(_SCHEMAS) else None
)


def _schemas(assumed: bool) -> Mapping[str, Any]:
    """The schemas checked: with the assumed rules made binding, or as documented."""
    return _ASSUMED_SCHEMAS if assumed and _ASSUMED_SCHEMAS is not None else _CHECKED_SCHEMAS


@functools.cache
def _validator(pointer: str, assumed: bool) -> Any:
    """A validator of the schema at ``pointer`` (``#/components/schemas/Name``, or a location inside it)."""
    document = {"$ref": pointer, "components": {"schemas": _schemas(assumed)}}
    return jsonschema_rs.Draft202012Validator(document, validate_formats=True)


def _request(name: str) -> str:
    return f"#/components/schemas/{name}"


# -- messages ------------------------------------------------------------------------------------------


def _path(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 3] + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _problem(error: Any, prefix: Sequence[str | int] = ()) -> Problem:
    """A jsonschema-rs error as a field path and a short message."""
    kind = error.kind
    name = type(kind).__name__
    where = _path([*prefix, *error.instance_path])
    value = error.instance
    if name == "Required":
        return Problem(_join(where, str(kind.property)), "is required")
    field = where or "body"
    if name == "Type":
        wanted = kind.types if hasattr(kind, "types") else None
        wanted_text = " or ".join(wanted) if isinstance(wanted, list) else None
        if wanted_text:
            return Problem(field, f"must be of type {wanted_text}, not {_json_type(value)}")
        return Problem(field, f"must not be of type {_json_type(value)}")
    if name == "Enum":
        return Problem(field, "must be one of " + ", ".join(map(str, kind.options)))
    if name == "Constant":
        return Problem(field, f"must be {kind.expected_value!r}")
    if name == "MinItems":
        return Problem(field, f"must have at least {kind.limit} item(s)")
    if name == "MinLength":
        return Problem(field, "must not be empty" if kind.limit == 1 else f"must be at least {kind.limit} characters")
    if name == "Pattern":
        return Problem(field, f"{_shown(value)} does not match {kind.pattern}")
    if name in ("Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum"):
        word = {"Minimum": ">=", "Maximum": "<=", "ExclusiveMinimum": ">", "ExclusiveMaximum": "<"}[name]
        return Problem(field, f"must be {word} {kind.limit}, not {_shown(value)}")
    if name == "AdditionalProperties":
        return Problem(field, "unexpected properties: " + ", ".join(map(str, kind.unexpected)))
    return Problem(field, str(error.message))


# -- oneOf narrowed to the selected variant ----------------------------------------------------------------


def _schema_at(schema_path: Sequence[str | int], root: Mapping[str, Any]) -> Any:
    """The schema node at an absolute keyword location (``components/schemas/...``) of the schemas."""
    node: Any = root
    for part in schema_path:
        node = node[part] if isinstance(node, dict) else node[int(part)]
    return node


def _variant_problems(pointer: str, value: Any, prefix: Sequence[str | int], assumed: bool) -> list[Problem]:
    errors = itertools.islice(_validator(pointer, assumed).iter_errors(value), _MAX_PROBLEMS)
    return [_problem(e, prefix) for e in errors]


def _narrowed(error: Any, assumed: bool) -> list[Problem] | None:
    """A failed ``oneOf``/``anyOf`` reported as the problems of the variant that fits best.

    For variants that exclude one another by a property (a subscription's ``channel``), that is the
    variant the value's property selects. Otherwise the variant with the fewest problems; alternatives
    that each lack one required field are reported together ("email or phone is required").
    """
    value = error.instance
    location = list(error.schema_path)
    try:
        node = _schema_at(location[:-1], {"components": {"schemas": _schemas(assumed)}})
        variants = node[location[-1]]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    base = "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in location)
    prefix = list(error.instance_path)
    prop = exclusive_property(variants) if isinstance(value, Mapping) else None
    if prop is not None:
        # The variant the value's own tag selects (a subscription's channel), not merely the one with the
        # fewest problems: exactly one variant admits any value of the property (or its absence).
        chosen = [i for i, v in enumerate(variants) if _admits(_tags(v, prop), value.get(prop, _ABSENT))]
        if len(chosen) == 1:
            return _variant_problems(f"{base}/{chosen[0]}", value, prefix, assumed) or None
    found = [_variant_problems(f"{base}/{i}", value, prefix, assumed) for i in range(len(variants))]
    found = [f for f in found if f]
    if not found:
        return None  # every variant fits: oneOf failed because several do
    if all(len(f) == 1 and f[0].message == "is required" for f in found) and len(found) > 1:
        fields = [f[0].field for f in found]
        names = " or ".join(dict.fromkeys(f.rsplit(".", 1)[-1] for f in fields))
        return [Problem(fields[0], f"is required ({names})")]
    return min(found, key=len)


def _schema_problems(name: str, body: Mapping[str, Any], assumed: bool) -> list[Problem]:
    validator = _validator(_request(name), assumed)
    if validator.is_valid(body):
        return []
    problems: list[Problem] = []
    for error in itertools.islice(validator.iter_errors(body), _MAX_PROBLEMS):
        if type(error.kind).__name__ in ("OneOfNotValid", "AnyOf"):  # a failed union: narrowed
            narrowed = _narrowed(error, assumed)
            if narrowed:
                problems.extend(narrowed)
                continue
        problems.append(_problem(error))
    # One fault can fail two rules alike (a subscription that is no object fails the part every variant
    # shares and the union of the variants): each problem is reported once.
    return list(dict.fromkeys(problems))


# -- unknown parameters ------------------------------------------------------------------------------------


def _properties(node: Any, schemas: Mapping[str, Any], seen: set[int]) -> set[str]:
    node = resolve(node, schemas)
    if not isinstance(node, dict) or id(node) in seen:
        return set()
    seen.add(id(node))
    names = set(node.get("properties", {}))
    for combinator in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(combinator, []):
            names |= _properties(sub, schemas, seen)
    for key in ("then", "else"):
        if key in node:
            names |= _properties(node[key], schemas, seen)
    return names


@functools.cache
def known_parameters(operation: str) -> frozenset[str]:
    """The top-level parameters openapi.yaml documents for ``operation`` (``token`` included)."""
    name = OPERATIONS[operation]["request_schema"]
    return frozenset(_properties({"$ref": _request(name)}, _SCHEMAS, set()) | {"token"})


def _documented_elsewhere(operation: str, key: str) -> tuple[str, list[str]] | None:
    """(the sibling operation, the pages that document ``key`` for it), when another operation of the
    same API documents ``key`` (subscription_filter of import_and_start_batch, timeout of the trigger
    operations)."""
    for other in sorted(OPERATIONS):
        if other != operation and key in known_parameters(other):
            pages = OPERATIONS[other].get("documented_by", {}).get(key, [])
            return other, list(pages)
    return None


def _unknown(operation: str, body: Mapping[str, Any]) -> tuple[list[Problem], list[Problem]]:
    """(refusals, warnings) for top-level names the operation's pages do not document.

    A name that another operation's page documents is sent, with a warning naming that page: the pages
    of one API share their parameters often enough that refusing it could refuse a valid request. A name
    no page documents is refused (this client's policy: a typo such as ``skip_trigers`` would otherwise be
    ignored by the server, and the trigger launched), with the closest documented name.
    """
    known = known_parameters(operation)
    refusals: list[Problem] = []
    warned: list[Problem] = []
    for key in body:
        if key in known:
            continue
        sibling = _documented_elsewhere(operation, str(key))
        if sibling is not None:
            other, pages = sibling
            on = f" on {', '.join(pages)}" if pages else ""
            text = f"is not documented for {operation}; the docs document it for {other}{on} (sent as written)"
            warned.append(Problem(str(key), text))
            continue
        close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        refusals.append(
            Problem(
                str(key),
                f"is an unknown parameter{hint} (no page documents it, and this client refuses unknown names "
                "by policy; extra_body= sends it anyway)",
            )
        )
    return refusals, warned


# -- profile fields -------------------------------------------------------------------------------------------

_PROFILE: Mapping[str, Any] = _SCHEMAS.get("ProfileData", {})
_SYSTEM_FIELDS: tuple[str, ...] = tuple(sorted(_PROFILE.get("properties", {})))


def _edits(a: str, b: str) -> int:
    """The optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    neighbours, each one edit (``_fnmae`` is one edit from ``_fname``)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


@functools.cache
def _near_system_field(key: str) -> str | None:
    """The documented profile field ``key`` is one or two edits from, if it is not one itself."""
    if key in _SYSTEM_FIELDS or len(key) < 3:
        return None
    best = min(_SYSTEM_FIELDS, key=lambda name: (_edits(key, name), name), default=None)
    if best is None or _edits(key, best) > (1 if len(key) <= 4 else 2):
        return None
    return best


def _profile_typos(operation: str, body: Mapping[str, Any]) -> list[Problem]:
    """Warnings for profile data keys one or two edits from a documented system field (``phone`` next to
    ``phones``, ``_fnmae``): ``data`` is open, so they are sent, as custom fields."""
    data = body.get("data")
    profiles: list[Any] = []  # the profiles by item index (batch) or the one profile
    if operation in BATCH_OPERATIONS:
        if isinstance(data, list | tuple):
            # ``type(...) is dict`` first: the Mapping ABC's isinstance costs more than the rest of the scan.
            profiles = [item.get("data") if type(item) is dict or isinstance(item, Mapping) else None for item in data]
    elif operation == "import_profile":
        profiles = [data]
    # Each distinct key is judged once (a batch holds a handful of keys, each in most of its profiles),
    # then each likely typo is looked up: where it is first, and in how many profiles.
    keys: set[Any] = set().union(*(p for p in profiles if type(p) is dict or isinstance(p, Mapping)))
    located = []
    for key in keys:
        near = _near_system_field(key) if isinstance(key, str) else None
        if near is None:
            continue
        holders = [i for i, profile in enumerate(profiles) if isinstance(profile, Mapping) and key in profile]
        # In the order of the profile fields as they come: by item, then by place in the item.
        located.append((holders[0], list(profiles[holders[0]]).index(key), key, near, len(holders)))
    found = []
    for index, _, key, near, count in sorted(located):
        where = f"data[{index}].data" if operation in BATCH_OPERATIONS else "data"
        more = f" (and in {count - 1} more item(s))" if count > 1 else ""
        found.append(
            Problem(
                f"{where}.{key}",
                f"is not a documented profile field; did you mean {near}?{more} (sent as a custom field)",
            )
        )
    return found


# -- search keys of batch items ----------------------------------------------------------------------------

_MATCHING: Mapping[str, Any] = _SCHEMAS.get("BatchMatchingMode", {})
_SEARCH_KEYS: Mapping[str, Mapping[str, Any]] = _MATCHING.get("x-altcraft-search-key", {})
_DEFAULT_MODE: str = _MATCHING.get("default", "email")


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _search_key_schema(candidates: tuple[str, ...]) -> dict[str, Any]:
    """Each batch item's ``data`` holds a non-empty value under one of ``candidates``; a candidate
    ``subscriptions[].email`` is the email of any of the item's subscriptions."""
    empty: dict[str, Any] = {"not": {"enum": [None, "", [], {}]}}
    has_key: list[dict[str, Any]] = []
    for candidate in candidates:
        if "[]." in candidate:
            array, key = candidate.split("[].", 1)
            inner = {"type": "object", "required": [key], "properties": {key: empty}}
            has_key.append({"required": [array], "properties": {array: {"type": "array", "contains": inner}}})
        else:
            has_key.append({"required": [candidate], "properties": {candidate: empty}})
    item = {"properties": {"data": {"anyOf": has_key} if len(has_key) > 1 else has_key[0]}}
    return {"properties": {"data": {"items": item}}}


@functools.cache
def _search_key_validator(candidates: tuple[str, ...]) -> Any:
    """The search keys checked in Rust (a Python loop over 10,000 items costs more than the whole schema)."""
    return jsonschema_rs.Draft202012Validator(_search_key_schema(candidates))


def _search_key_rule(body: Mapping[str, Any]) -> tuple[str, Mapping[str, Any], tuple[str, ...]] | None:
    """(mode, rule, candidate fields) when the batch's items must carry a search key, else None."""
    if "matching" not in body and body.get("custom_request") is not None:
        return None  # "custom_request ... if there is no matching property" (en-v72-workflow-task): no key
    mode = body.get("matching", _DEFAULT_MODE)
    rule = _SEARCH_KEYS.get(mode) if isinstance(mode, str) else None
    if rule is None or not isinstance(body.get("data"), list | tuple):
        return None
    if any(_present(body.get(name)) for name in rule.get("root", ())):
        return None
    named_by = rule.get("item-field-named-by")
    if named_by is not None:
        field = body.get(named_by)
        if not isinstance(field, str) or not field:
            return None  # the schema reports the missing root field itself
        candidates: tuple[str, ...] = (field,)
    else:
        candidates = tuple(rule.get("item", ()))
    return (mode, rule, candidates) if candidates else None


def _search_key_problems(body: Mapping[str, Any]) -> tuple[list[Problem], list[Problem]]:
    """(refusals, warnings) for batch items that lack their matching mode's search key."""
    found_rule = _search_key_rule(body)
    if found_rule is None:
        return [], []
    mode, rule, candidates = found_rule
    validator = _search_key_validator(candidates)
    if validator.is_valid(body):
        return [], []
    need = candidates[0] if len(candidates) == 1 else "one of " + ", ".join(candidates)
    roots = rule.get("root", ())
    unless = f" (or {' or '.join(roots)} at the root)" if roots else ""
    found: list[Problem] = []
    # Items that are not objects, or whose data is not one, are the schema's to report.
    missing = sorted({e.instance_path[1] for e in validator.iter_errors(body) if len(e.instance_path) >= 2})
    for index in missing[:_MAX_PROBLEMS]:
        where = f"data[{index}].data" + (f".{candidates[0]}" if len(candidates) == 1 else "")
        what = "is required" if len(candidates) == 1 else f"needs {need}"
        found.append(Problem(where, f"{what} with matching {mode!r}: the item's search key{unless}"))
    if rule.get("x-assumption"):
        return [], found
    return found, []


# -- the entry points --------------------------------------------------------------------------------------


def check(operation: str, body: Mapping[str, Any]) -> tuple[list[Problem], list[Problem]]:
    """Every problem of a plain JSON-shaped ``body``: (refusals, warnings). Nothing is raised or logged."""
    if operation not in OPERATIONS:
        known = ", ".join(sorted(OPERATIONS))
        return [Problem("operation", f"{operation!r} is not one of {known}")], []
    if not isinstance(body, Mapping):
        return [Problem("body", f"must be an object, not {_json_type(body)}")], []
    name = OPERATIONS[operation]["request_schema"]
    refusals, warned = _unknown(operation, body)
    warned += _profile_typos(operation, body)
    # One pass for the common case: the assumed rules only add constraints, so a body that meets them
    # meets the documented ones too. Only a body that fails is checked again, to tell the two apart.
    if _ASSUMED_SCHEMAS is None or not _validator(_request(name), True).is_valid(body):
        schema_refusals = _schema_problems(name, body, assumed=False)
        refusals += schema_refusals
        if not schema_refusals and _ASSUMED_SCHEMAS is not None:
            warned += _schema_problems(name, body, assumed=True)
    if operation in BATCH_OPERATIONS:
        found, assumed = _search_key_problems(body)
        refusals += found
        warned += assumed
    return refusals, warned


def raise_or_warn(operation: str, refusals: list[Problem], warned: list[Problem]) -> None:
    """Raise :class:`InvalidInput` for refusals; log and warn (:class:`AssumptionWarning`) for the rest."""
    if refusals:
        first = refusals[0]
        more = f" (and {len(refusals) - 1} more problem(s); see .problems)" if len(refusals) > 1 else ""
        raise InvalidInput(
            f"{operation}: {first.field} {first.message}{more}",
            field=first.field,
            problems=tuple(refusals),
            operation=operation,
        )
    for problem in warned:
        sent = "sent as written" in problem.message or "sent as a custom field" in problem.message
        text = f"{operation}: {problem.field} {problem.message}" + (
            "" if sent else " (a rule openapi.yaml only assumes; not refused)"
        )
        # Logged at INFO (a handler the caller sets up shows it); the warning, shown once by default,
        # points at the caller's own line, outside this package.
        logger.info("%s", text)
        warnings.warn(text, AssumptionWarning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside the altcraft package (the user's call)."""
    package = os.path.dirname(__file__) + os.sep
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def validate(operation: Operation, body: Mapping[str, Any] | Any) -> None:
    """Check a request body against openapi.yaml without sending it (a dry run).

    ``body`` is a mapping in the docs' JSON shape or the operation's generated model. Raises
    :class:`InvalidInput` naming the first bad field, with every problem found in ``.problems``
    (unknown parameters, schema violations, batch items without their search key). Rules that the
    spec only assumes are logged and issued as :class:`AssumptionWarning`; they never refuse.
    """
    plain = to_plain(body) if is_model(body) else body
    refusals, warned = check(operation, plain)
    raise_or_warn(operation, refusals, warned)
