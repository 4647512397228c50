"""CHANGELOG.md follows Keep a Changelog and records each user-visible change."""

from __future__ import annotations

import re

from tests.support.paths import REPO_ROOT

CHANGELOG = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_keep_a_changelog_structure() -> None:
    assert CHANGELOG.startswith("# Changelog\n")
    assert "keepachangelog.com" in CHANGELOG
    releases = re.findall(r"^## \[([^\]]+)\]", CHANGELOG, flags=re.MULTILINE)
    assert releases[0] == "Unreleased"
    assert set(re.findall(r"^### (.+)$", CHANGELOG, flags=re.MULTILINE)) <= SECTIONS


def test_unreleased_records_each_user_visible_change() -> None:
    unreleased = CHANGELOG.split("## [Unreleased]", 1)[1].split("\n## ", 1)[0]
    for change in (
        "openapi/vox-campaigns-v3.yaml",
        "error",
        "Decision:",
        "`python -m generator`",
        "`python -m generator --check`",
        "vox_generated",
        "`voxkit spec diff",
        ".github/workflows/spec.yml",
    ):
        assert change in unreleased, change
