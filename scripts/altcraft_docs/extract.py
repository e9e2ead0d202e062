"""`scripts/docs extract`: every parameter, response field and enumerated value a set of pages prints.

Rows come from four places on a page, each row saying which (`Row.source`):

* the parameter tables: one row per table row (a sub-table such as "Массив subscriptions" / "Subscriptions
  array" names the keys of the items of that array, placed where the page's examples put it:
  `data.subscriptions[].channel`);
* the keys of a table cell's example (`timeout.days`, `data[].data._fname`, `attach[].data` for an example
  item of an array), and the keys a type cell lists (`array of {name, flie_key, data, mimetype}`);
* the keys of the page's JSON request and response examples (XML tabs are not read: the JSON tabs print
  the same names);
* a placement a description states: a parameter that "can be passed ... in each data object"
  ("в каждом объекте data") is also a key of each batch item (`data[].custom_data`).

Values (`kind` `value`): the quoted values an Example cell lists (`matching`), and the examples of a
parameter printed in several rows of one table (the `channel` of each channel section). Response values
(`response-value`): the `status` strings of a response example.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .jsonkeys import KeyHit
from .model import DocsError, Page, Row, operation_id, page_tag
from .textform import Table, example_blocks, find_tables, keys_of_cell

__all__ = ["extract_dir", "extract_page", "extract_text", "page_files", "text_language"]

# Objects whose keys are content, not names the API defines: their example keys are kept as `free_form`.
FREE_FORM = {"content", "custom_data", "custom_fields", "custom_request"}
_VERSION = re.compile(r"(?:Documentation for version|Документация для версии)\s+(v\d+)")
_EACH_ITEM = re.compile(r"(?i)in each data object|в каждом объекте data")


def page_files(directory: Path) -> list[Path]:
    """The pages of a directory: its *.txt files, in name order (README.md and index.json are not pages)."""
    return sorted(p for p in directory.glob("*.txt") if p.is_file())


def text_language(lines: list[str], file: str) -> str:
    """The page's language from its text: `ru` when at least a tenth of its letters are Cyrillic, `en`
    when it has Latin prose and (almost) no Cyrillic. A page too short to tell falls back on the file
    name's prefix (`ru_...`, `en_...`), else "" (unknown)."""
    cyrillic = latin = 0
    for line in lines:
        for ch in line.lower():
            if "а" <= ch <= "я" or ch == "ё":
                cyrillic += 1
            elif "a" <= ch <= "z":
                latin += 1
    if cyrillic >= 50 and cyrillic * 10 >= cyrillic + latin:
        return "ru"
    if latin >= 50 and cyrillic * 10 < cyrillic + latin:
        return "en"
    head = file.split("_", 1)[0]
    return head if head in ("ru", "en") else ""


def _version(lines: list[str], file: str) -> str:
    for line in lines:
        m = _VERSION.search(line)
        if m:
            return m.group(1)
    m = re.search(r"(?:^|_)(v\d+)(?:_|$)", file.removesuffix(".txt"))
    return m.group(1) if m else ""


def _title(lines: list[str]) -> str:
    """The page's heading: the line before its "Description"/"Описание" heading."""
    for i, line in enumerate(lines):
        if line.strip() in ("Description", "Описание") and i >= 2:
            return lines[i - 2].strip() or lines[i - 1].strip()
    return next((line.strip() for line in lines if line.strip()), "")


def extract_text(text: str, file: str) -> Page:
    """A page from its text; `file` is its file name (language and version fall back on it)."""
    lines = text.split("\n")
    page = Page(file, text_language(lines, file), _version(lines, file), _title(lines), lines=lines)
    tables = find_tables(lines)
    rows: list[Row] = []

    def add(**kw: Any) -> None:
        url = str(kw.pop("url"))
        rows.append(
            Row(operation=operation_id(url), page=file, lang=page.lang, version=page.version, url_path=url, **kw)
        )

    example_hits: list[tuple[str, str, KeyHit]] = []
    for url, kind, hits in example_blocks(lines, tables):
        example_hits.extend((url, kind, h) for h in hits)
    for table in tables:
        _table_rows(table, example_hits, add, lines)
    custom_names = {h.value for _, _, h in example_hits if h.path == "field_name" and h.value}
    for url, kind, hit in example_hits:
        if not url:
            continue
        free = _is_free_form(hit.path, custom_names)
        add(
            url=url,
            line=hit.line,
            kind="param" if kind == "request" else "response",
            name=hit.path,
            example=hit.value or "",
            source="example",
            free_form=free,
        )
        if kind == "response" and hit.path.split(".")[-1] == "status" and hit.value:
            add(url=url, line=hit.line, kind="response-value", name=hit.value, param=hit.path, source="example")
    page.rows = _dedupe(rows)
    page.operations = sorted({r.operation for r in page.rows})
    return page


