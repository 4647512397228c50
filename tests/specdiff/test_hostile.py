"""``voxkit spec diff`` against hostile documents: reference loops, alias bombs, recursive schemas.

Every document here is small on disk. The ones that used to exhaust memory or hang run in a
child process with an address-space limit and a timeout (``tests/support/memory.py``), so a
regression fails its test instead of the machine.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.support.memory import run_limited
from tests.support.paths import REPO_ROOT
from voxkit.cli import cli
from voxkit.specdiff import SpecLoadError, compare

# Enough for the interpreter, click and PyYAML; far below what the attacks used to take.
MEMORY_MIB = 400
TIMEOUT = 30  # a regression hangs; the fixed command takes well under a second


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["spec", "diff", *map(str, args)])


def document(schemas: dict[str, Any], root: str = "A") -> dict[str, Any]:
    """An OpenAPI document whose one operation answers 200 with ``root``."""
    schema = {"$ref": f"#/components/schemas/{root}"}
    ok = {"description": "", "content": {"application/json": {"schema": schema}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": ok}}}},
        "components": {"schemas": schemas},
    }


def write(tmp_path: Path, name: str, content: dict[str, Any] | str) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def diff_in_child(old: Path, new: Path, *options: str) -> tuple[int, str, str, float]:
    """(exit code, stdout, stderr, seconds) of ``voxkit spec diff`` in a child with capped memory."""
    started = time.monotonic()
    done = run_limited(
        ["python", "-m", "voxkit", "spec", "diff", str(old), str(new), *options],
        memory_mib=MEMORY_MIB,
        timeout=TIMEOUT,
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


# ---- reference loops --------------------------------------------------------------------------

LOOPS: dict[str, tuple[dict[str, Any], str]] = {
    "self": (
        {"A": {"$ref": "#/components/schemas/A"}},
        "$ref cycle #/components/schemas/A -> #/components/schemas/A at /components/schemas/A/$ref",
    ),
    "mutual": (
        {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}},
        "$ref cycle #/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A"
        " at /components/schemas/A/$ref",
    ),
    "entered from a chain": (
        {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/C"},
            "C": {"$ref": "#/components/schemas/B", "description": "siblings do not stop it"},
        },
        "$ref cycle #/components/schemas/B -> #/components/schemas/C -> #/components/schemas/B"
        " at /components/schemas/B/$ref",
    ),
    "a property's schema": (
        {
            "A": {"type": "object", "properties": {"p": {"$ref": "#/components/schemas/L"}}},
            "L": {"$ref": "#/components/schemas/L"},
        },
        "$ref cycle #/components/schemas/L -> #/components/schemas/L at /components/schemas/L/$ref",
    ),
}


@pytest.mark.parametrize("case", sorted(LOOPS))
@pytest.mark.parametrize("side", ["old", "new"])
def test_a_reference_loop_is_an_error_naming_it(tmp_path: Path, case: str, side: str) -> None:
    schemas, message = LOOPS[case]
    looped = write(tmp_path, "looped.json", document(schemas))
    plain = write(tmp_path, "plain.json", document({"A": {"type": "string"}}))
    old, new = (looped, plain) if side == "old" else (plain, looped)
    result = run(old, new)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == f"voxkit spec diff: error: {looped}: {message}\n"


def test_compare_refuses_a_reference_loop_in_a_mapping() -> None:
    looped = document({"A": {"$ref": "#/components/schemas/A"}})
    with pytest.raises(SpecLoadError, match=r"^<new>: \$ref cycle #/components/schemas/A -> "):
        compare(document({"A": {"type": "string"}}), looped)


TREE = {
    "type": "object",
    "properties": {
        "label": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]},
        "owner": {"$ref": "#/components/schemas/Owner"},
    },
}
OWNER = {
    "type": "object",
    "properties": {"login": {"type": "string"}, "nodes": {"$ref": "#/components/schemas/Node"}},
}


def test_a_valid_recursive_schema_is_compared(tmp_path: Path) -> None:
    old = document({"Node": TREE, "Owner": OWNER}, root="Node")
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Owner"]["properties"]["login"]["type"] = "integer"
    new["components"]["schemas"]["Node"]["properties"]["label"]["maxLength"] = 10
    result = run(
        write(tmp_path, "old.json", old), write(tmp_path, "new.json", new), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    changes = [
        (c["id"], c["old_pointer"], c["message"]) for c in json.loads(result.stdout)["changes"]
    ]
    assert changes == [
        (
            "response-property-type-changed",
            "/components/schemas/Owner/properties/login/type",
            "response property `owner.login`: type string became integer",
        ),
        (
            "response-property-max-length-set",
            "/components/schemas/Node/properties/label",
            "response property `label`: maxLength set to 10",
        ),
    ]


def test_a_renamed_property_of_a_recursive_schema_is_recognised(tmp_path: Path) -> None:
    old = document({"Node": TREE, "Owner": OWNER}, root="Node")
    new = copy.deepcopy(old)
    props = new["components"]["schemas"]["Node"]["properties"]
    props["up"] = props.pop("parent")
    result = run(write(tmp_path, "old.json", old), write(tmp_path, "new.json", new))
    assert result.exit_code == 0, result.output
    assert "response property `parent` removed (renamed to `up`?)" in result.stdout
    # A recursive schema that is not the same is no rename.
    props["up"] = {"anyOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}]}
    result = run(write(tmp_path, "old.json", old), write(tmp_path, "new.json", new))
    assert "response property `parent` removed\n" in result.stdout


# ---- documents that used to take all memory or time ------------------------------------------


def alias_bomb(levels: int = 9, where: str = "x-bomb") -> str:
    """A "billion laughs": nine aliases of nine aliases, ``levels`` deep (9**levels leaves)."""
    lines = [
        "openapi: 3.1.0",
        "info: {title: t, version: '1'}",
        "paths:",
        "  /x:",
        "    get:",
        "      responses:",
        "        '200':",
        "          description: ''",
        "          content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}",
        "components:",
        "  schemas:",
        "    l0: &l0 {type: string, description: lol}",
    ]
    for level in range(1, levels):
        aliases = ", ".join(f"p{i}: *l{level - 1}" for i in range(9))
        lines.append(f"    l{level}: &l{level} {{type: object, properties: {{{aliases}}}}}")
    if where == "x-bomb":
        lines += ["    A: {type: string}", f"x-bomb: *l{levels - 1}"]
    else:  # the bomb is the response schema itself
        lines.append(f"    A: *l{levels - 1}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["x-bomb", "schema"])
@pytest.mark.parametrize("side", ["old", "new"])
def test_a_yaml_alias_bomb_is_refused(tmp_path: Path, where: str, side: str) -> None:
    bomb = write(tmp_path, "bomb.yaml", alias_bomb(where=where))
    plain = write(tmp_path, "plain.json", document({"A": {"type": "string"}}))
    old, new = (bomb, plain) if side == "old" else (plain, bomb)
    code, stdout, stderr, seconds = diff_in_child(old, new)
    assert code == 2, stderr
    assert stdout == ""
    assert stderr == (
        f"voxkit spec diff: error: {bomb}: more than 1,000,000 nodes with every YAML alias"
        " expanded\n"
    )
    assert seconds < 10


def test_a_recursive_yaml_alias_is_refused(tmp_path: Path) -> None:
    text = alias_bomb(levels=2) + "x-loop: &loop {a: [*loop]}\n"
    looped = write(tmp_path, "loop.yaml", text)
    result = run(looped, looped)
    assert result.exit_code == 2
    assert result.stderr == (
        f"voxkit spec diff: error: {looped}: a node contains itself at /x-loop/a/0\n"
    )


SHARED_MAPPING = """
import sys
from types import MappingProxyType
from voxkit.specdiff import SpecLoadError, compare
from tests.specdiff.test_hostile import document
kind = {kind}
leaf = kind({{"type": "string"}})
for _ in range(8):
    leaf = kind({{"type": "object", "properties": kind({{f"p{{i}}": leaf for i in range(9)}})}})
