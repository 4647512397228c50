"""``voxkit validate`` on recorded traffic: vcrpy cassettes and HAR files."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from vcr.serialize import deserialize  # type: ignore[import-untyped]
from vcr.serializers import yamlserializer  # type: ignore[import-untyped]

from tests.support.validate import EXAMPLES, FIXTURES, campaign, invoke, parse_jsonl, rules_of
from vox_validators._findings import Finding
from vox_validators.sources._traffic import operations, response_schema, url_path

CASSETTE = EXAMPLES / "traffic" / "campaigns-api.yaml"


def records_of(path: Path) -> list[dict[str, Any]]:
    result = invoke([str(path), "--format", "jsonl"])
    records, _ = parse_jsonl(result.stdout)
    return records


def test_the_example_cassette_is_what_vcrpy_reads() -> None:
    requests, responses = deserialize(CASSETTE.read_text("utf-8"), yamlserializer)[:2]
    assert len(requests) == len(responses) == 7


def test_cassette_responses_are_validated_against_their_documented_schema() -> None:
    records = records_of(CASSETTE)
    assert [(r["index"], r["valid"], rules_of(r)[:1]) for r in records] == [
        (0, True, []),  # GET 200: a Campaign
        (1, True, []),  # PATCH 200: a Campaign
        (2, True, []),  # POST 400: an ErrorEnvelope
        (3, True, []),  # GET 404: an ErrorEnvelope
        (4, False, ["schema/anyOf"]),  # GET 200 with a bad weekday
        (5, False, ["schema/required"]),  # 503 without the envelope (5XX)
        (6, True, ["undocumented"]),  # GET /v2/campaigns: not in the spec
    ]
    assert records[6]["findings"][0]["severity"] == "warning"


def test_cassette_lines_point_at_the_response_body() -> None:
    lines = CASSETTE.read_text("utf-8").splitlines()
    body_lines = [n for n, line in enumerate(lines, start=1) if line.strip().startswith("string:")]
    assert [r["line"] for r in records_of(CASSETTE)] == body_lines


def test_every_body_encoding_vcrpy_writes() -> None:
    records = records_of(FIXTURES / "cassette-encodings.yaml")
    assert [(r["index"], r["valid"], rules_of(r)) for r in records] == [
        (0, True, []),  # !!binary gzip with Content-Encoding: gzip
        (1, True, []),  # text
        (2, False, ["parse"]),  # !!binary that is not UTF-8 JSON
        (3, False, ["parse"]),  # an empty 404 body: the spec documents an ErrorEnvelope
        (4, True, ["undocumented"]),  # DELETE is not documented
        (5, False, ["parse"]),  # Content-Encoding gzip, but not gzip
    ]


def test_har_entries() -> None:
    records = records_of(FIXTURES / "session.har")
    assert [(r["line"], r["index"], r["valid"], rules_of(r)[:1]) for r in records] == [
        (None, 0, True, []),
        (None, 1, True, []),  # base64 content
        (None, 2, True, []),  # 422 ErrorEnvelope
        (None, 3, False, ["schema/required"]),  # an error without its code
        (None, 4, True, ["not-captured"]),  # no content.text
        (None, 5, True, ["undocumented"]),
    ]


def _write_cassette(path: Path, interactions: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}), "utf-8")
    return path


def test_older_httpx_cassette_layout(tmp_path: Path) -> None:
    path = _write_cassette(
        tmp_path / "old.yml",
        [
            {
                "request": {
                    "method": "GET",
                    "uri": "https://x/v3/campaigns/c1",
                    "body": None,
                    "headers": {},
                },
                "response": {
                    "status_code": 200,
                    "headers": {},
                    "content": json.dumps(campaign("draft")),
                },
            }
        ],
    )
    assert [r["valid"] for r in records_of(path)] == [True]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("interactions: [\n  - {request: \n", "not a readable YAML cassette"),
        ("just: a mapping\n", "not a vcrpy cassette: no 'interactions' list"),
        ("!!python/object/apply:os.system ['echo pwned']\n", "not a readable YAML cassette"),
        (
            "interactions:\n- {request: {}}\n",
            "interaction has no 'request' and 'response' mappings",
        ),
        ("interactions:\n- {request: {method: GET}, response: {}}\n", "lacks the request method"),
    ],
)
def test_unreadable_cassettes_are_parse_findings(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(content, "utf-8")
    records = records_of(path)
    assert len(records) == 1
    assert rules_of(records[0]) == ["parse"]
    assert message in records[0]["findings"][0]["message"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable HAR file"),
        ('{"log": {}}', "not a HAR file: no 'log.entries' list"),
        ('{"log": {"entries": [{"request": {}, "response": {}}]}}', "lacks the request method"),
    ],
)
def test_unreadable_har_files_are_parse_findings(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "s.har"
    path.write_text(content, "utf-8")
    records = records_of(path)
    assert rules_of(records[0]) == ["parse"]
    assert message in records[0]["findings"][0]["message"]


@pytest.mark.parametrize(
    ("method", "url", "status", "expected"),
    [
        ("GET", "https://client-api.tryvox.co/v3/campaigns/cmp_1", 200, "Campaign"),
        ("get", "https://client-api.tryvox.co/v3/campaigns/cmp_1/", 200, "Campaign"),
        ("PATCH", "https://client-api.tryvox.co/v3/campaigns/cmp_1?x=1", 200, "Campaign"),
        ("POST", "https://client-api.tryvox.co/v3/campaigns", 200, "Campaign"),
        ("POST", "https://client-api.tryvox.co/v3/campaigns", 409, "ErrorEnvelope"),
        ("GET", "https://client-api.tryvox.co/v3/campaigns/cmp_1", 502, "ErrorEnvelope"),
        ("GET", "https://client-api.tryvox.co/v3/campaigns/cmp_1", 418, "ErrorEnvelope"),
        ("GET", "https://client-api.tryvox.co/v3/campaigns/cmp_1/calls", 200, None),
        ("DELETE", "https://client-api.tryvox.co/v3/campaigns/cmp_1", 200, None),
    ],
)
def test_response_schema_mapping(method: str, url: str, status: int, expected: str | None) -> None:
    schema = response_schema(method, url, status)
    if expected is None:
        assert not isinstance(schema, str)
        assert schema.rule == "undocumented"
    else:
        assert schema == expected


def test_gzipped_cassettes_and_har_files(tmp_path: Path) -> None:
    for fixture in (CASSETTE, FIXTURES / "session.har"):
        packed = tmp_path / (fixture.name + ".gz")
        packed.write_bytes(gzip.compress(fixture.read_bytes()))
        plain = [{**r, "source": ""} for r in records_of(fixture)]
        assert [{**r, "source": ""} for r in records_of(packed)] == plain


# --------------------------------------------------------------------------- response_schema's
# path without urlsplit: the same as urlsplit's, or the same error, for any URL.

_URL_PIECES = st.sampled_from(
    [
        "http",
        "https",
        "HTTPS",
        "h2+x",
        "1http",
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
        "client-api.tryvox.co",
        "127.0.0.1:8765",
        "\t",
        "\n",
        "\r",
        " ",
        "\x00",
        "\u212a",
        "\uff0f",
        "\u2100",
        "%2F",
        "v3",
        "campaigns",
        "cmp_1",
        "a=b",
        "&",
        ";",
        "é",
        "\\",
    ]
)
_URLS = st.lists(_URL_PIECES, max_size=12).map("".join) | st.text(max_size=40)


def _old_response_schema(method: str, url: str, status: int) -> str | Finding:
    """response_schema as it was, urlsplit and every operation compared (the reference)."""
    path = urlsplit(url).path
    for operation in operations():
        if operation.method == method.upper() and operation.pattern.match(path):
            for key in (str(status), f"{status // 100}XX", "default"):
                if key in operation.responses:
                    return operation.responses[key]
            message = f"{method} {operation.path} documents no {status} response; not validated"
            return Finding("undocumented", "warning", "", message)
    message = (
        f"{method} {path} is not a documented operation; its {status} response was not validated"
    )
    return Finding("undocumented", "warning", "", message)


def _outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except ValueError as error:
        return ("raised", str(error))


@settings(max_examples=3000, deadline=None)
@given(url=_URLS)
def test_url_path_is_urlsplits(url: str) -> None:
    assert _outcome(lambda: url_path(url)) == _outcome(lambda: urlsplit(url).path)


@settings(max_examples=1500, deadline=None)
@given(
    method=st.sampled_from(["GET", "get", "PATCH", "Post", "DELETE", "g\u0130t", "\ufb00"]),
    url=_URLS
    | st.builds(
        "{}{}".format,
        st.sampled_from(["https://client-api.tryvox.co", "http://[::1", "http://h\u2100"]),
        st.sampled_from(["/v3/campaigns", "/v3/campaigns/", "/v3/campaigns/cmp_1", "/v3/x"]),
    )
    | st.builds("{}{}".format, _URLS, _URLS),
    status=st.sampled_from([200, 201, 404, 418, 503, 99, 0]),
)
def test_response_schema_is_what_it_was(method: str, url: str, status: int) -> None:
    assert _outcome(lambda: response_schema(method, url, status)) == _outcome(
        lambda: _old_response_schema(method, url, status)
    )


@pytest.mark.parametrize(
    ("method", "url", "status", "expected"),
    [
        ("GET", "https://client-api.tryvox.co/v3/campaigns/cmp_1", 200, "Campaign"),
        ("get", "https://client-api.tryvox.co/v3/campaigns/cmp_1?x=1#f", 503, "ErrorEnvelope"),
        ("POST", "https://user:pw@h:1/v3/campaigns/?a", 201, "ErrorEnvelope"),
    ],
)
def test_response_schema_of_plain_urls(method: str, url: str, status: int, expected: str) -> None:
    assert response_schema(method, url, status) == expected


def test_response_schema_messages_name_the_path() -> None:
    schema = response_schema("DELETE", "https://h/v3/campaigns/cmp_1?token=x", 200)
    assert isinstance(schema, Finding)
    assert schema.message == (
        "DELETE /v3/campaigns/cmp_1 is not a documented operation; its 200 response was not "
        "validated"
    )
    with pytest.raises(ValueError, match="IPv6"):
        response_schema("GET", "http://[::1/v3/campaigns", 200)
