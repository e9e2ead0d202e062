"""The wheel as users get it: built, installed into a fresh venv without extras, then with [mock], then
with [contract].

One venv serves every check (marked slow, under a minute; scripts/test runs it). Dependencies come
from a wheelhouse in pytest's cache (.pytest_cache), filled from PyPI with ``pip download`` only when it
lacks something; the installs themselves run with ``--no-index``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
MYPY = Path(sys.executable).parent / "mypy"


@dataclass
class Venv:
    path: Path
    wheel: Path
    wheelhouse: Path

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def bin(self, name: str) -> str:
        return str(self.path / "bin" / name)

    def run(
        self, *args: str, check: bool = True, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environ = {"PATH": f"{self.path / 'bin'}:/usr/bin:/bin", "HOME": str(self.path), **(env or {})}
        result = subprocess.run(args, env=environ, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{args} exit {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def install(self, target: str) -> None:
        """Install from the wheelhouse alone; fill it from PyPI first if it lacks something."""
        command = [self.python, "-m", "pip", "install", "-q", "--no-index", "--find-links", str(self.wheelhouse)]
        if self.run(*command, target, check=False).returncode != 0:
            extras = PROJECT["optional-dependencies"]
            requirements = [*PROJECT["dependencies"], *extras["mock"], *extras["contract"]]
            pip = [self.python, "-m", "pip", "download", "-q", "--dest", str(self.wheelhouse)]
            self.run(*pip, *requirements)
            self.run(*command, target)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Venv:
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("altcraft_client-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True, timeout=300)
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider: a wheelhouse for this run
    wheelhouse = Path(cache.mkdir("altcraft-wheelhouse")) if cache is not None else tmp / "wheelhouse"
    env = Venv(tmp / "venv", wheel, wheelhouse)
    env.install(str(wheel))
    return env


def test_without_extras_the_client_imports_and_no_server_framework_is_installed(venv: Venv) -> None:
    probe = textwrap.dedent(
        """
        import importlib.metadata, importlib.resources, importlib.util, json, os
        import altcraft, altcraft.cli, altcraft_api
        def missing(dist):
            try:
                importlib.metadata.distribution(dist)
            except importlib.metadata.PackageNotFoundError:
                return True
            return False
        print(json.dumps({
            "version": altcraft.__version__,
            "altcraft_file": altcraft.__file__,
            "py_typed": [os.path.isfile(os.path.join(importlib.util.find_spec(p).submodule_search_locations[0],
                                                     "py.typed"))
                         for p in ("altcraft", "altcraft_api", "altcraft_mock")],  # altcraft_mock needs [mock]
            "spec": importlib.resources.files("altcraft").joinpath("openapi.yaml").read_text(encoding="utf-8"),
            "absent": {d: missing(d) for d in ("starlette", "uvicorn", "schemathesis", "pyyaml")},
        }))
        """
    )
    found = json.loads(venv.run(venv.python, "-c", probe, cwd=venv.path).stdout)
    assert found["version"] == PROJECT["version"]
    assert found["altcraft_file"].startswith(str(venv.path))  # the installed copy, not the checkout
    assert found["py_typed"] == [True, True, True]
    assert found["spec"] == (ROOT / "openapi.yaml").read_text(encoding="utf-8")  # shipped as package data
    assert found["absent"] == {"starlette": True, "uvicorn": True, "schemathesis": True, "pyyaml": True}


def test_the_command_runs_from_the_installed_wheel(venv: Venv, tmp_path: Path) -> None:
    help_ = venv.run(venv.bin("altcraft"), "--help", cwd=tmp_path)
    assert "Exit codes:" in help_.stdout and "validate" in help_.stdout
    assert venv.run(venv.python, "-m", "altcraft", "--version", cwd=tmp_path).stdout.startswith("altcraft, version")
    body = tmp_path / "profile.json"
    body.write_text('{"db_id": 1, "email": "a@example.com", "data": {}}', encoding="utf-8")
    valid = venv.run(venv.bin("altcraft"), "validate", "import_profile", str(body), cwd=tmp_path)
    assert valid.stdout == f"{body}: valid import_profile request\n"
    # The contract needs the [contract] extra: one clear line, exit 4.
    contract = venv.run(venv.bin("altcraft"), "contract", check=False, cwd=tmp_path)
    assert contract.returncode == 4
    assert contract.stderr.splitlines() == [
        "altcraft: error: altcraft contract needs schemathesis, which is not installed: "
        "pip install 'altcraft-client[contract]'"
    ]
    # So does the emulator without the [mock] extra (its console script, not a traceback), exit 2.
    mock = venv.run(venv.bin("altcraft-mock"), "--port", "0", check=False, cwd=tmp_path)
    assert (mock.returncode, mock.stdout) == (2, "")
    assert mock.stderr.splitlines() == [
        "altcraft-mock: error: uvicorn is not installed: altcraft-mock needs pip install 'altcraft-client[mock]'"
    ]


USER_PROGRAM = """
from altcraft import Altcraft

