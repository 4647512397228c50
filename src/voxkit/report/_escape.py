"""Making any text (lone surrogates, control characters) safe for each output format."""

from __future__ import annotations

import json
import re

# What XML 1.0 cannot carry (C0 controls but whitespace, lone surrogates, U+FFFE/U+FFFF), plus
# C1 controls, DEL, the line and paragraph separators and the bidi controls.
_UNSEEN = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
_XML_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_UNSEEN}\ud800-\udfff\ufffe\uffff]")


def json_text(value: object) -> str:
    # ensure_ascii keeps lone surrogates (from "\ud800" escapes, or undecodable file names)
    # representable; the output stays pure ASCII.
    return json.dumps(value)


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as its escape (UTF-8 cannot encode it)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _escaped(match: re.Match[str]) -> str:
    return _escape(match.group())


def _escape(char: str) -> str:
    return repr(char)[1:-1]  # \x1b, \n, \u202e, \ud800: what Python writes


def printable(text: str) -> str:
    """One line, with every character a terminal would act on or cannot show escaped.

    What Python does not call printable (controls, ESC above all, which starts a terminal escape
    sequence; CR and LF, which would forge lines; bidi overrides, which reorder what is shown;
    lone surrogates, which UTF-8 cannot encode) is written as its escape, ``\\x1b``.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def printable_lines(text: str) -> str:
    """``text`` escaped as :func:`printable` does, but CR and LF kept (the github format
    percent-encodes those, as GitHub documents)."""
    if text.isprintable():
        return text
    return "".join(char if char in "\r\n" or char.isprintable() else _escape(char) for char in text)


def xml_text(text: str) -> str:
    """``text`` made safe for XML 1.0: no lone surrogates, no control characters but whitespace."""
    return _XML_UNSAFE.sub(_escaped, without_surrogates(text))
