"""The secret scan: credentials in a cassette interaction or a HAR entry, reported masked."""

from __future__ import annotations

import base64
import gzip
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import bench_secrets
from tests.support.paths import REPO_ROOT
from tests.support.validate import campaign, invoke
from vox_validators import Finding
from vox_validators.sources import _secrets
from vox_validators.sources._secrets import (
    MAX_FINDINGS,
    MAX_PER_TEXT,
    cassette_secrets,
    har_secrets,
    is_placeholder,
    mask,
)

TOKEN = "voxmock_5f1d2c3b4a59687766554433221100ff"  # 40 characters
OTHER = "s3cr3t-Value_9988776655"


def interaction(
    *,
    uri: str = "http://127.0.0.1:8765/v3/campaigns/cmp_1",
    request_headers: dict[str, Any] | None = None,
    request_body: Any = None,
    response_headers: dict[str, Any] | None = None,
    response_body: Any = '{"id": "cmp_1"}',
) -> dict[str, Any]:
    return {
        "request": {
            "method": "GET",
            "uri": uri,
            "body": request_body,
            "headers": request_headers or {"accept": ["application/json"]},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": response_headers or {"content-type": ["application/json"]},
            "body": {"string": response_body},
        },
    }


def entry(
    *,
    url: str = "http://127.0.0.1:8765/v3/campaigns/cmp_1",
    request_headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    response_headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    text: str | None = '{"id": "cmp_1"}',
    **extra: Any,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": "GET",
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": n, "value": v} for n, v in request_headers],
        "queryString": [],
        "cookies": [],
    }
    request.update(extra.pop("request", {}))
    content: dict[str, Any] = {"mimeType": "application/json"}
    if text is not None:
        content["text"] = text
    content.update(extra.pop("content", {}))
    return {
        "request": request,
        "response": {
            "status": 200,
            "headers": [{"name": n, "value": v} for n, v in response_headers],
            "cookies": [],
            "content": content,
        },
    }


def checked(findings: Iterable[Finding], *secrets: str) -> list[tuple[str, str]]:
    """(path, message) of each finding, after checking it is a masked `secret` error."""
    out = []
    for finding in findings:
        assert (finding.rule, finding.severity) == ("secret", "error")
        for secret in secrets:
            assert secret not in finding.message, finding.message
            # no part of it either: its first and last halves are not shown
            assert secret[: len(secret) // 2] not in finding.message
            assert secret[len(secret) // 2 :] not in finding.message
        out.append((finding.path, finding.message))
    return out


def paths(findings: Iterable[Finding], *secrets: str) -> list[str]:
    return [path for path, _ in checked(findings, *secrets)]


# ----------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("Authorization", f"Bearer {TOKEN}", "Authorization: Bearer ****(40 chars)"),
        ("authorization", f"bearer {TOKEN}", "authorization: bearer ****(40 chars)"),
        ("Authorization", "Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ****(20 chars)"),
        ("Authorization", 'Digest username="u", response="6629fae4"', "Authorization: Digest"),
        ("Authorization", TOKEN, "Authorization: ****(40 chars)"),  # no scheme
        ("Proxy-Authorization", f"Basic {OTHER}", "Proxy-Authorization: Basic ****(23 chars)"),
        ("X-API-Key", TOKEN, "X-API-Key: ****(40 chars)"),
        ("Api-Key", TOKEN, "Api-Key: ****(40 chars)"),
        ("x-auth-token", OTHER, "x-auth-token: ****(23 chars)"),
        ("X-Access-Token", OTHER, "X-Access-Token: ****(23 chars)"),
        ("X-Goog-Api-Key", OTHER, "X-Goog-Api-Key: ****(23 chars)"),
        ("X-Amz-Security-Token", OTHER, "X-Amz-Security-Token: ****(23 chars)"),
        ("Cookie", f"theme=dark; session={OTHER}", "Cookie: ****("),
        ("X-Forwarded-Note", f"Bearer {TOKEN}", "Bearer ****(40 chars)"),  # any header
        ("X-Vox-Key", TOKEN, "****(40 chars) (a vox-style API key)"),  # by its shape
    ],
)
def test_a_credential_header_of_a_request_is_one_finding(name: str, value: str, shown: str) -> None:
    findings = cassette_secrets(interaction(request_headers={name: [value]}))
    [(path, message)] = checked(findings, TOKEN, OTHER, value.rsplit(maxsplit=1)[-1])
    assert path == f"/request/headers/{name}/0"
    assert message.startswith(shown), message
    assert "in the request headers" in message or f"in the {name} header" in message
    assert "filter it when recording: vcrpy filter_headers=" in message


def test_a_response_header_says_filter_headers_does_not_cover_it() -> None:
    headers = {"Set-Cookie": [f"sid={OTHER}; Path=/; HttpOnly"], "X-Api-Key": [TOKEN]}
    findings = cassette_secrets(interaction(response_headers=headers))
    checks = checked(findings, TOKEN, OTHER)
    assert [path for path, _ in checks] == [
        "/response/headers/Set-Cookie/0",
        "/response/headers/X-Api-Key/0",
    ]
    assert all("before_record_response" in message for _, message in checks)


