"""``altcraft validate OPERATION FILE``: a request body checked against openapi.yaml, nothing sent."""

from __future__ import annotations

import typing
from typing import IO, Any

import click
import orjson

import altcraft
from altcraft import Problem, XMLError
from altcraft._serialize import to_plain
from altcraft._validate import check
from altcraft._xml import decode_request_leniently

from ._config import OperationFailed

__all__ = ["OPERATIONS", "load_body", "validate"]

OPERATIONS: tuple[str, ...] = typing.get_args(altcraft.Operation)


def _is_xml(raw: bytes, name: str) -> bool:
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return head == b"<" or (head not in (b"{", b"[") and name.lower().endswith(".xml"))


def load_body(operation: str, raw: bytes, name: str) -> tuple[Any, list[Problem]]:
    """The JSON form of a request body given as JSON or Altcraft XML (told apart by content, then name).

    XML is read leniently: a value that does not fit its schema is kept in its JSON form, so that the
    schema check reports every problem, in the words it uses for JSON. Returned with the problems of the
    XML that have no JSON form (an empty-array marker after items).
    """
    if _is_xml(raw, name):
        try:
            body, problems = decode_request_leniently(operation, raw)
        except XMLError as exc:
            raise OperationFailed(f"{name}: not a readable {operation} XML request: {exc}") from None
        return body, [Problem(field, message) for field, message in problems]
    try:
        return orjson.loads(raw), []
    except orjson.JSONDecodeError as exc:
        raise OperationFailed(f"{name}: not valid JSON: {exc}") from None


@click.command("validate", short_help="Check a request body against the spec (nothing sent).")
@click.argument("operation", type=click.Choice(OPERATIONS), metavar="OPERATION")
@click.argument("file", type=click.File("rb"), metavar="FILE")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON (for machines).")
def validate(operation: str, file: IO[bytes], as_json: bool) -> None:
    """Check the request body in FILE (JSON or XML; - for stdin) for OPERATION against the spec.

    Nothing is sent. Prints every problem with its field path, and the rules the spec only assumes
    (reported, never refused). Exit 0 when the request is valid, 1 when it is not.

    OPERATION is one of: import_profile, import_and_start_batch, import_and_start_batch_task,
    workflow_import_and_start_batch_task, task_status.
    """
    given = str(getattr(file, "name", "-"))
    name = "<stdin>" if given in ("-", "<stdin>") else given
    raw = file.read()
    body, xml_problems = load_body(operation, raw, name)
    # The same checks as altcraft.validate, taken apart: refusals, and the rules only assumed.
    refusals, warned = check(operation, to_plain(body) if isinstance(body, dict) else body)
    problems = (*xml_problems, *refusals)
    assumptions = [f"{p.field} {p.message}" for p in warned]
    if as_json:
        report = {
            "operation": operation,
            "file": name,
            "valid": not problems,
            "problems": [{"field": p.field, "message": p.message} for p in problems],
            "assumptions": assumptions,
        }
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        _print_report(operation, name, problems, assumptions)
    if problems:
        click.get_current_context().exit(1)


def _print_report(operation: str, name: str, problems: tuple[Problem, ...], assumptions: list[str]) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(soft_wrap=True, highlight=False)
    if problems:
        console.print(Text(f"{name}: invalid {operation} request, {len(problems)} problem(s):", style="bold red"))
        width = min(max(len(p.field) for p in problems), 40)
        for p in problems:
            console.print(Text("  ") + Text(p.field.ljust(width), style="bold") + Text(f"  {p.message}"))
    else:
        console.print(Text(f"{name}: valid {operation} request", style="bold green"))
    for text in assumptions:
        console.print(Text("  assumption (not enforced): ", style="yellow") + Text(text))
