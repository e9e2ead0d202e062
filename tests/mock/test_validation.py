"""The emulator's request validation: every field check, with the exact field path and problem it reports, and
the values it must let through."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from altcraft_mock import _validate
from altcraft_mock._constants import BATCH_MATCHING_MODES, PROFILE_MATCHING_MODES
from altcraft_mock._validate import OPERATION_CHECKS, Invalid, is_int

ITEM = {"data": {"email": "a@example.com"}}
VALID: dict[str, dict[str, Any]] = {
    "import_profile": {"db_id": 1, "data": {"email": "a@example.com"}},
    "import_and_start_batch": {"trigger_id": 13, "data": [ITEM]},
    "import_and_start_batch_task": {"trigger_id": 13, "data": [ITEM]},
    "workflow_import_and_start_batch_task": {"workflow_id": 7, "data": [ITEM]},
    "task_status": {"task_id": "t1"},
}
BATCH_OPS = ["import_and_start_batch", "import_and_start_batch_task", "workflow_import_and_start_batch_task"]
TRIGGER_OPS = ["import_and_start_batch", "import_and_start_batch_task"]
BODY_OPS = ["import_profile", *BATCH_OPS]
PROFILE_STRINGS = ["_fname", "_lname", "email", "_bdate", "_regdate", "_regip", "_ip", "_tz", "_postal_code"]
PROFILE_STRINGS += ["_os", "_browser", "_vendor"]
OBJ, STR, INT = "must be an object", "must be a string", "must be an integer"
BOOL, ARR = "must be true or false", "must be an array"


def problem(op: str, body: dict[str, Any]) -> tuple[str, str] | None:
    try:
        OPERATION_CHECKS[op](body)
    except Invalid as err:
        assert str(err) == f"{err.field}: {err.problem}"
        return err.field, err.problem
    return None


def with_(op: str, **fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(VALID[op])
    body.update(fields)
    return body


def with_profile(op: str, **fields: Any) -> tuple[dict[str, Any], str]:
    """The operation's valid body with profile fields added, and the profile's path."""
    body = copy.deepcopy(VALID[op])
    if op == "import_profile":
        body["data"].update(fields)
        return body, "data"
    body["data"][0]["data"].update(fields)
    return body, "data[0].data"


def test_every_operation_is_checked_and_its_valid_body_passes() -> None:
    assert sorted(OPERATION_CHECKS) == sorted(VALID)
    for op, body in VALID.items():
        assert problem(op, body) is None, op


IS_INT: list[tuple[object, bool]] = [
    (1, True),
    (0, True),
    (1.0, True),
    (-3.0, True),
    (1.5, False),
    (True, False),
    (False, False),
]
IS_INT += [(math.inf, False), (math.nan, False), ("1", False), (None, False)]


@pytest.mark.parametrize(("value", "expected"), IS_INT)
def test_an_integer_is_a_whole_number_never_a_bool_or_a_string(value: object, expected: bool) -> None:
    assert is_int(value) is expected


# --------------------------------------------------------------------------------------- profile fields

# The system fields' types are shown by examples only (no table types them): any value is accepted (issue 22
# case 3); subscriptions is "Массив" (ru-v74-profiles-import l.136) and stays checked.
PROFILE_CASES: list[tuple[dict[str, Any], str | None, str | None]] = [
    *[({key: 1}, None, None) for key in PROFILE_STRINGS],
    *[({key: ""}, None, None) for key in PROFILE_STRINGS],
    ({"phones": "79990000000"}, None, None),
    ({"phones": ["7999", "7998"]}, None, None),
    ({"phones": []}, None, None),
    ({"phones": 5}, None, None),
    ({"phones": ["7999", 2]}, None, None),
    ({"_sex": 1}, None, None),
    ({"_sex": "m"}, None, None),
    ({"subscriptions": {}}, "subscriptions", ARR),
    ({"subscriptions": []}, None, None),
    ({"subscriptions": [{}, 5]}, "subscriptions[1]", OBJ),
    ({"unknown_field": {"any": 1}}, None, None),
]

SUB = "subscriptions[0]"
SUBSCRIPTION_CASES: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({"channel": 5}, "channel", STR),
    ({"resource_id": "1"}, "resource_id", INT),
    ({"resource_id": 1.0}, None, None),
    ({"status": "active"}, None, None),
    ({"status": 1}, None, None),
    ({"status": 2.0}, None, None),
    ({"status": True}, "status", "must be a string or an integer"),
    ({"status": 1.5}, "status", "must be a string or an integer"),
    ({"status": None}, "status", "must be a string or an integer"),
    ({"priority": "high"}, "priority", INT),
    ({"custom_fields": []}, "custom_fields", OBJ),
    ({"custom_fields": {}}, None, None),
    ({"cats": "news"}, "cats", ARR),
    ({"cats": ["news", 1]}, None, None),  # "array"; the items' type only the example shows
    ({"cats": ["news"]}, None, None),
    *[({"channel": "email", key: 5}, key, STR) for key in ("email", "phone", "provider", "subscription_id")],
    *[({"channel": "sms", key: "x"}, None, None) for key in ("email", "phone", "provider", "subscription_id")],
    # a channel outside the documented seven: its fields are not checked
    *[({"channel": "phone", key: 5}, None, None) for key in ("email", "phone", "provider", "subscription_id")],
    ({"email": 5}, None, None),
    ({"channel": "phone", "cc_data": 5}, None, None),
    ({"channel": "email", "cc_data": 5}, "cc_data", OBJ),
    # cc_data is "object"; its keys' types come from table examples only
    ({"channel": "telegram_bot", "cc_data": {"id": "x"}}, None, None),
    ({"channel": "telegram_bot", "cc_data": {"id": 5, "phone": 5}}, None, None),
    ({"channel": "sms", "cc_data": {"phone": 5}}, None, None),
    ({"channel": "sms", "cc_data": []}, "cc_data", OBJ),
    ({"channel": "whatsapp", "cc_data": {"phone": "7999", "id": "x"}}, None, None),
]


@pytest.mark.parametrize("op", BODY_OPS)
@pytest.mark.parametrize(("fields", "field", "message"), PROFILE_CASES)
def test_profile_fields_are_checked_as_the_pages_type_them(
    op: str, fields: dict[str, Any], field: str | None, message: str | None
) -> None:
    body, path = with_profile(op, **fields)
    assert problem(op, body) == (None if field is None else (f"{path}.{field}", message))


@pytest.mark.parametrize("op", BODY_OPS)
@pytest.mark.parametrize(("sub", "field", "message"), SUBSCRIPTION_CASES)
def test_subscription_fields_are_checked_as_the_pages_type_them(
    op: str, sub: dict[str, Any], field: str | None, message: str | None
) -> None:
    body, path = with_profile(op, subscriptions=[sub])
    assert problem(op, body) == (None if field is None else (f"{path}.{SUB}.{field}", message))


# --------------------------------------------------------------------------------------- request fields

COMMON_CASES: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({"token": 5}, "token", STR),
    ({"token": "secret"}, None, None),
    ({"format": "csv"}, "format", "must be one of json, xml"),
    ({"format": 1}, "format", "must be one of json, xml"),
    ({"format": "xml"}, None, None),
    *[({key: 5}, key, STR) for key in ("email", "phone", "profile_id")],
    ({"field_name": 5}, "field_name", STR),
    *[({"field_value": v}, None, None) for v in ("x", 3, 2.0, -1)],
    *[({"field_value": v}, "field_value", "must be a string or a number") for v in (True, None, math.inf, [1])],
    ({"field_value": math.nan}, "field_value", "must be a string or a number"),
    ({"field_value": 2.5}, "field_value", "must be a string or an integer"),
    ({"resource_id": "1"}, "resource_id", INT),
    ({"resource_id": 2.0}, None, None),
    *[({key: "yes"}, key, BOOL) for key in ("skip_triggers", "skip_invalid_subscriptions", "detect_geo")],
    *[({key: 1}, key, BOOL) for key in ("skip_triggers", "skip_invalid_subscriptions", "detect_geo")],
    *[({key: False}, None, None) for key in ("skip_triggers", "skip_invalid_subscriptions", "detect_geo")],
]


@pytest.mark.parametrize("op", BODY_OPS)
@pytest.mark.parametrize(("fields", "field", "message"), COMMON_CASES)
def test_the_fields_the_operations_share_are_checked(
    op: str, fields: dict[str, Any], field: str | None, message: str | None
) -> None:
    if op == "workflow_import_and_start_batch_task" and field == "field_value":
        field = None  # "field_value Any" (en-v72-workflow-task l.36)
    elif field == "field_value" and op != "import_profile":
        message = "must be a string or an integer"  # "int/string" on the trigger pages
    elif fields == {"field_value": 2.5}:
        field = None  # profiles/import: no page types it; any number can be matched by
    assert problem(op, with_(op, **fields)) == (None if field is None else (field, message))


@pytest.mark.parametrize("op", BATCH_OPS)
def test_a_batch_takes_only_the_documented_matching_modes(op: str) -> None:
    modes = "must be one of " + ", ".join(BATCH_MATCHING_MODES)
    assert problem(op, with_(op, matching="email_sub")) == ("matching", modes)
    assert problem(op, with_(op, matching=3)) == ("matching", modes)
    for mode in BATCH_MATCHING_MODES:
        extra = {"field_name": "city"} if mode == "custom" else {}
        assert problem(op, with_(op, matching=mode, **extra)) is None
    assert problem(op, with_(op, matching="custom")) == ("field_name", "is required")
    assert problem(op, with_(op, field_name="city")) is None


def test_import_profile_takes_only_the_documented_matching_modes() -> None:
    modes = "must be one of " + ", ".join(PROFILE_MATCHING_MODES)
    assert problem("import_profile", with_("import_profile", matching="nope")) == ("matching", modes)
    for mode in PROFILE_MATCHING_MODES:
        assert problem("import_profile", with_("import_profile", matching=mode)) is None


BATCH_ITEM_CASES: list[tuple[Any, str | None, str | None]] = [
    ({}, "data", ARR),
    ([], None, None),
    ([5], "data[0]", OBJ),
    ([ITEM, {}], "data[1].data", "is required"),
    ([{"data": 5}], "data[0].data", OBJ),
    ([{"data": {}, "custom_data": 5}], "data[0].custom_data", OBJ),
    ([{"data": {}, "custom_data": {"a": 1}}], None, None),
]


@pytest.mark.parametrize("op", BATCH_OPS)
@pytest.mark.parametrize(("data", "field", "message"), BATCH_ITEM_CASES)
def test_each_batch_item_is_an_object_with_data(op: str, data: Any, field: str | None, message: str | None) -> None:
    assert problem(op, with_(op, data=data)) == (None if field is None else (field, message))


@pytest.mark.parametrize("op", BATCH_OPS)
def test_a_batch_without_data_imports_nothing_but_is_valid(op: str) -> None:
    body = with_(op)
    del body["data"]
    assert problem(op, body) is None


LAUNCH_CASES: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({"timeout": 5}, "timeout", OBJ),
    # "JSON object"; the keys' types only the example {"days": 0, "hours": 0, "minutes": 5} shows
    *[({"timeout": {key: "1"}}, None, None) for key in ("days", "hours", "minutes")],
    ({"timeout": {"days": 1, "hours": 2, "minutes": 3}}, None, None),
    ({"custom_data": []}, "custom_data", OBJ),
    ({"content": "text"}, "content", OBJ),
    ({"attach": {}}, "attach", ARR),
    ({"attach": [{}, 5]}, "attach[1]", OBJ),
    # "array of {name, flie_key, data, mimetype}": objects, the fields typed by no page
    *[({"attach": [{key: 5}]}, None, None) for key in ("name", "data", "file_key", "mimetype")],
    ({"attach": [{"name": "a.txt", "data": "YQ==", "file_key": "k", "mimetype": "text/plain"}]}, None, None),
]


@pytest.mark.parametrize("op", TRIGGER_OPS)
@pytest.mark.parametrize(("fields", "field", "message"), LAUNCH_CASES)
def test_the_trigger_launch_fields_are_checked(
    op: str, fields: dict[str, Any], field: str | None, message: str | None
) -> None:
    assert problem(op, with_(op, **fields)) == (None if field is None else (field, message))


@pytest.mark.parametrize("op", TRIGGER_OPS)
def test_the_trigger_id_is_a_required_integer(op: str) -> None:
    body = with_(op)
    del body["trigger_id"]
    assert problem(op, body) == ("trigger_id", "is required")
    assert problem(op, with_(op, trigger_id="13")) == ("trigger_id", INT)
    assert problem(op, with_(op, trigger_id=13.0)) is None


FILTER_CASES: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({"subscription_filter": 5}, "subscription_filter", OBJ),
    # "JSON object"; its keys' types only ru-v72-trigger-sync's examples show
    *[({"subscription_filter": {key: 5}}, None, None) for key in ("email", "phone", "subscription_id", "provider")],
    ({"subscription_filter": {"not_strict": "no"}}, None, None),
    ({"subscription_filter": {"email": "a@b.c", "not_strict": True}}, None, None),
    ({"custom_request": []}, "custom_request", OBJ),
    ({"custom_request": {"q": 1}}, None, None),
]


@pytest.mark.parametrize(("fields", "field", "message"), FILTER_CASES)
def test_the_synchronous_batch_checks_its_filter_and_custom_request(
    fields: dict[str, Any], field: str | None, message: str | None
) -> None:
    op = "import_and_start_batch"
    assert problem(op, with_(op, **fields)) == (None if field is None else (field, message))


def test_the_batch_task_does_not_check_the_synchronous_only_fields() -> None:
    op = "import_and_start_batch_task"
    assert problem(op, with_(op, subscription_filter=5, custom_request=5)) is None


WORKFLOW_CASES: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({"workflow_id": "7"}, "workflow_id", INT),
    ({"content": []}, "content", OBJ),
    ({"custom_data": "x"}, "custom_data", OBJ),
    ({"attach": {}}, "attach", ARR),
    ({"attach": [{"mimetype": 1}]}, None, None),
    ({"attach": ["x"]}, "attach[0]", OBJ),
    ({"custom_request": []}, "custom_request", OBJ),
    ({"trigger_id": "not checked", "timeout": "not checked"}, None, None),
]


@pytest.mark.parametrize(("fields", "field", "message"), WORKFLOW_CASES)
def test_the_workflow_launch_fields_are_checked(fields: dict[str, Any], field: str | None, message: str | None) -> None:
    op = "workflow_import_and_start_batch_task"
    assert problem(op, with_(op, **fields)) == (None if field is None else (field, message))


def test_the_workflow_id_is_required() -> None:
    body = with_("workflow_import_and_start_batch_task")
    del body["workflow_id"]
    assert problem("workflow_import_and_start_batch_task", body) == ("workflow_id", "is required")


PROFILE_OP_CASES: list[tuple[dict[str, Any], str | None, str | None]] = [
    ({"db_id": "1"}, "db_id", INT),
    ({"data": 5}, "data", OBJ),
    ({"provider": 5}, "provider", STR),
    ({"subscription_id": 5}, "subscription_id", STR),
    *[({key: 5}, key, ARR) for key in ("add_to_segments", "remove_from_segments")],
    # "JSON список [1,2]": the ids' type only the example shows (the operation answers 404 for a non-id)
    *[({key: [1, "2"]}, None, None) for key in ("add_to_segments", "remove_from_segments")],
    *[({key: [1, 2.0]}, None, None) for key in ("add_to_segments", "remove_from_segments")],
]


@pytest.mark.parametrize(("fields", "field", "message"), PROFILE_OP_CASES)
def test_the_import_profile_fields_are_checked(fields: dict[str, Any], field: str | None, message: str | None) -> None:
    assert problem("import_profile", with_("import_profile", **fields)) == (None if field is None else (field, message))


def test_import_profile_requires_db_id_then_data() -> None:
    assert problem("import_profile", {}) == ("db_id", "is required")
    assert problem("import_profile", {"data": {}}) == ("db_id", "is required")
    assert problem("import_profile", {"db_id": 1}) == ("data", "is required")


def test_task_status_needs_a_string_task_id() -> None:
    assert problem("task_status", {}) == ("task_id", "is required")
    assert problem("task_status", {"task_id": 5}) == ("task_id", STR)
    assert problem("task_status", {"task_id": "t", "token": 5}) == ("token", STR)
    assert problem("task_status", {"task_id": "", "token": ""}) is None


def test_invalid_names_the_field_and_the_problem() -> None:
    err = Invalid("data[3].data.email", "must be a string")
    assert (err.field, err.problem, str(err)) == ("data[3].data.email", "must be a string", err.args[0])
    assert str(err) == "data[3].data.email: must be a string"


def test_a_cell_of_two_types_takes_a_value_of_either_and_names_both_when_refusing() -> None:
    check = _validate._of_types(("integer", "string"))
    assert check is not None
    check(5, "data.x")
    check("five", "data.x")
    with pytest.raises(Invalid) as caught:
        check([5], "data.x")
    assert (caught.value.field, caught.value.problem) == ("data.x", "must be an integer or a string")


def test_a_cell_with_a_type_the_emulator_does_not_know_is_not_checked() -> None:
    assert _validate._of_types(("integer", "date")) is None
    assert _validate._of_types(()) is None