def test_every_value_of_a_header_is_checked_and_a_lone_string_too() -> None:
    headers = {"authorization": ["Bearer <REDACTED>", f"Bearer {TOKEN}"], "X-Api-Key": OTHER}
    findings = cassette_secrets(interaction(request_headers=headers))
    assert paths(findings, TOKEN, OTHER) == [
        "/request/headers/authorization/1",
        "/request/headers/X-Api-Key",
    ]


def test_a_header_name_with_a_slash_or_tilde_is_escaped_in_the_pointer() -> None:
    findings = cassette_secrets(interaction(request_headers={"x~a/api-key": [TOKEN]}))
    assert paths(findings, TOKEN) == ["/request/headers/x~0a~1api-key/0"]


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "DUMMY",
        "<REDACTED>",
        "REDACTED",
        "FILTERED",
        "[FILTERED]",
        "***",
        "**********",
        "xxxx",
        "Bearer",
        "Bearer ",
        "Bearer <REDACTED>",
        "Bearer DUMMY",
        "Bearer ***",
        "Bearer <token>",
        "Bearer YOUR_API_KEY",
        "Bearer {{api_key}}",
        "Bearer ${VOX_API_KEY}",
        "Bearer ****(40 chars)",
        "Basic [FILTERED]",
    ],
)
def test_a_value_a_recorder_filtered_is_not_a_finding(value: str) -> None:
    bare = value.removeprefix("Bearer").removeprefix("Basic")
    headers = {
        **{name: [value] for name in ("Authorization", "Proxy-Authorization", "X-API-Key")},
        **{name: [bare] for name in ("X-Auth-Token", "Set-Cookie")},
        "Cookie": [f"session={bare}; theme={bare}"],
    }
    assert cassette_secrets(interaction(request_headers=headers)) == ()
    assert is_placeholder(bare)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-CSRF-Token", "a1b2c3d4e5f6"),  # an anti-forgery nonce, not a credential
        ("Idempotency-Key", "4f1c2a9e-0b7d-4c1e-9a3f-5d6e7f8a9b0c"),
        ("X-Request-Id", "req_00000001"),
        ("Content-Type", "application/json"),
        ("WWW-Authenticate", 'Bearer realm="vox"'),
        ("X-Next-Page-Token", "CgwIARIIY21wXzEyMzQ"),
        ("User-Agent", "voxkit/0.1.0 (vox_client)"),
    ],
)
def test_an_ordinary_header_is_not_a_finding(name: str, value: str) -> None:
    headers = {name: [value]}
    assert cassette_secrets(interaction(request_headers=headers, response_headers=headers)) == ()


def test_the_committed_style_cassette_is_clean() -> None:
    headers = {"authorization": ["Bearer <REDACTED>"], "x-api-key": ["<REDACTED>"]}
    body = json.dumps({"error": {"code": "unauthorized", "message": "Invalid API key"}})
    assert cassette_secrets(interaction(request_headers=headers, response_body=body)) == ()


# ----------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"http://h/v3/campaigns?api_key={TOKEN}", "api_key=****(40 chars) in the query"),
        (f"http://h/v3/campaigns?key={OTHER}", "key=****(23 chars) in the query"),
        (f"http://h/v3/campaigns?limit=1&token={OTHER}", "token=****(23 chars) in the query"),
        (f"http://h/v3/campaigns?access_token={OTHER}", "access_token=****(23 chars)"),
        (f"http://h/v3/campaigns?apiKey={OTHER}", "apiKey=****(23 chars)"),
        (f"http://h/v3/campaigns?X-Amz-Signature={OTHER}", "X-Amz-Signature=****(23 chars)"),
        (f"http://h/cb#access_token={OTHER}&x=1", "access_token=****(23 chars) in the fragment"),
        (f"http://user:{OTHER}@h/v3/campaigns", "****(4 chars):****(23 chars) in the userinfo"),
        (f"http://{OTHER}@h/v3/campaigns", "****(23 chars) in the userinfo"),
        (f"http://h/v3/campaigns?q=Bearer%20{TOKEN}", "Bearer ****(40 chars)"),
        (f"http://h/hooks/{TOKEN}/v3", "****(40 chars) (a vox-style API key) in the path"),
    ],
)
def test_a_credential_in_the_request_url(url: str, shown: str) -> None:
    [(path, message)] = checked(cassette_secrets(interaction(uri=url)), TOKEN, OTHER)
    assert path == "/request/uri"
    assert message.startswith(shown), message


def test_a_query_parameter_says_filter_query_parameters() -> None:
    [(_, message)] = checked(cassette_secrets(interaction(uri=f"http://h/x?api_key={TOKEN}")))
    assert message.endswith('filter it when recording: vcrpy filter_query_parameters=["api_key"]')


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765/v3/campaigns?limit=10&page_token=CgwIARII",
        "http://127.0.0.1:8765/v3/campaigns?api_key=<REDACTED>&key=DUMMY&token=",
        "http://user:@127.0.0.1/v3",  # a user name and an empty password: vcrpy's own filtering
        "http://[::1/v3",  # not a URL: read as text, nothing in it
    ],
)
def test_an_url_without_a_credential(url: str) -> None:
    assert cassette_secrets(interaction(uri=url)) == ()


