"""The sans-I/O core of bulk import: chunking, transitions, counts, resume; and the journal behind it."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from altcraft import (
    BadRequest,
    InvalidInput,
    OutcomeUnknown,
    ServerError,
    TaskFailed,
    TaskTimeout,
    TransportError,
    Unauthorized,
)
from altcraft._errors import AltcraftError
from altcraft.bulk._core import ImportCore
from altcraft.bulk._journal import Journal
from altcraft.bulk._outcomes import (
    Accepted,
    Imported,
    NotSent,
    Refused,
    StillRunning,
    Unknown,
    classify_send_error,
    classify_wait_error,
    profile_ids,
)
from altcraft.bulk._report import ImportReport
from altcraft.bulk._rows import Chunk
from altcraft.bulk._run import Driver
from altcraft.bulk._states import JournalMismatch, decode_ids
from altcraft.bulk._target import make_target
from hypothesis import given, settings
from hypothesis import strategies as st

TRIGGER = make_target(trigger_id=13, workflow_id=None, db_id=None, task=True, matching="email", params=None)
PROFILES = make_target(trigger_id=None, workflow_id=None, db_id=1, task=False, matching="email", params=None)


def rows(n: int, bad: frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """n batch items; the 1-based rows in ``bad`` have ``subscriptions`` that is not an array (a page-stated type:
    an email of the wrong type is only warned about, since the pages show that type in examples only)."""
    return [
        {"data": {"email": f"r{i}@example.com", **({"subscriptions": 5} if i in bad else {})}} for i in range(1, n + 1)
    ]


def core(**kwargs: Any) -> ImportCore:
    kwargs.setdefault("rng", random.Random(1))
    return ImportCore(kwargs.pop("target", TRIGGER), **kwargs)


def ids(n: int) -> Imported:
    return Imported(tuple(f"p{i}" for i in range(n)))


# -- targets ------------------------------------------------------------------------------------------------


def test_target_needs_exactly_one_destination() -> None:
    with pytest.raises(InvalidInput, match="exactly one"):
        make_target(trigger_id=1, workflow_id=2, db_id=None, task=True, matching=None, params=None)
    with pytest.raises(InvalidInput, match="exactly one"):
        make_target(trigger_id=None, workflow_id=None, db_id=None, task=True, matching=None, params=None)
    with pytest.raises(InvalidInput, match="only as a task"):
        make_target(trigger_id=None, workflow_id=2, db_id=None, task=False, matching=None, params=None)
    with pytest.raises(InvalidInput, match="'data'"):
        make_target(trigger_id=1, workflow_id=None, db_id=None, task=True, matching=None, params={"data": []})
    assert TRIGGER.operation == "import_and_start_batch_task"
    assert make_target(
        trigger_id=1, workflow_id=None, db_id=None, task=False, matching=None, params=None
    ).operation == ("import_and_start_batch")
    assert PROFILES.operation == "import_profile" and PROFILES.per_row


# -- chunking -----------------------------------------------------------------------------------------------


def test_chunks_cover_every_row_once_within_the_item_limit() -> None:
    c = core(max_items=7)
    chunks = list(c.plan(rows(30, bad=frozenset({3, 15}))))
    assert [ch.sent_count for ch in chunks] == [7, 7, 7, 7]
    covered = [r for ch in chunks for r in range(ch.first_row, ch.first_row + ch.row_count)]
    assert covered == list(range(1, 31))
    assert chunks[0].local == [(3, "data.subscriptions", "data.subscriptions must be of type array, not integer")]
    assert chunks[1].local[0][:2] == (15, "data.subscriptions") and chunks[1].first_row == 9
    assert [ch.id for ch in chunks] == [1, 2, 3, 4]
    assert c.rows_read == 30


def test_plain_rows_are_checked_by_chunk_with_the_same_refusals() -> None:
    """plain_rows validates a JSON chunk at once, and row by row only a chunk that fails: the same rows are
    refused for the same reasons, every row is covered once, and the digests are those of the slow path."""
    data: list[Any] = [*rows(30, bad=frozenset({3, 15, 16})), {"data": {"_fname": "no email"}}, "not an object"]
    slow = list(core(max_items=7).plan(data))
    fast = list(core(max_items=7, plain_rows=True).plan(data))
    assert [r for ch in fast for r in ch.local] == [r for ch in slow for r in ch.local]
    assert [r[0] for ch in fast for r in ch.local] == [3, 15, 16, 31, 32]
    assert [ch.sent_count for ch in fast] == [6, 7, 5, 7, 2]  # refused rows count until their chunk is checked
    covered = [r for ch in fast for r in range(ch.first_row, ch.first_row + ch.row_count)]
    assert covered == list(range(1, 33))
    assert [i for ch in fast for i in ch.items] == [i for ch in slow for i in ch.items]
    whole = next(iter(core(max_items=100, plain_rows=True).plan(data)))
    assert whole.digest == next(iter(core(max_items=100).plan(data))).digest


def test_chunks_stay_within_the_byte_limit_in_the_encoding_sent() -> None:
    big = [{"data": {"email": f"r{i}@example.com", "note": "x" * 1000}} for i in range(50)]
    for fmt in ("json", "xml"):
        c = core(max_bytes=8000, format=fmt)
        chunks = list(c.plan(big))
        assert sum(ch.sent_count for ch in chunks) == 50
        assert all(1 <= ch.sent_count <= 7 for ch in chunks), [ch.sent_count for ch in chunks]


def test_a_row_alone_over_the_byte_limit_is_rejected_locally() -> None:
    c = core(max_bytes=4000)
    chunks = list(c.plan([{"data": {"email": "a@b.c", "note": "x" * 5000}}, *rows(2)]))
    assert chunks[0].local[0][0] == 1 and "bytes" in chunks[0].local[0][2]


def test_rows_that_are_not_objects_are_rejected_locally() -> None:
    chunks = list(core().plan(["text", None, *rows(1)]))
    assert [r[:2] for r in chunks[0].local] == [(1, "row"), (2, "row")]


def test_a_bad_import_parameter_refuses_the_whole_import() -> None:
    target = make_target(trigger_id=13, workflow_id=None, db_id=None, task=True, matching="email", params={"x": 1})
    with pytest.raises(InvalidInput, match="unknown parameter"):
        list(core(target=target).plan(rows(3)))


def test_per_row_mode_sends_one_row_per_chunk_with_the_root_fields() -> None:
    c = core(target=PROFILES)
    data = [{"data": {}}, {"email": "a@b.c", "data": {}}, {"data": {}}, {"email": "c@d.e", "db_id": 2, "data": {}}]
    data.append({"phone": "+79000000000", "email": "e@f.g", "data": {}})
    chunks = list(c.plan(data))
    # A row without a root email is sent (the per-mode fields are only assumed: a warning); a row that
    # overrides db_id is refused locally and rides with the chunk before it.
    assert [(ch.first_row, ch.row_count, ch.sent_count) for ch in chunks] == [
        (1, 1, 1),
        (2, 1, 1),
        (3, 2, 1),
        (5, 1, 1),
    ]
    assert chunks[1].body(PROFILES) == {"email": "a@b.c", "data": {}, "db_id": 1, "matching": "email"}
    assert [r[:2] for ch in chunks for r in ch.local] == [(4, "db_id")]


# -- transitions --------------------------------------------------------------------------------------------


def started(c: ImportCore, n: int = 5) -> Chunk:
    chunk = next(iter(c.plan(rows(n))))
    write = c.begin(chunk)
    assert write.state == "sending" and write.insert is chunk
    return chunk


def test_done_when_the_server_lists_one_profile_per_row() -> None:
    c = core(target=make_target(trigger_id=1, workflow_id=None, db_id=None, task=False, matching=None, params=None))
    chunk = started(c)
    assert c.counts.pending == 5 and c.in_flight == 1
    step = c.sent(chunk.id, ids(5), now=0)
    assert step.action == "done" and step.write is not None and step.write.state == "done"
    assert decode_ids(step.write.result) == [f"p{i}" for i in range(5)]
    assert (c.counts.imported, c.counts.pending, c.in_flight) == (5, 0, 0)


def test_unconfirmed_when_the_server_lists_fewer_profiles() -> None:
    c = core()
    chunk = started(c)
    c.sent(chunk.id, Accepted("t1"), now=0)
    step = c.waited(chunk.id, ids(4))
    assert step.write is not None and step.write.state == "unconfirmed"
    assert "4 imported profile(s) for 5 sent" in (step.write.reason or "")
    assert (c.counts.unconfirmed, c.counts.imported) == (5, 0)


def test_accepted_then_waited() -> None:
    c = core()
    chunk = started(c)
    step = c.sent(chunk.id, Accepted("t1"), now=0)
    assert step.action == "wait" and step.task_id == "t1" and step.write is not None
    assert step.write.state == "accepted" and step.write.task_id == "t1"
    assert (c.in_flight, c.waiting, c.counts.pending) == (0, 1, 5)
    still = c.waited(chunk.id, StillRunning("deadline"))
    assert still.write is None and c.counts.pending == 5  # stays accepted: resume waits for it


def test_refused_rejects_the_rows_with_code_and_text() -> None:
    c = core()
    chunk = started(c)
    step = c.sent(chunk.id, Refused(404, "Trigger not found"), now=0)
    assert step.write is not None and step.write.state == "rejected"
    assert step.write.reason == "error 404: Trigger not found"
    assert c.counts.rejected == 5


def test_unknown_is_final_and_never_retried() -> None:
    c = core()
    chunk = started(c)
    step = c.sent(chunk.id, Unknown("no answer"), now=0)
    assert step.action == "done" and step.write is not None and step.write.state == "unknown"
    assert c.counts.unknown == 5


def test_not_sent_is_retried_with_backoff_then_stops_as_unsent() -> None:
    c = core(max_attempts=3)
    chunk = started(c)
    delays = []
    for _ in range(2):
        step = c.sent(chunk.id, NotSent("refused"), now=0)
        assert step.action == "retry" and step.write is not None and step.write.state == "sending"
        delays.append(step.delay)
    assert all(0 < d <= 30 for d in delays)
    step = c.sent(chunk.id, NotSent("refused"), now=0)
    assert step.action == "stop" and step.write is not None and step.write.state == "unsent"
    assert c.stopped and c.counts.pending == 5


def test_retry_after_is_honoured() -> None:
    c = core()
    chunk = started(c)
    step = c.sent(chunk.id, NotSent("429", retry_after=7.5), now=100)
    assert step.delay == 7.5 and c.pause_until == 107.5
    step = c.sent(chunk.id, Unknown("503", retry_after=3.0), now=101)
    assert step.write is not None and step.write.state == "unknown" and c.pause_until == 107.5


def test_fatal_refusal_stops_without_retry() -> None:
    c = core()
    chunk = started(c)
    step = c.sent(chunk.id, NotSent("401", fatal=True), now=0)
    assert step.action == "stop" and step.write is not None and step.write.state == "unsent"


def test_counts_add_up_over_a_mixed_run() -> None:
    c = core(max_items=10)
    outcomes = [Accepted("t"), Refused(400, "bad"), Unknown("lost"), Accepted("u"), NotSent("x", fatal=True)]
    chunks = list(c.plan(rows(50, bad=frozenset({4, 44}))))
    for chunk, outcome in zip(chunks, outcomes, strict=True):
        c.begin(chunk)
        c.sent(chunk.id, outcome, now=0)
    c.waited(1, ids(chunks[0].sent_count))
    c.waited(4, ids(3))
    n = c.counts
    assert (n.imported, n.rejected, n.unknown, n.unconfirmed, n.pending) == (10, 2 + 10, 10, 10, 8)
    assert n.total() == 50


# -- classification -----------------------------------------------------------------------------------------


def test_exceptions_are_classified_by_what_they_prove() -> None:
    assert isinstance(classify_send_error(OutcomeUnknown("x")), Unknown)
    assert isinstance(classify_send_error(ServerError("x", http_status=503, code=503)), Unknown)
    assert isinstance(classify_send_error(TransportError("x")), NotSent)
    refused = classify_send_error(BadRequest("x", code=400, error_text="Invalid request", http_status=400))
    assert refused == Refused(400, "Invalid request", 400)
    assert classify_send_error(BadRequest("x", code=404, error_text="Trigger not found", http_status=200)) == Refused(
        404, "Trigger not found", 200
    )
    fatal = classify_send_error(Unauthorized("x", code=401, http_status=401))
    assert isinstance(fatal, NotSent) and fatal.fatal
    too_many = AltcraftError("x", code=429, http_status=429)
    too_many.retry_after = 2  # type: ignore[attr-defined]
    assert classify_send_error(too_many) == NotSent("refused, too many requests: x", 2.0)
    assert isinstance(classify_send_error(RuntimeError("bug")), Unknown)
    failed = TaskFailed("x", task_id="t", status="failed", code=404, error_text="Trigger not found")
    assert classify_wait_error(failed) == Refused(404, "task t failed: Trigger not found")
    assert isinstance(classify_wait_error(TaskTimeout("x", task_id="t", last_status=None, progress=None)), StillRunning)
    assert isinstance(classify_wait_error(TransportError("x")), Unknown)


# -- journal and resume -------------------------------------------------------------------------------------


def run_part(tmp_path: Path, data: list[dict[str, Any]], outcomes: list[Any], **kwargs: Any) -> Journal:
    """Begin every chunk (journaled), then apply the given outcomes to the first ones; no report."""
    j = Journal(tmp_path / "j.db")
    c = core(journaled=j.open_run(TRIGGER.key(), kwargs.pop("input_id", None)), max_items=10, **kwargs)
    for w in c.startup()[0]:
        j.apply(w)
    for chunk in c.plan(data):
        j.apply(c.begin(chunk))
    for chunk_id, outcome in enumerate(outcomes, start=1):
        if outcome is not None:
            j.apply(c.sent(chunk_id, outcome, now=0).write)  # type: ignore[arg-type]
    return j


def test_resume_turns_sending_into_unknown_waits_for_accepted_and_skips_journaled_rows(tmp_path: Path) -> None:
    data = rows(40)
    run_part(tmp_path, data, [Accepted("t1"), ids(10), None, NotSent("x", fatal=True)]).close()
    j = Journal(tmp_path / "j.db")
    c = core(journaled=j.open_run(TRIGGER.key(), None), max_items=10)
    writes, waits, resend = c.startup()
    assert [(w.chunk_id, w.state) for w in writes] == [(3, "unknown")]
    assert waits == [(1, "t1")]
    assert [r.id for r in resend] == [4]  # unsent: proven not processed, sent again
    for w in writes:
        j.apply(w)
    chunks = list(c.plan([*data, *rows(45)[40:]]))
    assert [(ch.id, ch.first_row, ch.resend) for ch in chunks] == [(4, 31, True), (5, 41, False)]
    j.apply(c.begin(chunks[0]))
    n = c.counts
    assert (n.imported, n.unknown, n.pending) == (10, 10, 20) and n.total() == 40
    assert j.counts() == n


def test_unknown_chunks_are_sent_again_only_with_resend_unknown(tmp_path: Path) -> None:
    data = rows(20)
    run_part(tmp_path, data, [Unknown("lost"), ids(10)]).close()
    j = Journal(tmp_path / "j.db")
    plain = core(journaled=j.open_run(TRIGGER.key(), None), max_items=10)
    plain.startup()
    assert list(plain.plan(data)) == []
    again = core(journaled=j.open_run(TRIGGER.key(), None), max_items=10, resend_unknown=True)
    assert [c.id for c in again.startup()[2]] == [1]
    chunks = list(again.plan(data))
    assert [(c.id, c.resend, c.sent_count) for c in chunks] == [(1, True, 10)]
    write = again.begin(chunks[0])
    assert write.state == "sending" and write.attempts == 2 and write.insert is None


def test_resume_refuses_another_input_or_other_parameters(tmp_path: Path) -> None:
    data = rows(20)
    run_part(tmp_path, data, [ids(10)], input_id="file-a").close()
    j = Journal(tmp_path / "j.db")
    with pytest.raises(JournalMismatch, match="input 'file-a'"):
        j.open_run(TRIGGER.key(), "file-b")
    with pytest.raises(JournalMismatch, match="another import"):
        j.open_run(PROFILES.key(), "file-a")
    c = core(journaled=j.open_run(TRIGGER.key(), "file-a"), max_items=10)
    c.startup()
    changed = [dict(r) for r in data]
    changed[12] = {"data": {"email": "someone-else@example.com"}}
    with pytest.raises(JournalMismatch, match="rows 11-20 differ"):
        list(c.plan(changed))
    c = core(journaled=j.open_run(TRIGGER.key(), "file-a"), max_items=10)
    c.startup()
    with pytest.raises(JournalMismatch, match="input ends at row 15"):
        list(c.plan(data[:15]))


def test_report_rows_add_up_and_are_written_as_jsonl_and_csv(tmp_path: Path) -> None:
    j = run_part(tmp_path, rows(30, bad=frozenset({2})), [ids(10), Unknown("lost"), Accepted("t")])
    report = ImportReport(j, rows_read=30, input_done=True, stopped=None, elapsed=1.0)
    assert (report.imported, report.rejected, report.unknown, report.pending, report.rows) == (10, 1, 10, 9, 30)
    assert not report.complete
    results = list(report.results())
    assert [r.row for r in results] == list(range(1, 31))
    assert results[0].profile_id == "p0" and results[2].profile_id == "p1"
    assert results[1].state == "rejected" and results[1].field == "data.subscriptions"
    assert results[10].profile_id == "p9"
    assert {r.state for r in results[11:21]} == {"unknown"}
    assert "task t not finished" in (results[25].reason or "")
    assert report.write(tmp_path / "out.jsonl") == 30
    assert report.write(tmp_path / "out.csv") == 30
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "row,state,profile_id,reason" and lines[1] == "1,imported,p0,"
    first = (tmp_path / "out.jsonl").read_text().splitlines()[0]
    assert first == '{"row":1,"state":"imported","profile_id":"p0","reason":null}'
    report.close()


_ROW = st.one_of(
    st.builds(
        lambda i, pad: {"data": {"email": f"r{i}@example.com", "note": "x" * pad}},
        st.integers(0, 99),
        st.sampled_from([0, 0, 0, 40, 300, 2000]),
    ),
    st.just({"data": {"email": 5}}),  # refused by validation
    st.just({"data": {"_fname": "no email"}}),  # no search key
    st.just("not an object"),
    st.just({"data": {"email": "big@example.com", "note": "y" * 5000}}),  # alone over the byte limit
)


@contextlib.contextmanager
def _row_by_row() -> Iterator[None]:
    """Plain rows placed one by one: the block path (``plain_block``) declines every block."""
    import altcraft.bulk._core as core_module

    saved = core_module.plain_block
    core_module.plain_block = lambda block, limit: None  # type: ignore[assignment]
    try:
        yield
    finally:
        core_module.plain_block = saved


@settings(max_examples=200, deadline=None)
@given(data=st.lists(_ROW, max_size=60), max_items=st.integers(1, 12), max_bytes=st.sampled_from([4000, 6000, 60_000]))
def test_rows_placed_a_block_at_a_time_make_the_chunks_of_row_by_row(
    data: list[Any], max_items: int, max_bytes: int
) -> None:
    """The block path of plain rows (list operations over up to BLOCK_ROWS rows) cuts the same chunks, with the
    same items, refusals, counts and digests, as placing the same rows one by one."""

    def chunks() -> list[tuple[Any, ...]]:
        c = core(max_items=max_items, max_bytes=max_bytes, plain_rows=True)
        planned = [(ch.id, ch.first_row, ch.row_count, ch.items, ch.local, ch.digest) for ch in c.plan(data)]
        return [*planned, c.rows_read]

    by_blocks = chunks()
    with _row_by_row():
        assert by_blocks == chunks()


def test_a_chunk_filled_to_the_last_byte_is_cut_alike_by_both_paths() -> None:
    """Rows that fill a chunk's byte room exactly: three per chunk whichever way they are placed."""
    import altcraft.bulk._core as core_module

    row = {"data": {"email": "r@example.com", "note": "x" * 400}}
    per_row = len(orjson.dumps(row)) + 1  # its bytes and a comma
    root_share = core_module.DEFAULT_CHUNK_BYTES - core(plain_rows=True)._builder.max_bytes  # root fields, token
    max_bytes = 3 * per_row + 2 + root_share
    c = core(plain_rows=True, max_bytes=max_bytes)
    assert c._builder.max_bytes == 3 * per_row + 2  # "[" and "]", then exactly three rows
    assert [ch.sent_count for ch in c.plan([row] * 10)] == [3, 3, 3, 1]
    with _row_by_row():
        assert [ch.sent_count for ch in core(plain_rows=True, max_bytes=max_bytes).plan([row] * 10)] == [3, 3, 3, 1]


