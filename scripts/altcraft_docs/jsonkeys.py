"""A tolerant reader of the keys in the JSON examples that the doc pages print.

The pages' JSON is not always JSON: a string that never closes (`"example@example.com,`), a trailing comma,
an example that starts with its own key (`"content":{ ... }`). This reader does not parse values; it walks
the brackets and reports each key with its dotted path (`data[].data.subscriptions[].channel`), the page
line it is on and, for a scalar, the value's text. A string ends at its closing quote or at the end of
its line, so one broken line cannot swallow the rest of the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["KeyHit", "join_path", "scan_keys"]

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(?:"|$)|[{}\[\]:,]|[^\s{}\[\]:,"]+')


@dataclass(frozen=True)
class KeyHit:
    """One key of an example: where it sits, on which line, and its value's text if it is a scalar."""

    path: str
    line: int
    value: str | None


def join_path(prefix: str, path: str) -> str:
    """`data` + `[].data.email` -> `data[].data.email`; `timeout` + `days` -> `timeout.days`."""
    if not prefix:
        return path.removeprefix(".")
    if not path:
        return prefix
    return prefix + path if path.startswith("[]") else f"{prefix}.{path}"


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def scan_keys(lines: Iterable[tuple[int, str]]) -> list[KeyHit]:
    """Every key of the JSON text in `lines` ((line number, text) pairs), in the order printed."""
    hits: list[KeyHit] = []
    # Frames: ("obj", path) or ("arr", path of the items). The root is an object, so that an example
    # that starts with `"name": {` reads as the key `name`.
    stack: list[tuple[str, str]] = [("obj", "")]
    last_string: tuple[str, int] | None = None
    pending: tuple[str, int] | None = None  # a key whose value has not been read yet
    for number, text in lines:
        for token in _TOKEN.findall(text):
            kind, path = stack[-1]
            if token == ":":
                if kind == "obj" and last_string is not None:
                    pending = (_child(path, last_string[0]), last_string[1])
                last_string = None
                continue
            if token in "{[":
                if pending is not None:
                    hits.append(KeyHit(pending[0], pending[1], None))
                    target = pending[0]
                    pending = None
                else:
                    target = path
                stack.append(("obj", target) if token == "{" else ("arr", target + "[]"))
                last_string = None
                continue
            if token in "}]":
                if pending is not None:
                    hits.append(KeyHit(pending[0], pending[1], None))
                    pending = None
                if len(stack) > 1:
                    stack.pop()
                last_string = None
                continue
            if token == ",":
                if pending is not None:
                    hits.append(KeyHit(pending[0], pending[1], None))
                    pending = None
                last_string = None
                continue
            value = token[1:].removesuffix('"') if token.startswith('"') else token
            if pending is not None:
                hits.append(KeyHit(pending[0], pending[1], value))
                pending = None
                last_string = None
            elif token.startswith('"'):
                last_string = (value, number)
    if pending is not None:
        hits.append(KeyHit(pending[0], pending[1], None))
    return hits
