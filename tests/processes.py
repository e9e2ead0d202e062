"""Helpers for tests that start a child process and interrupt it."""

from __future__ import annotations

import signal


def restore_sigint() -> None:
    """Give the child the default SIGINT disposition (``preexec_fn`` of ``subprocess.Popen``).

    A process started in the background of a non-interactive shell (``cmd &``), as mutmut's runs or a CI
    script may be, inherits SIGINT as *ignored*, and Python then installs no KeyboardInterrupt handler in
    its children: a test that sends SIGINT would see the child run to its end. Reset it before the exec.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
