"""``voxkit validate PATH... [options]``: the contract is in docs/contracts.md.

Built on the public readers and validator: :func:`vox_validators.sources.iter_records` gives the
records of each input (named as on the command line), the engine batches them and validates each
with :func:`vox_validators.validate_record`, here or in worker processes (with workers, a plain
JSON Lines file is handed out as byte ranges they read themselves: ``records_or_spans``).

Exit status: 0 when every record is valid; 1 when a record is invalid (with ``--fail-on warning``:
or has a warning); 2 for a usage error or an input path that cannot be read (missing, a permission
error, a directory without input files). Paths that can be read are still validated and reported
when another path cannot be: the error lines go to stderr, and 2 wins over 1.

Nothing a file name or an input says reaches the terminal raw: every line on stderr is escaped
(control characters as ``\\x1b``, ``\\n``), as every output format escapes what it prints.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, NoReturn, cast

import click

import vox_validators
from vox_validators.rules import RuleError, extra_rules
from vox_validators.sources import FORMATS as INPUT_FORMATS
from vox_validators.sources import (
    Discovery,
    InputFile,
    Limits,
    Record,
    discover,
    is_recognised,
)
from vox_validators.sources import Format as InputFormat
from voxkit.engine.local import (
    BatchResult,
    Span,
    WorkerDied,
    batches,
    records_or_spans,
    run,
    run_serially,
)
from voxkit.engine.progress import Progress
from voxkit.report import FORMATS, Format, Settings, Tally, printable, summary

if TYPE_CHECKING:
    from vox_validators import Rule
    from voxkit.report.junit import JUnitWriter

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def _check_schema(ctx: click.Context, param: click.Parameter, value: str) -> str:
    del ctx, param
    names = vox_validators.SCHEMAS  # read here: loading the bundle is for a run, not for --help
    if value not in names:
        raise click.BadParameter(
            f"{value!r} is not a schema of the spec; one of: " + ", ".join(names)
        )
    return value


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1 << 10,
    "kib": 1 << 10,
    "kb": 10**3,
    "m": 1 << 20,
    "mib": 1 << 20,
    "mb": 10**6,
    "g": 1 << 30,
    "gib": 1 << 30,
    "gb": 10**9,
    "t": 1 << 40,
    "tib": 1 << 40,
    "tb": 10**12,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*\Z", re.IGNORECASE)


class _Size(click.ParamType[int, Any]):
    """A size in bytes: ``1000``, ``64MiB``, ``1.5GiB``, ``500KB`` (K, M, G, T alone: binary)."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _SIZE.match(str(value))
        unit = match.group(2).lower() if match is not None else ""
        if match is None or unit not in _UNITS:
            self.fail(
                f"{printable(str(value))!r} is not a size: a number of bytes, optionally with a "
                "unit (KiB, MiB, GiB, TiB, or KB, MB, GB, TB), such as 64MiB",
                param,
                ctx,
            )
        size = int(float(match.group(1)) * _UNITS[unit])
        if size < 1:
            self.fail(f"{printable(str(value))!r} is not a size of at least one byte", param, ctx)
        return size


#: ``--jobs auto`` starts workers from this many bytes of input files on: below it, starting
#: them (and their rules' quiet checks) costs more than it saves.
AUTO_JOBS_BYTES = 32 << 20
AUTO = "auto"


class _Jobs(click.ParamType[int | str, Any]):
    """``--jobs``: a number of processes (1 or more), or ``auto``."""

    name = "integer|auto"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | str:
        if value == AUTO or (isinstance(value, int) and value >= 1):
            return value  # type: ignore[no-any-return]
        try:
            jobs = int(str(value))
        except ValueError:
            jobs = 0
        if jobs < 1:
            self.fail(
                f"{printable(str(value))!r} is not a number of jobs: 1 or more, or auto", param, ctx
            )
        return jobs


def _jobs_for(jobs: int | str, files: list[InputFile]) -> int:
    """The number of processes of ``--jobs``: ``auto`` is one per CPU this process may run on,
    when the input files hold at least :data:`AUTO_JOBS_BYTES` (stdin counts as none)."""
    if isinstance(jobs, int):
        return jobs
    if sum(file.size or 0 for file in files) < AUTO_JOBS_BYTES:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _size_text(size: int) -> str:
    """``size`` as the size options write it: ``64MiB``."""
    for unit in ("TiB", "GiB", "MiB", "KiB"):
        scale = _UNITS[unit.lower()]
        if size % scale == 0:
            return f"{size // scale}{unit}"
    return str(size)


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


def _open(file: InputFile, stdin: BinaryIO, named: frozenset[str]) -> BinaryIO:
    """``file`` opened for binary reading (stdin as it is); :class:`OSError` when it cannot be.

    A file found in a directory is opened without blocking and must be a regular file (it was
    one when the directory was listed; a FIFO put in its place must not hang the run). A FIFO
    named on the command line is read as a stream, waiting for its writer like stdin.
    """
    if file.path is None:
        return stdin
    path = Path(file.path)
    if path.is_dir():  # it was a file when the paths were listed
        raise IsADirectoryError(21, "is a directory")
    if file.path in named:
        return path.open("rb")
    return open(file.path, "rb", opener=_open_regular)  # Path.open has no opener


