"""`scripts/docs extract` reads every parameter, response field and value the pages print, with its cells."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from altcraft_docs.extract import extract_dir, extract_text
from altcraft_docs.model import Row

from .pages import landed_pages, run_docs, run_json

FROZEN = Path(__file__).with_name("fixtures") / "landed_rows.tsv"


def _rows(directory: Path) -> list[Row]:
    return [r for p in extract_dir(directory) for r in p.rows]


def _row(rows: list[Row], page: str, name: str, kind: str = "param", operation: str = "") -> Row:
    found = [r for r in rows if r.page == page and r.name == name and r.kind == kind and operation in ("", r.operation)]
    assert found, f"{page}: no {kind} {name}"
    return found[0]


def test_extraction_yields_every_row_the_hand_kept_table_listed() -> None:
    """Every (operation, page, kind, name) of the former tests/docs_parameters.tsv, on the pages it was for."""
    directory = landed_pages()
    text = FROZEN.read_text(encoding="utf-8")
    digests = {line.split()[3]: line.split()[2] for line in text.splitlines() if line.startswith("# sha256 ")}
    for name, digest in digests.items():
        if hashlib.sha256((directory / name).read_bytes()).hexdigest() != digest:
            pytest.skip(f"{name} is not the landed page this table was frozen for")
    frozen = list(csv.DictReader([line for line in text.splitlines() if not line.startswith("#")], delimiter="\t"))
    assert len(frozen) == 236
    got = {(r.operation, r.page, r.kind, r.name) for r in _rows(directory)}
    missing = [tuple(r.values()) for r in frozen if (r["operation"], r["page"], r["kind"], r["name"]) not in got]
    assert not missing, missing


def test_cells_are_read_as_printed() -> None:
    rows = _rows(landed_pages())
    en = "en_v72_triggers_import_and_start_batch.txt"
    token = _row(rows, en, "token")
    assert (token.type, token.example, token.required, token.description) == (
        "string",
        '"abcdefghijklmnqrstuvwxyz"',
        "Yes",
        "API token",
    )
    assert (token.line, token.section, token.operation) == (25, "Profile import", "import_and_start_batch")
    matching = _row(rows, en, "matching")
    assert matching.required == "No, if matched by email from profile or subscriptions"
    assert matching.description == "Profile matching mode\nBy default - email"
    assert matching.section == "Profile matching mode"
    email = _row(rows, en, "email")
    assert email.required.split("\n") == [
        '"matching":"email" - both profile data and subscriptions',
        '"matching":"email_profile" - profile data only',
    ]
    assert email.description == "Email address"
    assert _row(rows, en, "field_value").type == "int/string"
    assert _row(rows, en, "field_value").required == '"matching":"custom"'
    data = _row(rows, en, "data")
    assert (data.type, data.required, data.description) == ("JSON object", "Yes", "Profile fields data")
    assert data.example.startswith("[\n{") and data.example.endswith("}\n]")
    assert _row(rows, en, "trigger_id").section == "Trigger launch"
    wf = "en_v72_workflows_import_and_start_batch_task.txt"
    assert _row(rows, wf, "custom_request").required == 'If there is no "matching" property'
    assert _row(rows, wf, "custom_request").description == "MongoDB query on profile fields"
    assert _row(rows, wf, "attach").type == "array of {name, flie_key, data, mimetype}"
    assert _row(rows, wf, "attach[].flie_key").source == "type"
    assert _row(rows, wf, "token", operation="task_status").line == 156


def test_values_subtables_and_nested_keys() -> None:
    rows = _rows(landed_pages())
    v74 = "ru_v74_profiles_import.txt"
    modes = [r.name for r in rows if r.page == v74 and r.kind == "value" and r.param == "matching"]
    assert len(modes) == 11 and modes[0] == "email" and modes[-1] == "email_phone_sub"
    channels = [r for r in rows if r.page == v74 and r.param == "data.subscriptions[].channel"]
    assert [(r.name, r.section) for r in channels][:2] == [("email", "Email-канал"), ("sms", "SMS-канал")]
    assert len(channels) == 7
    assert _row(rows, v74, "data.subscriptions[].cc_data.id").source == "table-example"
    assert _row(rows, v74, "data.subscriptions[].status").required == ""  # the sub-table has no Required column
    assert _row(rows, v74, "data._sex").example == "0"  # a key of a request example
    custom = _row(rows, v74, "data.custom_field")
    assert custom.free_form  # the page's own sample of a custom field
    ru_sync = "ru_v72_triggers_import_and_start_batch.txt"
    assert _row(rows, ru_sync, "subscription_filter.not_strict").source == "table-example"
    # l.298 of that page never closes its string ("example@example.com,); the keys after it are still read.
    assert _row(rows, ru_sync, "data[].data.Custom_ID").free_form  # named by the example's field_name
    assert _row(rows, ru_sync, "data[].data.subscriptions[].priority").line == 220
    task = "ru_v72_triggers_import_and_start_batch_task.txt"
    assert _row(rows, task, "data[].custom_data").source == "description"
    assert _row(rows, task, "completed", kind="response-value").param == "data.status"


def test_every_row_is_on_the_line_it_gives() -> None:
    directory = landed_pages()
    for page in extract_dir(directory):
        for row in page.rows:
            line = page.lines[row.line - 1]
            word = row.name if row.kind.endswith("value") else row.name.split(".")[-1].removesuffix("[]")
            if row.source == "description":
                word = "data"
            assert word in line, f"{row.page}:{row.line} does not print {word!r} ({row.kind} {row.name}): {line!r}"


def test_json_output_has_the_documented_keys() -> None:
    code, data = run_json("extract", str(landed_pages()))
    assert code == 0 and len(data) > 250
    keys = {"operation", "page", "line", "kind", "name", "type", "example", "required", "description"}
    assert all(keys <= set(item) for item in data)
    assert {item["kind"] for item in data} == {"param", "response", "value", "response-value"}


def test_text_output_is_one_line_per_row() -> None:
    done = run_docs("extract", str(landed_pages()))
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert any(
        line.startswith("en_v72_triggers_import_and_start_batch.txt:25: import_and_start_batch: param token |")
        for line in lines
    )


def test_a_missing_directory_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_docs("extract", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"scripts/docs: no doc pages (*.txt) in {tmp_path / 'nowhere'}; set ALTCRAFT_DOCS_DIR or pass the directory"
    ]


# A page written for these tests (no doc pages needed): the text form's hard cases.
TEXT_PAGE = """Skip to main content

