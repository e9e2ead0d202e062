"""The emulator's state: databases, resources, profiles, triggers, workflows, segments and tasks.

Kept compact so that a million-profile import fits in well under a gigabyte: each profile is one
orjson-serialized record keyed by its id; the matching indexes map the hash of a key (kind, database,
value) to the ids holding it, every hit being checked against the record (so a hash collision costs a
lookup, never a wrong match); custom fields are indexed only once some request matches on them; the
launch logs are fixed-size binary records plus one packed entry per request for what all of that
request's launches share.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import orjson

from . import _constants as C

__all__ = ["LaunchLog", "MockState", "Refused", "Task", "pack"]

logger = logging.getLogger("altcraft_mock")

Record = dict[str, Any]


class Refused(Exception):
    """An item or a request that cannot be imported; carries the envelope's code and text."""

    def __init__(self, code: int, text: str, debug: str = "") -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.debug = debug


def pack(value: Any) -> bytes:
    """Compact JSON of a value to store; a value too deep for orjson is written by the json module.

    Raises :class:`Refused` (400) for a value that cannot be stored at all (nested deeper than the
    interpreter's recursion limit), so that nothing half-stored remains.
    """
    try:
        # A copy of exact size: orjson's result keeps the capacity of its growing buffer (4 KiB at least).
        return bytes(memoryview(orjson.dumps(value)))
    except orjson.JSONEncodeError:
        pass
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except (ValueError, TypeError, RecursionError):
        raise Refused(400, C.INVALID_REQUEST, "a value is nested too deeply to be stored") from None


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


