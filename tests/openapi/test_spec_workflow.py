"""The GitHub Actions workflow cannot run here: check its shape, and that it installs and
tests exactly as ``.ci/run`` does."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "spec.yml"
CI_RUN = REPO_ROOT / ".ci" / "run"


def _commands(script: str) -> list[list[str]]:
    """Each simple command of a shell script, as words: lines split at ``&&``, comments dropped."""
    commands: list[list[str]] = []
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        current: list[str] = []
        for word in [*words, "&&"]:
            if word == "&&":
                if current:
                    commands.append(current)
                current = []
            else:
                current.append(word)
    return commands


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    content = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(content, dict)
    return content


def _steps(workflow: dict[Any, Any], job: str = "spec") -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return steps


def _run_commands(workflow: dict[Any, Any], job: str = "spec") -> list[list[str]]:
    return [command for step in _steps(workflow, job) for command in _commands(step.get("run", ""))]


def test_triggers_on_changes_to_the_spec_and_what_is_generated(workflow: dict[Any, Any]) -> None:
    triggers: dict[str, Any] = workflow["on"] if "on" in workflow else workflow[True]
    # (YAML 1.1, which PyYAML reads, takes a bare `on` key for the boolean true.)
    # Every push and pull request, whatever it changes: changes to openapi/, generator/ and
    # generated_client/ among them, and to src/ or validators/ too.
    for event in ("pull_request", "push"):
        assert event in triggers
        trigger = triggers[event] or {}
        for key in ("paths", "paths-ignore", "branches", "branches-ignore", "tags"):
            assert key not in trigger, (event, key)


def test_sets_up_python_3_11(workflow: dict[Any, Any]) -> None:
    setups = [
        s for s in _steps(workflow) if str(s.get("uses", "")).startswith("actions/setup-python@")
    ]
    assert [s["with"]["python-version"] for s in setups] == ["3.11"]


def test_installs_and_tests_with_the_commands_of_ci_run(workflow: dict[Any, Any]) -> None:
    ci = [
        command
        for command in _commands(CI_RUN.read_text(encoding="utf-8"))
        # Shell setup and the removal of a stale .venv: a fresh checkout has neither need.
        # System packages (the browser of the docs test): the runner image has its own.
        if command[0] not in ("set", "cd", "if", "fi", "apt-get") and command[:2] != ["rm", "-rf"]
    ]
    assert ci == [
        ["python3", "-m", "venv", ".venv"],
        [".venv/bin/pip", "install", "-e", ".[test]"],
        [".venv/bin/python", "-m", "pytest"],
    ]
    in_workflow = _run_commands(workflow)
    positions = [in_workflow.index(command) for command in ci]
    assert positions == sorted(positions), "same order as .ci/run"


def test_fails_on_drift_before_the_tests(workflow: dict[Any, Any]) -> None:
    commands = _run_commands(workflow)
    check = commands.index([".venv/bin/python", "-m", "generator", "--check"])
    assert check < commands.index([".venv/bin/python", "-m", "pytest"])


def test_writes_the_markdown_diff_to_the_job_summary(workflow: dict[Any, Any]) -> None:
    diffs = [c for c in _run_commands(workflow) if c[:3] == [".venv/bin/voxkit", "spec", "diff"]]
    assert len(diffs) == 1
    (command,) = diffs
    assert command[3] == "--git"
    assert command[5:] == ["--format", "markdown", ">>", "$GITHUB_STEP_SUMMARY"]
    (step,) = [s for s in _steps(workflow) if "voxkit spec diff" in s.get("run", "")]
    assert step["if"] == "${{ !cancelled() }}"


def test_checkout_keeps_history_for_git_diff(workflow: dict[Any, Any]) -> None:
    (checkout,) = [
        s for s in _steps(workflow) if str(s.get("uses", "")).startswith("actions/checkout@")
    ]
    assert checkout["with"]["fetch-depth"] == 0


def test_builds_the_docs_strictly(workflow: dict[Any, Any]) -> None:
    commands = _run_commands(workflow, "docs")
    assert [".venv/bin/pip", "install", "-e", ".[docs]"] in commands
    (build,) = [c for c in commands if c[:2] == [".venv/bin/mkdocs", "build"]]
    assert "--strict" in build
    assert set(workflow["jobs"]) == {"spec", "docs"}
