"""Connection configuration, errors and logging of the ``altcraft`` command, shared by its subcommands.

A subcommand that talks to a server takes the group's :class:`Connection` and opens a client from it::

    from altcraft.cli._config import Connection, pass_connection

    @main.command("import")
    @pass_connection
    def import_(connection: Connection) -> None:
        with connection.client() as client:
            ...

The server is ``--url`` or ``ALTCRAFT_URL``. The token comes from ``--token-file PATH`` or
``ALTCRAFT_TOKEN``, never from the command line (argv is visible to every user of the machine); once
read it is redacted from everything the command prints. Errors are :class:`CommandError` subclasses:
one line on stderr and an exit code (see :data:`EXIT_CODES`).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, TypeVar, cast
from urllib.parse import urlsplit

import click
import httpx

from altcraft import Altcraft

__all__ = [
    "ENV_TOKEN",
    "ENV_URL",
    "EXIT_CODES",
    "CommandError",
    "ConfigError",
    "Connection",
    "Interrupted",
    "MissingExtra",
    "OperationFailed",
    "connection_options",
    "pass_connection",
    "redact",
    "seconds_option",
    "setup_logging",
]

ENV_URL = "ALTCRAFT_URL"
ENV_TOKEN = "ALTCRAFT_TOKEN"  # noqa: S105 - the name of the variable, not a token

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_MISSING_EXTRA = 4
EXIT_INTERRUPTED = 130

EXIT_CODES = {
    0: "success (validate: the request is valid)",
    EXIT_FAILED: "the operation failed (Altcraft or network error, failed or unfinished task, invalid request)",
    EXIT_USAGE: "usage error: unknown option, bad or missing argument",
    EXIT_CONFIG: "configuration error: no server URL, no token, an unreadable token file",
    EXIT_MISSING_EXTRA: "an optional part is not installed: altcraft-client[contract] or altcraft-client[mock]",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); a task that was being waited for goes on",
}

# Every token this process has read: nothing the command prints contains one.
_SECRETS: set[str] = set()


def redact(text: str) -> str:
    """``text`` with every token read by this process replaced by ``***``."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "***")
    return text


class CommandError(click.ClickException):
    """An error of the command: printed as one line on stderr (token redacted), then exit ``exit_code``."""

    exit_code = EXIT_FAILED

    def show(self, file: IO[Any] | None = None) -> None:
        line = " ".join(redact(self.format_message()).split())  # one line, whatever the message held
        click.echo(f"altcraft: error: {line}", file=file or sys.stderr)


class OperationFailed(CommandError):
    """The operation failed (exit 1)."""

    exit_code = EXIT_FAILED


class ConfigError(CommandError):
    """The command is not configured to run: no URL, no token, unreadable token file (exit 3)."""

    exit_code = EXIT_CONFIG


class MissingExtra(CommandError):
    """An optional dependency (an extra of altcraft-client) is not installed (exit 4)."""

    exit_code = EXIT_MISSING_EXTRA


class Interrupted(CommandError):
    """Ctrl-C (exit 130)."""

    exit_code = EXIT_INTERRUPTED


Auth = Literal["body", "bearer"]
Format = Literal["json", "xml"]


