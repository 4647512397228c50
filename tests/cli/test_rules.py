"""``voxkit rules``: text and JSON listings of the rule registry."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
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


CUSTOM_RULES = """
from vox_validators import rule


@rule("ACME-W001", severity="warning", description="Campaigns call at most 1,000 people.",
      source="ACME calling policy", schemas=("Campaign", "CreateCampaignRequest"))
def at_most_a_thousand_calls(record):
    if record.get("total_calls", 0) > 1000:
        yield "/total_calls", "too many calls"
"""


def test_rules_lists_custom_rules_beside_the_built_in_ones(tmp_path: Path) -> None:
    path = tmp_path / "acme.py"
    path.write_text(CUSTOM_RULES, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "--rules", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    custom = lines.index(next(line for line in lines if line.startswith("ACME-W001")))
    assert lines[custom].split(None, 2) == [
        "ACME-W001",
        "warning",
        "Campaigns call at most 1,000 people.",
    ]
    assert lines[custom + 1].strip() == "source: ACME calling policy"
    assert lines[custom + 2].strip() == "applies to: Campaign, CreateCampaignRequest"
    assert custom > max(i for i, line in enumerate(lines) if line.startswith("VOX-"))
    assert lines[-1].startswith("schema/<keyword>")
    listed = json.loads(
        CliRunner().invoke(cli, ["rules", "--format", "json", "--rules", str(path)]).output
    )
    assert listed[: len(RULES)] == [rule.as_dict() for rule in RULES]
    assert listed[len(RULES) :] == [
        {
            "id": "ACME-W001",
            "severity": "warning",
            "description": "Campaigns call at most 1,000 people.",
            "source": "ACME calling policy",
            "schemas": ["Campaign", "CreateCampaignRequest"],
        }
    ]


def test_rules_from_a_module_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "acme_cli_rules.py").write_text(CUSTOM_RULES, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "acme_cli_rules", raising=False)
    result = CliRunner().invoke(cli, ["rules", "--format", "json", "--rules", "acme_cli_rules"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[-1]["id"] == "ACME-W001"
    sys.modules.pop("acme_cli_rules", None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CUSTOM_RULES.replace("ACME-W001", "VOX-E001"), "'VOX-E001' ("),
        ("raise ImportError('no acme here')", ": ImportError: no acme here"),
        ("X = 1", ": defines no Rule at its top level"),
    ],
    ids=["clash with a built-in id", "import error", "no rule"],
)
def test_rules_that_cannot_be_used_are_a_usage_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.py"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "--rules", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith("voxkit: error: ")
    assert message in result.output
    assert len(result.output.splitlines()) == 1  # one line, no traceback


def test_two_custom_rules_with_one_id_are_a_usage_error(tmp_path: Path) -> None:
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text(CUSTOM_RULES, encoding="utf-8")
    second.write_text(CUSTOM_RULES, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "--rules", str(first), "--rules", str(second)])
    assert result.exit_code == 2
    assert "'ACME-W001' names two custom rules" in result.output
    assert len(result.output.splitlines()) == 1
    same = CliRunner().invoke(cli, ["rules", "--rules", str(first), "--rules", str(first)])
    assert same.exit_code == 0, same.output


def test_rules_lists_the_rules_of_installed_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acme_installed_rules.py").write_text(CUSTOM_RULES, encoding="utf-8")
    info = tmp_path / "acme_installed_rules-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-installed-rules\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[voxkit.rules]\nacme = acme_installed_rules\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    sys.modules.pop("acme_installed_rules", None)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[-1]["id"] == "ACME-W001"
