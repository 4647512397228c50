"""The committed cassettes: standard vcrpy files, free of credentials, each one exercised."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.record_cassettes import AUTH_PLACEHOLDER, CASSETTES, KEY_PREFIX, SCENARIOS
from vox_validators import validate_json

CASSETTE_FILES = sorted(CASSETTES.glob("*.yaml"))
# The scan also covers anything below (for example cassettes/live/ from a real-API recording).
SCANNED_FILES = sorted({*CASSETTES.rglob("*.yaml"), *CASSETTES.rglob("*.yml")})
# Anything that looks like a credential: a bearer token other than the placeholder, a key-ish
# header or field with a value, or a recording key (they all start with KEY_PREFIX).
SUSPICIOUS = [
    re.compile(r"Bearer\s+(?!<REDACTED>)\S+", re.IGNORECASE),
    re.compile(re.escape(KEY_PREFIX)),
    re.compile(
        r"(api[_-]?key|x-api-key|token|secret|password)['\"]?\s*[:=]\s*['\"]?(?!<REDACTED>)\w",
        re.IGNORECASE,
    ),
    re.compile(r"\bsk-[A-Za-z0-9]{8,}"),
]
SECRET_HEADERS = {
    "authorization",
    "x-api-key",
    "api-key",
    "cookie",
    "set-cookie",
    "proxy-authorization",
}


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def test_every_scenario_has_a_committed_cassette() -> None:
    assert {p.stem for p in CASSETTE_FILES} == set(SCENARIOS)


@pytest.mark.parametrize("path", SCANNED_FILES, ids=lambda p: str(p.relative_to(CASSETTES)))
def test_no_credential_in_any_cassette(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    decoded = json.dumps(load(path), ensure_ascii=False)  # YAML escapes undone
    for pattern in SUSPICIOUS:
        for haystack in (text, decoded):
            match = pattern.search(haystack)
            assert match is None, f"{path.name}: credential-like text {match.group(0)!r}"
    for interaction in load(path)["interactions"]:
        for side in ("request", "response"):
            for name, values in interaction[side]["headers"].items():
                if name.lower() in SECRET_HEADERS:
                    assert values in ([AUTH_PLACEHOLDER], ["<REDACTED>"]), (
                        path.name,
                        name,
                    )
        assert "authorization" in {n.lower() for n in interaction["request"]["headers"]}, (
            "auth was sent, and filtered"
        )


def test_the_scan_catches_a_key() -> None:
    leaked = f"authorization:\n      - Bearer {KEY_PREFIX}abc123\n"
    assert any(p.search(leaked) for p in SUSPICIOUS)
    assert any(p.search('{"api_key": "live_123"}') for p in SUSPICIOUS)


@pytest.mark.parametrize("path", CASSETTE_FILES, ids=lambda p: p.stem)
def test_cassettes_are_standard_vcrpy_with_text_bodies(path: Path) -> None:
    document = load(path)
    assert document["version"] == 1
    for interaction in document["interactions"]:
        request, response = interaction["request"], interaction["response"]
        assert request["method"] in {"GET", "PATCH", "POST"}
        assert request["uri"].startswith("http://127.0.0.1:8765/v3/campaigns")
        assert isinstance(response["status"]["code"], int)
        assert isinstance(response["body"]["string"], str)


def _verdicts() -> dict[str, list[tuple[int, bool]]]:
    """Per cassette: each response's status and whether its body is valid for that status."""
    verdicts: dict[str, list[tuple[int, bool]]] = {}
    for path in CASSETTE_FILES:
        rows = []
        for interaction in load(path)["interactions"]:
            status = interaction["response"]["status"]["code"]
            schema = "Campaign" if 200 <= status < 300 else "ErrorEnvelope"
            findings = validate_json(interaction["response"]["body"]["string"], schema)
            rows.append((status, not [f for f in findings if f.severity == "error"]))
        verdicts[path.stem] = rows
    return verdicts


def test_every_body_is_valid_except_the_deliberately_broken_ones() -> None:
    broken = {name for name, rows in _verdicts().items() if not all(ok for _, ok in rows)}
    assert broken == {"get_200_not_json", "get_200_breaks_business_rule"}
