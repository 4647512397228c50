"""``vox_client`` stands on its own: it never imports ``voxkit`` (the command line built on it),
and its user agent names the distribution's version from the installed metadata."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib import metadata

import pytest

import vox_client._client
from tests.support.client import DRAFT, TEST_KEY, Script, campaign_response
from tests.support.paths import REPO_ROOT
from vox_client import Client


def test_no_module_of_vox_client_imports_voxkit() -> None:
    found = []
    for path in sorted((REPO_ROOT / "src" / "vox_client").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [f"{path.name}: {m}" for m in modules if m.split(".")[0] == "voxkit"]
    assert found == []


def test_using_the_client_loads_no_voxkit_module() -> None:
    code = (
        "import sys, httpx, vox_client\n"
        "transport = httpx.MockTransport(lambda r: httpx.Response(404))\n"
        "with vox_client.Client(api_key='k', transport=transport, max_retries=0) as c:\n"
        "    try:\n"
        "        c.campaigns.get('cmp_1')\n"
        "    except vox_client.NotFoundError:\n"
        "        pass\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'voxkit')\n"
        "print(bad)\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_user_agent_names_the_installed_version() -> None:
    script = Script(campaign_response())
    with Client(api_key=TEST_KEY, transport=script.transport()) as client:
        client.campaigns.get(DRAFT["id"])
    expected = f"voxkit/{metadata.version('voxkit')} (vox_client)"
    assert script.requests[0].headers["User-Agent"] == expected


def test_without_metadata_the_version_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    vox_client._client._user_agent.cache_clear()
    try:
        assert vox_client._client._user_agent() == "voxkit/0+unknown (vox_client)"
    finally:
        vox_client._client._user_agent.cache_clear()