def test_a_location_header_is_read_as_an_url() -> None:
    headers = {"Location": [f"https://app.example/cb?code=1&token={OTHER}"]}
    [(path, message)] = checked(cassette_secrets(interaction(response_headers=headers)), OTHER)
    assert path == "/response/headers/Location/0"
    assert message.startswith("token=****(23 chars) in the query of the Location header")


# ----------------------------------------------------------------------------- bodies


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ({"api_key": TOKEN}, "api_key: ****(40 chars) in the request body (JSON field /api_key)"),
        (
            {"auth": {"token": OTHER}},
            "token: ****(23 chars) in the request body (JSON field /auth/token)",
        ),
        ({"user": "u", "password": OTHER}, "password: ****(23 chars)"),
        ({"client_secret": OTHER}, "client_secret: ****(23 chars)"),
        (
            {"secrets": [{"secret": OTHER}]},
            "secret: ****(23 chars) in the request body (JSON field /secrets/0/secret)",
        ),
        ({"accessToken": OTHER}, "accessToken: ****(23 chars)"),
        ({"authorization": f"Bearer {TOKEN}"}, "authorization: Bearer ****(40 chars)"),
        ({"note": f"sent Bearer {TOKEN} twice"}, "Bearer ****(40 chars) (a Bearer or Basic"),
        ({"tasks": [{"memo": TOKEN}]}, "****(40 chars) (a vox-style API key)"),
    ],
)
def test_a_credential_in_a_json_request_body(body: dict[str, Any], shown: str) -> None:
    findings = cassette_secrets(interaction(request_body=json.dumps(body)))
    [(path, message)] = checked(findings, TOKEN, OTHER)
    assert path == "/request/body"
    assert message.startswith(shown), message
    assert "filter_post_data_parameters or before_record_request" in message


def test_a_vox_campaign_body_is_not_a_finding() -> None:
    body = json.dumps(campaign("ongoing"), ensure_ascii=False)
    assert cassette_secrets(interaction(request_body=body, response_body=body)) == ()


@pytest.mark.parametrize(
    "text",
    [
        f"token refresh failed: Bearer {TOKEN}",
        f"<html>key {TOKEN}</html>",
        f"password={OTHER}",
        f"api_key: {OTHER}\n",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
        "AKIAIOSFODNN7EXAMPLE",
    ],
)
def test_a_credential_in_a_text_response_body(text: str) -> None:
    secret = text.rsplit(maxsplit=1)[-1] if " " in text else text.strip()
    findings = cassette_secrets(interaction(response_body=text))
    [(path, message)] = checked(findings, TOKEN, OTHER, secret.split("=")[-1])
    assert path == "/response/body/string"
    assert "in the response body; filter it when recording: vcrpy before_record_response" in message


@pytest.mark.parametrize(
    "text",
    [
        '{"error": {"code": "unauthorized", "message": "Invalid API key"}}',
        '{"error": {"code": "unauthorized", "message": "Missing API key"}}',
        "Bearer authentication is required",
        "the password is never stored; secret: true",
        '{"page_token": "CgwIARII", "max_tokens": 100, "key": "region"}',
        '{"token": "<REDACTED>", "password": "", "api_key": null, "secret": 12}',
    ],
)
def test_a_body_without_a_credential(text: str) -> None:
    assert cassette_secrets(interaction(response_body=text, request_body=text)) == ()


def test_a_form_body_is_read_by_its_parameters() -> None:
    headers = {"content-type": ["application/x-www-form-urlencoded"]}
    body = f"grant_type=client_credentials&client_id=app&client_secret={OTHER}"
    findings = cassette_secrets(interaction(request_headers=headers, request_body=body))
    [(path, message)] = checked(findings, OTHER)
    assert (path, message.split(";")[0]) == (
        "/request/body",
        "client_secret=****(23 chars) in the request body (a form parameter)",
    )


def test_a_binary_request_body_and_a_request_body_mapping() -> None:
    raw = json.dumps({"token": OTHER}).encode()
    assert paths(cassette_secrets(interaction(request_body=raw)), OTHER) == ["/request/body"]
    body = {"string": json.dumps({"token": OTHER})}
    assert paths(cassette_secrets(interaction(request_body=body))) == ["/request/body/string"]


def test_the_decoded_response_body_is_read_when_the_caller_has_it() -> None:
    text = json.dumps({"access_token": OTHER}).encode()
    recorded = interaction(response_body=gzip.compress(text))
    assert cassette_secrets(recorded) == ()  # gzip bytes: nothing readable
    findings = cassette_secrets(recorded, response_body=text)
    assert paths(findings, OTHER) == ["/response/body/string"]


def test_an_old_httpx_cassette_response_content() -> None:
    recorded = interaction()
    recorded["response"] = {"status_code": 200, "headers": {}, "content": f"Bearer {TOKEN}"}
    assert paths(cassette_secrets(recorded), TOKEN) == ["/response/content"]


