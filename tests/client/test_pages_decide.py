"""The client refuses only what the pages state, warns about what the spec assumes, and sends exactly what the
caller set: the six cases of the audit, the profile-field typos, and the typed request bodies."""

from __future__ import annotations

import inspect
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, get_args

import httpx
import orjson
import pytest
from altcraft import Altcraft, AssumptionWarning, InvalidInput, Operation, validate
from altcraft._validate import check
from altcraft._xml import decode_request, encode_request
from altcraft_api import models
from altcraft_api.spec_data import SPEC_DATA

from ..conftest import BASE, TOKEN
from ..spec_tools import ROOT, operations

TASK = "import_and_start_batch_task"


def fields(problems: list[Any]) -> list[str]:
    return [p.field for p in problems]


# -- case 1: matching by email finds the profile by its subscriptions' email too ---------------------------


@pytest.mark.parametrize("matching", [None, "email"])
def test_an_item_whose_email_is_only_in_a_subscription_is_accepted(matching: str | None) -> None:
    item = {"data": {"subscriptions": [{"channel": "email", "resource_id": 1, "email": "a@example.com"}]}}
    body: dict[str, Any] = {"trigger_id": 13, "data": [item]}
    if matching:
        body["matching"] = matching
    refusals, _ = check(TASK, body)
    assert refusals == []


def test_email_profile_matching_still_needs_the_profile_email() -> None:
    item = {"data": {"subscriptions": [{"channel": "email", "resource_id": 1, "email": "a@example.com"}]}}
    refusals, _ = check(TASK, {"trigger_id": 13, "matching": "email_profile", "data": [item]})
    assert fields(refusals) == ["data[0].data.email"]
    no_email = {"data": {"subscriptions": [{"channel": "sms", "resource_id": 1, "phone": "+70000000000"}]}}
    refusals, _ = check(TASK, {"trigger_id": 13, "data": [no_email]})
    assert fields(refusals) == ["data[0].data"]
    assert "needs one of email, subscriptions[].email" in refusals[0].message


# -- case 2: field_value is Any on the workflow page ------------------------------------------------------


def test_field_value_may_be_anything_on_the_workflow_operation_only() -> None:
    body = {"workflow_id": 2, "matching": "custom", "field_name": "tags", "field_value": ["a", "b"], "data": []}
    refusals, _ = check("workflow_import_and_start_batch_task", body)
    assert refusals == []
    trigger = {**body, "trigger_id": 13}
    del trigger["workflow_id"]
    refusals, _ = check(TASK, trigger)
    assert fields(refusals) == ["field_value"]


# -- case 3: a type only an example shows is an assumption: warned, not refused ----------------------------


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"email": "a@example.com", "phones": 79000000000}, "data[0].data.phones"),
        ({"email": "a@example.com", "_sex": "female"}, "data[0].data._sex"),
        ({"email": "a@example.com", "_fname": 7}, "data[0].data._fname"),
    ],
)
def test_a_profile_field_typed_only_by_an_example_is_warned_about(profile: dict[str, Any], field: str) -> None:
    refusals, warned = check(TASK, {"trigger_id": 13, "data": [{"data": profile}]})
    assert refusals == []
    assert field in fields(warned)


def test_example_only_types_of_nested_fields_are_warnings() -> None:
    sub = {"channel": "telegram_bot", "resource_id": 1, "cc_data": {"id": "12345"}, "cats": [1, 2]}
    body = {"trigger_id": 13, "timeout": {"days": "1"}, "data": [{"data": {"email": "a@b.c", "subscriptions": [sub]}}]}
    refusals, warned = check(TASK, body)
    assert refusals == []
    assert {"timeout.days", "data[0].data.subscriptions[0].cc_data.id"} <= set(fields(warned))
    # cats is typed "array" in the subscriptions table (ru_v74_profiles_import.txt l.158): a string is refused.
    sub["cats"] = "category_1"
    refusals, _ = check(TASK, body)
    assert fields(refusals) == ["data[0].data.subscriptions[0].cats"]


# -- case 4: a name another operation's page documents is sent, with a warning naming that page -------------


def test_a_parameter_of_a_sibling_operation_is_sent_with_a_warning_naming_its_page() -> None:
    body = {"trigger_id": 13, "data": [], "subscription_filter": {"email": "a@example.com"}}
    refusals, warned = check(TASK, body)
    assert refusals == []
    (problem,) = [p for p in warned if p.field == "subscription_filter"]
    assert "ru_v72_triggers_import_and_start_batch.txt" in problem.message
    assert "import_and_start_batch" in problem.message and "sent as written" in problem.message
    refusals, warned = check("workflow_import_and_start_batch_task", {"workflow_id": 1, "timeout": {"days": 1}})
    assert refusals == [] and "timeout" in fields(warned)


def test_a_name_no_page_documents_is_refused_by_policy_with_a_hint() -> None:
    refusals, _ = check(TASK, {"trigger_id": 13, "skip_trigers": True})
    (problem,) = refusals
    assert problem.field == "skip_trigers"
    assert "did you mean skip_triggers?" in problem.message
    assert "policy" in problem.message and "extra_body=" in problem.message


def test_the_sibling_parameter_really_goes_out() -> None:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(orjson.loads(request.content))
        return httpx.Response(200, json={"error": 0, "error_text": "", "task_id": "t-1"})

    body = {"trigger_id": 13, "data": [{"data": {"email": "a@b.c"}}], "subscription_filter": {"not_strict": True}}
    with (
        Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client,
        pytest.warns(AssumptionWarning, match="subscription_filter"),
    ):
        client.request(TASK, body)
    assert sent[0]["subscription_filter"] == {"not_strict": True}