def _matchable(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def sub_phone(sub: Mapping[str, Any]) -> object:
    """A subscription's phone: its own, or its cc_data's (viber, whatsapp, notify)."""
    phone = sub.get("phone")
    if phone:
        return phone
    cc = sub.get("cc_data")
    return cc.get("phone") if isinstance(cc, Mapping) else None


_COARSE = {"pe": "e", "se": "e", "pp": "p", "sp": "p"}


def _coarse(key: Any) -> Hashable:
    """The index entry of a key: a profile's email and a subscription's share one (so do phones); the
    kind is told apart when the candidates are checked against their records."""
    kind = _COARSE.get(key[0])
    return key if kind is None else (kind, *key[1:])


@dataclass
class Task:
    task_id: str
    operation: str
    created: float
    duration: float
    request: bytes | None  # the packed request until the task has run
    status: str = C.STATUS_QUEUED
    progress: int = 0
    result: bytes | None = None  # the packed result envelope once it has run

    def result_value(self) -> dict[str, Any] | None:
        if self.result is None:
            return None
        value: dict[str, Any] = orjson.loads(self.result)
        return value

    def snapshot(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "operation": self.operation,
            "status": self.status,
            "progress": self.progress,
            "result": None if self.result is None else orjson.Fragment(self.result),
        }


# The keys of one launch that every launch of the same request shares, in the order entries show them.
LAUNCH_EXTRAS = ("timeout", "content", "attach", "subscription_filter", "custom_request", "skip_triggers")

_RECORD = 20  # 8 bytes target id + 12 bytes profile id


class LaunchLog:
    """Trigger launches or workflow entries, compactly: ``len()``, entries by position, statistics.

    Each launch is a 20-byte record (target id, profile id) plus the index of its request; what the
    request's launches share (operation, task id, custom_data, timeout, content, attach, ...) is stored
    once per request, and a launch's own custom_data only when its item had one.
    """

    def __init__(self, target_key: str) -> None:
        self.target_key = target_key
        self._records = bytearray()
        self._request_of = array("l")
        self._requests: list[tuple[str, str | None, bytes, tuple[tuple[str, bytes], ...]]] = []
        self._custom: dict[int, bytes] = {}

    def __len__(self) -> int:
        return len(self._request_of)

    def start_request(self, operation: str, task_id: str | None, body: Mapping[str, Any]) -> int:
        """Store what the launches of one request share; returns the index ``add`` takes."""
        root_custom = body.get("custom_data") or {}
        extras = tuple((key, pack(body[key])) for key in LAUNCH_EXTRAS if key in body)
        self._requests.append((operation, task_id, pack(root_custom), extras))
        return len(self._requests) - 1

    def add(self, request: int, target: int, profile_id: str, custom_data: bytes | None = None) -> None:
        if custom_data is not None:
            self._custom[len(self)] = custom_data
        self._records += target.to_bytes(8, "big") + bytes.fromhex(profile_id)
        self._request_of.append(request)

    def entry(self, i: int) -> dict[str, Any]:
        """The i-th launch as a JSON-ready mapping (stored values as orjson fragments)."""
        record = self._records[i * _RECORD : (i + 1) * _RECORD]
        operation, task_id, root_custom, extras = self._requests[self._request_of[i]]
        out: dict[str, Any] = {
            self.target_key: int.from_bytes(record[:8], "big"),
            "profile_id": record[8:].hex(),
            "operation": operation,
            "custom_data": orjson.Fragment(self._custom.get(i, root_custom)),
        }
        for key, value in extras:
            out[key] = orjson.Fragment(value)
        if task_id is not None:
            out["task_id"] = task_id
        return out

    def entries(self, offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        end = len(self) if limit is None else min(len(self), offset + limit)
        return [self.entry(i) for i in range(offset, end)]

    def stats(self) -> dict[str, Any]:
        """Launches, distinct (target, profile) pairs, and pairs launched more than once; also per target."""
        data = bytes(self._records)
        n = len(self)
        bounds = map(slice, range(0, n * _RECORD, _RECORD), range(_RECORD, (n + 1) * _RECORD, _RECORD))
        keys = sorted(map(data.__getitem__, bounds))
        by_target: dict[int, dict[str, int]] = {}
        for key, group in groupby(keys):
            target = int.from_bytes(key[:8], "big")
            counts = by_target.setdefault(target, {"launches": 0, "distinct_pairs": 0, "repeated_pairs": 0})
            times = sum(1 for _ in group)
            counts["launches"] += times
            counts["distinct_pairs"] += 1
            counts["repeated_pairs"] += times > 1
        total = {
            name: sum(c[name] for c in by_target.values()) for name in ("launches", "distinct_pairs", "repeated_pairs")
        }
        return {**total, "by_target": by_target}


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
        # profile id -> packed {"db_id", "fields", "subscriptions", "segments"}
        self.profiles: dict[str, bytes] = {}
        self.trigger_launches = LaunchLog("trigger_id")
        self.workflow_entries = LaunchLog("workflow_id")
        self.tasks: dict[str, Task] = {}
        self._pending: dict[str, Task] = {}
        self._runners: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        # hash(_coarse(key)) -> profile id, or the set of them; keys are the tuples of _keys().
        self._index: dict[int, str | set[str]] = {}
        self._field_names: set[tuple[int, str]] = set()  # (db, field) pairs custom matching has used

    # ids ---------------------------------------------------------------------------------------
    def new_profile_id(self) -> str:
        while True:
            pid = f"{self.rng.getrandbits(96):024x}"
            if pid not in self.profiles:
                return pid

    def new_task_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def record(self, profile_id: str) -> Record:
        value: Record = orjson.loads(self.profiles[profile_id])
        return value

    # indexes -----------------------------------------------------------------------------------
    def _keys(self, rec: Record) -> set[Hashable]:
        """Every key the record can be matched by."""
        db, fields = rec["db_id"], rec["fields"]
        keys: set[Hashable] = set()
        email = fields.get("email")
        if isinstance(email, str) and email:
            keys.add(("pe", db, email.lower()))
        for phone in _phones(fields.get("phones")):
            keys.add(("pp", db, phone))
        for sub in rec["subscriptions"]:
            if isinstance(sub.get("email"), str):
                keys.add(("se", db, sub["email"].lower()))
            own_phone = sub_phone(sub)
            if isinstance(own_phone, str):
                keys.add(("sp", db, own_phone))
            if sub.get("channel") == "push":
                keys.add(("push", db, str(sub.get("provider")), str(sub.get("subscription_id"))))
        for name, value in fields.items():
            if (db, name) in self._field_names and _matchable(value):
                keys.add(("f", db, name, _norm(value)))
        return keys

    def _add(self, key: Hashable, pid: str) -> None:
        h = hash(_coarse(key))
        have = self._index.get(h)
        if have is None:
            self._index[h] = pid
        elif isinstance(have, str):
            if have != pid:
                self._index[h] = {have, pid}
        else:
            have.add(pid)

    def _discard(self, key: Hashable, pid: str) -> None:
        h = hash(_coarse(key))
        have = self._index.get(h)
        if have is None:
            return
        if isinstance(have, str):
            if have == pid:
                del self._index[h]
            return
        have.discard(pid)
        if len(have) == 1:
            self._index[h] = next(iter(have))

    def _lookup(self, *keys: Hashable) -> dict[str, Record]:
        """The profiles holding any of the keys (checked against their records)."""
        found: dict[str, Record] = {}
        for key in keys:
            have = self._index.get(hash(_coarse(key)))
            ids = () if have is None else (have,) if isinstance(have, str) else tuple(have)
            for pid in ids:
                if pid in found:
                    continue
                rec = self.record(pid)
                if key in self._keys(rec):
                    found[pid] = rec
        return found

    def _index_field(self, db: int, name: str) -> None:
        if (db, name) in self._field_names:
            return
        self._field_names.add((db, name))
        for pid, packed in self.profiles.items():
            rec = orjson.loads(packed)
            value = rec["fields"].get(name)
            if rec["db_id"] == db and _matchable(value):
                self._add(("f", db, name, _norm(value)), pid)

    # matching ----------------------------------------------------------------------------------
    @staticmethod
    def _one(found: Mapping[str, Record]) -> tuple[str, Record] | None:
        if not found:
            return None
        pid = min(found)
        return pid, found[pid]

    def find(self, db: int, mode: str, key: Mapping[str, Any]) -> tuple[str, Record] | None:
        """The profile the matching mode selects, or None; raises Refused for a missing key."""
        email, phone = key.get("email"), key.get("phone")
        if mode in ("email", "email_profile", "email_sub"):
            if not isinstance(email, str) or not email:
                return None  # nothing to match by: a new profile
            kinds = {"email": ("pe", "se"), "email_profile": ("pe",)}.get(mode, ("se",))
            found = self._lookup(*((kind, db, email.lower()) for kind in kinds))
            return self._one(self._restrict(found, key.get("resource_id")))
        if mode in ("phone", "phone_sub"):
            if not isinstance(phone, str) or not phone:
                return None
            kinds = ("pp", "sp") if mode == "phone" else ("sp",)
            found = self._lookup(*((kind, db, phone) for kind in kinds))
            return self._one(self._restrict(found, key.get("resource_id")))
        if mode in ("email_phone", "email_phone_sub"):
            sub = mode.endswith("_sub")
            keys: list[Hashable] = []
            if isinstance(email, str) and email:
                keys.append(("se" if sub else "pe", db, email.lower()))
            if isinstance(phone, str) and phone:
                keys.append(("sp" if sub else "pp", db, phone))
            if not email and not phone:
                return None
            return self._one(self._lookup(*keys))
        if mode == "profile_id":
            pid = key.get("profile_id")
            if not isinstance(pid, str) or not pid:
                raise Refused(404, "Profile not found", 'no profile_id with matching "profile_id"')
            if pid not in self.profiles or self.record(pid)["db_id"] != db:
                raise Refused(404, "Profile not found", f"profile_id {pid}")
            return pid, self.record(pid)
        if mode == "push_sub":
            return self._one(self._lookup(("push", db, str(key.get("provider")), str(key.get("subscription_id")))))
        if mode == "custom":
            name, value = key.get("field_name"), key.get("field_value")
            if not isinstance(name, str) or value is None:
                return None
            if not _matchable(value):
                raise Refused(400, C.INVALID_REQUEST, f"{name}: must be a string or a number to match by")
            if isinstance(value, str) and "," in value:
                return self._match_tags(db, name, value)
            self._index_field(db, name)
            return self._one(self._lookup(("f", db, name, _norm(value))))
        if mode == "custom_sub":
            return None  # a custom channel's subscriptions are not among the documented channels
        raise Refused(400, C.INVALID_REQUEST, f"unknown matching {mode!r}")

    @staticmethod
    def _restrict(found: dict[str, Record], resource_id: object) -> dict[str, Record]:
        if resource_id is None:
            return found
        return {
            pid: rec
            for pid, rec in found.items()
            if any(s.get("resource_id") == resource_id for s in rec["subscriptions"])
        }

    def _match_tags(self, db: int, name: str, value: str) -> tuple[str, Record] | None:
        wanted = {t.strip() for t in value.split(",") if t.strip()}
        found: dict[str, Record] = {}
        for pid, packed in self.profiles.items():
            rec = orjson.loads(packed)
            have = rec["fields"].get(name)
            if isinstance(have, str):
                tags = {t.strip() for t in have.split(",")}
            elif isinstance(have, list):
                tags = set(map(str, have))
            else:
                continue
            if rec["db_id"] == db and wanted <= tags:
                found[pid] = rec
        return self._one(found)

    # import ------------------------------------------------------------------------------------
    def check_subscriptions(self, db: int, profile: Mapping[str, Any], skip_invalid: bool) -> list[dict[str, Any]]:
        kept = []
        for i, sub in enumerate(profile.get("subscriptions") or []):
            if self.resources.get(sub.get("resource_id")) != db:
                if skip_invalid:
                    continue
                raise Refused(
                    400,
                    "Invalid subscription",
                    f"subscriptions[{i}].resource_id {sub.get('resource_id')}: no such resource",
                )
            kept.append(dict(sub))
        return kept

    def upsert(
        self,
        db: int,
        mode: str,
        key: Mapping[str, Any],
        data: Mapping[str, Any],
        *,
        skip_invalid: bool,
        add_segments: Iterable[int] = (),
        remove_segments: Iterable[int] = (),
    ) -> tuple[str, bool]:
        """Import = update-or-create. Returns the profile id and whether it was created.

        Nothing changes when it raises :class:`Refused`.
        """
        subs = self.check_subscriptions(db, data, skip_invalid)
        found = self.find(db, mode, key)
        if found is None:
            pid = self.new_profile_id()
            rec: Record = {"db_id": db, "fields": {}, "subscriptions": [], "segments": []}
            old_keys: set[Hashable] = set()
            fields = rec["fields"]
            # A new profile keeps the value it was matched by, so that the same key finds it again.
            if mode in ("email", "email_profile", "email_phone") and isinstance(key.get("email"), str):
                fields["email"] = key["email"]
            if mode in ("phone", "email_phone") and isinstance(key.get("phone"), str):
                fields["phones"] = [key["phone"]]
            if mode == "custom" and isinstance(key.get("field_name"), str) and "field_value" in key:
                fields[key["field_name"]] = key["field_value"]
        else:
            pid, rec = found
            old_keys = self._keys(rec)
        fields = rec["fields"]
        for name, value in data.items():
            if name != "subscriptions":
                fields[name] = value
        have_subs: list[dict[str, Any]] = rec["subscriptions"]
        for sub in subs:
            for i, have in enumerate(have_subs):
                if have.get("channel") == sub.get("channel") and have.get("resource_id") == sub.get("resource_id"):
                    have_subs[i] = {**have, **sub}
                    break
            else:
                have_subs.append(sub)
        segments = set(rec["segments"])
        segments.update(add_segments)
        segments.difference_update(remove_segments)
        rec["segments"] = sorted(segments)
        packed = pack(rec)  # raises before anything has changed
        self.profiles[pid] = packed
        new_keys = self._keys(rec)
        old_coarse, new_coarse = set(map(_coarse, old_keys)), set(map(_coarse, new_keys))
        for k in old_coarse - new_coarse:
            self._discard(k, pid)
        for k in new_coarse - old_coarse:
            self._add(k, pid)
        return pid, found is None

    # tasks -------------------------------------------------------------------------------------
    def add_task(
        self, operation: str, request: dict[str, Any], run: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Task:
        task = Task(self.new_task_id(), operation, self.clock(), self.task_seconds, pack(request))
        self.tasks[task.task_id] = task
        self._pending[task.task_id] = task
        self._runners[task.task_id] = run
        return task

    def advance(self) -> None:
        """Move every unfinished task on to where the clock says it is; finish the due ones.

        A task whose run raises ends as failed with an error result; the emulator goes on.
        """
        now = self.clock()
        for task in list(self._pending.values()):
            elapsed = now - task.created
            if elapsed >= task.duration:
                del self._pending[task.task_id]
                run = self._runners.pop(task.task_id, None)
                request, task.request = task.request, None
                try:
                    if run is None or request is None:
                        raise RuntimeError("the task has nothing to run")
                    result = run(orjson.loads(request))
                    packed = orjson.dumps(result)
                except Exception as exc:
                    logger.exception("altcraft-mock: task %s failed", task.task_id)
                    result = {
                        "error": 500,
                        "error_text": "Internal error",
                        "error_debug": f"altcraft-mock: the task failed ({type(exc).__name__})",
                    }
                    packed = orjson.dumps(result)
                task.result = packed
                task.progress = 100
                task.status = C.STATUS_COMPLETED if result.get("error") == 0 else C.STATUS_FAILED
            else:
                task.progress = min(99, int(100 * elapsed / task.duration)) if task.duration > 0 else 99
                task.status = C.STATUS_PROCESSING if task.progress > 0 else C.STATUS_QUEUED

    # inspection --------------------------------------------------------------------------------
    def _objects(self) -> dict[str, Any]:
        return {
            "databases": sorted(self.databases),
            "resources": sorted(self.resources),
            "triggers": sorted(self.triggers),
            "workflows": sorted(self.workflows),
            "segments": sorted(self.segments),
        }

    def profile_items(self, offset: int = 0, limit: int | None = None) -> Iterator[tuple[str, bytes]]:
        items = iter(self.profiles.items())
        for _ in range(offset):
            if next(items, None) is None:
                return
        for n, item in enumerate(items):
            if limit is not None and n >= limit:
                return
            yield item

    @staticmethod
    def profile_json(pid: str, packed: bytes) -> orjson.Fragment:
        """One profile as the state shows it: profile_id, db_id, fields, subscriptions, segments."""
        return orjson.Fragment(b'{"profile_id":"' + pid.encode() + b'",' + packed[1:])

    def snapshot(self) -> dict[str, Any]:
        """Everything, for small states (stored values as orjson fragments)."""
        return {
            **self._objects(),
            "profiles": [self.profile_json(pid, packed) for pid, packed in self.profiles.items()],
            "trigger_launches": self.trigger_launches.entries(),
            "workflow_entries": self.workflow_entries.entries(),
            "tasks": [t.snapshot() for t in self.tasks.values()],
        }

    def summary(self) -> dict[str, Any]:
        """Counts only, whatever the size of the state."""
        statuses: dict[str, int] = {}
        for task in self.tasks.values():
            statuses[task.status] = statuses.get(task.status, 0) + 1
        return {
            **self._objects(),
            "profiles": len(self.profiles),
            "trigger_launches": self.trigger_launches.stats(),
            "workflow_entries": self.workflow_entries.stats(),
            "tasks": {"total": len(self.tasks), **statuses},
        }
