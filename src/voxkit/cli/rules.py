"""``voxkit rules``: list the validation rules (IDs, severities, descriptions, docs sources)."""

from __future__ import annotations

import json

import click

from vox_validators import RULES

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
def rules_command(output_format: str) -> None:
    """List every rule a finding can name: ID, severity, description and docs source."""
    if output_format == "json":
        click.echo(json.dumps([rule.as_dict() for rule in RULES], ensure_ascii=False, indent=2))
        return
    for rule in RULES:
        click.echo(f"{rule.id:<16} {rule.severity:<8} {rule.description}")
        click.echo(f"{'':<26}source: {rule.source}")
        click.echo(f"{'':<26}applies to: {', '.join(rule.schemas)}")
    rule_id, severity, description = _SCHEMA_RULE
    click.echo(f"{rule_id:<16} {severity:<8} {description}")