Import things

Description

Imports things.

Request URL

Method: POST

https://example.com/api/v1.1/things/import

Request parameters

ParameterTypeExampleRequiredDescription
Things
tokenstring"abc"YesAPI token
itemsJSON objects array
[
  {"name": "one", "tags": ["a", "b"]}
]
NoThe things
modestring

"fast"
"slow"

No, if fast by defaultThe mode
By default - fast
keystring"k1""mode":"slow"The key
Other things
countint3NoHow many
flagsJSON список[1,2]НетФлаги

Response parameters

ParameterTypeDescription
errorintError code
idstringThe id

Request example

{
"token": "abc",
"items": [{"name": "two", "size": 2}],
"broken": "no end,
"after": true
}
"""


def test_a_text_form_page_written_here() -> None:
    page = extract_text(TEXT_PAGE, "en_v1_things_import.txt")
    assert (page.lang, page.version, page.title, page.operations) == ("en", "v1", "Import things", ["things_import"])
    by = {(r.kind, r.name, r.param): r for r in page.rows}
    assert by[("param", "token", "")].section == "Things"
    assert by[("param", "items", "")].required == "No" and by[("param", "items", "")].description == "The things"
    assert ("param", "items[].name", "") in by and ("param", "items[].tags", "") in by
    mode = by[("param", "mode", "")]
    assert mode.required == "No, if fast by default" and mode.description == "The mode\nBy default - fast"
    assert [r.name for r in page.rows if r.kind == "value"] == ["fast", "slow"]
    assert by[("param", "key", "")].description == "The key"
    assert by[("param", "count", "")].section == "Other things"
    assert by[("param", "flags", "")].type == "JSON список" and by[("param", "flags", "")].required == "Нет"
    assert by[("response", "id", "")].description == "The id"
    assert by[("param", "items[].size", "")].source == "example"
    assert ("param", "after", "") in by  # read past the string that never closes


PIPE_PAGE = """Import profile
Description
Imports a profile.
Request URL
Method: POST
https://example.com/api/v1.1/profiles/import
Request parameters
| Parameter | Type | Example | Required | Description |
|---|---|---|---|---|
| token | string | "abcdefghijklmnqrstuvwxyz" | Yes | API token |
| matching | string | "email" "email_profile" "phone" | No, if matched by email | Profile matching mode |
| data | JSON object | { | Yes | Profile fields data |
Subscriptions array
| Parameter | Type | Example | Description |
|---|---|---|---|
| resource_id | int | 1 | Resource ID |
| channel | string | "email" | Channel |
Response parameters
| Parameter | Type | Description |
|---|---|---|
| profile_id | string | Profile ID |
Request example
{
"data": {"subscriptions": [{"resource_id": 1}]}
}
"""


def test_a_pipe_table_page_written_here() -> None:
    page = extract_text(PIPE_PAGE, "en_v73_profiles_import.txt")
    by = {(r.kind, r.name, r.param): r for r in page.rows}
    assert page.operations == ["import_profile"]
    token = by[("param", "token", "")]
    assert (token.type, token.example, token.required, token.description) == (
        "string",
        '"abcdefghijklmnqrstuvwxyz"',
        "Yes",
        "API token",
    )
    assert [r.name for r in page.rows if r.kind == "value"] == ["email", "email_profile", "phone"]
    assert by[("param", "matching", "")].required == "No, if matched by email"
    assert by[("param", "data.subscriptions[].resource_id", "")].type == "int"
    assert by[("param", "data.subscriptions[].channel", "")].description == "Channel"
    assert by[("response", "profile_id", "")].type == "string"


EMPTY_CELLS_PAGE = """Things

Request URL

https://example.com/api/v1.1/things/import

Request parameters

ParameterTypeExampleRequiredDescription
attacharray of {name, data}NoFiles to attach
custom_requestJSON objectIf there is no "matching" propertyA query
modestring"matching":"custom"The mode

Response parameters

ParameterTypeDescription
errorint

Error code.

Zero on success.
task_idstringTask ID

*A footnote after the table.
"""


def test_empty_example_cells_and_paragraphs_in_an_answer_table() -> None:
    page = extract_text(EMPTY_CELLS_PAGE, "en_v1_things.txt")
    by = {(r.kind, r.name): r for r in page.rows}
    attach = by[("param", "attach")]
    assert (attach.example, attach.required, attach.description) == ("", "No", "Files to attach")
    request = by[("param", "custom_request")]
    assert (request.example, request.required, request.description) == (
        "",
        'If there is no "matching" property',
        "A query",
    )
    assert by[("param", "mode")].required == '"matching":"custom"'
    assert by[("response", "error")].description == "Error code.\n\nZero on success."
    assert by[("response", "task_id")].description == "Task ID"


def test_a_json_example_in_a_pipe_cell_lists_no_values() -> None:
    page = extract_text(
        PIPE_PAGE.replace(
            "| data | JSON object | { | Yes | Profile fields data |",
            '| data | JSON object | {"_fname": "Ann", "_lname": "Lee"} | Yes | Profile fields data |\n'
            '| tags | array | ["vip", "new"] | No | Tags |\n'
            '| mode | string | "fast" – quickly "slow" – carefully | No | How |\n'
            '| timeout | JSON object | `{"days": "one", "hours": "two"}` | No | Timeout |\n'
            '| options | JSON object | **{"mode": "fast", "kind": "slow"}** | No | Options |',
        ),
        "en_v73_profiles_import.txt",
    )
    values = {(r.param, r.name, r.description) for r in page.rows if r.kind == "value"}
    assert values == {
        ("matching", "email", ""),
        ("matching", "email_profile", ""),
        ("matching", "phone", ""),
        ("mode", "fast", "quickly"),
        ("mode", "slow", "carefully"),
    }
    assert {"data._fname", "data._lname"} <= {r.name for r in page.rows if r.kind == "param"}


@pytest.mark.parametrize(
    ("file", "text", "lang"),
    [
        ("x_v72_foo.txt", "ru", "ru"),  # no prefix: the text decides
        ("en_v72_foo.txt", "ru", "ru"),  # a prefix that the text contradicts
        ("ru_v72_foo.txt", "en", "en"),
        ("ru_v72_foo.txt", "", "ru"),  # too little text: the prefix
        ("x_v72_foo.txt", "", ""),  # neither: unknown, not guessed
    ],
)
def test_the_language_is_the_texts(file: str, text: str, lang: str) -> None:
    body = {
        "ru": "Описание\nИмпортирует профиль и запускает триггерную кампанию для каждого профиля.\n",
        "en": "Description\nImports a profile and launches the trigger campaign for every profile given.\n",
        "": "",
    }[text]
    assert extract_text(body * 2, file).lang == lang


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_crlf_and_bare_cr_line_ends_read_as_lines(tmp_path: Path, ending: str) -> None:
    (tmp_path / "en_v73_profiles_import.txt").write_bytes(PIPE_PAGE.replace("\n", ending).encode())
    assert extract_dir(tmp_path)[0].rows == extract_text(PIPE_PAGE, "en_v73_profiles_import.txt").rows
