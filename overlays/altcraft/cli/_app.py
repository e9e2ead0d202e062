"""The ``altcraft`` click group: connection options, logging, and errors as one line and an exit code."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import click

from altcraft import AltcraftError, AssumptionWarning, __version__

from ._config import (
    EXIT_CODES,
    CommandError,
    Connection,
    Interrupted,
    OperationFailed,
    connection_options,
    setup_logging,
)

logger = logging.getLogger("altcraft")

_EPILOG = (
    "\b\nThe server is --url or ALTCRAFT_URL; the token is read from ALTCRAFT_TOKEN or --token-file PATH,\n"
    "never from the command line. Errors are one line on stderr; --verbose shows the log.\n"
    "\b\nExit codes:\n"
    + "\n".join(f"  {code:<4}{text}" for code, text in EXIT_CODES.items())
    + "\n\b\naltcraft import also says how the rows ended (1: rejected, 5: unknown): see altcraft import --help."
)


class AltcraftGroup(click.Group):
    """A click group whose subcommands' failures become one clear line and a documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        with warnings.catch_warnings():
            # The client logs every assumption warning; the warnings module would print it a second time.
            warnings.simplefilter("ignore", AssumptionWarning)
            try:
                return super().invoke(ctx)
            except AltcraftError as exc:
                logger.debug(
                    "%s (code %s, HTTP %s, operation %s)", type(exc).__name__, exc.code, exc.http_status, exc.operation
                )
                raise OperationFailed(str(exc)) from None
            except (click.ClickException, click.exceptions.Exit, click.Abort):
                raise
            except KeyboardInterrupt:
                raise Interrupted("interrupted") from None
            except Exception as exc:
                logger.debug("unexpected error", exc_info=True)
                verbose = isinstance(ctx.obj, Connection) and ctx.obj.verbose
                hint = "" if verbose else " (--verbose shows the traceback)"
                raise CommandError(f"unexpected {type(exc).__name__}: {exc}{hint}") from None


@click.group(
    cls=AltcraftGroup,
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@connection_options
@click.version_option(__version__, "-V", "--version", prog_name="altcraft")
@click.pass_context
def main(ctx: click.Context, connection: Connection) -> None:
    """The Altcraft API from the shell: bulk import, task status and waiting, request validation, the contract run.

    Talks to an Altcraft installation (or altcraft-mock) through the altcraft client library.
    """
    ctx.obj = connection
    setup_logging(ctx, connection.verbose)
