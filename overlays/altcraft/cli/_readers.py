"""The input of ``altcraft import``, streamed: CSV with a header row, JSON lines, or one JSON array.

Each reader yields rows in the shape :func:`altcraft.bulk.bulk_import` takes (a batch item
``{"data": {...}, "custom_data": {...}}``, or with ``--db-id`` a ``/profiles/import`` body without
``db_id``); a row that cannot be read is an :class:`altcraft.bulk.Unreadable` (rejected, with its
reason, like a row that fails validation). Memory stays flat however long the input: the file is read
in blocks, never whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from altcraft._schema import Shape, request_shape
from altcraft.bulk import Unreadable

__all__ = ["COLUMN_HELP", "ColumnError", "InputError", "Kind", "Source", "open_source"]

Kind = Literal["csv", "jsonl", "json"]

_BLOCK = 1 << 20

COLUMN_HELP = """\b
CSV columns (the header row names them; an empty cell is an absent field, and a record
with more or fewer cells than the header is rejected):
  NAME                      a profile field: data.NAME (email, _fname, phones, Custom_ID, ...)
  subscriptions[N].KEY      data.subscriptions[N].KEY, N from 0 (channel, email, phone,
                            resource_id, priority, status, ...); also subscriptions[N].cc_data.id
  custom_data.KEY           the item's custom_data.KEY (trigger and workflow imports)
  data.NAME                 the same as NAME
  @NAME                     a parameter of the row itself, outside data: with --db-id the
                            /profiles/import parameters (@email, @phone, @profile_id, @skip_triggers, ...)
A cell becomes an integer, number or boolean (true/false) where openapi.yaml types the field so and
the cell reads as one (resource_id, priority, status, _sex, cc_data.id, ...); otherwise it is text.
With --db-id an `email` column fills the root email (the default matching's search key) too, unless
there is an @email column."""


class InputError(Exception):
    """The input cannot be read on (a JSON array broken mid-way, a file that is not UTF-8)."""


class ColumnError(ValueError):
    """A CSV header or a --map option the column syntax cannot place."""


class _Counting(io.RawIOBase):
    """A raw stream serving ``prefix`` first, then ``stream``; counts the bytes handed out."""

    def __init__(self, stream: IO[bytes], prefix: bytes = b"") -> None:
        self._stream = stream
        self._prefix = prefix
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        else:
            data = self._stream.read(len(view))
            n = len(data)
            view[:n] = data
        self.count += n
        return n


@dataclass
class Source:
    """An opened input: its name, kind, size (None for stdin) and the byte stream."""

    name: str
    path: Path | None
    kind: Kind
    size: int | None
    raw: _Counting
    stream: io.BufferedReader

    @property
    def bytes_read(self) -> int:
        return self.raw.count

    def close(self) -> None:
        self.stream.close()


def _sniff(head: bytes) -> Kind:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl"
    return "csv"


def open_source(path: str, kind: Kind | None, stdin: IO[bytes]) -> Source:
    """Open ``path`` (``-`` for stdin); the kind is ``kind``, else the extension's, else sniffed."""
    if path == "-":
        head = stdin.read(4096)
        raw = _Counting(stdin, head)
        return Source("<stdin>", None, kind or _sniff(head), None, raw, io.BufferedReader(raw, _BLOCK))
    file = Path(path)
    fh = file.open("rb", buffering=0)
    suffix = file.suffix.lower()
    if kind is None:
        kind = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(suffix)  # type: ignore[assignment]
    if kind is None:
        kind = _sniff(fh.read(4096))
        fh.seek(0)
    raw = _Counting(fh)
    return Source(str(file), file, kind, file.stat().st_size, raw, io.BufferedReader(raw, _BLOCK))


# -- JSON lines and JSON arrays ---------------------------------------------------------------------------


def _renamer(mapping: Mapping[str, str]) -> Callable[[Any], Any]:
    """--map for JSON rows: rename keys of the row's ``data`` object."""
    pairs = tuple(mapping.items())

    def rename(row: Any) -> Any:
        data = row.get("data") if isinstance(row, dict) else None
        if isinstance(data, dict):
            for old, new in pairs:
                if old in data:
                    data[new] = data.pop(old)
        return row

    return rename


def jsonl_rows(source: Source, mapping: Mapping[str, str]) -> Iterator[Any]:
    """One row per non-blank line; a line that is not JSON is an :class:`Unreadable` row."""
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    rename = _renamer(mapping) if mapping else None
    for line in source.stream:
        try:
            row = loads(line)
        except decode_error as exc:
            if not line.strip():
                continue  # a blank line is no row
            row = Unreadable(line.rstrip(b"\r\n"), f"is not JSON: {exc}")
        if rename is not None:
            row = rename(row)
        yield row


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_array_rows(source: Source, mapping: Mapping[str, str]) -> Iterator[Any]:
    """The elements of one top-level JSON array, decoded one by one (stdlib ``raw_decode`` on a
    growing window of the text): the array is never held whole."""
    text = io.TextIOWrapper(source.stream, encoding="utf-8-sig")
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    rename = _renamer(mapping) if mapping else None
    buf = ""
    pos = 0
    eof = False
    offset = 0  # characters dropped from the front of buf

    def more() -> bool:
        nonlocal buf, pos, eof, offset
        if eof:
            return False
        block = text.read(_BLOCK)
        if not block:
            eof = True
            return False
        offset += pos
        buf = buf[pos:] + block
        pos = 0
        return True

    def skip_space() -> bool:
        """Move past whitespace; False at the end of the input."""
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf):
                return True
            if not more():
                return False

    def fail(what: str) -> InputError:
        return InputError(f"{source.name}: not one JSON array: {what} at character {offset + pos + 1}")

    try:
        if not skip_space() or buf[pos] != "[":
            raise fail("expected '['")
        pos += 1
        if not skip_space():
            raise fail("the array does not end")
        if buf[pos] == "]":
            pos += 1
        else:
            while True:
                while True:
                    try:
                        row, end = decoder.raw_decode(buf, pos)
                    except (json.JSONDecodeError, ValueError) as exc:
                        if more():
                            continue
                        raise fail(f"{exc}") from None
                    if end >= len(buf) and more():
                        continue  # a number or literal may go on in the next block
                    break
                pos = end
                yield rename(row) if rename is not None else row
                if not skip_space():
                    raise fail("the array does not end")
                if buf[pos] == ",":
                    pos += 1
                    if not skip_space():
                        raise fail("the array does not end")
                    continue
                if buf[pos] == "]":
                    pos += 1
                    break
                raise fail(f"expected ',' or ']', not {buf[pos]!r}")
        if skip_space():
            raise fail("text after the array")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source.name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


