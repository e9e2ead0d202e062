"""Tests written from the mutation run (scripts/mutation) over the client core: each pins a behaviour
that a surviving mutant changed and no other test noticed. /work/notes/mutation-survivors.md lists them."""

from __future__ import annotations

import itertools
import logging
import random
from typing import Any

import jsonschema_rs
import orjson
import pytest
from altcraft import RequestTooLarge, TaskFailed, chunk_profiles
from altcraft._errors import (
    AltcraftError,
    BadRequest,
    InvalidInput,
    NotFound,
    Problem,
    ServerError,
    TaskTimeout,
    WaitCancelled,
    error_for,
)
from altcraft._limits import _encoder, check_body_size, warn_if_many
from altcraft._polling import Poller, PollSettings
from altcraft._validate import (
    _exclusive_any_of,
    _has_assumed,
    _join,
    _json_type,
    _path,
    _problem,
    _promote_assumed,
    _properties,
    _shown,
    exclusive_property,
)
from altcraft._xml import encode_request
from altcraft_api.models import TaskStatus

from .conftest import FakeClock

# ---------------------------------------------------------------------------------------------- _limits

MIB = 1 << 20


def test_a_body_at_the_limit_passes_and_one_byte_over_is_refused_with_the_numbers() -> None:
    check_body_size("import_and_start_batch", 10 * MIB, has_files=False)
    with pytest.raises(RequestTooLarge) as err:
        check_body_size("import_and_start_batch", 10 * MIB + 1, has_files=False)
    assert str(err.value) == (
        f"import_and_start_batch: the request body is {10 * MIB + 1} bytes (10.0 MiB), over the documented "
        f"limit of {10 * MIB} bytes (10.0 MiB) without files; split the batch with altcraft.chunk_profiles()"
    )
    assert (err.value.size, err.value.limit, err.value.operation) == (10 * MIB + 1, 10 * MIB, "import_and_start_batch")


def test_with_files_the_limit_is_100_mib_and_the_message_says_so() -> None:
    check_body_size("import_and_start_batch", 100 * MIB, has_files=True)
    with pytest.raises(RequestTooLarge) as err:
        check_body_size("import_and_start_batch", 150 * MIB, has_files=True)
    assert "is 157286400 bytes (150.0 MiB), over the documented limit of 104857600 bytes (100.0 MiB) with files;" in (
        str(err.value)
    )
    assert err.value.operation == "import_and_start_batch"


def test_the_many_profiles_warning_names_the_operation_and_the_numbers(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="altcraft"):
        warn_if_many("import_and_start_batch", 10_000)
        assert caplog.records == []
        warn_if_many("import_and_start_batch", 10_001)
    assert [r.getMessage() for r in caplog.records] == [
        "import_and_start_batch: 10001 profiles in one request; the docs recommend at most 10000 "
        "(see altcraft.chunk_profiles)"
    ]


@pytest.mark.parametrize(("max_items", "max_bytes"), [(0, 100), (100, 0), (-1, 100)])
def test_chunk_limits_below_one_are_refused(max_items: int, max_bytes: int) -> None:
    with pytest.raises(ValueError, match=r"^max_items and max_bytes must be positive$"):
        list(chunk_profiles([], max_items=max_items, max_bytes=max_bytes))


def test_chunk_limits_of_one_are_accepted() -> None:
    assert list(chunk_profiles([], max_items=1, max_bytes=1)) == []
    items = [{"data": {"n": i}} for i in range(3)]
    assert list(chunk_profiles(items, max_items=1)) == [[item] for item in items]


def _json_size(chunk: object) -> int:
    return len(orjson.dumps(chunk))


@pytest.mark.parametrize("max_bytes", range(20, 130))
def test_json_chunks_fit_and_are_cut_only_when_the_next_item_would_not_fit(max_bytes: int) -> None:
    items = [{"data": {"k": "x" * i}} for i in (1, 2, 3, 4, 5, 1, 1)]
    try:
        chunks = list(chunk_profiles(items, max_bytes=max_bytes))
    except RequestTooLarge as err:
        # refused at the first item that alone does not fit (within the one byte of slack)
        first = next(item for item in items if _json_size([item]) >= max_bytes)
        assert (err.size, err.limit) == (len(orjson.dumps(first)) + 1, max_bytes)
        return
    assert [item for chunk in chunks for item in chunk] == items
    for chunk, following in itertools.pairwise(chunks):
        assert _json_size(chunk) <= max_bytes
        # the chunk was cut because the next item would not fit (the chunker keeps one byte of slack)
        assert _json_size([*chunk, following[0]]) >= max_bytes
    assert _json_size(chunks[-1]) <= max_bytes


