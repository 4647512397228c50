"""A rule added to the built-in modules runs everywhere: no fast path or list can leave it out.

The fixture adds one decorated function, in one of two ways: a new function in an existing
built-in rule module, or a new module file in the rules package (here a temporary directory
on the package's search path, so the source tree is not touched). Nothing else is edited; the
rule must then fire through ``validate``, each tier of ``validate_json``, ``validate_many`` and
``voxkit validate`` (in this process and in worker processes), and be listed by ``voxkit rules``.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

import vox_validators
import vox_validators._validate as validate_module
import vox_validators.rules
from tests.support.campaigns import valid_campaign
from vox_validators import Finding, validate, validate_json, validate_many
from vox_validators._validate import _TIER_ONE, _tier_one, _TierOne
from vox_validators.rules import _windows
from vox_validators.rules._registry import discover
from voxkit.cli import cli

NEW_RULE = """
@rule(
    "VOX-E999",
    severity="error",
    schemas=("Campaign", "UpdateCampaignRequest"),
    description="The name is not 'forbidden'.",
    source="a test",
)
def name_is_not_forbidden(record):
    if record.get("name") == "forbidden":
        yield "/name", "'forbidden' is a forbidden name"
"""
EXPECTED = Finding("VOX-E999", "error", "/name", "'forbidden' is a forbidden name")


@pytest.fixture(params=["function in an existing module", "new module file"])
def new_rule(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    if request.param == "function in an existing module":
        namespace = vars(_windows)
        exec(compile(NEW_RULE, _windows.__file__ or "_windows.py", "exec"), namespace)
        try:
            discover()
            yield
        finally:
            del namespace["name_is_not_forbidden"]
            discover()
        return
    module_file = tmp_path / "_forbidden_names.py"
    module_file.write_text(
        "from vox_validators.rules._registry import rule\n" + textwrap.dedent(NEW_RULE),
        encoding="utf-8",
    )
    search_path = vox_validators.rules.__path__
    search_path.append(str(tmp_path))
    try:
        discover()
        yield
    finally:
        search_path.remove(str(tmp_path))
        sys.modules.pop("vox_validators.rules._forbidden_names", None)
        discover()


@pytest.fixture
def tiers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the tiers that gave the findings, in call order (a spy on each)."""
    used: list[str] = []

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def spied(*args: Any) -> Any:
            result = real(*args)
            if result is not None:
                used.append(name)
            return result

        return spied

    for name in ("_predicate_tier", "_reference_tier", "_exact_findings"):
        monkeypatch.setattr(validate_module, name, spy(name, getattr(validate_module, name)))
    tier = _TIER_ONE.get("Campaign") or _tier_one("Campaign")
    assert tier.decode is not None
    assert tier.decode_skipping is not None
    monkeypatch.setitem(
        _TIER_ONE,
        "Campaign",
        _TierOne(
            decode=spy("struct", tier.decode),
            decode_skipping=spy("typeddict", tier.decode_skipping),
        ),
    )
    return used


def _forbidden(**changes: Any) -> dict[str, Any]:
    return valid_campaign(name="forbidden", **changes)


@pytest.mark.usefixtures("new_rule")
@pytest.mark.parametrize(
    ("record", "strict", "tier", "others"),
    [
        (_forbidden(), False, "struct", []),
        (_forbidden(added_by_the_api=1), False, "typeddict", []),
        (_forbidden(added_by_the_api=1), True, "_predicate_tier", ["drift"]),
        (_forbidden(total_calls=1200.0), False, "_predicate_tier", []),
        (_forbidden(added_by_the_api=float("nan")), False, "_reference_tier", []),
    ],
    ids=[
        "msgspec struct",
        "msgspec TypedDict",
        "orjson + predicate",
        "orjson + jsonschema",
        "json.loads + jsonschema (NaN)",
    ],
)
def test_a_new_rule_fires_on_every_tier_of_validate_json(
    tiers: list[str], record: dict[str, Any], strict: bool, tier: str, others: list[str]
) -> None:
    data = json.dumps(record)  # 1200.0 stays a float
    findings = validate_json(data, strict=strict)
    assert tiers[-1] == tier  # the tier this input is for gave the findings
    assert EXPECTED in findings
    assert [f.rule for f in findings if f != EXPECTED] == others
    assert validate_json(data.encode(), strict=strict) == findings


@pytest.mark.usefixtures("new_rule")
def test_a_new_rule_fires_through_validate_and_validate_many(tiers: list[str]) -> None:
    assert validate(_forbidden()) == [EXPECTED]
    assert tiers == []  # the predicate vouched: no tier function ran
    assert validate(_forbidden(total_calls=1200.0)) == [EXPECTED]
    assert tiers == ["_exact_findings"]
    assert validate({"name": "forbidden"}, "UpdateCampaignRequest") == [EXPECTED]
    assert EXPECTED not in validate(_forbidden(), "CreateCampaignRequest")  # not its schema
    records = [_forbidden(), orjson.dumps(_forbidden()), valid_campaign()]
    assert list(validate_many(records)) == [[EXPECTED], [EXPECTED], []]


@pytest.mark.usefixtures("new_rule")
def test_a_new_rule_is_in_the_registry_and_the_rules_listing() -> None:
    assert vox_validators.RULES_BY_ID["VOX-E999"].description == "The name is not 'forbidden'."
    assert "VOX-E999" in [each.id for each in vox_validators.rules.RULES]
    result = CliRunner().invoke(cli, ["rules", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "VOX-E999" in [entry["id"] for entry in json.loads(result.output)]


@pytest.mark.usefixtures("new_rule")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_new_rule_fires_through_voxkit_validate(tmp_path: Path, jobs: str) -> None:
    lines = [_forbidden(), valid_campaign(), _forbidden(added_by_the_api=1)]
    path = tmp_path / "campaigns.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "jsonl", "--jobs", jobs])
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [[f["rule"] for f in record["findings"]] for record in records[:-1]] == [
        ["VOX-E999"],
        [],
        ["VOX-E999"],
    ]


def test_without_the_fixture_the_rule_is_gone() -> None:
    """The fixture leaves the registry as it found it."""
    assert "VOX-E999" not in vox_validators.RULES_BY_ID
    assert validate_json(orjson.dumps(_forbidden())) == []


def test_two_built_in_rules_with_one_id_are_refused() -> None:
    namespace = vars(_windows)
    exec(compile(NEW_RULE.replace("VOX-E999", "VOX-E001"), "_windows.py", "exec"), namespace)
    try:
        with pytest.raises(RuntimeError, match="'VOX-E001' names two built-in rules"):
            discover()
    finally:
        del namespace["name_is_not_forbidden"]
        discover()