def test_a_body_over_the_limit_is_not_scanned() -> None:
    body = json.dumps({"token": OTHER, "pad": "x" * 1000})
    assert cassette_secrets(interaction(response_body=body), max_body_bytes=1000) == ()
    assert len(cassette_secrets(interaction(response_body=body), max_body_bytes=2000)) == 1


def test_a_body_full_of_keys_is_a_bounded_number_of_findings() -> None:
    text = " ".join(f"Bearer {TOKEN}{n}" for n in range(1000))
    findings = cassette_secrets(interaction(response_body=text))
    assert len(findings) == MAX_PER_TEXT + 1
    assert findings[-1].message.startswith("more credentials in the response body (only 10")
    many = json.dumps([{"token": f"{OTHER}{n}"} for n in range(1000)])
    assert len(cassette_secrets(interaction(response_body=many))) <= 10 * MAX_PER_TEXT


@pytest.mark.parametrize(
    "unit",
    [
        "a_",  # a repeated group before a name would backtrack quadratically here
        "-----BEGIN PRIVATE KEY-----",  # so would a lazy scan to an END that never comes
        "Bearer ",
        "vox_",
        "eyJaaaaaaa.",
        "password=",
        "key=1&",
    ],
)
def test_a_hostile_body_is_scanned_in_linear_time(unit: str) -> None:
    text = unit * (2_000_000 // len(unit))
    recorded = interaction(uri=f"http://h/x?{text[:200_000]}", response_body=text)
    recorded["request"]["headers"] = {"X-Note": [text[:200_000]]}
    started = time.perf_counter()
    findings = cassette_secrets(recorded, response_body=text.encode())
    assert time.perf_counter() - started < 3  # about 0.2 s; quadratic would be minutes
    assert len(findings) <= MAX_FINDINGS


def test_an_interaction_has_at_most_max_findings() -> None:
    headers = {f"X-Service{n}-Api-Key": [f"{OTHER}{n}"] for n in range(500)}
    findings = cassette_secrets(interaction(request_headers=headers))
    assert len(findings) == MAX_FINDINGS
    assert findings[-1].message.startswith("more credentials in the request headers (only 100")


# ----------------------------------------------------------------------------- HAR


def test_har_headers_point_at_their_value() -> None:
    har = entry(
        request_headers=[
            ("Host", "127.0.0.1"),
            ("Accept", "application/json"),
            (":authority", "127.0.0.1"),
            ("Authorization", f"Bearer {TOKEN}"),
        ],
        response_headers=[("Content-Type", "application/json"), ("Set-Cookie", f"sid={OTHER}")],
    )
    checks = checked(har_secrets(har), TOKEN, OTHER)
    assert [path for path, _ in checks] == ["/request/headers/3/value", "/response/headers/1/value"]
    assert checks[0][1] == (
        "Authorization: Bearer ****(40 chars) in the request headers; remove or mask it in the "
        "HAR file before it is shared (HAR recorders keep it)"
    )


def test_har_url_query_string_and_cookies_are_each_a_place_to_clean() -> None:
    har = entry(
        url=f"http://127.0.0.1/v3/campaigns?api_key={TOKEN}",
        request={
            "queryString": [{"name": "api_key", "value": TOKEN}],
            "cookies": [{"name": "session", "value": OTHER}, {"name": "x", "value": ""}],
        },
    )
    assert paths(har_secrets(har), TOKEN, OTHER) == [
        "/request/cookies/0/value",
        "/request/url",
        "/request/queryString/0/value",
    ]


def test_har_post_data_text_and_params() -> None:
    har = entry(
        request={
            "method": "POST",
            "postData": {
                "mimeType": "application/x-www-form-urlencoded",
                "text": f"password={OTHER}",
                "params": [{"name": "password", "value": OTHER}, {"name": "a", "value": "b"}],
            },
        }
    )
    assert paths(har_secrets(har), OTHER) == [
        "/request/postData/text",
        "/request/postData/params/0/value",
    ]


def test_har_response_content_plain_and_base64() -> None:
    text = json.dumps({"api_key": TOKEN})
    assert paths(har_secrets(entry(text=text)), TOKEN) == ["/response/content/text"]
    encoded = entry(text=base64.b64encode(text.encode()).decode(), content={"encoding": "base64"})
    assert har_secrets(encoded) == ()  # base64 hides it: the caller passes the decoded body
    decoded = har_secrets(encoded, response_body=text.encode())
    assert paths(decoded, TOKEN) == ["/response/content/text"]
    assert har_secrets(entry(text=None)) == ()


def test_har_redirect_url_and_http2_path() -> None:
    har = entry(request_headers=[(":path", f"/v3/campaigns?token={OTHER}")])
    har["response"]["redirectURL"] = f"https://app.example/cb#access_token={OTHER}"
    assert paths(har_secrets(har), OTHER) == ["/request/headers/0/value", "/response/redirectURL"]


# ----------------------------------------------------------------------------- hostile input


def test_a_hostile_header_name_is_escaped_in_the_message() -> None:
    name = "x-\x1b[2J\nauth-token"
    [(_, message)] = checked(cassette_secrets(interaction(request_headers={name: [OTHER]})), OTHER)
    assert "\x1b" not in message
    assert "\n" not in message
    assert "x-\\x1b[2J\\nauth-token" in message


@pytest.mark.parametrize(
    "bad",
    [
        None,
        1,
        "interaction",
        [],
        {"request": None, "response": 3},
        {"request": {"headers": ["a", "b"], "uri": 5, "body": {"string": 7}}},
        {"request": {"headers": {1: "x", "a": [None, 3]}}, "response": {"body": []}},
        {"request": {"uri": "http://[", "body": "{" * 5000 + "Bearer x1y2z3w4v5"}},
    ],
)
def test_a_broken_interaction_or_entry_never_raises(bad: object) -> None:
    assert isinstance(cassette_secrets(bad), tuple)
    assert isinstance(har_secrets(bad), tuple)


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.binary(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(shape=_JSONISH, secret=st.from_regex(r"[A-Za-z0-9]{12,40}", fullmatch=True))
def test_the_scan_never_raises_and_never_shows_a_secret(shape: object, secret: str) -> None:
    for structure in (shape, {"request": shape, "response": shape}):
        cassette_secrets(structure)
        har_secrets(structure)
    secret = "k9" + secret  # a digit, so it is a credential and not a word
    recorded = interaction(
        uri=f"http://h/x?api_key={secret}",
        request_headers={"Authorization": [f"Bearer {secret}"], "Weird": [shape]},
        request_body=json.dumps({"token": secret, "other": str(shape)}),
        response_body=f"Bearer {secret}",
    )
    findings = cassette_secrets(recorded)
    assert len(findings) >= 4
    checked(findings, secret)


def test_mask_shows_only_the_scheme_and_the_length() -> None:
    assert mask(TOKEN, "Bearer") == "Bearer ****(40 chars)"
    assert mask("x") == "****(1 char)"


# ----------------------------------------------------------------------------- the repository


class _Loader(yaml.SafeLoader):
    """Safe YAML plus vcrpy's python tags, as plain values."""


def _plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _plain)

COMMITTED = sorted(
    path
    for pattern in ("cassettes/**/*.yaml", "examples/**/*.yaml", "examples/**/*.har")
    for path in REPO_ROOT.glob(pattern)
) + sorted(
    path
    for path in (REPO_ROOT / "tests" / "fixtures").iterdir()
    if path.suffix in (".yaml", ".har")
)


def _units(path: Path) -> list[tuple[str, object]]:
    text = path.read_text("utf-8")
    if path.suffix == ".har":
        document = json.loads(text)
        entries = document.get("log", {}).get("entries", []) if isinstance(document, dict) else []
        return [("har", item) for item in entries]
    document = yaml.load(text, Loader=_Loader)  # a safe loader, with plain tags
    interactions = document.get("interactions") if isinstance(document, dict) else None
    return [("cassette", item) for item in interactions or []]


def test_the_repository_holds_recorded_traffic() -> None:
    assert sum(1 for path in COMMITTED if path.parent.name == "cassettes") >= 20
    assert {path.suffix for path in COMMITTED} == {".yaml", ".har"}


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_committed_recording_holds_a_credential(path: Path) -> None:
    units = _units(path)
    assert units, path
    for kind, unit in units:
        scan = cassette_secrets if kind == "cassette" else har_secrets
        assert scan(unit) == (), path


# ----------------------------------------------------------------------------- voxkit validate

LEAKED = "voxleak_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def _leaky_cassette(tmp_path: Path) -> Path:
    body = json.dumps(campaign("ongoing"))
    recorded = interaction(
        request_headers={"Authorization": [f"Bearer {LEAKED}"]}, response_body=body
    )
    path = tmp_path / "leaky.yaml"
    path.write_text(yaml.safe_dump({"interactions": [recorded], "version": 1}), "utf-8")
    return path


def _leaky_har(tmp_path: Path) -> Path:
    har = entry(
        request_headers=[("Authorization", f"Bearer {LEAKED}")], text=json.dumps(campaign("draft"))
    )
    path = tmp_path / "leaky.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": [har]}}), "utf-8")
    return path


