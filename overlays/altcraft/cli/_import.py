"""``altcraft import FILE|-``: a resumable bulk import from CSV, JSON lines or a JSON array.

The command reads the input streamed (:mod:`altcraft.cli._readers`), hands it to
:func:`altcraft.bulk.bulk_import` with a journal next to the file, shows progress, writes one result
per row on request, and exits with a code that says how the rows ended (see :data:`IMPORT_EXIT_CODES`).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import click
import orjson

from altcraft import InvalidInput
from altcraft._limits import RECOMMENDED_ITEMS
from altcraft.bulk import (
    ImportInterrupted,
    ImportReport,
    JournalMismatch,
    RowResult,
    bulk_import,
    check_rows,
    file_fingerprint,
)
from altcraft.bulk._report import write_results

from ._config import (
    EXIT_CONFIG,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CommandError,
    Connection,
    Format,
    Interrupted,
    pass_connection,
    seconds_option,
)
from ._import_output import SHOWN, Unread, print_dry_run, print_hints, print_summary, progress_display, summary_of
from ._readers import COLUMN_HELP, ColumnError, InputError, Kind, Source, open_source, rows_of

__all__ = ["IMPORT_EXIT_CODES", "ImportUsageError", "import_"]

EXIT_ROWS_REJECTED = 1
# Usage errors exit 2 in every command (click's code, also for the group's options before "import"), so
# "rows unknown" cannot be 2 as well: a script could not tell "nothing was sent" from "rows may be
# imported twice". It is 5, after the codes every command shares (0-4).
EXIT_ROWS_UNKNOWN = 5

IMPORT_EXIT_CODES = {
    0: "every row imported (--dry-run: every row valid)",
    EXIT_ROWS_REJECTED: "rows rejected (none unknown or unconfirmed); or stopped with rows pending (--resume)",
    EXIT_USAGE: "usage error (options, the journal, --results, the CSV header, the target); nothing was sent",
    EXIT_CONFIG: "configuration error (no server URL, no token, an unreadable token file); nothing was sent",
    EXIT_ROWS_UNKNOWN: "rows unknown or unconfirmed, whatever else happened (but an interruption: 130)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); the journal is consistent: --resume carries on",
}


class ImportUsageError(CommandError):
    """A usage error of ``altcraft import`` found past click's own checks (exit 2, as click's)."""

    exit_code = EXIT_USAGE


def _parse_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values:
        column, sep, field = value.partition("=")
        if not sep or not column or not field.strip():
            raise click.BadParameter(f"{value!r} is not COLUMN=FIELD", param_hint="--map")
        if column in mapping:
            raise click.BadParameter(f"column {column!r} is mapped twice", param_hint="--map")
        mapping[column] = field.strip()
    return mapping


def _exit_code(report: ImportReport) -> int:
    if report.unknown or report.unconfirmed:
        return EXIT_ROWS_UNKNOWN
    if report.rejected or report.pending or not report.complete:
        return EXIT_ROWS_REJECTED
    return 0


class _Taken:
    """The rows taken from an iterator, counted (what the import consumed of the input)."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        for row in self.rows:
            self.count += 1
            yield row


def _unread(report: ImportReport, taken: _Taken, stdin: bool) -> Unread | None:
    """The rows of the input no run has read, when this run stopped before the input's end.

    The rest of a file is counted (read without sending; Ctrl-C skips it); stdin is not read further.
    """
    if report.complete:
        return None
    if stdin:
        return Unread(None, "stdin is not read further")
    try:
        rest = sum(1 for _ in taken.rows)
    except KeyboardInterrupt:
        return Unread(None, "counting the rest was interrupted")
    except InputError as exc:
        return Unread(None, f"the rest cannot be read: {exc}")
    return Unread(max(0, taken.count + rest - report.rows))


# -- the command ----------------------------------------------------------------------------------------------

_HELP_EPILOG = (
    COLUMN_HELP
    + "\n\n\b\nJSON input: JSON lines (.jsonl, .ndjson; one row per non-blank line) or one JSON array (.json),\n"
    'both streamed. A row is a batch item as the docs show it, {"data": {...}, "custom_data": {...}};\n'
    'with --db-id a /profiles/import body without db_id ({"email": ..., "data": {...}}). --map renames a\n'
    "key of each row's data object. A line that is not JSON is a rejected row. The kind comes from the\n"
    "extension, else from the first non-space byte ('[' array, '{' JSON lines, else CSV).\n"
    "\b\nRows are numbered from 1 (CSV: the records after the header; JSON lines: the non-blank lines).\n"
    "\b\nThe journal (default FILE.altcraft-journal) records every chunk before its request leaves. An\n"
    "existing journal is an error unless --resume is given: then the run carries on from it (a changed\n"
    "input is refused), waiting for accepted tasks and never re-sending a chunk whose outcome is unknown\n"
    "unless --resend-unknown. Stdin has no default journal: without --journal it cannot be resumed.\n"
    "\b\nExit codes of altcraft import:\n" + "\n".join(f"  {code:<4}{text}" for code, text in IMPORT_EXIT_CODES.items())
)


