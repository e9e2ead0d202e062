"""`scripts/docs check`: openapi.yaml against the pages, both ways.

One finding per difference (`Finding.finding` is its class):

* `operation`: a page prints a request URL the spec has no operation for;
* `missing`: a name a page prints (not sample content of a free-form object) that the spec does not hold
  anywhere in that operation; `elsewhere`: the spec holds the name, but at another place;
* `value`: an enumerated value a page prints that the spec's enum/const/x-known-values lacks;
* `undocumented`: a spec request property, outside the open objects (profile `data`, `custom_data`,
  `content`, `custom_fields`, `custom_request`), that no page of the operation prints and that carries no
  `x-assumption`;
* `required`, `type`: a table's Required or Type cell read differently by the spec;
* `citation`: an `x-source` citation (`file.txt l.N`) that points to no page, no line, or to lines that do
  not name what the node is about (its property name, the names it lists or requires, its values).

`missing`, `elsewhere`, `required` and `type` are not reported where an `x-docs-discrepancies` entry
records the disagreement for that page: its `where` names the parameter in backticks and its `sources`
name the page (its tag, its file, or `every-page`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from .model import Page, Row, page_tag
from .spec import Spec
from .textform import ROW_START

__all__ = ["Finding", "check", "page_types", "required_reading"]

CITATION = re.compile(r"(\w+\.txt)((?:[\s,;(]*(?:and\s+)?l\.\d+(?:[-–—]\d+)?)+)")
_LINES = re.compile(r"l\.(\d+)(?:[-–—](\d+))?")
_TYPE_MAP = [
    (r"^int/string$|^string/int$", {"integer", "string"}),
    (r"^(?:int|integer)$", {"integer"}),
    (r"^(?:float|number)$", {"number"}),
    (r"^(?:string|строка)$", {"string"}),
    (r"^(?:bool|boolean)$", {"boolean"}),
    (r"^(?:json[ -])?(?:object|объект)$", {"object"}),
    (r"array|список|objects array|json list", {"array"}),
    (r"^any$", {"any"}),
]


@dataclass(frozen=True)
class Finding:
    operation: str
    page: str
    line: int
    name: str
    finding: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        where = f"{self.page}:{self.line}" if self.page else "openapi.yaml"
        return f"{where}: {self.operation or '-'}: {self.name}: {self.finding}: {self.message}"


def page_types(printed: str) -> set[str] | None:
    """The JSON types a Type cell names ({"integer", "string"} for `int/string`), None if unknown."""
    text = printed.strip().lower()
    for pattern, types in _TYPE_MAP:
        if re.search(pattern, text):
            return set(types)
    return None


def required_reading(printed: str) -> str:
    """`yes`, `no`, `conditional` (a condition, or "No, if ...") or `` for a Required cell."""
    text = printed.strip()
    if not text:
        return ""
    if re.match(r"(?i)^(?:yes|да)$", text):
        return "yes"
    if re.match(r"(?i)^(?:no|нет)$", text):
        return "no"
    return "conditional"


def _last(name: str) -> str:
    return name.split(".")[-1].removesuffix("[]")


def _root(name: str) -> str:
    return name.split(".")[0].removesuffix("[]")


class _Discrepancies:
    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.entries = entries

    def covering(self, page: str, name: str, finding: str) -> str:
        """The id of the entry that records this difference for this page, or ``. Of several entries
        about the name, the one whose id or `where` names the kind of difference (`data-type` for a
        type) is given; a `required` or `type` difference is explained only by an entry that names
        that kind."""
        tag = page_tag(page)
        found: list[tuple[int, str]] = []
        for entry in self.entries:
            sources = entry.get("sources") or {}
            text = repr(entry)
            if not (tag in sources or page in text or any(str(k).startswith("every") for k in sources)):
                continue
            ticks = set(re.findall(r"`([^`]+)`", str(entry.get("where", ""))))
            by_last = _last(name) in ticks
            by_root = _root(name) in ticks and (
                finding == "elsewhere" or re.search(rf"\b{re.escape(_last(name))}\b", text) is not None
            )
            if by_last or by_root:
                about = f"{entry.get('id', '')} {entry.get('where', '')}"
                score = 2 if finding in about else 1 if finding == "elsewhere" and "type" in about else 0
                if finding in ("required", "type") and score < 2:
                    continue  # an entry about another difference of the name does not explain this one
                found.append((score, str(entry.get("id", "?"))))
        return max(found)[1] if found else ""


def check(spec: Spec, pages: list[Page], explained: list[Finding] | None = None) -> list[Finding]:
    """Every difference between the spec and the pages. The differences that an x-docs-discrepancies
    entry records are not findings; they are appended to `explained` when it is given."""
    findings: list[Finding] = []
    explained = [] if explained is None else explained
    ops = spec.operations()
    disc = _Discrepancies(spec.doc.get("x-docs-discrepancies") or [])
    by_op: dict[str, list[Row]] = {}
    for page in pages:
        for row in page.rows:
            by_op.setdefault(row.operation, []).append(row)
    for op_id, rows in sorted(by_op.items()):
        if op_id not in ops:
            first = min(rows, key=lambda r: (r.page, r.line))
            findings.append(
                Finding(
                    op_id,
                    first.page,
                    first.line,
                    first.url_path,
                    "operation",
                    f"the page prints POST {first.url_path}; the spec has no operation {op_id}",
                )
            )
            continue
        _check_rows(spec, ops[op_id][2], op_id, rows, disc, findings, explained)
        _check_undocumented(spec, ops[op_id][2], op_id, rows, findings)
    findings.extend(_check_citations(spec, pages))
    findings.extend(_check_restrictions(spec))
    return sorted(set(findings), key=lambda f: (f.page, f.line, f.operation, f.name, f.finding))


def _check_rows(
    spec: Spec,
    op: dict[str, Any],
    op_id: str,
    rows: list[Row],
    disc: _Discrepancies,
    findings: list[Finding],
    explained: list[Finding],
) -> None:
    request = [spec.request_root(op)]
    response = spec.response_roots(op)
    for row in rows:
        if row.free_form:
            continue
        roots = response if row.kind.startswith("response") else request
        where = "answer" if row.kind.startswith("response") else "request"

        def add(finding: str, message: str, row: Row = row) -> None:
            name = row.param + "=" + row.name if row.kind.endswith("value") else row.name
            entry = disc.covering(row.page, row.name, finding)
            if entry and finding in ("missing", "elsewhere", "required", "type"):
                explained.append(
                    Finding(op_id, row.page, row.line, name, finding, f"{message} (x-docs-discrepancies: {entry})")
                )
                return
            findings.append(Finding(op_id, row.page, row.line, name, finding, message))

        if row.kind.endswith("value"):
            found = spec.at_path(roots, row.param)
            if found and row.name not in {str(v) for v in spec.values(found)}:
                add(
                    "value",
                    f"the page prints the value {row.name!r} of {row.param}; the spec's {row.param} does not list it",
                )
            continue
        found = spec.at_path(roots, row.name)
        if not found:
            others = sorted(_places(spec, roots, _last(row.name)) - {row.name})
            if others:
                add("elsewhere", f"the page prints {row.name}; the spec's {where} has it at {', '.join(others)}")
            else:
                add("missing", f"the page prints {row.name}; the spec's {where} does not hold it")
            continue
        if row.source != "table":
            continue
        printed = page_types(row.type)
        if printed is not None and "any" not in printed:
            allowed: set[str] = set()
            for schema in found:
                allowed |= spec.types(schema)
            if "any" in allowed or allowed != printed:
                add(
                    "type",
                    f"the page's Type is {row.type!r} ({'/'.join(sorted(printed))}); "
                    f"the spec allows {'/'.join(sorted(allowed))}",
                )
        elif printed == {"any"}:
            allowed = set()
            for schema in found:
                allowed |= spec.types(schema)
            if "any" not in allowed:
                add("type", f"the page's Type is {row.type!r} (any value); the spec allows {'/'.join(sorted(allowed))}")
        reading = required_reading(row.required)
        if reading and not row.kind.startswith("response"):
            parent_path, _, last = row.name.rpartition(".")
            parents = spec.at_path(roots, parent_path) if parent_path else roots
            spec_required = any(spec.always_required(p, last.removesuffix("[]")) for p in parents)
            if reading == "yes" and not spec_required:
                add("required", f"the page's Required is {row.required!r}; the spec does not require it")
            elif reading in ("no", "conditional") and spec_required:
                add("required", f"the page's Required is {row.required!r}; the spec always requires it")


def _places(spec: Spec, roots: list[dict[str, Any]], name: str) -> set[str]:
    """Every path below `roots` whose last name is `name` (for telling `elsewhere` from `missing`)."""
    out: set[str] = set()

    def walk(schema: Any, prefix: str, depth: int) -> None:
        if depth > 10:
            return
        for v in spec.variants(schema):
            for prop, raw in (v.get("properties") or {}).items():
                path = f"{prefix}.{prop}" if prefix else prop
                if prop == name:
                    out.add(path)
                node = spec.resolve(raw)
                walk(node, path, depth + 1)
                for item in spec.items(node):
                    walk(item, path + "[]", depth + 1)

    for root in roots:
        walk(root, "", 0)
    return out


def _check_undocumented(spec: Spec, op: dict[str, Any], op_id: str, rows: list[Row], findings: list[Finding]) -> None:
    printed = {r.name for r in rows if r.kind == "param"}
    for path, raw, node in spec.request_properties(op):
        if path in printed:
            continue
        if "x-assumption" in raw or "x-assumption" in node:
            continue
        findings.append(
            Finding(
                op_id,
                "",
                0,
                path,
                "undocumented",
                "the spec's request has this property; no page of the operation prints it, "
                "and no x-assumption explains it",
            )
        )


def _node_names(spec: Spec, node: dict[str, Any], names: set[str]) -> set[str]:
    out = set(names)
    for v in spec.variants(node):
        out.update((v.get("properties") or {}).keys())
        out.update(v.get("required") or [])
        out.update(str(x) for x in v.get("enum", []))
        if "const" in v:
            out.add(str(v["const"]))
        for key in ("x-assumed",):
            assumed = v.get(key)
            if isinstance(assumed, dict):
                out.update(assumed.get("required") or [])
    return {n for n in out if n}


def _check_citations(spec: Spec, pages: list[Page]) -> list[Finding]:
    texts = {p.file: p.lines for p in pages}
    referrers: dict[str, set[str]] = {}

    def collect_refs(node: Any, name: str) -> None:
        if isinstance(node, dict):
            if "$ref" in node and name:
                referrers.setdefault(node["$ref"], set()).add(name)
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    for prop, sub in value.items():
                        collect_refs(sub, prop)
                else:
                    collect_refs(value, name if key in ("items", "allOf", "anyOf", "oneOf") else "")
        elif isinstance(node, list):
            for value in node:
                collect_refs(value, name)

    collect_refs(spec.doc, "")
    out: list[Finding] = []

    def walk(node: Any, pointer: str, name: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("x-source"), str):
                own = {name} if name else set()
                own |= referrers.get(pointer, set())
                out.extend(_judge_citation(spec, node, pointer, node["x-source"], _node_names(spec, node, own), texts))
            for key, value in node.items():
                child = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
                if key == "properties" and isinstance(value, dict):
                    for prop, sub in value.items():
                        walk(sub, f"{child}/{prop}", prop)
                else:
                    walk(value, child, name if key in ("items",) else "")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{pointer}/{i}", name)

    walk(spec.doc, "#", "")
    return out


def _judge_citation(
    spec: Spec, node: dict[str, Any], pointer: str, text: str, names: set[str], pages: dict[str, list[str]]
) -> list[Finding]:
    out: list[Finding] = []
    cited = {m.start(1) for m in CITATION.finditer(text)}
    # A page named without a line is a finding when the x-source cites no line at all; beside real
    # citations it is prose ("ru_v74_profiles_import.txt prints no row for them").
    for bare in re.finditer(r"\b\w+\.txt", text) if not cited else ():
        if bare.start() not in cited and (bare.group(0) in pages or re.match(r"[a-z]{2}_v\d+_", bare.group(0))):
            out.append(
                Finding(
                    "", bare.group(0), 0, pointer, "citation", f"x-source cites {bare.group(0)} without a line (l.N)"
                )
            )
    for m in CITATION.finditer(text):
        file = m.group(1)
        if file not in pages:
            out.append(
                Finding("", file, 0, pointer, "citation", f"x-source cites {file}, which is not among the pages")
            )
            continue
        lines = pages[file]
        for lm in _LINES.finditer(m.group(2)):
            first, last = int(lm.group(1)), int(lm.group(2) or lm.group(1))
            if last < first:
                message = f"x-source cites {lm.group(0)}, a range that ends before it starts"
                out.append(Finding("", file, first, pointer, "citation", message))
                continue
            if not 1 <= first <= last <= len(lines):
                out.append(
                    Finding(
                        "",
                        file,
                        first,
                        pointer,
                        "citation",
                        f"x-source cites l.{lm.group(0)[2:]}; the page has {len(lines)} lines",
                    )
                )
                continue
            if not any(_line_names(line, n) for line in lines[first - 1 : last] for n in names):
                shown = ", ".join(sorted(names)[:6]) or "(nothing: the node has no name)"
                out.append(
                    Finding(
                        "",
                        file,
                        first,
                        pointer,
                        "citation",
                        f"x-source cites l.{lm.group(0)[2:]}, which names none of {shown}",
                    )
                )
    return out


def _line_names(line: str, name: str) -> bool:
    """Whether a page line names `name`: a table row of that name (`trigger_idint13Да`), or the name
    as a word of its own (`"trigger_id": 8`, `<format>xml</format>`, "channel ... email")."""
    row = ROW_START.match(line.strip())
    if row and row.group("name") == name:
        return True
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", line) is not None


# Keywords that refuse a request (or, `default`, state what the server does): each must come from a page.
RESTRICTING = (
    "type", "required", "enum", "const", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
    "minProperties", "maxProperties", "dependentRequired", "if", "not", "default",
)  # fmt: skip
_NOT_SCHEMAS = (
    "x-assumed",
    "examples",
    "example",
    "x-altcraft-search-key",
    "x-known-values",
    "enum",
    "const",
    "default",
    "x-altcraft-xml",
    "xml",
    "required",
)


def _check_restrictions(spec: Spec) -> list[Finding]:
    """`uncited`: a request-schema node whose restricting keywords have no `x-source` of its own (the
    citations themselves are judged by `_check_citations`), and a search-key rule that cites no page."""
    out: list[Finding] = []
    seen: set[str] = set()

    def walk(node: Any, pointer: str, operation: str, depth: int) -> None:
        if depth > 40 or not isinstance(node, dict):
            return
        if "$ref" in node:
            ref = str(node["$ref"])
            if ref not in seen:
                seen.add(ref)
                walk(spec.resolve(node), ref, operation, depth + 1)
            return
        keys = [k for k in RESTRICTING if k in node]
        if node.get("additionalProperties") is False:
            keys.append("additionalProperties")
        if keys and not (isinstance(node.get("x-source"), str) and CITATION.search(node["x-source"])):
            out.append(
                Finding(
                    operation,
                    "",
                    0,
                    pointer,
                    "uncited",
                    f"{', '.join(keys)} without an x-source citing the page line that states it "
                    "(or move it into x-assumed with an x-assumption)",
                )
            )
        rules = node.get("x-altcraft-search-key")
        if isinstance(rules, dict):
            for mode, rule in rules.items():
                if (
                    isinstance(rule, dict)
                    and not rule.get("x-assumption")
                    and not CITATION.search(str(rule.get("source", "")))
                ):
                    out.append(
                        Finding(
                            operation,
                            "",
                            0,
                            f"{pointer}/x-altcraft-search-key/{mode}",
                            "uncited",
                            "a search-key rule that cites no page line in its source",
                        )
                    )
        for key, value in node.items():
            if key in _NOT_SCHEMAS:
                continue
            child = f"{pointer}/{key}"
            if key in ("properties", "patternProperties", "$defs") and isinstance(value, dict):
                for name, sub in value.items():
                    walk(sub, f"{child}/{name}", operation, depth + 1)
            elif isinstance(value, list) and key in ("allOf", "anyOf", "oneOf", "prefixItems"):
                for i, sub in enumerate(value):
                    walk(sub, f"{child}/{i}", operation, depth + 1)
            elif isinstance(value, dict) and key in (
                "items",
                "if",
                "then",
                "else",
                "not",
                "contains",
                "additionalProperties",
                "propertyNames",
            ):
                walk(value, child, operation, depth + 1)

    for op_id, (_, _, op) in sorted(spec.operations().items()):
        walk(spec.request_root(op), f"{op_id} request", op_id, 0)
    return out
