"""Requests against openapi.yaml before sending: jsonschema-rs, unknown parameters, batch search keys,
and rules the spec only assumes (warnings, never refusals)."""

from __future__ import annotations

import ast
import logging
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import jsonschema_rs
import pytest
from altcraft import (
    Altcraft,
    AssumptionWarning,
    BadRequest,
    InvalidInput,
    _schema,
    _validate,
    validate,
)
from altcraft._errors import Problem
from altcraft._validate import (
    _ASSUMED_SCHEMAS,
    _SEARCH_KEYS,
    _exclusive_any_of,
    _has_assumed,
    _join,
    _json_type,
    _path,
    _problem,
    _promote_assumed,
    _properties,
    _shown,
    check,
    exclusive_property,
    known_parameters,
    raise_or_warn,
)
from altcraft_api.models import (
    BatchItem,
    ImportAndStartBatchRequest,
    ProfileData,
    TaskStatusRequest,
)
from altcraft_api.spec_data import SPEC_DATA
from altcraft_mock import MockApp, transport

from ..conftest import BASE, TOKEN
from .fakes import IMPORTED, answer, sync_client

OVERLAY = Path(__file__).resolve().parents[2] / "overlays" / "altcraft"
BATCH_OPS = ["import_and_start_batch", "import_and_start_batch_task", "workflow_import_and_start_batch_task"]


def batch(op: str, **extra: Any) -> dict[str, Any]:
    target = {"workflow_id": 7} if op.startswith("workflow") else {"trigger_id": 13}
    return {**target, "data": [{"data": {"email": "a@example.com"}}], **extra}


class Refuse(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")


@pytest.mark.parametrize("op", BATCH_OPS)
def test_a_typo_in_a_parameter_is_refused_with_the_closest_name(op: str) -> None:
    body = batch(op, matching="email", skip_trigers=True)
    with Altcraft(BASE, TOKEN, transport=Refuse()) as client, pytest.raises(InvalidInput) as err:
        client.request(op, body)  # type: ignore[arg-type]
    assert err.value.field == "skip_trigers"
    assert "did you mean skip_triggers?" in str(err.value)


def test_every_operation_refuses_unknown_top_level_keys_but_open_objects_stay_open() -> None:
    for op in SPEC_DATA["operations"]:
        refusals, _ = check(op, {"no_such_parameter": 1})
        assert any(p.field == "no_such_parameter" for p in refusals), op
    body = {
        "db_id": 1,
        "email": "a@b.c",
        "data": {"email": "a@b.c", "any_custom_field": [1, {"x": 2}]},
        "custom_data": {"whatever": 1},
    }
    refusals, _ = check("import_profile", {k: v for k, v in body.items() if k in known_parameters("import_profile")})
    assert refusals == []


def test_extra_body_sends_a_parameter_the_spec_does_not_know() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, json={"error": 0, "error_text": "ok", "result": []})

    with Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client:
        client.import_and_start_batch(batch("import_and_start_batch"), extra_body={"brand_new_flag": True})
    assert b'"brand_new_flag":true' in seen[0]


def test_a_subscription_report_is_narrowed_to_the_channel_it_names() -> None:
    body = batch("import_and_start_batch")
    body["data"][0]["data"]["subscriptions"] = [{"channel": "email", "resource_id": "one"}]
    with pytest.raises(InvalidInput) as err:
        validate("import_and_start_batch", body)
    assert [p.field for p in err.value.problems] == ["data[0].data.subscriptions[0].resource_id"]
    # The channel's own field is only assumed required: a warning, narrowed to the email variant.
    body["data"][0]["data"]["subscriptions"] = [{"channel": "email", "resource_id": 1}]
    refusals, warned = check("import_and_start_batch", body)
    assert refusals == [] and [str(p) for p in warned] == ["data[0].data.subscriptions[0].email is required"]


def test_every_problem_is_listed_with_its_path() -> None:
    body = {"trigger_id": "13", "data": [{"data": {"email": "a@b.c"}}, {"nodata": 1}], "skip_triggers": "yes"}
    with pytest.raises(InvalidInput) as err:
        validate("import_and_start_batch", body)
    fields = {p.field for p in err.value.problems}
    assert {"trigger_id", "skip_triggers"} <= fields
    assert any(f.startswith("data[1]") for f in fields), fields
    assert "more problem" in str(err.value)


def test_validate_takes_models_and_returns_none() -> None:

    model = ImportAndStartBatchRequest(trigger_id=1, data=[BatchItem(data=ProfileData(email="a@b.c"))])
    assert validate("import_and_start_batch", model) is None
    with pytest.raises(InvalidInput, match="operation"):
        validate("no_such_operation", {})


# -- search keys ------------------------------------------------------------------------------------------


def test_the_spec_states_where_each_batch_matching_key_sits() -> None:
    modes = SPEC_DATA["schemas"]["BatchMatchingMode"]["enum"]
    assert set(_SEARCH_KEYS) == set(modes)
    for mode, rule in _SEARCH_KEYS.items():
        assert rule.get("source") or rule.get("x-assumption"), mode
        assert rule.get("item") or rule.get("item-field-named-by") or rule.get("root"), mode


@pytest.mark.parametrize("op", BATCH_OPS)
def test_an_item_without_its_search_key_is_refused_naming_its_index(op: str) -> None:
    body = batch(op)
    body["data"] = [
        {"data": {"email": "a@example.com"}},
        {"data": {"_fname": "No email"}},
        {"data": {"email": "c@example.com"}},
        {"data": {"email": ""}},
    ]
    with Altcraft(BASE, TOKEN, transport=Refuse()) as client, pytest.raises(InvalidInput) as err:
        client.request(op, body)  # type: ignore[arg-type]
    # matching 'email' finds a profile by its data's email or a subscription's (issue 22 case 1): the item needs one.
    assert [p.field for p in err.value.problems] == ["data[1].data", "data[3].data"]
    assert all("needs one of email, subscriptions[].email" in p.message for p in err.value.problems)
    assert "matching 'email'" in str(err.value)
    body["data"][1] = {"data": {"subscriptions": [{"channel": "email", "resource_id": 1, "email": "b@example.com"}]}}
    assert [p.field for p in check(op, body)[0]] == ["data[3].data"]


