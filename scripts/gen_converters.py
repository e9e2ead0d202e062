"""Writes altcraft_api/converters.py: plain functions between the generated models and JSON-shaped data.

    python scripts/gen_converters.py OUT_PARENT    (run by gen.py on OUT_PARENT/altcraft_api, before ruff)

For every attrs model of the freshly generated package it emits ``build_<model>(src)``, which gives what
``Model.from_dict(src)`` gives, faster, and ``dump_<model>(obj)``, the model as JSON-ready data.
The emitter reads the models themselves: their attrs fields, their resolved type hints, the wire names
of ``spec_data`` and the source of each ``from_dict`` (which keys it pops, in which order, and in which
order it tries the variants of a union). Whatever it does not understand stops the generation with
a message naming the model and the field; it never falls back silently.

How a builder keeps the generated semantics:
- it takes the fast path only for an exact ``dict``; anything else, and any exception on the way
  (a missing key, a wrong type, an unknown enum value or discriminator), hands the whole object to the
  generated ``from_dict``, so the result or the exception is the generated one;
- values ``from_dict`` passes through (scalars, lists of scalars, unions of those) pass through;
  enums, nested models and lists of them are built the way ``from_dict`` builds them;
- a union of models is resolved as ``from_dict`` resolves it (the first variant in its order that
  builds), skipping only the variants that cannot build: those whose required ``Literal`` field at
  the discriminating key holds another value (the subscription ``channel``). A variant without that
  ``Literal`` (a generic fallback) stays a candidate for every value, in its place in the order.
"""

from __future__ import annotations

import ast
import enum
import inspect
import keyword
import re
import sys
import textwrap
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_LEAVES: tuple[Any, ...] = (str, int, float, bool, type(None), Any)


class Unsupported(Exception):
    """A model or field the emitter cannot convert faithfully; generation stops."""


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def members(tp: Any) -> list[Any]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return list(typing.get_args(tp))
    return [tp]