@pytest.mark.parametrize("output", ["text", "jsonl", "junit", "github"])
def test_voxkit_validate_reports_the_secret_and_never_prints_it(
    tmp_path: Path, output: str
) -> None:
    files = [_leaky_cassette(tmp_path), _leaky_har(tmp_path)]
    result = invoke([*map(str, files), "--format", output, "--no-color"])
    assert result.exit_code == 1, result.output
    for half in (LEAKED, LEAKED[:20], LEAKED[20:]):
        assert half not in result.output
        assert half not in (result.stderr or "")
    # once per file; junit writes each failure's message twice (attribute and text)
    times = 4 if output == "junit" else 2
    assert result.output.count("Bearer ****(40 chars)") == times, result.output
    if output == "jsonl":
        records = [json.loads(line) for line in result.stdout.splitlines()][:-1]
        assert [
            [(f["rule"], f["severity"], f["path"]) for f in record["findings"]]
            for record in records
        ] == [
            [("secret", "error", "/request/headers/Authorization/0")],
            [("secret", "error", "/request/headers/0/value")],
        ]


# ----------------------------------------------------------------------------- the fast paths
#
# Most traffic holds no credential, so the scan first proves that cheaply (one search of a
# header value, of a URL, of a body's bytes; names and clean headers remembered) and reads the
# long way only what may hold one. These tests compare it with the long way alone (every text
# searched by each pattern, every JSON body parsed and walked, nothing remembered): the same
# findings, in the same order, on input made to sit on the edges of those proofs.

