"""What ``--vox-validate-cassettes`` finds in one vcrpy cassette: invalid documented responses,
and credentials left in it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from vox_validators import Finding, validate_record
from vox_validators.sources import iter_records


@dataclass(frozen=True, slots=True)
class CassetteFinding:
    """One finding of a cassette, with where it is (the 0-based interaction, or None)."""

    source: str
    interaction: int | None
    finding: Finding

    def __str__(self) -> str:
        where = f"interaction {self.interaction}" if self.interaction is not None else "cassette"
        f = self.finding
        return f"{self.source}: {where}: {f.rule} {f.severity} at {f.path or '/'}: {f.message}"


# A value made only of capitals, underscores, dashes, asterisks and angle brackets is a mask
# ("<REDACTED>", "FILTERED", "**********"), not a credential.
_MASK = r"<?[A-Z_*\-\[\]]*>?"
_MASK_RE = re.compile(rf"^{_MASK}$")
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}
)
_BEARER = re.compile(
    rf"\bBearer\s+(?!{_MASK}(?:[\s\"',]|$))[A-Za-z0-9._~+/=\-]{{6,}}", re.IGNORECASE
)
_KEY_NAMES = r"api[_-]?key|apikey|access[_-]?token|token|secret|password|client[_-]?secret|key"
_IN_URL = re.compile(rf"[?&]({_KEY_NAMES})=([^&#\s]+)", re.IGNORECASE)
_IN_BODY = re.compile(
    rf"[\"']?({_KEY_NAMES}|authorization)[\"']?\s*[:=]\s*[\"']([^\"']+)[\"']", re.IGNORECASE
)


class _Loader(yaml.SafeLoader):
    """Safe YAML, where the python tags an old vcrpy may write (tuples, ...) are plain values."""


def _plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _plain)


def _secret(path: str, message: str) -> Finding:
    return Finding("credential", "error", path, message)


def _shown(value: str) -> str:
    # A finding must not copy the credential it reports: a few characters are enough.
    return repr(value[:4] + "...") if len(value) > 4 else "'...'"


def scan_secrets(document: Any) -> Iterator[tuple[int | None, Finding]]:
    """Credentials in a decoded cassette: a secret header with a value, a bearer token, or a key
    in a URL or a body."""
    interactions = document.get("interactions") if isinstance(document, dict) else None
    for index, interaction in enumerate(interactions if isinstance(interactions, list) else []):
        if not isinstance(interaction, dict):
            continue
        for side in ("request", "response"):
            part = interaction.get(side)
            if not isinstance(part, dict):
                continue
            headers = part.get("headers")
            for name, values in headers.items() if isinstance(headers, dict) else ():
                for value in values if isinstance(values, list) else [values]:
                    text = str(value)
                    token = text.split(None, 1)[-1] if " " in text else text
                    if str(name).lower() in _SECRET_HEADERS and not _MASK_RE.match(token.strip()):
                        yield (
                            index,
                            _secret(
                                f"/interactions/{index}/{side}/headers/{name}",
                                f"{_shown(token)} is the {name} header's value: filter it "
                                "(vcrpy filter_headers) before the cassette is committed",
                            ),
                        )
            uri = part.get("uri")
            if isinstance(uri, str):
                for match in _IN_URL.finditer("?" + urlsplit(uri).query):
                    if not _MASK_RE.match(match.group(2)):
                        yield (
                            index,
                            _secret(
                                f"/interactions/{index}/{side}/uri",
                                f"{_shown(match.group(2))} is the {match.group(1)!r} query parameter "
                                "of the URL: a key in a URL (vcrpy filter_query_parameters)",
                            ),
                        )
            body = part.get("body")
            raw: Any = body.get("string") if isinstance(body, dict) else body
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            if isinstance(text, str):
                for match in _BEARER.finditer(text):
                    yield (
                        index,
                        _secret(
                            f"/interactions/{index}/{side}/body",
                            f"{_shown(match.group(0))} is a bearer token in the body",
                        ),
                    )
                for match in _IN_BODY.finditer(text):
                    if not _MASK_RE.match(match.group(2)):
                        yield (
                            index,
                            _secret(
                                f"/interactions/{index}/{side}/body",
                                f"{_shown(match.group(2))} is the {match.group(1)!r} of the body: "
                                "a key in a body (vcrpy before_record_request)",
                            ),
                        )


def _body_text(response: dict[str, Any]) -> bytes | None:
    body = response.get("body")
    text = body.get("string") if isinstance(body, dict) else body
    if isinstance(text, str):
        return text.encode("utf-8")
    if isinstance(text, bytes):
        return text
    return None


def _record_findings(data: bytes, name: str) -> Iterator[tuple[int | None, Finding]]:
    """The findings of the cassette's records, as ``voxkit validate`` reads them."""
    for record in iter_records(data, format="cassette", name=name):
        for finding in validate_record(record):
            yield record.index, finding


def check_cassette(data: bytes, name: str) -> list[CassetteFinding]:
    """Every error-severity finding of one cassette (its YAML text): responses, then secrets."""
    out: list[CassetteFinding] = []
    try:
        document = yaml.load(data, Loader=_Loader)
    except yaml.YAMLError as exc:
        return [CassetteFinding(name, None, Finding("parse", "error", "", f"not YAML: {exc}"))]
    for index, finding in _record_findings(data, name):
        if finding.severity == "error":
            out.append(CassetteFinding(name, index, finding))
    out.extend(CassetteFinding(name, index, f) for index, f in scan_secrets(document))
    return out