def test_custom_matching_looks_for_the_field_named_at_the_root() -> None:
    assert not _SEARCH_KEYS["custom"].get("x-assumption"), "001's custom example shows where the key sits"
    body = batch("import_and_start_batch", matching="custom", field_name="CRM_ID")
    body["data"] = [{"data": {"CRM_ID": "1"}}, {"data": {"email": "x@y.z"}}]
    refusals, _ = check("import_and_start_batch", body)
    assert [p.field for p in refusals] == ["data[1].data.CRM_ID"]


# -- assumptions warn, never refuse -----------------------------------------------------------------------


def test_x_assumed_rules_warn_and_send(caplog: pytest.LogCaptureFixture) -> None:
    assert _ASSUMED_SCHEMAS is not None, "openapi.yaml marks rules x-assumed (e.g. Attachment.name)"
    body = batch("import_and_start_batch", attach=[{"data": "data:,x"}])  # an attachment without a name
    refusals, warned = check("import_and_start_batch", body)
    assert refusals == [] and warned, "Attachment.name is an assumption of the spec, not a documented rule"
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"error": 0, "error_text": "ok", "result": []})

    with (
        Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client,
        caplog.at_level(logging.INFO, "altcraft"),
        pytest.warns(AssumptionWarning),
    ):
        client.import_and_start_batch(body)
    assert sent and any("only assumes" in r.getMessage() for r in caplog.records)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate("import_and_start_batch", body)
    assert [w for w in caught if issubclass(w.category, AssumptionWarning)]


# -- no code generated at import time ------------------------------------------------------------------------


def test_no_exec_eval_or_compile_under_overlays() -> None:
    for path in OVERLAY.parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"exec", "eval", "compile"}, f"{path}: {node.func.id}()"


def test_the_subscription_variants_exclude_one_another_so_any_of_gives_the_same_verdicts() -> None:
    """What lets the validator check the subscription oneOf as anyOf: one channel const per variant,
    and one variant for every other channel."""
    from altcraft._validate import exclusive_property

    variants = SPEC_DATA["schemas"]["Subscription"]["oneOf"]
    assert exclusive_property(variants) == "channel"
    assert exclusive_property([*variants, variants[0]]) is None  # a repeated const is not exclusive
    assert exclusive_property([{"type": "object"}, *variants]) is None  # a variant open to every channel


@pytest.mark.parametrize("channel", ["email", "sms", "phone", "my_custom_channel"])
def test_a_subscription_of_any_channel_validates(channel: str) -> None:
    body = batch("import_and_start_batch")
    body["data"][0]["data"]["subscriptions"] = [{"channel": channel, "resource_id": 1, "email": "a@b.c", "phone": "1"}]
    assert check("import_and_start_batch", body) == ([], [])


def test_custom_request_without_matching_needs_no_search_key() -> None:
    """en-v72-workflow-task: custom_request is used "if there is no matching property"."""
    body = {"workflow_id": 1, "custom_request": {"_fname": "x"}, "data": [{"data": {"_fname": "x"}}]}
    assert check("workflow_import_and_start_batch_task", body)[0] == []
    refusals, _ = check("workflow_import_and_start_batch_task", {**body, "matching": "email"})
    assert [p.field for p in refusals] == ["data[0].data"]
    assert "needs one of email, subscriptions[].email" in refusals[0].message


# -- refused before sending, through the client --------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "body", "field"),
    [
        ("import_and_start_batch", {"data": [{"data": {}}]}, "trigger_id"),
        ("import_and_start_batch", {"trigger_id": 1, "data": [{"data": {"_fname": "no email"}}]}, "data[0].data"),
        ("import_and_start_batch", {"trigger_id": "13", "data": [{"data": {}}]}, "trigger_id"),
        ("import_and_start_batch", {"trigger_id": 1, "matching": "custom", "data": [{"data": {}}]}, "field_name"),
        ("import_and_start_batch_task", {"trigger_id": 1, "data": [{"x": 1}]}, "data[0].data"),
        (
            "import_profile",
            {"db_id": 1, "email": "e", "data": {"subscriptions": [{"channel": "sms", "resource_id": "1"}]}},
            "data.subscriptions[0].resource_id",
        ),
        (
            "import_profile",
            {"db_id": 1, "email": "e", "data": {"subscriptions": {"channel": "sms"}}},
            "data.subscriptions",
        ),
        ("import_profile", {"db_id": 1, "matching": "push", "data": {}}, "matching"),
        ("import_profile", {"db_id": "1", "data": {}}, "db_id"),
        ("workflow_import_and_start_batch_task", {"data": [{"data": {}}]}, "workflow_id"),
        (
            "workflow_import_and_start_batch_task",
            {"workflow_id": 1, "data": [{"data": {"email": "a@b.c"}}], "attach": [5]},
            "attach[0]",
        ),
    ],
)
def test_bad_input_is_refused_before_sending_naming_the_field(op: str, body: Any, field: str) -> None:
    with Altcraft(BASE, TOKEN, transport=Refuse()) as c, pytest.raises(InvalidInput) as err:
        c.request(op, body)
    assert err.value.field == field, str(err.value)
    assert field in str(err.value)


