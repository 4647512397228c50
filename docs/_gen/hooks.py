"""MkDocs hooks: the reference pages, written from the code at every build so they cannot go stale.

Each page below is a stub in ``docs/`` (what a reader of the repository sees); the build replaces
its whole text:

- ``reference/cli.md``: every command and option of ``voxkit``, walked from the click group;
- ``reference/rules.md``: the rule catalogue, from the rule registry (``vox_validators.RULES``);
- ``reference/spec-diff-checks.md``: the spec-diff checks, from ``voxkit.specdiff.CHECKS``.

A page may also hold ``<!-- voxkit-output: ARGS -->``: it becomes what ``voxkit ARGS`` prints
(stdout), run from the repository root, so the getting-started page shows today's output.
"""

from __future__ import annotations

import inspect
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

import vox_validators
from voxkit.cli import cli
from voxkit.specdiff import CHECKS, OASDIFF_CHECK_IDS

_OUTPUT = re.compile(r"<!-- voxkit-output: (.+?) -->")
_URL = re.compile(r"https?://[^\s)<>'\"]+")
_NOTE = (
    '!!! note "Generated"\n'
    "    This page is written from the code at every build of the docs ({what}); "
    "edit the code, not the page.\n"
)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    # A generated page is a short stub in the repository (what GitHub shows), replaced here.
    builder = _GENERATED.get(page.file.src_uri)
    if builder is not None:
        return builder()
    root = Path(config.config_file_path).resolve().parent
    return _OUTPUT.sub(lambda match: _voxkit_output(match.group(1), root), markdown)


