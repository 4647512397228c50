"""``voxkit spec diff``: what a change of the OpenAPI document means for strict-client users.

- ``load_file`` / ``load_git`` read a document (``SpecLoadError`` with a one-line message
  when they cannot);
- ``diff_documents`` compares two documents into a ``DiffReport`` of ``Change``s, each with
  a check id from ``CHECKS`` and its ``Classification``;
- ``render`` prints a report as text, Markdown or JSON.
"""

from voxkit.specdiff._checks import CHECKS, OASDIFF_CHECK_IDS, Check, Classification
from voxkit.specdiff._compare import diff_documents
from voxkit.specdiff._errors import SpecLoadError
from voxkit.specdiff._load import (
    SPEC_PATH_IN_REPO,
    Document,
    git_toplevel,
    load_file,
    load_git,
    parse,
)
from voxkit.specdiff._record import Change, DiffReport
from voxkit.specdiff._render import FORMATS, render

__all__ = [
    "CHECKS",
    "FORMATS",
    "OASDIFF_CHECK_IDS",
    "SPEC_PATH_IN_REPO",
    "Change",
    "Check",
    "Classification",
    "DiffReport",
    "Document",
    "SpecLoadError",
    "diff_documents",
    "git_toplevel",
    "load_file",
    "load_git",
    "parse",
    "render",
]
