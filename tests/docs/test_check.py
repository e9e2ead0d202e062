"""`scripts/docs check` finds each kind of difference between openapi.yaml and the pages, both ways.

Each test changes a copy of the spec or of the pages and asserts the finding that change must cause, so a
check that stopped looking would fail here."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from altcraft_docs.check import Finding, check, page_types, required_reading
from altcraft_docs.extract import extract_dir
from altcraft_docs.spec import Spec

from ..spec_tools import SPEC_PATH
from .pages import copy_pages, edit_line, landed_pages, run_docs, run_json

EN = "en_v72_triggers_import_and_start_batch.txt"
RU_TASK = "ru_v72_triggers_import_and_start_batch_task.txt"


def _spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


def _findings(document: dict[str, Any], pages: Path | None = None) -> list[Finding]:
    return check(Spec(document), extract_dir(pages or landed_pages()))


def _new(document: dict[str, Any], pages: Path | None = None) -> set[tuple[str, str, str, str]]:
    """The findings a changed spec (or changed pages) has that the landed ones do not."""
    before = {(f.operation, f.page, f.name, f.finding) for f in _findings(_spec())}
    return {(f.operation, f.page, f.name, f.finding) for f in _findings(document, pages)} - before


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def test_a_page_parameter_the_spec_drops_is_missing() -> None:
    spec = _spec()
    del _schemas(spec)["ImportFlags"]["properties"]["detect_geo"]
    new = _new(spec)
    pages = {p for op, p, name, kind in new if name == "detect_geo" and kind == "missing"}
    assert pages == {
        EN,
        RU_TASK,
        "ru_v72_triggers_import_and_start_batch.txt",
        "ru_v74_profiles_import.txt",
        "en_v72_workflows_import_and_start_batch_task.txt",
    }


def test_a_parameter_at_another_place_is_elsewhere() -> None:
    spec = _spec()
    trigger = _schemas(spec)["TriggerLaunch"]["properties"]
    trigger["delay"] = trigger.pop("timeout")  # the page's timeout.days now sits at delay.days
    new = _new(spec)
    assert ("import_and_start_batch", EN, "timeout.days", "elsewhere") in new
    assert ("import_and_start_batch", EN, "timeout", "missing") in new
    assert ("import_and_start_batch", "", "delay", "undocumented") in new


def test_a_required_reading_that_differs() -> None:
    spec = _spec()
    _schemas(spec)["ImportFlags"]["required"] = ["skip_triggers"]
    new = _new(spec)
    assert ("import_and_start_batch", EN, "skip_triggers", "required") in new
    spec = _spec()
    _schemas(spec)["TriggerLaunch"].pop("required")
    assert ("import_and_start_batch", EN, "trigger_id", "required") in _new(spec)


def test_a_type_reading_that_differs() -> None:
    spec = _spec()
    _schemas(spec)["ImportFlags"]["properties"]["detect_geo"] = {"type": "string"}
    new = _new(spec)
    assert ("import_profile", "ru_v74_profiles_import.txt", "detect_geo", "type") in new


def test_a_recorded_discrepancy_is_not_a_finding_until_it_is_removed() -> None:
    spec = _spec()
    spec["x-docs-discrepancies"] = [d for d in spec["x-docs-discrepancies"] if d["id"] != "resource-id-required"]
    assert _new(spec) == {
        ("import_and_start_batch", "ru_v72_triggers_import_and_start_batch.txt", "resource_id", "required")
    }


def test_an_entry_about_another_difference_of_the_name_does_not_explain_this_one() -> None:
    # `data-type` also names `data` and the page; it must not hide the `required` difference.
    spec = _spec()
    spec["x-docs-discrepancies"] = [d for d in spec["x-docs-discrepancies"] if d["id"] != "data-required"]
    assert ("import_and_start_batch", EN, "data", "required") in _new(spec)


def test_an_enumerated_value_the_spec_lacks() -> None:
    spec = _spec()
    enum = _schemas(spec)["ProfileMatchingMode"]["enum"]
    enum.remove("push_sub")
    assert ("import_profile", "ru_v74_profiles_import.txt", "matching=push_sub", "value") in _new(spec)


def test_a_spec_property_no_page_prints() -> None:
    spec = _spec()
    props = _schemas(spec)["TriggerLaunch"]["properties"]
    props["priority_boost"] = {"type": "boolean"}
    assert ("import_and_start_batch", "", "priority_boost", "undocumented") in _new(spec)
    props["priority_boost"]["x-assumption"] = "Not on the pages; kept for a reason stated here."
    assert not {f for f in _new(spec) if f[2] == "priority_boost"}
    # Inside an open object (profile data) nothing is undocumented.
    spec = _spec()
    _schemas(spec)["ProfileData"]["properties"]["_nickname"] = {"type": "string"}
    found = {f for f in _new(spec) if "_nickname" in f[2]}
    assert not {f for f in found if f[3] == "undocumented"}
    # ...but an enforced type there must cite its page line (issue 22): uncited, it is a finding; assumed, it is not.
    assert found == {("import_and_start_batch", "", "#/components/schemas/ProfileData/properties/_nickname", "uncited")}
    _schemas(spec)["ProfileData"]["properties"]["_nickname"] = {
        "x-assumed": {"type": "string"},
        "x-assumption": "No page prints it; a string is assumed.",
    }
    assert not {f for f in _new(spec) if "_nickname" in f[2]}


def test_a_citation_to_no_line_or_to_a_line_that_names_something_else() -> None:
    spec = _spec()
    trigger = _schemas(spec)["TriggerLaunch"]
    trigger["x-source"] = f"{EN} l.999"
    assert {f[3] for f in _new(spec)} == {"citation"}
    trigger["x-source"] = f"{EN} l.25"  # the token row, not trigger_id
    new = _new(spec)
    assert new == {("", EN, "#/components/schemas/TriggerLaunch", "citation")}
    trigger["x-source"] = "no_such_page.txt l.3"
    assert {(f[1], f[3]) for f in _new(spec)} == {("no_such_page.txt", "citation")}
    trigger["x-source"] = f"{EN} l.79"  # the trigger_id row
    assert _new(spec) == set()


def test_a_citation_without_a_line_or_with_a_backward_range() -> None:
    spec = _spec()
    trigger = _schemas(spec)["TriggerLaunch"]
    trigger["x-source"] = f"{EN}, the trigger_id row"
    found = [f for f in _findings(spec) if f.name == "#/components/schemas/TriggerLaunch" and f.finding == "citation"]
    assert [(f.finding, f.message) for f in found] == [("citation", f"x-source cites {EN} without a line (l.N)")]
    trigger["x-source"] = f"{EN} l.80-79"
    found = [f for f in _findings(spec) if f.name == "#/components/schemas/TriggerLaunch" and f.finding == "citation"]
    assert [f.message for f in found] == ["x-source cites l.80-79, a range that ends before it starts"]
    trigger["x-source"] = f"{EN} l.80–79"  # an en dash
    found = [f for f in _findings(spec) if f.name == "#/components/schemas/TriggerLaunch" and f.finding == "citation"]
    assert [f.message for f in found] == ["x-source cites l.80–79, a range that ends before it starts"]
    trigger["x-source"] = f"{EN} l.79-80; see also {EN} (l.79) and {EN} l.79–80; {RU_TASK} prints no row"
    assert not [
        f for f in _findings(spec) if f.name == "#/components/schemas/TriggerLaunch" and f.finding == "citation"
    ]


def test_a_page_row_the_spec_lacks_and_a_new_operation(tmp_path: Path) -> None:
    pages = copy_pages(tmp_path / "pages")
    edit_line(
        pages / EN,
        "trigger_idint13YesTrigger campaign ID\n",
        "trigger_idint13YesTrigger campaign ID\nsend_at_onceboolfalseNoSend at once\n",
    )
    edit_line(
        pages / EN,
        "http://example.com/api/v1.1/campaigns/triggers/import_and_start_batch",
        "http://example.com/api/v1.1/campaigns/triggers/import_and_start_now",
        1,
    )
    new = _new(_spec(), pages)
    assert ("campaigns_triggers_import_and_start_now", EN) in {(f[0], f[1]) for f in new if f[3] == "operation"}
    pages = copy_pages(tmp_path / "pages2")
    edit_line(
        pages / EN,
        "trigger_idint13YesTrigger campaign ID\n",
        "trigger_idint13YesTrigger campaign ID\nsend_at_onceboolfalseNoSend at once\n",
    )
    assert _new(_spec(), pages) == {("import_and_start_batch", EN, "send_at_once", "missing")}


def test_the_command_exits_1_on_findings_and_prints_json(tmp_path: Path) -> None:
    spec = _spec()
    code, landed = run_json("check", "--docs", str(landed_pages()))
    assert code == (1 if landed else 0)
    assert all({"operation", "page", "line", "name", "finding"} <= set(f) for f in landed)
    target = tmp_path / "openapi.yaml"
    changed = copy.deepcopy(spec)
    _schemas(changed)["TriggerLaunch"]["x-source"] = f"{EN} l.999"
    target.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    code, findings = run_json("check", "--docs", str(landed_pages()), "--spec", str(target))
    assert code == 1 and len(findings) == len(landed) + 1
    done = run_docs("check", "--docs", str(landed_pages()), "--spec", str(target), "--explained")
    assert done.returncode == 1
    assert any(line.startswith("explained: ") for line in done.stdout.splitlines())
    assert f"{EN}:999: -: #/components/schemas/TriggerLaunch: citation:" in done.stdout


def test_type_and_required_readings() -> None:
    assert page_types("int/string") == {"integer", "string"}
    assert page_types("JSON objects array") == page_types("JSON список") == page_types("array of {a, b}") == {"array"}
    assert page_types("JSON object") == page_types("Object") == {"object"}
    assert page_types("Int") == {"integer"} and page_types("Bool") == {"boolean"} and page_types("Any") == {"any"}
    assert page_types("date") is None
    assert [
        required_reading(t) for t in ("Yes", "Да", "нет", "No", "No, if matched by email", '"matching":"x"', "")
    ] == [
        "yes",
        "yes",
        "no",
        "no",
        "conditional",
        "conditional",
        "",
    ]
