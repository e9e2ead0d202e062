"""Reading a doc page's text: its parameter tables, their rows' cells, and the JSON examples.

Two forms of the same pages are read:

* the text form of `shared/docs/altcraft/` (a browser's copy of the page): a table is its header line
  (`ParameterTypeExampleRequiredDescription`) and rows whose cells run together
  (`tokenstring"abc"YesAPI token`), an example or description may go on over several lines, and section
  rows (`Profile import`) stand between the rows;
* the pipe-table form of other captures (`| token | string | "abc" | Yes | API token |`).

The cells are split by what each column can hold: a name is snake_case, a type one of the words the pages
use, an example a quoted string, a number, a bracketed value or a JSON block, and the Required cell
starts with Yes/No/Да/Нет or a condition (`"matching":"custom"`, `If there is no ...`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .jsonkeys import KeyHit, join_path, scan_keys

__all__ = ["Cell", "Table", "TableRow", "example_blocks", "find_tables", "section_of"]

_TYPES = (
    r"JSON objects array|JSON-object|JSON object|JSON список|JSON list|JSON array|array of \{[^}]*\}"
    r"|array of objects|objects array|int/string|string/int|integer|string|boolean|bool|int|float|number"
    r"|object|array|any|список|объект|строка|число"
)
ROW_START = re.compile(rf"^(?P<name>[a-z_][a-z0-9_]*)(?P<type>(?i:{_TYPES}))(?P<rest>.*)$")
_HEADER = re.compile(
    r"^(?:Parameters?|Параметры?)(?:Type|Тип)(?P<example>Example|Пример)?"
    r"(?P<required>Required|Обязательный|Обязательно)?(?:Description|Описание)$"
)
_REQUIRED_WORD = re.compile(r"^(?:Yes|No|Да|Нет|нет|да|yes|no)(?=[^a-zа-яё]|$)")
_CONDITION = re.compile(r'^"[a-z_][a-z0-9_]*"\s*:\s*"[^"]*"')
_IF = re.compile(r"^(?:If|Если|if|если) ")
# Where a lower-case letter runs into a capital one: two cells printed together.
_CELL_JOIN = re.compile(r"(?<=[a-zа-яё)])(?=[A-ZА-ЯЁ])")
_QUOTED_VALUE = re.compile(r'^"(?P<value>[^"]*)"\s*(?:[–—-]\s*(?P<text>.*))?$')
_SCALAR = re.compile(r"^(?:-?\d+(?:\.\d+)?|true|false|null|\[[^\]\[]*\])")
_URL = re.compile(r"https?://[^/\s]+(?P<path>/api/[^\s?#]+)")
_END = re.compile(
    r"^(?:Response parameters$|Returned parameters$|Response example|Request examples?\b|Request URL$|URL$"
    r"|URL-адрес$|Примеры? (?:запроса|запросов|ответа)|Возвращаемые параметры$|Параметры запроса$"
    r"|Request parameters$|Массив \w+$|\w+ array$|Проверка статуса|Checking the status|Example of a response"
    r"|Method:|Метод:|Последнее обновление|Last updated|Предыдущая страница$|Previous$)"
)
_SUBTABLE = re.compile(r"^(?:Массив (?P<ru>\w+)|(?P<en>\w+) array)$", re.IGNORECASE)
_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}")


@dataclass
class Cell:
    """A cell's text and the page line it starts on."""

    text: str = ""
    line: int = 0


@dataclass
class TableRow:
    name: str
    type: str
    line: int
    example: Cell = field(default_factory=Cell)
    required: Cell = field(default_factory=Cell)
    description: Cell = field(default_factory=Cell)
    section: str = ""
    example_lines: list[tuple[int, str]] = field(default_factory=list)
    values: list[tuple[str, int, str]] = field(default_factory=list)  # (value, line, its text)


