"""The end-to-end proof of scripts/generate: altcraft-mock as a real process, one bulk import +
trigger task through the overlay (JSON, then XML), waited for, and its result printed."""

from __future__ import annotations

import sys

from altcraft import Altcraft
from altcraft_api.types import Unset
from altcraft_mock import DEFAULT_TOKEN, MockProcess


def main() -> int:
    batch = {
        "trigger_id": 13,
        "matching": "email",
        "data": [
            {"data": {"_fname": "John", "email": "profile4@example.com", "phones": "+79000000000"}},
            {
                "data": {
                    "_fname": "Tom",
                    "email": "profile3@example.com",
                    "subscriptions": [{"channel": "email", "email": "profile3@example.com", "resource_id": 1}],
                }
            },
        ],
        "timeout": {"days": 0, "hours": 0, "minutes": 5},
    }
    with MockProcess(task_seconds=1) as mock:
        print(f"altcraft-mock at {mock.url}")
        for fmt in ("json", "xml"):
            with Altcraft(mock.url, DEFAULT_TOKEN, format="xml" if fmt == "xml" else "json") as client:
                task = client.import_and_start_batch_task(batch)
                status = task.wait(timeout=30, poll_interval=0.2)
                result = status.data.result
                refs = [] if isinstance(result, Unset) or isinstance(result.result, Unset) else result.result
                ids = [ref.profile_id for ref in refs]
                print(f"{fmt}: task {task.task_id} {status.data.status} {status.data.progress}% profiles {ids}")
                if status.data.status != "completed" or len(ids) != 2:
                    print("end-to-end proof failed", file=sys.stderr)
                    return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