with Altcraft("http://127.0.0.1:8080", "token") as client:
    status = client.import_and_start_batch_task({"trigger_id": 13, "data": []}).wait(timeout=60)
    reveal_type(status)
    reveal_type(status.data.progress)
"""


def _mypy(venv: Venv, directory: Path) -> subprocess.CompletedProcess[str]:
    (directory / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")  # not the project's configuration
    (directory / "program.py").write_text(USER_PROGRAM, encoding="utf-8")
    command = [str(MYPY), "--strict", "--no-incremental", "--python-executable", venv.python, "program.py"]
    return subprocess.run(command, cwd=directory, capture_output=True, text=True, timeout=300, check=False)


def test_mypy_strict_on_a_user_program_infers_task_status(venv: Venv, tmp_path: Path) -> None:
    """The installed wheel is typed (py.typed): .wait() is a TaskStatus to mypy, not Any."""
    result = _mypy(venv, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.findall(r'Revealed type is "([^"]+)"', result.stdout) == [
        "altcraft_api.models.task_status.TaskStatus",
        "int",
    ]
    assert "Success: no issues found" in result.stdout
    # Without the marker mypy would not read the package: the check above depends on py.typed.
    marker = Path(venv.run(venv.python, "-c", "import altcraft; print(altcraft.__file__)").stdout.strip()).parent
    (marker / "py.typed").rename(marker / "py.typed.off")
    try:
        untyped = _mypy(venv, tmp_path)
    finally:
        (marker / "py.typed.off").rename(marker / "py.typed")
    assert untyped.returncode == 1 and "missing library stubs or py.typed marker" in untyped.stdout


@pytest.fixture(scope="module")
def with_mock(venv: Venv) -> Venv:
    venv.install(f"{venv.wheel}[mock]")
    return venv


def test_with_the_mock_extra_altcraft_mock_starts_and_answers(with_mock: Venv, tmp_path: Path) -> None:
    env = {"PATH": f"{with_mock.path / 'bin'}:/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [with_mock.bin("altcraft-mock"), "--port", "0", "--task-seconds", "0.2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            first = server.stdout.readline()
            match = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", first)
            assert match is not None and int(match.group(2)) > 0, first
            url = match.group(1)
            state = httpx.get(f"{url}/_mock/state", timeout=10)
            assert state.status_code == 200 and "triggers" in state.json()
            task = httpx.post(
                f"{url}/api/v1.1/campaigns/triggers/import_and_start_batch_task",
                json={"token": "abcdefghijklmnqrstuvwxyz", "trigger_id": 13, "data": [{"data": {"email": "w@x.io"}}]},
                timeout=10,
            ).json()
            waited = with_mock.run(
                with_mock.bin("altcraft"),
                "task",
                "wait",
                task["task_id"],
                "--json",
                cwd=tmp_path,
                env={"ALTCRAFT_URL": url, "ALTCRAFT_TOKEN": "abcdefghijklmnqrstuvwxyz"},
            )
            assert json.loads(waited.stdout)["data"]["status"] == "completed"
        finally:
            server.terminate()
            server.wait(10)


def test_with_the_contract_extra_the_installed_command_uses_the_packaged_spec_and_hooks(
    with_mock: Venv, tmp_path: Path
) -> None:
    with_mock.install(f"{with_mock.wheel}[mock,contract]")
    result = with_mock.run(
        with_mock.bin("altcraft"),
        "contract",
        "-n",
        "1",
        "--media",
        "json",
        "--phases",
        "examples",
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = with_mock.run(with_mock.python, "-c", "import altcraft; print(altcraft.__file__)").stdout.strip()
    assert result.stdout.splitlines()[0] == f"== spec: {Path(site).parent / 'openapi.yaml'}"
    assert "No issues found" in result.stdout
