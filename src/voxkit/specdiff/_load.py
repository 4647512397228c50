"""Reading an OpenAPI document from a file, a git revision, text or an already-parsed mapping.

Every failure (missing file, invalid YAML or JSON, a top level that is not a mapping, an
unresolvable local ``$ref`` or a loop of them, a document too big once its YAML aliases are
expanded, a bad git revision) becomes one ``SpecLoadError`` whose message is a single line
naming the source, so the command line never shows a traceback.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vox_validators.jsonpointer import check_size, iter_refs, lookup, ref_cycle
from voxkit.specdiff._errors import SpecLoadError

# The committed spec, relative to the repository root: what `--git REV` reads at REV.
SPEC_PATH_IN_REPO = "openapi/vox-campaigns-v3.yaml"

# A document is measured as if every YAML alias (or object a mapping shares) were copied where
# it is used: that is what each walk of the diff visits. The limits are far above a real API
# description (this project's has a few thousand nodes) and far below a "billion laughs"; text
# is counted the same way, so one long string aliased many times is refused too.
MAX_NODES = 1_000_000
MAX_CHARS = 100_000_000


@dataclass(frozen=True)
class Document:
    """A parsed OpenAPI document and a label for it (a path, or ``REV:path``)."""

    label: str
    content: dict[str, Any]


def load_file(path: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecLoadError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return parse(raw, str(path))


def load_git(rev: str, repo_dir: Path | None = None) -> Document:
    """The spec as committed at ``rev`` in the repository that contains ``repo_dir``."""
    if not rev or rev.startswith("-"):
        # A revision starting with "-" would be read by git as an option.
        raise SpecLoadError(f"{rev!r}: not a git revision")
    root = git_toplevel(repo_dir)
    label = f"{rev}:{SPEC_PATH_IN_REPO}"
    raw = _run_git(["show", label], root)
    return parse(raw, label)


def git_toplevel(repo_dir: Path | None = None) -> Path:
    where = repo_dir or Path.cwd()
    out = _run_git(["rev-parse", "--show-toplevel"], where)
    return Path(out.decode("utf-8", "replace").strip())


def _run_git(args: list[str], cwd: Path) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise SpecLoadError("git is not installed or not on PATH") from exc
    except OSError as exc:
        raise SpecLoadError(f"cannot run git in {cwd}: {exc.strerror or exc}") from exc
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[0] if lines else f"exit status {result.returncode}"
        raise SpecLoadError(f"git {' '.join(args)}: {reason}")
    return result.stdout


def parse(raw: bytes | str, label: str) -> Document:
    """Parse YAML (JSON is a subset) and check it is a self-contained OpenAPI document."""
    try:
        return _check(_parse(raw, label), label)
    except RecursionError as exc:
        raise SpecLoadError(f"{label}: nested too deeply to read") from exc


def from_mapping(content: Mapping[str, Any], label: str) -> Document:
    """An already-parsed document, checked as ``parse`` checks one."""
    try:
        plain = _plain(content, {})
        _check_size(plain, label)
        return _check(plain, label)
    except RecursionError as exc:
        raise SpecLoadError(f"{label}: nested too deeply to read") from exc


Source = Document | Mapping[str, Any] | bytes | str | os.PathLike[str]
"""A document as ``compare`` takes it (see ``load``)."""


def load(source: Source, label: str) -> Document:
    """``source`` as a checked ``Document``.

    A ``Document`` is used as it is, a mapping is an already-parsed document, ``bytes`` and
    ``str`` are the document's text (YAML or JSON), and an ``os.PathLike`` names a file.
    ``label`` names a text or a mapping in messages; a file is named by its path.
    """
    if isinstance(source, Document):
        return source
    if isinstance(source, os.PathLike):
        return load_file(Path(source))
    if isinstance(source, Mapping):
        return from_mapping(source, label)
    if isinstance(source, bytes):
        return parse(source, label)
    if isinstance(source, str):
        try:
            return parse(source, label)
        except SpecLoadError as exc:
            if "\n" in source or source.lstrip().startswith(("{", "[")):
                raise
            # One line of text that is no JSON and no document is most likely a file name.
            raise SpecLoadError(f"{exc} (a str is the text; give a file as a Path)") from None
    raise SpecLoadError(
        f"{label}: a {type(source).__name__} is not a document"
        " (give a path, the text as bytes or str, or a parsed mapping)"
    )


def _parse(raw: bytes | str, label: str) -> Any:
    try:
        content = yaml.safe_load(raw)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        raise SpecLoadError(f"{where}: invalid YAML/JSON: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SpecLoadError(f"{label}: invalid YAML/JSON: {first}") from exc
    # PyYAML builds an alias as one shared object, so loading is cheap; walking is what is not.
    _check_size(content, label)
    return content


def _check_size(content: Any, label: str) -> None:
    try:
        check_size(content, max_nodes=MAX_NODES, max_chars=MAX_CHARS)
    except ValueError as exc:
        raise SpecLoadError(f"{label}: {exc}") from None


def _plain(node: Any, copies: dict[int, Any]) -> Any:
    # Any Mapping becomes a dict and any tuple a list: the walk and the pointers test for those.
    # A part shared by several places is copied once and stays shared (``copies``), so a
    # mapping built like an alias bomb stays small here and is refused by its measure.
    if not isinstance(node, Mapping | list | tuple):
        return node
    if id(node) not in copies:
        if isinstance(node, Mapping):
            copies[id(node)] = {key: _plain(value, copies) for key, value in node.items()}
        else:
            copies[id(node)] = [_plain(value, copies) for value in node]
    return copies[id(node)]


def _check(content: Any, label: str) -> Document:
    if not isinstance(content, dict):
        kind = "empty" if content is None else f"a {type(content).__name__}"
        raise SpecLoadError(
            f"{label}: not an OpenAPI document (the top level is {kind}, not a mapping)"
        )
    version = content.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        raise SpecLoadError(f"{label}: not an OpenAPI 3.x document (no 'openapi: 3.x' field)")
    for name in ("paths", "components"):
        if name in content and not isinstance(content[name], dict | None):
            raise SpecLoadError(f"{label}: /{name} is not a mapping")
    for pointer, ref in iter_refs(content):
        if not lookup(content, ref)[0]:
            raise SpecLoadError(f"{label}: unresolvable $ref {ref!r} at {pointer}")
    # A reference that only names another reference, round to itself, stands for no schema.
    cycle = ref_cycle(content)
    if cycle is not None:
        shown = (
            [*cycle[:4], f"... ({len(cycle) - 6} more)", *cycle[-2:]] if len(cycle) > 8 else cycle
        )
        at = cycle[0][1:] + "/$ref"
        raise SpecLoadError(f"{label}: $ref cycle {' -> '.join(shown)} at {at}")
    return Document(label=label, content=content)
