"""The generated model builders (``altcraft._models.to_model``) against the generated ``from_dict``.

``to_model(cls, data)`` must give what ``cls.from_dict(data)`` gives: the same classes (enum members,
subscription variants), the same values, the same leftovers in ``additional_properties``, or the same
exception. Compared structurally with types, since a ``StrEnum`` member equals its string.
"""

from __future__ import annotations

import enum
import json
from types import MappingProxyType
from typing import Any

import attrs
import orjson
import pytest
from altcraft import models
from altcraft._models import _builder, to_model
from altcraft._serialize import dumps, to_plain
from altcraft_api.types import UNSET, Unset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..strategies import SCHEMAS, schema_values

MODEL_CLASSES = sorted(
    (c for c in vars(models).values() if isinstance(c, type) and attrs.has(c)), key=lambda c: c.__name__
)
SCHEMA_MODELS = [c for c in MODEL_CLASSES if c.__name__ in SCHEMAS]


def typed(value: Any) -> Any:
    """``value`` as nested tuples that carry every type, so unequal types never compare equal."""
    if isinstance(value, Unset):
        return "UNSET"
    if attrs.has(type(value)):
        return (type(value).__name__, tuple((f.name, typed(getattr(value, f.name))) for f in attrs.fields(type(value))))
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, typed(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(typed(v) for v in value))
    return (type(value).__name__, repr(value))


def outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", typed(fn(*args)))
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


def test_every_generated_model_is_compiled() -> None:
    """No model silently keeps the slow path (the builder of a class it cannot read is from_dict)."""
    assert len(MODEL_CLASSES) >= 30
    slow = [c.__name__ for c in MODEL_CLASSES if _builder(c) == c.from_dict]
    assert slow == []
    assert {"ImportAndStartBatchRequest", "ProfileData", "EmailSubscription"} <= {c.__name__ for c in SCHEMA_MODELS}


@pytest.mark.parametrize("cls", SCHEMA_MODELS, ids=lambda c: c.__name__)
def test_valid_data_builds_what_from_dict_builds(cls: type) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=schema_values(SCHEMAS[cls.__name__]))
    def check(value: Any) -> None:
        expected = outcome(cls.from_dict, value)  # type: ignore[attr-defined]
        assert expected[0] == "ok"
        assert outcome(to_model, cls, value) == expected

    check()


_JUNK = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.sampled_from(["", "email", "sms", "xml", "custom", "x"]),
    st.booleans(),
    st.just([]),
    st.just({}),
    st.just([{"channel": "sms"}]),
    st.just(("a", "b")),
)


@st.composite
def _damaged(draw: st.DrawFn, cls: type) -> Any:
    """A valid value with one thing broken somewhere: a key dropped or a value replaced by junk."""
    value = draw(schema_values(SCHEMAS[cls.__name__]))
    containers: list[Any] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict | list) and node:
            containers.append(node)
            for child in node.values() if isinstance(node, dict) else node:
                collect(child)

    collect(value)
    if not containers:
        return draw(_JUNK)
    node = draw(st.sampled_from(containers))
    key = draw(st.sampled_from(sorted(node)) if isinstance(node, dict) else st.integers(0, len(node) - 1))
    if isinstance(node, dict) and draw(st.booleans()):
        del node[key]
    else:
        node[key] = draw(_JUNK)
    return value


@pytest.mark.parametrize("cls", SCHEMA_MODELS, ids=lambda c: c.__name__)
def test_damaged_data_gives_the_same_result_or_the_same_exception(cls: type) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=_damaged(cls))
    def check(value: Any) -> None:
        assert outcome(to_model, cls, value) == outcome(cls.from_dict, value)  # type: ignore[attr-defined]

    check()


