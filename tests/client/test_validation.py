"""Requests against openapi.yaml before sending: jsonschema-rs, unknown parameters, batch search keys,
and rules the spec only assumes (warnings, never refusals)."""

from __future__ import annotations

import ast
import logging
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from altcraft import Altcraft, AssumptionWarning, InvalidInput, validate
from altcraft._validate import _ASSUMED_SCHEMAS, _SEARCH_KEYS, check, known_parameters
from altcraft_api.spec_data import SPEC_DATA

from ..conftest import BASE, TOKEN

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
    from altcraft_api.models import BatchItem, ImportAndStartBatchRequest, ProfileData

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
