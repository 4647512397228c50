"""``voxkit mock``: prints its URL and key, serves, and stops cleanly on Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from voxkit.cli.mock import mock_command

# The command object as the lead's CLI group will hold it, run as its own program.
LAUNCH = "import sys; from voxkit.cli.mock import mock_command; mock_command(sys.argv[1:], prog_name='voxkit mock')"


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str], list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines = []
    settings: dict[str, str] = {}
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if "=" in line and line.strip().startswith("VOX_"):
            name, _, value = line.strip().partition("=")
            settings[name] = value
        if line.startswith("Press Ctrl-C"):
            break
    return process, settings, lines


def _interrupt(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    return process.returncode, out, err


def test_serves_until_ctrl_c_and_stops_cleanly() -> None:
    process, settings, lines = _start()
    try:
        url, key = settings["VOX_BASE_URL"], settings["VOX_API_KEY"]
        assert url.startswith("http://127.0.0.1:")
        assert key.startswith("voxmock_")
        assert lines[0] == f"voxkit mock: the vox.ai v3 campaigns API on {url}"
        assert any("cmp_5b6e0f9d13  ongoing" in line for line in lines)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http:
            assert http.get("/v3/campaigns/cmp_5b6e0f9d13").json()["status"] == "ongoing"
            assert http.patch("/v3/campaigns/cmp_5b6e0f9d13", json={"name": "x"}).status_code == 409
            assert (
                http.get(
                    "/v3/campaigns/cmp_5b6e0f9d13", headers={"Authorization": "Bearer no"}
                ).status_code
                == 401
            )
    finally:
        code, out, err = _interrupt(process)
    assert code == 0, err
    assert out.strip().endswith("voxkit mock: stopped.")
    assert "Traceback" not in err
    assert "GET /v3/campaigns/cmp_5b6e0f9d13" in err  # the request log (no header, no key)
    assert key not in err
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_a_seed_file_and_a_fixed_key(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps([{"id": "cmp_seeded", "status": "paused", "name": "시드"}]), encoding="utf-8"
    )
    process, settings, lines = _start(
        "--seed-file", str(seed), "--api-key", "voxmock_fixed", "--quiet"
    )
    try:
        assert settings["VOX_API_KEY"] == "voxmock_fixed"
        assert [line for line in lines if line.startswith("  cmp_")] == ["  cmp_seeded  paused"]
        response = httpx.get(
            settings["VOX_BASE_URL"] + "/v3/campaigns/cmp_seeded",
            headers={"Authorization": "Bearer voxmock_fixed"},
        )
        assert response.json()["name"] == "시드"
    finally:
        code, _, err = _interrupt(process)
    assert code == 0
    assert err == ""  # --quiet


def test_sigterm_stops_cleanly_too() -> None:
    process, _, _ = _start("--quiet")
    process.terminate()
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "stopped" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a JSON file"),
        ('{"a": 1}', "a seed file is a JSON array"),
        ('[{"status": "ongoing", "finished_at": 1764410400000}]', "VOX-E002 at /finished_at"),
    ],
)
def test_a_bad_seed_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(mock_command, ["--seed-file", str(seed), "--port", "0"])
    assert result.exit_code != 0
    assert message in result.output


def test_only_loopback_hosts() -> None:
    result = CliRunner().invoke(mock_command, ["--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2
    assert "'0.0.0.0' is not one of '127.0.0.1', '::1'" in result.output
