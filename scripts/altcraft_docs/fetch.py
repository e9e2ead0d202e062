"""`scripts/docs fetch`: download pages of the Altcraft developer guide and write them as text pages.

A page's HTML becomes the text form of `shared/docs/altcraft/` (what a browser's copy of the page gives):

* every block (a heading, paragraph, list item, div, code block) starts a line of its own; headings and
  paragraphs stand between blank lines, list items get a bullet (`  • `, two more spaces a level);
* a `<pre>` (or a `<code>` that holds line breaks) keeps its text and line breaks as they are;
* a table is one line per row (`<tr>`), its cells' texts run together (`tokenstring"abc"YesAPI token`,
  `ParameterTypeExampleRequiredDescription`); a cell holding a code block or paragraphs goes on over the
  following lines, and the next cell's text follows the block's last line (`YesProfile fields data`); an
  empty cell ends the line (`attacharray of {name, data}` above `NoFiles to attach`);
* inline elements (`<a>`, `<code>`, `<strong>`, `<span>`, ...) are their text; script, style, nav and the
  like are dropped, and so are zero-width characters (a heading's hash link).

Each page is written as DIR/<lang>_<version>_<slug>.txt and described in DIR/index.json (its URL, when it
was fetched, the SHA-256 of the bytes fetched, title, operation, file, language and version). Every URL is
fetched before anything is written: a page that cannot be fetched leaves DIR as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import lxml.etree
import lxml.html

from .extract import text_language
from .model import DocsError, operation_id

__all__ = ["FetchError", "fetch_pages", "html_to_text", "page_record"]

INDEX = "index.json"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SKIP = frozenset(
    {"head", "script", "style", "nav", "noscript", "template", "svg", "button", "select", "textarea", "iframe"}
)
# Blocks that stand between blank lines, and blocks that only start a line.
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "body", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "header", "hr", "html", "li", "main", "ol", "pre", "section",
        "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\n\r\f]+")
_ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
_REQUEST_URL = re.compile(r"https?://[^/\s]+(?P<path>/api/[^\s?#]+)")
_VERSION_LINE = re.compile(r"(?:Documentation for version|Документация для версии)\s+(v\d+)")
_LANGS = ("en", "ru")


class FetchError(DocsError):
    """A page that cannot be fetched, read or written. Its message is one line naming the URL or file;
    `scripts/docs` prints it and exits 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------------------
# HTML -> text form

# A piece of the text: a line break asked for (0: a cell's edge, 1: a new line, 2: a blank line; breaks in
# a row count as the largest), or (text, literal): literal text (a code block, a bullet, a <br>) is kept as
# it is, other text has its white space collapsed and trimmed at the edges of lines and cells.
_Piece = int | tuple[str, bool]


class _Renderer:
    def __init__(self) -> None:
        self.pieces: list[_Piece] = []
        self.list_depth = 0

    def node(self, el: lxml.html.HtmlElement) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""  # a comment or processing instruction: ""
        if tag and tag not in _SKIP:
            self.element(el, tag)
        if el.tail:
            self.inline(el.tail)

    def inline(self, text: str) -> None:
        text = _SPACES.sub(" ", text.translate(_ZERO_WIDTH))
        if text:
            self.pieces.append((text, False))

    def children(self, el: lxml.html.HtmlElement) -> None:
        if el.text:
            self.inline(el.text)
        for child in el:
            self.node(child)

    def element(self, el: lxml.html.HtmlElement, tag: str) -> None:
        if tag == "br":
            self.pieces.append(("\n", True))
        elif tag == "pre" or (tag == "code" and "\n" in el.text_content().strip()):
            self.pieces += [1, (_code_text(el), True), 1]
        elif tag in ("td", "th"):
            # An empty cell ends the line, as the pages print an empty Example cell (`attacharray of {...}`
            # above `NoFile to attach ...`); other cells run together.
            edge = 0 if el.text_content().translate(_ZERO_WIDTH).strip() else 1
            self.pieces.append(edge)
            self.children(el)
            self.pieces.append(edge)
        else:
            gap = 2 if tag in _PARAGRAPHS else 1 if tag in _BLOCKS else -1
            if gap >= 0:
                self.pieces.append(gap)
            if tag == "li":
                self.pieces.append(("  " * max(self.list_depth, 1) + "• ", True))
            nested = tag in ("ul", "ol")
            self.list_depth += nested
            self.children(el)
            self.list_depth -= nested
            if gap >= 0:
                self.pieces.append(gap)

    def text(self) -> str:
        parts: list[str] = []
        pending = -1  # the largest break asked for since the last text; -1: none
        for piece in self.pieces:
            if isinstance(piece, int):
                pending = max(pending, piece)
                continue
            text, literal = piece
            if not literal and (pending >= 0 or not parts or parts[-1].endswith((" ", "\n"))):
                text = text.lstrip(" ")
            if not text:
                continue
            if pending >= 0 and parts:
                while parts and parts[-1].endswith(" "):
                    parts[-1] = parts[-1].rstrip(" ")
                    if not parts[-1]:
                        parts.pop()
                parts.append("\n" * pending)
            pending = -1
            parts.append(text)
        lines = [line.rstrip(" \t") for line in "".join(parts).split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines) + "\n" if lines else ""


