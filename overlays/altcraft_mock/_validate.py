"""Request validation of the emulator, from the doc pages' parameter tables.

A parameter's type is the one its pages' Type cells give (``_documented``, generated from the pages by
scripts/generate; :mod:`._reading` holds it as trees), and so is what each operation requires (every
Required cell "Yes"/"Да"). Hand-written rules stand where the tables are silent (names read from
examples only), ambiguous, or contradicted by the examples; each says why. A parameter no page of the
operation documents, and no rule names, is not checked.

Each check raises :class:`Invalid` naming the field (``data[3].data.subscriptions[0].email``) and the
problem; the app turns it into the documented 400 envelope.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from . import _documented as D
from ._constants import BATCH_MATCHING_MODES, CHANNELS, FORMATS, PROFILE_MATCHING_MODES
from ._reading import PROFILE, SUBSCRIPTION, Node, operation

__all__ = ["OPERATION_CHECKS", "Invalid", "is_int"]

Check = Callable[[object, str], object]


class Invalid(Exception):
    """A request field is missing, of the wrong type or out of range."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def is_int(value: object) -> bool:
    """JSON Schema's integer: a whole number, also when written as 1.0; never a boolean."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _obj(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Invalid(path, "must be an object")
    return value


def _string(value: object, path: str) -> None:
    if not isinstance(value, str):
        raise Invalid(path, "must be a string")


def _int(value: object, path: str) -> None:
    if not is_int(value):
        raise Invalid(path, "must be an integer")


# A JSON type of the pages' Type cells: the test of a value, and what the problem says.
_JSON_TYPES: dict[str, tuple[Callable[[object], bool], str]] = {
    "string": (lambda v: isinstance(v, str), "a string"),
    "integer": (is_int, "an integer"),
    "number": (_is_number, "a number"),
    "boolean": (lambda v: isinstance(v, bool), "true or false"),
    "object": (lambda v: isinstance(v, Mapping), "an object"),
    "array": (lambda v: isinstance(v, list), "an array"),
}


def _of_types(types: tuple[str, ...]) -> Check | None:
    """The check of a Type cell's types; None for "any", none, or a type the emulator does not know."""
    known = [_JSON_TYPES[t] for t in types if t in _JSON_TYPES]
    if not known or len(known) < len(types):
        return None
    problem = "must be " + " or ".join(noun for _, noun in known)
    if len(known) == 1:
        test = known[0][0]

        def one(value: object, path: str) -> None:
            if not test(value):
                raise Invalid(path, problem)

        return one
    tests = [test for test, _ in known]

    def several(value: object, path: str) -> None:
        if not any(test(value) for test in tests):
            raise Invalid(path, problem)

    return several


def _by_pages(node: Node) -> Check | None:
    """The check of a value, and of what it holds, by the types the pages give them; None if untyped."""
    own = _of_types(node.types)
    fields = {key: found for key, child in node.fields.items() if (found := _by_pages(child)) is not None}
    items = _by_pages(node.items) if node.items is not None else None
    if not fields and items is None:
        return own

    def nested(value: object, path: str) -> None:
        if own is not None:
            own(value, path)
        if isinstance(value, Mapping):
            for key, field_check in fields.items():
                if key in value:
                    field_check(value[key], f"{path}.{key}" if path else key)
        elif isinstance(value, list) and items is not None:
            for i, item in enumerate(value):
                items(item, f"{path}[{i}]")

    return nested