def read_token_file(path: Path) -> str:
    """The token in ``path`` (surrounding whitespace removed); :class:`ConfigError` when there is none."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the token file {path}: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"the token file {path} is not UTF-8 text") from None
    if not token:
        raise ConfigError(f"the token file {path} is empty")
    if any(c.isspace() for c in token):
        raise ConfigError(f"the token file {path} must hold the token alone (it holds whitespace inside)")
    _SECRETS.add(token)
    return token


@dataclass(frozen=True)
class Connection:
    """Where and how to connect: what the group's options and the environment say.

    Nothing is checked until a subcommand needs it: :meth:`require_url`, :meth:`token` and
    :meth:`client` raise :class:`ConfigError` (exit 3) naming what is missing.
    """

    url: str | None = None
    url_from_command_line: bool = False
    token_file: Path | None = None
    format: Format = "json"
    auth: Auth = "body"
    timeout: float = 30.0
    verbose: bool = False
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)

    def require_url(self) -> str:
        """The server URL; :class:`ConfigError` when none is configured or it is not http(s)."""
        if not self.url:
            raise ConfigError(f"no server: set {ENV_URL} or pass --url (e.g. --url https://altcraft.example.com)")
        try:
            parts = urlsplit(self.url)
            parts.port  # noqa: B018 - a port that is not a number raises here
            httpx.URL(self.url)
        except ValueError:  # httpx.InvalidURL is a ValueError
            raise ConfigError(f"the server URL must be http(s)://host[:port], not {self.url!r}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"the server URL must be http(s)://host[:port], not {self.url!r}")
        if parts.username or parts.password or parts.query:
            raise ConfigError("the server URL must not carry credentials or a query; the token goes in a token file")
        return self.url

    def token(self, token_file: Path | None = None) -> str:
        """The API token: from ``token_file`` (or the group's --token-file), else ``ALTCRAFT_TOKEN``."""
        path = token_file or self.token_file
        if path is not None:
            return read_token_file(path)
        token = self.environ.get(ENV_TOKEN, "").strip()
        if not token:
            raise ConfigError(
                f"no token: set {ENV_TOKEN} or pass --token-file PATH (a token is never taken from the command line)"
            )
        _SECRETS.add(token)
        return token

    def client(self, **kwargs: Any) -> Altcraft:
        """An :class:`altcraft.Altcraft` client for this connection (close it, e.g. with ``with``)."""
        return Altcraft(
            self.require_url(),
            self.token(),
            auth=self.auth,
            format=self.format,
            timeout=self.timeout,
            **kwargs,
        )


pass_connection = click.make_pass_decorator(Connection, ensure=True)
"""Passes the group's :class:`Connection` (or one from the environment alone) as the first argument."""

F = TypeVar("F", bound=Callable[..., Any])


def seconds_option(*decls: str, default: float, help: str, positive: bool = True) -> Callable[[F], F]:
    """A click option of a number of seconds (more than 0 when ``positive``, else at least 0), default shown."""
    kind = click.FloatRange(min=0, min_open=positive)
    return click.option(*decls, type=kind, default=default, show_default=True, metavar="SECONDS", help=help)


_OPTIONS: list[Callable[[F], F]] = [
    click.option(
        "--url",
        envvar=ENV_URL,
        show_envvar=True,
        metavar="URL",
        help="The Altcraft installation, e.g. https://altcraft.example.com.",
    ),
    click.option(
        "--token-file",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="PATH",
        help=f"A file holding the API token (default: the {ENV_TOKEN} environment variable). "
        "There is no option for the token itself: argv is visible to other users.",
    ),
    click.option(
        "--format",
        "format_",
        type=click.Choice(["json", "xml"]),
        default="json",
        show_default=True,
        help="Encoding of the requests (answers are read in either).",
    ),
    click.option(
        "--auth",
        type=click.Choice(["body", "bearer"]),
        default="body",
        show_default=True,
        help="Send the token as the body's token field or as Authorization: Bearer.",
    ),
    seconds_option(
        "--timeout",
        default=30.0,
        help="Timeout of each HTTP request and of each connection attempt (a connection that fails is tried "
        "3 times in all).",
    ),
    click.option("-v", "--verbose", is_flag=True, help="Show the log (requests, retries, timings, tracebacks)."),
]


def connection_options(f: F) -> F:
    """Add the connection options to a click command or group; it receives them as ``connection``."""

    @functools.wraps(f)
    def wrapper(
        *args: Any,
        url: str | None,
        token_file: Path | None,
        format_: str,
        auth: str,
        timeout: float,
        verbose: bool,
        **kwargs: Any,
    ) -> Any:
        ctx = click.get_current_context()
        source = ctx.get_parameter_source("url")
        connection = Connection(
            url=url,
            url_from_command_line=source is click.core.ParameterSource.COMMANDLINE,
            token_file=token_file,
            format=cast(Format, format_),
            auth=cast(Auth, auth),
            timeout=timeout,
            verbose=verbose,
        )
        return f(*args, connection=connection, **kwargs)

    decorated: Any = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return cast(F, decorated)


# -- logging ---------------------------------------------------------------------------------------------


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if (
            record.exc_info
            and record.exc_info[1] is not None
            and redact(str(record.exc_info[1])) != str(record.exc_info[1])
        ):
            record.exc_info, record.exc_text = None, None  # a traceback that would show a token is dropped
        return True


def setup_logging(ctx: click.Context, verbose: bool) -> None:
    """Log of ``altcraft`` (and with --verbose of httpx) to stderr, for this invocation only.

    Without --verbose only warnings show. On a terminal the lines are rich's; otherwise plain
    ``logger: LEVEL: message`` lines. The previous logger state is restored when the command ends.
    """
    from rich.console import Console

    handler: logging.Handler
    console = Console(stderr=True, soft_wrap=True)
    if console.is_terminal:
        from rich.logging import RichHandler

        handler = RichHandler(console=console, show_time=verbose, show_path=False, markup=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
    handler.addFilter(_Redact())
    loggers = {"altcraft": logging.DEBUG if verbose else logging.WARNING}
    if verbose:
        loggers["httpx"] = logging.INFO
    saved: list[tuple[logging.Logger, int, bool]] = []
    for name, level in loggers.items():
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(level)
        logger.propagate = False
        logger.addHandler(handler)

    def restore() -> None:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate

    ctx.call_on_close(restore)
