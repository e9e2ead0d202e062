"""How ``altcraft import`` reads its input: the CSV header, a JSON array with a byte-order mark, ``--map``
on JSON lines, and the bytes counted as read (the progress's share of the input)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from altcraft.cli import main
from altcraft.cli._readers import open_source, rows_of
from click.testing import CliRunner, Result


def dry(path: Path, *extra: str) -> Result:
    return CliRunner().invoke(main, ["import", str(path), "--trigger-id", "13", "--dry-run", "--json", *extra])


def test_a_custom_data_column_must_name_a_key(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text("email,custom_data\na@b.c,x\n", encoding="utf-8")
    result = dry(data)
    assert result.exit_code == 2
    assert "column 'custom_data': name a field inside custom_data (custom_data.NAME)" in result.stderr


def test_two_columns_for_one_field_are_named_both(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text("email,name\na@b.c,x\n", encoding="utf-8")
    result = dry(data, "--map", "name=email")
    assert result.exit_code == 2 and "columns 'email' and 'name' are the same field (email)" in result.stderr, (
        result.stderr
    )


def test_a_json_array_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    data = tmp_path / "rows.json"
    data.write_bytes(b"\xef\xbb\xbf" + orjson.dumps([{"data": {"email": f"u{i}@b.c"}} for i in range(3)]))
    summary = json.loads(dry(data).stdout)
    assert summary["rows"] == summary["valid"] == 3


def test_map_renames_the_keys_of_json_lines_rows(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_bytes(b"".join(orjson.dumps({"data": {"mail": f"u{i}@b.c"}}) + b"\n" for i in range(4)))
    assert json.loads(dry(data).stdout)["rejected"] == 4  # no search key without the mapping
    mapped = json.loads(dry(data, "--map", "mail=email").stdout)
    assert mapped["valid"] == 4 and mapped["rejected"] == 0


def test_the_bytes_read_are_the_whole_file_once_it_is_read(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_bytes(
        b"".join(orjson.dumps({"data": {"email": f"u{i}@b.c", "_fname": "x" * 500}}) + b"\n" for i in range(500))
    )
    source = open_source(str(data), None, None)  # type: ignore[arg-type]
    try:
        assert sum(1 for _ in rows_of(source, {}, False)) == 500
        assert source.bytes_read == data.stat().st_size
    finally:
        source.close()


def test_the_help_shows_the_default_of_each_seconds_option() -> None:
    text = " ".join(CliRunner().invoke(main, ["import", "--help"]).output.split())
    assert "Seconds between progress lines when stderr is not a terminal. [default: 5.0; x>=0]" in text
