"""Which files a list of paths names: paths, stdin, and directories walked in a stable order."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vox_validators.sources._record import STDIN_NAME

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
CASSETTE_SUFFIXES = (".yaml", ".yml")
HAR_SUFFIXES = (".har",)
JSON_SUFFIXES = (".json",)
RECOGNISED_SUFFIXES = JSON_SUFFIXES + JSON_LINES_SUFFIXES + CASSETTE_SUFFIXES + HAR_SUFFIXES


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input: ``name`` as shown in reports, ``path`` on disk (None for stdin), its size."""

    name: str
    path: str | None
    size: int | None


@dataclass(slots=True)
class Discovery:
    """The inputs that paths name, in order, with the errors and notes to show the user."""

    files: list[InputFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def discover(arguments: Iterable[str]) -> Discovery:
    """The input files named by ``arguments`` (``-`` is stdin), in a deterministic order.

    Directories are walked recursively in sorted order; only files with a recognised extension
    (optionally ``.gz``) are read from them, and the others are counted in a note, as are hidden
    entries (``.name``) and symbolic links to directories (not followed: no loops). A missing path,
    an unreadable directory, or a directory without any input file is an error.
    """
    found = Discovery()
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

    found.files.extend(walk(directory, ignored.append, on_error))
    if ignored:
        shown = ", ".join(ignored[:3]) + (", ..." if len(ignored) > 3 else "")
        found.notes.append(
            f"{directory}: ignored {len(ignored)} entries without a recognised extension "
            f"or hidden ({shown})"
        )
    if len(found.files) == count_before:
        found.errors.append(f"{directory}: directory contains no input files")


def walk(
    directory: str, ignore: Callable[[str], None], on_error: Callable[[OSError], None]
) -> Iterator[InputFile]:
    """The input files below ``directory`` in sorted order; ``ignore`` gets what is skipped."""
    for root, dirs, files in os.walk(directory, onerror=on_error):
        skipped = [name for name in dirs if name.startswith(".") or Path(root, name).is_symlink()]
        for name in skipped:
            ignore(str(Path(root, name)))
        dirs[:] = sorted(name for name in dirs if name not in skipped)
        for name in sorted(files):
            path = str(Path(root, name))
            if name.startswith(".") or not is_recognised(name):
                ignore(path)
            else:
                yield InputFile(name=path, path=path, size=_size(path))


def is_recognised(name: str) -> bool:
    """Whether the extension of ``name`` (``.gz`` aside) says the format of the file."""
    lowered = name.lower().removesuffix(".gz")
    return lowered.endswith(RECOGNISED_SUFFIXES)


def _size(path: str) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None
