"""Which files the command line names: paths, stdin, and directories walked in a stable order."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vox_validators.sources._record import STDIN_NAME

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
CASSETTE_SUFFIXES = (".yaml", ".yml")
HAR_SUFFIXES = (".har",)
JSON_SUFFIXES = (".json",)
RECOGNISED_SUFFIXES = JSON_SUFFIXES + JSON_LINES_SUFFIXES + CASSETTE_SUFFIXES + HAR_SUFFIXES


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input: ``name`` as shown in reports, ``path`` on disk (None for stdin)."""

    name: str
    path: str | None
    size: int | None


@dataclass(slots=True)
class Discovery:
    files: list[InputFile]
    errors: list[str]
    notes: list[str]


def discover(arguments: Iterable[str]) -> Discovery:
    """The input files named by the command line, in a deterministic order.

    Directories are walked recursively in sorted order; only files with a recognised extension
    (optionally ``.gz``) are read from them, and the others are counted in a note, as are hidden
    entries (``.name``) and symbolic links to directories (not followed: no loops). A missing path,
    an unreadable directory, or a directory without any input file is an error.
    """
    found = Discovery(files=[], errors=[], notes=[])
    for argument in arguments:
        if argument == "-":
            found.files.append(InputFile(name=STDIN_NAME, path=None, size=None))
        elif Path(argument).is_dir():
            _walk(argument, found)
        elif Path(argument).exists():
            found.files.append(InputFile(name=argument, path=argument, size=_size(argument)))
        else:
            found.errors.append(f"{argument}: no such file or directory")
    return found


def _walk(directory: str, found: Discovery) -> None:
    ignored: list[str] = []
    count_before = len(found.files)

    def on_error(error: OSError) -> None:
        found.errors.append(f"{error.filename}: cannot list directory: {error.strerror}")

    for root, dirs, files in os.walk(directory, onerror=on_error):
        skipped = [name for name in dirs if name.startswith(".") or Path(root, name).is_symlink()]
        ignored.extend(str(Path(root, name)) for name in skipped)
        dirs[:] = sorted(name for name in dirs if name not in skipped)
        for name in sorted(files):
            path = str(Path(root, name))
            if name.startswith(".") or not is_recognised(name):
                ignored.append(path)
            else:
                found.files.append(InputFile(name=path, path=path, size=_size(path)))
    if ignored:
        shown = ", ".join(ignored[:3]) + (", ..." if len(ignored) > 3 else "")
        found.notes.append(
            f"{directory}: ignored {len(ignored)} entries without a recognised extension "
            f"or hidden ({shown})"
        )
    if len(found.files) == count_before:
        found.errors.append(f"{directory}: directory contains no input files")


def is_recognised(name: str) -> bool:
    lowered = name.lower().removesuffix(".gz")
    return lowered.endswith(RECOGNISED_SUFFIXES)


def _size(path: str) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None
