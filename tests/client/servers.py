"""Raw HTTP servers on 127.0.0.1 for the client tests: one that trickles its answer a byte at a time, one that
never answers, one that drops the connection."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

STATUS_OK = b'{"error":0,"error_text":"ok","data":{"status":"processing","progress":10}}'


@contextlib.contextmanager
def raw_server(handle: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP server on a free loopback port; ``handle`` gets each connection (in its own thread)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conns.append(conn)
            threading.Thread(target=_guarded, args=(handle, conn, stop), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        listener.close()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.close()


def _guarded(handle: Callable[[socket.socket], None], conn: socket.socket, stop: threading.Event) -> None:
    with contextlib.suppress(OSError):
        conn.settimeout(0.5)
        _read_request(conn)
        handle(conn)
        while not stop.is_set():  # keep the connection open until the test ends
            time.sleep(0.05)


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0
    )
    while len(body) < length:
        body += conn.recv(65536)


def trickle(conn: socket.socket) -> None:
    answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (
        len(STATUS_OK),
        STATUS_OK,
    )
    for byte in answer:
        conn.sendall(bytes([byte]))
        time.sleep(0.5)


def silent(conn: socket.socket) -> None:
    time.sleep(30)


def drop(conn: socket.socket) -> None:
    conn.close()
