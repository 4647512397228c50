"""The report as text (terminals), Markdown (pull-request comments, job summaries) or JSON."""

from __future__ import annotations

import json
from typing import Any

from voxkit.report import printable
from voxkit.specdiff._record import Change, DiffReport

FORMATS = ("text", "markdown", "json")


def render(report: DiffReport, output_format: str) -> str:
    if output_format == "json":
        return _json(report)
    if output_format == "markdown":
        return _markdown(report)
    return _text(report)


def _counts(report: DiffReport) -> str:
    total = len(report.changes)
    noun = "change" if total == 1 else "changes"
    return (
        f"{total} {noun}: {len(report.breaking)} breaking, {len(report.non_breaking)} not breaking"
    )


def _where(change: Change) -> str:
    return ", ".join(change.operations)


def _text(report: DiffReport) -> str:
    if not report.changes:
        return f"No changes between {printable(report.old)} and {printable(report.new)}.\n"
    lines: list[str] = []
    for change in report.changes:
        label = "BREAKING" if change.breaking else "ok"
        lines.append(f"{label:<8} {change.id}: {printable(change.message)}")
        lines.append(f"         old: {printable(change.old_pointer)}")
        lines.append(f"         new: {printable(change.new_pointer)}")
        if change.operations:
            lines.append(f"         in:  {printable(_where(change))}")
    lines.append(_counts(report))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    # A pipe ends a table cell and a newline ends the row; a backslash would escape what follows.
    text = text.replace("\n", " ").replace("\\", "\\\\")
    return printable(text).replace("|", "\\|")


def _code(text: str) -> str:
    # Inside a code span a backslash is literal; only the cell's pipe needs escaping (GFM).
    if "`" in text:
        return _cell(text)
    return "`" + printable(text.replace("\n", " ")).replace("|", "\\|") + "`"


def _markdown(report: DiffReport) -> str:
    lines = [f"### API spec changes: {_code(report.old)} → {_code(report.new)}", ""]
    if not report.changes:
        lines.append("No changes.")
        return "\n".join(lines) + "\n"
    lines.append(f"**{_counts(report)}**")
    for title, changes in (
        ("❌ Breaking for users of the strict client", report.breaking),
        ("✅ Not breaking", report.non_breaking),
    ):
        if not changes:
            continue
        lines += ["", f"#### {title} ({len(changes)})", ""]
        lines += ["| Change | Check | Operations | Old | New |", "|---|---|---|---|---|"]
        for change in changes:
            lines.append(
                f"| {_cell(change.message)} | {_code(change.id)} | {_cell(_where(change)) or '—'}"
                f" | {_code(change.old_pointer)} | {_code(change.new_pointer)} |"
            )
    return "\n".join(lines) + "\n"


def _json(report: DiffReport) -> str:
    document: dict[str, Any] = {
        "old": report.old,
        "new": report.new,
        "summary": {
            "changes": len(report.changes),
            "breaking": len(report.breaking),
            "non_breaking": len(report.non_breaking),
        },
        "changes": [
            {
                "id": change.id,
                "classification": change.classification.value,
                "message": change.message,
                "role": change.role,
                "operations": list(change.operations),
                "old_pointer": change.old_pointer,
                "new_pointer": change.new_pointer,
                "oasdiff": change.oasdiff,
            }
            for change in report.changes
        ],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if text.replace("\n", "").isprintable():
        return text + "\n"
    # Outside strings there are only printable characters and newlines, so each other character
    # is in a string, where its \\uXXXX escape means the same: C1 controls (U+009B is a
    # terminal's CSI), bidirectional overrides, and lone surrogates, which UTF-8 cannot encode.
    return (
        "".join(char if char == "\n" or char.isprintable() else _json_escape(char) for char in text)
        + "\n"
    )


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # written as its UTF-16 surrogate pair, as JSON does
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