@click.command(
    "import",
    epilog=_HELP_EPILOG,
    short_help="Import profiles from a file and launch a trigger or workflow, resumably.",
)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, exists=True))
@click.option("--trigger-id", type=click.IntRange(min=0), help="Launch this trigger (tasks, unless --sync).")
@click.option("--workflow-id", type=click.IntRange(min=0), help="Start this workflow (tasks).")
@click.option("--db-id", type=click.IntRange(min=0), help="Import into this database, one /profiles/import per row.")
@click.option("--sync", "sync_mode", is_flag=True, help="With --trigger-id: import_and_start_batch (no tasks).")
@click.option("--matching", metavar="MODE", help="The matching mode (email, phone, profile_id, ...).")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Rename a CSV column (to any column name of the syntax below) or a key of a JSON row's data. Repeatable.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["json", "xml"]),
    default=None,
    help="Encoding of the requests (default: the group's --format, json).",
)
@click.option(
    "--input-format",
    "kind",
    type=click.Choice(["csv", "jsonl", "json"]),
    default=None,
    help="The input's kind, when neither its extension nor its first byte says.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(1, RECOMMENDED_ITEMS),
    default=1000,
    show_default=True,
    help="Rows per request (a lost answer makes at most this many rows unknown).",
)
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True, help="Requests in flight.")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path), help="The journal file.")
@click.option("--resume", is_flag=True, help="Carry on from the journal of an earlier run of this import.")
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="With --resume: send again the chunks whose outcome is unknown (their rows may be launched twice).",
)
@click.option("--dry-run", is_flag=True, help="Check every row; send nothing (no token or server needed).")
@click.option(
    "--results",
    "results_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write one record per input row (row, state, profile_id, reason): CSV if FILE ends in .csv, else JSON "
    "lines. With --dry-run: the rejected rows only.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one summary object (JSON) on stdout.")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Only errors and warnings (rows that may have been launched twice): no progress, summary or hints.",
)
@seconds_option(
    "--progress-every",
    default=5.0,
    positive=False,
    help="Seconds between progress lines when stderr is not a terminal.",
)
@pass_connection
def import_(
    connection: Connection,
    file: str,
    trigger_id: int | None,
    workflow_id: int | None,
    db_id: int | None,
    sync_mode: bool,
    matching: str | None,
    maps: tuple[str, ...],
    format_: str | None,
    kind: str | None,
    chunk_size: int,
    concurrency: int,
    journal_path: Path | None,
    resume: bool,
    resend_unknown: bool,
    dry_run: bool,
    results_path: Path | None,
    as_json: bool,
    quiet: bool,
    progress_every: float,
) -> None:
    """Import the rows of FILE (- for stdin) and launch a trigger (--trigger-id) or workflow
    (--workflow-id), or import profiles (--db-id); exactly one of the three.

    Every row ends in one state: imported, rejected (by validation here, or by the server), unknown
    (sent, no answer: it may have been processed) or unconfirmed (the server listed fewer profiles than
    its chunk sent). A progress bar shows on a terminal, plain lines on stderr otherwise.
    """
    targets = [
        name
        for name, v in (("--trigger-id", trigger_id), ("--workflow-id", workflow_id), ("--db-id", db_id))
        if v is not None
    ]
    if len(targets) != 1:
        raise click.UsageError(
            "give exactly one of --trigger-id, --workflow-id, --db-id"
            + (f" (got {', '.join(targets)})" if targets else "")
        )
    if sync_mode and trigger_id is None:
        raise click.UsageError(
            "--sync is for --trigger-id only (workflows start as tasks; --db-id sends one request per row)"
        )
    if resend_unknown and not resume:
        raise click.UsageError("--resend-unknown needs --resume (it re-sends chunks an earlier run left unknown)")
    if dry_run and (resume or resend_unknown):
        raise click.UsageError("--dry-run sends nothing: it takes no --resume or --resend-unknown")
    mapping = _parse_map(maps)
    if format_ is not None:
        connection = dataclasses.replace(connection, format=cast(Format, format_))
    stdin = file == "-"
    if journal_path is None and not stdin and not dry_run:
        journal_path = Path(file + ".altcraft-journal")
    if stdin and resume and journal_path is None:
        raise click.UsageError("--resume of stdin needs --journal PATH (stdin has no default journal)")
    if not dry_run and journal_path is not None:
        exists = journal_path.exists()
        if exists and not resume:
            raise ImportUsageError(
                f"the journal {journal_path} exists (an earlier run of this import): add --resume to carry on, or "
                "delete it to start over"
            )
        if resume and not exists:
            raise ImportUsageError(f"--resume: there is no journal {journal_path} to carry on from")
    if results_path is not None:  # checked before anything is sent, not after the import
        folder = results_path.resolve().parent
        if results_path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
            raise ImportUsageError(f"--results {results_path}: cannot write a file there")
    per_row = db_id is not None
    target: dict[str, Any] = {
        "trigger_id": trigger_id,
        "workflow_id": workflow_id,
        "db_id": db_id,
        "task": not sync_mode,
        "matching": matching,
    }

    source = open_source(file, cast("Kind | None", kind), sys.stdin.buffer)
    unread: Unread | None = None
    try:
        try:
            taken = _Taken(rows_of(source, mapping, per_row))
        except ColumnError as exc:
            raise ImportUsageError(str(exc)) from None
        if dry_run:
            _dry_run(source, iter(taken), target, connection.format, chunk_size, results_path, as_json, quiet)
            return
        # Configuration problems (no URL, no token) before anything is read or journaled.
        client = connection.client(validate=False)  # every row and the root are validated by bulk_import
        input_id = None if stdin else file_fingerprint(file)
        if stdin and journal_path is None:
            click.echo(
                "altcraft import: reading stdin without --journal: this import cannot be resumed if it stops "
                "(pass --journal PATH to make it resumable)",
                err=True,
            )
        if resend_unknown:
            click.echo(
                "altcraft import: --resend-unknown: the chunks an earlier run left unknown are sent AGAIN; "
                "their rows may be imported and launched twice",
                err=True,
            )
        interrupted: ImportInterrupted | None = None
        with client, progress_display(source, quiet, progress_every) as on_progress:
            try:
                report = bulk_import(
                    client,
                    iter(taken),
                    **target,
                    journal=journal_path,
                    input_id=input_id,
                    concurrency=concurrency,
                    on_progress=on_progress,
                    resend_unknown=resend_unknown,
                    max_items=chunk_size,
                    results=results_path,
                    plain_rows=True,  # the readers give orjson/csv data: no models to convert
                )
            except ImportInterrupted as exc:
                interrupted = exc
                report = exc.report
        unread = _unread(report, taken, stdin)
    except JournalMismatch as exc:
        raise ImportUsageError(f"{exc}") from None
    except InvalidInput as exc:
        raise ImportUsageError(f"{exc}") from None
    except InputError as exc:
        raise CommandError(f"{exc} (rows before it are journaled; nothing after it was read)") from None
    finally:
        source.close()
    code = EXIT_INTERRUPTED if interrupted is not None else _exit_code(report)
    summary = summary_of(report, results_path, code, interrupted is not None, unread)
    report.close()
    if as_json or not quiet:
        print_summary(summary, as_json, unread)
    resumable = journal_path is not None
    if interrupted is not None:
        if resumable:
            raise Interrupted("interrupted; the journal is consistent: carry on with the same command and --resume")
        raise Interrupted("interrupted; stdin without --journal: this import cannot be resumed")
    print_hints(report, resumable, resume, quiet)
    if code:
        raise click.exceptions.Exit(code)