@dataclass
class Emitter:
    models: dict[str, type]
    enums: dict[str, type]
    wire: dict[str, str]
    unset: type
    lines: list[str] = field(default_factory=list)
    helpers: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    # -- types ---------------------------------------------------------------------------------------

    def is_model(self, tp: Any) -> bool:
        return isinstance(tp, type) and self.models.get(tp.__name__) is tp

    def is_enum(self, tp: Any) -> bool:
        return isinstance(tp, type) and self.enums.get(tp.__name__) is tp

    def is_leaf(self, tp: Any) -> bool:
        """A type ``from_dict`` passes through untouched (its property template has no ``construct``)."""
        if tp in _LEAVES:
            return True
        return typing.get_origin(tp) is list and all(self.is_leaf(a) for a in typing.get_args(tp))

    def convert(self, expr: str, tp: Any, where: str, pyname: str, depth: int = 0) -> str | None:
        """An expression turning the wire value ``expr`` into a value of ``tp`` the way ``from_dict``
        does, or None when ``from_dict`` passes the value through."""
        parts = members(tp)
        if len(parts) > 1:
            return self.union(expr, parts, where, pyname)
        if self.is_leaf(tp):
            return None
        if self.is_enum(tp):
            self.used.add(tp.__name__)
            return f"{tp.__name__}({expr})"
        if self.is_model(tp):
            return f"build_{snake(tp.__name__)}({expr})"
        if typing.get_origin(tp) is list:
            (inner,) = typing.get_args(tp)
            var = f"x{depth}"
            item = self.convert(var, inner, where, f"{pyname}_item", depth + 1)
            return None if item is None else f"[{item} for {var} in {expr}]"
        raise Unsupported(f"{where}: cannot convert a value of type {tp!r}")

    # -- unions --------------------------------------------------------------------------------------

    def union(self, expr: str, parts: list[Any], where: str, pyname: str) -> str | None:
        models = [p for p in parts if self.is_model(p)]
        enums = [p for p in parts if self.is_enum(p)]
        leaves = [p for p in parts if self.is_leaf(p)]
        odd = [p for p in parts if p not in models and p not in enums and p not in leaves]
        if odd:
            raise Unsupported(f"{where}: cannot convert the union member(s) {odd!r}")
        if not models and not enums:
            return None
        if len({p.__name__ for p in models + enums}) != len(models) + len(enums):
            raise Unsupported(f"{where}: two union members share a name")
        order = self.union_order(where, pyname, models + enums)
        models = [p for p in order if p in models]
        enums = [p for p in order if p in enums]
        name = f"_pick_{snake(where.split('.')[0])}_{pyname}"
        typed = not leaves and not enums
        ret = " | ".join(p.__name__ for p in models) if typed else "Any"
        body = [f"def {name}(data: Any) -> {ret}:"]
        if type(None) in leaves:
            body += ["    if data is None:", "        return data"]
        if models:
            body += ["    if type(data) is dict:", *self.dispatch(name, models, ret)]
            if enums or leaves:
                body += ["    if isinstance(data, dict):", "        raise Unhandled"]
        for e in enums:
            self.used.add(e.__name__)
            value_type = next((t for t in (str, int) if issubclass(e, t)), None)
            if value_type is None:
                raise Unsupported(f"{where}: the enum {e.__name__} has values neither str nor int")
            body += [
                f"    if isinstance(data, {value_type.__name__}):",
                "        try:",
                f"            return {e.__name__}(data)",
                "        except (TypeError, ValueError, AttributeError, KeyError):",
                "            pass",
            ]
        # Every constructed member failed (or refused a non-dict): from_dict returns the value as it is
        # when the union has members it passes through, and raises otherwise.
        body.append("    return data" if leaves else "    raise Unhandled")
        self.helpers.append("\n".join(body))
        return f"{name}({expr})"

    def dispatch(self, name: str, models: list[type], ret: str) -> list[str]:
        """Lines picking the model variant for a dict ``data``: by the discriminating ``Literal`` when
        the variants have one, else the first variant (from_dict's first try)."""
        tags: list[dict[str, Any]] = []
        for m in models:
            hints = self.hints(m)
            own: dict[str, Any] = {}
            for f in self.fields(m):
                tp = hints[f.name]
                if typing.get_origin(tp) is typing.Literal:
                    (value,) = typing.get_args(tp)
                    own[self.wire.get(f.name, f.name)] = value
            tags.append(own)
        counts: dict[str, int] = {}
        for own in tags:
            for key in own:
                counts[key] = counts.get(key, 0) + 1
        if not counts:
            return [f"        return build_{snake(models[0].__name__)}(data)"]
        key = sorted(counts, key=lambda k: (-counts[k], k))[0]
        table: dict[Any, type] = {}
        for value in dict.fromkeys(own[key] for own in tags if key in own):
            if value is None or type(value) not in (str, int, bool):
                raise Unsupported(f"{name}: discriminator {key!r} has the value {value!r}")
            # The first variant in from_dict's order that does not refuse ``value`` outright.
            table[value] = next(m for m, own in zip(models, tags, strict=True) if own.get(key, value) == value)
        fallback = next((m for m, own in zip(models, tags, strict=True) if key not in own), None)
        table_name = name.upper()
        entries = ", ".join(f"{v!r}: build_{snake(m.__name__)}" for v, m in table.items())
        self.tables.append(f"{table_name}: Final[dict[object, Callable[[Any], {ret}]]] = {{{entries}}}")
        lines = [f"        build = {table_name}.get(data.get({key!r}))"]
        if fallback is None:
            lines += ["        if build is None:", "            raise Unhandled"]
        else:
            lines += ["        if build is None:", f"            build = build_{snake(fallback.__name__)}"]
        return [*lines, "        return build(data)"]

    def union_order(self, where: str, pyname: str, constructed: list[type]) -> list[type]:
        """The order in which ``from_dict`` tries the constructed members, read from its ``_parse_``
        function; it must name exactly these members."""
        cls_name = where.split(".")[0]
        fn = self.parse_function(self.models[cls_name], f"_parse_{pyname}")
        if fn is None:
            raise Unsupported(f"{where}: from_dict has no _parse_{pyname} function for its union")
        names = {p.__name__ for p in constructed}
        seen: list[str] = []
        for node in sorted(
            (n for n in ast.walk(fn) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset)
        ):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "from_dict" and isinstance(func.value, ast.Name):
                found = func.value.id
            elif isinstance(func, ast.Name) and func.id in names:
                found = func.id
            else:
                continue
            if found not in seen:
                seen.append(found)
        if set(seen) != names:
            raise Unsupported(f"{where}: from_dict's union tries {seen}, the annotation names {sorted(names)}")
        by_name = {p.__name__: p for p in constructed}
        return [by_name[n] for n in seen]

    # -- models --------------------------------------------------------------------------------------

    def hints(self, cls: type) -> dict[str, Any]:
        module = sys.modules[cls.__module__]
        namespace = {**vars(module), **self.models, **self.enums}
        try:
            return typing.get_type_hints(cls, globalns=namespace)
        except Exception as exc:
            raise Unsupported(f"{cls.__name__}: cannot resolve its annotations: {exc}") from exc

    def fields(self, cls: type) -> list[Any]:
        import attrs

        return [f for f in attrs.fields(cls) if f.name != "additional_properties"]

    def from_dict_ast(self, cls: type) -> ast.FunctionDef:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "from_dict":
                return node
        raise Unsupported(f"{cls.__name__}: no from_dict in its source")

    def parse_function(self, cls: type, name: str) -> ast.FunctionDef | None:
        for node in ast.walk(self.from_dict_ast(cls)):
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return node
        return None

    def popped_keys(self, cls: type) -> list[tuple[str, bool]]:
        """The keys from_dict pops, in order, each with whether it has a default (optional field)."""
        out = []
        calls = [n for n in ast.walk(self.from_dict_ast(cls)) if isinstance(n, ast.Call)]
        for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
            func = node.func
            if not (isinstance(func, ast.Attribute) and func.attr == "pop"):
                continue
            if not (isinstance(func.value, ast.Name) and func.value.id == "d"):
                continue
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                raise Unsupported(f"{cls.__name__}.from_dict pops a key that is not a string literal")
            out.append((first.value, len(node.args) == 2))
        return out

    def model(self, cls: type) -> None:
        import attrs

        name = cls.__name__
        all_fields = {f.name: f for f in attrs.fields(cls)}
        hints = self.hints(cls)
        extra = "additional_properties" in all_fields
        if extra and hints["additional_properties"] != dict[str, Any]:
            raise Unsupported(f"{name}.additional_properties is {hints['additional_properties']!r}, not dict[str, Any]")
        fields = self.fields(cls)
        plan: list[tuple[str, str, bool, Any]] = []  # attribute, wire name, optional, type without Unset
        for f in fields:
            where = f"{name}.{f.name}"
            if not f.name.isidentifier() or keyword.iskeyword(f.name) or not f.init:
                raise Unsupported(f"{where}: not a plain init attribute")
            parts = members(hints[f.name])
            optional = self.unset in parts
            rest = [p for p in parts if p is not self.unset]
            tp = rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]  # noqa: UP007 - built at run time
            plan.append((f.name, self.wire.get(f.name, f.name), optional, tp))
        popped = self.popped_keys(cls)
        expected = [(wire, optional) for _, wire, optional, _ in plan]
        if popped != expected:
            raise Unsupported(f"{name}.from_dict pops {popped}, the fields give {expected}")

        snake_name = snake(name)
        self.used.add(name)
        build = [
            f"def build_{snake_name}(src: Any) -> {name}:",
            f'    """``{name}.from_dict(src)``: the same object, or the same exception."""',
            "    if type(src) is not dict:",
            f"        return {name}.from_dict(src)",
            "    try:",
        ]
        for attr, wire, optional, tp in plan:
            where = f"{name}.{attr}"
            var = f"f_{attr}"
            literal = typing.get_origin(tp) is typing.Literal
            if literal:
                args = typing.get_args(tp)
                if len(args) != 1:
                    raise Unsupported(f"{where}: a Literal of several values ({tp!r})")
                expr = None
            else:
                expr = self.convert(var, tp, where, attr)
            if not optional:
                build.append(f"        {var} = src[{wire!r}]")
            else:
                build.append(f"        {var} = src.get({wire!r}, UNSET)")
            if literal:
                guard = f"{var} is not UNSET and " if optional else ""
                build += [f"        if {guard}{var} != {args[0]!r}:", "            raise Unhandled"]
            elif expr is not None:
                if optional:
                    build += [f"        if {var} is not UNSET:", f"            {var} = {expr}"]
                else:
                    build.append(f"        {var} = {expr}")
        if not plan:
            build.append("        pass")
        build += ["    except Exception:", f"        return {name}.from_dict(src)"]
        args = ", ".join(f"{attr}=f_{attr}" for attr, *_ in plan)
        build.append(f"    obj = {name}({args})")
        if extra:
            known = f"_KNOWN_{snake_name.upper()}"
            self.tables.append(f"{known}: Final[frozenset[str]] = frozenset({sorted(w for _, w, _, _ in plan)!r})")
            build += [
                f"    if src.keys() <= {known}:",
                "        obj.additional_properties = {}",
                "    else:",
                f"        obj.additional_properties = {{k: v for k, v in src.items() if k not in {known}}}",
            ]
        build.append("    return obj")

        dump = [
            f"def dump_{snake_name}(obj: {name}) -> dict[str, Any]:",
            f'    """``{name}`` as JSON-ready data: wire names, no unset fields, nested values converted."""',
            "    out: dict[str, Any] = {}",
        ]
        if extra:
            dump += [
                "    if obj.additional_properties:",
                "        for key, item in obj.additional_properties.items():",
                "            out[key] = item if type(item) in _SCALARS else to_plain(item)",
            ]
        if plan:
            dump.append("    v: Any")
        for attr, wire, *_ in plan:
            dump += [
                f"    v = obj.{attr}",
                "    if type(v) in _SCALARS:",
                f"        out[{wire!r}] = v",
                "    elif type(v) is not Unset:",
                f"        out[{wire!r}] = to_plain(v)",
            ]
        dump.append("    return out")
        self.lines += ["\n".join(build), "\n".join(dump)]


