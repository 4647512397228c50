"""The output formats of ``voxkit validate``: one module each (text, jsonl, junit, github).

Each record is rendered where it is validated (possibly in a worker process), as text; the main
process only writes the rendered text in input order, then the summary (``junit`` spools its cases
until a source is complete: see :mod:`voxkit.report.junit`). This module is the face the command
and the engine use: the settings, the counts, and the renderers of a format.

A format's module is imported when a run asks for that format (junit's XML escaping alone
imports urllib.request), which keeps ``voxkit validate`` quick to start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from vox_validators import Finding
from voxkit.report._escape import printable
from voxkit.report._settings import FORMATS, Format, Settings
from voxkit.report._tally import Tally

if TYPE_CHECKING:
    from voxkit.report.junit import JUnitWriter

__all__ = [
    "FORMATS",
    "Format",
    "JUnitWriter",
    "RenderClean",
    "RenderRecord",
    "Settings",
    "Tally",
    "clean_renderer",
    "printable",
    "renderer",
    "summary",
]

#: Renders one record: (source, line, index, findings, failing) -> text.
RenderRecord = Callable[[str, int | None, int | None, Sequence[Finding], bool], str]
#: Renders one record without findings: (line, index) -> text.
RenderClean = Callable[[int | None, int | None], str]


def renderer(settings: Settings) -> RenderRecord:
    """The function that renders one record: (source, line, index, findings, failing)."""
    # Each format's module imported here, not at the top: see the module docstring.
    if settings.format == "jsonl":
        from voxkit.report import jsonl  # noqa: PLC0415

        return jsonl.render
    if settings.format == "github":
        from voxkit.report import github  # noqa: PLC0415

        return github.render
    if settings.format == "junit":
        from voxkit.report import junit  # noqa: PLC0415

        return junit.render_case
    from voxkit.report import text  # noqa: PLC0415

    return text.render_coloured if settings.color else text.render


def clean_renderer(settings: Settings, source: str) -> RenderClean | None:
    """The renderer of a record of ``source`` without findings: (line, index); None: print nothing."""
    if settings.format == "jsonl":
        from voxkit.report import jsonl  # noqa: PLC0415 - see the module docstring

        return jsonl.render_clean(source)
    if settings.format == "junit":
        from voxkit.report import junit  # noqa: PLC0415 - see the module docstring

        return lambda line, index: junit.render_case(source, line, index, (), False)
    return None


def summary(settings: Settings, tally: Tally) -> str:
    """The summary line of the text, jsonl and github formats (junit writes its own totals)."""
    if settings.format == "jsonl":
        from voxkit.report import jsonl  # noqa: PLC0415 - see the module docstring

        return jsonl.summary(tally)
    from voxkit.report import text  # noqa: PLC0415 - see the module docstring

    return text.summary(tally, settings.color)


def __getattr__(name: str) -> object:
    if name == "JUnitWriter":
        from voxkit.report.junit import JUnitWriter  # noqa: PLC0415 - see the module docstring

        globals()["JUnitWriter"] = JUnitWriter
        return JUnitWriter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