def _code_text(el: lxml.html.HtmlElement) -> str:
    """A code block's text as it is: its line breaks, `<br>`s and the lines of block children; without the
    blank lines before and after it."""
    out: list[str] = []

    def walk(node: lxml.html.HtmlElement, top: bool) -> None:
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag and (top or tag not in _SKIP):
            block = tag in _BLOCKS or tag in _PARAGRAPHS
            starts_line = block and not top and out and not out[-1].endswith("\n")
            if tag == "br" or starts_line:
                out.append("\n")
            if node.text:
                out.append(node.text)
            for child in node:
                walk(child, False)
            if block and not top:
                out.append("\n")
        if not top and node.tail:
            out.append(node.tail)

    walk(el, True)
    text = "".join(out).replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    return re.sub(r"^(?:[ \t]*\n)+", "", text).rstrip()


def html_to_text(document: lxml.html.HtmlElement) -> str:
    """The text form of a parsed page (see the module's docstring)."""
    renderer = _Renderer()
    renderer.node(document)
    return renderer.text()


# ---------------------------------------------------------------------------------------------------------
# What a page is: its name, title, language, version and operation


def _title(document: lxml.html.HtmlElement) -> str:
    """The page's h1 (outside nav and the like), else its <title> without the site's name (`Page | Site`)."""
    for el in document.iter("h1"):
        if not any(a.tag in _SKIP for a in el.iterancestors()):
            text = " ".join(el.text_content().translate(_ZERO_WIDTH).split())
            if text:
                return text
    title = next(document.iter("title"), None)
    return " ".join(title.text_content().split()).split(" | ")[0] if title is not None else ""


def _segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


def _lang(document: lxml.html.HtmlElement, url: str, text: str) -> str:
    declared = (document.get("lang") or "").strip().lower()[:2]
    if declared.isalpha() and len(declared) == 2:
        return declared
    in_url = next((s for s in _segments(url) if s.lower() in _LANGS), "")
    if in_url:
        return in_url.lower()
    return text_language(text.split("\n"), "") or "en"  # the extractor's reading of the text


def _version(url: str, text: str) -> str:
    in_url = next((s for s in _segments(url) if re.fullmatch(r"v\d+", s)), "")
    if in_url:
        return in_url
    m = _VERSION_LINE.search(text)
    return m.group(1) if m else ""


def _request_path(text: str) -> str:
    """The path of the first request URL the page prints (as the extractor finds it), or ""."""
    for line in text.split("\n"):
        line = line.strip()
        m = _REQUEST_URL.search(line)
        if m and not line.startswith(("{", '"', "<")):
            return m.group("path")
    return ""


def _slug(request_path: str, url: str) -> str:
    """`/api/v1.1/campaigns/triggers/import_and_start_batch` -> `triggers_import_and_start_batch` (the
    last two parts of the request URL), else the last two parts of the page's URL."""
    if request_path:
        parts = [s for s in re.sub(r"^/api/v[0-9.]+/", "", request_path).split("/") if s]
    else:
        parts = [s for s in _segments(url) if s.lower() not in _LANGS and not re.fullmatch(r"v\d+", s)]
        parts = [re.sub(r"\.html?$", "", p) for p in parts]
    slug = re.sub(r"[^a-z0-9]+", "_", "_".join(parts[-2:]).lower()).strip("_")
    return slug or "page"


def page_record(url: str, final_url: str, content: bytes, encoding: str) -> tuple[dict[str, Any], str]:
    """(the page's index.json entry, its text) from the bytes fetched; `final_url` is where any
    redirects ended."""
    try:
        document = lxml.html.document_fromstring(content, parser=lxml.html.HTMLParser(encoding=encoding))
    except (lxml.etree.ParserError, ValueError, LookupError) as exc:
        raise FetchError(f"{url}: not a readable HTML page ({exc})") from exc
    text = html_to_text(document)
    if not text.strip():
        raise FetchError(f"{url}: an HTML page without text (nothing to write)")
    controls = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    if controls:
        raise FetchError(f"{url}: not a text page (control character {controls.group(0)!r} in its text)")
    request_path = _request_path(text)
    lang, version = _lang(document, final_url, text), _version(final_url, text)
    name = "_".join(p for p in (lang, version, _slug(request_path, final_url)) if p)
    record = {
        "url": url,
        "final_url": final_url,
        "fetched_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": hashlib.sha256(content).hexdigest(),
        "title": _title(document),
        "operation": operation_id(request_path) if request_path else "",
        "file": name + ".txt",
        "lang": lang,
        "version": version,
    }
    return record, text


