"""altcraft-mock's /_mock/state: the full form, the summary (counts, launches per (target, profile) pair)
and paging; the compact store keeps matching exact, also when index hashes collide."""

from __future__ import annotations

import sys
from typing import Any

import httpx
import orjson
import pytest
from altcraft_mock import MockApp, transport
from altcraft_mock import _state as mock_state

from ..conftest import TOKEN, FakeClock
from ..doc_examples import PATHS

pytestmark = pytest.mark.timeout(60)


def call(app: MockApp, op: str, body: dict[str, Any]) -> dict[str, Any]:
    with httpx.Client(transport=transport(app), base_url="http://mock.test") as c:
        response = c.post(
            PATHS[op], content=orjson.dumps({"token": TOKEN, **body}), headers={"content-type": "application/json"}
        )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def get(app: MockApp, path: str = "/_mock/state", **params: Any) -> httpx.Response:
    with httpx.Client(transport=transport(app), base_url="http://mock.test") as c:
        return c.get(path, params=params)


def launch(app: MockApp, trigger: int, *emails: str, **extra: Any) -> list[str]:
    items = [{"data": {"email": e}} for e in emails]
    body = call(app, "import_and_start_batch", {"trigger_id": trigger, "data": items, **extra})
    assert body["error"] == 0, body
    return [r["profile_id"] for r in body["result"]]


def test_summary_counts_launches_pairs_and_repeats(app: MockApp, clock: FakeClock) -> None:
    a, b = launch(app, 8, "a@x.io", "b@x.io")
    assert launch(app, 8, "a@x.io") == [a]  # a launched twice by trigger 8
    assert launch(app, 13, "a@x.io", "a@x.io") == [a, a]  # twice by 13 in one request
    call(app, "workflow_import_and_start_batch_task", {"workflow_id": 2, "data": [{"data": {"email": "c@x.io"}}]})
    clock.sleep(10)
    for response in (get(app, summary=1), get(app, "/_mock/state/summary")):
        assert response.status_code == 200
        summary = response.json()
        assert summary["profiles"] == 3 and summary["triggers"] == [8, 13, 85, 96, 455]
        launches = summary["trigger_launches"]
        assert (launches["launches"], launches["distinct_pairs"], launches["repeated_pairs"]) == (5, 3, 2)
        assert launches["by_target"] == {
            "8": {"launches": 3, "distinct_pairs": 2, "repeated_pairs": 1},
            "13": {"launches": 2, "distinct_pairs": 1, "repeated_pairs": 1},
        }
        entries = summary["workflow_entries"]
        assert (entries["launches"], entries["distinct_pairs"], entries["repeated_pairs"]) == (1, 1, 0)
        assert summary["tasks"] == {"total": 1, "completed": 1}
    assert b in {p["profile_id"] for p in get(app).json()["profiles"]}


def test_empty_summary(app: MockApp) -> None:
    summary = get(app, summary=1).json()
    assert summary["profiles"] == 0 and summary["tasks"] == {"total": 0}
    assert summary["trigger_launches"] == {"launches": 0, "distinct_pairs": 0, "repeated_pairs": 0, "by_target": {}}


def test_pages_of_profiles_follow_the_full_form(app: MockApp) -> None:
    ids = launch(app, 8, *(f"p{i}@x.io" for i in range(25)))
    full = get(app).json()["profiles"]
    assert [p["profile_id"] for p in full] == ids
    pages = [get(app, section="profiles", offset=o, limit=10).json() for o in (0, 10, 20, 30)]
    assert [len(p["items"]) for p in pages] == [10, 10, 5, 0]
    assert all(p["total"] == 25 and p["section"] == "profiles" for p in pages)
    assert [item for p in pages for item in p["items"]] == full
    projected = get(app, section="profiles", offset=3, limit=2, fields="email,missing").json()["items"]
    assert projected == [[ids[3], "p3@x.io", None], [ids[4], "p4@x.io", None]]


def test_pages_of_launches_and_tasks(app: MockApp) -> None:
    ids = launch(app, 8, "a@x.io", "b@x.io", "c@x.io", custom_data={"k": 1})
    full = get(app).json()["trigger_launches"]
    page = get(app, section="trigger_launches", offset=1, limit=5).json()
    assert page["total"] == 3 and page["items"] == full[1:]
    assert full[0] == {
        "trigger_id": 8,
        "profile_id": ids[0],
        "operation": "import_and_start_batch",
        "custom_data": {"k": 1},
    }
    projected = get(app, section="trigger_launches", fields="profile_id,trigger_id").json()["items"]
    assert projected == [[pid, 8] for pid in ids]
    assert get(app, section="workflow_entries").json() == {
        "section": "workflow_entries",
        "total": 0,
        "offset": 0,
        "limit": 1000,
        "items": [],
    }
    task_id = call(app, "import_and_start_batch_task", {"trigger_id": 8, "data": [{"data": {"email": "t@x.io"}}]})[
        "task_id"
    ]
    tasks = get(app, section="tasks").json()
    assert tasks["total"] == 1 and tasks["items"][0]["task_id"] == task_id


