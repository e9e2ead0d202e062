"""Fuzzing altcraft-mock: arbitrary bytes, arbitrary JSON (lone surrogates, huge numbers, deep nesting, as raw
text) and arbitrary XML, under every Content-Type (the two documented, text/xml, wrong ones and none), sent to
every endpoint. Never a 5xx, always the Altcraft envelope in the request's format, and /_mock/state answers
afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import httpx
import orjson
import pytest
from altcraft_mock import MockConfig, create_app, transport
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from ..conftest import TOKEN, FakeClock
from ..doc_examples import JSON_REQUESTS, PATHS, XML_REQUESTS

pytestmark = pytest.mark.timeout(120)

ENDPOINTS = [*sorted(PATHS.values()), "/api/v1.1/no/such/operation"]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/xml",
    "text/xml",
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
]
NAMES = [
    "token",
    "format",
    "db_id",
    "email",
    "phone",
    "matching",
    "data",
    "trigger_id",
    "workflow_id",
    "task_id",
    "attach",
    "custom_data",
    "content",
    "timeout",
    "subscriptions",
    "channel",
    "resource_id",
    "cc_data",
    "phones",
    "field_name",
    "field_value",
    "profile_id",
    "add_to_segments",
    "skip_invalid_subscriptions",
    "subscription_filter",
    "result",
    "name",
]
PLACEHOLDER = "\x00fuzz\x00"

# -- raw JSON text ----------------------------------------------------------------------------------------

odd_json = st.sampled_from(
    [
        '"\\ud800"',
        '"x\\udc00y"',
        '"\\ud83d\\ude00"',
        '"\\u0000\\u0001\\u001f"',
        '"\\ufffe\\uffff"',
        "1e400",
        "-1e400",
        "1E308",
        "-0",
        "1e-400",
        "NaN",
        "Infinity",
        f'"{TOKEN}"',
        '"xml"',
        '"json"',
        "[]",
        "{}",
    ]
)
json_scalars = st.one_of(
    st.sampled_from(["null", "true", "false"]),
    st.integers().map(str),
    st.integers(19, 500).map(lambda k: "9" * k),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: orjson.dumps(f).decode()),
    st.text(max_size=20).map(json.dumps),
    odd_json,
    st.integers(1, 1200).map(lambda d: "[" * d + "]" * d),
    st.integers(1, 700).map(lambda d: '{"a":' * d + "1" + "}" * d),
)
json_keys = st.one_of(st.sampled_from(NAMES), st.text(max_size=8))


def _object(items: dict[str, str]) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in items.items()) + "}"


raw_json = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
        st.dictionaries(json_keys, inner, max_size=5).map(_object),
    ),
    max_leaves=15,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated_example(draw: st.DrawFn, path: str) -> bytes:
    """A documented example of the endpoint with one value replaced by raw JSON text, or removed."""
    examples = [v for op, _, v in JSON_REQUESTS if PATHS[op] == path] or [{"task_id": "x"}]
    body = json.loads(json.dumps(draw(st.sampled_from(examples))))
    body["token"] = TOKEN
    where = draw(st.sampled_from(_paths(body)))
    parent = body
    for step in where[:-1]:
        parent = parent[step]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[where[-1]]
        return orjson.dumps(body)
    parent[where[-1]] = PLACEHOLDER
    text = json.dumps(body).replace(json.dumps(PLACEHOLDER), draw(raw_json))
    return text.encode("utf-8", "surrogatepass")


@st.composite
def json_body(draw: st.DrawFn, path: str) -> bytes:
    kind = draw(st.sampled_from(["any", "object", "example"]))
    if kind == "example":
        return draw(mutated_example(path))
    if kind == "object":
        fields = draw(st.dictionaries(json_keys, raw_json, max_size=6))
        return _object({"token": json.dumps(TOKEN), **fields}).encode("utf-8", "surrogatepass")
    return draw(raw_json).encode("utf-8", "surrogatepass")


# -- XML ------------------------------------------------------------------------------------------------

xml_names = st.one_of(st.sampled_from(NAMES), st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True))
xml_text = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=20).map(escape),
    st.sampled_from([TOKEN, "xml", "json", "1", "-5", "9" * 40, "true", "&amp;", "<![CDATA[<!DOCTYPE x>]]>", ""]),
)
xml_attrs = st.lists(st.sampled_from(["array='true'", "empty='true'", "nil='true'", "object='true'"]), max_size=2)


def _element(name: str, attrs: list[str], inner: str) -> str:
    opening = " ".join([name, *attrs])
    return f"<{opening}>{inner}</{name}>"


xml_elements = st.recursive(
    st.builds(_element, xml_names, xml_attrs, xml_text),
    lambda inner: st.builds(_element, xml_names, xml_attrs, st.lists(inner, max_size=4).map("".join)),
    max_leaves=15,
)


@st.composite
def xml_body(draw: st.DrawFn, path: str) -> bytes:
    kind = draw(st.sampled_from(["tree", "example", "hostile"]))
    if kind == "example":
        examples = [v for op, _, v in XML_REQUESTS if PATHS[op] == path] or ["<xml><task_id>x</task_id></xml>"]
        text = draw(st.sampled_from(examples))
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(xml_elements) + (text[cut:] if draw(st.booleans()) else "")
    elif kind == "hostile":
        prologue = draw(
            st.sampled_from(
                [
                    '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                    '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
                    "<!DOCTYPE xml>",
                    "",
                ]
            )
        )
        deep = draw(st.integers(0, 3000))
        text = f"{prologue}<xml><token>{TOKEN}</token><x>&e;{'<a>' * deep}{'</a>' * deep}</x></xml>"
    else:
        root = draw(st.sampled_from(["xml", "xml", "root"]))
        text = f"<{root}><token>{TOKEN}</token>{draw(st.lists(xml_elements, max_size=5).map(''.join))}</{root}>"
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "utf-32", "utf-16-be"]))
    declared = "UTF-16BE" if encoding == "utf-16-be" else encoding.upper()
    return (f'<?xml version="1.0" encoding="{declared}"?>' + text).encode(encoding, "surrogatepass")


def requests(path: str) -> st.SearchStrategy[tuple[str, bytes]]:
    body = st.one_of(st.binary(max_size=300), json_body(path), xml_body(path))
    return st.tuples(st.sampled_from(CONTENT_TYPES), body)


# -- checks ------------------------------------------------------------------------------------------------


def _request_format(content_type: str) -> str:
    media = content_type.split(";", 1)[0].strip().lower()
    return "xml" if media in ("application/xml", "text/xml") else "json"


def check_envelope(response: httpx.Response, content_type: str, raw: bytes) -> None:
    assert response.status_code < 500, response.text
    allowed = {_request_format(content_type)}
    if b"format" in raw:  # the body may ask for the other format
        allowed |= {"json", "xml"}
    media = response.headers.get("content-type", "")
    if media.startswith("application/json"):
        body = response.json()
        assert isinstance(body, dict) and type(body["error"]) is int and isinstance(body["error_text"], str), body
        error, fmt = body["error"], "json"
    else:
        assert media.startswith("application/xml"), media
        root = etree.fromstring(response.content)
        assert root.tag == "xml" and root.find("error_text") is not None, response.text
        error, fmt = int(root.findtext("error") or ""), "xml"
    assert fmt in allowed, (fmt, allowed, response.text)
    if response.status_code != 200:
        assert error != 0, response.text  # a success is always HTTP 200


def fuzz(path: str, examples: int) -> Callable[[], None]:
    clock = FakeClock()
    app = create_app(MockConfig(task_seconds=0.5, seed=3), clock=clock)
    http = httpx.Client(transport=transport(app), base_url="http://mock.test")

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=requests(path))
    def run(request: tuple[str, bytes]) -> None:
        content_type, raw = request
        headers = {"content-type": content_type} if content_type else {}
        check_envelope(http.post(path, content=raw, headers=headers), content_type, raw)
        clock.sleep(0.3)  # tasks move on and finish between examples
        for params in ({}, {"summary": "1"}, {"section": "profiles", "limit": "5"}):
            state = http.get("/_mock/state", params=params)
            assert state.status_code == 200, state.text
            assert isinstance(state.json(), dict)

    return run


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_endpoint_answers_anything_with_an_envelope(path: str) -> None:
    fuzz(path, 200)()


def test_the_fuzzer_reaches_success_and_every_refusal() -> None:
    """The generators are not all noise: a documented example passes, and each odd kind is refused."""
    path = PATHS["import_profile"]
    app = create_app(MockConfig(seed=1))
    with httpx.Client(transport=transport(app), base_url="http://mock.test") as http:
        example = next(v for op, _, v in JSON_REQUESTS if op == "import_profile")
        ok = http.post(
            path, content=orjson.dumps({**example, "token": TOKEN}), headers={"content-type": "application/json"}
        )
        assert ok.json()["error"] == 0
        for raw in (b'{"token":"\\ud800"}', b"[" * 2000 + b"]" * 2000, b"1e400", b"\xff"):
            response = http.post(path, content=raw, headers={"content-type": "application/json"})
            check_envelope(response, "application/json", raw)
            assert response.status_code == 400
