"""`scripts/docs fetch`: guide pages downloaded from a local server become text pages the extractor reads
as it reads the hand-written text of the same pages, and DIR/index.json describes them."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from altcraft_docs.extract import extract_text
from altcraft_docs.fetch import FetchError, fetch_pages
from altcraft_docs.model import Page

from ..spec_tools import require_docs
from .pages import run_docs

FIXTURES = Path(__file__).with_name("fixtures") / "fetch"
EN = "en_v72_triggers_import_and_start_batch_task"
RU = "ru_v74_gadgets_import"
# Where the local server serves each fixture: the EN page's URL names language and version, the RU page's
# neither (<html lang> and its "Документация для версии v74" line do).
PATHS = {EN: "/en/v72/developer-guide/campaigns/triggers/import-and-start-batch-task/", RU: "/docs/gadgets/import/"}
NO_URL_PAGE = b"""<!DOCTYPE html><html lang="en"><head><title>About the API | Test Docs</title></head>
<body><main><h2>About the API</h2><p>No request here.</p></main></body></html>"""


# ---------------------------------------------------------------------------------------------------------
# The local server


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Site:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port) answering from `routes` (path -> Answer)."""

    def __init__(self) -> None:
        self.routes: dict[str, Answer] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                answer = site.routes.get(self.path, Answer(404, b"<html><body>no such page</body></html>"))
                time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.content_type)
                    self.send_header("Content-Length", str(len(answer.body)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client that gave up waiting (the timeout test)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    s = Site()
    for stem, path in PATHS.items():
        s.routes[path] = Answer(200, (FIXTURES / f"{stem}.html").read_bytes())
    s.routes["/go/gadgets"] = Answer(301, b"", headers={"Location": PATHS[RU]})
    s.routes["/en/v74/developer-guide/about-the-api/"] = Answer(200, NO_URL_PAGE)
    s.routes["/missing/"] = Answer(404, b"<html><body><h1>Page not found</h1></body></html>")
    s.routes["/notes.txt"] = Answer(200, b"token string", content_type="text/plain; charset=utf-8")
    s.routes["/slow/"] = Answer(200, b"<html><body>late</body></html>", delay=1.5)
    s.routes["/binary/"] = Answer(200, bytes(range(256)) * 10)  # says text/html
    s.routes["/blank/"] = Answer(200, b"<html><body><script>var page = 1;</script></body></html>")
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


# ---------------------------------------------------------------------------------------------------------
# Helpers


def _cells(page: Page) -> dict[tuple[str, str, str, str], tuple[str, ...]]:
    """(operation, kind, name, param) -> the row's cells, section and source, white space normalised."""
    cells: dict[tuple[str, str, str, str], tuple[str, ...]] = {}
    for r in page.rows:
        text = [" ".join(c.split()) for c in (r.type, r.example, r.required, r.description, r.section)]
        cells[r.key] = (*text, r.source, str(r.free_form))
    return cells


def _expected(stem: str) -> Page:
    name = f"{stem}.txt"
    return extract_text((FIXTURES / name).read_text(encoding="utf-8"), name)


def _written(out: Path, file: str) -> Page:
    return extract_text((out / file).read_text(encoding="utf-8"), file)


def _index(out: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((out / "index.json").read_text(encoding="utf-8"))
    return data


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())} if directory.exists() else {}


# ---------------------------------------------------------------------------------------------------------
# (1) The text written extracts as the hand-written text does


@pytest.mark.parametrize("stem", [EN, RU])
def test_a_fetched_page_extracts_as_its_hand_written_text(site: Site, tmp_path: Path, stem: str) -> None:
    [record] = fetch_pages([site.url(PATHS[stem])], tmp_path, timeout=10)
    assert record["file"] == f"{stem}.txt"
    got, want = _written(tmp_path, record["file"]), _expected(stem)
    assert (got.lang, got.version, got.title, got.operations) == (want.lang, want.version, want.title, want.operations)
    got_cells, want_cells = _cells(got), _cells(want)
    assert set(got_cells) == set(want_cells), set(got_cells) ^ set(want_cells)
    assert got_cells == want_cells
    assert len(want_cells) >= 25  # the hand-written page itself is read: not two empty sets


def test_the_hand_written_pages_are_read_as_meant() -> None:
    """The expectations hold what the fixtures mean (so (1) compares something)."""
    en = {r.key: r for r in _expected(EN).rows}
    op = "import_and_start_batch_task"
    token = en[(op, "param", "token", "")]
    assert (token.type, token.example, token.required, token.description, token.section) == (
        "string",
        '"0123456789abcdef"',
        "Yes",
        "API token",
        "Profile import",
    )
    data = en[(op, "param", "data", "")]
    assert data.example.startswith("[\n{") and data.required == "Yes" and data.description.startswith("The owners")
    assert (op, "param", "data[].data.email", "") in en
    assert [k[2] for k in en if k[1] == "value" and k[3] == "matching"] == ["email", "phone", "custom", "email_profile"]
    assert en[(op, "param", "email", "")].description == "Email address"
    assert en[(op, "param", "trigger_id", "")].section == "Trigger launch"
    assert en[(op, "param", "attach", "")].required == "No"
    assert en[(op, "param", "custom_request", "")].required == 'If there is no "matching" property'
    assert en[(op, "param", "data[].custom_data", "")].source == "description"
    assert en[(op, "param", "data[].data.loyalty_level", "")].source == "example"
    assert en[(op, "response", "task_id", "")].description == "Task ID"
    assert ("task_status", "response-value", "completed", "data.status") in en
    ru = {r.key: r for r in _expected(RU).rows}
    sub = "data.subscriptions[]."
    assert ru[("gadgets_import", "param", sub + "status", "")].required == ""  # no Required column
    assert ru[("gadgets_import", "param", sub + "cc_data.id", "")].source == "table-example"
    channels = [(k[2], r.section) for k, r in ru.items() if k[1] == "value" and k[3] == sub + "channel"]
    assert channels == [("email", "Email-канал"), ("sms", "SMS-канал"), ("telegram_bot", "Telegram Bot канал")]
    assert ru[("gadgets_import", "value", "phone", "matching")].description == "по телефону владельца"
    assert ru[("gadgets_import", "response", "profile_id", "")].type == "string"


@pytest.mark.parametrize("stem", [EN, RU])
def test_the_text_is_the_hand_written_page(site: Site, tmp_path: Path, stem: str) -> None:
    """Line for line: rows as lines, cells run together, code blocks kept, nav/script/style/buttons gone."""
    [record] = fetch_pages([site.url(PATHS[stem])], tmp_path, timeout=10)
    text = (tmp_path / record["file"]).read_text(encoding="utf-8")
    assert text.splitlines() == (FIXTURES / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    for gone in ("window.analytics", "Copy", "v73", "Previous", "BreadcrumbList", "\u200b"):
        assert gone not in text


# ---------------------------------------------------------------------------------------------------------
# (2) index.json


def test_index_json_describes_each_page(site: Site, tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    records = fetch_pages([site.url(PATHS[EN]), site.url("/go/gadgets")], tmp_path, timeout=10)
    index = _index(tmp_path)
    assert index == records
    en, ru = index
    assert {"url", "fetched_at", "sha256", "title", "operation", "file", "lang", "version"} <= set(en)
    assert (en["url"], en["final_url"]) == (site.url(PATHS[EN]), site.url(PATHS[EN]))
    assert (ru["url"], ru["final_url"]) == (site.url("/go/gadgets"), site.url(PATHS[RU]))  # redirect followed
    assert en["sha256"] == hashlib.sha256((FIXTURES / f"{EN}.html").read_bytes()).hexdigest()
    assert ru["sha256"] == hashlib.sha256((FIXTURES / f"{RU}.html").read_bytes()).hexdigest()
    assert (en["title"], en["operation"], en["file"], en["lang"], en["version"]) == (
        "Batch gadget import + trigger launch task",
        "import_and_start_batch_task",
        f"{EN}.txt",
        "en",
        "v72",
    )
    assert (ru["title"], ru["operation"], ru["file"], ru["lang"], ru["version"]) == (
        "Импортировать гаджет",
        "gadgets_import",
        f"{RU}.txt",
        "ru",
        "v74",
    )
    for entry in index:
        assert entry["fetched_at"].endswith("Z")
        at = datetime.fromisoformat(entry["fetched_at"])
        assert at.utcoffset() == timedelta(0) and before <= at <= datetime.now(UTC) + timedelta(seconds=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["index.json", f"{EN}.txt", f"{RU}.txt"])


def test_a_page_without_a_request_url_is_named_after_its_url(site: Site, tmp_path: Path) -> None:
    [record] = fetch_pages([site.url("/en/v74/developer-guide/about-the-api/")], tmp_path, timeout=10)
    assert (record["file"], record["operation"], record["title"]) == (
        "en_v74_developer_guide_about_the_api.txt",
        "",
        "About the API",
    )


def test_fetching_again_replaces_the_entries_by_url(site: Site, tmp_path: Path) -> None:
    other = {"url": "https://example.com/kept", "file": "en_v1_kept.txt", "sha256": "0" * 64}
    renamed = {"url": site.url(PATHS[RU]), "file": "ru_v73_old_name.txt", "sha256": "1" * 64}
    tmp_path.joinpath("index.json").write_text(json.dumps([other, renamed]), encoding="utf-8")
    tmp_path.joinpath("en_v1_kept.txt").write_text("kept\n", encoding="utf-8")
    tmp_path.joinpath("ru_v73_old_name.txt").write_text("old\n", encoding="utf-8")
    fetch_pages([site.url(PATHS[EN])], tmp_path, timeout=10)
    path = PATHS[EN]
    original = site.routes[path]
    changed = original.body.replace(b"Trigger campaign ID", b"Trigger campaign identifier")
    site.routes[path] = Answer(200, changed)
    try:
        fetch_pages([site.url(PATHS[EN]), site.url(PATHS[RU])], tmp_path, timeout=10)
    finally:
        site.routes[path] = original
    index = _index(tmp_path)
    assert index[0] == other
    assert index[2]["sha256"] == hashlib.sha256(changed).hexdigest()
    assert "Trigger campaign identifier" in (tmp_path / f"{EN}.txt").read_text(encoding="utf-8")
    # The page the index named otherwise is now the RU entry's file; the old file (only it named) is gone.
    assert [e["url"] for e in index] == [other["url"], site.url(PATHS[RU]), site.url(PATHS[EN])]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["index.json", "en_v1_kept.txt", f"{EN}.txt", f"{RU}.txt"]
    )


# ---------------------------------------------------------------------------------------------------------
# (3) Errors: one line naming the URL and the status, and nothing written


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/missing/", ["HTTP 404 Not Found"]),
        ("/notes.txt", ["not an HTML page", "HTTP 200", "text/plain"]),
    ],
)
def test_an_answer_that_is_no_page_is_one_clear_error(site: Site, tmp_path: Path, path: str, words: list[str]) -> None:
    out = tmp_path / "pages"
    with pytest.raises(FetchError) as caught:
        fetch_pages([site.url(PATHS[EN]), site.url(path)], out, timeout=10)
    message = str(caught.value)
    assert message.startswith(site.url(path) + ": ") and "\n" not in message
    assert all(w in message for w in words), message
    assert not out.exists()  # the good page fetched before it is not written either