# -- reading the answers (decoded JSON, no models) -------------------------------------------------------


def _status(**result: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"status": "completed", "progress": 100}
    if result:
        data["result"] = result
    return {"error": 0, "error_text": "", "data": data}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"error": 0, "result": [{"profile_id": "a"}, {"profile_id": "b", "extra": 1}]}, Imported(("a", "b"))),
        ({"error": 0, "result": [{"profile_id": 7}]}, Imported(("7",))),  # as the model kept it: str()
        ({"error": 0, "result": []}, Imported(())),
        ({"error": 0}, Imported(())),  # no list: nothing confirmed
        ({"error": 0, "profile_id": "one"}, Imported(("one",))),  # /profiles/import
        (_status(error=0, result=[{"profile_id": "t1"}, {"profile_id": "t2"}]), Imported(("t1", "t2"))),
        (_status(), Imported(())),  # a completed task without a result
        (_status(error=0), Imported(())),
    ],
)
def test_profile_ids_read_from_the_decoded_answer(answer: dict[str, Any], expected: Imported) -> None:
    assert profile_ids(answer) == expected


@pytest.mark.parametrize(
    "answer",
    [
        {"error": 0, "result": [{"id": "a"}]},  # no profile_id
        {"error": 0, "result": ["a", "b"]},  # not objects
        {"error": 0, "result": "abc"},
        {"error": 0, "result": None},
        {"error": 0, "result": {"profile_id": "a"}},
        _status(error=0, result=[None]),
        {"error": 0, "data": {"status": "completed", "result": None}},
        {"error": 0, "data": {"status": "completed", "result": ["x"]}},
        ["not", "an", "object"],
    ],
)
def test_an_unreadable_list_of_profiles_makes_the_chunk_unknown(answer: Any) -> None:
    assert isinstance(profile_ids(answer), Unknown)


