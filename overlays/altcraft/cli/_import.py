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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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
    Progress,
    RowWarning,
    bulk_import,
    check_rows,
    file_fingerprint,
)

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
    EXIT_ROWS_UNKNOWN: "rows unknown or unconfirmed, whatever else happened",
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


def _count(n: int) -> str:
    return f"{n:,}"


# -- progress -----------------------------------------------------------------------------------------------


class _Lines:
    """Plain progress lines on stderr, at most one per ``every`` seconds."""

    def __init__(self, source: Source, every: float) -> None:
        self.source = source
        self.every = every
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            click.echo(self.line(p, now), err=True)

    def line(self, p: Progress, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = p.rows_read / elapsed
        text = (
            f"altcraft import: {_count(p.rows_read)} rows read, {_count(p.rows_sent)} sent, "
            f"{_count(p.imported)} confirmed"
        )
        other = [
            f"{_count(n)} {name}"
            for name, n in (("rejected", p.rejected), ("unknown", p.unknown), ("unconfirmed", p.unconfirmed))
            if n
        ]
        if other:
            text += f" ({', '.join(other)})"
        text += f"; {rate:,.0f} rows/s"
        size, done = self.source.size, self.source.bytes_read
        if size and done:
            share = min(done / size, 1.0)
            eta = elapsed * (1 - share) / share if share else 0.0
            text += f", {share:.0%} of the input, ETA {_duration(eta)}"
        return text


def _duration(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


@contextmanager
def _progress(source: Source, quiet: bool, every: float) -> Iterator[Callable[[Progress], None] | None]:
    """A rich bar on a terminal (stderr), plain lines otherwise, nothing with --quiet."""
    if quiet:
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield _Lines(source, every)
        return
    from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    columns = [
        TextColumn("{task.fields[counts]}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Bar(*columns, console=console, transient=False) as bar:
        started = time.monotonic()
        task = bar.add_task("import", total=source.size, counts="starting", rate="")

        def update(p: Progress) -> None:
            elapsed = max(time.monotonic() - started, 1e-9)
            counts = f"{_count(p.rows_read)} read, {_count(p.rows_sent)} sent, {_count(p.imported)} confirmed"
            if p.rejected or p.unknown or p.unconfirmed:
                counts += f", {_count(p.rejected + p.unknown + p.unconfirmed)} not imported"
            bar.update(task, completed=source.bytes_read, counts=counts, rate=f"{p.rows_read / elapsed:,.0f} rows/s")

        yield update
        bar.update(task, completed=source.size or source.bytes_read)


# -- the summary and the exit code ---------------------------------------------------------------------------


def _exit_code(report: ImportReport) -> int:
    if report.unknown or report.unconfirmed:
        return EXIT_ROWS_UNKNOWN
    if report.rejected or report.pending or not report.complete:
        return EXIT_ROWS_REJECTED
    return 0


def _summary(report: ImportReport, results: Path | None, code: int, interrupted: bool) -> dict[str, Any]:
    return {
        "rows": report.rows,
        "imported": report.imported,
        "rejected": report.rejected,
        "unknown": report.unknown,
        "unconfirmed": report.unconfirmed,
        "pending": report.pending,
        "chunks": report.chunks,
        "seconds": round(report.elapsed, 3),
        "complete": report.complete,
        "interrupted": interrupted,
        "journal": None if report.journal_path is None else str(report.journal_path),
        "results": None if results is None else str(results),
        "exit_code": code,
    }


def _print_summary(summary: Mapping[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(orjson.dumps(summary).decode())
        return
    seconds = summary["seconds"]
    rate = summary["rows"] / seconds if seconds else 0.0
    parts = [f"{_count(summary[k])} {k}" for k in ("imported", "rejected", "unknown", "unconfirmed", "pending")]
    click.echo(
        f"{_count(summary['rows'])} rows: {', '.join(parts)}; {_count(summary['chunks'])} chunks, "
        f"{seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    if summary["results"]:
        click.echo(f"results: {summary['results']}")
    if summary["journal"]:
        click.echo(f"journal: {summary['journal']}")


def _hints(report: ImportReport, resumable: bool) -> None:
    """What to do about rows that did not end imported (stderr)."""
    again = "run the same command with --resume" if resumable else "(the input is stdin without --journal: no resume)"
    if report.unknown:
        click.echo(
            f"altcraft import: {_count(report.unknown)} rows unknown: their requests were sent and may have been "
            f"processed (see --results); --resume --resend-unknown sends them again, and they may then be launched "
            "twice",
            err=True,
        )
    if report.unconfirmed:
        click.echo(
            f"altcraft import: {_count(report.unconfirmed)} rows unconfirmed: the server listed fewer profiles than "
            "were sent in their chunks",
            err=True,
        )
    if report.pending or not report.complete:
        click.echo(f"altcraft import: {_count(report.pending)} rows pending, the input not finished: {again}", err=True)


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
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
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
    try:
        try:
            rows = rows_of(source, mapping, per_row)
        except ColumnError as exc:
            raise ImportUsageError(str(exc)) from None
        if dry_run:
            _dry_run(source, rows, target, connection.format, chunk_size, results_path, as_json)
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
        with client, _progress(source, quiet, progress_every) as on_progress:
            try:
                report = bulk_import(
                    client,
                    rows,
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
    except JournalMismatch as exc:
        raise ImportUsageError(f"{exc}") from None
    except InvalidInput as exc:
        raise ImportUsageError(f"{exc}") from None
    except InputError as exc:
        raise CommandError(f"{exc} (rows before it are journaled; nothing after it was read)") from None
    finally:
        source.close()
    code = EXIT_INTERRUPTED if interrupted is not None else _exit_code(report)
    summary = _summary(report, results_path, code, interrupted is not None)
    report.close()
    _print_summary(summary, as_json)
    resumable = journal_path is not None
    if interrupted is not None:
        how = "carry on with the same command and --resume" if resumable else "stdin without --journal: no resume"
        raise Interrupted(f"interrupted; the journal is consistent: {how}")
    _hints(report, resumable)
    if code:
        raise click.exceptions.Exit(code)


_SHOWN_WARNINGS = 20


def _print_warnings(warnings: list[RowWarning]) -> None:
    """The rules the rows break that the pages do not state (sent as written), at most 20 of them."""
    if not warnings:
        return
    click.echo(f"{_count(len(warnings))} warning(s), not refused (the rows are sent as written):", err=True)
    for w in warnings[:_SHOWN_WARNINGS]:
        click.echo(f"  {w}", err=True)
    if len(warnings) > _SHOWN_WARNINGS:
        click.echo(f"  ... and {_count(len(warnings) - _SHOWN_WARNINGS)} more (--json lists them all)", err=True)


def _dry_run(
    source: Source,
    rows: Iterator[Any],
    target: Mapping[str, Any],
    format: str,
    chunk_size: int,
    results_path: Path | None,
    as_json: bool,
) -> None:
    """Check every row; write the rejected ones to --results; send nothing."""
    started = time.monotonic()
    checked = check_rows(rows, **target, format=format, max_items=chunk_size)
    writer: Callable[[Any], None] | None = None
    out: Any = None
    try:
        if results_path is not None:
            if results_path.suffix.lower() == ".csv":
                import csv

                out = results_path.open("w", newline="", encoding="utf-8")
                w = csv.writer(out)
                w.writerow(["row", "state", "profile_id", "reason"])
                writer = lambda r: w.writerow([r.row, r.state, "", r.reason or ""])  # noqa: E731
            else:
                out = results_path.open("wb")
                writer = lambda r: out.write(orjson.dumps(r.as_dict()) + b"\n")  # noqa: E731
        for rejected in checked:
            if writer is not None:
                writer(rejected)
    finally:
        if out is not None:
            out.close()
    code = EXIT_ROWS_REJECTED if checked.rejected else 0
    summary = {
        "rows": checked.rows,
        "valid": checked.rows - checked.rejected,
        "rejected": checked.rejected,
        "imported": 0,
        "unknown": 0,
        "unconfirmed": 0,
        "chunks": checked.chunks,
        "seconds": round(time.monotonic() - started, 3),
        "dry_run": True,
        "warnings": [str(w) for w in checked.warnings],
        "results": None if results_path is None else str(results_path),
        "exit_code": code,
    }
    if as_json:
        click.echo(orjson.dumps(summary).decode())
    else:
        click.echo(
            f"dry run of {source.name}: {_count(checked.rows)} rows, {_count(checked.rows - checked.rejected)} valid, "
            f"{_count(checked.rejected)} rejected; {_count(checked.chunks)} chunks would be sent; nothing was sent"
        )
        if results_path is not None:
            click.echo(f"rejected rows: {results_path}")
        _print_warnings(checked.warnings)
    if code:
        raise click.exceptions.Exit(code)
