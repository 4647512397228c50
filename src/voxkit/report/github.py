"""``--format github``: one GitHub Actions workflow command (annotation) per finding.

Escaping as the runner reads workflow commands: https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
(data: ``%``, CR and LF percent-encoded; properties: also ``:`` and ``,``). Other control
characters, which the runner would pass on to the log viewer as they are (ESC sequences), are
written as their escapes (``\x1b``) first.
"""

from __future__ import annotations

from collections.abc import Sequence

from vox_validators import Finding
from voxkit.report._escape import printable_lines

__all__ = ["render"]


def _escape_data(text: str) -> str:
    return printable_lines(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(
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
