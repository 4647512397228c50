"""``python -m generator``: reproducible, drift-checking, and safe with a broken spec."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml

from generator._pins import PINNED_TOOLS
from tests.generator._offline import offline_env
from tests.support.paths import REPO_ROOT, SPEC_PATH

GENERATED = REPO_ROOT / "generated_client"


def run_generator(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m generator`` offline: it and every tool it starts have sockets blocked
    (``offline/sitecustomize.py``), and any attempt to connect fails the test."""
    with tempfile.TemporaryDirectory(prefix="voxkit-network-log-") as scratch:
        log = Path(scratch) / "network.log"
        result = subprocess.run(
            [sys.executable, "-m", "generator", *args],
            cwd=REPO_ROOT,
            env=offline_env(log),
            capture_output=True,
            text=True,
            check=False,
        )
        assert not log.exists(), log.read_text(encoding="utf-8")
    return result


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def spec_copy(tmp_path: Path, edit: str | None = None) -> Path:
    """A copy of the spec under the same file name, optionally with ``edit`` applied."""
    text = SPEC_PATH.read_text(encoding="utf-8")
    if edit is not None:
        text = edit
    copy = tmp_path / "openapi" / SPEC_PATH.name
    copy.parent.mkdir()
    copy.write_text(text, encoding="utf-8")
    return copy


def test_check_passes_on_main_and_writes_nothing() -> None:
    before = snapshot(GENERATED)
    result = run_generator("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "in sync" in result.stdout
    assert snapshot(GENERATED) == before


def test_regenerating_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_generator("--output", str(first)).returncode == 0
    assert run_generator("--output", str(second)).returncode == 0
    assert snapshot(first) == snapshot(second)
    assert snapshot(first) == snapshot(GENERATED)


def test_check_catches_a_new_response_field(tmp_path: Path) -> None:
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    document["components"]["schemas"]["Campaign"]["properties"]["retry_count"] = {"type": "integer"}
    edited = spec_copy(tmp_path, yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    before = snapshot(GENERATED)
    result = run_generator("--check", "--spec", str(edited))
    assert result.returncode == 1
    assert f"differs: {Path('generated_client/vox_generated/models.py')}" in result.stdout
    assert "openapi_client/models/campaign.py" in result.stdout
    assert "schema.json" in result.stdout
    assert "out of sync" in result.stderr
    assert snapshot(GENERATED) == before


def test_check_lists_missing_and_extra_files(tmp_path: Path) -> None:
    output = tmp_path / "out"
    assert run_generator("--output", str(output)).returncode == 0
    (output / "vox_generated" / "models.py").unlink()
    (output / "vox_generated" / "stray.py").write_text("x = 1\n", encoding="utf-8")
    (output / "vox_generated" / "client_extra").mkdir()
    (output / "vox_generated" / "__pycache__").mkdir(exist_ok=True)
    (output / "vox_generated" / "__pycache__" / "models.cpython-311.pyc").write_bytes(b"\0")
    result = run_generator("--check", "--output", str(output))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"missing: {output / 'vox_generated/models.py'}" in lines
    assert f"extra: {output / 'vox_generated/stray.py'}" in lines
    assert not any("__pycache__" in line for line in lines)


BROKEN_SPECS = {
    "invalid YAML": (
        "openapi: 3.1.0\ninfo: {title: x\n",
        ":3:1: invalid YAML",
    ),
    "unresolvable ref": (
        SPEC_PATH.read_text(encoding="utf-8").replace(
            "$ref: '#/components/schemas/AgentRef'\n", "$ref: '#/components/schemas/Nope'\n", 1
        ),
        "unresolvable $ref '#/components/schemas/Nope' at /components/schemas/Campaign/properties/agent/$ref",
    ),
    "invalid OpenAPI": (
        SPEC_PATH.read_text(encoding="utf-8").replace(
            "      operationId: getCampaign\n", "      operationId: [1]\n"
        ),
        "invalid OpenAPI 3.1 at /paths/~1v3~1campaigns~1{campaign_id}/get/operationId",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_SPECS))
@pytest.mark.parametrize("mode", [(), ("--check",)])
def test_broken_spec_is_a_clear_error_and_touches_nothing(
    tmp_path: Path, case: str, mode: tuple[str, ...]
) -> None:
    text, expected = BROKEN_SPECS[case]
    broken = spec_copy(tmp_path, text)
    output = tmp_path / "out"
    assert run_generator("--output", str(output)).returncode == 0
    before = snapshot(output)
    result = run_generator(*mode, "--spec", str(broken), "--output", str(output))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert str(broken) in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(output) == before


def test_missing_spec_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_generator("--check", "--spec", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "cannot read the spec" in result.stderr


def test_every_generated_file_carries_the_spec_hash() -> None:
    digest = hashlib.sha256(SPEC_PATH.read_bytes()).hexdigest()
    files = [p for p in GENERATED.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert len(files) > 20
    for path in files:
        first_line = path.read_text(encoding="utf-8").splitlines()[:2]
        header = " ".join(first_line)
        assert f"openapi/vox-campaigns-v3.yaml (sha256 {digest})" in header, path


def test_pins_match_the_generate_extra() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = set(pyproject["project"]["optional-dependencies"]["generate"])
    assert {f"{name}=={version}" for name, version in PINNED_TOOLS.items()} <= extra
    assert all("==" in requirement for requirement in extra)
