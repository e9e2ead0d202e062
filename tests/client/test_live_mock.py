"""Integration against altcraft-mock as a real process: the overlay (JSON and XML, sync and async), every
generated function (sync, asyncio, *_detailed), and every doc request example end to end."""

from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest
from altcraft import Altcraft, AsyncAltcraft, NotFound
from altcraft_api import models
from altcraft_api.client import AuthenticatedClient, Client
from altcraft_api.types import Unset
from altcraft_mock import MockProcess

from ..conftest import TOKEN
from ..doc_examples import JSON_REQUESTS, XML_REQUESTS

MODULES = {
    "import_profile": "altcraft_api.api.profiles.import_profile",
    "import_and_start_batch": "altcraft_api.api.triggers.import_and_start_batch",
    "import_and_start_batch_task": "altcraft_api.api.triggers.import_and_start_batch_task",
    "workflow_import_and_start_batch_task": "altcraft_api.api.workflows.workflow_import_and_start_batch_task",
    "task_status": "altcraft_api.api.tasks.task_status",
}
SUCCESS = {
    "import_profile": models.ProfileImported,
    "import_and_start_batch": models.BatchResult,
    "import_and_start_batch_task": models.TaskAccepted,
    "workflow_import_and_start_batch_task": models.TaskAccepted,
    "task_status": models.TaskStatus,
}
REQUEST = {
    "import_profile": models.ImportProfileRequest,
    "import_and_start_batch": models.ImportAndStartBatchRequest,
    "import_and_start_batch_task": models.ImportAndStartBatchTaskRequest,
    "workflow_import_and_start_batch_task": models.WorkflowImportAndStartBatchTaskRequest,
    "task_status": models.TaskStatusRequest,
}
PROFILE = {"db_id": 1, "email": "live@example.com", "data": {"email": "live@example.com", "_fname": "Live"}}
BATCH = {
    "trigger_id": 96,
    "data": [
        {"data": {"email": "l1@example.com", "phones": ["+79000000001"]}, "custom_data": {"k": "v"}},
        {
            "data": {
                "email": "l2@example.com",
                "subscriptions": [{"channel": "email", "email": "l2@example.com", "resource_id": 21}],
            }
        },
    ],
}
WORKFLOW = {"workflow_id": 233, "matching": "custom", "field_name": "N", "data": [{"data": {"N": "1"}}]}


def _ids(result: Any) -> list[str]:
    return [r.profile_id for r in result]


@pytest.fixture(scope="module")
def mock() -> Any:
    with MockProcess(task_seconds=0.3, seed=11) as process:
        yield process


def test_every_operation_json_and_xml_give_the_same_models(mock: MockProcess) -> None:
    results: dict[str, dict[str, Any]] = {}
    for fmt in ("json", "xml"):
        with Altcraft(mock.url, TOKEN, format=fmt) as client:  # type: ignore[arg-type]
            out: dict[str, Any] = {}
            out["import_profile"] = client.import_profile(PROFILE)
            out["import_and_start_batch"] = client.import_and_start_batch(BATCH)
            task = client.import_and_start_batch_task({**BATCH, "trigger_id": 13})
            out["task"] = task.wait(timeout=30, poll_interval=0.1)
            workflow = client.workflow_import_and_start_batch_task(WORKFLOW)
            out["workflow"] = workflow.wait(timeout=30, poll_interval=0.1)
            out["status"] = client.task_status(task.task_id)
            with pytest.raises(NotFound):
                client.task_status("no-such-task")
            results[fmt] = out
    assert results["json"] == results["xml"]
    assert isinstance(results["xml"]["import_profile"], models.ProfileImported)
    assert results["xml"]["task"].data.status == "completed"
    assert len(_ids(results["xml"]["import_and_start_batch"].result)) == 2


async def test_async_overlay_json_and_xml(mock: MockProcess) -> None:
    for fmt in ("json", "xml"):
        async with AsyncAltcraft(mock.url, TOKEN, format=fmt, auth="bearer") as client:  # type: ignore[arg-type]
            assert (await client.import_profile(PROFILE)).error == 0
            task = await client.workflow_import_and_start_batch_task(WORKFLOW)
            status = await task.wait(timeout=30, poll_interval=0.1)
            assert status.data.status == "completed"


def _call(op: str, kind: str, client: Client | AuthenticatedClient, body: Any) -> Any:
    module = importlib.import_module(MODULES[op])
    return getattr(module, kind)(client=client, body=body)


