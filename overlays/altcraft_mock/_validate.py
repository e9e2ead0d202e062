"""Request validation of the emulator, written from the doc pages' parameter tables.

Each check raises :class:`Invalid` naming the field (``data[3].data.subscriptions[0].email``) and the
problem; the app turns it into the documented 400 envelope.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ._constants import BATCH_MATCHING_MODES, CHANNELS, FORMATS, PROFILE_MATCHING_MODES

__all__ = ["OPERATION_CHECKS", "Invalid", "is_int"]


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


def _bool(value: object, path: str) -> None:
    if not isinstance(value, bool):
        raise Invalid(path, "must be true or false")


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


def _string_list(value: object, path: str) -> None:
    for i, item in enumerate(_list(value, path)):
        _string(item, f"{path}[{i}]")


def _id_list(value: object, path: str) -> None:
    for i, item in enumerate(_list(value, path)):
        _int(item, f"{path}[{i}]")


_PROFILE_STRINGS = (
    "_fname",
    "_lname",
    "email",
    "_bdate",
    "_regdate",
    "_regip",
    "_ip",
    "_tz",
    "_postal_code",
    "_os",
    "_browser",
    "_vendor",
)


def check_subscription(value: object, path: str) -> None:
    """Types only: ru-v74-profiles-import's subscriptions table has no "required" column, and 000 prints
    a channel ("phone") outside the seven it names, so no field and no channel name is refused."""
    sub = _obj(value, path)
    _opt(sub, "channel", f"{path}.", _string)
    _opt(sub, "resource_id", f"{path}.", _int)
    if "status" in sub and not (isinstance(sub["status"], str) or is_int(sub["status"])):
        raise Invalid(f"{path}.status", "must be a string or an integer")
    _opt(sub, "priority", f"{path}.", _int)
    _opt(sub, "custom_fields", f"{path}.", _any_object)
    _opt(sub, "cats", f"{path}.", _string_list)
    channel = sub.get("channel")
    if channel in CHANNELS:
        for key in ("email", "phone", "provider", "subscription_id"):
            _opt(sub, key, f"{path}.", _string)
        if "cc_data" in sub:
            cc = _obj(sub["cc_data"], f"{path}.cc_data")
            if channel == "telegram_bot":
                _opt(cc, "id", f"{path}.cc_data.", _int)
            else:
                _opt(cc, "phone", f"{path}.cc_data.", _string)


def check_profile(value: object, path: str) -> None:
    profile = _obj(value, path)
    for key in _PROFILE_STRINGS:
        if key in profile:
            _string(profile[key], f"{path}.{key}")
    if "phones" in profile:
        phones = profile["phones"]
        if isinstance(phones, list):
            _string_list(phones, f"{path}.phones")
        elif not isinstance(phones, str):
            raise Invalid(f"{path}.phones", "must be a string or an array of strings")
    _opt(profile, "_sex", f"{path}.", _int)
    if "subscriptions" in profile:
        for i, sub in enumerate(_list(profile["subscriptions"], f"{path}.subscriptions")):
            check_subscription(sub, f"{path}.subscriptions[{i}]")


def _check_batch_items(value: object, path: str) -> None:
    for i, item in enumerate(_list(value, path)):
        obj = _obj(item, f"{path}[{i}]")
        _require(obj, f"{path}[{i}].", "data")
        check_profile(obj["data"], f"{path}[{i}].data")
        _opt(obj, "custom_data", f"{path}[{i}].", _any_object)


def _check_timeout(value: object, path: str) -> None:
    timeout = _obj(value, path)
    for key in ("days", "hours", "minutes"):
        _opt(timeout, key, f"{path}.", _int)


def _check_attach(value: object, path: str) -> None:
    """Types only: the pages give "array of {name, flie_key, data, mimetype}" and an example, no rule."""
    for i, item in enumerate(_list(value, path)):
        p = f"{path}[{i}]"
        att = _obj(item, p)
        for key in ("name", "data", "file_key", "mimetype"):
            _opt(att, key, f"{p}.", _string)


def _check_subscription_filter(value: object, path: str) -> None:
    flt = _obj(value, path)
    for key in ("email", "phone", "subscription_id", "provider"):
        _opt(flt, key, f"{path}.", _string)
    _opt(flt, "not_strict", f"{path}.", _bool)


def _check_field_value(value: object, path: str) -> None:
    if not (isinstance(value, str) or _is_number(value)):
        raise Invalid(path, "must be a string or a number")


def _check_common(body: Mapping[str, Any], modes: tuple[str, ...]) -> None:
    _opt(body, "token", "", _string)
    _opt(body, "format", "", lambda v, p: _enum(v, p, FORMATS))
    _opt(body, "matching", "", lambda v, p: _enum(v, p, modes))
    for key in ("email", "phone", "profile_id", "field_name"):
        _opt(body, key, "", _string)
    _opt(body, "field_value", "", _check_field_value)
    _opt(body, "resource_id", "", _int)
    for key in ("skip_triggers", "skip_invalid_subscriptions", "detect_geo"):
        _opt(body, key, "", _bool)


def _check_batch(body: Mapping[str, Any]) -> None:
    # `data` is "нет"/"No" on the task pages (000, 003) and on 001; an absent `data` imports nothing.
    _check_common(body, BATCH_MATCHING_MODES)
    _opt(body, "data", "", _check_batch_items)
    if body.get("matching") == "custom":
        _require(body, "", "field_name")


def _check_trigger_launch(body: Mapping[str, Any]) -> None:
    _require(body, "", "trigger_id")
    _int(body["trigger_id"], "trigger_id")
    _opt(body, "timeout", "", _check_timeout)
    _opt(body, "custom_data", "", _any_object)
    _opt(body, "content", "", _any_object)
    _opt(body, "attach", "", _check_attach)


def check_import_and_start_batch_task(body: Mapping[str, Any]) -> None:
    _check_batch(body)
    _check_trigger_launch(body)


def check_import_and_start_batch(body: Mapping[str, Any]) -> None:
    _check_batch(body)
    _check_trigger_launch(body)
    _opt(body, "subscription_filter", "", _check_subscription_filter)
    _opt(body, "custom_request", "", _any_object)


def check_workflow_import_and_start_batch_task(body: Mapping[str, Any]) -> None:
    _check_batch(body)
    _require(body, "", "workflow_id")
    _int(body["workflow_id"], "workflow_id")
    _opt(body, "content", "", _any_object)
    _opt(body, "custom_data", "", _any_object)
    _opt(body, "attach", "", _check_attach)
    _opt(body, "custom_request", "", _any_object)


def check_import_profile(body: Mapping[str, Any]) -> None:
    """The per-mode fields come from the Matching page, which is not among the sources: not refused."""
    _check_common(body, PROFILE_MATCHING_MODES)
    _require(body, "", "db_id", "data")
    _int(body["db_id"], "db_id")
    check_profile(body["data"], "data")
    _opt(body, "provider", "", _string)
    _opt(body, "subscription_id", "", _string)
    _opt(body, "add_to_segments", "", _id_list)
    _opt(body, "remove_from_segments", "", _id_list)


def check_task_status(body: Mapping[str, Any]) -> None:
    _opt(body, "token", "", _string)
    _require(body, "", "task_id")
    _string(body["task_id"], "task_id")


OPERATION_CHECKS: dict[str, Callable[[Mapping[str, Any]], None]] = {
    "import_profile": check_import_profile,
    "import_and_start_batch": check_import_and_start_batch,
    "import_and_start_batch_task": check_import_and_start_batch_task,
    "workflow_import_and_start_batch_task": check_workflow_import_and_start_batch_task,
    "task_status": check_task_status,
}