# ---------------------------------------------------------------------------------------------------------
# Fetching and writing


@dataclass(frozen=True)
class _Page:
    record: dict[str, Any]
    text: str


def _is_html(response: httpx.Response) -> bool:
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media:
        return media in _HTML_TYPES
    head = response.content[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _download(client: httpx.Client, url: str) -> _Page:
    try:
        response = client.get(url)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: no answer within {client.timeout.read}s ({type(exc).__name__})") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    if not response.is_success:
        raise FetchError(f"{url}: {status}")
    if not _is_html(response):
        kind = response.headers.get("content-type", "no Content-Type")
        raise FetchError(f"{url}: not an HTML page ({status}, Content-Type: {kind})")
    record, text = page_record(url, str(response.url), response.content, response.charset_encoding or "utf-8")
    return _Page(record, text)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _stage(path: Path, data: str) -> Path:
    """`data` in a temporary file beside `path` (mode 0666 less the umask, as open() would give)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _write_all(out: Path, files: dict[str, str]) -> None:
    """Write every file of `files` (name -> text) into `out`, or none: all are staged first, then moved
    into place; a failure removes what was staged and is a FetchError naming the file."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"{out}: cannot create the directory ({exc.strerror or exc})") from None
    for name in files:
        if (out / name).is_dir():
            raise FetchError(f"{out / name}: is a directory; cannot write the page there")
    staged: list[tuple[Path, Path]] = []
    current = ""
    try:
        for name, text in files.items():
            current = name
            staged.append((_stage(out / name, text), out / name))
        for tmp, target in staged:
            current = target.name
            os.replace(tmp, target)
    except OSError as exc:
        raise FetchError(f"{out / current}: cannot be written ({exc.strerror or exc})") from None
    finally:
        for tmp, _target in staged:
            tmp.unlink(missing_ok=True)


def _read_index(out: Path) -> list[dict[str, Any]]:
    path = out / INDEX
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FetchError(f"{path}: not a readable index ({exc})") from exc
    if not isinstance(data, list) or not all(
        isinstance(e, dict) and isinstance(e.get("url"), str) and isinstance(e.get("file"), str) for e in data
    ):
        raise FetchError(f"{path}: not a list of page entries (each with a string `url` and `file`)")
    return data


def _merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    """The index with the new entries in place of those for the same URL or file (new ones at the end),
    and the files only the replaced entries named."""
    by_url = {e["url"]: e for e in new}
    files = {e["file"] for e in new}
    merged: list[dict[str, Any]] = []
    placed: set[str] = set()
    dropped: set[str] = set()
    for entry in old:
        url, file = entry.get("url"), entry.get("file")
        if url in by_url and url not in placed:
            merged.append(by_url[url])
            placed.add(str(url))
        elif url not in by_url and file not in files:
            merged.append(entry)
            continue
        if isinstance(file, str) and file not in files:
            dropped.add(file)
    merged += [e for e in new if e["url"] not in placed]
    kept = {e.get("file") for e in merged}
    return merged, {f for f in dropped if f not in kept}


def fetch_pages(urls: list[str], out: Path, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Fetch `urls` (redirects followed, `timeout` seconds per request) and write each as a text page in
    `out`, then `out/index.json`; returns the pages' index entries. Raises FetchError (and writes nothing)
    if any URL answers other than 2xx with HTML, or not at all."""
    if out.exists() and not out.is_dir():
        raise FetchError(f"{out}: exists and is not a directory (--out names the directory to write to)")
    unique = list(dict.fromkeys(urls))
    headers = {"Accept": "text/html,application/xhtml+xml", "User-Agent": "altcraft-docs-fetch/1"}
    with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout), headers=headers) as client:
        pages = [_download(client, url) for url in unique]
    seen: dict[str, str] = {}
    for page in pages:
        file, url = page.record["file"], page.record["url"]
        if file in seen:
            raise FetchError(f"{url}: the same page name as {seen[file]} ({file})")
        seen[file] = url
    merged, stale = _merge(_read_index(out), [p.record for p in pages])
    files = {p.record["file"]: p.text for p in pages}
    files[INDEX] = json.dumps(merged, ensure_ascii=False, indent=1) + "\n"  # last: after every page
    _write_all(out, files)
    for file in stale:
        # Only a page file of `out` that a replaced entry named: never index.json, a directory or a path.
        target = out / file
        if Path(file).name == file and file != INDEX and file.endswith(".txt") and target.is_file():
            try:
                target.unlink()
            except OSError as exc:
                raise FetchError(f"{target}: the page replaced cannot be removed ({exc.strerror or exc})") from None
    return [p.record for p in pages]
