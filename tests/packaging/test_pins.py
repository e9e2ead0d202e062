"""The pins are consistent: installing an extra never downgrades a package another part already pins.

Issue 24: a plain install took jsonschema-rs 0.61.2 (the core allowed <1), and adding [contract]
downgraded it to 0.60.3 (schemathesis requires <0.61). Checked here from what the installed packages of
each extra require (their metadata) against the core's and the other extras' pins: every version a
pin admits that a requirement does not is below a version both admit (installing the extra may then
upgrade it, never downgrade it).
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from collections import defaultdict
from itertools import combinations
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = ("mock", "contract")


def candidates(*specs: SpecifierSet) -> list[Version]:
    """Every bound of the specifiers, and versions just above and just below each."""
    out: set[Version] = set()
    for spec in specs:
        for s in spec:
            v = Version(s.version.removesuffix(".*"))
            release = list(v.release)
            out.add(v)
            out.add(Version(".".join(map(str, [*release, 1]))))
            below = [*release[:-1], release[-1] - 1, 999] if release[-1] else [*release, 0]
            out.add(Version(".".join(map(str, below))))
    return sorted(out)


def downgrades(pin: SpecifierSet, requirement: SpecifierSet) -> list[Version]:
    """Versions ``pin`` admits that ``requirement`` would have to lower (no higher version satisfies both)."""
    versions = candidates(pin, requirement)
    both = [v for v in versions if v in pin and v in requirement]
    return [v for v in versions if v in pin and v not in requirement and not any(w > v for w in both)]


def requirements_of(dist: str) -> dict[str, SpecifierSet]:
    out: dict[str, SpecifierSet] = {}
    for text in importlib.metadata.requires(dist) or []:
        r = Requirement(text)
        if r.marker is None or r.marker.evaluate({"extra": ""}):
            out[canonicalize_name(r.name)] = r.specifier
    return out


def pins() -> dict[str, dict[str, SpecifierSet]]:
    """Per part (core, each extra): package -> the specifiers that part brings (direct and one level down)."""
    parts: dict[str, dict[str, SpecifierSet]] = {"core": {}}
    for text in PROJECT["dependencies"]:
        r = Requirement(text)
        parts["core"][canonicalize_name(r.name)] = r.specifier
    for extra in EXTRAS:
        part: dict[str, SpecifierSet] = defaultdict(SpecifierSet)
        for text in PROJECT["optional-dependencies"][extra]:
            r = Requirement(text)
            part[canonicalize_name(r.name)] &= r.specifier
            for name, spec in requirements_of(r.name).items():
                part[name] &= spec
        parts[extra] = dict(part)
    return parts


def test_no_extra_downgrades_a_package_another_part_pins() -> None:
    """The core is always installed first: an extra may not lower what it admits. An extra comes with the
    core, so its own pins are those it shares with the core; two extras may come in either order."""
    parts = pins()
    assert "jsonschema-rs" in parts["contract"]  # schemathesis's requirement is read (the case of issue 24)
    core = parts["core"]
    effective = {e: {n: s & core.get(n, SpecifierSet()) for n, s in parts[e].items()} for e in EXTRAS}
    pairs = [("core", e, core, effective[e]) for e in EXTRAS]
    for a, b in combinations(EXTRAS, 2):
        pairs += [(a, b, effective[a], effective[b]), (b, a, effective[b], effective[a])]
    found = []
    for first, second, allowed, required in pairs:
        for name in sorted(allowed.keys() & required.keys()):
            lowered = downgrades(allowed[name], required[name])
            if lowered:
                found.append(
                    f"{name}: {first} allows {allowed[name]}, {second} requires {required[name]}: "
                    f"{lowered[-1]} would go down"
                )
    assert found == []


def test_the_check_catches_the_downgrade_of_issue_24() -> None:
    assert downgrades(SpecifierSet(">=0.30,<1"), SpecifierSet(">=0.60.1,<0.61.0"))
    assert downgrades(SpecifierSet(">=0.30,<0.61"), SpecifierSet(">=0.60.1,<0.61.0")) == []  # 0.30: upgraded