# -- case 5: a request carries exactly what the caller set --------------------------------------------------


def _request_models() -> list[tuple[str, type[Any]]]:
    names = {op["request_schema"] for op in SPEC_DATA["operations"].values()}
    return [(name, getattr(models, name)) for name in sorted(names)]


def _minimal(schema_name: str) -> dict[str, Any]:
    return {
        "ImportProfileRequest": {"db_id": 1, "data": {"email": "a@example.com"}},
        "ImportAndStartBatchRequest": {"trigger_id": 13},
        "ImportAndStartBatchTaskRequest": {"trigger_id": 13},
        "WorkflowImportAndStartBatchTaskRequest": {"workflow_id": 2},
        "TaskStatusRequest": {"task_id": "t-1"},
    }[schema_name]


@pytest.mark.parametrize(("name", "model"), _request_models(), ids=[n for n, _ in _request_models()])
def test_a_model_sends_only_the_keys_the_caller_set(name: str, model: type[Any]) -> None:
    body = _minimal(name)
    assert model.from_dict(body).to_dict() == body
    # Each optional boolean left out stays out; one set to False is sent as False.
    optional_flags = [
        n
        for n in ("skip_triggers", "skip_invalid_subscriptions", "detect_geo")
        if n in inspect.signature(model).parameters
    ]
    for flag in optional_flags:
        assert model.from_dict({**body, flag: False}).to_dict() == {**body, flag: False}


def test_the_default_of_an_unset_flag_is_left_to_the_server() -> None:
    item = models.BatchItem.from_dict({"data": {"email": "a@example.com"}})
    body = models.ImportAndStartBatchRequest(trigger_id=1, data=[item])
    assert body.to_dict() == {"trigger_id": 1, "data": [{"data": {"email": "a@example.com"}}]}


# -- case 6: an XML value stays the string written where the schema allows a string ------------------------


def test_xml_keeps_a_string_value_as_written() -> None:
    xml = (
        "<xml><trigger_id>13</trigger_id><matching>custom</matching><field_name>CRM_ID</field_name>"
        "<field_value>0002</field_value></xml>"
    )
    body = decode_request(TASK, xml)
    assert body["field_value"] == "0002" and body["trigger_id"] == 13
    assert b"<field_value>0002</field_value>" in encode_request(TASK, body)


# -- profile-field typos -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "near"), [("phone", "phones"), ("_fnmae", "_fname"), ("emial", "email")])
def test_a_profile_key_near_a_documented_field_is_warned_about(key: str, near: str) -> None:
    items = [{"data": {"email": "a@b.c", key: "x"}} for _ in range(3)]
    refusals, warned = check(TASK, {"trigger_id": 13, "data": items})
    assert refusals == []
    (problem,) = [p for p in warned if p.field.endswith(key)]
    assert problem.field == f"data[0].data.{key}"
    assert f"did you mean {near}?" in problem.message and "2 more item(s)" in problem.message
    assert "sent as a custom field" in problem.message


def test_custom_fields_far_from_every_documented_name_are_not_warned_about() -> None:
    # The root email is there too: without it, the assumed per-mode rule of profiles/import warns (an x-assumed rule).
    body = {"db_id": 1, "email": "a@b.c", "data": {"email": "a@b.c", "CRM_ID": "7", "loyalty_level": 2}}
    assert check("import_profile", body) == ([], [])


def test_validate_warns_about_a_profile_typo() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validate("import_profile", {"db_id": 1, "data": {"email": "a@b.c", "_fnmae": "Ann"}})
    assert any("did you mean _fname?" in str(w.message) for w in caught)


# -- typed request bodies ----------------------------------------------------------------------------------


USER_FILE = """
from altcraft import Altcraft, validate
from altcraft_api.params import ImportAndStartBatchParams

body: ImportAndStartBatchParams = {"trigger_id": 1, "skip_trigers": True, "data": []}
with Altcraft("http://127.0.0.1:1", "abcdefghijklmnqrstuvwxyz") as client:
    client.import_and_start_batch({"trigger_id": 1, "skip_trigers": True, "data": []})
    answer = client.request("import_and_start_batch", {"trigger_id": 1})
    reveal_type(answer)
    handle = client.import_and_start_batch_task({"trigger_id": 1, "data": [{"data": {"email": "a@b.c"}}]})
validate("task_stats", {"task_id": "t"})
"""


def test_mypy_flags_a_typo_in_a_request_body_and_types_the_answer(tmp_path: Path) -> None:
    user = tmp_path / "user_code.py"
    user.write_text(USER_FILE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(user)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"MYPYPATH": f"{ROOT / 'generated'}:{ROOT / 'overlays'}", "PATH": "/usr/bin:/bin"},
        timeout=300,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 1, out
    assert 'Extra key "skip_trigers" for TypedDict "ImportAndStartBatchParams"' in out
    assert 'user_code.py:7: error: Argument 1 to "import_and_start_batch"' in out
    assert 'Revealed type is "altcraft_api.models.batch_result.BatchResult"' in out
    assert "user_code.py:10" not in out  # a correct body passes
    assert 'user_code.py:11: error: Argument 1 to "validate" has incompatible type "Literal[\'task_stats\']"' in out


def test_the_operation_type_names_every_operation_id_of_the_spec() -> None:
    assert set(get_args(Operation)) == set(SPEC_DATA["operations"]) == set(operations())


def test_refused_requests_are_not_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client, pytest.raises(InvalidInput):
        client.request(TASK, {"trigger_id": 13, "skip_trigers": True})