def test_an_attachment_is_checked_only_as_the_pages_state() -> None:
    """'attach array of {name, flie_key, data, mimetype}' (en-v72-workflow-task l.62) gives no type and no
    "required" for the fields: a numeric name is warned about and sent; an item that is no object is refused."""
    body = {"workflow_id": 1, "data": [{"data": {"email": "a@b.c"}}], "attach": [{"name": 5, "data": "data:,x"}]}
    refusals, warned = check("workflow_import_and_start_batch_task", body)
    assert refusals == [] and [p.field for p in warned] == ["attach[0].name"]
    refusals, _ = check("workflow_import_and_start_batch_task", {**body, "attach": [{"name": "a.txt"}, 5]})
    assert [p.field for p in refusals] == ["attach[1]"]


def test_task_status_needs_a_task_id() -> None:
    with Altcraft(BASE, TOKEN, transport=Refuse()) as c, pytest.raises(InvalidInput):
        c.task_status("")


def test_validation_can_be_switched_off(app: MockApp) -> None:
    with Altcraft(BASE, TOKEN, transport=transport(app), validate=False) as c, pytest.raises(BadRequest):
        c.import_and_start_batch({"data": []})


# -- check(): each problem with its path and message ---------------------------------------------------------


SUB = "data[0].data.subscriptions[0]"


# matching 'email' searches "both profile data and subscriptions" (issue 22 case 1): either email is the item's key.
EMAIL_KEY = (
    "needs one of email, subscriptions[].email with matching 'email': the item's search key (or email at the root)"
)


POLICY = "(no page documents it, and this client refuses unknown names by policy; extra_body= sends it anyway)"


PHONE_KEY = "is required with matching 'phone': the item's search key (or phone at the root)"


CUSTOM_KEY = "is required with matching 'custom': the item's search key (or field_value at the root)"


def with_subscription(subscription: Any) -> dict[str, Any]:
    return {"trigger_id": 1, "data": [{"data": {"email": "a@b.c", "subscriptions": [subscription]}}]}


@pytest.mark.parametrize(
    ("operation", "body", "refused", "warned"),
    [
        (
            "nope",
            {},
            [
                (
                    "operation",
                    "'nope' is not one of import_and_start_batch, import_and_start_batch_task, import_profile, "
                    "task_status, workflow_import_and_start_batch_task",
                )
            ],
            [],
        ),
        ("import_profile", [1], [("body", "must be an object, not array")], []),
        ("import_profile", "x", [("body", "must be an object, not string")], []),
        ("import_profile", {}, [("db_id", "is required"), ("data", "is required")], []),
        ("import_profile", {"db_id": 1, "data": {"email": "a"}}, [], [("email", "is required")]),
        (
            "import_profile",
            {"db_id": 1, "matching": "email_phone", "data": {"_fname": "a"}},
            [],
            [("email", "is required (email or phone)")],
        ),
        ("import_and_start_batch", {"trigger_id": 1}, [], [("data", "is required (data or custom_request)")]),
        ("task_status", {"task_id": 5}, [("task_id", "must be of type string, not integer")], []),
        ("task_status", {}, [("task_id", "is required")], []),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": "one"}),
            [(f"{SUB}.resource_id", "must be of type integer, not string")],
            [],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": 1}),
            [],
            [(f"{SUB}.email", "is required")],
        ),
        ("import_and_start_batch", with_subscription({"resource_id": 1}), [], [(f"{SUB}.channel", "is required")]),
        (
            "import_and_start_batch",
            with_subscription({"channel": 5, "resource_id": 1, "email": "a"}),
            [(f"{SUB}.channel", "must be of type string, not integer")],
            [],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": 1, "email": "a", "status": 1.5}),
            [(f"{SUB}.status", "must be of type integer or string, not number")],
            [],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": "1", "email": 3}),
            [
                (f"{SUB}.resource_id", "must be of type integer, not string"),
                (f"{SUB}.email", "must be of type string, not integer"),
            ],
            [],
        ),
        (  # the channel selects the variant, though the email one would have fewer problems
            "import_and_start_batch",
            with_subscription({"channel": "sms", "resource_id": 1, "email": "a"}),
            [],
            [(f"{SUB}.phone", "is required")],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "email", "resource_id": 1, "email": ""}),
            [],
            [(f"{SUB}.email", "must not be empty")],
        ),
        (
            "import_and_start_batch",
            with_subscription({"channel": "push", "resource_id": 1}),
            [],
            [(f"{SUB}.provider", "is required"), (f"{SUB}.subscription_id", "is required")],
        ),
        (  # the pages show phones' type only in examples (issue 22 case 3): a warning
            "import_and_start_batch",
            {"trigger_id": 1, "data": [{"data": {"email": "a@b.c", "phones": 5}}]},
            [],
            [("data[0].data.phones", "must be of type string, not integer")],
        ),
        (
            "import_and_start_batch",
            {"trigger_id": "x", "skip_trigers": 1, "data": [{"data": {}}, {"data": {}}, 5]},
            [
                ("skip_trigers", f"is an unknown parameter; did you mean skip_triggers? {POLICY}"),
                ("data[2]", "must be of type object, not integer"),
                ("trigger_id", "must be of type integer, not string"),
                ("data[0].data", EMAIL_KEY),
                ("data[1].data", EMAIL_KEY),
            ],
            [],
        ),
        (
            "import_and_start_batch",
            {"trigger_id": 1, "matching": "phone", "data": [{"data": {"email": "a"}}, {"data": {"phone": "1"}}]},
            [],
            [
                (
                    "data[1].data.phone",
                    "is not a documented profile field; did you mean phones? (sent as a custom field)",
                ),
                (
                    "data[0].data.phones",
                    "is required with matching 'phone': the item's search key (or phone at the root)",
                ),
                (
                    "data[1].data.phones",
                    "is required with matching 'phone': the item's search key (or phone at the root)",
                ),
            ],
        ),
        (
            "import_and_start_batch",
            {"trigger_id": 1, "matching": "custom", "field_name": "CRM", "data": [{"data": {"email": "a"}}]},
            [
                (
                    "data[0].data.CRM",
                    "is required with matching 'custom': the item's search key (or field_value at the root)",
                )
            ],
            [],
        ),
    ],
)
def test_check_names_each_problem_with_its_path_and_message(
    operation: str, body: Any, refused: list[tuple[str, str]], warned: list[tuple[str, str]]
) -> None:
    refusals, warnings_ = check(operation, body)
    assert [tuple(p) for p in refusals] == refused
    assert [tuple(p) for p in warnings_] == warned