# -- CSV ------------------------------------------------------------------------------------------------

_PATH = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")
# ASCII digits only: "٣" (an Arabic-Indic three) is text, as the XML reading takes it.
_INT = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _parse_path(text: str) -> list[str | int]:
    """``subscriptions[0].cc_data.id`` -> ["subscriptions", 0, "cc_data", "id"]."""
    parts: list[str | int] = []
    for segment in text.split("."):
        match = _PATH.fullmatch(segment)
        if match is None:
            raise ColumnError(f"column {text!r}: cannot read {segment!r} (see the column syntax in --help)")
        parts.append(match.group(1))
        parts.extend(int(i) for i in re.findall(r"\d+", match.group(2)))
    return parts


def _shape_at(shape: Shape | None, parts: Sequence[str | int]) -> Shape | None:
    for part in parts:
        if shape is None:
            return None
        shape = shape.items if isinstance(part, int) else shape.properties.get(part)
    return shape


def _converter(shape: Shape | None) -> Callable[[str], Any]:
    """A cell as the type openapi.yaml gives its field, where the cell reads as one."""
    kinds = shape.kinds if shape is not None else frozenset()
    integer, number, boolean = "integer" in kinds, "number" in kinds, "boolean" in kinds
    # An assumed type (x-assumed, never enforced), or a type that also allows a string (field_value's
    # int/string), changes no value: "5" is 5, "007" and "0002" (a CRM id) stay as written.
    exact = shape is not None and (shape.assumed or "string" in kinds)

    def convert(cell: str) -> Any:
        if integer and _INT.fullmatch(cell) and (not exact or str(int(cell)) == cell):
            return int(cell)
        if number and _NUMBER.fullmatch(cell) and (not exact or repr(float(cell)) == cell):
            return float(cell)
        if boolean and cell.lower() in ("true", "false"):
            return cell.lower() == "true"
        return cell

    return convert if integer or number or boolean else str


