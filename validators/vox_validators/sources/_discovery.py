"""Which files a list of paths names: paths, stdin, and directories walked in a stable order."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from vox_validators.sources._record import STDIN_NAME

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
CASSETTE_SUFFIXES = (".yaml", ".yml")
HAR_SUFFIXES = (".har",)
JSON_SUFFIXES = (".json",)
RECOGNISED_SUFFIXES = JSON_SUFFIXES + JSON_LINES_SUFFIXES + CASSETTE_SUFFIXES + HAR_SUFFIXES
# A body Playwright's record_har_content="attach" keeps beside a HAR file: <sha1>.<extension>.
_ATTACHMENT = re.compile(r"[0-9a-f]{40}\.[A-Za-z0-9]+\Z")


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
    entries (``.name``) and symbolic links to directories (not followed: no loops). Entries that
    are not regular files (FIFOs, sockets, devices) are skipped with a note of their own: opening
    one could block the walk forever. A path named here may be a FIFO or a pipe (``<(zcat a.gz)``),
    read as a stream like stdin; a device or a socket named here is an error. A missing path, an
    unreadable directory, or a directory without any input file is an error.
    """
    found = Discovery()
    for argument in arguments:
        if argument == "-":
            found.files.append(InputFile(name=STDIN_NAME, path=None, size=None))
        elif not argument:  # Path("") is ".": an empty argument names nothing
            found.errors.append("'': no such file or directory")
        elif Path(argument).is_dir():
            _walk(argument, found)
        elif Path(argument).exists():
            status = _stat(argument)
            kind = _special_kind(status.st_mode) if status is not None else None
            if kind is not None and kind != "FIFO":
                found.errors.append(f"{argument}: not a regular file or a pipe but a {kind}")
                continue
            size = status.st_size if status is not None and kind is None else None
            found.files.append(InputFile(name=argument, path=argument, size=size))
        else:
            found.errors.append(f"{argument}: no such file or directory")
    return found


def _walk(directory: str, found: Discovery) -> None:
    ignored: list[str] = []
    special: list[str] = []
    attached: list[str] = []
    count_before = len(found.files)

    def on_error(error: OSError) -> None:
        found.errors.append(f"{error.filename}: cannot list directory: {error.strerror}")

    found.files.extend(
        walk(directory, ignored.append, on_error, special=special.append, attached=attached.append)
    )
    if ignored:
        found.notes.append(
            f"{directory}: ignored {len(ignored)} entries without a recognised extension "
            f"or hidden ({_shown(ignored)})"
        )
    if attached:
        found.notes.append(
            f"{directory}: read {len(attached)} bodies that HAR files keep beside them "
            f"(Playwright's attachments) with their HAR files, not on their own: {_shown(attached)}"
        )
    if special:
        found.notes.append(
            f"{directory}: skipped {len(special)} entries that are not regular files "
            f"(FIFOs, sockets or devices, which could block the run; name one to read it "
            f"as a stream): {_shown(special)}"
        )
    if len(found.files) == count_before:
        found.errors.append(f"{directory}: directory contains no input files")


def _shown(paths: list[str]) -> str:
    return ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "")


def walk(
    directory: str,
    ignore: Callable[[str], None],
    on_error: Callable[[OSError], None],
    *,
    special: Callable[[str], None] | None = None,
    attached: Callable[[str], None] | None = None,
) -> Iterator[InputFile]:
    """The input files below ``directory`` in sorted order; ``ignore`` gets what is skipped,
    ``special`` (by default ``ignore``) the entries that are not regular files, never opened, and
    ``attached`` (by default ``ignore``) the bodies a HAR file of the same folder keeps beside it
    (Playwright's ``<sha1>.json``: read with the HAR file, against the schema of its response)."""
    for root, dirs, files in os.walk(directory, onerror=on_error):
        skipped = [name for name in dirs if name.startswith(".") or Path(root, name).is_symlink()]
        for name in skipped:
            ignore(str(Path(root, name)))
        dirs[:] = sorted(name for name in dirs if name not in skipped)
        has_har = any(name.lower().removesuffix(".gz").endswith(HAR_SUFFIXES) for name in files)
        for name in sorted(files):
            path = str(Path(root, name))
            if name.startswith(".") or not is_recognised(name):
                ignore(path)
                continue
            if has_har and _ATTACHMENT.match(name):
                (attached or ignore)(path)
                continue
            status = _stat(path)
            if status is not None and _special_kind(status.st_mode) is not None:
                (special or ignore)(path)
                continue
            size = status.st_size if status is not None else None
            yield InputFile(name=path, path=path, size=size)


def is_recognised(name: str) -> bool:
    """Whether the extension of ``name`` (``.gz`` aside) says the format of the file."""
    lowered = name.lower().removesuffix(".gz")
    return lowered.endswith(RECOGNISED_SUFFIXES)


def _stat(path: str) -> os.stat_result | None:
    try:
        return Path(path).stat()
    except OSError:  # it cannot be read either: opening it says why
        return None


def _special_kind(mode: int) -> str | None:
    """What a file that is not a regular file is (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    return "special file"
