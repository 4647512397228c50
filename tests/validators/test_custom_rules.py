"""Custom rules: ``rules=`` on every tier, a rule that raises, clashes, files, modules, entry points."""

from __future__ import annotations

import functools
import importlib
import json
import pickle
import sys
import textwrap
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pytest

import vox_validators
from tests.support.campaigns import valid_campaign
from vox_validators import Finding, Rule, rule, validate, validate_json, validate_many
from vox_validators.rules import (
    REJECTED,
    RuleClashError,
    RuleError,
    RuleLoadError,
    _loading,
    check_extra_rules,
    entry_point_rules,
    load_rules,
)


@rule(
    "ACME-W001",
    severity="warning",
    schemas=("Campaign", "CreateCampaignRequest"),
    description="Campaigns call at most 1,000 people.",
    source="ACME calling policy",
)
def at_most_a_thousand_calls(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    total = record.get("total_calls")
    if isinstance(total, int | float) and total > 1000:
        yield "/total_calls", f"{total} calls is more than the 1,000 ACME allows"


@rule("ACME-E001", severity="error", description="Never runs.", source="a test")
def broken(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    yield "/name", "found before the failure"
    raise ZeroDivisionError("the rule's bug")


@rule("ACME-E002", severity="error", description="The ACME tag is 'acme'.", source="a test")
def acme_tag(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    tag = record.get("acme_tag")  # a member the spec does not list
    if tag is not None and tag != "acme":
        yield "/acme_tag", f"{tag!r} is not 'acme'"


ACME = Finding(
    "ACME-W001", "warning", "/total_calls", "1200 calls is more than the 1,000 ACME allows"
)
INTERNAL = Finding(
    "internal",
    "error",
    "",
    'rule ACME-E001 failed on this record: ZeroDivisionError("the rule\'s bug")',
)

# One input for each tier of validate_json (tests/validators/test_registry.py proves which).
TIERS = {
    "msgspec struct": valid_campaign(),
    "orjson + predicate": valid_campaign(acme_tag="acme"),  # unknown member, extra rules: tier 2
    "jsonschema reference": valid_campaign(completed_calls=640.0),
}


@pytest.mark.parametrize("record", list(TIERS.values()), ids=list(TIERS))
def test_extra_rules_run_after_the_built_in_ones_on_every_tier(record: dict[str, Any]) -> None:
    record = {**record, "concurrency": 20, "active_concurrency": 21}  # VOX-E007 fires too
    data = json.dumps(record)  # 640.0 stays a float
    findings = validate_json(data, rules=[at_most_a_thousand_calls])
    assert [f.rule for f in findings] == ["VOX-E007", "ACME-W001"]
    assert findings[1] == ACME
    assert validate(json.loads(data), rules=(at_most_a_thousand_calls,)) == findings
    assert validate_json(data) == findings[:1]  # and nothing stays registered


@pytest.mark.parametrize("record", list(TIERS.values()), ids=list(TIERS))
def test_a_rule_that_raises_is_one_internal_finding_and_the_others_run(
    record: dict[str, Any],
) -> None:
    rules = (broken, at_most_a_thousand_calls)
    findings = validate_json(json.dumps(record), rules=rules)
    assert findings == [
        Finding("ACME-E001", "error", "/name", "found before the failure"),
        INTERNAL,
        ACME,
    ]
    assert validate(record, rules=rules) == findings
    assert list(validate_many([record, orjson.dumps(record)], rules=iter(rules))) == [findings] * 2


def test_extra_rules_see_members_the_spec_does_not_list() -> None:
    """With extra rules the TypedDict pass (which drops unknown members) is not used."""
    record = valid_campaign(acme_tag="other")
    expected = [Finding("ACME-E002", "error", "/acme_tag", "'other' is not 'acme'")]
    assert validate_json(orjson.dumps(record), rules=[acme_tag]) == expected
    assert validate(record, rules=[acme_tag]) == expected
    assert validate_json(orjson.dumps(record), rules=[acme_tag], strict=True) == [
        Finding(
            "drift", "warning", "/acme_tag", "'acme_tag' is not a field of Campaign in the spec"
        ),
        *expected,
    ]


def test_extra_rules_apply_to_their_schemas_only() -> None:
    request = {"name": "x", "total_calls": 5000}
    assert validate(request, "UpdateCampaignRequest", rules=[at_most_a_thousand_calls]) == []
    create = {
        "name": "x",
        "from_number": "1",
        "agent": valid_campaign()["agent"],
        "tasks": [{}],
        "total_calls": 5000,
    }
    assert [
        f.rule for f in validate(create, "CreateCampaignRequest", rules=[at_most_a_thousand_calls])
    ] == ["ACME-W001"]
    catalogue_only = Rule("ACME-E100", "error", "listed only", "a test")
    assert validate(valid_campaign(), rules=[catalogue_only]) == []


def test_what_the_schema_rejected_is_invisible_to_rules() -> None:
    seen: list[Any] = []

    @rule(
        "ACME-E003",
        severity="error",
        schemas=("Campaign", "UpdateCampaignRequest"),
        description="Looks.",
        source="a test",
    )
    def looks(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        seen.append(record)
        return iter(())

    record = valid_campaign(status="bogus")
    record["call_time_window"]["windows"].append({"start_min": 1, "end_min": "x", "days": []})
    findings = validate_json(orjson.dumps(record), rules=[looks])
    assert [f.rule for f in findings] == ["schema/enum", "schema/anyOf"]
    assert validate(record, rules=[looks]) == findings
    assert len(seen) == 2
    for view in seen:  # the bad status and the setting with the bad window are not there
        assert "status" not in view
        assert "call_time_window" not in view
        assert view["name"] == record["name"]
    # A rejected array item (in a request, where no anyOf rejects the whole setting) is REJECTED.
    request = {"call_time_window": valid_campaign()["call_time_window"]}
    request["call_time_window"]["windows"][0]["days"] = ["Monday", "Someday", "Friday"]
    seen.clear()
    findings = validate_json(orjson.dumps(request), "UpdateCampaignRequest", rules=[looks])
    assert [(f.rule, f.path) for f in findings] == [
        ("schema/enum", "/call_time_window/windows/0/days/1")
    ]
    assert validate(request, "UpdateCampaignRequest", rules=[looks]) == findings
    assert len(seen) == 2
    for view in seen:
        assert view["call_time_window"]["windows"][0]["days"] == ["Monday", REJECTED, "Friday"]
    assert request["call_time_window"]["windows"][0]["days"][1] == "Someday"  # not modified
    assert pickle.loads(pickle.dumps(REJECTED)) is REJECTED
    assert repr(REJECTED) == "REJECTED"


def test_a_rule_is_its_metadata_and_its_function() -> None:
    assert isinstance(at_most_a_thousand_calls, Rule)
    assert at_most_a_thousand_calls.as_dict() == {
        "id": "ACME-W001",
        "severity": "warning",
        "description": "Campaigns call at most 1,000 people.",
        "source": "ACME calling policy",
        "schemas": ["Campaign", "CreateCampaignRequest"],
    }
    check = at_most_a_thousand_calls.check
    assert check is not None
    assert list(check({"total_calls": 1001})) == [
        ("/total_calls", "1001 calls is more than the 1,000 ACME allows")
    ]
    assert vox_validators.rule is rule
    assert pickle.loads(pickle.dumps(at_most_a_thousand_calls)) == at_most_a_thousand_calls
    with pytest.raises(ValueError, match="'fatal' is not a severity"):
        rule("X", severity="fatal", description="d", source="s")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a string"):
        rule("X", severity="error", schemas="Campaign", description="d", source="s")


# clashes -----------------------------------------------------------------------------------------
def test_an_id_of_a_built_in_rule_is_a_clash() -> None:
    for rule_id in ("VOX-E001", "parse", "drift", "internal", "schema/type"):
        with pytest.raises(RuleClashError, match=f"'{rule_id}' .* is the id of a built-in rule"):
            check_extra_rules([Rule(rule_id, "error", "d", "s")])
    assert issubclass(RuleClashError, RuleError)
    assert issubclass(RuleError, ValueError)


def test_two_custom_rules_with_one_id_clash_but_one_rule_twice_does_not() -> None:
    again = Rule("ACME-W001", "warning", "another rule", "s")
    with pytest.raises(RuleClashError, match="'ACME-W001' names two custom rules") as raised:
        check_extra_rules([at_most_a_thousand_calls, again])
    assert "\n" not in str(raised.value)
    assert "test_custom_rules" in str(raised.value)  # where the first one is defined
    assert check_extra_rules(
        iter([at_most_a_thousand_calls, broken, at_most_a_thousand_calls])
    ) == (at_most_a_thousand_calls, broken)
    with pytest.raises(RuleError, match="is not a Rule"):
        check_extra_rules(["ACME-W001"])  # type: ignore[list-item]


# load_rules ---------------------------------------------------------------------------------------
RULES_FILE = """
from vox_validators import rule
from vox_validators.rules._windows import time_zone_is_iana  # imported: not this file's


@rule("ACME-E010", severity="error", description="No test campaigns.", source="ACME")
def no_test_campaigns(record):
    if "test" in record.get("name", ""):
        yield "/name", f"{record['name']!r} is a test campaign"


@rule("ACME-W010", severity="warning", description="Scheduled.", source="ACME")
def scheduled(record):
    if record.get("scheduled_at") is None:
        yield "/scheduled_at", "null scheduled_at: the campaign runs at once"
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_load_rules_from_a_python_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "acme rules.py", RULES_FILE)
    loaded = load_rules(str(path))
    assert [each.id for each in loaded] == ["ACME-E010", "ACME-W010"]
    assert load_rules(str(path)) == loaded  # the same module: no clash with itself
    assert check_extra_rules([*loaded, *load_rules(str(path))]) == tuple(loaded)
    record = valid_campaign(name="a test", scheduled_at=None)
    assert [f.rule for f in validate(record, rules=loaded)] == ["ACME-E010", "ACME-W010"]
    module = sys.modules[loaded[0].check.__module__]
    assert module.__file__ == str(path.resolve())


def test_rules_loaded_from_a_file_run_in_worker_processes(tmp_path: Path) -> None:
    loaded = tuple(load_rules(str(_write(tmp_path / "workers.py", RULES_FILE))))
    records = [
        orjson.dumps(valid_campaign(name="test", scheduled_at=None)),
        orjson.dumps(valid_campaign()),
    ]
    check = functools.partial(validate_json, rules=loaded)
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(check, records))
    assert results == [check(record) for record in records]
    assert [[f.rule for f in findings] for findings in results] == [["ACME-E010", "ACME-W010"], []]


def test_load_rules_from_a_module_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "acme_vox" / "__init__.py", "")
    _write(tmp_path / "acme_vox" / "campaign_rules.py", RULES_FILE)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        loaded = load_rules("acme_vox.campaign_rules")
        assert [each.id for each in loaded] == ["ACME-E010", "ACME-W010"]
        assert pickle.loads(pickle.dumps(loaded)) == loaded
    finally:
        for name in ("acme_vox.campaign_rules", "acme_vox"):
            sys.modules.pop(name, None)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("missing.py", None, r"missing\.py: no such file$"),
        ("raises.py", "raise RuntimeError('no\\nway')", r"raises\.py: RuntimeError: no way$"),
        ("syntax.py", "def (:\n", r"syntax\.py: SyntaxError: "),
        ("empty.py", "X = 1\n", r"empty\.py: defines no Rule at its top level$"),
    ],
)
def test_a_file_that_cannot_be_loaded_is_a_rule_load_error(
    tmp_path: Path, name: str, text: str | None, message: str
) -> None:
    path = tmp_path / name
    if text is not None:
        _write(path, text)
    with pytest.raises(RuleLoadError, match=message) as raised:
        load_rules(str(path))
    assert "\n" not in str(raised.value)
    if text is None or "Rule" in message:
        return
    assert (
        not [  # a file that failed to import is not left half-imported
            key
            for key, module in sys.modules.items()
            if getattr(module, "__file__", None) == str(path.resolve())
        ]
    )


def test_a_module_that_cannot_be_imported_is_a_rule_load_error() -> None:
    with pytest.raises(RuleLoadError, match="no_such_module_for_voxkit: ModuleNotFoundError: "):
        load_rules("no_such_module_for_voxkit")
    with pytest.raises(RuleLoadError, match="json: defines no Rule"):
        load_rules("json")


# entry points -------------------------------------------------------------------------------------
def _install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str) -> None:
    """A small installed package: ``acme_entry`` and its dist-info, found on sys.path."""
    _write(tmp_path / "acme_entry" / "__init__.py", "")
    _write(
        tmp_path / "acme_entry" / "rules.py",
        RULES_FILE + "\n\nALL = [no_test_campaigns, scheduled]\nNOT_RULES = [1]\n",
    )
    info = tmp_path / "acme_entry-0.1.dist-info"
    _write(info / "METADATA", "Metadata-Version: 2.1\nName: acme-entry\nVersion: 0.1\n")
    _write(info / "entry_points.txt", entry_points)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()


@pytest.fixture
def forget_acme_entry() -> Iterator[None]:
    yield
    for name in ("acme_entry.rules", "acme_entry"):
        sys.modules.pop(name, None)


@pytest.mark.usefixtures("forget_acme_entry")
def test_entry_point_rules_of_an_installed_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert entry_point_rules() == []
    _install(
        tmp_path,
        monkeypatch,
        "[voxkit.rules]\n"
        "b_module = acme_entry.rules\n"
        "a_one = acme_entry.rules:scheduled\n"
        "c_many = acme_entry.rules:ALL\n",
    )
    found = entry_point_rules()
    # In entry point name order: a_one (a Rule), b_module (a module), c_many (an iterable).
    assert [each.id for each in found] == [
        "ACME-W010",
        "ACME-E010",
        "ACME-W010",
        "ACME-E010",
        "ACME-W010",
    ]
    assert check_extra_rules(found) == tuple(found[:2])  # the same rules, each once


@pytest.mark.usefixtures("forget_acme_entry")
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("acme_entry.nowhere", "ModuleNotFoundError"),
        ("acme_entry.rules:NOT_RULES", "names no Rule, module of Rules or iterable of Rules"),
    ],
)
def test_a_broken_entry_point_is_a_rule_load_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    _install(tmp_path, monkeypatch, f"[voxkit.rules]\nbroken = {value}\n")
    with pytest.raises(RuleLoadError, match=f"entry point 'broken' .*{message}"):
        entry_point_rules()


# The look-ahead that spares a run importlib.metadata: it may say "perhaps" wrongly, never "no".
def _declared_by_metadata() -> bool:
    from importlib.metadata import entry_points  # noqa: PLC0415 - the reference, on purpose

    return bool(entry_points(group="voxkit.rules"))


def test_no_declared_group_is_seen_as_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not _declared_by_metadata()
    assert not _loading._may_declare_entry_points()
    # A package declaring other groups only (console scripts): still none.
    info = tmp_path / "other-1.0.dist-info"
    _write(info / "METADATA", "Metadata-Version: 2.1\nName: other\nVersion: 1.0\n")
    _write(info / "entry_points.txt", "[console_scripts]\nother = other:main\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not _declared_by_metadata()
    assert not _loading._may_declare_entry_points()


@pytest.mark.parametrize("suffix", [".dist-info", ".egg-info", ".DIST-INFO"])
def test_a_declared_group_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    info = tmp_path / f"acme_seen-0.1{suffix}"
    _write(info / "METADATA", "Metadata-Version: 2.1\nName: acme-seen\nVersion: 0.1\n")
    _write(info / "PKG-INFO", "Metadata-Version: 2.1\nName: acme-seen\nVersion: 0.1\n")
    _write(info / "entry_points.txt", "[voxkit.rules]\nseen = acme_seen.rules\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert _loading._may_declare_entry_points()
    if suffix != ".DIST-INFO":  # importlib.metadata itself matches the suffix case-sensitively
        assert _declared_by_metadata()


def test_what_the_look_ahead_cannot_read_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "packages.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip file on sys.path
    monkeypatch.syspath_prepend(str(archive))
    assert _loading._may_declare_entry_points()
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(archive)])
    assert not _loading._may_declare_entry_points()

    class Finder:  # another finder of distributions: only importlib.metadata knows what it finds
        @staticmethod
        def find_distributions(*args: object, **kwargs: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder])
    assert _loading._may_declare_entry_points()
