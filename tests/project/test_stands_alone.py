"""The product stands alone: it cites only its own documentation and the vendor's public pages,
and ships the licence that pyproject.toml declares."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib

import pytest

from tests.support.paths import REPO_ROOT
from tests.support.validate import FINDING_KEYS, RECORD_KEYS, SUMMARY_KEYS, invoke

# Built from pieces, so that this file does not match its own search.
_OUTSIDE_REFERENCES = "|".join(("DESIGN" + r"\.md", r"\.\./" + "shared"))

_VENDOR_PAGES = (
    "https://docs.tryvox.co/api-reference/v3/campaigns/캠페인-조회",
    "https://docs.tryvox.co/api-reference/v3/campaigns/캠페인-생성",
    "https://docs.tryvox.co/api-reference/v3/campaigns/캠페인-수정",
    "https://docs.tryvox.co/api-reference/v3/models/음성-모델-생성.md",
)


def test_no_file_cites_documents_outside_the_repository() -> None:
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    # --untracked: new files count before they are committed; .gitignore'd ones (.venv) do not.
    result = subprocess.run(
        ["git", "grep", "--untracked", "-nE", _OUTSIDE_REFERENCES],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr  # 1: no match, and no error


def test_the_licence_is_the_mit_licence_pyproject_declares() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    licence = (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 the voxkit authors\n")
    words = " ".join(licence.split())
    for sentence in (
        "Permission is hereby granted, free of charge, to any person obtaining a copy",
        "The above copyright notice and this permission notice shall be included in all copies "
        "or substantial portions of the Software.",
        'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND',
    ):
        assert sentence in words, sentence


def test_the_readme_links_the_project_documentation() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("docs/contracts.md", "docs/sources.md", "LICENSE"):
        assert f"]({page}" in readme, page
        assert (REPO_ROOT / page).is_file(), page


def test_sources_name_the_vendor_pages_by_their_public_url() -> None:
    sources = (REPO_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for url in _VENDOR_PAGES:
        assert f"<{url}>" in sources, url
    assert "x-vox-inferred" in sources
    assert '"Decision:"' in sources


def test_the_jsonl_contract_shows_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    contracts = (REPO_ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    marker = "```json\n"
    start = contracts.index(marker) + len(marker)
    documented = contracts[start : contracts.index("```", start)].splitlines()
    monkeypatch.chdir(REPO_ROOT)
    result = invoke(["--format", "jsonl", "examples/invalid/campaigns-broken.jsonl"])
    assert result.exit_code == 1, result.output
    printed = result.stdout.splitlines()
    record, summary = documented
    assert record in printed
    assert summary == printed[-1]
    # The key order is the contract, not only the keys.
    assert list(json.loads(record)) == RECORD_KEYS
    assert list(json.loads(record)["findings"][0]) == FINDING_KEYS
    assert list(json.loads(summary)["summary"]) == SUMMARY_KEYS