def test_a_subscription_that_is_not_an_object() -> None:
    refusals, warned = check("import_and_start_batch", with_subscription(5))
    assert set(refusals) == {Problem(SUB, "must be of type object, not integer")} and warned == []


def test_an_unknown_parameter_like_no_documented_one_points_at_extra_body() -> None:
    refusals, _ = check("task_status", {"task_id": "t", "zzzqqq": 1})
    assert refusals == [Problem("zzzqqq", f"is an unknown parameter {POLICY}")]


def test_at_most_a_thousand_items_are_reported() -> None:
    body = {"trigger_id": 1, "data": [{"data": {"_fname": "x"}}] * 1002}
    refusals, _ = check("import_and_start_batch", body)
    assert len(refusals) == 1000
    assert refusals[-1].field == "data[999].data"


def test_at_most_a_thousand_schema_problems_are_reported() -> None:
    refusals, _ = check("import_and_start_batch", {"trigger_id": 1, "data": [5] * 1002})
    assert len(refusals) == 1000
    assert refusals[-1] == Problem("data[999]", "must be of type object, not integer")


def test_one_refusal_is_raised_as_it_is_and_more_are_counted() -> None:
    one = [Problem("a", "is required")]
    with pytest.raises(InvalidInput) as err:
        raise_or_warn("import_profile", one, [])
    assert str(err.value) == "import_profile: a is required"
    assert (err.value.field, err.value.problems, err.value.operation) == ("a", tuple(one), "import_profile")
    three = [*one, Problem("b", "x"), Problem("c", "y")]
    with pytest.raises(InvalidInput) as err:
        raise_or_warn("task_status", three, [Problem("w", "z")])
    assert str(err.value) == "task_status: a is required (and 2 more problem(s); see .problems)"
    assert err.value.problems == tuple(three)
    raise_or_warn("task_status", [], [])


def test_two_refusals_mention_the_one_more() -> None:
    with pytest.raises(InvalidInput) as err:
        raise_or_warn("import_profile", [Problem("a", "x"), Problem("b", "y")], [])
    assert str(err.value) == "import_profile: a x (and 1 more problem(s); see .problems)"


def test_validate_takes_a_model_and_names_the_operation() -> None:

    validate("task_status", TaskStatusRequest(task_id="t"))
    with pytest.raises(InvalidInput) as err:
        validate("task_status", {"task_id": 5})
    assert str(err.value) == "task_status: task_id must be of type string, not integer"
    assert err.value.operation == "task_status"


