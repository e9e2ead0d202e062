"""The command line of `scripts/docs`: extract, check, diff and fetch the Altcraft doc pages.

    scripts/docs extract [DIR] [--json]            every parameter, response field and value the pages print
    scripts/docs check [--docs DIR] [--spec FILE] [--json] [--explained]
                                                    openapi.yaml against the pages; exit 1 on any finding
    scripts/docs diff OLD_DIR NEW_DIR [--json]      what changed between two sets of pages; exit 1 if anything
    scripts/docs fetch URL... --out DIR [--json]    download guide pages as text pages, with DIR/index.json

Without --json each prints one line per row, finding or change. Exit codes: 0 nothing found, 1 findings
or changes, 2 a usage error or pages that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .check import Finding, check
from .diff import diff
from .extract import extract_dir, page_files
from .model import DocsError
from .spec import Spec

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = ROOT / "openapi.yaml"
# The same place the tests look: ALTCRAFT_DOCS_DIR, else ../shared/docs/altcraft next to the checkout.
DEFAULT_DOCS = ROOT.parent / "shared" / "docs" / "altcraft"


def default_docs_dir() -> Path:
    configured = os.environ.get("ALTCRAFT_DOCS_DIR")
    return Path(configured) if configured else DEFAULT_DOCS


def _pages_dir(value: str | None) -> Path:
    where = Path(value) if value else default_docs_dir()
    if not where.is_dir() or not page_files(where):
        raise DocsError(f"no doc pages (*.txt) in {where}; set ALTCRAFT_DOCS_DIR or pass the directory")
    return where


def _fail(message: str, as_json: bool = False) -> int:
    """One line on stderr, exit 2; with --json also `{"error": ...}` on stdout, so a machine reads JSON."""
    print(f"scripts/docs: {message}", file=sys.stderr)
    if as_json:
        json.dump({"error": message}, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    return 2


def _emit(items: Sequence[object], as_json: bool, lines: Sequence[str]) -> None:
    if as_json:
        json.dump([i.as_json() for i in items], sys.stdout, ensure_ascii=False, indent=1)  # type: ignore[attr-defined]
        sys.stdout.write("\n")
    else:
        for line in lines:
            print(line)


def cmd_extract(args: argparse.Namespace) -> int:
    pages = extract_dir(_pages_dir(args.dir))
    rows = [r for p in pages for r in p.rows]
    lines = []
    for r in rows:
        name = f"{r.param}={r.name}" if r.kind.endswith("value") else r.name
        cells = " | ".join(" ".join(c.split()) for c in (r.type, r.example, r.required, r.description))
        source = r.source + (" free-form" if r.free_form else "")
        lines.append(f"{r.page}:{r.line}: {r.operation}: {r.kind} {name} | {cells} | {source}")
    _emit(rows, args.json, lines)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    pages = extract_dir(_pages_dir(args.docs))
    spec_path = Path(args.spec) if args.spec else SPEC
    explained: list[Finding] = []
    findings = check(Spec.load(spec_path), pages, explained)
    shown = findings + (explained if args.explained else [])
    lines = [f.text() for f in findings]
    if args.explained:
        lines += ["explained: " + f.text() for f in explained]
    _emit(shown, args.json, lines)
    if not args.json:
        print(
            f"{len(findings)} finding(s); {len(explained)} difference(s) recorded in x-docs-discrepancies"
            f"{'' if args.explained else ' (--explained lists them)'}",
            file=sys.stderr,
        )
    return 1 if findings else 0


def cmd_diff(args: argparse.Namespace) -> int:
    changes = diff(extract_dir(_pages_dir(args.old)), extract_dir(_pages_dir(args.new)))
    _emit(changes, args.json, [c.text() for c in changes])
    if not args.json:
        print(f"{len(changes)} difference(s)", file=sys.stderr)
    return 1 if changes else 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from .fetch import fetch_pages

    records = fetch_pages(args.urls, Path(args.out), timeout=args.timeout)
    if args.json:
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for r in records:
            operation = r["operation"] or "no request URL"
            print(f"{r['file']}: {r['url']} ({r['title']}; {operation}; sha256 {r['sha256'][:12]})")
    return 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scripts/docs", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="every parameter, response field and value the pages print")
    e.add_argument(
        "dir", nargs="?", help="the pages' directory (default: $ALTCRAFT_DOCS_DIR or ../shared/docs/altcraft)"
    )
    e.add_argument("--json", action="store_true", help="print a JSON list of rows instead of one line per row")
    e.set_defaults(run=cmd_extract)
    c = sub.add_parser("check", help="openapi.yaml against the pages, both ways")
    c.add_argument("--docs", help="the pages' directory")
    c.add_argument("--spec", help="the spec (default: openapi.yaml of this checkout)")
    c.add_argument("--json", action="store_true", help="print a JSON list of findings instead of one line each")
    c.add_argument("--explained", action="store_true", help="also list the differences x-docs-discrepancies records")
    c.set_defaults(run=cmd_check)
    d = sub.add_parser("diff", help="parameter-level differences between two sets of pages")
    d.add_argument("old", help="the directory of the pages before")
    d.add_argument("new", help="the directory of the pages after")
    d.add_argument("--json", action="store_true", help="print a JSON list of changes instead of one line each")
    d.set_defaults(run=cmd_diff)
    f = sub.add_parser("fetch", help="download guide pages and write them as text pages")
    f.add_argument("urls", nargs="+", metavar="URL", help="guide page URLs (each written as one text page)")
    f.add_argument("--out", required=True, help="the directory to write the pages and index.json to")
    f.add_argument(
        "--timeout",
        type=_seconds,
        default=30.0,
        help="seconds to wait for a connection, and for each read of an answer (default 30)",
    )
    f.add_argument("--json", action="store_true", help="print the pages' index entries as JSON")
    f.set_defaults(run=cmd_fetch)
    return p


def _input(args: argparse.Namespace) -> str:
    if args.command == "check":
        return str(args.spec or SPEC) + " or the pages"
    return "the pages"


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except DocsError as exc:
        return _fail(str(exc), args.json)
    except BrokenPipeError:  # `scripts/docs extract | head`
        sys.stderr.close()
        return 0
    except (RecursionError, MemoryError) as exc:
        return _fail(f"{_input(args)}: nested too deeply to read ({type(exc).__name__})", args.json)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
        # Input of a shape the reader does not expect (a spec whose `paths` hold a list, properties that
        # are a list): exit 2 like any unreadable input, never 1, which means findings.
        where = _input(args)
        return _fail(f"{where}: a shape scripts/docs cannot read ({type(exc).__name__}: {exc})", args.json)
