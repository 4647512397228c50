"""Every check of ``voxkit spec diff``, each on its own pair of small specs."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from tests.support.paths import REPO_ROOT
from tests.support.specdiff_cases import FIXTURES, Case, bound_cases, dump, fixture_cases
from vox_validators.jsonpointer import lookup
from voxkit.specdiff import (
    CHECKS,
    OASDIFF_CHECK_IDS,
    Classification,
    DiffReport,
    Document,
    diff_documents,
    load_file,
)

FIXTURE_CASES = fixture_cases()
FIXTURE_NAMES = {case.name for case in FIXTURE_CASES}
# Bounds that oasdiff does not name: the same code, checked in memory rather than from files.
IN_MEMORY_CASES = [case for case in bound_cases() if case.name not in FIXTURE_NAMES]


def _check_report(case: Case, report: DiffReport, old: Document, new: Document) -> None:
    found = sorted({(change.id, change.classification.value) for change in report.changes})
    assert found == sorted(set(case.expected))
    assert len(report.changes) == len(case.expected), "one entry per change, uses grouped"
    for change in report.changes:
        # Every change points into both documents, at a node that exists there.
        assert lookup(old.content, "#" + change.old_pointer)[0], change
        assert lookup(new.content, "#" + change.new_pointer)[0], change
        assert change.message


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=lambda case: case.name)
def test_fixture_pair(case: Case) -> None:
    old = load_file(FIXTURES / case.name / "old.yaml")
    new = load_file(FIXTURES / case.name / "new.yaml")
    _check_report(case, diff_documents(old, new), old, new)


@pytest.mark.parametrize("case", IN_MEMORY_CASES, ids=lambda case: case.name)
def test_bound_in_memory(case: Case) -> None:
    old_content, new_content = case.documents()
    old, new = Document("old", old_content), Document("new", new_content)
    _check_report(case, diff_documents(old, new), old, new)


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=lambda case: case.name)
def test_fixture_files_are_the_described_case(case: Case) -> None:
    old, new = case.documents()
    assert (FIXTURES / case.name / "old.yaml").read_text(encoding="utf-8") == dump(old)
    assert (FIXTURES / case.name / "new.yaml").read_text(encoding="utf-8") == dump(new)


def test_no_stray_fixtures() -> None:
    assert {path.name for path in FIXTURES.iterdir()} == FIXTURE_NAMES


def test_every_oasdiff_check_has_its_own_fixture_pair() -> None:
    for check_id in OASDIFF_CHECK_IDS:
        assert check_id in FIXTURE_NAMES, check_id
        assert (FIXTURES / check_id / "old.yaml").is_file()


def test_every_catalogued_check_is_exercised() -> None:
    exercised = {
        check_id for case in (*FIXTURE_CASES, *IN_MEMORY_CASES) for check_id, _ in case.expected
    }
    assert exercised == set(CHECKS)


def test_a_checks_classification_is_the_same_in_every_case() -> None:
    for case in (*FIXTURE_CASES, *IN_MEMORY_CASES):
        for check_id, classification in case.expected:
            assert CHECKS[check_id].classification == Classification(classification), check_id


def test_the_docs_list_exactly_the_oasdiff_checks_implemented() -> None:
    # The list moved from the README to the generated reference page of the docs site.
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO_ROOT / "docs/_gen/hooks.py")
    assert spec is not None
    assert spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    rows = [line for line in hooks.checks_page().splitlines() if line.startswith("| `")]
    listed = {re.findall(r"`([a-z0-9-]+)`", row)[0] for row in rows if "*oasdiff*" in row}
    assert listed == OASDIFF_CHECK_IDS


def test_fixtures_are_small_valid_yaml() -> None:
    for path in Path(FIXTURES).rglob("*.yaml"):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert content["openapi"] == "3.1.0"
        assert len(path.read_text(encoding="utf-8").splitlines()) < 200
