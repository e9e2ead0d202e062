"""The documented request limits (10 MiB, 100 MiB with files, 10,000 profiles) and chunk_profiles, which cuts a
batch to fit them in the client's format."""

from __future__ import annotations

import itertools
import logging

import altcraft
import httpx
import orjson
import pytest
from altcraft import (
    Altcraft,
    InvalidInput,
    RequestTooLarge,
    chunk_profiles,
)
from altcraft._limits import (
    DEFAULT_CHUNK_BYTES,
    RECOMMENDED_ITEMS,
    check_body_size,
    check_chunk_limits,
    item_size,
    warn_if_many,
)
from altcraft._schema import BATCH_OPERATIONS, OPERATIONS, request_shape
from altcraft._xml import encode_request
from altcraft_mock import MockApp, transport

from ..conftest import BASE, TOKEN
from .fakes import BATCH


class Refuse(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")


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


def test_body_over_10_mb_is_refused_before_sending() -> None:
    big = {"trigger_id": 1, "data": [{"data": {"email": "a@b.c", "blob": "x" * (11 << 20)}}]}
    with Altcraft(BASE, TOKEN, transport=Refuse()) as c, pytest.raises(RequestTooLarge) as err:
        c.import_and_start_batch(big)
    assert err.value.limit == 10 << 20 and err.value.size is not None and err.value.size > 11 << 20
    assert str(err.value.limit) in str(err.value) and str(err.value.size) in str(err.value)


def test_files_raise_the_limit_to_100_mb(app: MockApp) -> None:
    attach = [{"name": "f", "data": "data:application/octet-stream;base64," + "A" * (11 << 20)}]
    with Altcraft(BASE, TOKEN, transport=transport(app)) as c:
        assert c.import_and_start_batch({**BATCH, "attach": attach}).error == 0
    with Altcraft(BASE, TOKEN, transport=Refuse()) as c, pytest.raises(RequestTooLarge) as err:
        c.import_and_start_batch({**BATCH, "attach": [{"name": "f", "data": "data:," + "A" * (101 << 20)}]})
    assert err.value.limit == 100 << 20


def test_the_many_profiles_warning_names_the_operation_and_the_numbers(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="altcraft"):
        warn_if_many("import_and_start_batch", 10_000)
        assert caplog.records == []
        warn_if_many("import_and_start_batch", 10_001)
    assert [r.getMessage() for r in caplog.records] == [
        "import_and_start_batch: 10001 profiles in one request; the docs recommend at most 10000 "
        "(see altcraft.chunk_profiles)"
    ]


def test_more_than_10000_profiles_logs_a_warning(app: MockApp, caplog: pytest.LogCaptureFixture) -> None:
    items = [{"data": {"email": f"p{i}@x.io"}} for i in range(10_001)]
    with Altcraft(BASE, TOKEN, transport=transport(app)) as c, caplog.at_level(logging.WARNING, "altcraft"):
        c.import_and_start_batch({"trigger_id": 13, "data": items})
    assert any("10001 profiles" in r.getMessage() for r in caplog.records)


def test_the_warning_boundary_is_10000_profiles_exactly(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"error": 0, "error_text": "ok", "result": []})

    items = [{"data": {"email": f"p{i}@x.io"}} for i in range(10_000)]
    with Altcraft(BASE, TOKEN, transport=httpx.MockTransport(handler)) as client, caplog.at_level(logging.WARNING):
        client.import_and_start_batch({"trigger_id": 1, "data": items})
        assert not [r for r in caplog.records if "recommend" in r.getMessage()]
        client.import_and_start_batch({"trigger_id": 1, "data": [*items, {"data": {"email": "x@y.z"}}]})
        assert [r for r in caplog.records if "recommend" in r.getMessage()]


# -- chunking ------------------------------------------------------------------------------------------------


