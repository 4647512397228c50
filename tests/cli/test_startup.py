"""Start-up of the command line: which modules a short run imports (structure, not timings).

Each run is a fresh interpreter that calls ``voxkit.cli.main`` as the ``voxkit`` script does,
then writes the names in ``sys.modules`` to a file: a heavy import creeping back into a short
path fails here, whatever the machine's speed (benchmarks/bench_startup.py measures the time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.paths import REPO_ROOT

VALID = REPO_ROOT / "examples" / "valid" / "campaign-ongoing.json"

# Runs main() with the given arguments and dumps sys.modules (also when main() exits).
_RUN = """
import json, sys
out, sys.argv = sys.argv[1], ["voxkit", *sys.argv[2:]]
from voxkit.cli import main
try:
    main()
except SystemExit:
    pass
with open(out, "w", encoding="utf-8") as file:
    json.dump(sorted(sys.modules), file)
"""

# What a client command needs, and nothing that validates one file does.
CLIENT_STACK = ("httpx", "httpcore", "pydantic", "vox_client", "vox_generated.models")
# Imported only by what asks for them: --jobs > 1, --engine spark, --format junit.
ON_DEMAND = (
    "multiprocessing",
    "concurrent.futures",
    "pyspark",
    "pyarrow",
    "voxkit.engine.spark",
    "voxkit.report.junit",
    "xml.sax",
)


def imported_by(tmp_path: Path, *args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(out), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.is_file(), done.stderr
    return set(json.loads(out.read_text("utf-8"))), done


def loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(module.startswith(f"{name}.") for module in modules)


def test_version_imports_neither_click_nor_the_package_metadata(tmp_path: Path) -> None:
    modules, done = imported_by(tmp_path, "--version")
    assert done.returncode == 0
    for heavy in ("click", "importlib.metadata", "vox_validators", *CLIENT_STACK):
        assert not loaded(modules, heavy), heavy


def test_the_quick_version_is_what_click_prints(tmp_path: Path) -> None:
    from voxkit.cli import cli  # noqa: PLC0415 - imported after the subprocess checks above

    _, done = imported_by(tmp_path, "--version")
    assert done.stdout == CliRunner().invoke(cli, ["--version"]).output


@pytest.mark.parametrize("name", [*CLIENT_STACK, *ON_DEMAND])
def test_validating_one_file_imports_no_client_nor_pool(tmp_path: Path, name: str) -> None:
    modules, done = imported_by(tmp_path, "validate", str(VALID))
    assert done.returncode == 0, done.stderr
    assert not loaded(modules, name)


# What a valid JSON file does not need: yaml reads cassettes; jsonschema (and referencing)
# explain what the compiled errors cannot; importlib.metadata reads the entry points, which no
# installed package declares here; the rules' quiet checks are derived only for long runs.
NOT_FOR_ONE_VALID_FILE = (
    "yaml",
    "jsonschema",
    "referencing",
    "importlib.metadata",
    "vox_validators.rules._quiet_checks",
)


@pytest.mark.parametrize("name", NOT_FOR_ONE_VALID_FILE)
def test_a_valid_json_file_needs_none_of_the_heavy_parts(tmp_path: Path, name: str) -> None:
    modules, done = imported_by(tmp_path, "validate", str(VALID))
    assert done.returncode == 0, done.stderr
    assert not loaded(modules, name)


def test_an_invalid_json_file_needs_no_jsonschema_either(tmp_path: Path) -> None:
    invalid = REPO_ROOT / "examples" / "invalid"
    modules, done = imported_by(tmp_path, "validate", str(invalid), "--format", "jsonl")
    assert '"rule": "schema/' in done.stdout, done.stderr  # what the schema rejects, explained
    assert not loaded(modules, "jsonschema")


def test_help_lists_every_command_and_imports_them(tmp_path: Path) -> None:
    from voxkit.cli._group import _COMMANDS  # noqa: PLC0415

    modules, done = imported_by(tmp_path, "--help")
    assert done.returncode == 0
    rows = done.stdout.split("Commands:", 1)[1].splitlines()
    assert [row.split()[0] for row in rows if row.strip()] == sorted(_COMMANDS)
    for home in _COMMANDS.values():
        assert home.partition(":")[0] in modules


def test_the_group_lists_commands_without_importing_them(tmp_path: Path) -> None:
    out = tmp_path / "seen.json"
    code = (
        "import json, sys\n"
        "from voxkit.cli import cli\n"
        "names = list(cli.commands)\n"
        "json.dump([names, 'create' in cli.commands, sorted(sys.modules)], open(sys.argv[1], 'w'))"
    )
    subprocess.run([sys.executable, "-c", code, str(out)], check=True, timeout=120)
    names, has_create, modules = json.loads(out.read_text("utf-8"))
    assert names == sorted(names)
    assert "validate" in names
    assert has_create
    assert not any(
        module.startswith("voxkit.cli.") and module != "voxkit.cli._group" for module in modules
    )


def test_a_command_is_loaded_once_and_can_be_replaced() -> None:
    from voxkit.cli._group import LazyCommands  # noqa: PLC0415

    commands = LazyCommands({"rules": "voxkit.cli.rules:rules_command"})
    first = commands["rules"]
    assert commands["rules"] is first
    assert len(commands) == 1
    with pytest.raises(KeyError):
        commands["frobnicate"]
    del commands["rules"]
    assert "rules" not in commands
    assert list(commands) == []
    commands["rules"] = first
    assert commands["rules"] is first
    bad = LazyCommands({"x": "voxkit.cli._group:_COMMANDS"})
    with pytest.raises(TypeError):
        bad["x"]
