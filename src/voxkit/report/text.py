"""``--format text``: one line per finding (coloured on request), then a one-line summary."""

from __future__ import annotations

from collections.abc import Sequence

import click

from vox_validators import Finding
from voxkit.report._escape import printable
from voxkit.report._tally import Tally

__all__ = ["location", "render", "render_coloured", "summary"]


def location(source: str, line: int | None, index: int | None) -> str:
    where = source if line is None else f"{source}:{line}"
    return where if index is None else f"{where} [{index}]"


def render(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    if not findings:
        return ""
    where = printable(location(source, line, index))
    lines = []
    for finding in findings:
        at = f" at {printable(finding.path)}" if finding.path else ""
        lines.append(
            f"{where}: {finding.severity} [{printable(finding.rule)}]{at}: "
            f"{printable(finding.message)}\n"
        )
    return "".join(lines)


def render_coloured(
    source: str, line: int | None, index: int | None, findings: Sequence[Finding], failing: bool
) -> str:
    if not findings:
        return ""
    where = click.style(printable(location(source, line, index)), bold=True)
    lines = []
    for finding in findings:
        colour = "red" if finding.severity == "error" else "yellow"
        severity = click.style(finding.severity, fg=colour, bold=True)
        rule = click.style(f"[{printable(finding.rule)}]", fg="cyan")
        at = f" at {printable(finding.path)}" if finding.path else ""
        lines.append(f"{where}: {severity} {rule}{at}: {printable(finding.message)}\n")
    return "".join(lines)


def summary(tally: Tally, color: bool) -> str:
    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    text = (
        f"{plural(tally.records, 'record')}: {tally.valid} valid, {tally.invalid} invalid "
        f"({plural(tally.errors, 'error')}, {plural(tally.warnings, 'warning')})"
    )
    if color:
        text = click.style(text, fg="red" if tally.failing else "green", bold=True)
    return text + "\n"
