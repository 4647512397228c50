"""``voxkit spec``: commands about the OpenAPI document itself (``voxkit spec diff``)."""

from __future__ import annotations

from pathlib import Path

import click

from voxkit.report import printable
from voxkit.specdiff import (
    FORMATS,
    SPEC_PATH_IN_REPO,
    DiffReport,
    Document,
    SpecLoadError,
    compare,
    git_toplevel,
    load_git,
    render,
)

EXIT_OK, EXIT_BREAKING, EXIT_UNUSABLE = 0, 1, 2


@click.group("spec")
def spec() -> None:
    """Work with the OpenAPI document (openapi/vox-campaigns-v3.yaml)."""


@spec.command("diff")
@click.argument("documents", nargs=-1, metavar="[OLD] [NEW]")
@click.option(
    "--git",
    "rev",
    metavar="REV",
    help=f"Compare {SPEC_PATH_IN_REPO} as committed at REV with NEW "
    "(default: the same file in the working tree).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="markdown suits a pull-request comment or a CI job summary.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking"]),
    help="Exit with status 1 when a breaking change is found.",
)
def diff(
    documents: tuple[str, ...], rev: str | None, output_format: str, fail_on: str | None
) -> None:
    """List the changes from OLD to NEW and whether each breaks strict-client users.

    \b
    voxkit spec diff OLD NEW           two OpenAPI files (YAML or JSON)
    voxkit spec diff --git REV [NEW]   the committed spec at REV against NEW

    Exit status: 0, or 1 with --fail-on breaking when a change is breaking; 2 when a
    document cannot be used (unreadable, invalid, a $ref loop, too big once its YAML aliases
    are expanded).
    """
    if rev is None and len(documents) != 2:
        raise click.UsageError("give OLD and NEW, or --git REV [NEW]")
    if rev is not None and len(documents) > 1:
        raise click.UsageError("with --git REV, give at most NEW")
    try:
        report = _compare(documents, rev)
    except SpecLoadError as exc:
        # One line; a file name or a name in the spec cannot move the terminal's cursor.
        click.echo(f"voxkit spec diff: error: {printable(str(exc))}", err=True)
        raise SystemExit(EXIT_UNUSABLE) from None
    click.echo(render(report, output_format), nl=False)
    if fail_on == "breaking" and report.breaking:
        raise SystemExit(EXIT_BREAKING)


def _compare(documents: tuple[str, ...], rev: str | None) -> DiffReport:
    if rev is None:
        return compare(Path(documents[0]), Path(documents[1]))
    old: Document = load_git(rev)
    return compare(old, Path(documents[0]) if documents else git_toplevel() / SPEC_PATH_IN_REPO)