@pytest.mark.parametrize("op", sorted(MODULES))
def test_generated_functions_sync_and_detailed(mock: MockProcess, op: str) -> None:
    body = _generated_body(mock, op)
    for client in (Client(base_url=mock.url), AuthenticatedClient(base_url=mock.url, token=TOKEN)):
        with client:
            parsed = _call(op, "sync", client, body)
            assert isinstance(parsed, SUCCESS[op]), parsed
            detailed = _call(op, "sync_detailed", client, body)
            assert detailed.status_code == 200 and isinstance(detailed.parsed, SUCCESS[op])
            assert detailed.content.startswith(b"{")


@pytest.mark.parametrize("op", sorted(MODULES))
async def test_generated_functions_asyncio_and_detailed(mock: MockProcess, op: str) -> None:
    body = _generated_body(mock, op)
    async with Client(base_url=mock.url) as client:
        module = importlib.import_module(MODULES[op])
        parsed = await module.asyncio(client=client, body=body)
        assert isinstance(parsed, SUCCESS[op]), parsed
        detailed = await module.asyncio_detailed(client=client, body=body)
        assert detailed.status_code == 200 and isinstance(detailed.parsed, SUCCESS[op])


def test_generated_functions_parse_error_envelopes(mock: MockProcess) -> None:
    module = importlib.import_module(MODULES["import_profile"])
    with Client(base_url=mock.url) as client:
        bad_token = models.ImportProfileRequest.from_dict({**PROFILE, "token": "wrong"})
        detailed = module.sync_detailed(client=client, body=bad_token)
        assert detailed.status_code == 401 and isinstance(detailed.parsed, models.ErrorResponse)
        unknown_db = models.ImportProfileRequest.from_dict({**PROFILE, "token": TOKEN, "db_id": 99})
        parsed = module.sync(client=client, body=unknown_db)
        assert isinstance(parsed, models.ErrorResponse) and parsed.error == 404


def _generated_body(mock: MockProcess, op: str) -> Any:
    plain: dict[str, Any]
    if op == "task_status":
        with Altcraft(mock.url, TOKEN) as client:
            plain = {"task_id": client.import_and_start_batch_task(BATCH | {"trigger_id": 13}).task_id}
    elif op == "workflow_import_and_start_batch_task":
        plain = copy.deepcopy(WORKFLOW)
    elif op == "import_profile":
        plain = copy.deepcopy(PROFILE)
    else:
        plain = copy.deepcopy(BATCH)
    return REQUEST[op].from_dict({**plain, "token": TOKEN})


# -- the doc examples end to end -------------------------------------------------------------------------


def _real_task_id(mock: MockProcess) -> str:
    with Altcraft(mock.url, TOKEN) as client:
        return client.import_and_start_batch_task({"trigger_id": 13, "data": [{"data": {"email": "t@x.io"}}]}).task_id


@pytest.mark.parametrize(("op", "name", "value"), JSON_REQUESTS, ids=[f"{o}:{n}" for o, n, _ in JSON_REQUESTS])
def test_doc_json_example_through_the_generated_client(mock: MockProcess, op: str, name: str, value: Any) -> None:
    value = copy.deepcopy(value)
    if op == "task_status":
        value["task_id"] = _real_task_id(mock)
    body = REQUEST[op].from_dict(value)
    with Client(base_url=mock.url) as client:
        detailed = _call(op, "sync_detailed", client, body)
    assert detailed.status_code == 200
    assert isinstance(detailed.parsed, SUCCESS[op]), detailed.content
    if op == "import_and_start_batch":
        assert len(detailed.parsed.result) == len(value["data"])


XML_BY_OP = sorted({op for op, _, _ in XML_REQUESTS})


@pytest.mark.parametrize(("op", "name", "value"), JSON_REQUESTS, ids=[f"{o}:{n}" for o, n, _ in JSON_REQUESTS])
def test_doc_example_through_the_overlay_in_xml(mock: MockProcess, op: str, name: str, value: Any) -> None:
    value = {k: v for k, v in copy.deepcopy(value).items() if k not in ("token", "format")}
    with Altcraft(mock.url, TOKEN, format="xml") as client:
        result = client.task_status(_real_task_id(mock)) if op == "task_status" else client.request(op, value)
    assert isinstance(result, SUCCESS[op])
    assert result.error == 0
    if op == "import_profile":
        assert len(result.profile_id) == 24
    if isinstance(getattr(result, "result", None), list):
        assert len(result.result) == len(value["data"])
    if op == "task_status":
        assert not isinstance(result.data, Unset)
