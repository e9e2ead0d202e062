"""`scripts/docs diff OLD NEW` names what changed between two sets of pages, and only that."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from .pages import copy_pages, edit_line, landed_pages, run_docs, run_json

EN = "en_v72_triggers_import_and_start_batch.txt"
RU_TASK = "ru_v72_triggers_import_and_start_batch_task.txt"


def _diff(old: Path, new: Path) -> tuple[int, list[dict[str, Any]]]:
    return run_json("diff", str(old), str(new))


def test_the_same_pages_have_no_difference(tmp_path: Path) -> None:
    code, changes = _diff(landed_pages(), copy_pages(tmp_path / "new"))
    assert (code, changes) == (0, [])
    done = run_docs("diff", str(landed_pages()), str(tmp_path / "new"))
    assert done.returncode == 0 and done.stdout == "" and "0 difference(s)" in done.stderr


def test_an_added_row_is_named(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(
        new / EN,
        "detect_geobooltrueNoDetect location by _regip or _ip from data object\n",
        "detect_geobooltrueNoDetect location by _regip or _ip from data object\n"
        "send_at_onceboolfalseNoSend without waiting for the timeout\n",
    )
    code, changes = _diff(landed_pages(), new)
    assert code == 1
    assert [(c["operation"], c["page"], c["name"], c["change"], c["kind"]) for c in changes] == [
        ("import_and_start_batch", EN, "send_at_once", "added", "param")
    ]
    assert changes[0]["line"] == 51


def test_a_removed_row_is_named(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(new / RU_TASK, "resource_idint24НетИдентификатор ресурса для поиска по email и phone\n", "")
    code, changes = _diff(landed_pages(), new)
    assert code == 1
    assert [(c["operation"], c["name"], c["change"]) for c in changes] == [
        ("import_and_start_batch_task", "resource_id", "removed")
    ]


def test_a_changed_required_cell_and_type_cell(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(new / RU_TASK, "resource_idint24НетИдентификатор", "resource_idstring24ДаИдентификатор")
    code, changes = _diff(landed_pages(), new)
    assert code == 1
    assert sorted((c["name"], c["change"], c["field"], c["old"], c["new"]) for c in changes) == [
        ("resource_id", "changed", "required", "Нет", "Да"),
        ("resource_id", "changed", "type", "int", "string"),
    ]


def test_a_changed_example_and_description(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(new / EN, "trigger_idint13YesTrigger campaign ID", "trigger_idint14YesThe trigger campaign ID")
    _, changes = _diff(landed_pages(), new)
    assert sorted((c["field"], c["old"], c["new"]) for c in changes) == [
        ("description", "Trigger campaign ID", "The trigger campaign ID"),
        ("example", "13", "14"),
    ]


def test_a_reflowed_description_is_not_a_difference(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(
        new / EN,
        "NoTrigger start timeout. Specify the days, hours, and minutes to set the timeout period.",
        "NoTrigger start timeout.   Specify the days,\nhours, and minutes   to set the timeout period.  ",
    )
    assert _diff(landed_pages(), new) == (0, [])


def test_pages_are_matched_by_operation_and_language_not_by_file_name(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    shutil.move(new / EN, new / "bulk_import_trigger_launch_english.txt")
    assert _diff(landed_pages(), new) == (0, [])
    # The RU twin of the same operation is another page: its rows are not compared with the EN ones.
    (new / "bulk_import_trigger_launch_english.txt").unlink()
    code, changes = _diff(landed_pages(), new)
    assert code == 1 and {c["change"] for c in changes} == {"removed"}
    assert {c["page"] for c in changes} == {EN}


def test_a_changed_enumerated_value(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(
        new / "ru_v74_profiles_import.txt", '"push_sub" – по пуш подписке', '"push_subscription" – по пуш подписке'
    )
    _, changes = _diff(landed_pages(), new)
    assert sorted((c["name"], c["change"], c["kind"], c["field"]) for c in changes) == [
        ("matching", "changed", "param", "example"),  # the Example cell lists the values
        ("matching=push_sub", "removed", "value", ""),
        ("matching=push_subscription", "added", "value", ""),
    ]


def test_text_output_is_one_line_per_change(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(new / RU_TASK, "resource_idint24Нет", "resource_idint24Да")
    done = run_docs("diff", str(landed_pages()), str(new))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{RU_TASK}:78: import_and_start_batch_task (ru): param resource_id: required changed: 'Нет' -> 'Да'"
    ]


RU = "ru_v72_triggers_import_and_start_batch.txt"


def test_a_description_reflowed_onto_a_line_that_looks_like_a_section(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(
        new / RU, "НетДанные для Захвата событий (Action hooks)\n", "НетДанные для\nЗахвата событий (Action hooks)\n"
    )
    assert _diff(landed_pages(), new) == (0, [])


def test_two_pages_of_one_operation_and_language_are_each_compared(tmp_path: Path) -> None:
    """A second page file for the same (operation, language, version) does not hide the first's changes."""
    old = copy_pages(tmp_path / "old")
    shutil.copy(old / EN, old / EN.replace(".txt", "_copy.txt"))
    new = copy_pages(tmp_path / "new")
    shutil.copy(new / EN, new / EN.replace(".txt", "_copy.txt"))
    edit_line(new / EN, "trigger_idint13YesTrigger campaign ID", "trigger_idint14YesTrigger campaign ID")
    code, changes = _diff(old, new)
    assert code == 1
    assert [(c["page"], c["name"], c["field"], c["new"]) for c in changes] == [(EN, "trigger_id", "example", "14")]


def test_a_json_example_laid_out_anew_is_not_a_difference(tmp_path: Path) -> None:
    new = copy_pages(tmp_path / "new")
    edit_line(new / EN, '"days": 0,\n"hours": 0,\n"minutes": 5\n', '"days":0,"hours":0,\n   "minutes":5\n')
    assert _diff(landed_pages(), new) == (0, [])
    edit_line(new / EN, '"minutes":5', '"minutes":6')
    _, changes = _diff(landed_pages(), new)
    assert sorted((c["name"], c["field"]) for c in changes) == [("timeout", "example"), ("timeout.minutes", "example")]
    assert [c["new"] for c in changes if c["name"] == "timeout.minutes"] == ["6"]
