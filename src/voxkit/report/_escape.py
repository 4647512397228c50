"""Making any text (lone surrogates, control characters) safe for each output format."""

from __future__ import annotations

import json
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def json_text(value: object) -> str:
    # ensure_ascii keeps lone surrogates (from "\ud800" escapes, or undecodable file names)
    # representable; the output stays pure ASCII.
    return json.dumps(value)


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as its escape (UTF-8 cannot encode it)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def printable(text: str) -> str:
    """One line, without control characters or lone surrogates."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], without_surrogates(text))


def xml_text(text: str) -> str:
    """``text`` made safe for XML 1.0: no lone surrogates, no control characters but whitespace."""
    return _XML_UNSAFE.sub(lambda match: repr(match.group())[1:-1], without_surrogates(text))
