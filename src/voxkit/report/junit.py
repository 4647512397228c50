"""``--format junit``: JUnit XML, one ``<testsuite>`` per source and one ``<testcase>`` per record.

A suite's counts come before its cases, so each case is rendered where it is validated (possibly in
a worker process), spooled (to a temporary file once large), and each suite is written when its
source is complete.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from vox_validators import Finding
from voxkit.report._escape import printable, xml_text
from voxkit.report._tally import Tally

__all__ = ["JUnitWriter", "case_name", "render_case"]


def case_name(line: int | None, index: int | None) -> str:
    parts = []
    if line is not None:
        parts.append(f"line {line}")
    if index is not None:
        parts.append(f"index {index}")
    return ", ".join(parts) or "record"


def _line(text: str) -> str:
    """``text`` as one line of XML 1.0 text (control characters as their escapes)."""
    return xml_text(printable(text))


def render_case(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    name = quoteattr(_line(case_name(line, index)))
    attributes = f"classname={quoteattr(_line(source))} name={name}"
    if line is not None:
        attributes += f' line="{line}"'
    if not findings:
        return f"    <testcase {attributes}/>\n"
    # One line per finding: a message's own newlines are written as \n, as in the text format.
    listing = escape(
        "".join(
            f"{finding.severity} [{_line(finding.rule)}]"
            f"{' at ' + _line(finding.path) if finding.path else ''}: "
            f"{_line(finding.message)}\n"
            for finding in findings
        )
    )
    if failing:
        first = findings[0]
        message = quoteattr(_line(f"[{first.rule}] {first.message}"))
        kind = quoteattr(_line(first.rule))
        body = f"<failure type={kind} message={message}>{listing}</failure>"
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
        name = quoteattr(_line(self.source))
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