def _voxkit_output(arguments: str, root: Path) -> str:
    # A subprocess, as a user runs it: the same interpreter, from the repository root.
    result = subprocess.run(
        [sys.executable, "-m", "voxkit", *shlex.split(arguments)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return f"```\n{result.stdout}```"


# --- the CLI ------------------------------------------------------------------------------


def cli_page() -> str:
    root = click.Context(cli, info_name="voxkit", **cli.context_settings)
    lines = [
        "# Command line: `voxkit`",
        "",
        _NOTE.format(what="walked from the click group `voxkit.cli.cli`"),
        "Every command reads its options from the command line only, unless an option names an "
        "environment variable. Exit statuses and output formats that scripts rely on are in "
        "[the contracts](../contracts.md).",
        "",
    ]
    for ctx in _contexts(root):
        lines.extend(_command_section(ctx))
    return "\n".join(lines) + "\n"


def _contexts(ctx: click.Context) -> Iterator[click.Context]:
    yield ctx
    command = ctx.command
    if isinstance(command, click.Group):
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _contexts(click.Context(sub, info_name=name, parent=ctx))


def _command_section(ctx: click.Context) -> list[str]:
    command = ctx.command
    path = ctx.command_path
    level = "#" * (2 + path.count(" "))
    lines = [f"{level} `{path}`", "", "```", command.get_usage(ctx), "```", ""]
    lines.extend(_help_text(command.help or ""))
    params = [p for p in command.get_params(ctx) if p.get_help_record(ctx) or p.param_type_name]
    arguments = [p for p in params if isinstance(p, click.Argument)]
    options = [p for p in params if isinstance(p, click.Option)]
    if arguments:
        lines += ["| argument | required | repeatable |", "|---|---|---|"]
        for argument in arguments:
            metavar = argument.make_metavar(ctx)
            lines.append(
                f"| `{metavar}` | {'yes' if argument.required else 'no'} | "
                f"{'yes' if argument.nargs == -1 else 'no'} |"
            )
        lines.append("")
    if options:
        lines += ["| option | what it does |", "|---|---|"]
        for option in options:
            record = option.get_help_record(ctx)
            if record is None:
                continue
            names, text = record
            lines.append(f"| `{_cell(names)}` | {_cell(text)} |")
        lines.append("")
    if isinstance(command, click.Group):
        subcommands = sorted(command.list_commands(ctx))
        links = (f"[`{ctx.command_path} {n}`](#{_slug(ctx.command_path, n)})" for n in subcommands)
        lines.append("Commands: " + ", ".join(links) + ".")
        lines.append("")
    return lines


def _help_text(text: str) -> list[str]:
    # Click's help: paragraphs, and "\b" paragraphs that must keep their line breaks.
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", inspect.cleandoc(text)):
        if not paragraph.strip():
            continue
        if paragraph.lstrip().startswith("\b"):
            body = paragraph.lstrip()[1:].strip("\n")
            lines += ["```", body, "```", ""]
        else:
            lines += [" ".join(paragraph.split()), ""]
    return lines


def _slug(*words: str) -> str:
    # The anchor of a heading "`voxkit spec diff`" (pymdownx.slugs, as mkdocs.yml configures).
    return "-".join(" ".join(words).split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- the rules ----------------------------------------------------------------------------


def rules_page() -> str:
    rules = vox_validators.RULES
    lines = [
        "# Rule catalogue",
        "",
        _NOTE.format(what="from the rule registry, `vox_validators.RULES`"),
        f"Every rule a finding can name: {len(rules)} rules, as `voxkit rules` lists them. "
        "Schema findings are named `schema/<keyword>` after the JSON Schema keyword that failed "
        "(`schema/required`, `schema/type`, ...); how ids are chosen, and why a custom rule "
        "never reuses one, is in [the contracts](../contracts.md#rule-ids). To add your own, see "
        "[custom rules](../guides/custom-rules.md).",
        "",
        "| id | severity | applies to | description |",
        "|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(
            f"| [`{rule.id}`](#{_anchor(rule.id)}) | {rule.severity} | "
            f"{', '.join(rule.schemas)} | {_cell(rule.description)} |"
        )
    lines.append("")
    for rule in rules:
        kind = "a check" if rule.check is not None else "catalogue only (reported by voxkit itself)"
        lines += [
            f"## {rule.id} {{ #{_anchor(rule.id)} }}",
            "",
            rule.description,
            "",
            f"- **Severity:** {rule.severity}",
            f"- **Schemas:** {', '.join(f'`{s}`' for s in rule.schemas)}",
            f"- **Kind:** {kind}",
            f"- **Source:** {_URL.sub(lambda m: f'<{m.group(0)}>', rule.source)}",
            "",
        ]
    return "\n".join(lines) + "\n"


def _anchor(rule_id: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", rule_id.lower())


# --- the spec-diff checks -----------------------------------------------------------------

_SUBJECTS = (
    ("request-body", "Request bodies"),
    ("request-property", "Request properties"),
    ("request-parameter", "Request parameters"),
    ("response-body", "Response bodies"),
    ("response-property", "Response properties"),
)


def checks_page() -> str:
    checks = sorted(CHECKS.values(), key=lambda c: c.id)
    groups: dict[str, list[Any]] = {title: [] for _, title in _SUBJECTS}
    other = "Paths, operations, security, media types, headers and the rest"
    groups[other] = []
    for check in checks:
        title = next((t for prefix, t in _SUBJECTS if check.id.startswith(prefix + "-")), other)
        groups[title].append(check)
    breaking = sum(1 for c in checks if c.classification.value == "breaking")
    lines = [
        "# Spec-diff checks",
        "",
        _NOTE.format(what="from the check table, `voxkit.specdiff.CHECKS`"),
        f"`voxkit spec diff` reports {len(checks)} kinds of change: {breaking} breaking and "
        f"{len(checks) - breaking} not breaking for a user of the strict client. "
        f"{len(OASDIFF_CHECK_IDS)} ids are oasdiff's own published check ids, with the meaning "
        "oasdiff gives them (marked *oasdiff*); the others are voxkit's, named the same way. "
        "Why each is classified as it is: [spec changes](../guides/spec-changes.md).",
        "",
    ]
    for title, members in groups.items():
        if not members:
            continue
        lines += [
            f"## {title}",
            "",
            "| check id | verdict | oasdiff | change |",
            "|---|---|---|---|",
        ]
        for check in members:
            verdict = "**breaking**" if check.classification.value == "breaking" else "not breaking"
            mark = "*oasdiff*" if check.id in OASDIFF_CHECK_IDS else "voxkit"
            lines.append(f"| `{check.id}` | {verdict} | {mark} | {_cell(check.summary)} |")
        lines.append("")
    return "\n".join(lines) + "\n"


_GENERATED: dict[str, Callable[[], str]] = {
    "reference/cli.md": cli_page,
    "reference/rules.md": rules_page,
    "reference/spec-diff-checks.md": checks_page,
}