@dataclass(frozen=True)
class _Column:
    index: int
    path: tuple[str | int, ...]
    convert: Callable[[str], Any]


def _columns(header: Sequence[str], mapping: Mapping[str, str], per_row: bool) -> list[_Column]:
    missing = [name for name in mapping if name not in header]
    if missing:
        raise ColumnError(f"--map names a column the header does not have: {', '.join(missing)}")
    batch_items = request_shape("import_and_start_batch").properties["data"].items
    item_shape = request_shape("import_profile") if per_row else batch_items
    columns: list[_Column] = []
    seen: dict[tuple[str | int, ...], str] = {}
    names = [mapping.get(name, name).strip() for name in header]
    for index, name in enumerate(names):
        if not name:
            raise ColumnError(f"column {index + 1} has no name in the header")
        if name.startswith("@"):
            path = _parse_path(name[1:])
        else:
            path = _parse_path(name)
            if path[0] not in ("data", "custom_data"):
                path = ["data", *path]
        if len(path) < 2 and path[0] in ("data", "custom_data"):
            raise ColumnError(f"column {name!r}: name a field inside {path[0]} ({path[0]}.NAME)")
        key = tuple(path)
        if key in seen:  # named as in the header (a --map can make two columns one field)
            raise ColumnError(f"columns {seen[key]!r} and {header[index]!r} are the same field ({name})")
        seen[key] = header[index]
        columns.append(_Column(index, key, _converter(_shape_at(item_shape, path))))
    if per_row and ("email",) not in seen and ("data", "email") in seen:
        source = next(c for c in columns if c.path == ("data", "email"))
        columns.append(_Column(source.index, ("email",), source.convert))
    return columns


def _place(row: dict[Any, Any], path: tuple[str | int, ...], value: Any) -> None:
    node = row
    for part in path[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        node = child
    node[path[-1]] = value


def _lists(node: Any) -> Any:
    """Dicts keyed by indices become lists in index order (empty indices dropped)."""
    if isinstance(node, dict):
        if node and all(isinstance(k, int) for k in node):
            return [_lists(node[k]) for k in sorted(node)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def csv_rows(source: Source, mapping: Mapping[str, str], per_row: bool) -> Iterator[Any]:
    """One row per CSV record after the header (the column syntax: :data:`COLUMN_HELP`).

    The header is read and checked at once (:class:`ColumnError`), before any row is asked for.
    """
    text = io.TextIOWrapper(source.stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{source.name}: the header row is not readable CSV text: {exc}") from None
    if header is None:
        return iter(())
    columns = _columns(header, mapping, per_row)
    return _csv_body(source, reader, columns, len(header))


def _csv_body(source: Source, reader: Any, columns: list[_Column], width: int) -> Iterator[Any]:
    nested = any(isinstance(p, int) for c in columns for p in c.path)
    try:
        for record in reader:
            if not record:
                continue  # a blank line is no row
            if len(record) != width:  # a record cut short (a truncated export) is not imported in part
                cells = f"{len(record)} cell{'' if len(record) == 1 else 's'}"
                yield Unreadable(orjson.dumps(record), f"has {cells}, the header has {width}")
                continue
            row: dict[Any, Any] = {}
            for column in columns:
                cell = record[column.index]
                if cell != "":
                    _place(row, column.path, column.convert(cell))
            if "data" not in row:
                row["data"] = {}
            yield _lists(row) if nested else row
    except UnicodeDecodeError as exc:
        raise InputError(f"{source.name}: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise InputError(f"{source.name}: not readable as CSV: {exc} (line {reader.line_num})") from None


def rows_of(source: Source, mapping: Mapping[str, str], per_row: bool) -> Iterator[Any]:
    """The rows of ``source`` by its kind."""
    if source.kind == "csv":
        return csv_rows(source, mapping, per_row)
    if source.kind == "jsonl":
        return jsonl_rows(source, mapping)
    return json_array_rows(source, mapping)