@dataclass
class Table:
    """A parameter table: its header line, columns, context (request/response, sub-table) and rows."""

    line: int
    has_example: bool
    has_required: bool
    response: bool
    subtable: str  # "subscriptions" for "Массив subscriptions" / "Subscriptions array", else ""
    operation_url: str
    rows: list[TableRow] = field(default_factory=list)


def _depth(text: str) -> int:
    """How many brackets the line opens minus closes, outside strings (a string ends at the line's end)."""
    depth = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*(?:"|$)|[{}\[\]]', text):
        token = m.group(0)
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
    return depth


def is_section_row(line: str, following: str) -> bool:
    """A section row of a table ("Profile import", "Email-канал"): a short title right before a row."""
    text = line.strip()
    if not text or not ROW_START.match(following.strip()) or ROW_START.match(text):
        return False
    if len(text) > 60 or text.endswith((".", ":", ",", ";")) or text.startswith(("(", '"', "{", "[")):
        return False
    if re.search(r"(?i)default|умолчани", text) or _REQUIRED_WORD.match(text) or _CONDITION.match(text):
        return False
    return text[0].isupper()


def section_of(text: str) -> str:
    return text.strip()


def _pipe_cells(line: str) -> list[str] | None:
    text = line.strip()
    if "|" not in text:
        return None
    text = text.removeprefix("|").removesuffix("|")
    cells = [c.strip().replace("<br>", "\n").replace("\\|", "|") for c in re.split(r"(?<!\\)\|", text)]
    return cells


def _pipe_header(line: str) -> tuple[bool, bool] | None:
    cells = _pipe_cells(line)
    if not cells:
        return None
    m = _HEADER.match("".join(c for c in cells if c))
    return (bool(m.group("example")), bool(m.group("required"))) if m else None


def _header(line: str) -> tuple[bool, bool, bool] | None:
    """(has example, has required, pipe form) of a table header line, or None."""
    m = _HEADER.match(line.strip())
    if m:
        return bool(m.group("example")), bool(m.group("required")), False
    pipe = _pipe_header(line)
    return (*pipe, True) if pipe else None


def find_tables(lines: list[str]) -> list[Table]:
    """Every parameter table of a page, with its rows' cells split."""
    tables: list[Table] = []
    url = ""
    context_response = False
    subtable = ""
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        m = _URL.search(text)
        if m and not text.startswith(("{", '"', "<")):
            url = m.group("path")
            subtable = ""
        if re.match(r"^(?:Request parameters|Параметры запроса)$", text):
            context_response, subtable = False, ""
        elif re.match(r"^(?:Response parameters|Returned parameters|Возвращаемые параметры)$", text):
            context_response, subtable = True, ""
        elif sub := _SUBTABLE.match(text):
            subtable = (sub.group("ru") or sub.group("en")).lower()
        header = _header(lines[i])
        if header is None:
            i += 1
            continue
        has_example, has_required, pipe = header
        table = Table(i + 1, has_example, has_required, context_response, subtable, url)
        i = (_read_pipe_rows if pipe else _read_text_rows)(lines, i + 1, table)
        tables.append(table)
    return tables


def _read_pipe_rows(lines: list[str], i: int, table: Table) -> int:
    section = ""
    while i < len(lines):
        if _PIPE_SEPARATOR.match(lines[i].strip()):
            i += 1
            continue
        cells = _pipe_cells(lines[i])
        if cells is None:
            break
        cells = [c for c in cells]
        columns = 2 + table.has_example + table.has_required + 1
        while len(cells) < columns:
            cells.append("")
        filled = [c for c in cells if c]
        m = re.match(r"^(?P<name>[a-z_][a-z0-9_]*)$", cells[0]) if cells[0] else None
        if m is None or not re.match(rf"^(?i:{_TYPES})$", cells[1]):
            if len(filled) == 1:
                section = filled[0].strip("*_ ")
            i += 1
            continue
        row = TableRow(cells[0], cells[1], i + 1, section=section)
        k = 2
        if table.has_example:
            row.example = Cell(cells[k], i + 1)
            row.example_lines = [(i + 1, cells[k])]
            row.values = _values_in_one_cell(cells[k], i + 1)
            k += 1
        if table.has_required:
            row.required = Cell(cells[k], i + 1)
            k += 1
        row.description = Cell(cells[k], i + 1)
        table.rows.append(row)
        i += 1
    return i


def _values_in_one_cell(text: str, line: int) -> list[tuple[str, int, str]]:
    """`"email" "email_profile"` or `"email" – по email "phone" – ...` (a list flattened into one cell).
    A JSON example (`{"days": 0}`, `["a", "b"]`) lists no values: its strings are keys and sample data."""
    if text.strip().strip("`*_ ").startswith(("{", "[")):  # also `{...}` and **{...}** (Markdown)
        return []
    found = re.findall(r'"([^"]*)"(?!\s*:)\s*(?:[–—-]\s*([^"]*))?', text)
    if len(found) < 2:
        return []
    return [(value, line, note.strip()) for value, note in found]


def _table_ends(lines: list[str], i: int) -> bool:
    text = lines[i].strip()
    return bool(_END.match(text) or _header(lines[i]) or (_URL.search(text) and not text.startswith(('"', "{"))))


def _read_text_rows(lines: list[str], i: int, table: Table) -> int:
    """The rows after a text-form header, up to the heading that ends the table."""
    marks: list[tuple[int, bool]] = []  # (line index, is a section row)
    end = i
    while end < len(lines):
        text = lines[end].strip()
        if _header(lines[end]) or (end > i and not lines[end - 1].strip() and _table_ends(lines, end)):
            break
        if end > i and not lines[end - 1].strip() and text.startswith("*"):
            break  # a footnote ("*Организация Meta ...") after the table
        following = lines[end + 1] if end + 1 < len(lines) else ""
        if ROW_START.match(text) and (table.response or _plausible_row(text)):
            marks.append((end, False))
        elif is_section_row(text, following):
            marks.append((end, True))
        end += 1
    # A section candidate is a section only if the row before it is complete without it: "Email address"
    # after a row whose Required cell was its last is that row's description, "Trigger launch" after a
    # described row is a section.
    # A candidate after a line that cannot end a sentence ("Данные для" / "Захвата событий (Action hooks)")
    # is that line's text reflowed onto the next line, not a section.
    section = ""
    kept: list[tuple[int, bool]] = []
    for start, is_section in marks:
        if is_section and kept and not kept[-1][1]:
            before = _split_row(lines, kept[-1][0], start, table, "")
            if not before.description.text or _runs_on(lines[start - 1]):
                continue
        kept.append((start, is_section))
    for n, (start, is_section) in enumerate(kept):
        if is_section:
            section = lines[start].strip()
            continue
        stop = kept[n + 1][0] if n + 1 < len(kept) else end
        table.rows.append(_split_row(lines, start, stop, table, section))
    return end


# Words a description does not end on: the sentence goes on in the next line.
_RUNS_ON = re.compile(
    r"(?i)(?:[,\-–—(/]|\b(?:для|и|в|во|на|по|с|со|к|ко|о|об|от|из|за|у|а|но|или|при|без|до|не|через|после|"
    r"между|перед|над|под|чем|что|который|которые|если|как|for|of|the|a|an|and|or|to|in|into|on|onto|with|"
    r"by|from|at|as|is|are|not|via|per|through|after|before|between|over|under|than|that|which|if|such))$"
)


def _runs_on(line: str) -> bool:
    """Whether a line ends where a sentence cannot: on a comma, a hyphen, a preposition or a conjunction."""
    return bool(_RUNS_ON.search(line.rstrip()))


def _plausible_row(text: str) -> bool:
    """A row start's cells after name and type are empty, an example, or a required cell."""
    rest = ROW_START.match(text).group("rest")  # type: ignore[union-attr]
    return rest == "" or rest[0] in '"[{-0123456789tfn*' or bool(_REQUIRED_WORD.match(rest) or _IF.match(rest))


def _split_row(lines: list[str], start: int, stop: int, table: Table, section: str) -> TableRow:
    m = ROW_START.match(lines[start].strip())
    assert m is not None
    row = TableRow(m.group("name"), m.group("type"), start + 1, section=section)
    # The row's text as (line number, text), the first line reduced to what follows name and type.
    stream = [(start + 1, m.group("rest"))] + [(n + 1, lines[n].rstrip()) for n in range(start + 1, stop)]
    pos = 0  # index into stream
    if table.has_example:
        pos = _read_example(stream, table, row)
    if table.has_required:
        pos = _read_required(stream, pos, row)
    rest = [(n, t) for n, t in stream[pos:]]
    while rest and not rest[0][1].strip():
        rest.pop(0)
    while rest and not rest[-1][1].strip():
        rest.pop()
    row.description = Cell("\n".join(t.strip() for _, t in rest), rest[0][0] if rest else 0)
    return row


def _read_example(stream: list[tuple[int, str]], table: Table, row: TableRow) -> int:
    """Reads the Example cell from the start of `stream`; returns where the next cell starts (the
    rest of that line is left in the stream's entry)."""
    number, first = stream[0]
    text = first.strip()
    if table.has_required and (_REQUIRED_WORD.match(text) or _IF.match(text) or _CONDITION.match(text)):
        return 0  # an empty Example cell, run together with the Required cell
    if text.startswith('"') and not re.match(r'^"[^"]*"\s*:', text):
        q = re.match(r'^"([^"]*)"', text)
        assert q is not None
        row.example = Cell(q.group(0), number)
        row.values.append((q.group(1), number, ""))
        rest = text[q.end() :]
        stream[0] = (number, rest)
        if rest.strip():
            row.values = []
            return 0
        # More values on the lines below ("email", "email_profile", ...)?
        k = 1
        while k < len(stream) and _QUOTED_VALUE.match(stream[k][1].strip()):
            qv = _QUOTED_VALUE.match(stream[k][1].strip())
            assert qv is not None
            row.values.append((qv.group("value"), stream[k][0], (qv.group("text") or "").strip()))
            k += 1
        if len(row.values) < 2:
            row.values = []
            return 0
        row.example = Cell("\n".join(stream[j][1].strip() if j else row.example.text for j in range(k)), number)
        return k
    scalar = _SCALAR.match(text)
    if scalar and _depth(scalar.group(0)) == 0:
        row.example = Cell(scalar.group(0), number)
        row.example_lines = [(number, scalar.group(0))]
        stream[0] = (number, text[scalar.end() :])
        return 0
    # A block: the rest of this line and the lines below, up to the Required cell (5 columns) or, in a
    # table without one, up to the first line after a closed JSON block (the description).
    block: list[tuple[int, str]] = [(number, text)] if text else []
    depth = _depth(text)
    k = 1
    while k < len(stream):
        n, t = stream[k]
        s = t.strip()
        if depth <= 0 and s:
            if table.has_required and (
                _REQUIRED_WORD.match(s) or _CONDITION.match(s) or _IF.match(s) or s.startswith("*")
            ):
                break
            if not table.has_required and (any(b.strip() for _, b in block) or not s.startswith(("{", "["))):
                break
        block.append((n, t))
        depth += _depth(s)
        k += 1
    while block and not block[-1][1].strip():
        block.pop()
    while block and not block[0][1].strip():
        block.pop(0)
    quoted = [
        (qv.group("value"), n, (qv.group("text") or "").strip())
        for n, t in block
        if (qv := _QUOTED_VALUE.match(t.strip()))
    ]
    if len(quoted) >= 2 and len(quoted) == len([1 for _, t in block if t.strip()]):
        row.values = quoted
    else:
        row.example_lines = block
    row.example = Cell("\n".join(t.strip() for _, t in block), block[0][0] if block else number)
    stream[0] = (number, "")
    return k


def _read_required(stream: list[tuple[int, str]], pos: int, row: TableRow) -> int:
    """Reads the Required cell at stream[pos] (or the next non-blank line)."""
    while pos < len(stream) and not stream[pos][1].strip():
        pos += 1
    if pos >= len(stream):
        return pos
    number, text = stream[pos]
    text = text.strip()
    word = _REQUIRED_WORD.match(text)
    if word:
        rest = text[word.end() :]
        if rest.startswith(","):
            joint = _CELL_JOIN.search(rest)
            cut = joint.start() if joint else len(rest)
            row.required = Cell(text[: word.end()] + rest[:cut], number)
            stream[pos] = (number, rest[cut:])
        else:
            row.required = Cell(word.group(0), number)
            stream[pos] = (number, rest)
        return pos
    if _IF.match(text):
        joint = _CELL_JOIN.search(text)
        cut = joint.start() if joint else len(text)
        row.required = Cell(text[:cut], number)
        stream[pos] = (number, text[cut:])
        return pos
    if text.startswith("*"):
        row.required = Cell("*", number)
        stream[pos] = (number, text[1:])
        return pos
    if _CONDITION.match(text):
        parts: list[str] = []
        first = number
        while pos < len(stream):
            n, t = stream[pos]
            s = t.strip()
            if not s:
                pos += 1
                continue
            cm = _CONDITION.match(s)
            if not cm:
                break
            after = s[cm.end() :]
            if re.match(r"^\s*[–—-]\s", after):
                parts.append(s)
                stream[pos] = (n, "")
                pos += 1
                continue
            parts.append(cm.group(0))
            stream[pos] = (n, after)
            break
        row.required = Cell("\n".join(parts), first)
        return pos
    return pos


def example_blocks(lines: list[str], tables: list[Table]) -> Iterator[tuple[str, str, list[KeyHit]]]:
    """(URL path, "request"/"response", key hits) of every JSON example outside the tables."""
    inside: set[int] = set()
    for t in tables:
        if t.rows:
            inside.update(range(t.line - 1, max(r.line for r in t.rows) + 1))
    url = ""
    heading = ""
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        m = _URL.search(text)
        if m and not text.startswith(("{", '"', "<")):
            url = m.group("path")
        if re.search(r"(?i)example|пример", text) and not text.startswith(("{", '"', "<")) and len(text) < 120:
            heading = text
        if text.startswith("{") and heading and i not in inside:
            block: list[tuple[int, str]] = []
            depth = 0
            while i < len(lines):
                block.append((i + 1, lines[i]))
                depth += _depth(lines[i])
                i += 1
                if depth <= 0:
                    break
            kind = "response" if re.search(r"(?i)response|ответ", heading) else "request"
            yield url, kind, scan_keys(block)
            continue
        i += 1


def keys_of_cell(row: TableRow) -> list[KeyHit]:
    """The keys of a row's example cell (or of its `array of {a, b}` type), as paths below the row."""
    if row.type.lower().startswith("array of {"):
        names = [n.strip() for n in row.type[row.type.index("{") + 1 : row.type.rindex("}")].split(",")]
        return [KeyHit(join_path(row.name, f"[].{n}"), row.line, None) for n in names if n]
    if not row.example_lines:
        return []
    hits = scan_keys(row.example_lines)
    if not hits:
        return []
    tops = {h.path.split(".")[0].split("[")[0] for h in hits}
    if tops == {row.name}:
        return [h for h in hits if h.path != row.name]
    first = next((t for _, t in row.example_lines if t.strip()), "").strip()
    array_type = bool(re.search(r"(?i)array|список|objects", row.type))
    prefix = row.name + "[]" if array_type and first.startswith("{") else row.name
    return [KeyHit(join_path(prefix, h.path), h.line, h.value) for h in hits]
