"""The quick paths of the secret scan give exactly the findings of the long way.

Each quick path can be turned off (the scan then runs as it did before it): the findings of
hypothesis-made entries and interactions, with credentials planted in every part of their URLs,
must be the same either way.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vox_validators._findings import Finding
from vox_validators.sources import _secrets
from vox_validators.sources._secret_screen import body_may_hold
from vox_validators.sources._secrets import cassette_secrets, har_secrets

KEY = "voxlive_5f1d2c3b4a59687766554433221100ff"  # made up, of the vox shape

_PIECES = st.sampled_from(
    [
        "https",
        "http",
        "HTTP",
        "h2+x",
        "1x",
        "",
        ":",
        "://",
        "//",
        "/",
        "?",
        "#",
        "@",
        "[",
        "]",
        "[::1]",
        "user:pw@",
        "u@",
        "client-api.tryvox.co",
        "127.0.0.1:8765",
        "\t",
        "\n",
        " ",
        "\x1c",
        "\u212a",
        "\u2100",
        "%2F",
        "v3",
        "campaigns",
        "cmp_1",
        "api_key=",
        "token=",
        "&",
        "=",
        KEY,
        "Bearer ",
        "abcdefgh123",
        "AKIA0123456789ABCDEF",
        "eyJabcdefg.eyJabcdefg.",
        "Asia/Seoul",
        "vox",
        "sk-",
        "ghp_",
        "\u0130",
        "key",
        "secret:",
        "%41",
    ]
)
_URLS = st.lists(_PIECES, max_size=10).map("".join) | st.builds(
    "{}{}{}".format,
    st.sampled_from(["https://client-api.tryvox.co", "http://vox.example:1", "https://x"]),
    st.lists(_PIECES, max_size=6).map("".join),
    st.sampled_from(["", "/", " ", "/v3/campaigns/cmp_1"]),
)


def _long_way(scan: Any, *args: Any, **kwargs: Any) -> tuple[Finding, ...]:
    """The findings with every quick path off (their tests never match)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_secrets, "_AUTHORITY", re.compile(r"(?!)"))
        _forget()
        return tuple(scan(*args, **kwargs))


def _forget() -> None:
    # The memos are exact, but each side must be computed from scratch to compare.
    _secrets._MAY_HOLD.clear()
    _secrets._CLEAN_HEADERS.clear()


def _har_entry(url: str, location: str, redirect: str, path: str) -> dict[str, Any]:
    return {
        "request": {
            "method": "GET",
            "url": url,
            "headers": [
                {"name": ":path", "value": path},
                {"name": "Referer", "value": location},
            ],
        },
        "response": {
            "status": 302,
            "headers": [{"name": "Location", "value": location}],
            "redirectURL": redirect,
            "content": {"mimeType": "application/json", "text": "{}"},
        },
    }


@settings(max_examples=1500, deadline=None)
@given(url=_URLS, location=_URLS, redirect=_URLS, path=_URLS)
def test_har_urls_the_quick_way_are_the_long_way(
    url: str, location: str, redirect: str, path: str
) -> None:
    entry = _har_entry(url, location, redirect, path)
    _forget()
    assert har_secrets(entry) == _long_way(har_secrets, entry)


