"""openapi.yaml holds every parameter, response field and value the doc pages print, as extracted.

The names come from `scripts/docs extract` (no hand-kept list): a name a page prints that the spec does not
hold, or holds at another place, or a value its enum lacks, fails here, unless an x-docs-discrepancies entry
records that difference for that page. (The other findings of `scripts/docs check`, a spec property no page
prints and citations, are reported by scripts/test.)"""

from __future__ import annotations

import pytest
from altcraft_docs.check import check
from altcraft_docs.extract import extract_dir
from altcraft_docs.spec import Spec

from ..spec_tools import PAGE_FILES, SPEC_PATH, require_docs

HOLDS = ("operation", "missing", "elsewhere", "value")


@pytest.mark.parametrize("page", sorted(PAGE_FILES.values()))
def test_the_spec_holds_every_name_the_page_prints(page: str) -> None:
    pages = [p for p in extract_dir(require_docs()) if p.file == page]
    assert pages and len(pages[0].rows) > 20, f"{page}: the extraction found almost nothing"
    findings = [f for f in check(Spec.load(SPEC_PATH), pages) if f.finding in HOLDS]
    assert not findings, "\n".join(f.text() for f in findings)


def test_every_operation_is_documented_by_a_page() -> None:
    printed = {op for p in extract_dir(require_docs()) for op in p.operations}
    assert printed == set(Spec.load(SPEC_PATH).operations())
