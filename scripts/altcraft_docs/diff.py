"""`scripts/docs diff OLD NEW`: the parameter-level differences between two sets of pages.

Pages are matched by operation and language (a page of another version or file name that documents the
same operation in the same language is the same page); where one set holds several versions of that
page, by version too; where one version of it is printed by several page files, by file name. A name is
`added` or `removed`, or `changed` in one of its cells (`type`, `required`, `example`, `description`).
White space is not a difference: cells are compared with every run of white space as one space, so a
reflowed description is the same description.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from .model import Page, Row

__all__ = ["Change", "diff"]

FIELDS = ("type", "required", "example", "description")


@dataclass(frozen=True)
class Change:
    operation: str
    page: str
    line: int
    lang: str
    kind: str
    name: str
    change: str  # added / removed / changed
    field: str = ""
    old: str = ""
    new: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        head = f"{self.page}:{self.line}: {self.operation} ({self.lang}): {self.kind} {self.name}"
        if self.change == "changed":
            return f"{head}: {self.field} changed: {self.old!r} -> {self.new!r}"
        return f"{head}: {self.change}"


def _norm(text: str) -> str:
    """A cell as compared: a JSON example as its canonical JSON (`{"a":1}` is `{ "a": 1 }`), other text
    with each run of white space as one space."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, sort_keys=False)
    except (ValueError, RecursionError):
        return " ".join(text.split())


_Files = dict[str, list[Row]]  # page file -> its rows


def _groups(pages: list[Page]) -> dict[tuple[str, str], dict[str, _Files]]:
    """(operation, language) -> version -> page file -> rows."""
    out: dict[tuple[str, str], dict[str, _Files]] = {}
    for page in pages:
        for row in page.rows:
            files = out.setdefault((row.operation, row.lang), {}).setdefault(row.version, {})
            files.setdefault(row.page, []).append(row)
    return out


def _by_file(old: _Files, new: _Files) -> list[tuple[list[Row], list[Row]]]:
    """One page on each side is the same page, whatever its name; several are matched by file name."""
    if len(old) <= 1 and len(new) <= 1:
        return [(next(iter(old.values()), []), next(iter(new.values()), []))]
    return [(old.get(f, []), new.get(f, [])) for f in sorted(set(old) | set(new))]


def _pairs(old: dict[str, _Files], new: dict[str, _Files]) -> list[tuple[list[Row], list[Row]]]:
    if len(old) <= 1 and len(new) <= 1:
        return _by_file(next(iter(old.values()), {}), next(iter(new.values()), {}))
    return [pair for v in sorted(set(old) | set(new)) for pair in _by_file(old.get(v, {}), new.get(v, {}))]


def _label(row: Row) -> str:
    return f"{row.param}={row.name}" if row.kind.endswith("value") else row.name


def diff(old_pages: list[Page], new_pages: list[Page]) -> list[Change]:
    """Every added, removed or changed name between two sets of pages."""
    old_groups, new_groups = _groups(old_pages), _groups(new_pages)
    changes: list[Change] = []
    for key in sorted(set(old_groups) | set(new_groups)):
        for old_rows, new_rows in _pairs(old_groups.get(key, {}), new_groups.get(key, {})):
            before = {(r.kind, r.name, r.param): r for r in old_rows}
            after = {(r.kind, r.name, r.param): r for r in new_rows}
            for k in after.keys() - before.keys():
                r = after[k]
                changes.append(Change(r.operation, r.page, r.line, r.lang, r.kind, _label(r), "added"))
            for k in before.keys() - after.keys():
                r = before[k]
                changes.append(Change(r.operation, r.page, r.line, r.lang, r.kind, _label(r), "removed"))
            for k in before.keys() & after.keys():
                a, b = before[k], after[k]
                for field in FIELDS:
                    x, y = getattr(a, field), getattr(b, field)
                    if _norm(x) != _norm(y):
                        changes.append(
                            Change(b.operation, b.page, b.line, b.lang, b.kind, _label(b), "changed", field, x, y)
                        )
    return sorted(changes, key=lambda c: (c.operation, c.lang, c.page, c.line, c.name, c.field))
