"""The ``altcraft`` command (click + rich) on top of the client library.

``main`` is the click group (console script ``altcraft``, also ``python -m altcraft``). Subcommands:
``task status`` / ``task wait``, ``validate``, ``contract`` and ``import``. Connection configuration, errors and exit
codes shared by the subcommands are in :mod:`altcraft.cli._config`; a new subcommand registers itself
here with ``main.add_command``.

Layering: this package imports the client core (``altcraft``); the core never imports it.
"""

from ._app import AltcraftGroup, main
from ._contract import contract
from ._import import import_
from ._task import task
from ._validate import validate

main.add_command(task)
main.add_command(validate)
main.add_command(contract)
main.add_command(import_)

__all__ = ["AltcraftGroup", "main"]
