"""The documented parameters (``_documented``, generated from the doc pages) as trees the emulator walks.

``_documented.PARAMETERS`` lists dotted paths (``data[].data.subscriptions[].channel``); a :class:`Node`
holds one name's JSON types (the pages' Type cells; () where they print none), its fields (``a.b``) and
its items (``a[]``). The profile and the subscription are read the same in every operation: their
fields are gathered from every page (``data.X`` of import_profile and of the workflow page's table
example, ``data[].data.X`` of the batch pages).
"""

from __future__ import annotations

from . import _documented as D

__all__ = ["ALL_OPERATIONS", "PROFILE", "SUBSCRIPTION", "Node", "operation"]


class Node:
    """One documented name: its JSON types, fields and items."""

    __slots__ = ("fields", "items", "types")

    def __init__(self) -> None:
        self.types: tuple[str, ...] = ()
        self.fields: dict[str, Node] = {}
        self.items: Node | None = None

    def add(self, path: str, types: tuple[str, ...]) -> None:
        """Add the dotted `path` below this node, with `types` (merged with what it already has)."""
        node = self
        for segment in path.split("."):
            name = segment.removesuffix("[]")
            node = node.fields.setdefault(name, Node())
            if segment.endswith("[]"):
                if node.items is None:
                    node.items = Node()
                node = node.items
        node.types = _union(node.types, types)

    def field(self, name: str) -> Node:
        """The field `name`, or an empty node when no page documents it."""
        return self.fields.get(name) or Node()

    def walk(self) -> list[tuple[str, Node]]:
        """Every (name, node) below this node, items included (a name's items carry its name)."""
        out: list[tuple[str, Node]] = []
        for name, node in self.fields.items():
            out.append((name, node))
            out.extend(node.walk())
            if node.items is not None:
                out.extend(node.items.walk())
        return out


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    merged = set(a) | set(b)
    return ("any",) if "any" in merged else tuple(sorted(merged))


def _gather(operations: list[str], prefixes: tuple[str, ...]) -> Node:
    root = Node()
    for op in operations:
        for path, types in D.PARAMETERS.get(op, {}).items():
            for prefix in prefixes:
                if prefix == "" or path.startswith(prefix):
                    rest = path[len(prefix) :]
                    if rest:
                        root.add(rest, types)
    return root


def operation(op: str) -> Node:
    """The request body of one operation as its pages document it."""
    return _gather([op], ("",))


ALL_OPERATIONS = sorted(D.PARAMETERS)

# The profile's fields: `data.X` (import_profile; the workflow page's table example of `data`) and
# `data[].data.X` (the batch items' profile), from every page.
PROFILE = _gather(ALL_OPERATIONS, ("data.", "data[].data."))
# A subscription's fields (the ru-v74-profiles-import table gives their types).
SUBSCRIPTION = PROFILE.field("subscriptions").items or Node()
