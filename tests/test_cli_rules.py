"""``voxkit rules``: text and JSON listings of the rule registry."""

from __future__ import annotations

import json

from click.testing import CliRunner

from vox_validators import RULES
from voxkit.cli import cli


def test_rules_text_lists_every_rule() -> None:
    result = CliRunner().invoke(cli, ["rules"])
    assert result.exit_code == 0, result.output
    for rule in RULES:
        assert any(
            line.startswith(rule.id) and rule.severity in line
            for line in result.output.splitlines()
        )
        assert rule.description in result.output
    assert "schema/<keyword>" in result.output


def test_rules_json_is_the_registry() -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed == [rule.as_dict() for rule in RULES]
    assert {"VOX-E001", "VOX-W001", "drift", "parse"} <= {entry["id"] for entry in listed}


def test_rules_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["rules", "--format", "yaml"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_rules_is_listed_in_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "rules" in result.output