def _open_regular(path: str, flags: int) -> int:
    """``path`` opened without blocking, and only if it is a regular file (for ``open``)."""
    descriptor = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "no longer a regular file")
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _all_records(
    files: list[InputFile],
    schema: str,
    input_format: InputFormat | None,
    state: _ReadState,
    stdin: BinaryIO,
    *,
    limits: Limits,
    named: frozenset[str],
    jobs: int,
) -> Iterator[Record | Span]:
    for file in files:
        # Opened here rather than by iter_records: the progress line follows the stream, and a
        # path that cannot be read is one error line, then the next path.
        try:
            stream = _open(file, stdin, named)
        except OSError as error:
            state.unreadable += 1
            _error(f"{file.name}: cannot read: {error.strerror or error}")
            continue
        state.stream = stream if file.path is not None else None
        # --input-format is for the inputs whose extension does not say their format.
        read_as = None if is_recognised(file.name) else input_format
        try:
            # With workers, a plain JSON Lines file goes out as byte ranges they read themselves.
            records = records_or_spans(
                stream,
                format=read_as,
                schema=schema,
                name=file.name,
                limits=limits,
                ranged=jobs > 1,
            )
            yield from records
        finally:
            state.stream = None
            state.done_bytes += file.size or 0
            if file.path is not None:
                stream.close()


def _error(message: str) -> None:
    click.echo(f"voxkit: error: {printable(message)}", err=True)


def _note(message: str) -> None:
    click.echo(f"voxkit: note: {printable(message)}", err=True)


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
    type=_Jobs(),
    default="auto",
    show_default=True,
    help="Worker processes, or auto: one per available CPU when the input files hold at least "
    f"{AUTO_JOBS_BYTES >> 20} MiB, else 1. The output is the same whatever the number.",
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
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="How to read the inputs whose extension does not say it, standard input above all "
    "(default: from the content).",
)
@click.option(
    "--rules",
    "rule_specs",
    multiple=True,
    metavar="PATH_OR_MODULE",
    help="Also apply the rules defined at the top level of this Python file or module "
    "(repeatable); installed packages add theirs through the voxkit.rules entry points.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="local: this machine (--jobs processes); spark: Apache Spark (needs voxkit[spark]).",
)
@click.option(
    "--spark-master",
    metavar="URL",
    default=None,
    help="The Spark master of --engine spark (default: spark-submit's, else local[*]).",
)
@click.option(
    "--output",
    "output_dir",
    metavar="DIR",
    default=None,
    help="With --engine spark: write the per-record results as Parquet under DIR "
    "(partitioned by source) and print only the summary.",
)
@click.option(
    "--max-record-size",
    type=_Size(),
    default=_size_text(Limits().record),
    show_default=True,
    help="A record larger than this (a JSON Lines line, an array element, a JSON document, a "
    "recorded response body once decoded) is one `limit` finding, not validated.",
)
@click.option(
    "--max-input-size",
    type=_Size(),
    default=_size_text(Limits().input),
    show_default=True,
    help="A HAR entry or cassette interaction larger than this once decompressed is one "
    "`limit` finding, not read (so is a cassette read whole: from a pipe, or not in vcrpy's "
    "layout). Every format is streamed, whatever its size.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=Limits().nodes,
    show_default=True,
    help="A cassette interaction with more YAML nodes than this (aliases expanded), or a HAR "
    "entry with more JSON values, is one `limit` finding, not read.",
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
    jobs: int | str,
    schema: str,
    input_format: InputFormat | None,
    rule_specs: tuple[str, ...],
    engine: Literal["local", "spark"],
    spark_master: str | None,
    output_dir: str | None,
    max_record_size: int,
    max_input_size: int,
    max_nodes: int,
    color: bool | None,
    progress: bool | None,
) -> None:
    """Validate captured vox.ai campaign payloads against the spec and its business rules.

    PATH is a file or a directory (read recursively); - is stdin. Formats: a JSON object or
    array, JSON Lines (.jsonl, .ndjson), vcrpy cassettes (.yaml, .yml), HAR (.har), and gzip of
    any of them (.gz); --input-format says it where no extension does.

    Whatever is over a size limit (--max-record-size, --max-input-size, --max-nodes) is one
    `limit` finding, and the run goes on with the rest.

    Exit status: 0 every record is valid; 1 a record is invalid (or, with --fail-on warning, has a
    warning); 2 usage error or unreadable input path.
    """
    stdout = sys.stdout.buffer
    stdout_is_terminal = _is_terminal(stdout)
    if color is None:
        color = output_format == "text" and stdout_is_terminal and "NO_COLOR" not in os.environ
    progress = _is_terminal(sys.stderr) if progress is None else progress
    settings = Settings(format=output_format, color=color, strict=strict, fail_on=fail_on)
    if engine == "local" and (spark_master is not None or output_dir is not None):
        raise click.UsageError("--spark-master and --output need --engine spark")
    limits = Limits(record=max_record_size, input=max_input_size, nodes=max_nodes)
    rules = _extra_rules(rule_specs)

    def write(text: str) -> None:
        stdout.write(text.encode("utf-8", "backslashreplace"))

    if engine == "spark":
        _run_on_spark(
            paths,
            settings,
            master=spark_master,
            output_dir=output_dir,
            rules=rules,
            schema=schema,
            input_format=input_format,
            limits=limits,
            write=write,
        )

    found = _discover(paths)
    processes = _jobs_for(jobs, found.files)

    meter = Progress(
        progress,
        sum(file.size or 0 for file in found.files),
        lambda text: click.echo(text, err=True, nl=False),
    )
    state = _ReadState()
    tally = Tally()
    junit = _junit_writer(write) if output_format == "junit" else None

    def consume(result: BatchResult) -> None:
        tally.add(result.tally)
        if junit is not None:
            junit.add(result.source, result.rendered, result.tally)
        elif result.rendered:
            if stdout_is_terminal:  # the progress line would be in the way
                meter.close()
            write(result.rendered)
        meter.update(state.position(), tally.records)

    all_records = _all_records(
        found.files,
        schema,
        input_format,
        state,
        sys.stdin.buffer,
        limits=limits,
        named=frozenset(paths),
        jobs=processes,
    )
    died: WorkerDied | None = None
    try:
        try:
            _run_local(all_records, settings, processes, consume, rules, rule_specs)
        except WorkerDied as error:
            died = error
        meter.close()
        if junit is not None:
            junit.finish(tally)
        else:
            write(summary(settings, tally))
        stdout.flush()
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, without a traceback at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_INVALID)
    sys.exit(_exit_status(died, found, state, tally))


