"""The secret screens (``_secret_screen``) never let a credential through.

A HAR file of hypothesis-made entries, with credentials, cookies, escapes and encoded bodies
planted in every part of them, is read twice: with the entry screen, and with it open (every
entry scanned, as before it). The records must be the same. Hyperscan's search and the ``re``
one it falls back to must agree byte string for byte string.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vox_validators.sources import _har, _secret_screen, iter_records
from vox_validators.sources._secret_screen import body_may_hold, har_entry_may_hold

KEY = "voxlive_5f1d2c3b4a59687766554433221100ff"  # made up, of the vox shape
URL = "https://client-api.tryvox.co/v3/campaigns/cmp_1"

_PIECES = st.sampled_from(
    [
        "",
        " ",
        "x",
        "cmp_1",
        "tryvox.co",
        "\tvox_a1b2c3d4e5f6a7b8c9d0",
        "\nvox",
        KEY,
        "Bearer abcdefgh123",
        "bEaReR abcdefgh123",
        "AKIA0123456789ABCDEF",
        "Asia/Seoul",
        "eyJabcdefg.eyJabcdefg.abcdefg",
        "sk-" + "a" * 20,
        "ghp_" + "a" * 30,
        "xoxb-0123456789",
        "-----BEGIN PRIVATE KEY-----",
        "user:pw@",
        "?",
        "#",
        "&",
        "=",
        "?a=1&api_key=abcd1234",
        "api%5Fkey=abcd1234",
        "%41",
        "\u212aey",
        "\u0130",
        "\u017f",
        "캠페인",
        '"',
        "\\",
        "api_key",
        "token",
        "session_id",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=5).map("".join)
_NAMES = (
    st.sampled_from(
        ["Content-Type", "Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Location", ":path"]
    )
    | _TEXTS
)
_PAIRS = st.lists(st.fixed_dictionaries({"name": _NAMES, "value": _TEXTS}), max_size=2)


@st.composite
def _entries(draw: st.DrawFn) -> dict[str, Any]:
    body = draw(_TEXTS | st.builds(lambda note: orjson.dumps({"note": note}).decode(), _TEXTS))
    content: dict[str, Any] = {"mimeType": "application/json", "text": body}
    if draw(st.booleans()):
        content = {
            **content,
            "encoding": "base64",
            "text": base64.b64encode(body.encode()).decode(),
        }
    request: dict[str, Any] = {
        "method": "GET",
        "url": draw(st.sampled_from([URL, "https://x"]) | _TEXTS.map(URL.__add__)),
        "headers": draw(_PAIRS),
        "queryString": draw(_PAIRS),
        "cookies": draw(st.sampled_from([[], [{"name": "sid", "value": "a1b2c3d4"}]])),
    }
    if draw(st.booleans()):
        request["postData"] = {
            "mimeType": draw(st.sampled_from(["application/json", "x-www-form-urlencoded"])),
            "text": draw(_TEXTS),
            "params": draw(_PAIRS),
        }
    return {
        "request": request,
        "response": {
            "status": 200,
            "headers": draw(_PAIRS),
            "cookies": [],
            "redirectURL": draw(_TEXTS),
            "content": content,
        },
    }


def _read(har: bytes) -> list[Any]:
    return list(iter_records(har, format="har"))


def _read_both_ways(entries: list[dict[str, Any]], *, ascii_only: bool) -> tuple[Any, Any]:
    """The records of a HAR file of ``entries``: screened, and with every entry scanned."""
    # json.dumps: spaces after separators ("cookies": []), and \u escapes when ascii_only
    har = json.dumps({"log": {"entries": entries}}, ensure_ascii=ascii_only).encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_har, "har_entry_may_hold", lambda raw: True)
        every_entry_scanned = _read(har)
    return _read(har), every_entry_scanned


def _clean_entry(**planted: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "GET", "url": URL, "headers": [], "queryString": []}
    content: dict[str, Any] = {"mimeType": "application/json", "text": '{"id":"cmp_1"}'}
    response: dict[str, Any] = {"status": 200, "headers": [], "redirectURL": "", "content": content}
    request["cookies"] = response["cookies"] = []
    parts = {"request": request, "response": response, "content": content}
    for where, value in planted.items():
        side, _, name = where.partition("_")
        parts[side][name] = value
    return {"request": request, "response": response}


_SECRET_SEEDS = [
    {"request_cookies": [{"name": "sid", "value": "a1b2c3d4"}]},
    {"request_headers": [{"name": "Cookie", "value": "sid=a1b2c3d4"}]},
    {"request_url": "https://u:p1w2@h/"},
    {"request_url": URL + "?api%5Fkey=abcd1234"},
    {"request_url": URL + "/v\tox_a1b2c3d4e5f6a7b8c9d0e1f2"},
    {"response_redirectURL": "https://h/v\nox_a1b2c3d4e5f6a7b8c9d0e1f2"},
    {"response_headers": [{"name": "X-Note", "value": "api\u212aey=abcd1234"}]},  # a Kelvin sign
    {"content_text": '{"note":"Bearer abcdefgh123"}'},
    {
        "content_text": base64.b64encode(f'{{"note":"{KEY}"}}'.encode()).decode(),
        "content_encoding": "base64",
    },
    {"response_headers": [{"name": "Location", "value": f"https://h/{KEY}"}]},
]


@pytest.mark.parametrize("planted", _SECRET_SEEDS)
@pytest.mark.parametrize("ascii_only", [False, True])
def test_every_way_to_a_finding_passes_the_entry_screen(
    planted: dict[str, Any], ascii_only: bool
) -> None:
    entries = [_clean_entry(), _clean_entry(**planted), _clean_entry()]
    screened, every_entry_scanned = _read_both_ways(entries, ascii_only=ascii_only)
    assert [record.findings for record in every_entry_scanned[::2]] == [(), ()]
    assert any(finding.rule == "secret" for finding in every_entry_scanned[1].findings)
    assert screened == every_entry_scanned


@settings(max_examples=600, deadline=None)
@given(entries=st.lists(_entries(), min_size=1, max_size=4), ascii_only=st.booleans())
def test_the_entry_screen_never_hides_a_finding(
    entries: list[dict[str, Any]], ascii_only: bool
) -> None:
    screened, every_entry_scanned = _read_both_ways(entries, ascii_only=ascii_only)
    assert screened == every_entry_scanned


@pytest.mark.parametrize(
    ("entry", "may_hold"),
    [
        ({"request": {"url": URL, "cookies": []}, "response": {"cookies": []}}, False),
        ({"request": {"url": URL, "cookies": [{"name": "a", "value": "1"}]}}, True),
        ({"request": {"url": URL.replace("cmp_1", KEY)}}, True),
        ({"response": {"content": {"text": '{"timezone":"Asia/Seoul"}'}}}, False),
        ({"response": {"content": {"text": '{"k":"\\u0041"}'}}}, True),
        ({"response": {"content": {"text": "e30=", "encoding": "base64"}}}, True),
        ({"response": {"content": {"_file": "body.json"}}}, True),
        ({"request": {"url": "https://u:p@h/"}}, True),
    ],
)
def test_what_the_entry_screen_passes(entry: dict[str, Any], may_hold: bool) -> None:
    assert har_entry_may_hold(orjson.dumps(entry)) is may_hold


_BYTES = st.lists(_PIECES, max_size=8).map(lambda pieces: "".join(pieces).encode()) | st.binary()


@functools.cache
def _both_searches(entry: bool) -> tuple[Callable[[bytes], bool], Callable[[bytes], bool]]:
    hyperscan_search = _secret_screen._hyperscan_search(entry)
    assert hyperscan_search is not None
    return hyperscan_search, _secret_screen._re_search(entry)


@settings(max_examples=1500, deadline=None)
@given(data=_BYTES)
def test_hyperscan_and_re_agree(data: bytes) -> None:
    pytest.importorskip("hyperscan")
    for entry in (False, True):
        hyperscan_search, re_search = _both_searches(entry)
        assert hyperscan_search(data) is re_search(data)


def test_a_campaign_body_is_screened_out() -> None:
    body = orjson.dumps({"id": "cmp_1", "call_time_window": {"timezone": "Asia/Seoul"}})
    assert not body_may_hold(body)
    assert body_may_hold(body.replace(b"cmp_1", KEY.encode()))
