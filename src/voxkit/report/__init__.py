"""The output formats of ``voxkit validate``: text, jsonl, junit and github.

Each record is rendered where it is validated (possibly in a worker process), as text; the main
process only writes the rendered text in input order, then the summary. ``junit`` needs the
counts of a test suite before its test cases, so its cases are spooled (to a temporary file once
large) and each suite is written when its source is complete.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Literal
from xml.sax.saxutils import escape, quoteattr

import click

from vox_validators import Finding

Format = Literal["text", "jsonl", "junit", "github"]
FORMATS: tuple[Format, ...] = ("text", "jsonl", "junit", "github")


@dataclass(frozen=True, slots=True)
class Settings:
    """What a worker needs to validate and render records (picklable)."""

    format: Format
    color: bool
    strict: bool
    fail_on: Literal["error", "warning"]


@dataclass(slots=True)
class Tally:
    records: int = 0
    valid: int = 0
    invalid: int = 0
    errors: int = 0
    warnings: int = 0
    failing: int = 0  # records that fail the run under --fail-on

    def add(self, other: Tally) -> None:
        self.records += other.records
        self.valid += other.valid
        self.invalid += other.invalid
        self.errors += other.errors
        self.warnings += other.warnings
        self.failing += other.failing

    def summary(self) -> dict[str, int]:
        return {
            "records": self.records,
            "valid": self.valid,
            "invalid": self.invalid,
            "errors": self.errors,
            "warnings": self.warnings,
        }


RenderRecord = Callable[[str, int | None, int | None, Sequence[Finding], bool], str]
RenderClean = Callable[[int | None, int | None], str]


def renderer(settings: Settings) -> RenderRecord:
    """The function that renders one record: (source, line, index, findings, failing)."""
    if settings.format == "jsonl":
        return _render_jsonl
    if settings.format == "github":
        return _render_github
    if settings.format == "junit":
        return _render_junit_case
    return _render_text_coloured if settings.color else _render_text


# --------------------------------------------------------------------------- jsonl


def _json(value: object) -> str:
    # ensure_ascii keeps lone surrogates (from "\ud800" escapes, or undecodable file names)
    # representable; the output stays pure ASCII.
    return json.dumps(value)


def clean_renderer(settings: Settings, source: str) -> RenderClean | None:
    """The renderer of a record of ``source`` without findings: (line, index); None: print nothing."""
    if settings.format == "jsonl":
        return clean_jsonl(source)
    if settings.format == "junit":
        return lambda line, index: _render_junit_case(source, line, index, (), False)
    return None


@lru_cache(maxsize=64)
def clean_jsonl(source: str) -> RenderClean:
    """The common case, formatted directly (the same text as ``json.dumps``)."""
    prefix = f'{{"source": {_json(source)}, "line": '

    def render(line: int | None, index: int | None) -> str:
        return (
            f"{prefix}{'null' if line is None else line}, "
            f'"index": {"null" if index is None else index}, "valid": true, "findings": []}}\n'
        )

    return render


def _render_jsonl(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    del failing
    if not findings:
        return clean_jsonl(source)(line, index)
    valid = not any(finding.severity == "error" for finding in findings)
    return (
        _json(
            {
                "source": source,
                "line": line,
                "index": index,
                "valid": valid,
                "findings": [finding.as_dict() for finding in findings],
            }
        )
        + "\n"
    )


def jsonl_summary(tally: Tally) -> str:
    return _json({"summary": tally.summary()}) + "\n"


# --------------------------------------------------------------------------- text


def location(source: str, line: int | None, index: int | None) -> str:
    where = source if line is None else f"{source}:{line}"
    return where if index is None else f"{where} [{index}]"


def _printable(text: str) -> str:
    """One line, without control characters or lone surrogates."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _render_text(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    if not findings:
        return ""
    where = _printable(location(source, line, index))
    lines = []
    for finding in findings:
        at = f" at {_printable(finding.path)}" if finding.path else ""
        lines.append(
            f"{where}: {finding.severity} [{finding.rule}]{at}: {_printable(finding.message)}\n"
        )
    return "".join(lines)