def test_an_item_that_alone_is_too_large_is_refused_naming_its_position() -> None:
    items = [{"data": {"k": "x"}}, {"data": {"k": "x" * 50}}]
    with pytest.raises(RequestTooLarge) as err:
        list(chunk_profiles(items, max_bytes=40))
    n = len(orjson.dumps(items[1])) + 1
    assert str(err.value) == f"batch item 1 alone encodes to {n} bytes, over max_bytes=40"
    assert (err.value.size, err.value.limit) == (n, 40)


@pytest.mark.parametrize(
    "item",
    [
        {"data": {"email": "a@b.c", "name": "Ann"}},
        {"data": {"email": "x@y.z", "tags": ["a", "b"]}},
        {"data": {"email": "q@w.e"}, "matching": "email"},
    ],
)
def test_the_xml_size_of_an_item_is_what_the_request_encoder_writes_for_it(item: dict[str, object]) -> None:
    empty = encode_request("import_and_start_batch", {"trigger_id": 1, "data": [{"data": {"email": "e@e.e"}}]})
    one = encode_request("import_and_start_batch", {"trigger_id": 1, "data": [{"data": {"email": "e@e.e"}}, item]})
    assert _encoder("xml")(item) == len(one) - len(empty)


def test_a_bad_xml_name_in_a_chunked_item_names_the_field_from_data() -> None:
    with pytest.raises(InvalidInput) as err:
        list(chunk_profiles([{"data": {"em ail": "x"}}], format="xml"))
    assert err.value.field.startswith("data.")
    assert err.value.field.endswith("em ail")


def test_an_unknown_chunk_format_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^format must be 'json' or 'xml', not 'csv'$"):
        list(chunk_profiles([{"data": {}}], format="csv"))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- _errors


def _error(http_status: int, code: int | None, **kw: object) -> AltcraftError:
    args: dict[str, object] = {"error_text": None, "error_debug": None, "retry_safe": False, **kw}
    return error_for(operation="import_profile", http_status=http_status, code=code, **args)  # type: ignore[arg-type]


def test_an_http_400_is_a_bad_request_whatever_the_envelope_code() -> None:
    err = _error(400, 1, error_text="wrong")
    assert type(err) is BadRequest
    assert str(err) == err.message == "import_profile: Altcraft error 1 (HTTP 400): wrong"
    assert (err.code, err.http_status, err.operation, err.error_text) == (1, 400, "import_profile", "wrong")


def test_without_error_text_the_message_says_error_and_adds_the_debug_text_only_when_given() -> None:
    assert str(_error(404, 404)) == "import_profile: Altcraft error 404 (HTTP 404): error"
    assert str(_error(404, 404, error_debug="no such trigger")) == (
        "import_profile: Altcraft error 404 (HTTP 404): error (no such trigger)"
    )


def test_only_a_too_large_body_400_is_request_too_large() -> None:
    assert type(_error(400, 400, error_debug="other")) is BadRequest
    err = _error(400, 400, error_debug="http: request body too large")
    assert type(err) is RequestTooLarge
    assert str(err) == "import_profile: Altcraft error 400 (HTTP 400): error (http: request body too large)"


def test_an_http_200_envelope_without_a_code_is_a_plain_altcraft_error() -> None:
    err = _error(200, None, error_text="odd")
    assert type(err) is AltcraftError
    assert str(err) == "import_profile: Altcraft error None (HTTP 200): odd"


