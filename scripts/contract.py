"""The Altcraft contract as a command: schemathesis runs openapi.yaml against a server.

    scripts/contract                       start altcraft-mock on a free port and test it
    scripts/contract --url URL --token T   test any server that claims to speak this API

Each run covers every operation with all checks, in the phases examples, coverage, fuzzing and
stateful (links from the *_task operations to /tasks/status). Request bodies are tested once per
media type (--media json, xml or both) and once per authentication (--auth body, bearer or both).
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"


def spec_for(media: str, directory: Path) -> Path:
    """openapi.yaml with request bodies of one media type only, so that each run covers that type."""
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    spec = copy.deepcopy(spec)
    for item in spec["paths"].values():
        for op in item.values():
            content = op["requestBody"]["content"]
            for other in [m for m in content if m != f"application/{media}"]:
                del content[other]
    path = directory / f"openapi-{media}.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(url: str, token: str, media: str, auth: str, args: argparse.Namespace, directory: Path) -> int:
    phases = args.phases
    if media == "xml":
        # The XML examples of the spec are strings, which schemathesis does not send; they are sent by
        # tests/test_mock.py and tests/test_integration_live.py instead.
        phases = ",".join(p for p in phases.split(",") if p != "examples")
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        str(spec_for(media, directory)),
        "--url",
        url,
        "--checks",
        "all",
        "--max-examples",
        str(args.max_examples),
        "--phases",
        phases,
        "--seed",
        str(args.seed),
        "--generation-database",
        "none",
        "--no-color",
        "--warnings",
        "off",
        "--workers",
        str(args.workers),
        *args.extra,
    ]
    env = dict(
        os.environ,
        SCHEMATHESIS_HOOKS="tests.contract.hooks",
        ALTCRAFT_TOKEN=token,
        ALTCRAFT_CONTRACT_AUTH=auth,
        PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    print(f"== contract: {media} bodies, token in {auth}, {args.max_examples} examples per operation", flush=True)
    started = time.monotonic()
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    print(f"== contract: {media}/{auth} exit {code} in {time.monotonic() - started:.1f} s", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/contract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="server to test (default: start altcraft-mock)")
    parser.add_argument("--token", default=os.environ.get("ALTCRAFT_TOKEN", "abcdefghijklmnqrstuvwxyz"))
    parser.add_argument("--media", choices=["json", "xml", "both"], default="both")
    parser.add_argument("--auth", choices=["body", "bearer", "mixed", "both"], default="mixed")
    parser.add_argument("-n", "--max-examples", type=int, default=100)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--workers", default="2")
    parser.add_argument("extra", nargs="*", help="further schemathesis run arguments (after --)")
    args = parser.parse_args(argv)
    medias = ["json", "xml"] if args.media == "both" else [args.media]
    auths = ["body", "bearer"] if args.auth == "both" else [args.auth]
    combos = [(m, a) for m in medias for a in auths]

    def all_runs(url: str) -> int:
        with tempfile.TemporaryDirectory() as tmp:
            codes = [run(url, args.token, m, a, args, Path(tmp)) for m, a in combos]
        return max(codes)

    if args.url:
        return all_runs(args.url)
    from altcraft_mock import MockProcess

    with MockProcess(task_seconds=0.2, seed=args.seed, token=args.token) as mock:
        print(f"== altcraft-mock at {mock.url}", flush=True)
        return all_runs(mock.url)


if __name__ == "__main__":
    raise SystemExit(main())
