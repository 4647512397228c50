"""``python -m generator [--check]``: rebuild ``generated_client/`` or check it is in sync."""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from generator._build import build, check_pins
from generator._errors import GeneratorError
from generator._spec import load_spec

DEFAULT_SPEC = Path("openapi/vox-campaigns-v3.yaml")
DEFAULT_OUTPUT = Path("generated_client")
# Written next to generated files by Python, pip and mypy; never part of the comparison.
_IGNORED_PARTS = ("__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache")
_IGNORED_SUFFIXES = (".pyc", ".egg-info")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Regenerate generated_client/ from the OpenAPI document, or check it is in sync.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="build into a temporary folder and list every file that differs; write nothing",
    )
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help=f"default: {DEFAULT_SPEC}")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}"
    )
    args = parser.parse_args(argv)
    try:
        return _check(args.spec, args.output) if args.check else _regenerate(args.spec, args.output)
    except GeneratorError as exc:
        _error(str(exc))
    except RecursionError:
        # The spec's own checks bound its depth; this is a last guard, so that deep input is
        # never read as "out of sync" (exit 1) nor shown as a traceback.
        _error(f"{args.spec}: nested too deeply to generate from (past Python's recursion limit)")
    except Exception:
        # A bug, not a verdict: show where it is, and still never exit 1 ("out of sync").
        traceback.print_exc()
        _error("the generator failed: the traceback above shows where (a bug: please report it)")
    return 2


def _error(message: str) -> None:
    # One line, and nothing from the spec or a file name can move the terminal's cursor.
    print(f"error: {_printable(message)}", file=sys.stderr)


def _printable(text: str) -> str:
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def _build_into(spec_path: Path, root: Path) -> None:
    check_pins()
    spec = load_spec(spec_path)
    build(spec, _label(spec_path), root)


def _label(spec_path: Path) -> str:
    """The spec's path as written into headers: relative to the working folder when it can be."""
    try:
        return spec_path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return spec_path.name


def _regenerate(spec_path: Path, output: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="voxkit-generate-") as scratch:
        _build_into(spec_path, Path(scratch))
        if output.exists():
            shutil.rmtree(output)
        shutil.copytree(scratch, output)
    print(f"regenerated {output}/ from {spec_path}")
    return 0


def _check(spec_path: Path, output: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="voxkit-check-") as scratch:
        _build_into(spec_path, Path(scratch))
        fresh = _files(Path(scratch))
        committed = _files(output) if output.is_dir() else set()
        problems = [f"missing: {output / name}" for name in sorted(fresh - committed)]
        problems += [f"extra: {output / name}" for name in sorted(committed - fresh)]
        problems += [
            f"differs: {output / name}"
            for name in sorted(fresh & committed)
            if not filecmp.cmp(Path(scratch) / name, output / name, shallow=False)
        ]
    if problems:
        print("\n".join(problems))
        print(
            f"{len(problems)} generated file(s) out of sync with {spec_path}:"
            " run `python -m generator` and commit the result",
            file=sys.stderr,
        )
        return 1
    print(f"{output}/ is in sync with {spec_path} ({len(fresh)} files)")
    return 0


def _files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and not any(
            part in _IGNORED_PARTS or part.endswith(_IGNORED_SUFFIXES) for part in path.parts
        )
    }