def _enum(value: object, path: str, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(path, "must be one of " + ", ".join(allowed))


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(path, "must be an array")
    return value


def _opt(body: Mapping[str, Any], key: str, path: str, check: Callable[[object, str], object]) -> None:
    if key in body:
        check(body[key], f"{path}{key}")


def _require(body: Mapping[str, Any], path: str, *keys: str) -> None:
    for key in keys:
        if key not in body:
            raise Invalid(f"{path}{key}", "is required")


def _any_object(value: object, path: str) -> None:
    _obj(value, path)


def _rules(
    fields: Mapping[str, Node], fallback: Mapping[str, Check], override: Mapping[str, Check | None]
) -> dict[str, Check]:
    """The checks of an object's fields. A field the pages type is checked by its types, unless `override`
    names it (its hand-written rule, or None: checked elsewhere); `fallback` holds the rules of fields no
    page types. An `override` is used only where the pages name the field."""
    rules: dict[str, Check] = {}
    for key, rule in fallback.items():
        if key not in fields or _by_pages(fields[key]) is None:
            rules[key] = rule
    for key, node in fields.items():
        found = override[key] if key in override else _by_pages(node)
        if found is not None:
            rules[key] = found
    return rules


def _apply(obj: Mapping[str, Any], prefix: str, rules: Mapping[str, Check]) -> None:
    for key, check in rules.items():
        if key in obj:
            check(obj[key], f"{prefix}{key}")


# -- the subscription ------------------------------------------------------------------------------------


def _check_status(value: object, path: str) -> None:
    # "string" in ru-v74-profiles-import's table ("subscribed"); 0 in ru-v72-trigger-sync's examples.
    if not (isinstance(value, str) or is_int(value)):
        raise Invalid(path, "must be a string or an integer")


# The fields ru-v74-profiles-import prints under one channel's rows: checked only for the seven channels.
_CHANNEL_FIELDS = ("email", "phone", "provider", "subscription_id")

_SUBSCRIPTION_RULES = _rules(
    SUBSCRIPTION.fields,
    fallback={},
    override={
        "channel": _string,  # a string, not one of the seven: 000 prints "phone", outside them
        "status": _check_status,
        # "array"; only the example ["category_1", "category_2"] shows its items, which are not checked
        "cats": _list,
        **dict.fromkeys((*_CHANNEL_FIELDS, "cc_data")),  # below, by channel
    },
)


_CHANNEL_RULES = _rules({key: SUBSCRIPTION.field(key) for key in _CHANNEL_FIELDS}, fallback={}, override={})


def check_subscription(value: object, path: str) -> None:
    """Types only: ru-v74-profiles-import's subscriptions table has no "required" column, and 000 prints
    a channel ("phone") outside the seven it names, so no field and no channel name is refused."""
    sub = _obj(value, path)
    _apply(sub, f"{path}.", _SUBSCRIPTION_RULES)
    channel = sub.get("channel")
    if channel in CHANNELS:
        _apply(sub, f"{path}.", _CHANNEL_RULES)
        if "cc_data" in sub:
            # The table gives cc_data "object"; its keys' types come only from the table examples
            # (telegram_bot's {"id": 1}, the others' {"phone": "+7..."}), so they are not checked.
            _obj(sub["cc_data"], f"{path}.cc_data")


# -- the profile -----------------------------------------------------------------------------------------


def _check_subscriptions(value: object, path: str) -> None:
    for i, sub in enumerate(_list(value, path)):
        check_subscription(sub, f"{path}[{i}]")


# The system fields (_fname, email, phones, _sex...) are typed by no table, only shown in examples: not
# checked. subscriptions is "Массив" (ru-v74-profiles-import l.136).
_PROFILE_RULES = _rules(PROFILE.fields, fallback={}, override={"subscriptions": _check_subscriptions})


def check_profile(value: object, path: str) -> None:
    _apply(_obj(value, path), f"{path}.", _PROFILE_RULES)


# -- the request -----------------------------------------------------------------------------------------


def _check_batch_items(value: object, path: str) -> None:
    for i, item in enumerate(_list(value, path)):
        obj = _obj(item, f"{path}[{i}]")
        _require(obj, f"{path}[{i}].", "data")
        check_profile(obj["data"], f"{path}[{i}].data")
        _opt(obj, "custom_data", f"{path}[{i}].", _any_object)


def _check_timeout(value: object, path: str) -> None:
    # "JSON object"; its keys' types come only from the table example {"days": 0, "hours": 0, "minutes": 5}.
    _obj(value, path)


def _check_attach(value: object, path: str) -> None:
    """ "array of {name, flie_key, data, mimetype}": objects, whose fields no page types (only an example)."""
    for i, item in enumerate(_list(value, path)):
        _obj(item, f"{path}[{i}]")


def _check_subscription_filter(value: object, path: str) -> None:
    # "JSON object"; its keys' types come only from ru-v72-trigger-sync's two examples (push and email).
    _obj(value, path)


def _check_field_value(value: object, path: str) -> None:
    # "int/string" on the trigger pages (ru-v72-trigger-task, ru-v72-trigger-sync, en-v72-trigger-sync):
    # a string or a whole number; "Any" on en-v72-workflow-task, which is not checked (below).
    if not (isinstance(value, str) or is_int(value)):
        raise Invalid(path, "must be a string or an integer")


def _check_matching_value(value: object, path: str) -> None:
    # profiles/import's page prints no field_value: typed loosely, as a value a field can be matched by.
    if not (isinstance(value, str) or _is_number(value)):
        raise Invalid(path, "must be a string or a number")


def _modes(modes: tuple[str, ...]) -> Check:
    return lambda v, p: _enum(v, p, modes)


def _check_format(value: object, path: str) -> None:
    # "string" where a table types it; the values are in _constants.
    _enum(value, path, FORMATS)


# Hand-written rules in place of the pages' types, where an operation's pages name the parameter.
_OVERRIDES: dict[str, Check | None] = {
    # The pages print `data` as "JSON object" (trigger-sync), "Object" (en-v72-workflow-task) and "array"
    # (ru-v72-trigger-task), while every request example of every batch page sends an array of
    # {"data": profile} items (the data-type discrepancy): the examples are read. import_profile's is
    # the profile object (operations below).
    "data": _check_batch_items,
    "matching": _modes(BATCH_MATCHING_MODES),
    "format": _check_format,
    "field_value": _check_field_value,
    "timeout": _check_timeout,
    "attach": _check_attach,
    "subscription_filter": _check_subscription_filter,
    # "JSON список" with the example [1,2]: a list; that the ids are integers only the example shows (the
    # operation answers 404 for a value that names no segment).
    "add_to_segments": _list,
    "remove_from_segments": _list,
}

# What the operations' code reads (the ids, `data`, `matching`, the segments, `custom_data`): checked
# even where no page of the operation types it (a partial set of pages), so that a malformed request is
# always answered 400.
_BATCH_NEEDS: dict[str, Check] = {
    "data": _check_batch_items,
    "matching": _modes(BATCH_MATCHING_MODES),
    "custom_data": _any_object,
}

# Rules of parameters an operation's pages do not type, which the emulator checks all the same.
_FALLBACKS: dict[str, dict[str, Check]] = {
    "import_profile": {
        "db_id": _int,
        "data": check_profile,
        "matching": _modes(PROFILE_MATCHING_MODES),
        "add_to_segments": _list,
        "remove_from_segments": _list,
        # The per-mode fields come from the Matching page, which is not among the sources: typed as on
        # the batch pages, not refused when absent.
        "format": _check_format,
        **dict.fromkeys(("email", "phone", "profile_id", "field_name", "provider", "subscription_id"), _string),
        "field_value": _check_matching_value,
        "resource_id": _int,
    },
    # custom_request is named by ru-v72-trigger-sync's text (l.135), in no table of the operation.
    "import_and_start_batch": {**_BATCH_NEEDS, "trigger_id": _int, "custom_request": _any_object},
    "import_and_start_batch_task": {**_BATCH_NEEDS, "trigger_id": _int},
    # resource_id is on the trigger pages (int), not on en-v72-workflow-task.
    "workflow_import_and_start_batch_task": {**_BATCH_NEEDS, "workflow_id": _int, "resource_id": _int},
    "task_status": {"task_id": _string},
}

# Required whatever the Required cells say (today every page requires them too): the operations cannot
# run without them.
_NEEDED: dict[str, tuple[str, ...]] = {
    "import_profile": ("db_id", "data"),
    "import_and_start_batch": ("trigger_id",),
    "import_and_start_batch_task": ("trigger_id",),
    "workflow_import_and_start_batch_task": ("workflow_id",),
    "task_status": ("task_id",),
}

# Required cells that are not enforced: the token may come in the Authorization header instead (the app
# answers 401 without one); en-v72-workflow-task's `matching` "Yes" says "By default - email" (the
# matching-required discrepancy).
_NOT_REFUSED_WHEN_ABSENT = ("token", "matching")


def _operation_rules(op: str, **override: Check | None) -> tuple[tuple[str, ...], dict[str, Check]]:
    fields = operation(op).fields
    by_pages = [
        n for n in D.REQUIRED.get(op, ()) if n not in _NOT_REFUSED_WHEN_ABSENT and "." not in n and "[" not in n
    ]
    required = tuple(dict.fromkeys([*by_pages, *_NEEDED.get(op, ())]))
    return required, _rules(fields, _FALLBACKS.get(op, {}), {**_OVERRIDES, **override})


def _checker(
    op: str, *extra: Callable[[Mapping[str, Any]], None], **override: Check | None
) -> Callable[[Mapping[str, Any]], None]:
    required, rules = _operation_rules(op, **override)

    def check(body: Mapping[str, Any]) -> None:
        _require(body, "", *required)
        _apply(body, "", rules)
        for rule in extra:
            rule(body)

    check.__name__ = f"check_{op}"
    check.__doc__ = f"The request body of {op}: required parameters, then each parameter's rule."
    return check


def _custom_needs_field_name(body: Mapping[str, Any]) -> None:
    # field_name's Required cell reads '"matching":"custom"' on every batch page.
    if body.get("matching") == "custom":
        _require(body, "", "field_name")


check_import_and_start_batch_task = _checker("import_and_start_batch_task", _custom_needs_field_name)
check_import_and_start_batch = _checker("import_and_start_batch", _custom_needs_field_name)
# field_value is "Any" on en-v72-workflow-task (l.36): no check there.
check_workflow_import_and_start_batch_task = _checker(
    "workflow_import_and_start_batch_task", _custom_needs_field_name, field_value=None
)
check_import_profile = _checker("import_profile", data=check_profile, matching=_modes(PROFILE_MATCHING_MODES))
check_task_status = _checker("task_status")


OPERATION_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "import_profile": check_import_profile,
    "import_and_start_batch": check_import_and_start_batch,
    "import_and_start_batch_task": check_import_and_start_batch_task,
    "workflow_import_and_start_batch_task": check_workflow_import_and_start_batch_task,
    "task_status": check_task_status,
}