_LONG_WAY_OFF = {
    "_quiet": lambda raw, lowered: False,
    "_may_hold": lambda text: True,
    "_holds_needle": lambda text: True,
    "_SHORT_BODY": -1,  # the body's needles tested one by one
}


class _Forgetful(set[tuple[str, str]]):
    """A memo that remembers nothing."""

    def add(self, item: tuple[str, str]) -> None:
        pass


class _ForgetfulDict(dict[str, Any]):
    """A memo that remembers nothing."""

    def __setitem__(self, key: str, value: Any) -> None:
        pass


def long_way(scan: Any, item: object, **options: Any) -> tuple[Finding, ...]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in _LONG_WAY_OFF.items():
            patch.setattr(_secrets, name, value)
        patch.setattr(_secrets, "_CLEAN_HEADERS", _Forgetful())
        for memo in ("_MAY_HOLD", "_HEADER_KINDS"):
            patch.setattr(_secrets, memo, _ForgetfulDict())
        patch.setattr(_secrets, "_SECRET_NAMES", (_ForgetfulDict(), _ForgetfulDict()))
        return scan(item, **options)  # type: ignore[no-any-return]


# The start of a credential of each kind, then characters some of which it takes.
_CREDENTIALS = st.builds(
    str.__add__,
    st.sampled_from(
        [
            *("Bearer ", "basic\t", "eyJhbGciOi.eyJzdWIiOi.", "eyJ", "vox_", "voxmock_", "sk-"),
            *("sk_live_", "rk_test_", "ghp_", "github_pat_", "xoxb-", "AKIA", "ASIA", "AIza"),
            *("-----BEGIN RSA PRIVATE KEY-----\n", "api_key=", "password: ", "secret='"),
        ]
    ),
    st.one_of(
        [
            st.text(alphabet=alphabet, max_size=40)
            for alphabet in ("0123456789ABCDEFXYZ", "abcxyz0189_-", "aZ09_-.+/=~k \t\n")
        ]
    ),
)
_PIECES = st.sampled_from(
    [
        *("Bearer ", "bearer\t", "BASIC ", "Basic", "Token ", "token", "TOKEN", "tokens"),
        *("api_key", "apiKey", "API-KEY", "x-api-key", "X_Api_Key", "apikey", "key", "Key"),
        *("secret", "client_secret", "SECRET", "password", "Passwd", "pwd", "passphrase"),
        *("session_id", "sessionId", "session-id", "session", "jwt", "credentials", "auth"),
        *("authorization", "sig", "signature", "page_token", "csrf_token", "private_key"),
        *("=", ":", ": ", " :", '"', "'", " ", "\t", "\n", "\r", "_", "-", ".", "&", ";"),
        *("?", "#", "@", "/", "%", "%20", "+", "\\", "\\u0062", "\\n", '\\"', "\\/", "\\u212a"),
        *("\u212a", "\u017f", "\u0130", "\u0131", "é", "연말", "\u2028", "\x1c", "\x00"),
        *("<REDACTED>", "DUMMY", "****", "{{api_key}}", "YOUR_API_KEY", "x" * 9, "12345678"),
        *("vox", "voxmock_", "vox_1", "sk_live_", "rk_test_", "sk-", "ghp_", "github_pat_"),
        *("xoxb-", "AKIA", "ASIA", "AIza", "eyJ", "-----BEGIN ", "PRIVATE KEY-----", "Asia"),
        *("k9Zx1234567890abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ", "=1&", "a_"),
    ]
)
_TEXTS = st.lists(
    st.one_of(
        _PIECES,
        _CREDENTIALS,
        st.text(max_size=6),
    ),
    max_size=5,
).map("".join)
# Names of fields, parameters and headers: a credential's, a neighbour's, or any.
_NAMES = st.one_of(
    st.sampled_from(
        [
            *("token", "Token", "accessToken", "x-auth-token", "page_token", "tokens", "token_"),
            *("api_key", "apiKey", "API-KEY", "apikey", "key", "signing.key", "secret", "SECRET"),
            *("client_secret", "password", "Passwd", "pwd", "passphrase", "session_id"),
            *("sessionId", "session", "jwt", "credentials", "authorization", "bearer", "sig"),
            *("auth", "signature", "x", "id", "name", "note", "\u212aey", "to\u212aen", "k\u0130"),
        ]
    ),
    _TEXTS,
)
_DOCUMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXTS | _CREDENTIALS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def _bodies(draw: st.DrawFn) -> str | bytes:
    """A JSON body written some way, a form, or any text, as text or bytes."""
    kind = draw(st.sampled_from(["json", "form", "text"]))
    if kind == "json":
        document = draw(_DOCUMENTS)
        separators = draw(st.sampled_from([None, (",", ":"), (", ", " : "), (",", ":\n")]))
        ascii_only = draw(st.booleans())
        text = json.dumps(document, ensure_ascii=ascii_only, separators=separators)
    elif kind == "form":
        pairs = st.tuples(_NAMES, _TEXTS | _CREDENTIALS).map("=".join)
        text = "&".join(draw(st.lists(pairs, max_size=3)))
    else:
        text = draw(_TEXTS)
    return text.encode("utf-8", "surrogatepass") if draw(st.booleans()) else text


