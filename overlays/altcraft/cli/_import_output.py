"""What ``altcraft import`` prints: progress while it runs, the summary, the hints, the dry-run report.

Progress and hints go to stderr, the summary to stdout (``--json``: one JSON object). ``--quiet``
leaves only the errors and warnings (and the ``--json`` summary, which was asked for).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click
import orjson

from altcraft.bulk import ImportReport, Progress, RowResult, RowWarning

from ._readers import Source

__all__ = [
    "SHOWN",
    "Unread",
    "count",
    "print_dry_run",
    "print_hints",
    "print_summary",
    "progress_display",
    "summary_of",
]

SHOWN = 20  # rejected rows and warnings listed in the terminal; --results and --json hold them all


def count(n: int) -> str:
    """``n`` with thousands separators."""
    return f"{n:,}"


def _duration(seconds: float) -> str:
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _settled(p: Progress) -> float:
    """The share of the journaled rows that reached their final state (1.0 when there are none)."""
    final = p.imported + p.rejected + p.unknown + p.unconfirmed
    return final / (final + p.pending) if final + p.pending else 1.0


def _waiting(p: Progress) -> str:
    """``"; waiting for 3 tasks and 1 request"`` once the input is read and something is outstanding."""
    if not p.input_done or not (p.tasks_waiting or p.chunks_in_flight):
        return ""
    parts = [
        f"{count(n)} {word}{'' if n == 1 else 's'}"
        for n, word in ((p.tasks_waiting, "task"), (p.chunks_in_flight, "request"))
        if n
    ]
    return "; input read, waiting for " + " and ".join(parts)


class _Lines:
    """Plain progress lines on stderr: at most one per ``every`` seconds, and one when the input is read."""

    def __init__(self, source: Source, every: float) -> None:
        self.source = source
        self.every = every
        self.started = time.monotonic()
        self.last = self.started
        self.said_input_done = False

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        turned = p.input_done and not self.said_input_done and bool(_waiting(p))
        if turned or now - self.last >= self.every:
            self.last = now
            self.said_input_done = self.said_input_done or turned
            click.echo(self.line(p, now), err=True)

    def line(self, p: Progress, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        text = (
            f"altcraft import: {count(p.rows_read)} rows read, {count(p.rows_sent)} sent, {count(p.imported)} confirmed"
        )
        other = [
            f"{count(n)} {name}"
            for name, n in (("rejected", p.rejected), ("unknown", p.unknown), ("unconfirmed", p.unconfirmed))
            if n
        ]
        if other:
            text += f" ({', '.join(other)})"
        waiting = _waiting(p)
        if waiting:
            return text + waiting
        text += f"; {p.rows_read / elapsed:,.0f} rows/s"
        size, done = self.source.size, self.source.bytes_read
        if size and done:
            share = min(done / size, 1.0) * _settled(p)
            text += f", {share:.0%} done"
            if share:
                text += f", ETA {_duration(elapsed * (1 - share) / share)}"
        return text


@contextmanager
def progress_display(source: Source, quiet: bool, every: float) -> Iterator[Callable[[Progress], None] | None]:
    """A rich bar on a terminal (stderr), plain lines otherwise, nothing with --quiet.

    The bar is the share of the input read, times the share of its journaled rows settled: it stays
    short of 100% while the tasks of the last chunks are still running.
    """
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
    last: list[Progress] = []
    with Bar(*columns, console=console, transient=False) as bar:
        started = time.monotonic()
        task = bar.add_task("import", total=source.size, counts="starting", rate="")

        def update(p: Progress) -> None:
            last[:] = [p]
            elapsed = max(time.monotonic() - started, 1e-9)
            counts = f"{count(p.rows_read)} read, {count(p.rows_sent)} sent, {count(p.imported)} confirmed"
            if p.rejected or p.unknown or p.unconfirmed:
                counts += f", {count(p.rejected + p.unknown + p.unconfirmed)} not imported"
            rate = _waiting(p).removeprefix("; ") or f"{p.rows_read / elapsed:,.0f} rows/s"
            bar.update(task, completed=source.bytes_read * _settled(p), counts=counts, rate=rate)

        yield update
        settled = _settled(last[0]) if last else 1.0
        bar.update(task, completed=(source.size or source.bytes_read) * settled)


@dataclass(frozen=True)
class Unread:
    """What is known of the input rows no run has read: ``rows`` (None: not counted, e.g. stdin)."""

    rows: int | None
    why: str = ""


def summary_of(
    report: ImportReport, results: Any, code: int, interrupted: bool, unread: Unread | None
) -> dict[str, Any]:
    """The summary object (``--json``) of a run."""
    return {
        "rows": report.rows,
        "imported": report.imported,
        "rejected": report.rejected,
        "unknown": report.unknown,
        "unconfirmed": report.unconfirmed,
        "pending": report.pending,
        "not_read": None if unread is None else unread.rows,
        "chunks": report.chunks,
        "sent_this_run": report.rows_sent,
        "seconds": round(report.elapsed, 3),
        "complete": report.complete,
        "interrupted": interrupted,
        "journal": None if report.journal_path is None else str(report.journal_path),
        "results": None if results is None else str(results),
        "exit_code": code,
    }


def print_summary(summary: Mapping[str, Any], as_json: bool, unread: Unread | None) -> None:
    """The summary on stdout: one JSON object, or two or three lines."""
    if as_json:
        click.echo(orjson.dumps(summary).decode())
        return
    seconds = summary["seconds"]
    rate = summary["sent_this_run"] / seconds if seconds else 0.0
    parts = [f"{count(summary[k])} {k}" for k in ("imported", "rejected", "unknown", "unconfirmed", "pending")]
    not_read = ""  # nothing said when every row was read
    if unread is not None and unread.rows is None:
        not_read = f"; the rest of the input not read yet ({unread.why})"
    elif unread is not None and unread.rows:
        not_read = f"; {count(unread.rows)} rows of the input not read yet"
    click.echo(
        f"{count(summary['rows'])} rows: {', '.join(parts)}{not_read}; {count(summary['chunks'])} chunks, "
        f"{seconds:.1f} s ({rate:,.0f} rows/s sent)"
    )
    if summary["results"]:
        click.echo(f"results: {summary['results']}")
    if summary["journal"]:
        click.echo(f"journal: {summary['journal']}")


def print_hints(report: ImportReport, resumable: bool, resumed: bool, quiet: bool) -> None:
    """What to do about rows that did not end imported, and a resume that had nothing to do (stderr).

    With ``quiet`` only the warnings: rows that may have been launched (unknown) or are unconfirmed.
    """
    again = "run the same command with --resume" if resumable else "(the input is stdin without --journal: no resume)"
    if resumed and report.rows_sent == 0 and not quiet:
        left = "nothing was left to send" if report.complete or not report.pending else "nothing could be sent"
        click.echo(f"altcraft import: --resume: {left}; this run sent no request", err=True)
    if report.unknown:
        click.echo(
            f"altcraft import: {count(report.unknown)} rows unknown: their requests were sent and may have been "
            f"processed (see --results); --resume --resend-unknown sends them again, and they may then be launched "
            "twice",
            err=True,
        )
    if report.unconfirmed:
        click.echo(
            f"altcraft import: {count(report.unconfirmed)} rows unconfirmed: the server listed fewer profiles than "
            "were sent in their chunks",
            err=True,
        )
    if (report.pending or not report.complete) and not quiet:
        click.echo(f"altcraft import: {count(report.pending)} rows pending, the input not finished: {again}", err=True)


def _listed(title: str, lines: Sequence[str], total: int, more: str) -> None:
    """``title``, then the first :data:`SHOWN` of ``lines``, then how many of ``total`` were left out."""
    if not total:
        return
    click.echo(title, err=True)
    for line in lines[:SHOWN]:
        click.echo(f"  {line}", err=True)
    if total > min(len(lines), SHOWN):
        click.echo(f"  ... and {count(total - min(len(lines), SHOWN))} more ({more})", err=True)


def print_dry_run(
    name: str, summary: Mapping[str, Any], shown: Sequence[RowResult], warnings: Sequence[RowWarning], results: Any
) -> None:
    """The dry-run report: the counts and the chunks on stdout; rejected rows (the first :data:`SHOWN`
    of them) and warnings on stderr."""
    click.echo(
        f"dry run of {name}: {count(summary['rows'])} rows, {count(summary['valid'])} valid, "
        f"{count(summary['rejected'])} rejected; would send {count(summary['chunks'])} "
        f"chunk{'' if summary['chunks'] == 1 else 's'}, "
        f"{count(summary['bytes'])} bytes (the token not counted); nothing was sent"
    )
    more = f"--results {results} lists them all" if results is not None else "--results FILE lists them all"
    rows = [f"row {r.row}: {r.field or 'row'}: {r.reason}" for r in shown]
    _listed(f"{count(summary['rejected'])} rejected row(s):", rows, summary["rejected"], more)
    if results is not None:
        click.echo(f"rejected rows: {results}")
    title = f"{count(len(warnings))} warning(s), not refused (the rows are sent as written):"
    _listed(title, [str(w) for w in warnings], len(warnings), "--json lists them all")