def test_an_assumed_rule_is_logged_and_warned(caplog: pytest.LogCaptureFixture) -> None:
    text = "import_profile: email is required (a rule openapi.yaml only assumes; not refused)"
    with caplog.at_level(logging.INFO, logger="altcraft"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raise_or_warn("import_profile", [], [Problem("email", "is required"), Problem("phone", "is required")])
        validate("import_profile", {"db_id": 1, "data": {"email": "a"}})
    assert [r.getMessage() for r in caplog.records] == [text, text.replace("email is", "phone is"), text]
    assert [(str(w.message), w.category) for w in caught] == [
        (text, AssumptionWarning),
        (text.replace("email is", "phone is"), AssumptionWarning),
        (text, AssumptionWarning),
    ]


def test_the_warning_of_an_assumed_rule_points_at_the_callers_line() -> None:
    """Deselected in mutation runs (scripts/mutation.py): mutmut's trampolines add frames inside the package."""
    with (
        sync_client(answer(200, IMPORTED)) as c,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        raise_or_warn("import_profile", [], [Problem("email", "is required")])
        validate("import_profile", {"db_id": 1, "data": {"email": "a"}})
        c.import_profile({"db_id": 1, "data": {"email": "a"}})
    assert [w.filename for w in caught] == [__file__] * 3


# -- search keys ---------------------------------------------------------------------------------------------


@pytest.fixture
def two_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """A matching mode whose items may carry either of two keys (no mode of the spec has two yet)."""
    rules = {
        **_validate._SEARCH_KEYS,
        "email": {"item": ["email", "phones"], "root": ["email", "phone"]},
        "profile_id": {"item": ["profile_id", "email"], "x-assumption": "two keys"},
    }
    monkeypatch.setattr(_validate, "_SEARCH_KEYS", rules)


@pytest.mark.usefixtures("two_keys")
def test_an_item_with_neither_of_two_keys_needs_one_of_them() -> None:
    body = {"trigger_id": 1, "data": [{"data": {"phones": "1"}}, {"data": {"_fname": "x"}}, {"data": {"email": ""}}]}
    refusals, warned = check("import_and_start_batch", body)
    need = "needs one of email, phones with matching 'email': the item's search key (or email or phone at the root)"
    assert [tuple(p) for p in refusals] == [("data[1].data", need), ("data[2].data", need)]
    assert warned == []
    assert check("import_and_start_batch", {**body, "phone": "+1"}) == ([], [])
    assumed = {**body, "matching": "profile_id"}
    refusals, warned = check("import_and_start_batch", assumed)
    need = "needs one of profile_id, email with matching 'profile_id': the item's search key"
    assert refusals == [] and [tuple(p) for p in warned] == [(f"data[{i}].data", need) for i in range(3)]


def test_a_search_key_at_the_root_or_no_rule_needs_none_in_the_items() -> None:
    items = [{"data": {"_fname": "x"}}]
    for extra in (
        {"email": "a@b.c"},
        {"matching": "custom", "field_name": "CRM", "field_value": "7"},
        {"matching": 5},
        {"custom_request": {"a": 1}},
    ):
        assert _validate._search_key_problems({"trigger_id": 1, "data": items, **extra}) == ([], []), extra
    assert _validate._search_key_rule({"data": items, "matching": "custom", "field_name": ""}) is None
    assert _validate._search_key_rule({"data": "x"}) is None
    assert _validate._search_key_rule({"data": items, "custom_request": None}) is not None
    found = _validate._search_key_rule({"data": items, "matching": "custom", "custom_request": {}, "field_name": "F"})
    assert found is not None and found[0] == "custom" and found[2] == ("F",)


def test_a_mode_with_a_root_key_only_needs_nothing_in_the_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_validate, "_SEARCH_KEYS", {**_validate._SEARCH_KEYS, "email_profile": {"root": ["email"]}})
    body = {"trigger_id": 1, "matching": "email_profile", "data": [{"data": {"_fname": "x"}}]}
    assert _validate._search_key_rule(body) is None
    assert check("import_and_start_batch", body) == ([], [])


def test_the_search_key_rule_of_an_unknown_or_unhashable_mode_is_none() -> None:
    items: list[Any] = [{"data": {}}]
    assert _validate._search_key_rule({"matching": ["email"], "data": items}) is None
    assert _validate._search_key_rule({"matching": "no_such_mode", "data": items}) is None
    assert _validate._search_key_rule({"data": items, "email": ""}) == (
        "email",
        _validate._SEARCH_KEYS["email"],
        ("email", "subscriptions[].email"),
    )


def test_the_search_key_schema_takes_any_of_the_candidates() -> None:
    empty: dict[str, Any] = {"not": {"enum": [None, "", [], {}]}}
    one = {"required": ["a"], "properties": {"a": empty}}
    two = {"required": ["b"], "properties": {"b": empty}}

    def wrap(data: Any) -> Any:
        return {"properties": {"data": {"items": {"properties": {"data": data}}}}}

    assert _validate._search_key_schema(("a",)) == wrap(one)
    assert _validate._search_key_schema(("a", "b")) == wrap({"anyOf": [one, two]})


def test_present_means_neither_null_nor_empty() -> None:
    assert [_validate._present(v) for v in (None, "", [], {}, "a", 0, [0], {"a": 1}, False)] == [
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        True,
        True,
    ]


# -- the schema preparation and the problem reports, called directly -----------------------------------------
# The schema preparation runs once, at import, and the validators are cached: a test through check() cannot
# reach these helpers once the caches are warm, so they are called here directly on small schemas.


PROBLEMS: list[tuple[dict[str, Any], object, str, str]] = [
    ({"type": "integer"}, "x", "body", "must be of type integer, not string"),
    ({"type": ["integer", "string"]}, None, "body", "must be of type integer or string, not null"),
    ({"enum": ["a", "b"]}, "c", "body", "must be one of a, b"),
    ({"const": "a"}, "b", "body", "must be 'a'"),
    ({"minItems": 2}, [1], "body", "must have at least 2 item(s)"),
    ({"minLength": 1}, "", "body", "must not be empty"),
    ({"minLength": 3}, "ab", "body", "must be at least 3 characters"),
    ({"pattern": "^a"}, "b", "body", "'b' does not match ^a"),
    ({"minimum": 1}, 0, "body", "must be >= 1, not 0"),
    ({"maximum": 1}, 2, "body", "must be <= 1, not 2"),
    ({"exclusiveMinimum": 1}, 1, "body", "must be > 1, not 1"),
    ({"exclusiveMaximum": 1}, 1, "body", "must be < 1, not 1"),
    ({"additionalProperties": False, "properties": {"a": {}}}, {"b": 1, "c": 2}, "body", "unexpected properties: b, c"),
    ({"required": ["a"]}, {}, "a", "is required"),
    ({"maxLength": 1}, "ab", "body", '"ab" is longer than 1 character'),
    (
        {"properties": {"x": {"items": {"type": "integer"}}}},
        {"x": [1, "a"]},
        "x[1]",
        "must be of type integer, not string",
    ),
]


@pytest.mark.parametrize(("schema", "value", "field", "message"), PROBLEMS)
def test_schema_errors_become_a_field_and_a_short_message(
    schema: dict[str, Any], value: object, field: str, message: str
) -> None:
    error = next(jsonschema_rs.Draft202012Validator(schema).iter_errors(value))
    assert _problem(error) == Problem(field, message)
    inner = "data[3]" if field == "body" else f"data[3].{field}"
    assert _problem(error, ["data", 3]) == Problem(inner, message)


class Type:
    """A Type error kind without a types list (jsonschema-rs always gives one; _problem copes anyway)."""


def test_a_type_error_without_types_says_what_the_value_must_not_be() -> None:
    error = SimpleNamespace(kind=Type(), instance_path=["a", 1], instance=5, message="m")
    assert _validate._problem(error) == Problem("a[1]", "must not be of type integer")
    error.instance_path = []
    error.instance = "s"
    assert _validate._problem(error) == Problem("body", "must not be of type string")


JSON_TYPES: list[tuple[object, str]] = [(None, "null"), (True, "boolean"), (1, "integer"), (1.5, "number")]


JSON_TYPES += [("s", "string"), ([], "array"), ((1,), "array"), ({}, "object"), (b"x", "bytes")]


@pytest.mark.parametrize(("value", "expected"), JSON_TYPES)
def test_a_value_is_named_by_its_json_type(value: object, expected: str) -> None:
    assert _json_type(value) == expected


def test_long_values_are_shortened_to_60_characters() -> None:
    assert _shown("a" * 58) == "'" + "a" * 58 + "'"  # 60 with the quotes: shown whole
    long = _shown("a" * 59)
    assert long == "'" + "a" * 56 + "..."
    assert len(long) == 60


def test_field_paths_are_written_with_dots_and_indexes() -> None:
    assert _path(["data", 3, "data", "email"]) == "data[3].data.email"
    assert _path([]) == ""
    assert _join("", "email") == "email"
    assert _join("data[0]", "email") == "data[0].email"


def test_assumed_subschemas_are_made_binding() -> None:
    node = {
        "type": "object",
        "required": ["b"],
        "x-assumed": {"required": ["a", "b"]},
        "allOf": [{"minProperties": 1}],
        "properties": {
            "p": {"type": "integer", "x-assumed": {"minimum": 1}},
            "q": [{"x-assumed": {"const": 2}}],
            "r": {"type": "string", "x-assumed": {"type": "string", "minLength": 1}},
            "s": {"x-assumed": {"properties": {"t": {"type": "string"}}}},
        },
    }
    # A keyword that judges the value alone, absent from the schema, is checked in place; ``required`` is
    # joined to the schema's own. A keyword the schema already has, or one whose verdict depends on its
    # siblings (``properties`` beside ``additionalProperties``), is an allOf member.
    assert _promote_assumed(node) == {
        "type": "object",
        "required": ["b", "a"],
        "allOf": [{"minProperties": 1}],
        "properties": {
            "p": {"type": "integer", "minimum": 1},
            "q": [{"const": 2}],
            "r": {"type": "string", "allOf": [{"type": "string", "minLength": 1}]},
            "s": {"allOf": [{"properties": {"t": {"type": "string"}}}]},
        },
    }
    # the assumed subschema joins as one more allOf member: its keywords bind beside the node's own
    both = {"required": ["a"], "minimum": 0, "x-assumed": {"required": ["a", "b"], "minimum": 1}}
    assert _promote_assumed(both) == {
        "required": ["a"],
        "minimum": 0,
        "allOf": [{"required": ["a", "b"], "minimum": 1}],
    }
    assert _promote_assumed(3) == 3


def test_assumed_keywords_the_node_has_join_its_all_of() -> None:
    node = {"allOf": [{"minimum": 1}], "minimum": 0, "required": ["b"]}
    node["x-assumed"] = {"minimum": 2, "required": ["a", "b"], "maximum": 3}
    assert _validate._promote_assumed(node) == {
        "allOf": [{"minimum": 1}, {"minimum": 2, "required": ["a", "b"], "maximum": 3}],
        "minimum": 0,
        "required": ["b"],
    }


def test_has_assumed_looks_everywhere() -> None:
    assert _has_assumed({"x-assumed": {}})
    assert _has_assumed({"a": [1, {"b": {"x-assumed": 1}}]})
    assert _has_assumed([{"x-assumed": None}])
    assert not _has_assumed({"a": [1, {"b": "x-assumed"}], "c": "x-assumed"})
    assert not _has_assumed("x-assumed")


def _channel(value: str) -> dict[str, Any]:
    return {"required": ["channel"], "properties": {"channel": {"const": value}}}


OTHER_CHANNELS = {"properties": {"channel": {"not": {"enum": ["email", "sms"]}}}}


def test_a_oneof_whose_variants_exclude_one_another_is_checked_as_anyof() -> None:
    exclusive = [_channel("email"), _channel("sms"), OTHER_CHANNELS]
    overlapping = [{"type": "string"}, {"type": "integer"}]
    node = {"a": [{"oneOf": exclusive}], "b": {"oneOf": overlapping, "title": "t"}, "c": 1}
    assert _exclusive_any_of(node) == {"a": [{"anyOf": exclusive}], "b": {"oneOf": overlapping, "title": "t"}, "c": 1}
    assert exclusive_property(exclusive) == "channel"
    assert exclusive_property(overlapping) is None
    assert exclusive_property([_channel("email"), _channel("email")]) is None  # the same const twice
    assert exclusive_property([_channel("email"), OTHER_CHANNELS, OTHER_CHANNELS]) is None  # two catch-alls
    assert exclusive_property([_channel("push"), OTHER_CHANNELS]) is None  # the catch-all admits push
    assert exclusive_property([_channel("email"), {"properties": {"channel": {"type": "string"}}}]) is None


SCHEMAS = "#/components/schemas/"


def test_a_fault_that_fails_two_rules_alike_is_reported_once() -> None:
    refusals, _ = check("import_and_start_batch", with_subscription("x"))
    assert [(p.field, p.message) for p in refusals] == [(SUB, "must be of type object, not string")]
    refusals, _ = check("import_profile", {"db_id": 1, "email": "a@b.c", "data": {"subscriptions": ["x", 5]}})
    assert [(p.field, p.message) for p in refusals] == [
        ("data.subscriptions[0]", "must be of type object, not string"),
        ("data.subscriptions[1]", "must be of type object, not integer"),
    ]


def test_a_union_of_bare_types_accepts_each_type_and_nothing_else() -> None:
    # Subscription.status is "string or integer" (FieldValue too); the union is checked as the spec writes it.
    for status in ("subscribed", 1, "0002"):
        sub = {"channel": "email", "resource_id": 1, "email": "a", "status": status}
        assert check("import_and_start_batch", with_subscription(sub)) == ([], [])
    for status, kind in ((1.5, "number"), (None, "null"), (True, "boolean"), ([1], "array")):
        sub = {"channel": "email", "resource_id": 1, "email": "a", "status": status}
        refusals, _ = check("import_and_start_batch", with_subscription(sub))
        assert [(p.field, p.message) for p in refusals] == [
            (f"{SUB}.status", f"must be of type integer or string, not {kind}")
        ]


def test_the_part_every_subscription_variant_shares_is_checked_once() -> None:
    variants = _validate._SCHEMAS["Subscription"]["oneOf"]
    common = {"$ref": SCHEMAS + "SubscriptionCommon"}
    own = [[p for p in _schema.resolve(v, _validate._SCHEMAS)["allOf"] if p != common] for v in variants]
    assert all(len(parts) == 1 for parts in own)
    assert _validate._shared_parts(variants) == [common]
    assert _validate._exclusive_any_of({"oneOf": variants}) == {
        "allOf": [common],
        "anyOf": [{"allOf": parts} for parts in own],
    }
    extra = {"minProperties": 1}
    assert _validate._exclusive_any_of({"allOf": [extra], "oneOf": variants, "title": "S"}) == {
        "allOf": [extra, common],
        "anyOf": [{"allOf": parts} for parts in own],
        "title": "S",
    }
    assert _validate._CHECKED_SCHEMAS["Subscription"] == _validate._exclusive_any_of(_validate._SCHEMAS["Subscription"])


def test_shared_parts_are_refs_in_every_variant_of_allofs_only() -> None:
    email, sms = {"$ref": SCHEMAS + "EmailSubscription"}, {"$ref": SCHEMAS + "SmsSubscription"}
    assert _validate._shared_parts([]) == []
    assert _validate._shared_parts([email, sms]) == [{"$ref": SCHEMAS + "SubscriptionCommon"}]
    assert _validate._shared_parts([sms, email]) == [{"$ref": SCHEMAS + "SubscriptionCommon"}]
    titled = {"title": "T", "allOf": [{"$ref": SCHEMAS + "SubscriptionCommon"}, {"type": "object"}]}
    assert _validate._shared_parts([titled, email]) == [{"$ref": SCHEMAS + "SubscriptionCommon"}]
    inline = {"allOf": [{"type": "object"}]}
    assert _validate._shared_parts([inline, inline]) == []  # only $ref members are shared
    assert _validate._shared_parts([{"allOf": [], "type": "object"}, email]) == []
    assert _validate._shared_parts([{"allOf": [{"$ref": SCHEMAS + "PhoneData"}]}, email]) == []


def test_exclusive_property_looks_in_all_of_parts_and_tries_every_candidate() -> None:
    def const(prop: str, value: str, *extra: str) -> dict[str, Any]:
        props = {prop: {"const": value}, **{e: {} for e in extra}}
        return {"allOf": [{"properties": props, "required": [prop]}]}

    # "a" sorts first and is not exclusive (the same const twice); "b" is.
    variants = [const("b", "1", "a"), const("b", "2", "a")]
    variants[0]["allOf"].append({"properties": {"a": {"const": "z"}}, "required": ["a"]})
    variants[1]["allOf"].append({"properties": {"a": {"const": "z"}}, "required": ["a"]})
    assert _validate.exclusive_property(variants) == "b"
    assert _validate.exclusive_property([]) is None
    multi = {"properties": {"c": {"enum": ["x", "y"]}}, "required": ["c"]}
    assert _validate.exclusive_property([const("c", "x"), multi]) is None
    first_plain = [{"properties": {"d": {"const": "1"}}, "required": ["d"]}, const("d", "2")]
    assert _validate.exclusive_property(first_plain) == "d"
    in_part = [
        {"allOf": [{"type": "object"}, {"properties": {"e": {"const": "1"}}, "required": ["e"]}]},
        const("e", "2"),
    ]
    assert _validate.exclusive_property(in_part) == "e"


def test_exclusive_property_of_one_variant_of_direct_properties_and_of_a_one_value_exclusion() -> None:
    tag = {"properties": {"c": {"const": "x"}}, "required": ["c"]}
    assert _validate.exclusive_property([tag]) == "c"
    direct = {**tag, "allOf": [{"properties": {"z": {}}}]}
    assert _validate.exclusive_property([direct, {"properties": {"c": {"const": "y"}}, "required": ["c"]}]) == "c"
    assert _validate.exclusive_property([tag, {"properties": {"c": {"not": {"enum": ["x"]}}}}]) == "c"


def test_admits_by_consts_or_by_exclusion() -> None:
    absent = _validate._ABSENT
    assert _validate._admits(None, "x") and _validate._admits(None, absent)
    const = (frozenset({"email"}), False)
    assert [_validate._admits(const, v) for v in ("email", "sms", absent)] == [True, False, False]
    others = (frozenset({"email"}), True)
    assert [_validate._admits(others, v) for v in ("email", "sms", absent)] == [False, True, True]


def test_tags_read_consts_from_required_properties_and_exclusions() -> None:
    assert _validate._tags({"properties": {"c": {"const": "x"}}, "required": ["c"]}, "c") == (frozenset({"x"}), False)
    assert _validate._tags({"properties": {"c": {"const": "x"}}}, "c") is None  # not required: any value
    assert _validate._tags({"allOf": [True, {"properties": {"c": {"not": {"enum": ["x"]}}}}]}, "c") == (
        frozenset({"x"}),
        True,
    )


def test_top_level_properties_follow_refs_combinators_and_conditionals() -> None:
    schemas = {
        "Base": {"properties": {"token": {}, "format": {}}},
        "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}], "properties": {"loop": {}}},
    }
    node = {
        "allOf": [{"$ref": "#/components/schemas/Base"}, {"$ref": "#/components/schemas/Loop"}],
        "anyOf": [{"properties": {"email": {}}}],
        "oneOf": [{"properties": {"phone": {}}}],
        "then": {"properties": {"field_name": {}}},
        "else": {"properties": {"profile_id": {}}},
        "properties": {"data": {"properties": {"nested": {}}}},
    }
    assert _properties(node, schemas, set()) == {
        "token", "format", "loop", "email", "phone", "field_name", "profile_id", "data",
    }  # fmt: skip
    assert _properties(5, schemas, set()) == set()


def test_known_parameters_come_from_properties_combinators_and_conditionals() -> None:
    schemas: dict[str, Any] = {"T": {"properties": {"t": {}}}, "E": {"properties": {"e": {}}}}
    node = {
        "properties": {"p": {}},
        "anyOf": [{"required": ["p"]}, {"properties": {"q": {}}}],
        "if": {"properties": {"i": {}}},
        "then": {"$ref": SCHEMAS + "T"},
        "else": {"$ref": SCHEMAS + "E"},
    }
    assert _validate._properties(node, schemas, set()) == {"p", "q", "t", "e"}
    assert _validate._properties({"required": ["x"]}, schemas, set()) == set()


def test_resolve_follows_pointers_with_indexes_and_escapes() -> None:
    schemas = {"S": {"oneOf": [{"a": 1}, {"$ref": SCHEMAS + "a~1b"}]}, "a~b": {}, "a/b": {"c": 3}}
    assert _schema.resolve({"$ref": SCHEMAS + "S/oneOf/1"}, schemas) == {"c": 3}
    assert _schema.resolve({"$ref": SCHEMAS + "S/oneOf/0"}, schemas) == {"a": 1}
    assert _schema.resolve([1], schemas) == [1]


def test_schema_at_walks_maps_and_lists_by_string_parts() -> None:
    root = {"a": [{"b": 1}, {"b": 2}]}
    assert _validate._schema_at(["a", "1", "b"], root) == 2
    assert _validate._schema_at(["a", 0], root) == {"b": 1}


def test_a_request_schema_is_referred_to_by_name() -> None:
    assert _validate._request("X") == SCHEMAS + "X"


def test_a_union_under_a_property_whose_name_needs_escaping_is_narrowed(monkeypatch: pytest.MonkeyPatch) -> None:
    union = {"anyOf": [{"type": "string", "minLength": 2}, {"type": "integer", "minimum": 5}]}
    schemas = {**_validate._CHECKED_SCHEMAS, "KillsEscapes": {"type": "object", "properties": {"x/y~z": union}}}
    monkeypatch.setattr(_validate, "_CHECKED_SCHEMAS", schemas)
    problems = _validate._schema_problems("KillsEscapes", {"x/y~z": 3}, assumed=False)
    assert problems == [Problem("x/y~z", "must be of type string, not integer")]


def test_a_failed_one_of_is_narrowed_too_and_each_variant_reports_at_most_a_thousand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one_of = {"oneOf": [{"type": "string", "minLength": 2}, {"type": "integer", "minimum": 5}]}
    many = {"anyOf": [{"items": {"type": "string"}}, {"items": {"type": "integer"}, "minItems": 5000}]}
    schemas = {
        **_validate._CHECKED_SCHEMAS,
        "KillsOneOf": {"type": "object", "properties": {"o": one_of, "m": many}},
    }
    monkeypatch.setattr(_validate, "_CHECKED_SCHEMAS", schemas)
    assert _validate._schema_problems("KillsOneOf", {"o": 3}, assumed=False) == [
        Problem("o", "must be of type string, not integer")
    ]
    problems = _validate._schema_problems("KillsOneOf", {"m": [1.5] * 1002}, assumed=False)
    assert len(problems) == 1000
    assert problems[0] == Problem("m[0]", "must be of type string, not number")


def test_a_failed_union_is_reported_at_its_path_beside_other_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    alternatives = {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}
    schemas = {
        **_validate._CHECKED_SCHEMAS,
        "KillsUnions": {
            "type": "object",
            "properties": {
                "n": {"properties": {"q": alternatives}},
                "one": {"anyOf": [{"required": ["a"]}]},
                "k~1": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "z": {"type": "string"},
            },
        },
    }
    monkeypatch.setattr(_validate, "_CHECKED_SCHEMAS", schemas)
    problems = _validate._schema_problems

    assert problems("KillsUnions", {"n": {"q": {}}}, assumed=False) == [Problem("n.q.a", "is required (a or b)")]
    assert problems("KillsUnions", {"one": {}}, assumed=False) == [Problem("one.a", "is required")]
    assert problems("KillsUnions", {"k~1": 1.5}, assumed=False) == [
        Problem("k~1", "must be of type string, not number")
    ]
    both = problems("KillsUnions", {"n": {"q": {}}, "z": 1}, assumed=False)
    assert sorted(both) == [
        Problem("n.q.a", "is required (a or b)"),
        Problem("z", "must be of type string, not integer"),
    ]


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [
        ("", "abc", 3),
        ("abc", "", 3),
        ("abc", "abc", 0),
        ("abc", "xyz", 3),
        ("_fnmae", "_fname", 1),  # two neighbours swapped: one edit
        ("abcd", "badc", 2),
        ("kitten", "sitting", 3),
        ("phone", "phones", 1),
    ],
)
def test_the_distance_of_a_likely_typo_counts_each_edit_once(a: str, b: str, edits: int) -> None:
    assert _validate._edits(a, b) == edits


def test_a_subscription_that_is_no_object_gives_no_search_key() -> None:
    body = {"trigger_id": 1, "matching": "email", "data": [{"data": {"subscriptions": ["a@example.com"]}}]}
    refusals, _ = check("import_and_start_batch", body)
    assert any(p.field == "data[0].data" and "search key" in p.message for p in refusals), refusals