HEADER = '''"""Converters between the generated models and JSON-shaped data: one plain function per model each way.

Generated by scripts/generate (scripts/gen_converters.py) from the generated models; do not edit.

``build_<model>(src)`` gives what ``Model.from_dict(src)`` gives (the same object or the same exception),
without the generated per-item copies, closures and try-each-variant unions; anything unexpected is
handed to ``from_dict`` itself. ``dump_<model>(obj)`` gives the model as JSON-ready data (wire names,
unset fields left out, nested models, enums and tuples converted) like ``to_dict`` does, faster.
``BUILDERS`` and ``DUMPERS`` map each model class to its function; ``to_plain`` converts any value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Final

import attrs

from .models import {imports}
from .spec_data import SPEC_DATA
from .types import UNSET, Unset

__all__ = ["BUILDERS", "DUMPERS", "Unhandled", "to_plain"]

_SCALARS: Final = frozenset({{str, int, float, bool, type(None)}})
_WIRE: Final[Mapping[str, str]] = SPEC_DATA["wire_names"]


class Unhandled(Exception):
    """Raised inside a builder for data it leaves to the generated ``from_dict``."""
'''

FOOTER = '''
def to_plain(value: Any) -> Any:
    """``value`` with every model, enum and tuple turned into dicts, values and lists (unset mapping
    values left out); ``TypeError`` for anything JSON cannot hold."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    dump = DUMPERS.get(kind)
    if dump is not None:
        return dump(value)
    if kind is dict or isinstance(value, Mapping):
        return {k: v if type(v) in _SCALARS else to_plain(v) for k, v in value.items() if not isinstance(v, Unset)}
    if kind is list or kind is tuple:
        return [v if type(v) in _SCALARS else to_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if attrs.has(kind):
        return dump_attrs(value)
    raise TypeError(f"cannot send a value of type {kind.__name__}")


def dump_attrs(obj: Any) -> dict[str, Any]:
    """Any attrs instance (a subclass of a model, a class of the caller's) as the ``dump_`` functions
    would write it, field by field, with the wire names of ``spec_data``."""
    out: dict[str, Any] = {}
    extra = getattr(obj, "additional_properties", None)
    if extra:
        for key, item in extra.items():
            out[key] = item if type(item) in _SCALARS else to_plain(item)
    for f in attrs.fields(type(obj)):
        if f.name == "additional_properties":
            continue
        v = getattr(obj, f.name)
        if type(v) in _SCALARS:
            out[_WIRE.get(f.name, f.name)] = v
        elif type(v) is not Unset:
            out[_WIRE.get(f.name, f.name)] = to_plain(v)
    return out
'''