def test_known_shapes_dispatch_and_fall_back() -> None:
    body = {
        "trigger_id": 5,
        "matching": "email",
        "format": "xml",
        "data": [
            {
                "data": {
                    "email": "a@b.c",
                    "_fname": "Ann",
                    "Custom": {"x": "1"},
                    "subscriptions": [
                        {"channel": "email", "email": "a@b.c", "resource_id": 1},
                        {"channel": "sms", "phone": "+7900", "resource_id": 2, "extra": [1]},
                        {"channel": "telegram_bot", "resource_id": 3, "cc_data": {"id": 9}},
                    ],
                },
                "custom_data": {"k": "v"},
            }
        ],
    }
    built = to_model(models.ImportAndStartBatchRequest, body)
    assert typed(built) == typed(models.ImportAndStartBatchRequest.from_dict(body))
    assert built.matching is models.BatchMatchingMode.EMAIL
    subs = built.data[0].data.subscriptions
    assert [type(s).__name__ for s in subs] == ["EmailSubscription", "SmsSubscription", "TelegramBotSubscription"]
    assert subs[1].additional_properties == {"extra": [1]}
    assert built.data[0].data.additional_properties == {"Custom": {"x": "1"}}
    # Read-only mappings, unknown channels and a bad enum value take the generated path, with its result.
    proxy = MappingProxyType({"status": "queued", "progress": 5})
    assert typed(to_model(models.TaskStatusData, proxy)) == typed(models.TaskStatusData.from_dict(proxy))
    unknown = {**body, "data": [{"data": {"subscriptions": [{"channel": "pigeon", "resource_id": 1}]}}]}
    assert outcome(to_model, models.ImportAndStartBatchRequest, unknown) == outcome(
        models.ImportAndStartBatchRequest.from_dict, unknown
    )
    with pytest.raises(ValueError, match="not_a_mode"):
        to_model(models.ImportAndStartBatchRequest, {**body, "matching": "not_a_mode"})
    with pytest.raises(KeyError, match="trigger_id"):
        to_model(models.ImportAndStartBatchRequest, {"data": []})


def test_valid_data_never_takes_the_generated_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path really is taken: with every ``from_dict`` made to fail, valid bodies still build."""

    def refuse(*args: Any) -> Any:
        raise AssertionError("from_dict was called")

    for cls in MODEL_CLASSES:
        monkeypatch.setattr(cls, "from_dict", refuse)
    subs = [
        {"channel": "email", "email": "a@b.c", "resource_id": 1, "status": "subscribed", "custom_fields": {"x": 1}},
        {"channel": "sms", "phone": "+7900", "resource_id": 2, "cats": ["a"]},
        {"channel": "push", "resource_id": 3, "provider": "Firebase", "subscription_id": "s"},
        {"channel": "telegram_bot", "resource_id": 4, "cc_data": {"id": 9}},
        {"channel": "whatsapp", "resource_id": 5, "cc_data": {"phone": "+7900"}},
        {"channel": "viber", "resource_id": 6, "cc_data": {"phone": "+7900"}},
        {"channel": "notify", "resource_id": 7, "cc_data": {"phone": "+7900"}},
    ]
    body = {"trigger_id": 1, "matching": "email", "data": [{"data": {"email": "a@b.c", "subscriptions": subs}}]}
    built = to_model(models.ImportAndStartBatchRequest, body)
    assert len(built.data[0].data.subscriptions) == 7
    result = {"error": 0, "result": [{"profile_id": "p"}]}
    status = {"error": 0, "error_text": "", "data": {"status": "completed", "progress": 100, "result": result}}
    assert to_model(models.TaskStatus, status).data.status == "completed"


@pytest.mark.parametrize("cls", SCHEMA_MODELS, ids=lambda c: c.__name__)
def test_generated_dumpers_write_what_to_dict_writes(cls: type) -> None:
    """``to_plain`` and ``dumps`` of a model give the generated ``to_dict`` (types and all), JSON-equal."""

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=schema_values(SCHEMAS[cls.__name__]))
    def check(value: Any) -> None:
        model = cls.from_dict(value)  # type: ignore[attr-defined]
        expected = model.to_dict()
        assert typed(to_plain(model)) == typed(expected)
        assert orjson.loads(dumps(model)) == json.loads(json.dumps(expected))

    check()


def test_other_attrs_classes_are_dumped_field_by_field() -> None:
    """A subclass of a model, or a caller's own attrs class, has no generated dumper; it is still written
    as one (wire names, unset fields left out, extras first)."""

    @attrs.define
    class Mine:
        fname: str
        sex: Any = UNSET
        matching: Any = models.BatchMatchingMode.PHONE

    class Sub(models.Timeout):
        pass

    sub = Sub(days=1)
    sub.additional_properties = {"note": ("a", "b")}
    assert to_plain({"m": Mine("Ann"), "s": sub}) == {
        "m": {"_fname": "Ann", "matching": "phone"},
        "s": {"note": ["a", "b"], "days": 1},
    }
    assert orjson.loads(dumps([Mine("Bo", 1)])) == [{"_fname": "Bo", "_sex": 1, "matching": "phone"}]
    with pytest.raises(TypeError, match="cannot send a value of type object"):
        to_plain({"x": object()})
