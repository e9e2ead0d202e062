"""``altcraft task status ID`` and ``altcraft task wait ID``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
import orjson
from altcraft_api.models import TaskStatus
from altcraft_api.types import Unset

from altcraft import TaskTimeout

from ._config import Connection, Interrupted, OperationFailed, pass_connection, seconds_option

__all__ = ["describe", "task"]


def describe(status: TaskStatus) -> list[str]:
    """A task status for people: the state line, then the result of a finished task."""
    data = status.data
    lines = [f"status: {data.status} ({data.progress}%)"]
    result = data.result
    if not isinstance(result, Unset):
        text = "" if isinstance(result.error_text, Unset) or not result.error_text else f" {result.error_text}"
        debug = "" if isinstance(result.error_debug, Unset) or not result.error_debug else f" ({result.error_debug})"
        lines.append(f"result: error {result.error}{text}{debug}")
        if not isinstance(result.result, Unset):
            ids = [str(ref.profile_id) for ref in result.result]
            lines.append(f"profiles: {len(ids)}" + (": " + ", ".join(ids) if ids else ""))
    return lines


def _emit(task_id: str, status: TaskStatus, as_json: bool) -> None:
    if as_json:
        click.echo(orjson.dumps(status.to_dict(), option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"task {task_id}")
    for line in describe(status):
        click.echo(f"  {line}")


@click.group(short_help="Status of a task, and waiting for it.")
def task() -> None:
    """Tasks started by the *_task operations: their status, and waiting for them."""


@task.command("status")
@click.argument("task_id")
@click.option("--json", "as_json", is_flag=True, help="Print the status answer as JSON (for machines).")
@pass_connection
def status(connection: Connection, task_id: str, as_json: bool) -> None:
    """Print the status of task TASK_ID (one /tasks/status request)."""
    with connection.client() as client:
        answer = client.task_status(task_id)
    _emit(task_id, answer, as_json)


@contextmanager
def _progress_reporter(task_id: str, as_json: bool) -> Iterator[Callable[[TaskStatus], None]]:
    """A rich progress bar on a terminal (stderr); plain lines on stderr otherwise (none with --json)."""
    from rich.console import Console

    console = Console(stderr=True)
    if console.is_terminal:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

        with Progress(
            SpinnerColumn(),
            TextColumn("task {task.fields[task_id]}: {task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            bar = progress.add_task("waiting", total=100, task_id=task_id)

            def update(answer: TaskStatus) -> None:
                progress.update(bar, completed=answer.data.progress, description=answer.data.status)

            yield update
        return
    last: list[tuple[str, int]] = []

    def line(answer: TaskStatus) -> None:
        seen = (answer.data.status, answer.data.progress)
        if not as_json and seen not in last:
            last[:] = [seen]
            click.echo(f"task {task_id}: {seen[0]} {seen[1]}%", err=True)

    yield line


@task.command("wait")
@click.argument("task_id")
@seconds_option(
    "--timeout",
    "deadline",
    default=600.0,
    positive=False,
    help="Give up waiting after this long (the task goes on; wait again to resume).",
)
@seconds_option(
    "--poll-interval", default=0.5, help="The first pause between status requests (it grows up to --max-interval)."
)
@seconds_option("--max-interval", default=10.0, help="The longest pause between status requests.")
@click.option("--json", "as_json", is_flag=True, help="Print the final status answer as JSON (for machines).")
@pass_connection
def wait(
    connection: Connection, task_id: str, deadline: float, poll_interval: float, max_interval: float, as_json: bool
) -> None:
    """Wait for task TASK_ID to finish and print its final status.

    Progress shows as a bar on a terminal and as plain lines on stderr otherwise. Exit 1 when the
    task fails or does not finish within --timeout.
    """
    if max_interval < poll_interval:
        raise click.BadParameter("must not be shorter than --poll-interval", param_hint="--max-interval")
    resume = f"resume with: altcraft task wait {task_id}"
    kwargs: dict[str, Any] = {"timeout": deadline, "poll_interval": poll_interval, "max_interval": max_interval}
    try:
        with connection.client() as client, _progress_reporter(task_id, as_json) as report:
            final = client.wait_task(task_id, on_progress=report, **kwargs)
    except TaskTimeout as exc:
        raise OperationFailed(
            f"task {task_id} did not finish within {deadline:g} s (last status {exc.last_status!r}, "
            f"progress {exc.progress}); it goes on: {resume}"
        ) from None
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; task {task_id} goes on: {resume}") from None
    _emit(task_id, final, as_json)
