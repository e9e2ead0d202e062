"""The contract: schemathesis holds openapi.yaml and altcraft-mock to each other (JSON and XML bodies,
the token in the body and as Bearer, stateful links), and XML answers are really validated."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import schemathesis
from altcraft.cli import _contract_hooks as hooks
from altcraft.cli._contract import spec_source
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(spec_source())  # what `altcraft contract` reads: the package's copy, or here the checkout's
MAX_EXAMPLES = 100


def _schema() -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_path(SPEC)


def _xml_case(schema: schemathesis.BaseSchema, path: str) -> schemathesis.Case:
    operation = schema[path]["POST"]
    return operation.Case(body={"task_id": "t"} if "status" in path else {}, media_type="application/xml")


def _xml_answer(content: bytes, status: int = 200) -> httpx.Response:
    request = httpx.Request("POST", "http://mock.test/api/v1.1/profiles/import")
    response = httpx.Response(status, content=content, headers={"content-type": "application/xml"}, request=request)
    response.elapsed = datetime.timedelta(milliseconds=1)
    return response


def test_xml_answers_are_validated_not_skipped() -> None:
    """With the deserializer registered a schema-violating XML answer fails and a valid one passes."""
    case = _xml_case(_schema(), "/api/v1.1/profiles/import")
    before = hooks.XML_DECODED["count"]
    good = (
        b"<xml><error>0</error><error_text>Successful operation</error_text>"
        b"<profile_id>54759eb3c090d83494e2d804</profile_id></xml>"
    )
    case.validate_response(_xml_answer(good), checks=[response_schema_conformance])
    assert hooks.XML_DECODED["count"] > before
    bad = b"<xml><error>0</error><error_text>ok</error_text></xml>"  # no profile_id
    with pytest.raises((AssertionError, FailureGroup)):
        case.validate_response(_xml_answer(bad), checks=[response_schema_conformance])
    no_error_field = b"<xml><error_text>?</error_text></xml>"
    with pytest.raises((AssertionError, FailureGroup)):
        case.validate_response(_xml_answer(no_error_field, 400), checks=[response_schema_conformance])


def test_task_status_xml_answer_types_are_checked() -> None:
    case = _xml_case(_schema(), "/api/v1.1/tasks/status")
    ok = (
        b"<xml><error>0</error><error_text>ok</error_text><data><status>processing</status>"
        b"<progress>40</progress></data></xml>"
    )
    case.validate_response(_xml_answer(ok), checks=[response_schema_conformance])
    over = ok.replace(b"<progress>40</progress>", b"<progress>forty</progress>")
    with pytest.raises((AssertionError, FailureGroup)):
        case.validate_response(_xml_answer(over), checks=[response_schema_conformance])


@pytest.mark.contract
@pytest.mark.parametrize("media", ["json", "xml"])
def test_schemathesis_contract_against_altcraft_mock(media: str) -> None:
    """The same command users run (scripts/contract), against altcraft-mock as a real process."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "contract.py"), "--media", media, "-n", str(MAX_EXAMPLES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    print(output[-3000:])
    assert result.returncode == 0, output[-6000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counts is not None and counts.group(1) == counts.group(2), output[-2000:]
    assert int(counts.group(1)) >= 5 * MAX_EXAMPLES
    assert "API Links:    2 covered" in output
