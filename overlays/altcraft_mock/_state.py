"""The emulator's state: databases, resources, profiles, triggers, workflows, segments and tasks."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _constants as C

__all__ = ["ImportError_", "MockState", "Profile", "Task"]


class ImportError_(Exception):
    """An item or a request that cannot be imported; carries the envelope's code and text."""

    def __init__(self, code: int, text: str, debug: str = "") -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.debug = debug


@dataclass
class Profile:
    profile_id: str
    db_id: int
    fields: dict[str, Any] = field(default_factory=dict)
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    segments: set[int] = field(default_factory=set)

    def snapshot(self) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "db_id": self.db_id,
            "fields": self.fields,
            "subscriptions": self.subscriptions,
            "segments": sorted(self.segments),
        }


@dataclass
class Task:
    task_id: str
    operation: str
    created: float
    duration: float
    request: dict[str, Any]
    status: str = C.STATUS_QUEUED
    progress: int = 0
    result: dict[str, Any] | None = None

    def snapshot(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "operation": self.operation,
            "status": self.status,
            "progress": self.progress,
            "result": self.result,
        }


def _phones(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _norm(value: object) -> object:
    """Values compare as the server would store them: numbers and their text are the same value."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class MockState:
    """All mutable state of one emulator; ``advance()`` moves tasks on by the clock."""

    def __init__(self, *, task_seconds: float, seed: int | None, clock: Callable[[], float]) -> None:
        self.task_seconds = task_seconds
        self.clock = clock
        self.rng = random.Random(seed)  # noqa: S311 - ids and faults, not secrets
        self.reset()

    def reset(self) -> None:
        self.databases: set[int] = set(C.DEFAULT_DATABASES)
        self.resources: dict[int, int] = {r: C.DEFAULT_DATABASES[0] for r in C.DEFAULT_RESOURCES}
        self.triggers: dict[int, int] = {t: C.DEFAULT_DATABASES[0] for t in C.DEFAULT_TRIGGERS}
        self.workflows: dict[int, int] = {w: C.DEFAULT_DATABASES[0] for w in C.DEFAULT_WORKFLOWS}
        self.segments: dict[int, int] = {s: C.DEFAULT_DATABASES[0] for s in C.DEFAULT_SEGMENTS}
        self.profiles: dict[str, Profile] = {}
        self.trigger_launches: list[dict[str, Any]] = []
        self.workflow_entries: list[dict[str, Any]] = []
        self.tasks: dict[str, Task] = {}
        self._runners: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        # Indexes per database: email -> ids (profile and subscription emails), phone -> ids,
        # (field, value) -> ids for custom-field matching.
        self._by_email: dict[tuple[int, str], set[str]] = defaultdict(set)
        self._by_profile_email: dict[tuple[int, str], set[str]] = defaultdict(set)
        self._by_sub_email: dict[tuple[int, str], set[str]] = defaultdict(set)
        self._by_phone: dict[tuple[int, str], set[str]] = defaultdict(set)
        self._by_profile_phone: dict[tuple[int, str], set[str]] = defaultdict(set)
        self._by_sub_phone: dict[tuple[int, str], set[str]] = defaultdict(set)
        self._by_push: dict[tuple[int, str, str], set[str]] = defaultdict(set)
        self._by_field: dict[tuple[int, str, object], set[str]] = defaultdict(set)

    # ids ---------------------------------------------------------------------------------------
    def new_profile_id(self) -> str:
        while True:
            pid = f"{self.rng.getrandbits(96):024x}"
            if pid not in self.profiles:
                return pid

    def new_task_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # indexes -----------------------------------------------------------------------------------
    def _index(self, p: Profile, add: bool) -> None:
        def put(index: dict[Any, set[str]], key: Any) -> None:
            if add:
                index[key].add(p.profile_id)
            else:
                index[key].discard(p.profile_id)

        db = p.db_id
        email = p.fields.get("email")
        if isinstance(email, str) and email:
            put(self._by_email, (db, email.lower()))
            put(self._by_profile_email, (db, email.lower()))
        for phone in _phones(p.fields.get("phones")):
            put(self._by_phone, (db, phone))
            put(self._by_profile_phone, (db, phone))
        for sub in p.subscriptions:
            if isinstance(sub.get("email"), str):
                put(self._by_email, (db, sub["email"].lower()))
                put(self._by_sub_email, (db, sub["email"].lower()))
            sub_phone = sub.get("phone") or (sub.get("cc_data") or {}).get("phone")
            if isinstance(sub_phone, str):
                put(self._by_phone, (db, sub_phone))
                put(self._by_sub_phone, (db, sub_phone))
            if sub.get("channel") == "push":
                put(self._by_push, (db, str(sub.get("provider")), str(sub.get("subscription_id"))))
        for name, value in p.fields.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                put(self._by_field, (db, name, _norm(value)))

    # matching ----------------------------------------------------------------------------------
    def _one(self, ids: Iterable[str]) -> Profile | None:
        found = sorted(ids)
        return self.profiles[found[0]] if found else None

    def find(self, db: int, mode: str, key: Mapping[str, Any]) -> Profile | None:
        """The profile the matching mode selects, or None; raises ImportError_ for a missing key."""
        email, phone = key.get("email"), key.get("phone")
        if mode in ("email", "email_profile", "email_sub"):
            if not isinstance(email, str) or not email:
                raise ImportError_(400, C.INVALID_REQUEST, f'email is required with matching "{mode}"')
            index = {"email": self._by_email, "email_profile": self._by_profile_email}.get(mode, self._by_sub_email)
            return self._one(self._restrict(index.get((db, email.lower()), set()), key.get("resource_id")))
        if mode in ("phone", "phone_sub"):
            if not isinstance(phone, str) or not phone:
                raise ImportError_(400, C.INVALID_REQUEST, f'phone is required with matching "{mode}"')
            index = self._by_phone if mode == "phone" else self._by_sub_phone
            return self._one(self._restrict(index.get((db, phone), set()), key.get("resource_id")))
        if mode in ("email_phone", "email_phone_sub"):
            sub = mode.endswith("_sub")
            ids: set[str] = set()
            if isinstance(email, str) and email:
                ids |= (self._by_sub_email if sub else self._by_profile_email).get((db, email.lower()), set())
            if isinstance(phone, str) and phone:
                ids |= (self._by_sub_phone if sub else self._by_profile_phone).get((db, phone), set())
            if not email and not phone:
                raise ImportError_(400, C.INVALID_REQUEST, f'email or phone is required with matching "{mode}"')
            return self._one(ids)
        if mode == "profile_id":
            pid = key.get("profile_id")
            if not isinstance(pid, str) or not pid:
                raise ImportError_(400, C.INVALID_REQUEST, 'profile_id is required with matching "profile_id"')
            found = self.profiles.get(pid)
            if found is None or found.db_id != db:
                raise ImportError_(404, "Profile not found", f"profile_id {pid}")
            return found
        if mode == "push_sub":
            return self._one(self._by_push.get((db, str(key.get("provider")), str(key.get("subscription_id"))), ()))
        if mode == "custom":
            name, value = key.get("field_name"), key.get("field_value")
            if not isinstance(name, str) or value is None:
                raise ImportError_(400, C.INVALID_REQUEST, 'field_name and field_value are required with "custom"')
            if isinstance(value, str) and "," in value:
                return self._match_tags(db, name, value)
            return self._one(self._by_field.get((db, name, _norm(value)), ()))
        if mode == "custom_sub":
            return None  # a custom channel's subscriptions are not among the documented channels
        raise ImportError_(400, C.INVALID_REQUEST, f"unknown matching {mode!r}")

    def _restrict(self, ids: set[str], resource_id: object) -> set[str]:
        if resource_id is None:
            return ids
        return {
            pid for pid in ids if any(s.get("resource_id") == resource_id for s in self.profiles[pid].subscriptions)
        }

    def _match_tags(self, db: int, name: str, value: str) -> Profile | None:
        wanted = {t.strip() for t in value.split(",") if t.strip()}
        for p in sorted(self.profiles.values(), key=lambda q: q.profile_id):
            have = p.fields.get(name)
            tags = {t.strip() for t in have.split(",")} if isinstance(have, str) else set(map(str, have or []))
            if p.db_id == db and wanted <= tags:
                return p
        return None

    # import ------------------------------------------------------------------------------------
    def check_subscriptions(self, db: int, profile: Mapping[str, Any], skip_invalid: bool) -> list[dict[str, Any]]:
        kept = []
        for i, sub in enumerate(profile.get("subscriptions") or []):
            if self.resources.get(sub.get("resource_id")) != db:
                if skip_invalid:
                    continue
                raise ImportError_(
                    400,
                    "Invalid subscription",
                    f"subscriptions[{i}].resource_id {sub.get('resource_id')}: no such resource",
                )
            kept.append(dict(sub))
        return kept

    def upsert(
        self, db: int, mode: str, key: Mapping[str, Any], data: Mapping[str, Any], *, skip_invalid: bool
    ) -> tuple[Profile, bool]:
        """Import = update-or-create. Returns the profile and whether it was created."""
        subs = self.check_subscriptions(db, data, skip_invalid)
        profile = self.find(db, mode, key)
        created = profile is None
        if profile is None:
            profile = Profile(self.new_profile_id(), db)
            self.profiles[profile.profile_id] = profile
        else:
            self._index(profile, add=False)
        if created:
            # A new profile keeps the value it was matched by, so that the same key finds it again.
            if mode in ("email", "email_profile", "email_phone") and isinstance(key.get("email"), str):
                profile.fields["email"] = key["email"]
            if mode in ("phone", "email_phone") and isinstance(key.get("phone"), str):
                profile.fields["phones"] = [key["phone"]]
            if mode == "custom" and isinstance(key.get("field_name"), str) and "field_value" in key:
                profile.fields[key["field_name"]] = key["field_value"]
        for name, value in data.items():
            if name != "subscriptions":
                profile.fields[name] = value
        for sub in subs:
            for i, have in enumerate(profile.subscriptions):
                if have.get("channel") == sub.get("channel") and have.get("resource_id") == sub.get("resource_id"):
                    merged = dict(have)
                    merged.update(sub)
                    profile.subscriptions[i] = merged
                    break
            else:
                profile.subscriptions.append(sub)
        self._index(profile, add=True)
        return profile, created

    # tasks -------------------------------------------------------------------------------------
    def add_task(
        self, operation: str, request: dict[str, Any], run: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Task:
        task = Task(self.new_task_id(), operation, self.clock(), self.task_seconds, request)
        self.tasks[task.task_id] = task
        self._runners[task.task_id] = run
        return task

    def advance(self) -> None:
        """Move every unfinished task on to where the clock says it is; finish the due ones."""
        now = self.clock()
        for task in self.tasks.values():
            if task.result is not None:
                continue
            elapsed = now - task.created
            if elapsed >= task.duration:
                run = self._runners.pop(task.task_id)
                result = run(task.request)
                task.result = result
                task.progress = 100
                task.status = C.STATUS_COMPLETED if result.get("error") == 0 else C.STATUS_FAILED
            else:
                task.progress = min(99, int(100 * elapsed / task.duration)) if task.duration > 0 else 99
                task.status = C.STATUS_PROCESSING if task.progress > 0 else C.STATUS_QUEUED

    def snapshot(self) -> dict[str, Any]:
        return {
            "databases": sorted(self.databases),
            "resources": sorted(self.resources),
            "triggers": sorted(self.triggers),
            "workflows": sorted(self.workflows),
            "segments": sorted(self.segments),
            "profiles": [p.snapshot() for p in self.profiles.values()],
            "trigger_launches": self.trigger_launches,
            "workflow_entries": self.workflow_entries,
            "tasks": [t.snapshot() for t in self.tasks.values()],
        }