def _run_local(  # noqa: PLR0917 - the run's, passed on
    records: Iterator[Record | Span],
    settings: Settings,
    jobs: int,
    consume: Callable[[BatchResult], None],
    rules: tuple[Rule, ...],
    rule_specs: tuple[str, ...],
) -> None:
    if jobs > 1:
        run(batches(records), settings, jobs, consume, rules=rules, rule_specs=rule_specs)
    else:  # validated as read, no batches built; spans come only with workers (ranged)
        run_serially(cast("Iterator[Record]", records), settings, consume, rules=rules)


def _junit_writer(write: Callable[[str], None]) -> JUnitWriter:
    from voxkit.report.junit import JUnitWriter  # noqa: PLC0415 - only junit needs it

    return JUnitWriter(write)


def _exit_status(died: WorkerDied | None, found: Discovery, state: _ReadState, tally: Tally) -> int:
    """The exit status of a local run, once its summary is out (a lost worker said on stderr)."""
    if died is not None:
        _error(
            f"a worker process ended abruptly, so records are missing: {died.lost:,} records "
            f"read but not validated (of {', '.join(died.sources) or 'no input'}), and the "
            f"inputs were not read further; the summary counts only the records validated "
            f"({died})"
        )
        return EXIT_USAGE
    if found.errors or state.unreadable:
        return EXIT_USAGE
    return EXIT_INVALID if tally.failing else EXIT_VALID


def _discover(paths: tuple[str, ...]) -> Discovery:
    """The input files; what was ignored or cannot be read is one line each on stderr."""
    found = discover(paths)
    for note in found.notes:
        _note(note)
    for error in found.errors:
        _error(error)
    return found


def _extra_rules(rule_specs: tuple[str, ...]) -> tuple[Rule, ...]:
    """The rules of installed packages and of each --rules spec; a problem is a usage error."""
    try:
        return extra_rules(rule_specs)
    except RuleError as error:
        _error(str(error))
        sys.exit(EXIT_USAGE)


def _run_on_spark(
    paths: tuple[str, ...],
    settings: Settings,
    *,
    master: str | None,
    output_dir: str | None,
    rules: tuple[Rule, ...],
    schema: str,
    input_format: InputFormat | None,
    limits: Limits,
    write: Callable[[str], None],
) -> NoReturn:
    """``--engine spark``: the same output and exit status as the local engine, from Spark."""
    from voxkit.engine import spark as spark_engine  # noqa: PLC0415 - PySpark is optional

    if not spark_engine.pyspark_available():
        raise click.UsageError(spark_engine.MISSING_PYSPARK)
    try:
        outcome = spark_engine.run_spark(
            paths,
            settings,
            master=master,
            output_dir=output_dir,
            rules=rules,
            schema=schema,
            input_format=input_format,
            limits=limits,
            write=write,
            note=_note,
            error=_error,
            stdin=sys.stdin.buffer.read,
        )
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_INVALID)
    if outcome.unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_INVALID if outcome.tally.failing else EXIT_VALID)


def _is_terminal(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except ValueError:  # a closed stream
        return False