_HEADER_NAMES = st.one_of(
    st.sampled_from(
        [
            *("Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key"),
            *("Location", "Referer", "Content-Type", "X-Request-Id", "X-Next-Page-Token"),
        ]
    ),
    _NAMES,
)
_CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", ""]
)


@st.composite
def _urls(draw: st.DrawFn) -> str:
    userinfo = draw(st.sampled_from(["", "user@", f"user:{OTHER}@", "DUMMY@"]))
    query = draw(st.sampled_from(["", "?", "?api_key=", "?limit=1&token=", "#access_token="]))
    return f"http://{userinfo}h/{draw(_TEXTS)}{query}{draw(_TEXTS)}"


@st.composite
def _interactions(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    def headers() -> dict[str, Any]:
        found = draw(st.dictionaries(_HEADER_NAMES, st.lists(_TEXTS, max_size=2), max_size=3))
        if draw(st.booleans()):
            found["Content-Type"] = [draw(_CONTENT_TYPES)]
        return found

    recorded = interaction(
        uri=draw(_urls()),
        request_headers=headers(),
        request_body=draw(_bodies()),
        response_headers=headers() | {"Location": [draw(_urls())]},
        response_body=draw(_bodies()),
    )
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        body = draw(_bodies())
        options["response_body"] = body.encode() if isinstance(body, str) else body
    if draw(st.booleans()):
        options["max_body_bytes"] = draw(st.integers(0, 400))
    return recorded, options


def _as_har(recorded: dict[str, Any]) -> dict[str, Any]:
    def pairs(headers: dict[str, Any]) -> list[tuple[str, str]]:
        return [(name, value) for name, values in headers.items() for value in values]

    request, response = recorded["request"], recorded["response"]
    body = request["body"]
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    har = entry(
        url=request["uri"],
        request_headers=pairs(request["headers"]),
        response_headers=pairs(response["headers"]),
        text=response["body"]["string"],
        request={
            "postData": {"mimeType": "", "text": text, "params": [{"name": text, "value": text}]},
            "queryString": [{"name": text, "value": text}],
            "cookies": [{"name": "sid", "value": text}],
        },
    )
    har["response"]["redirectURL"] = "".join(response["headers"].get("Location", [])[:1])
    return har


def alike(recorded: dict[str, Any], **options: Any) -> tuple[Finding, ...]:
    """The findings of an interaction and of it as a HAR entry, after checking that the long
    way finds the same."""
    found = cassette_secrets(recorded, **options)
    assert found == long_way(cassette_secrets, recorded, **options)
    har = _as_har(recorded)
    assert har_secrets(har, **options) == long_way(har_secrets, har, **options)
    return found


@settings(max_examples=100, deadline=None)
@given(case=_interactions())
def test_the_fast_paths_find_what_the_long_way_finds(
    case: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    recorded, options = case
    alike(recorded, **options)


@settings(max_examples=300, deadline=None)
@given(body=_bodies(), content_type=_CONTENT_TYPES, decoded=st.booleans())
def test_a_body_is_read_alike_both_ways(
    body: str | bytes, content_type: str, decoded: bool
) -> None:
    headers = {"content-type": [content_type]}
    recorded = interaction(
        request_headers=headers, request_body=body, response_headers=headers, response_body=body
    )
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    alike(recorded, response_body=raw if decoded else None)


@settings(max_examples=200, deadline=None)
@given(
    headers=st.dictionaries(_HEADER_NAMES, st.lists(_TEXTS | _CREDENTIALS, max_size=2), max_size=4),
    url=_urls(),
)
def test_headers_and_urls_are_read_alike_both_ways(headers: dict[str, Any], url: str) -> None:
    alike(
        interaction(
            uri=url, request_headers=headers, response_headers=headers | {"Location": [url]}
        )
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # a JSON name of a credential, however it is written
        *((json.dumps({name: OTHER}), "") for name in ("token", "x-auth-token", "accessToken")),
        *((json.dumps({name: OTHER}), "") for name in ("API_KEY", "signing.key", "sessionId")),
        *((json.dumps({name: [[OTHER]]}), "") for name in ("secret", "Token_", "pwd")),
        ('{"token" :"' + OTHER + '"}', ""),
        ('{"token"\r\n:\t"' + OTHER + '"}', ""),
        # escapes, and letters that lower() or a case-blind pattern take for ASCII ones
        # (a "key" elsewhere, so that the body is read at all)
        ('{"\\u0074oken": "' + OTHER + '", "n": "key"}', ""),
        ('{"note": "Bearer\\u0020' + OTHER + '"}', ""),
        ('{"note": "AKIA\\u0049OSFODNN7EXAMPLE"}', ""),
        (json.dumps({"api_\u212aey": OTHER, "n": "key"}, ensure_ascii=False), ""),
        (json.dumps({"to\u212aen": OTHER, "n": "key"}), ""),
        (f"basic Ba\u017fic {OTHER}", "text/plain"),
        # text, and each shape of key
        (f"Bearer {OTHER}", "text/plain"),
        (f"password = {OTHER}", "text/plain"),
        (f"apiKey: '{OTHER}'", ""),
        *((f"<p>{key}</p>", "text/html") for key in ("AKIAIOSFODNN7EXAMPLE", TOKEN)),
        *((f"{key}", "") for key in ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "xoxb-1234567890-abc")),
        ("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", ""),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", ""),
        ("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBk", ""),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9Pl", ""),
        # a form: its names and values are decoded first
        (f"client_secret={OTHER}", "application/x-www-form-urlencoded"),
        (f"%73ecret={OTHER}&n=key", "application/x-www-form-urlencoded"),
        (f"sig={OTHER}", "application/x-www-form-urlencoded"),
    ],
)
def test_each_proof_of_a_clean_body_holds_on_its_edge(body: str, content_type: str) -> None:
    headers = {"content-type": [content_type]}
    recorded = interaction(
        request_headers=headers, request_body=body, response_headers=headers, response_body=body
    )
    found = alike(recorded)
    assert {finding.path for finding in found} == {"/request/body", "/response/body/string"}


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        (f"http://user:{OTHER}@h/v3", {}),
        (f"http://h/v3#token={OTHER}", {}),
        (f"http://h/v3?key={OTHER}", {}),
        ("http://h/x/be\tarer abcdefgh1", {}),  # urlsplit drops the tab
        ("http://h/v3", {"X-Note": [f"Bearer {OTHER}"], "Cookie": [f"a={OTHER}"]}),
        ("http://h/v3", {"Location": [f"http://h/?token={OTHER}"]}),
    ],
)
def test_each_proof_of_a_clean_url_or_header_holds_on_its_edge(
    url: str, headers: dict[str, Any]
) -> None:
    for _ in range(2):  # the second time, from what the first remembered
        assert alike(interaction(uri=url, request_headers=headers or None))


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(campaign("ongoing"), ensure_ascii=False),
        json.dumps(campaign("paused")),  # escapes: written again without them
        json.dumps({"error": {"code": "unauthorized", "message": "Invalid API key"}}),
        json.dumps({"max_tokens": 100, "keyboard": "Asia/Seoul", "next": "vox"}),
        "<html><body>Not found</body></html>",
        "",
    ],
)
def test_a_clean_body_is_cleared_without_being_parsed(body: str) -> None:
    assert _secrets._quiet(body.encode(), body.encode().lower()) is True
    assert cassette_secrets(interaction(request_body=body, response_body=body)) == ()


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"token": OTHER}),
        json.dumps({"apiKey": OTHER}),
        json.dumps({"x_session_id": OTHER}),
        json.dumps({"note": f"Bearer {TOKEN}"}),
        json.dumps({"note": "\u212a"}),  # a Kelvin sign is a "k" to lower(): no proof
        '{"token" \n : 1}',
        f"password = {OTHER}",
        f"see {TOKEN}",
        "AKIAIOSFODNN7EXAMPLE",
        '["\\\\"]',  # still a backslash when written again
    ],
)
def test_a_body_that_may_hold_a_credential_is_read_the_long_way(body: str) -> None:
    assert _secrets._quiet(body.encode(), body.encode().lower()) is False


def test_a_header_found_clean_is_remembered_and_only_clean_ones() -> None:
    name = "X-Trace-Note"
    clean = interaction(request_headers={name: ["nothing here 42"]})
    assert cassette_secrets(clean) == ()
    assert (name, "nothing here 42") in _secrets._CLEAN_HEADERS
    leaky = interaction(request_headers={name: [f"Bearer {TOKEN}"]})
    assert paths(cassette_secrets(leaky), TOKEN) == [f"/request/headers/{name}/0"]
    assert paths(cassette_secrets(leaky), TOKEN) == [f"/request/headers/{name}/0"]
    assert (name, f"Bearer {TOKEN}") not in _secrets._CLEAN_HEADERS


def test_the_benchmark_of_the_scan_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        bench_secrets.main(["--runs", "1", "--interactions", "3", "--hostile-megabytes", "0.01"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "| cassette, one recorded Authorization header |" in printed
    assert "| HAR entry, one recorded Authorization |" in printed
    assert "| 'Bearer ' |" in printed
