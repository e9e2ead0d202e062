"""``altcraft contract``: schemathesis holds a server (or altcraft-mock) to openapi.yaml.

The spec is the copy shipped inside the package (``altcraft/openapi.yaml``, force-included from the
repository's top level when the wheel is built), read through importlib.resources; in a source checkout
(an editable install, where the package directory has no copy) it is the repository's openapi.yaml.
The schemathesis hooks are :mod:`altcraft.cli._contract_hooks`. schemathesis (extra
``altcraft-client[contract]``) and altcraft-mock's server (extra ``[mock]``) are only looked for when the
command runs; schemathesis itself runs as a subprocess of this interpreter.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from ._config import ConfigError, Connection, MissingExtra, OperationFailed, pass_connection, redact

__all__ = ["HOOKS_MODULE", "contract", "spec_for", "spec_source", "spec_text"]

HOOKS_MODULE = "altcraft.cli._contract_hooks"
_CHECKOUT_SPEC = Path(__file__).resolve().parents[3] / "openapi.yaml"


def spec_source() -> str:
    """Where the spec is read from: the package's copy, or a source checkout's top-level openapi.yaml."""
    packaged = importlib.resources.files("altcraft").joinpath("openapi.yaml")
    if packaged.is_file():
        return str(packaged)
    if _CHECKOUT_SPEC.is_file():
        return str(_CHECKOUT_SPEC)
    raise ConfigError("openapi.yaml is missing from the altcraft package; reinstall altcraft-client")


@functools.cache
def spec_text() -> str:
    """The text of openapi.yaml (see :func:`spec_source`)."""
    packaged = importlib.resources.files("altcraft").joinpath("openapi.yaml")
    return (packaged if packaged.is_file() else Path(spec_source())).read_text(encoding="utf-8")


@functools.cache
def spec_document() -> dict[str, Any]:
    """openapi.yaml parsed (needs PyYAML, part of the [contract] extra)."""
    import yaml

    document: dict[str, Any] = yaml.safe_load(spec_text())
    return document


def spec_for(media: str, directory: Path) -> Path:
    """openapi.yaml with request bodies of one media type only, so that each run covers that type."""
    import yaml

    spec = copy.deepcopy(spec_document())
    for item in spec["paths"].values():
        for op in item.values():
            content = op["requestBody"]["content"]
            for other in [m for m in content if m != f"application/{media}"]:
                del content[other]
    path = directory / f"openapi-{media}.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _reachable(url: str) -> None:
    """Fail at once, in one line, when the server cannot be reached (rather than after every case)."""
    import httpx

    try:
        httpx.get(url, timeout=10.0)
    except httpx.HTTPError as exc:
        raise OperationFailed(f"cannot reach {url}: {type(exc).__name__}: {exc or 'no detail'}") from None


def _require(module: str, extra: str, what: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise MissingExtra(f"{what} needs {module}, which is not installed: pip install 'altcraft-client[{extra}]'")


def _run(url: str, token: str, media: str, auth: str, options: dict[str, Any], directory: Path) -> int:
    phases = options["phases"]
    if media == "xml":
        # The XML examples of the spec are strings, which schemathesis does not send; the project's tests
        # send them (tests/mock/test_emulator.py, tests/client/test_live_mock.py).
        phases = ",".join(p for p in phases.split(",") if p != "examples")
    flags = {
        "--url": url,
        "--checks": "all",
        "--max-examples": options["max_examples"],
        "--phases": phases,
        "--seed": options["seed"],
        "--generation-database": "none",
        "--warnings": "off",
        "--workers": options["workers"],
    }
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", str(spec_for(media, directory)), "--no-color"]
    cmd += [str(part) for flag in flags.items() for part in flag] + list(options["extra"])
    # The token travels in the environment, never in argv; schemathesis' output (which may quote it in
    # reproduction commands) is passed through redacted.
    env = dict(os.environ, SCHEMATHESIS_HOOKS=HOOKS_MODULE, ALTCRAFT_TOKEN=token, ALTCRAFT_CONTRACT_AUTH=auth)
    click.echo(f"== contract: {media} bodies, token in {auth}, {options['max_examples']} examples per operation")
    started = time.monotonic()
    with subprocess.Popen(  # noqa: S603 - this interpreter running schemathesis
        cmd, cwd=directory, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            click.echo(redact(line), nl=False)
        code = proc.wait()
    click.echo(f"== contract: {media}/{auth} exit {code} in {time.monotonic() - started:.1f} s")
    return code


@click.command("contract", short_help="Hold a server (or altcraft-mock) to openapi.yaml with schemathesis.")
@click.option(
    "--url",
    "target",
    metavar="URL",
    help="The server to hold to the contract. Without it (and without the group's --url) altcraft-mock is "
    "started. ALTCRAFT_URL is deliberately not used: the run imports profiles and launches triggers.",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="The token of the server under test (default: the group's --token-file, then ALTCRAFT_TOKEN).",
)
@click.option("-n", "--max-examples", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--media", type=click.Choice(["json", "xml", "both"]), default="both", show_default=True)
@click.option(
    "--auth",
    "auth_mode",
    type=click.Choice(["body", "bearer", "mixed", "both"]),
    default="mixed",
    show_default=True,
    help="Where the token goes: body, bearer, mixed (one per case) or both (one run each).",
)
@click.option("--phases", default="examples,coverage,fuzzing,stateful", show_default=True)
@click.option("--seed", type=int, default=20261123, show_default=True)
@click.option("--workers", default="2", show_default=True)
@click.argument("extra", nargs=-1, type=click.UNPROCESSED, metavar="[-- SCHEMATHESIS_ARGS...]")
@pass_connection
def contract(
    connection: Connection,
    target: str | None,
    token_file: Path | None,
    max_examples: int,
    media: str,
    auth_mode: str,
    phases: str,
    seed: int,
    workers: str,
    extra: tuple[str, ...],
) -> None:
    """Run the schemathesis contract of openapi.yaml against a server, or against altcraft-mock.

    Every operation, all checks, the phases examples, coverage, fuzzing and stateful (through the spec's
    links), once per media type of the request bodies. Needs altcraft-client[contract]; without --url
    also altcraft-client[mock].
    """
    _require("schemathesis", "contract", "altcraft contract")
    _require("yaml", "contract", "altcraft contract")
    if target is None and connection.url_from_command_line:
        target = connection.url
    medias = ["json", "xml"] if media == "both" else [media]
    auths = ["body", "bearer"] if auth_mode == "both" else [auth_mode]
    options = {"max_examples": max_examples, "phases": phases, "seed": seed, "workers": workers, "extra": extra}
    click.echo(f"== spec: {spec_source()}")

    def all_runs(url: str, token: str) -> None:
        with tempfile.TemporaryDirectory(prefix="altcraft-contract-") as tmp:
            codes = {f"{m}/{a}": _run(url, token, m, a, options, Path(tmp)) for m in medias for a in auths}
        failed = [f"{run} (exit {code})" for run, code in codes.items() if code]
        if failed:
            raise OperationFailed("the contract failed: " + ", ".join(failed) + " (the run's output is above)")

    if target is not None:
        url = Connection(url=target).require_url()
        token = connection.token(token_file)
        _reachable(url)
        all_runs(url, token)
        return
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("starlette") is None:
        raise MissingExtra(
            "no --url given, and altcraft-mock cannot start: its server is not installed: "
            "pip install 'altcraft-client[mock]' (or pass --url URL)"
        )
    from altcraft_mock import DEFAULT_TOKEN, MockProcess

    # The mock accepts its public default token (the docs' example): no secret of the user is involved.
    with MockProcess(task_seconds=0.2, seed=seed) as mock:
        click.echo(f"== altcraft-mock at {mock.url}")
        all_runs(mock.url, DEFAULT_TOKEN)