try:
    compare(document({{"A": leaf}}), document({{"A": {{"type": "string"}}}}))
except SpecLoadError as exc:
    sys.exit(str(exc))
"""


@pytest.mark.parametrize("kind", ["dict", "MappingProxyType"])
def test_compare_refuses_a_mapping_that_shares_too_much(kind: str) -> None:
    # Any Mapping is a document to compare(); one whose parts are shared is an alias bomb.
    done = run_limited(
        ["python", "-c", SHARED_MAPPING.format(kind=kind)],
        memory_mib=MEMORY_MIB,
        timeout=TIMEOUT,
        cwd=str(REPO_ROOT),
    )
    assert done.returncode == 1
    assert done.stderr == "<old>: more than 1,000,000 nodes with every YAML alias expanded\n"


def reference_fan(levels: int, change: bool) -> dict[str, Any]:
    """Schemas whose nine properties all name the next level: 9**levels paths, no aliases."""
    schemas: dict[str, Any] = {
        f"L{n}": {
            "type": "object",
            "properties": {f"p{i}": {"$ref": f"#/components/schemas/L{n + 1}"} for i in range(9)},
        }
        for n in range(levels)
    }
    schemas[f"L{levels}"] = {"type": "integer" if change else "string"}
    return document(schemas, root="L0")


def test_schemas_reached_by_many_paths_are_compared_once_per_pair(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", reference_fan(12, change=False))
    new = write(tmp_path, "new.json", reference_fan(12, change=True))
    code, stdout, stderr, seconds = diff_in_child(old, new, "--format", "json")
    assert code == 0, stderr
    (change,) = json.loads(stdout)["changes"]
    assert change["id"] == "response-property-type-changed"
    assert change["old_pointer"] == "/components/schemas/L12/type"
    assert seconds < 10


def recursive_renamed(name: str, branches: int = 6) -> dict[str, Any]:
    """A node whose properties all refer back to it; one of them is called ``name``."""
    properties = {f"p{i}": {"$ref": "#/components/schemas/Node"} for i in range(branches)}
    properties[name] = {"$ref": "#/components/schemas/Node"}
    return document({"Node": {"type": "object", "properties": properties}}, root="Node")


def test_a_recursive_schema_with_a_renamed_property_takes_little_memory(tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", recursive_renamed("parent"))
    new = write(tmp_path, "new.json", recursive_renamed("up"))
    # The child's address space is capped (MEMORY_MIB): the 2 GB this used to take is a failure.
    code, stdout, stderr, seconds = diff_in_child(old, new)
    assert code == 0, stderr
    assert "response property `parent` removed (renamed to `up`?)" in stdout
    assert "new optional response property `up`" in stdout
    assert seconds < 10


# ---- names that would act on a terminal -----------------------------------------------------

HOSTILE_NAME = "\x1b[2J\x1b]0;owned\x07\u009b31m\n\u202e"
LONE_SURROGATE = "\ud800x"


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_names_from_the_spec_are_escaped_in_every_format(
    tmp_path: Path, output_format: str
) -> None:
    old = document({"A": {"type": "object", "properties": {"a": {"type": "string"}}}})
    new = copy.deepcopy(old)
    new["components"]["schemas"]["A"]["properties"][HOSTILE_NAME] = {"type": "string"}
    new["components"]["schemas"]["A"]["properties"][LONE_SURROGATE] = {"type": "string"}
    old_path = write(tmp_path, "old.json", old)
    new_path = write(tmp_path, "new.json", new)  # json.dumps writes the surrogate as \ud800
    result = run(old_path, new_path, "--format", output_format)
    assert result.exit_code == 0, result.output
    controls = [c for c in result.stdout if not c.isprintable() and c != "\n"]
    assert controls == []
    if output_format == "json":
        names = [change["message"] for change in json.loads(result.stdout)["changes"]]
        assert any(HOSTILE_NAME in name for name in names)
        assert any(LONE_SURROGATE in name for name in names)
    else:  # a Markdown table row cannot hold a newline: it is a space there
        newline = "\\n" if output_format == "text" else " "
        assert f"\\x1b[2J\\x1b]0;owned\\x07\\x9b31m{newline}\\u202e" in result.stdout
        assert "\\ud800x" in result.stdout


def test_a_file_name_is_escaped_in_the_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b[31m\nname.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: {title: x\n", encoding="utf-8")
    result = run(bad, bad)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "bad\\x1b[31m\\nname.yaml:3:1: invalid YAML/JSON" in result.stderr
