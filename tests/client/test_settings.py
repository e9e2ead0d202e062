"""The client's settings: refused when they cannot work (naming the setting), kept as given, documented defaults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from altcraft import (
    Altcraft,
    AsyncAltcraft,
    InvalidInput,
)

from ..conftest import BASE, TOKEN
from .fakes import core


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"token": ""}, "token: a non-empty API token is required", "token"),
        ({"token": None}, "token: a non-empty API token is required", "token"),
        ({"auth": "basic"}, "auth must be 'body' or 'bearer', not 'basic'", "auth"),
        ({"format": "yaml"}, "format must be 'json' or 'xml', not 'yaml'", "format"),
        ({"max_retries": -1}, "max_retries must be >= 0", "max_retries"),
        ({"max_answer_bytes": 0}, "max_answer_bytes must be positive", "max_answer_bytes"),
        ({"base_url": "http://[::1"}, "base_url: not a valid URL", "base_url"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(kwargs: dict[str, Any], message: str, field: str) -> None:
    args: dict[str, Any] = {"base_url": BASE, "token": TOKEN, **kwargs}
    with pytest.raises(InvalidInput) as err:
        Altcraft(args.pop("base_url"), args.pop("token"), **args)
    assert (str(err.value), err.value.field) == (message, field)
    assert err.value.__cause__ is None


def test_a_bearer_token_with_characters_a_header_cannot_carry_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        Altcraft(BASE, "tok en", auth="bearer")
    assert str(err.value) == (
        "token: it holds characters an HTTP header cannot carry (non-ASCII or control characters); "
        "send it in the body with auth='body'"
    )
    assert err.value.field == "token"
    Altcraft(BASE, "tok en", auth="body").close()  # in the body it is fine
    Altcraft(BASE, "!~", auth="bearer").close()  # visible ASCII at both ends of the range


def test_the_smallest_settings_are_accepted_and_kept() -> None:
    c = core(max_retries=0, max_answer_bytes=1, validate=False, format="xml", auth="bearer")
    assert (c.max_retries, c.max_answer_bytes, c.validate, c.format, c.auth) == (0, 1, False, "xml", "bearer")


def test_only_trailing_slashes_are_cut_off_the_base_url() -> None:
    c = Altcraft("http://altcraft.test/apiX/", TOKEN)
    assert c.base_url == "http://altcraft.test/apiX"
    c.close()


@pytest.mark.parametrize("cls", [Altcraft, AsyncAltcraft])
def test_the_documented_client_defaults(cls: type[Altcraft] | type[AsyncAltcraft]) -> None:
    c = cls(BASE, TOKEN)
    assert (c.auth, c.format, c.validate, c.max_retries, c.max_answer_bytes) == ("body", "json", True, 2, 16 << 20)
    assert (c._timeout, c._attempt_total) == (httpx.Timeout(30.0), 30.0)
