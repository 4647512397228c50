"""The public API of vox_validators: names, signatures, registry, picklability."""

from __future__ import annotations

import inspect
import pickle
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson
import pytest

import vox_validators
from tests.support.campaigns import valid_campaign
from tests.support.paths import REPO_ROOT
from vox_validators import (
    RULES,
    RULES_BY_ID,
    SCHEMAS,
    Finding,
    Rule,
    is_valid,
    validate,
    validate_json,
    validate_many,
)
from vox_validators.rules._registry import RETIRED

PUBLIC = [
    "RULES",
    "RULES_BY_ID",
    "SCHEMAS",
    "Finding",
    "Rule",
    "Severity",
    "is_valid",
    "rule",
    "validate",
    "validate_json",
    "validate_many",
    "validate_record",
]


def test_all_is_explicit_and_sorted() -> None:
    assert vox_validators.__all__ == PUBLIC

    # isort style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions.
    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert vox_validators.__all__ == sorted(vox_validators.__all__, key=kind)
    for name in vox_validators.__all__:
        assert hasattr(vox_validators, name)
    package = REPO_ROOT / "validators" / "vox_validators"
    public_modules = sorted(
        path.stem
        for path in package.iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").is_file())
        and not path.name.startswith("_")
    )
    # The public modules and subpackages; every implementation module is private.
    assert public_modules == ["jsonpointer", "rules", "sources", "spark", "testing"]
    # Inside the public subpackages every module is private; _tiers is private as a whole.
    for subpackage in ("rules", "sources"):
        inside = [path.stem for path in (package / subpackage).glob("*.py")]
        assert inside
        assert all(name.startswith("_") for name in inside), (subpackage, inside)


def test_signatures_other_engineers_rely_on() -> None:
    assert (
        str(inspect.signature(validate))
        == "(instance: 'object', schema: 'str' = 'Campaign', *, strict: 'bool' = False, "
        "rules: 'Iterable[Rule]' = ()) -> 'list[Finding]'"
    )
    assert (
        str(inspect.signature(validate_json))
        == "(data: 'bytes | str', schema: 'str' = 'Campaign', *, strict: 'bool' = False, "
        "rules: 'Iterable[Rule]' = ()) -> 'list[Finding]'"
    )
    finding = Finding("schema/type", "error", "/a", "m")
    assert (finding.rule, finding.severity, finding.path, finding.message) == (
        "schema/type",
        "error",
        "/a",
        "m",
    )
    with pytest.raises(AttributeError):
        finding.rule = "x"  # type: ignore[misc]
    rule = Rule("VOX-E999", "error", "d", "s")
    assert (rule.id, rule.severity, rule.description, rule.source) == (
        "VOX-E999",
        "error",
        "d",
        "s",
    )


def test_the_four_schemas_are_known() -> None:
    assert {"Campaign", "ErrorEnvelope", "UpdateCampaignRequest", "CreateCampaignRequest"} <= set(
        SCHEMAS
    )
    with pytest.raises(KeyError, match="Nope"):
        validate({}, "Nope")
    with pytest.raises(KeyError, match="Nope"):
        validate_json(b"{}", "Nope")


def test_rule_registry_is_complete_and_stable() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)) == len(RULES_BY_ID)
    for rule in RULES:
        assert re.fullmatch(
            r"VOX-[EW]\d{3}|parse|drift|internal|undocumented|not-captured|limit|secret", rule.id
        )
        if rule.id.startswith("VOX-"):
            assert rule.severity == {"E": "error", "W": "warning"}[rule.id[4]]
        assert rule.description
        assert "\n" not in rule.description
        assert rule.source
        assert set(rule.schemas) <= set(SCHEMAS)
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (REPO_ROOT / "validators" / "vox_validators").rglob("*.py")
    )
    used = set(re.findall(r'"(VOX-[EW]\d{3})"', source))
    assert used == {rule_id for rule_id in ids if rule_id.startswith("VOX-")} | set(RETIRED)


def test_validate_json_is_picklable_and_runs_in_other_processes() -> None:
    assert pickle.loads(pickle.dumps(validate_json)) is validate_json
    records = [
        orjson.dumps(valid_campaign()),
        orjson.dumps(valid_campaign(concurrency=0, active_concurrency=0)),
        b"{",
    ]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(validate_json, records))
    assert results == [validate_json(record) for record in records]
    assert [is_valid(findings) for findings in results] == [True, False, False]


def test_validate_many_is_lazy_and_takes_every_form() -> None:
    record = valid_campaign(concurrency=0, active_concurrency=0)
    encoded = orjson.dumps(record)
    results = validate_many([record, encoded, encoded.decode(), bytearray(encoded), b"{"])
    assert not isinstance(results, list)
    first, *rest = list(results)
    assert [f.rule for f in first] == ["schema/minimum"]
    assert rest[:3] == [first, first, first]
    assert [f.rule for f in rest[3]] == ["parse"]


def test_validate_json_takes_any_bytes_like_input() -> None:
    encoded = orjson.dumps(valid_campaign(extra_field=1, concurrency=0, active_concurrency=0))
    expected = validate_json(encoded)
    assert [f.rule for f in expected] == ["schema/minimum"]
    assert validate_json(bytearray(encoded)) == expected  # type: ignore[arg-type]
    assert validate_json(memoryview(encoded)) == expected  # type: ignore[arg-type]
    broken = orjson.dumps(valid_campaign(total_calls="x"))
    assert validate_json(memoryview(broken)) == validate_json(broken)  # type: ignore[arg-type]


def test_is_valid_ignores_warnings() -> None:
    assert is_valid([Finding("VOX-W001", "warning", "/finished_at", "m")])
    assert not is_valid([Finding("VOX-E001", "error", "", "m")])


def test_bundle_file_is_the_generated_one() -> None:
    assert Path(vox_validators.__file__).parent.name == "vox_validators"


def test_importing_the_package_loads_no_schema_and_no_rule() -> None:
    """The generator imports vox_validators.jsonpointer before any generated code exists."""
    script = (
        "import sys, vox_validators, vox_validators.jsonpointer\n"
        "from vox_validators._schema import bundle\n"
        "assert bundle.cache_info().currsize == 0\n"
        "assert 'vox_generated' not in sys.modules\n"
        "assert 'vox_validators.rules._windows' not in sys.modules\n"
        "assert 'Campaign' in vox_validators.SCHEMAS\n"
        "assert 'VOX-E001' in vox_validators.RULES_BY_ID\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=REPO_ROOT)
