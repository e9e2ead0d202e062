"""Command line of altcraft-mock.

Start-up problems (the [mock] extra missing, an address it cannot listen on) are one line on stderr and
exit code 2, not a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import socket
import sys
from typing import NoReturn

from ._constants import DEFAULT_TOKEN


class _HideDrops(logging.Filter):
    """Injected connection drops are intended; keep them out of the server's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        from ._app import ConnectionDropped

        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def _fail(message: str) -> NoReturn:
    print(f"altcraft-mock: error: {message}", file=sys.stderr)
    sys.exit(2)


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="altcraft-mock", description="Stateful emulator of the Altcraft API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free port)")
    parser.add_argument(
        "--token", action="append", dest="tokens", help=f"accepted API token, repeatable (default {DEFAULT_TOKEN})"
    )
    parser.add_argument("--task-seconds", type=float, default=2.0, help="how long a task runs (default 2)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay before every API answer")
    parser.add_argument("--fail-rate", type=_rate, default=0.0, help="share of API requests answered with 503")
    parser.add_argument("--drop-rate", type=_rate, default=0.0, help="share of API requests whose answer is dropped")
    parser.add_argument("--seed", type=int, default=None, help="seed for ids and injected faults")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run altcraft-mock until interrupted; prints the address it listens on."""
    args = parse_args(argv)
    try:
        import uvicorn

        from ._app import MockConfig, create_app
    except ModuleNotFoundError as exc:
        _fail(f"{exc.name} is not installed: altcraft-mock needs pip install 'altcraft-client[mock]'")
    config = MockConfig(
        tokens=tuple(args.tokens or (DEFAULT_TOKEN,)),
        task_seconds=args.task_seconds,
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        drop_rate=args.drop_rate,
        seed=args.seed,
    )
    app = create_app(config)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it every answer on a kept-alive connection waited about
    # 40 ms (Nagle's algorithm holding the body back for the client's delayed ACK of the headers).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((args.host, args.port))
    except (OSError, OverflowError) as exc:
        sock.close()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        _fail(f"cannot listen on {args.host}:{args.port}: {reason} (--port 0 picks a free port)")
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"altcraft-mock listening on http://{shown}:{port}", flush=True)
    logging.getLogger("uvicorn.error").addFilter(_HideDrops())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    sys.exit(0)


if __name__ == "__main__":
    main()