def _render_text_coloured(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    if not findings:
        return ""
    where = click.style(_printable(location(source, line, index)), bold=True)
    lines = []
    for finding in findings:
        colour = "red" if finding.severity == "error" else "yellow"
        severity = click.style(finding.severity, fg=colour, bold=True)
        rule = click.style(f"[{finding.rule}]", fg="cyan")
        at = f" at {_printable(finding.path)}" if finding.path else ""
        lines.append(f"{where}: {severity} {rule}{at}: {_printable(finding.message)}\n")
    return "".join(lines)


def text_summary(tally: Tally, color: bool) -> str:
    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    text = (
        f"{plural(tally.records, 'record')}: {tally.valid} valid, {tally.invalid} invalid "
        f"({plural(tally.errors, 'error')}, {plural(tally.warnings, 'warning')})"
    )
    if color:
        text = click.style(text, fg="red" if tally.failing else "green", bold=True)
    return text + "\n"


# --------------------------------------------------------------------------- github


def _escape_data(text: str) -> str:
    return (
        _printable_keep_newlines(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    )


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _printable_keep_newlines(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _render_github(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    if not findings:
        return ""
    properties = [] if source.startswith("<") else [f"file={_escape_property(source)}"]
    if line is not None:
        properties.append(f"line={line}")
    prefix = "" if index is None else f"element {index}: "
    commands = []
    for finding in findings:
        title = f"title={_escape_property(finding.rule)}"
        at = f"{finding.path}: " if finding.path else ""
        message = _escape_data(f"{prefix}{at}{finding.message}")
        commands.append(f"::{finding.severity} {','.join([*properties, title])}::{message}\n")
    return "".join(commands)


# --------------------------------------------------------------------------- junit


def _xml_text(text: str) -> str:
    """``text`` made safe for XML 1.0: no lone surrogates, no control characters but whitespace."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _XML_UNSAFE.sub(lambda match: repr(match.group())[1:-1], text)


_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def case_name(line: int | None, index: int | None) -> str:
    parts = []
    if line is not None:
        parts.append(f"line {line}")
    if index is not None:
        parts.append(f"index {index}")
    return ", ".join(parts) or "record"


def _render_junit_case(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    name = quoteattr(_xml_text(case_name(line, index)))
    attributes = f"classname={quoteattr(_xml_text(source))} name={name}"
    if line is not None:
        attributes += f' line="{line}"'
    if not findings:
        return f"    <testcase {attributes}/>\n"
    listing = escape(
        "".join(
            f"{finding.severity} [{finding.rule}]"
            f"{' at ' + finding.path if finding.path else ''}: {finding.message}\n"
            for finding in findings
        )
    )
    listing = _xml_text(listing)
    if failing:
        first = findings[0]
        message = quoteattr(_xml_text(f"[{first.rule}] {first.message}"))
        body = f'<failure type="{escape(first.rule)}" message={message}>{listing}</failure>'
    else:
        body = f"<system-out>{listing}</system-out>"
    return f"    <testcase {attributes}>{body}</testcase>\n"


def _spool() -> IO[str]:
    return tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")


@dataclass
class JUnitWriter:
    """Writes one ``<testsuite>`` per source, once that source's cases are all known."""

    out: Callable[[str], None]
    body: IO[str] = field(default_factory=_spool)
    cases: IO[str] = field(default_factory=_spool)
    source: str | None = None
    suite: Tally = field(default_factory=Tally)

    def add(self, source: str, rendered: str, tally: Tally) -> None:
        if source != self.source:
            self._close_suite()
            self.source = source
        self.cases.write(rendered)
        self.suite.add(tally)

    def _close_suite(self) -> None:
        if self.source is None:
            return
        name = quoteattr(_xml_text(self.source))
        self.body.write(
            f'  <testsuite name={name} tests="{self.suite.records}" '
            f'failures="{self.suite.failing}" errors="0" skipped="0">\n'
        )
        self.cases.seek(0)
        _copy(self.cases, self.body)
        self.body.write("  </testsuite>\n")
        self.cases.close()
        self.cases = _spool()
        self.suite = Tally()
        self.source = None

    def finish(self, tally: Tally) -> None:
        self._close_suite()
        self.out('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out(
            f'<testsuites name="voxkit validate" tests="{tally.records}" '
            f'failures="{tally.failing}" errors="0">\n'
        )
        self.body.seek(0)
        while chunk := self.body.read(1 << 20):
            self.out(chunk)
        self.out("</testsuites>\n")
        self.body.close()
        self.cases.close()


def _copy(source: IO[str], target: IO[str]) -> None:
    while chunk := source.read(1 << 20):
        target.write(chunk)
