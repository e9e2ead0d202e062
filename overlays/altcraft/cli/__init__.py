"""The ``altcraft`` command (click + rich) on top of the client library.

``main`` is the click group; ``run`` the console script ``altcraft`` (also ``python -m altcraft``). Subcommands:
``task status`` / ``task wait``, ``validate``, ``contract`` and ``import``. Connection configuration, errors and exit
codes shared by the subcommands are in :mod:`altcraft.cli._config`; a new subcommand registers itself
here with ``main.add_command``.

Layering: this package imports the client core (``altcraft``); the core never imports it.
"""

import os
import sys

from ._app import AltcraftGroup, main
from ._config import EXIT_INTERRUPTED
from ._contract import contract
from ._import import import_
from ._task import task
from ._validate import validate

main.add_command(task)
main.add_command(validate)
main.add_command(contract)
main.add_command(import_)

__all__ = ["AltcraftGroup", "main", "run"]


def run() -> None:
    """The console script ``altcraft`` (and ``python -m altcraft``): :func:`main`, exiting at once when
    interrupted.

    After Ctrl-C the journal is consistent and the summary printed; but a request given up by a second
    Ctrl-C may still be stuck in a worker thread, and the interpreter would join it before exiting, up
    to the request's timeout. An interrupted run leaves without joining them (its outcome is already
    journaled as *sending*: unknown on resume).
    """
    try:
        main(prog_name="altcraft")
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)
        raise
