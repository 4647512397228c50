"""``voxkit validate PATH... [options]``: the contract is in DESIGN.md ("Contracts other tools rely on").

Exit status: 0 when every record is valid; 1 when a record is invalid (with ``--fail-on warning``:
or has a warning); 2 for a usage error or an input path that cannot be read (missing, a permission
error, a directory without input files). Paths that can be read are still validated and reported
when another path cannot be: the error lines go to stderr, and 2 wins over 1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Literal

import click

from vox_validators import SCHEMAS
from vox_validators.sources._discovery import InputFile, discover
from voxkit.engine.local import BatchResult, WorkerDied, run
from vox_validators.sources._read import UnreadableInput, open_input, read_batches
from voxkit.engine.progress import Progress
from vox_validators.sources._record import Batch
from voxkit.report import (
    FORMATS,
    Format,
    JUnitWriter,
    Settings,
    Tally,
    jsonl_summary,
    text_summary,
)
from vox_validators.sources._traffic import read_traffic

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def _check_schema(ctx: click.Context, param: click.Parameter, value: str) -> str:
    del ctx, param
    if value not in SCHEMAS:
        raise click.BadParameter(
            f"{value!r} is not a schema of the spec; one of: " + ", ".join(SCHEMAS)
        )
    return value


@dataclass
class _ReadState:
    """What the main process knows about reading progress (for the progress line)."""

    done_bytes: int = 0
    stream: BinaryIO | None = None
    unreadable: int = 0

    def position(self) -> int:
        try:
            current = self.stream.tell() if self.stream is not None else 0
        except (OSError, ValueError):
            current = 0
        return self.done_bytes + current


def _all_batches(
    files: list[InputFile], schema: str, state: _ReadState, stdin: BinaryIO
) -> Iterator[Batch]:
    for file in files:
        try:
            stream = open_input(file, stdin)
        except UnreadableInput as error:
            state.unreadable += 1
            _error(str(error))
            continue
        state.stream = stream if file.path is not None else None
        try:
            yield from read_batches(file, stream, schema, read_traffic)
        finally:
            state.stream = None
            state.done_bytes += file.size or 0
            if file.path is not None:
                stream.close()


def _error(message: str) -> None:
    click.echo(f"voxkit: error: {message}", err=True)


def _note(message: str) -> None:
    click.echo(f"voxkit: note: {message}", err=True)


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text (coloured on a terminal), jsonl (one object per record, then a summary), "
    "junit (XML), github (workflow annotations).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Exit 1 when a record has a finding of this severity or worse.",
)
@click.option(
    "--strict", is_flag=True, help="Report fields the spec does not know (drift warnings)."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes; the output is the same whatever the number.",
)
@click.option(
    "--schema",
    default="Campaign",
    show_default=True,
    callback=_check_schema,
    help="Schema of the records of JSON and JSON Lines inputs (cassettes and HAR files "
    "use the schema their endpoint documents).",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text output (default: on a terminal, unless NO_COLOR is set).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress line on stderr (default: when stderr is a terminal).",
)
def validate_command(
    *,
    paths: tuple[str, ...],
    output_format: Format,
    fail_on: Literal["error", "warning"],
    strict: bool,
    jobs: int,
    schema: str,
    color: bool | None,
    progress: bool | None,
) -> None:
    """Validate captured vox.ai campaign payloads against the spec and its business rules.

    PATH is a file or a directory (read recursively); - is stdin. Formats: a JSON object or
    array, JSON Lines (.jsonl, .ndjson), vcrpy cassettes (.yaml, .yml), HAR (.har), and gzip of
    any of them (.gz).

    Exit status: 0 every record is valid; 1 a record is invalid (or, with --fail-on warning, has a
    warning); 2 usage error or unreadable input path.
    """
    stdout = sys.stdout.buffer
    stdout_is_terminal = _is_terminal(stdout)
    if color is None:
        color = output_format == "text" and stdout_is_terminal and "NO_COLOR" not in os.environ
    if progress is None:
        progress = _is_terminal(sys.stderr)
    settings = Settings(format=output_format, color=color, strict=strict, fail_on=fail_on)

    found = discover(paths)
    for note in found.notes:
        _note(note)
    for error in found.errors:
        _error(error)

    def write(text: str) -> None:
        stdout.write(text.encode("utf-8", "backslashreplace"))

    total_bytes = sum(file.size or 0 for file in found.files)
    meter = Progress(progress, total_bytes, lambda text: click.echo(text, err=True, nl=False))
    state = _ReadState()
    tally = Tally()
    junit = JUnitWriter(write) if output_format == "junit" else None

    def consume(result: BatchResult) -> None:
        tally.add(result.tally)
        if junit is not None:
            junit.add(result.source, result.rendered, result.tally)
        elif result.rendered:
            if stdout_is_terminal:  # the progress line would be in the way
                meter.close()
            write(result.rendered)
        meter.update(state.position(), tally.records)

    batches = _all_batches(found.files, schema, state, sys.stdin.buffer)
    try:
        run(batches, settings, jobs, consume)
        meter.close()
        if junit is not None:
            junit.finish(tally)
        elif output_format == "jsonl":
            write(jsonl_summary(tally))
        else:
            write(text_summary(tally, color))
        stdout.flush()
    except WorkerDied as error:
        meter.close()
        _error(f"a worker process ended abruptly, so records are missing: {error}")
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, without a traceback at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_INVALID)
    if found.errors or state.unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_INVALID if tally.failing else EXIT_VALID)


def _is_terminal(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # a closed stream
        return False
