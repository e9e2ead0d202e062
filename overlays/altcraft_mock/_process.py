"""Run altcraft-mock as a real process on a free loopback port (for tests, CI and scripts)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from types import TracebackType

__all__ = ["MockProcess"]

_ADDRESS = re.compile(r"listening on (http://\S+)")


class MockProcess:
    """``with MockProcess(task_seconds=1) as mock: ... mock.url ...``: start, wait until listening, stop.

    Keyword arguments become command-line flags (``task_seconds=1`` -> ``--task-seconds 1``; a list
    repeats the flag).
    """

    def __init__(self, *, host: str = "127.0.0.1", startup_timeout: float = 20.0, **flags: object) -> None:
        self.host = host
        self.startup_timeout = startup_timeout
        self.flags = flags
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int | None:
        """The emulator process's id while it runs (for measurements such as /proc/PID/status)."""
        return None if self._proc is None else self._proc.pid

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "altcraft_mock", "--host", self.host, "--port", "0"]
        for name, value in self.flags.items():
            values = value if isinstance(value, list | tuple) else [value]
            for v in values:
                cmd += [f"--{name.replace('_', '-')}", str(v)]
        return cmd

    def start(self) -> MockProcess:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            self.command(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        found: list[str] = []
        seen: list[str] = []

        def read() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for line in self._proc.stdout:
                match = _ADDRESS.search(line)
                if match and not found:
                    found.append(match.group(1))
                    break
                seen.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        if not found:
            self.stop()
            raise RuntimeError("altcraft-mock did not start: " + "".join(seen)[-2000:])
        self.url = found[0]
        # Keep draining the output so that the process never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self) -> None:
        if self._proc is not None and self._proc.stdout is not None:
            for _ in self._proc.stdout:
                pass

    def stop(self) -> None:
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc = None

    def __enter__(self) -> MockProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