@pytest.mark.parametrize(
    ("params", "debug"),
    [
        ({"section": "nope"}, "section: must be one of"),
        ({"section": "profiles", "offset": "-1"}, "offset: must be a whole number"),
        ({"section": "profiles", "limit": "0"}, "limit: must be between 1 and 100000"),
        ({"section": "profiles", "limit": "100001"}, "limit: must be between 1 and 100000"),
        ({"section": "profiles", "limit": "x"}, "limit: must be a whole number"),
        ({"bogus": "1"}, "unknown parameter(s): bogus"),
    ],
)
def test_bad_state_parameters_are_a_400_envelope(app: MockApp, params: dict[str, str], debug: str) -> None:
    response = get(app, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == 400 and body["error_text"] == "Invalid request" and body["error_debug"].startswith(debug)


def test_matching_follows_updates_of_emails_and_phones(app: MockApp) -> None:
    def imp(**body: Any) -> str:
        answer = call(app, "import_profile", {"db_id": 1, **body})
        assert answer["error"] == 0, answer
        pid: str = answer["profile_id"]
        return pid

    first = imp(email="old@x.io", data={"email": "old@x.io", "phones": ["+70000000001"]})
    assert imp(matching="profile_id", profile_id=first, data={"email": "new@x.io", "phones": ["+70000000002"]}) == first
    assert imp(email="new@x.io", data={}) == first
    assert imp(matching="phone", phone="+70000000002", data={}) == first
    assert imp(email="old@x.io", data={}) != first  # the old email no longer finds it
    assert imp(matching="phone", phone="+70000000001", data={}) != first


def test_custom_fields_are_indexed_when_first_matched_and_kept_up_to_date(app: MockApp) -> None:
    ids = launch(app, 8, "a@x.io", "b@x.io")
    call(app, "import_profile", {"db_id": 1, "email": "a@x.io", "data": {"crm": 7}})
    found = call(
        app, "import_profile", {"db_id": 1, "matching": "custom", "field_name": "crm", "field_value": "7", "data": {}}
    )
    assert found["profile_id"] == ids[0]
    call(app, "import_profile", {"db_id": 1, "email": "a@x.io", "data": {"crm": 8}})
    call(app, "import_profile", {"db_id": 1, "email": "b@x.io", "data": {"crm": 7}})
    again = call(
        app, "import_profile", {"db_id": 1, "matching": "custom", "field_name": "crm", "field_value": 7, "data": {}}
    )
    assert again["profile_id"] == ids[1]


def test_hash_collisions_never_match_the_wrong_profile(app: MockApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every index key hashes alike: each candidate is checked against its record."""
    monkeypatch.setattr(mock_state, "hash", lambda key: 0, raising=False)
    a = launch(app, 8, "a@x.io")[0]
    b = launch(app, 8, "b@x.io")[0]
    assert a != b
    assert launch(app, 8, "a@x.io", "b@x.io", "c@x.io")[:2] == [a, b]
    sub = {"channel": "email", "email": "s@x.io", "resource_id": 1}
    c = call(app, "import_profile", {"db_id": 1, "email": "d@x.io", "data": {"subscriptions": [sub]}})["profile_id"]
    prof = call(app, "import_profile", {"db_id": 1, "matching": "email_profile", "email": "s@x.io", "data": {}})
    assert prof["profile_id"] not in (a, b, c)  # a subscription's email is not a profile's
    found = call(app, "import_profile", {"db_id": 1, "matching": "email_sub", "email": "s@x.io", "data": {}})
    assert found["profile_id"] == c
    assert get(app, summary=1).json()["profiles"] == 5


def test_stored_profiles_are_compact_bytes(app: MockApp) -> None:
    launch(app, 8, "a@x.io")
    (packed,) = app.state.profiles.values()
    assert isinstance(packed, bytes) and orjson.loads(packed)["fields"] == {"email": "a@x.io"}
    assert sys.getsizeof(packed) < len(packed) + 64  # no over-allocated buffer kept alive