def test_a_5xx_says_whether_it_may_be_retried() -> None:
    unsafe = _error(502, 502, error_text="bad gateway")
    assert isinstance(unsafe, ServerError)
    assert unsafe.retry_safe is False
    assert str(unsafe) == (
        "import_profile: Altcraft error 502 (HTTP 502): bad gateway; not retried automatically, because a repeat "
        "could import or launch twice"
    )
    safe = _error(503, 503, error_text="busy", retry_safe=True)
    assert isinstance(safe, ServerError)
    assert safe.retry_safe is True
    assert str(safe) == "import_profile: Altcraft error 503 (HTTP 503): busy"


def test_error_attributes_and_repr() -> None:
    err = AltcraftError("boom", code=7, http_status=200)
    assert err.message == "boom"
    assert repr(err) == "AltcraftError('boom', code=7, http_status=200)"
    assert repr(NotFound("gone", code=404, http_status=404)) == "NotFound('gone', code=404, http_status=404)"
    assert ServerError("x").retry_safe is False
    invalid = InvalidInput("email: not an email", field="email", operation="import_profile")
    assert invalid.operation == "import_profile"
    assert invalid.problems == (Problem("email", "email: not an email"),)


def test_task_errors_belong_to_task_status() -> None:
    timeout = TaskTimeout("late", task_id="t1", last_status="processing", progress=40)
    assert (timeout.message, timeout.operation, timeout.task_id) == ("late", "task_status", "t1")
    assert (timeout.last_status, timeout.progress) == ("processing", 40)
    cancelled = WaitCancelled("stopped", task_id="t2")
    assert (cancelled.message, cancelled.operation, cancelled.task_id) == ("stopped", "task_status", "t2")
    assert str(cancelled) == "stopped"


# ---------------------------------------------------------------------------------------------- _polling


def _answer(status: str, progress: object = 0, result: dict[str, object] | None = None) -> TaskStatus:
    data: dict[str, object] = {"status": status, "progress": progress}
    if result is not None:
        data["result"] = result
    return TaskStatus.from_dict({"error": 0, "error_text": "Successful", "data": data})


def _poller(clock: FakeClock, **settings: Any) -> Poller:
    return Poller("t1", PollSettings(**{"jitter": False, **settings}), clock, rng=random.Random(1))


def test_poll_settings_accept_their_boundaries() -> None:
    PollSettings(timeout=0)
    PollSettings(timeout=0.5)
    PollSettings(poll_interval=2.0, max_interval=2.0)
    PollSettings(backoff=1)
    PollSettings(backoff=1.5)


@pytest.mark.parametrize(
    "settings", [{"timeout": -1}, {"poll_interval": 0}, {"poll_interval": 3.0, "max_interval": 2.0}]
)
def test_poll_settings_refuse_bad_bounds_with_the_rule(settings: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"^need timeout >= 0 and 0 < poll_interval <= max_interval$"):
        PollSettings(**settings)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^backoff must be >= 1$"):
        PollSettings(backoff=0.5)


def test_completed_without_a_result_is_success() -> None:
    answer = _answer("completed", 100)
    assert _poller(FakeClock()).observe(answer) is answer


def test_a_failed_task_carries_the_result_fields() -> None:
    poller = _poller(FakeClock())
    with pytest.raises(TaskFailed) as err:
        poller.observe(_answer("failed", 40, {"error": 5, "error_text": "bad data", "error_debug": "row 3"}))
    e = err.value
    assert str(e) == "task t1 ended with status 'failed': error 5: bad data (row 3)"
    assert (e.task_id, e.status, e.code, e.error_text, e.error_debug) == ("t1", "failed", 5, "bad data", "row 3")
    assert e.operation == "task_status"


def test_a_failed_task_without_result_or_texts() -> None:
    poller = _poller(FakeClock())
    with pytest.raises(TaskFailed) as err:
        poller.observe(_answer("error"))
    assert str(err.value) == "task t1 ended with status 'error': error None: "
    assert (err.value.code, err.value.error_text, err.value.error_debug) == (None, None, None)
    with pytest.raises(TaskFailed) as err:
        poller.observe(_answer("completed", 100, {"error": 7}))
    assert str(err.value) == "task t1 ended with status 'completed': error 7: "
    assert (err.value.code, err.value.error_text, err.value.error_debug) == (7, None, None)


