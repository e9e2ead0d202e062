"""A new optional parameter on a page reaches the spec, the client and the emulator through the documented
workflow alone: `scripts/docs diff` names it, openapi.yaml is edited, `scripts/generate` runs, and nothing
else is edited by hand (README, "When the docs change").

The workflow runs in a copy of the checkout (its tracked and untracked, not ignored, files), on a copy of
the pages with one made-up row added. The copy's own code is run: .venv installs this checkout in editable
mode (its .pth points at this checkout), so PYTHONPATH puts the copy's packages and scripts first.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from altcraft_mock._validate import OPERATION_CHECKS

from ..spec_tools import PAGE_FILES, ROOT, require_docs

PAGE = "en_v72_triggers_import_and_start_batch.txt"
AFTER = "detect_geobooltrueNoDetect location by _regip or _ip from data object\n"
NEW_ROW = "send_test_copybooltrueNoAlso send a test copy\n"
NEW_LINE = 51  # the line of NEW_ROW in the changed page
# ImportAndStartBatchRequest's last allOf member: the properties only the synchronous batch has.
# (Inserted after subscription_filter: a property with keys below its $ref, as custom_request, must stay whole.)
SPEC_ANCHOR = """            subscription_filter:
              $ref: '#/components/schemas/SubscriptionFilter'
"""
SPEC_PROPERTY = f"""            send_test_copy:
              type: boolean
              description: Also send a test copy.
              x-description-ru: Также отправить тестовую копию. (Documented in English only; translated.)
              x-source: "'send_test_copy bool true No' ({PAGE} l.{NEW_LINE})."
"""
# What the workflow may change: the spec, and what scripts/generate writes.
GENERATED = ("generated/altcraft_api/", "overlays/altcraft_mock/_documented.py")
BIN = Path(sys.executable).parent
CACHES = {"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache", ".hypothesis"}


def _findings(copy: Path, env: dict[str, str], pages: Path) -> list[dict[str, Any]]:
    """`scripts/docs check --docs PAGES --json` of the copy (the copy's spec)."""
    done = _run(copy, env, "-m", "altcraft_docs", "check", "--docs", str(pages), "--json")
    assert done.returncode in (0, 1), done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def _checkout_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(name for name in listed.split("\0") if name and (ROOT / name).is_file())


def _tree(root: Path) -> set[str]:
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and not CACHES & set(p.relative_to(root).parts) and p.suffix != ".pyc"
    }


