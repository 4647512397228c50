"""``voxkit spec``: commands about the OpenAPI document itself (``voxkit spec diff``)."""

from __future__ import annotations

from pathlib import Path

import click

from voxkit.specdiff import (
    FORMATS,
    SPEC_PATH_IN_REPO,
    Document,
    SpecLoadError,
    diff_documents,
    git_toplevel,
    load_file,
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
    document cannot be read or parsed.
    """
    if rev is None and len(documents) != 2:
        raise click.UsageError("give OLD and NEW, or --git REV [NEW]")
    if rev is not None and len(documents) > 1:
        raise click.UsageError("with --git REV, give at most NEW")
    try:
        old, new = _load(documents, rev)
    except SpecLoadError as exc:
        click.echo(f"voxkit spec diff: error: {exc}", err=True)
        raise SystemExit(EXIT_UNUSABLE) from None
    try:
        report = diff_documents(old, new)
    except RecursionError:
        # Schemas nested thousands of levels deep: no real spec is, so refuse rather than crash.
        click.echo("voxkit spec diff: error: the documents nest too deeply to compare", err=True)
        raise SystemExit(EXIT_UNUSABLE) from None
    click.echo(render(report, output_format), nl=False)
    if fail_on == "breaking" and report.breaking:
        raise SystemExit(EXIT_BREAKING)


def _load(documents: tuple[str, ...], rev: str | None) -> tuple[Document, Document]:
    if rev is None:
        return load_file(Path(documents[0])), load_file(Path(documents[1]))
    old = load_git(rev)
    new_path = Path(documents[0]) if documents else git_toplevel() / SPEC_PATH_IN_REPO
    return old, load_file(new_path)