def _is_free_form(path: str, custom_names: set[str]) -> bool:
    parts = [p.removesuffix("[]") for p in path.split(".")]
    if any(p in FREE_FORM for p in parts[:-1]):
        return True
    last = parts[-1]
    in_profile = len(parts) >= 2 and parts[-2] == "data"
    return in_profile and (last in custom_names or last.startswith("custom_field"))


def _subtable_prefix(name: str, hits: list[tuple[str, str, KeyHit]]) -> str:
    """Where the page's examples put the array a sub-table describes (`data.subscriptions[]`)."""
    places = sorted(
        {h.path for _, kind, h in hits if kind == "request" and h.path.split(".")[-1] == name},
        key=lambda p: (p.count("."), p),
    )
    return (places[0] if places else name) + "[]"


def _table_rows(table: Table, hits: list[tuple[str, str, KeyHit]], emit: Callable[..., None], lines: list[str]) -> None:
    kind = "response" if table.response else "param"
    prefix = _subtable_prefix(table.subtable, hits) + "." if table.subtable else ""
    counts: dict[str, int] = {}
    for row in table.rows:
        counts[row.name] = counts.get(row.name, 0) + 1
    for row in table.rows:
        name = prefix + row.name
        base = {"url": table.operation_url}
        emit(
            **base,
            line=row.line,
            kind=kind,
            name=name,
            type=row.type,
            example=row.example.text,
            required=row.required.text,
            description=row.description.text,
            section=row.section,
            source="table",
        )
        for value, line, note in row.values:
            emit(
                **base,
                line=line,
                kind="value" if kind == "param" else "response-value",
                name=value,
                param=name,
                description=note,
                section=row.section,
                source="table",
            )
        for cond in re.finditer(r'"([a-z_][a-z0-9_]*)"\s*:\s*"([^"]*)"', row.required.text):
            line = next((n + 1 for n in range(row.line - 1, len(lines)) if cond.group(0) in lines[n]), row.line)
            emit(
                **base,
                line=line,
                kind="value",
                name=cond.group(2),
                param=prefix + cond.group(1),
                section=row.section,
                source="required",
            )
        if counts[row.name] > 1 and row.example.text.startswith('"') and not row.values:
            emit(
                **base,
                line=row.line,
                kind="value" if kind == "param" else "response-value",
                name=row.example.text.strip('"'),
                param=name,
                section=row.section,
                source="table",
            )
        for hit in keys_of_cell(row):
            full = prefix + hit.path
            emit(
                **base,
                line=hit.line,
                kind=kind,
                name=full,
                example=hit.value or "",
                source="type" if row.type.lower().startswith("array of {") else "table-example",
                free_form=_is_free_form(full, set()) or row.name in FREE_FORM,
            )
        if kind == "param" and not table.subtable and _EACH_ITEM.search(row.description.text):
            emit(
                **base,
                line=row.description.line,
                kind=kind,
                name=f"data[].{row.name}",
                type=row.type,
                example=row.example.text,
                required=row.required.text,
                description=row.description.text,
                section=row.section,
                source="description",
            )


def _dedupe(rows: list[Row]) -> list[Row]:
    """One row per (operation, kind, name, param): a table row before a key of an example."""
    rank = {"table": 0, "type": 1, "required": 2, "description": 3, "table-example": 4, "example": 5}
    best: dict[tuple[str, str, str, str], Row] = {}
    order: list[tuple[str, str, str, str]] = []
    for row in rows:
        key = row.key
        if key not in best:
            best[key] = row
            order.append(key)
        elif rank[row.source] < rank[best[key].source]:
            best[key] = row
    return [best[k] for k in order]


def extract_page(path: Path) -> Page:
    """A page file, extracted; a file that cannot be read as UTF-8 text is a `DocsError` naming it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocsError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocsError(f"{path}: not a text page (not UTF-8 at byte {exc.start})") from None
    if "\x00" in text:
        raise DocsError(f"{path}: not a text page (it holds NUL bytes)")
    return extract_text(text.replace("\r\n", "\n").replace("\r", "\n"), path.name)


def extract_dir(directory: Path) -> list[Page]:
    """Every page of a directory, extracted."""
    return [extract_page(p) for p in page_files(directory)]


def tag_of(page: Page) -> str:
    return page_tag(page.file)