def _env(copy: Path, pages: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ALTCRAFT_SPEC", "PYTHONPATH")}
    paths = [copy / "generated", copy / "overlays", copy / "scripts"]
    return {
        **env,
        "PYTHONPATH": os.pathsep.join(str(p) for p in paths),
        "ALTCRAFT_DOCS_DIR": str(pages),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _run(copy: Path, env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


# Run in the copy: which files its packages come from, how its emulator reads the new parameter, and what
# its client sends.
PROBE = r"""
import json

import altcraft, altcraft_api, altcraft_docs, altcraft_mock, httpx
from altcraft import Altcraft, InvalidInput
from altcraft_api.models import ImportAndStartBatchRequest
from altcraft_mock import DEFAULT_TOKEN, MockConfig, create_app, transport
from altcraft_mock import _documented, _xml

out = {"files": [m.__file__ for m in (altcraft, altcraft_api, altcraft_docs, altcraft_mock)]}
out["documented"] = _documented.PARAMETERS["import_and_start_batch"].get("send_test_copy")
xml = b"<xml><trigger_id>13</trigger_id><send_test_copy>%s</send_test_copy></xml>"
out["xml_read"] = _xml.loads(xml % b"true", "import_and_start_batch")["send_test_copy"]
app = create_app(MockConfig(task_seconds=0))
url = "/api/v1.1/campaigns/triggers/import_and_start_batch"
item = {"data": {"email": "copy@example.com"}}
answers = {}
with httpx.Client(transport=transport(app), base_url="http://altcraft.test") as http:
    for name, value in (("json_true", True), ("json_string", "yes")):
        body = {"token": DEFAULT_TOKEN, "trigger_id": 13, "data": [item], "send_test_copy": value}
        answers[name] = http.post(url, json=body)
    xml_body = b"<xml><token>" + DEFAULT_TOKEN.encode() + b"</token><trigger_id>13</trigger_id>"
    xml_body += b"<data><email>copy@example.com</email></data><send_test_copy>%s</send_test_copy></xml>"
    for name, value in (("xml_true", b"true"), ("xml_string", b"yes")):
        answers[name] = http.post(url, content=xml_body % value, headers={"content-type": "application/xml"})
out["answers"] = {k: [r.status_code, r.headers["content-type"], r.text] for k, r in answers.items()}

sent = []
inner = transport(app)


class Recording(httpx.BaseTransport):
    def handle_request(self, request):
        sent.append(request.read().decode())
        return inner.handle_request(request)


model = ImportAndStartBatchRequest.from_dict({"trigger_id": 13, "data": [item], "send_test_copy": True})
out["model"] = [model.send_test_copy, model.to_dict().get("send_test_copy")]
for fmt in ("json", "xml"):
    with Altcraft("http://altcraft.test", DEFAULT_TOKEN, transport=Recording(), format=fmt) as client:
        out[f"client_{fmt}"] = len(client.import_and_start_batch(model).result)
        try:
            client.import_and_start_batch({"trigger_id": 13, "data": [item], "send_test_copy": "yes"})
            out[f"client_{fmt}_refuses"] = None
        except InvalidInput as exc:
            out[f"client_{fmt}_refuses"] = str(exc)
out["sent"] = sent
print(json.dumps(out))
"""


def test_a_new_optional_parameter_needs_only_the_spec_edit_and_scripts_generate(tmp_path: Path) -> None:
    landed = require_docs()
    # In this checkout the parameter is undocumented, so the emulator ignores it, whatever its value.
    OPERATION_CHECKS["import_and_start_batch"]({"trigger_id": 13, "send_test_copy": "yes"})
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in PAGE_FILES.values():
        shutil.copy(landed / name, pages / name)
    text = (pages / PAGE).read_text(encoding="utf-8")
    assert text.count(AFTER) == 1, f"{PAGE} no longer holds the detect_geo row this test adds a row after"
    (pages / PAGE).write_text(text.replace(AFTER, AFTER + NEW_ROW), encoding="utf-8")
    assert (pages / PAGE).read_text(encoding="utf-8").splitlines()[NEW_LINE - 1] == NEW_ROW.strip()

    copy = tmp_path / "checkout"
    files = _checkout_files()
    for name in files:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    env = _env(copy, pages)
    where = _run(copy, env, "-c", "import altcraft, altcraft_api, altcraft_docs, altcraft_mock as m; print(m.__file__)")
    assert where.stdout.startswith(str(copy)), where.stdout + where.stderr

    baseline = _findings(copy, env, landed)

    # (a) scripts/docs diff names the new parameter, and only it.
    done = _run(copy, env, "-m", "altcraft_docs", "diff", str(landed), str(pages), "--json")
    assert done.returncode == 1, done.stderr
    changes = json.loads(done.stdout)
    assert [(c["operation"], c["page"], c["line"], c["kind"], c["name"], c["change"]) for c in changes] == [
        ("import_and_start_batch", PAGE, NEW_LINE, "param", "send_test_copy", "added")
    ]
    # Before the workflow, --check sees that the emulator's reading of the pages is stale (and only that).
    stale = _run(copy, env, "scripts/gen.py", "check")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "overlays/altcraft_mock/_documented.py" in stale.stderr
    assert "generated/altcraft_api/" not in stale.stderr

    # (b) the one hand edit: the property, in ImportAndStartBatchRequest's own allOf member.
    spec = (copy / "openapi.yaml").read_text(encoding="utf-8")
    assert spec.count(SPEC_ANCHOR) == 1
    (copy / "openapi.yaml").write_text(spec.replace(SPEC_ANCHOR, SPEC_ANCHOR + SPEC_PROPERTY), encoding="utf-8")

    # (c) scripts/generate (its generation step; the proof it then runs is scripts/test's job here).
    generated = _run(copy, env, "scripts/gen.py", "generate", timeout=600)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "_documented.py: written" in generated.stdout, generated.stdout

    # (d) everything agrees: --check, scripts/docs check, the model, the emulator and the client.
    checked = _run(copy, env, "scripts/gen.py", "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    findings = _findings(copy, env, pages)
    assert [f for f in findings if "send_test_copy" in json.dumps(f, ensure_ascii=False)] == []
    # The only other new findings: x-source citations of the lines below the new row, now one line lower.
    new_findings = [f for f in findings if f not in baseline]
    assert all(f["finding"] == "citation" and f["page"] == PAGE and f["line"] > NEW_LINE for f in new_findings), (
        json.dumps(new_findings, indent=1, ensure_ascii=False)
    )
    # The regenerated emulator data is what overlays/ must be: ruff- and mypy --strict-clean.
    documented = "overlays/altcraft_mock/_documented.py"
    for tool in (["ruff", "check", documented], ["ruff", "format", "--check", documented]):
        linted = subprocess.run([str(BIN / tool[0]), *tool[1:]], cwd=copy, capture_output=True, text=True, check=False)
        assert linted.returncode == 0, linted.stdout + linted.stderr
    typed = _run(copy, env, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy"), "overlays/altcraft_mock")
    assert typed.returncode == 0, typed.stdout + typed.stderr
    model = (copy / "generated/altcraft_api/models/import_and_start_batch_request.py").read_text(encoding="utf-8")
    assert "send_test_copy: bool | Unset" in model

    probe = _run(copy, env, "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    out: dict[str, Any] = json.loads(probe.stdout)
    assert all(f.startswith(str(copy)) for f in out["files"]), out["files"]
    assert out["documented"] == ["boolean"]
    assert out["xml_read"] is True
    answers = out["answers"]
    assert answers["json_true"][0] == answers["xml_true"][0] == 200, answers
    for name in ("json_string", "xml_string"):
        status, _, body = answers[name]
        assert status == 400 and "send_test_copy: must be true or false" in body, answers[name]
    assert json.loads(answers["json_string"][2])["error_text"] == "Invalid request"
    assert answers["xml_string"][1].startswith("application/xml")
    assert "<error>400</error>" in answers["xml_string"][2]
    assert out["model"] == [True, True]
    assert out["client_json"] == out["client_xml"] == 1
    assert out["client_json_refuses"] and "send_test_copy" in out["client_json_refuses"]
    assert out["client_xml_refuses"] and "send_test_copy" in out["client_xml_refuses"]
    json_sent, xml_sent = out["sent"]
    assert json.loads(json_sent)["send_test_copy"] is True
    assert "<send_test_copy>true</send_test_copy>" in xml_sent

    # (e) nothing but the spec and what scripts/generate writes differs from the checkout.
    before, after = set(files), _tree(copy)
    changed = {n for n in before & after if not filecmp.cmp(ROOT / n, copy / n, shallow=False)}
    changed |= before ^ after
    assert {"openapi.yaml", "overlays/altcraft_mock/_documented.py"} <= changed
    assert "generated/altcraft_api/models/import_and_start_batch_request.py" in changed
    assert sorted(n for n in changed if n != "openapi.yaml" and not n.startswith(GENERATED)) == []