@settings(max_examples=1500, deadline=None)
@given(uri=_URLS, location=_URLS)
def test_cassette_urls_the_quick_way_are_the_long_way(uri: str, location: str) -> None:
    interaction = {
        "request": {"method": "GET", "uri": uri, "headers": {"Referer": [location]}, "body": None},
        "response": {
            "status": {"code": 302},
            "headers": {"Location": [location], "Content-Location": [location]},
            "body": {"string": ""},
        },
    }
    _forget()
    assert cassette_secrets(interaction) == _long_way(cassette_secrets, interaction)


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("https://client-api.tryvox.co/v3/campaigns/cmp_1", 0),  # "vox" of the host: nothing
        (f"https://client-api.tryvox.co/v3/{KEY}", 1),
        (f"https://{KEY}.example/v3", 0),  # a host is not searched (urlsplit's netloc)
        (f"http://[::1/{KEY}", 1),  # urlsplit raises: the whole URL is text
        (f"https://u:{KEY}@h/", 1),
        (f"https://h/?api_key={KEY}", 1),
        (f"https://h/x {KEY}", 1),
        (f"https://h\u2100/{KEY}", 1),
    ],
)
def test_what_a_url_holds(url: str, found: int) -> None:
    entry = _har_entry(url, "", "", "")
    findings = har_secrets(entry)
    assert len(findings) == found
    assert all(KEY not in finding.message for finding in findings)  # masked
    assert findings == _long_way(har_secrets, entry)


# ----------------------------------------------------------------------------- needle screens

_TEXT_PIECES = st.sampled_from(
    [
        "Asia/Seoul",
        "ASIA",
        "asia",
        "AKIA0123456789ABCDEF",
        "akia0123456789abcdef",
        "ASIA0123456789ABCDEF",
        "AIza" + "A" * 35,
        "aiza" + "a" * 35,
        "eyJabcdefg.eyJabcdefg.abcdefg",
        "EYJabcdefg.EYJabcdefg.abcdefg",
        KEY,
        KEY.upper(),
        "-----BEGIN PRIVATE KEY-----",
        "-----begin private key-----",
        "sk-" + "a" * 20,
        "SK-" + "A" * 20,
        "ghp_" + "a" * 30,
        "xoxb-0123456789",
        "sk_live_0123456789",
        "Bearer abcdefgh123",
        "BEARER abcdefgh123",
        "api_key=abcd1234",
        " ",
        '"',
        "\\u0041",
        "\u212a",
        "x",
    ]
)
_TEXTS = st.lists(_TEXT_PIECES, max_size=6).map("".join)


def _unscreened(scan: Any, *args: Any, **kwargs: Any) -> tuple[Finding, ...]:
    """The findings with every needle screen open (each lets every text through)."""
    everything = re.compile("")
    shapes = tuple(
        dataclasses.replace(shape, needles=("",))
        for shape in _secrets._SHAPES  # "" is in any
    )
    with pytest.MonkeyPatch.context() as patch:
        for name in ("_ANY_TEXT_NEEDLE", "_ANY_EXACT_NEEDLE"):
            patch.setattr(_secrets, name, everything)
        patch.setattr(_secrets, "body_may_hold", lambda raw: True)
        patch.setattr(_secrets, "_BODY_NEEDLES", (b"",))
        patch.setattr(_secrets, "_quiet", lambda raw, lowered: False)
        patch.setattr(_secrets, "_SHAPES", shapes)
        patch.setattr(_secrets, "_BEARER", shapes[0])
        _forget()
        return tuple(scan(*args, **kwargs))


@settings(max_examples=800, deadline=None)
@given(header=_TEXTS, body=_TEXTS, field=_TEXTS)
def test_the_needle_screens_never_hide_a_finding(header: str, body: str, field: str) -> None:
    # Case-sensitive shapes are screened by their needles as written ("ASIA", not "asia").
    assert _secrets._SHAPES[0] is _secrets._BEARER
    for text_body in (body, orjson.dumps({"name": field, "note": body}).decode()):
        interaction = {
            "request": {"uri": "https://x/v3/campaigns", "headers": {"X-Note": [header]}},
            "response": {"headers": {}, "body": {"string": text_body}},
        }
        _forget()
        quick = cassette_secrets(interaction)
        assert quick == _unscreened(cassette_secrets, interaction)


def test_a_time_zone_is_no_lead_for_an_aws_key() -> None:
    body = orjson.dumps({"call_time_window": {"timezone": "Asia/Seoul"}})
    assert not body_may_hold(body)
    assert not _secrets._holds_needle("Asia/Seoul")