def _dry_run(
    source: Source,
    rows: Iterator[Any],
    target: Mapping[str, Any],
    format: str,
    chunk_size: int,
    results_path: Path | None,
    as_json: bool,
    quiet: bool,
) -> None:
    """Check every row; list the rejected ones (all of them in --results); send nothing."""
    started = time.monotonic()
    checked = check_rows(rows, **target, format=format, max_items=chunk_size)
    shown: list[RowResult] = []

    def rejected() -> Iterator[RowResult]:
        for r in checked:
            if len(shown) < SHOWN:
                shown.append(r)
            yield r

    if results_path is not None:
        write_results(results_path, rejected(), with_field=True)
    else:
        for _ in rejected():
            pass
    code = EXIT_ROWS_REJECTED if checked.rejected else 0
    summary = {
        "rows": checked.rows,
        "valid": checked.rows - checked.rejected,
        "rejected": checked.rejected,
        "imported": 0,
        "unknown": 0,
        "unconfirmed": 0,
        "chunks": checked.chunks,
        "bytes": checked.bytes,
        "seconds": round(time.monotonic() - started, 3),
        "dry_run": True,
        "rejected_rows": [{"row": r.row, "field": r.field, "reason": r.reason} for r in shown],
        "warnings": [str(w) for w in checked.warnings],
        "results": None if results_path is None else str(results_path),
        "exit_code": code,
    }
    if as_json:
        click.echo(orjson.dumps(summary).decode())
    elif not quiet:
        print_dry_run(source.name, summary, shown, checked.warnings, results_path)
    if code:
        raise click.exceptions.Exit(code)
