"""``voxkit rules``: list the validation rules (IDs, severities, descriptions, docs sources).

The list is the rule registry (``vox_validators.rules``): the built-in rules, then the rules of
installed packages (entry-point group ``voxkit.rules``) and of each ``--rules PATH_OR_MODULE``.
"""

from __future__ import annotations

import json

import click

import vox_validators.rules
from vox_validators.rules import Rule, RuleError, extra_rules

_SCHEMA_RULE = (
    "schema/<keyword>",
    "error",
    "A JSON Schema (Draft 2020-12) violation, named by its keyword: schema/required, "
    "schema/type, schema/enum, ...",
)


@click.command("rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json (an array of rule objects) for tools.",
)
@click.option(
    "--rules",
    "rule_specs",
    multiple=True,
    metavar="PATH_OR_MODULE",
    help="Also list the rules of this Python file or module (repeatable).",
)
@click.pass_context
def rules_command(ctx: click.Context, output_format: str, rule_specs: tuple[str, ...]) -> None:
    """List every rule a finding can name: ID, severity, description and docs source."""
    try:
        extra = extra_rules(rule_specs)
    except RuleError as error:  # a usage error: one line, no traceback
        click.echo(f"voxkit: error: {error}", err=True)
        ctx.exit(2)
    listed: tuple[Rule, ...] = (*vox_validators.rules.RULES, *extra)
    if output_format == "json":
        click.echo(json.dumps([rule.as_dict() for rule in listed], ensure_ascii=False, indent=2))
        return
    for rule in listed:
        click.echo(f"{rule.id:<16} {rule.severity:<8} {rule.description}")
        click.echo(f"{'':<26}source: {rule.source}")
        click.echo(f"{'':<26}applies to: {', '.join(rule.schemas) or 'no schema'}")
    rule_id, severity, description = _SCHEMA_RULE
    click.echo(f"{rule_id:<16} {severity:<8} {description}")