def test_chunk_profiles_by_count_and_size() -> None:
    items = [{"data": {"email": f"p{i}@x.io", "pad": "x" * 100}} for i in range(2500)]
    by_count = list(chunk_profiles(items, max_items=1000))
    assert [len(c) for c in by_count] == [1000, 1000, 500]
    by_size = list(chunk_profiles(items, max_bytes=50_000))
    assert sum(map(len, by_size)) == 2500 and all(len(altcraft._serialize.dumps(c)) <= 50_000 for c in by_size)
    assert [x for c in by_size for x in c] == items
    by_xml = list(chunk_profiles(items, max_bytes=50_000, format="xml"))
    assert len(by_xml) >= len(by_size)
    with pytest.raises(RequestTooLarge, match="item 1"):
        list(chunk_profiles([{"data": {}}, {"data": {"x": "y" * 1000}}], max_bytes=500))


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
    assert item_size("xml")(item) == len(one) - len(empty)


def test_a_bad_xml_name_in_a_chunked_item_names_the_field_from_data() -> None:
    with pytest.raises(InvalidInput) as err:
        list(chunk_profiles([{"data": {"em ail": "x"}}], format="xml"))
    assert err.value.field.startswith("data.")
    assert err.value.field.endswith("em ail")


def test_an_unknown_chunk_format_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^format must be 'json' or 'xml', not 'csv'$"):
        list(chunk_profiles([{"data": {}}], format="csv"))  # type: ignore[arg-type]


def test_chunks_follow_the_clients_format() -> None:
    items = [
        {"data": {"email": f"p{i}@x.io", "subscriptions": [{"channel": "email", "email": "e", "resource_id": 1}] * 4}}
        for i in range(3000)
    ]
    sent: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(len(request.content))
        return httpx.Response(200, json={"error": 0, "error_text": "ok", "result": []})

    with Altcraft(BASE, TOKEN, format="xml", transport=httpx.MockTransport(handler)) as client:
        chunks = list(client.chunks(items, max_bytes=200_000))
        json_chunks = list(Altcraft(BASE, TOKEN).chunks(items, max_bytes=200_000))
        assert len(chunks) > len(json_chunks)  # XML is larger: more chunks
        for chunk in chunks:
            client.import_and_start_batch({"trigger_id": 1, "data": chunk})
    assert max(sent) <= 200_000 + 1024  # the items fit; the rest is the request's own fields
    assert DEFAULT_CHUNK_BYTES < 10 << 20


def test_chunk_size_is_checked_against_the_limit_in_xml() -> None:
    big = [{"data": {"email": f"p{i}@x.io", "note": "<&>" * 300}} for i in range(12_000)]
    with Altcraft(BASE, TOKEN, format="xml", transport=httpx.MockTransport(lambda r: httpx.Response(500))) as c:
        for chunk in c.chunks(big):
            body = {"trigger_id": 1, "data": chunk}
            try:
                c._build("import_and_start_batch", body, None)
            except RequestTooLarge as exc:  # pragma: no cover - the failure this test exists for
                raise AssertionError(f"a chunk of {len(chunk)} items is over the limit in XML") from exc


@pytest.mark.parametrize(
    ("max_items", "max_bytes", "bounded_by", "field"),
    [
        (0, 5, None, "max_items"),
        (5, 0, None, "max_bytes"),
        (0, 1, "bulk_import", "max_items"),
        (RECOMMENDED_ITEMS + 1, 1, "bulk_import", "max_items"),
        (1, 0, "bulk_import", "max_bytes"),
        (1, DEFAULT_CHUNK_BYTES + 1, "bulk_import", "max_bytes"),
    ],
)
def test_a_chunk_limit_out_of_range_is_refused_naming_its_field(
    max_items: int, max_bytes: int, bounded_by: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_chunk_limits(max_items, max_bytes, bounded_by=bounded_by)
    assert caught.value.field == field


@pytest.mark.parametrize("bounded_by", [None, "bulk_import"])
def test_the_smallest_and_the_documented_chunk_limits_are_accepted(bounded_by: str | None) -> None:
    check_chunk_limits(1, 1, bounded_by=bounded_by)
    check_chunk_limits(RECOMMENDED_ITEMS, DEFAULT_CHUNK_BYTES, bounded_by=bounded_by)


def test_the_operations_with_a_profile_limit_are_those_that_send_a_list_of_profiles() -> None:
    with_a_list = {op for op in OPERATIONS if (d := request_shape(op).properties.get("data")) and d.items}
    assert with_a_list == BATCH_OPERATIONS
    assert {
        "import_and_start_batch",
        "import_and_start_batch_task",
        "workflow_import_and_start_batch_task",
    } == BATCH_OPERATIONS