def emit(package_dir: Path) -> str:
    import attrs

    sys.path.insert(0, str(package_dir.parent))
    for name in [m for m in sys.modules if m == package_dir.name or m.startswith(package_dir.name + ".")]:
        del sys.modules[name]
    package = __import__(package_dir.name, fromlist=["models", "spec_data", "types"])
    if Path(package.__file__).resolve().parent != package_dir.resolve():
        raise Unsupported(f"imported {package.__file__}, not the package in {package_dir}")
    models_module = package.models
    exported = {n: getattr(models_module, n) for n in getattr(models_module, "__all__", dir(models_module))}
    models = {n: c for n, c in exported.items() if isinstance(c, type) and attrs.has(c)}
    enums = {n: c for n, c in exported.items() if isinstance(c, type) and issubclass(c, enum.Enum)}
    if not models:
        raise Unsupported("the generated package has no models")
    emitter = Emitter(models, enums, package.spec_data.SPEC_DATA["wire_names"], package.types.Unset)
    for name in sorted(models):
        emitter.model(models[name])
    snakes = [snake(n) for n in models]
    if len(set(snakes)) != len(snakes):
        raise Unsupported("two model names give the same function name")
    builders = ", ".join(f"{n}: build_{snake(n)}" for n in sorted(models))
    dumpers = ", ".join(f"{n}: dump_{snake(n)}" for n in sorted(models))
    parts = [
        HEADER.format(imports=", ".join(sorted(emitter.used))),
        *emitter.lines,
        *emitter.helpers,
        FOOTER,
        f"BUILDERS: Final[Mapping[type, Callable[[Any], Any]]] = {{{builders}}}",
        f"DUMPERS: Final[Mapping[type, Callable[[Any], dict[str, Any]]]] = {{{dumpers}}}",
        *emitter.tables,
    ]
    return "\n\n\n".join(p.strip("\n") for p in parts) + "\n"


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: gen_converters.py PACKAGE_DIR", file=sys.stderr)
        return 2
    package_dir = Path(sys.argv[1])
    try:
        text = emit(package_dir)
    except Unsupported as exc:
        print(f"gen_converters: cannot emit converters.py: {exc}", file=sys.stderr)
        return 1
    (package_dir / "converters.py").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
