"""``voxkit spec diff`` as a library: what a change of the OpenAPI document means for
strict-client users.

::

    from pathlib import Path
    from voxkit.specdiff import compare

    report = compare(Path("old.yaml"), Path("new.yaml"))   # or bytes, str text, parsed mappings
    for change in report.changes:
        print(change.classification, change.id, change.message)

- ``compare(old, new)`` gives a ``DiffReport`` of ``Change``s, each with a check id from
  ``CHECKS`` and its ``Classification``; ``SpecLoadError`` (one-line message) when a document
  cannot be used;
- ``load_file`` / ``load_git`` / ``parse`` read a ``Document`` (``load_git`` reads
  ``SPEC_PATH_IN_REPO`` at a revision); ``diff_documents`` compares two of them;
- ``render`` prints a report as text, Markdown or JSON (``FORMATS``).
"""

from voxkit.specdiff._checks import CHECKS, OASDIFF_CHECK_IDS, Check, Classification
from voxkit.specdiff._compare import compare, diff_documents
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
    "compare",
    "diff_documents",
    "git_toplevel",
    "load_file",
    "load_git",
    "parse",
    "render",
]
