"""scripts/gen_converters.py against specs other than ours: what the generator may produce tomorrow.

Each test generates a package from a modified copy of openapi.yaml into a temporary directory (as
``scripts/generate`` does) and, for the package that generates, compares its builders with the
generated ``from_dict`` in a separate interpreter (the installed ``altcraft_api`` stays untouched).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

_GENERATE = """
import sys
sys.path.insert(0, {scripts!r})
import gen
from pathlib import Path
gen.generate_into(Path({out!r}))
"""


def _spec() -> dict[str, Any]:
    with (ROOT / "openapi.yaml").open(encoding="utf-8") as f:
        spec: dict[str, Any] = yaml.safe_load(f)
    return spec


def _generate(spec: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    code = _GENERATE.format(scripts=str(ROOT / "scripts"), out=str(out))
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ, ALTCRAFT_SPEC=str(path)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_type_it_cannot_convert_stops_generation_naming_the_field(tmp_path: Path) -> None:
    spec = _spec()
    spec["components"]["schemas"]["ProfileData"]["properties"]["_bdate"] = {"type": "string", "format": "date-time"}
    result = _generate(spec, tmp_path)
    assert result.returncode != 0
    assert "gen_converters: cannot emit converters.py: ProfileData.bdate" in result.stderr, result.stderr
    assert not (tmp_path / "out" / "altcraft_api" / "converters.py").exists()


_COMPARE = """
import sys
sys.path.insert(0, {out!r})
import altcraft_api
assert altcraft_api.__file__.startswith({out!r}), altcraft_api.__file__
from altcraft_api import models
from altcraft_api.converters import BUILDERS

def typed(value):
    if hasattr(type(value), "__attrs_attrs__"):
        return (type(value).__name__, [(a.name, typed(getattr(value, a.name))) for a in type(value).__attrs_attrs__])
    if isinstance(value, dict):
        return ("dict", sorted((k, typed(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))

def outcome(fn, data):
    try:
        return ("ok", typed(fn(data)))
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))

cls = models.ProfileData
subs = [
    {{"channel": "email", "email": "a@b.c", "resource_id": 1}},
    {{"channel": "email", "resource_id": 1}},
    {{"channel": "sms", "phone": "+7900", "resource_id": 2, "x": 1}},
    {{"channel": "pigeon", "resource_id": 3, "coop": "north"}},
    {{"channel": "pigeon"}},
    {{"resource_id": 3}},
    {{"channel": ["email"], "resource_id": 3}},
    "email",
]
picked = []
for sub in subs:
    data = {{"email": "a@b.c", "subscriptions": [sub]}}
    ours, theirs = outcome(BUILDERS[cls], data), outcome(cls.from_dict, data)
    assert ours == theirs, (sub, ours, theirs)
    try:
        picked.append(type(BUILDERS[cls](data).subscriptions[0]).__name__)
    except Exception as exc:
        picked.append(type(exc).__name__)
print(picked)
"""


@pytest.mark.parametrize("where", ["last", "first"])
def test_a_generic_subscription_variant_is_picked_where_from_dict_picks_it(tmp_path: Path, where: str) -> None:
    """A variant without a ``Literal`` channel (a generic fallback) takes what from_dict gives it:
    unknown channels, and, placed first, every subscription; variants refusing the data never win."""
    spec = _spec()
    schemas = spec["components"]["schemas"]
    schemas["GenericSubscription"] = {
        "allOf": [
            {"$ref": "#/components/schemas/SubscriptionCommon"},
            {"type": "object", "required": ["channel"], "properties": {"channel": {"type": "string"}}},
        ]
    }
    variants = schemas["Subscription"]["oneOf"]
    generic = {"$ref": "#/components/schemas/GenericSubscription"}
    schemas["Subscription"]["oneOf"] = [*variants, generic] if where == "last" else [generic, *variants]
    result = _generate(spec, tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    script = textwrap.dedent(_COMPARE.format(out=str(out)))
    compared = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert compared.returncode == 0, compared.stderr
    picked = compared.stdout.strip()
    generic, other = "'GenericSubscription'", "'OtherChannelSubscription'"
    # A known channel, a broken email one, sms with extras, an unknown channel, two subscriptions
    # without a channel, an unknown channel again, then data no variant takes. The spec's own
    # OtherChannelSubscription (any channel but the seven, or none) comes after the seven.
    if where == "last":
        expected = ["'EmailSubscription'", "'EmailSubscription'", "'SmsSubscription'", other, other, other, other]
    else:
        expected = [generic] * 5 + [other, generic]
    expected.append("'TypeError'")
    assert picked == f"[{', '.join(expected)}]"