def test_two_urls_of_one_page_are_refused(site: Site, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=re.escape(f"the same page name as {site.url(PATHS[RU])} ({RU}.txt)")):
        fetch_pages([site.url(PATHS[RU]), site.url("/go/gadgets")], tmp_path / "pages", timeout=10)
    assert not (tmp_path / "pages").exists()


def test_an_error_leaves_a_directory_as_it_was(site: Site, tmp_path: Path) -> None:
    fetch_pages([site.url(PATHS[EN])], tmp_path, timeout=10)
    before = _snapshot(tmp_path)
    with pytest.raises(FetchError, match="404"):
        fetch_pages([site.url(PATHS[RU]), site.url("/missing/")], tmp_path, timeout=10)
    assert _snapshot(tmp_path) == before
    assert [e["url"] for e in _index(tmp_path)] == [site.url(PATHS[EN])]


def test_the_timeout_is_honoured(site: Site, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"no answer within 0\.3s") as caught:
        fetch_pages([site.url("/slow/")], tmp_path / "pages", timeout=0.3)
    assert time.monotonic() - started < 1.4
    assert str(caught.value).startswith(site.url("/slow/"))


def test_a_refused_connection_is_one_clear_error(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{server.server_address[1]}/page/"
    server.server_close()  # nothing listens there now
    with pytest.raises(FetchError) as caught:
        fetch_pages([url], tmp_path, timeout=5)
    assert str(caught.value).startswith(url + ": ConnectError")


# ---------------------------------------------------------------------------------------------------------
# (4) The command line, end to end


def test_the_command_line_fetches_and_extract_reads_the_pages(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    done = run_docs("fetch", site.url(PATHS[EN]), site.url(PATHS[RU]), "--out", str(out), "--timeout", "10")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{EN}.txt: {site.url(PATHS[EN])} (Batch gadget import + trigger launch task; ")
    assert "import_and_start_batch_task; sha256 " in lines[0]
    assert lines[1].startswith(f"{RU}.txt: ")
    assert [e["file"] for e in _index(out)] == [f"{EN}.txt", f"{RU}.txt"]
    extracted = run_docs("extract", str(out))
    assert extracted.returncode == 0, extracted.stderr
    rows = extracted.stdout.splitlines()
    assert (
        f'{EN}.txt:23: import_and_start_batch_task: param token | string | "0123456789abcdef" | Yes | API token | table'
        in rows
    )
    assert any(r.startswith(f"{RU}.txt:") and "param data.subscriptions[].cc_data.id" in r for r in rows)
    assert len(rows) == len(_expected(EN).rows) + len(_expected(RU).rows)


def test_the_command_line_reports_a_404_in_one_line_and_exits_2(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    done = run_docs("fetch", site.url("/missing/"), "--out", str(out))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"scripts/docs: {site.url('/missing/')}: HTTP 404 Not Found"]
    assert done.stdout == "" and not out.exists()


# ---------------------------------------------------------------------------------------------------------
# (5) A landed page, served as simple HTML (a <pre> a line), comes back as the same text


def _as_html(text: str, lang: str) -> bytes:
    body = "".join(f"<pre>{html.escape(line)}</pre>" if line.strip() else "<p></p>" for line in text.split("\n"))
    return f'<!DOCTYPE html><html lang="{lang}"><body>{body}</body></html>'.encode()


@pytest.mark.parametrize(
    "name",
    [
        "en_v72_triggers_import_and_start_batch.txt",
        "en_v72_workflows_import_and_start_batch_task.txt",
        "ru_v72_triggers_import_and_start_batch.txt",
        "ru_v72_triggers_import_and_start_batch_task.txt",
        "ru_v74_profiles_import.txt",
    ],
)
def test_a_landed_page_comes_back_as_it_was(site: Site, tmp_path: Path, name: str) -> None:
    landed = require_docs() / name
    text = landed.read_text(encoding="utf-8")
    lang, version = name.split("_")[:2]
    path = f"/{version}/landed/{name.removesuffix('.txt')}/"
    site.routes[path] = Answer(200, _as_html(text, lang))
    [record] = fetch_pages([site.url(path)], tmp_path, timeout=10)
    assert record["file"] == name  # lang, version and slug as the landed pages are named
    written = (tmp_path / name).read_text(encoding="utf-8")
    assert [line.rstrip() for line in written.splitlines()] == [line.rstrip() for line in text.splitlines()]
    assert _cells(_written(tmp_path, name)) == _cells(extract_text(text, name))


def test_an_html_answer_without_text_is_refused(site: Site, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="without text") as caught:
        fetch_pages([site.url("/blank/")], tmp_path / "pages", timeout=10)
    assert str(caught.value).startswith(site.url("/blank/"))
    assert not (tmp_path / "pages").exists()


def test_a_page_that_cannot_be_written_leaves_the_directory_as_it_was(site: Site, tmp_path: Path) -> None:
    fetch_pages([site.url(PATHS[EN])], tmp_path, timeout=10)
    (tmp_path / f"{RU}.txt").mkdir()  # the RU page's place is taken by a directory

    def snapshot() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}

    before = snapshot()
    with pytest.raises(FetchError, match="is a directory") as caught:
        fetch_pages([site.url(PATHS[EN]), site.url(PATHS[RU])], tmp_path, timeout=10)
    assert "\n" not in str(caught.value) and f"{RU}.txt" in str(caught.value)
    assert snapshot() == before  # neither the EN page nor index.json rewritten
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_pages_are_written_with_the_usual_file_mode(site: Site, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fetch_pages([site.url(PATHS[EN])], tmp_path / "pages", timeout=10)
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "pages").iterdir()}
    assert modes == {f"{EN}.txt": 0o644, "index.json": 0o644}


def test_a_binary_answer_said_to_be_html_is_refused(site: Site, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="not a text page"):
        fetch_pages([site.url("/binary/")], tmp_path / "pages", timeout=10)
    assert not (tmp_path / "pages").exists()


def test_an_index_entry_naming_index_json_or_a_directory_removes_neither(site: Site, tmp_path: Path) -> None:
    (tmp_path / "old.txt").mkdir()
    stale = [{"url": "http://old/1", "file": "index.json"}, {"url": "http://old/2", "file": "old.txt"}]
    stale += [{"url": site.url(PATHS[EN]), "file": "index.json"}, {"url": site.url(PATHS[EN]), "file": "old.txt"}]
    (tmp_path / "index.json").write_text(json.dumps(stale), encoding="utf-8")
    fetch_pages([site.url(PATHS[EN])], tmp_path, timeout=10)
    assert (tmp_path / "old.txt").is_dir()
    assert site.url(PATHS[EN]) in [e["url"] for e in _index(tmp_path)]


@pytest.mark.parametrize("url", ["http://[::1", "notaurl", "file:///etc/passwd"])
def test_a_url_that_is_no_http_address_is_one_clear_error(tmp_path: Path, url: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_pages([url], tmp_path / "pages", timeout=5)
    assert str(caught.value).startswith(url + ": ") and "\n" not in str(caught.value)
