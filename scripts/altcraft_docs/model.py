"""What the extraction yields: one page, and one row per parameter, response field or value it prints."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["KINDS", "OPERATION_IDS", "DocsError", "Page", "Row", "operation_id"]


class DocsError(Exception):
    """Pages or a spec that cannot be read: `scripts/docs` prints the message as one line and exits 2."""


KINDS = ("param", "response", "value", "response-value")

# The operationIds of the documented request URLs. A URL not listed gets its path after /api/v1.1/ with
# "/" as "_" (a new page's operation is named, and `scripts/docs check` says that the spec lacks it).
OPERATION_IDS = {
    "/api/v1.1/profiles/import": "import_profile",
    "/api/v1.1/campaigns/triggers/import_and_start_batch": "import_and_start_batch",
    "/api/v1.1/campaigns/triggers/import_and_start_batch_task": "import_and_start_batch_task",
    "/api/v1.1/workflows/import_and_start_batch_task": "workflow_import_and_start_batch_task",
    "/api/v1.1/tasks/status": "task_status",
}


def operation_id(url_path: str) -> str:
    """The operationId of a request URL's path (`/api/v1.1/tasks/status` -> `task_status`)."""
    if url_path in OPERATION_IDS:
        return OPERATION_IDS[url_path]
    rest = re.sub(r"^/api/v[0-9.]+/", "", url_path).strip("/")
    return re.sub(r"[^a-z0-9]+", "_", rest.lower()).strip("_")


@dataclass(frozen=True)
class Row:
    """One name a page prints for one operation.

    `kind` is `param` (a request parameter, dotted for nesting: `attach[].data`), `response` (a field of
    the answer), `value` (an enumerated value of the request parameter `param`) or `response-value`.
    `type`, `example`, `required` and `description` are the page's cells as printed (white space kept);
    a name read from an example has no type and its value as example. `source` says where it was read:
    `table`, `table-example` (a key of a table cell's example), `type` (a key listed in the type cell),
    `example` (a request or response example), `description` (a placement the description states).
    `free_form` marks a key that is sample content of a free-form object (content, custom_data,
    custom_fields, custom_request, or a custom profile field), not a documented name.
    """

    operation: str
    page: str
    line: int
    kind: str
    name: str
    type: str = ""
    example: str = ""
    required: str = ""
    description: str = ""
    param: str = ""
    section: str = ""
    source: str = "table"
    free_form: bool = False
    lang: str = ""
    version: str = ""
    url_path: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(operation, kind, name, param): what a row is about, whatever page or line prints it."""
        return (self.operation, self.kind, self.name, self.param)


@dataclass
class Page:
    """A doc page: its file, language, version, title and the operations whose URL it prints."""

    file: str
    lang: str
    version: str
    title: str
    operations: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def tag(self) -> str:
        """The spec's source tag of the page (`ru-v72-trigger-task`), derived from its file name."""
        return page_tag(self.file)


def page_tag(file: str) -> str:
    """`ru_v72_triggers_import_and_start_batch_task.txt` -> `ru-v72-trigger-task` (the spec's naming)."""
    stem = file.removesuffix(".txt")
    known = {
        "ru_v72_triggers_import_and_start_batch_task": "ru-v72-trigger-task",
        "ru_v72_triggers_import_and_start_batch": "ru-v72-trigger-sync",
        "en_v72_triggers_import_and_start_batch": "en-v72-trigger-sync",
        "en_v72_workflows_import_and_start_batch_task": "en-v72-workflow-task",
        "ru_v74_profiles_import": "ru-v74-profiles-import",
    }
    return known.get(stem, stem.replace("_", "-"))
