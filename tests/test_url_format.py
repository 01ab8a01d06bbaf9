"""The ``http-url`` format judges URLs the way httpx (the parser that fetches them) does.

Every URL the format's pattern accepts, ``httpx.URL`` parses as an http(s) URL with a host;
every hostile URL below is refused by each judge that shares the pattern: the rule
interpreter, the generated validators, the exported JSON Schema (read by ``jsonschema``),
and the mock (through the interpreter, see tests/test_mock_webhooks.py)."""

from __future__ import annotations

import json
import re

import apimart
import httpx
import jsonschema
import pytest
from hypothesis import given, settings, strategies as st

from apimart_codegen.interpreter import judge_model
from apimart_codegen.kinds.format_ import FORMATS
from tests.support import GENERATED, specs

PATTERN = FORMATS["http-url"][0]


def httpx_accepts(url: str) -> bool:
    try:
        parsed = httpx.URL(url)
        return parsed.scheme in ("http", "https") and bool(parsed.raw_host) and bool(parsed.host)
    except (httpx.InvalidURL, ValueError):  # IDNA errors are ValueErrors
        return False


HOSTILE = [
    "http://[::1/x",
    "http://[zz]/x",
    "http://[1.2.3.4]/",
    "http://[::1]x/",
    "http://a\x00b/",
    "http://h.test/a\x00b",
    "http://h.test/a\x1b[2Jb",
    "http://h.test/\x7f",
    "http://h.test:xx/",
    "http://1.2.3.999/",
    "http://01.2.3.4/",
    "http://xn--/",
    "http://a\u3000b/",
    "http://a\xa0/",
    "http:///x",
    "http://@/x",
    "http://:80/",
    "https://",
    "file:///etc/passwd",
    "ftp://h.test/x",
]
STRICTER = ["http://[", "http://a b/", "http://h.test/a b", "http://a<b/"]
"""Refused by the pattern though httpx takes them (it percent-encodes or drops the odd part):
not what a person means by a URL, so the validators refuse them."""
GOOD = [
    "https://cdn.example.com/a.png",
    "HTTPS://CDN.EXAMPLE.COM/A.MP4?sig=x%20y&t=1#frag",
    "http://127.0.0.1:8000/hooks",
    "http://[::1]:8000/hooks",
    "http://[fe80::1]/x",
    "http://user:pw@h.test:8080/p",
    "http://1.2.3.4.nip.example/x",
    "http://h.test",
    "http://h.test./",
    "http://a_b-c.example/é",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_httpx_refuses_each_hostile_url_and_so_does_the_pattern(url: str) -> None:
    assert not httpx_accepts(url)
    assert re.fullmatch(PATTERN, url) is None


@pytest.mark.parametrize("url", STRICTER)
def test_the_pattern_is_stricter_than_httpx_on_these(url: str) -> None:
    assert httpx_accepts(url)
    assert re.fullmatch(PATTERN, url) is None


@pytest.mark.parametrize("url", GOOD)
def test_ordinary_urls_pass_both(url: str) -> None:
    assert httpx_accepts(url)
    assert re.fullmatch(PATTERN, url) is not None


PIECES = [*"ab1209.:/[]@%-_?#xn \x00\x1b\x7f\u3000é", "::", "xn--", "255", "h.test"]
URLISH = st.lists(st.sampled_from(PIECES), max_size=16).map("".join)


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTP://", "http:/"]), URLISH)
def test_whatever_the_pattern_accepts_httpx_accepts(scheme: str, rest: str) -> None:
    url = scheme + rest
    if re.fullmatch(PATTERN, url) is not None:
        assert httpx_accepts(url), url


def _with_webhook(url: str) -> dict[str, object]:
    return {"model": "wan2.6", "prompt": "p", "webhook": url}


@pytest.mark.parametrize("url", HOSTILE + STRICTER + GOOD)
def test_every_judge_gives_the_same_verdict(url: str) -> None:
    model = specs().model("wan2.6")
    body = _with_webhook(url)
    expected = url in GOOD
    generated = apimart.validate(body)
    interpreted = judge_model(model, body)
    schema = json.loads((GENERATED / "schemas" / "wan2.6.schema.json").read_text("utf-8"))
    by_schema = jsonschema.Draft202012Validator(schema).is_valid(body)
    rules = {v.rule for v in generated.errors}
    assert ("wan2.6/webhook-format" not in rules) is expected
    assert [v.to_dict() for v in generated.errors] == [v.to_dict() for v in interpreted.errors]
    assert by_schema is expected