def test_a_task_send_needs_a_task_id_to_be_accepted(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db")
    driver = Driver(core(), journal, None)
    try:
        assert driver.outcome_of({"error": 0, "task_id": "t-1"}) == Accepted("t-1")
        for answer in ({"error": 0}, {"error": 0, "task_id": ""}, {"error": 0, "task_id": 5}, ["t-1"]):
            outcome = driver.outcome_of(answer)
            assert isinstance(outcome, Unknown) and "no task id" in outcome.reason, answer
        batch = Driver(
            core(
                target=make_target(trigger_id=13, workflow_id=None, db_id=None, task=False, matching=None, params=None)
            ),
            journal,
            None,
        )
        assert batch.outcome_of({"error": 0, "result": [{"profile_id": "p"}]}) == Imported(("p",))
    finally:
        journal.close()


def test_a_row_nested_too_deeply_is_refused_and_the_others_go_on() -> None:
    from altcraft import bulk

    deep: dict[str, object] = {}
    cur = deep
    for _ in range(5000):
        nxt: dict[str, object] = {}
        cur["a"] = nxt
        cur = nxt
    checked = bulk.check_rows(
        [{"data": {"email": "a@example.com", "x": deep}}, {"data": {"email": "b@example.com"}}], trigger_id=1
    )
    assert [(r.row, r.state) for r in checked] == [(1, "rejected")]
    assert checked.rows == 2 and checked.chunks == 1


def test_a_null_row_and_a_row_that_cannot_be_encoded_are_refused_with_their_own_reasons() -> None:
    from altcraft.bulk import check_rows

    checked = check_rows([{"data": {"email": "a@b.c"}}, None, {"data": {"email": {1, 2}}}], trigger_id=13)
    assert [(r.row, r.field, r.reason) for r in checked] == [
        (2, "row", "refused before sending: must be an object, not null"),
        (3, "row", "refused before sending: cannot be encoded as JSON"),
    ]


def test_a_chunk_left_sending_is_reported_as_maybe_processed_and_one_never_sent_as_to_send(tmp_path: Path) -> None:
    j = run_part(tmp_path, rows(30), [None, NotSent("not sent: connection refused", unreached=True)])
    report = ImportReport(j, rows_read=30, input_done=False, stopped="interrupted", elapsed=1.0)
    try:
        results = list(report.results())
        assert {r.reason for r in results[:10]} == {
            "its request was in flight when the run stopped and may have been processed; the next run with the "
            "same journal takes it as unknown and never sends it again"
        }
        assert {r.reason for r in results[10:20]} == {
            "not sent: connection refused; run the import again with the same journal to send it"
        }
        assert {r.state for r in results} == {"pending"}
    finally:
        report.close()


def test_check_rows_cuts_its_chunks_by_max_bytes() -> None:
    from altcraft.bulk import check_rows

    data = [{"data": {"email": f"r{i}@core.test", "_fname": "x" * 200}} for i in range(200)]
    whole, cut = check_rows(data, trigger_id=13), check_rows(data, trigger_id=13, max_bytes=20_000)
    assert list(whole) == list(cut) == []
    assert whole.chunks == 1 and cut.chunks > 2 and cut.bytes <= cut.chunks * 20_000