def test_the_timeout_error_says_how_to_resume() -> None:
    poller = _poller(FakeClock(), timeout=5)
    poller.observe(_answer("processing", 30))
    err = poller.timeout_error()
    assert str(err) == (
        "task t1 did not finish within 5 s (last status 'processing', progress 30); resume with wait_task(task_id)"
    )


def test_remaining_is_exact_and_never_negative() -> None:
    clock = FakeClock()
    poller = _poller(clock, timeout=5)
    clock.sleep(4.5)
    assert poller.remaining() == 0.5
    clock.sleep(1)
    assert poller.remaining() == 0.0


def test_the_last_half_second_is_still_slept_on() -> None:
    clock = FakeClock()
    poller = _poller(clock, timeout=5, poll_interval=2, max_interval=2)
    clock.sleep(4.5)
    assert poller.next_delay() == 0.5


def test_the_aimed_poll_lands_just_after_the_predicted_completion() -> None:
    clock = FakeClock()
    poller = _poller(clock, max_interval=100)
    poller.observe(_answer("processing", 20))
    clock.sleep(10)
    poller.observe(_answer("processing", 40))
    # 2 %/s from 20 % at t0: 100 % at t0 + 40, 30 s from now; plus the 0.1 s margin
    assert poller.next_delay() == pytest.approx(30.1)


def test_no_aim_from_samples_taken_at_the_same_instant_or_at_100() -> None:
    clock = FakeClock()
    poller = _poller(clock, poll_interval=1, max_interval=50)
    poller.observe(_answer("processing", 10))
    poller.observe(_answer("processing", 20))  # the clock did not move: no rate
    assert poller.next_delay() == 1.0  # the backoff schedule: poll_interval * 2**0
    clock.sleep(5)
    poller.observe(_answer("processing", 100))  # 100 but not completed: nothing left to aim at
    assert poller.next_delay() == 2.0


def test_answers_without_an_integer_progress_are_not_aimed_at() -> None:
    clock = FakeClock()
    poller = _poller(clock, poll_interval=1, max_interval=50)
    for progress in (None, True, None):
        poller.observe(_answer("processing", progress))
        clock.sleep(1)
    assert poller.samples == []
    assert poller.next_delay() == 1.0


# ---------------------------------------------------------------------------------------------- _validate
# The schema preparation runs once, at import; mutmut tests mutants in a process that imported the
# module already, so these helpers are called here directly on small schemas.


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


JSON_TYPES: list[tuple[object, str]] = [(None, "null"), (True, "boolean"), (1, "integer"), (1.5, "number")]
JSON_TYPES += [("s", "string"), ([], "array"), ((1,), "array"), ({}, "object"), (b"x", "bytes")]


@pytest.mark.parametrize(("value", "expected"), JSON_TYPES)
def test_json_type_names(value: object, expected: str) -> None:
    assert _json_type(value) == expected


def test_long_values_are_shortened_to_60_characters() -> None:
    assert _shown("a" * 58) == "'" + "a" * 58 + "'"  # 60 with the quotes: shown whole
    long = _shown("a" * 59)
    assert long == "'" + "a" * 56 + "..."
    assert len(long) == 60


def test_path_and_join() -> None:
    assert _path(["data", 3, "data", "email"]) == "data[3].data.email"
    assert _path([]) == ""
    assert _join("", "email") == "email"
    assert _join("data[0]", "email") == "data[0].email"


def test_assumed_subschemas_are_made_binding() -> None:
    node = {
        "type": "object",
        "x-assumed": {"required": ["a"]},
        "allOf": [{"minProperties": 1}],
        "properties": {"p": {"type": "integer", "x-assumed": {"minimum": 1}}, "q": [{"x-assumed": {"const": 2}}]},
    }
    assert _promote_assumed(node) == {
        "type": "object",
        "required": ["a"],
        "allOf": [{"minProperties": 1}],
        "properties": {"p": {"type": "integer", "minimum": 1}, "q": [{"const": 2}]},
    }
    # required lists unite; a keyword the node already has goes in an extra allOf member
    both = {"required": ["a"], "minimum": 0, "x-assumed": {"required": ["a", "b"], "minimum": 1}}
    assert _promote_assumed(both) == {"required": ["a", "b"], "minimum": 0, "allOf": [{"minimum": 1}]}
    assert _promote_assumed(3) == 3


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
