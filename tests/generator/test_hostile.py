"""``python -m generator`` against hostile specs: remote references, loops, depth, alias bombs.

Regeneration never touches the network: a spec naming another document in any way is refused
(exit 2, one line naming the reference) before any tool runs. The runs here block sockets, in
this process (monkeypatched) or in the generator's process and every tool it starts
(``tests/generator/offline/sitecustomize.py`` on ``PYTHONPATH``), and check that nothing tried.
Exit status 1 is only ever "out of sync"; a spec the generator cannot use is 2.
"""

from __future__ import annotations

import copy
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator._build import operations
from generator._cli import main
from generator._errors import GeneratorError
from generator._spec import load_spec
from tests.generator._offline import offline_env
from tests.support.memory import run_limited
from tests.support.paths import REPO_ROOT

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/items": {
            "get": {
                "operationId": "getItem",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Item": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Other": {"type": "string"},
        }
    },
}
ITEM = "/components/schemas/Item"
OK_200 = "/paths/~1items/get/responses/200"

# Every way of naming a document other than the spec itself.
URLS = [
    "http://example.invalid/schema.json",
    "https://example.invalid/schema.json#/Item",
    "file:///etc/passwd",
    "//example.invalid/schema.json",
    "../outside.json",
    "/etc/passwd",
    "other.json#/Item",
]


def with_reference(keyword: str, url: str) -> tuple[dict[str, Any], str]:
    """A copy of ``BASE`` where ``keyword`` holds ``url``, and the pointer of that member."""
    spec = copy.deepcopy(BASE)
    schemas = spec["components"]["schemas"]
    if keyword in ("$ref", "$dynamicRef", "$recursiveRef"):
        schemas["Item"]["properties"]["x"] = {keyword: url}
        return spec, f"{ITEM}/properties/x/{keyword}"
    if keyword == "$id":
        # Under a remote base, "#/..." names a fragment of that other document.
        schemas["Item"]["$id"] = url
        schemas["Item"]["properties"]["x"] = {"$ref": "#/components/schemas/Other"}
        return spec, f"{ITEM}/$id"
    if keyword == "$schema":
        schemas["Item"]["$schema"] = url
        return spec, f"{ITEM}/$schema"
    if keyword == "jsonSchemaDialect":
        spec["jsonSchemaDialect"] = url
        return spec, "/jsonSchemaDialect"
    if keyword == "externalValue":
        media = spec["paths"]["/items"]["get"]["responses"]["200"]["content"]["application/json"]
        media["examples"] = {"remote": {"externalValue": url}}
        return spec, f"{OK_200}/content/application~1json/examples/remote/externalValue"
    if keyword == "operationRef":
        response = spec["paths"]["/items"]["get"]["responses"]["200"]
        response["links"] = {"next": {"operationRef": url}}
        return spec, f"{OK_200}/links/next/operationRef"
    assert keyword == "mapping"
    schemas["Item"]["properties"]["pet"] = {
        "oneOf": [{"$ref": "#/components/schemas/Other"}],
        "discriminator": {"propertyName": "kind", "mapping": {"cat": url}},
    }
    return spec, f"{ITEM}/properties/pet/discriminator/mapping/cat"


KEYWORDS = [
    "$ref",
    "$dynamicRef",
    "$recursiveRef",
    "$id",
    "$schema",
    "jsonSchemaDialect",
    "externalValue",
    "operationRef",
    "mapping",
]


def write_spec(tmp_path: Path, spec: dict[str, Any] | str, name: str = "spec.json") -> Path:
    folder = tmp_path / "openapi"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec), encoding="utf-8")
    return path


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sockets blocked in this process, and every subprocess the generator would start refused;
    the list gets one entry per attempt."""
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def blocked(*args: object, **kwargs: object) -> Any:
            attempts.append(f"{what} {args!r}")
            raise OSError(f"blocked: {what}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(subprocess, "run", refuse("a tool run"))
    return attempts


def expected_message(keyword: str, url: str, at: str) -> str:
    if keyword == "$id":
        return f"$id {url!r} at {at}: a base URI makes references name another document"
    if keyword in ("$schema", "jsonSchemaDialect"):
        return f"{keyword} {url!r} at {at}: not a dialect the generator knows"
    if keyword == "mapping":
        return f"discriminator mapping {url!r} at {at} names another document"
    return f"{keyword} {url!r} at {at} names another document"


@pytest.mark.parametrize(
    ("keyword", "url"), [(keyword, url) for keyword in KEYWORDS for url in URLS]
)
@pytest.mark.parametrize("mode", [[], ["--check"]])
def test_every_remote_reference_is_refused_before_any_tool_runs(
    tmp_path: Path,
    offline: list[str],
    capsys: pytest.CaptureFixture[str],
    *,
    keyword: str,
    url: str,
    mode: list[str],
) -> None:
    spec, at = with_reference(keyword, url)
    path = write_spec(tmp_path, spec)
    output = tmp_path / "out"
    code = main([*mode, "--spec", str(path), "--output", str(output)])
    captured = capsys.readouterr()
    assert offline == []
    assert code == 2, captured.err
    assert captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith(f"error: {path}: ")
    assert expected_message(keyword, url, at) in captured.err
    assert not output.exists()


def run_generator_offline(
    tmp_path: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    """``python -m generator`` with every socket of it and of its tools blocked, and the log of
    what tried to connect."""
    log = tmp_path / "network.log"
    env = offline_env(log)
    result = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result, log.read_text(encoding="utf-8") if log.exists() else ""


def test_the_offline_folder_blocks_and_logs_every_connection(tmp_path: Path) -> None:
    # Without this the test below could pass with a block that blocks nothing.
    log = tmp_path / "network.log"
    code = (
        "import socket, urllib.request\n"
        "for attempt in (lambda: urllib.request.urlopen('http://example.invalid/'),\n"
        "                lambda: socket.create_connection(('127.0.0.1', 9)),\n"
        "                lambda: socket.socket().connect(('192.0.2.1', 80))):\n"
        "    try:\n"
        "        attempt()\n"
        "    except OSError:\n"
        "        continue\n"
        "    raise SystemExit('connected')\n"
    )
    env = offline_env(log)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert len(log.read_text(encoding="utf-8").splitlines()) == 3


@pytest.mark.parametrize("keyword", KEYWORDS)
def test_the_generator_process_refuses_a_remote_reference_offline(
    tmp_path: Path, keyword: str
) -> None:
    url = URLS[KEYWORDS.index(keyword) % len(URLS)]
    spec, at = with_reference(keyword, url)
    path = write_spec(tmp_path, spec)
    output = tmp_path / "out"
    result, network = run_generator_offline(tmp_path, "--spec", str(path), "--output", str(output))
    assert network == ""
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert expected_message(keyword, url, at) in result.stderr
    assert not output.exists()


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("#/components/schemas/Other", None),
        ("#/components/schemas/Nope", "unresolvable $dynamicRef '#/components/schemas/Nope'"),
        ("#meta", "unresolvable $dynamicRef '#meta'"),
    ],
)
def test_a_local_dynamic_reference_must_resolve(
    tmp_path: Path, reference: str, expected: str | None
) -> None:
    spec, _ = with_reference("$dynamicRef", reference)
    path = write_spec(tmp_path, spec)
    if expected is None:
        assert load_spec(path).document == spec
        return
    with pytest.raises(GeneratorError) as info:
        load_spec(path)
    assert expected in str(info.value)


def test_known_dialects_and_local_links_are_accepted(tmp_path: Path) -> None:
    spec = copy.deepcopy(BASE)
    spec["jsonSchemaDialect"] = "https://spec.openapis.org/oas/3.1/dialect/base"
    spec["components"]["schemas"]["Other"]["$schema"] = (
        "https://json-schema.org/draft/2020-12/schema"
    )
    response = spec["paths"]["/items"]["get"]["responses"]["200"]
    response["links"] = {"self": {"operationRef": "#/paths/~1items/get"}}
    item = spec["components"]["schemas"]["Item"]
    item["properties"]["pet"] = {
        "oneOf": [{"$ref": "#/components/schemas/Other"}],
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"a": "Other", "b": "#/components/schemas/Other"},
        },
    }
    assert load_spec(write_spec(tmp_path, spec)).document == spec


# ---- loops, depth and size: exit 2, never 1 (which means "out of sync") -----------------------

LOOPS = {
    "self": (
        {"A": {"$ref": "#/components/schemas/A"}},
        "$ref cycle #/components/schemas/A -> #/components/schemas/A at /components/schemas/A/$ref",
    ),
    "mutual": (
        {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}},
        "$ref cycle #/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A"
        " at /components/schemas/A/$ref",
    ),
}


@pytest.mark.parametrize("case", sorted(LOOPS))
@pytest.mark.parametrize("mode", [[], ["--check"]])
def test_a_reference_loop_is_exit_2_naming_it(
    tmp_path: Path,
    offline: list[str],
    capsys: pytest.CaptureFixture[str],
    case: str,
    mode: list[str],
) -> None:
    schemas, message = LOOPS[case]
    spec = copy.deepcopy(BASE)
    spec["components"]["schemas"].update(schemas)
    spec["components"]["schemas"]["Item"]["properties"]["x"] = {"$ref": "#/components/schemas/A"}
    path = write_spec(tmp_path, spec)
    code = main([*mode, "--spec", str(path), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert (code, err) == (2, f"error: {path}: {message}\n")


def test_a_valid_recursive_schema_is_no_loop(tmp_path: Path) -> None:
    spec = copy.deepcopy(BASE)
    spec["components"]["schemas"]["Item"]["properties"]["children"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Item"},
    }
    spec["components"]["schemas"]["Item"]["properties"]["parent"] = {
        "anyOf": [{"$ref": "#/components/schemas/Item"}, {"type": "null"}]
    }
    assert load_spec(write_spec(tmp_path, spec)).document == spec


def nested(levels: int) -> str:
    """``BASE`` whose Item holds an object ``levels`` deep, as JSON text (too deep to dump)."""
    inner = (
        '{"type": "object", "properties": {"a": ' * levels + '{"type": "string"}' + "}}" * levels
    )
    return json.dumps(BASE).replace('{"type": "string"}', inner, 1)


@pytest.mark.parametrize("mode", [[], ["--check"]])
def test_deep_nesting_is_exit_2_naming_the_place(
    tmp_path: Path, offline: list[str], capsys: pytest.CaptureFixture[str], mode: list[str]
) -> None:
    path = write_spec(tmp_path, nested(100))
    code = main([*mode, "--spec", str(path), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    # The 65th container down: 64 keys from the top.
    deepest = ITEM + "/properties/name" + "/properties/a" * 29 + "/properties"
    assert err == f"error: {path}: nested more than 64 levels deep at {deepest}\n"


def test_yaml_nested_too_deeply_to_read_is_exit_2(
    tmp_path: Path, offline: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_spec(
        tmp_path, "openapi: 3.1.0\npaths: " + "[" * 5000 + "]" * 5000 + "\n", "x.yaml"
    )
    assert main(["--check", "--spec", str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}: nested too deeply to read\n"


def test_a_long_chain_of_schemas_is_exit_2(
    tmp_path: Path, offline: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Each schema is flat, but the validator follows the $refs a thousand levels down.
    spec = copy.deepcopy(BASE)
    schemas = spec["components"]["schemas"]
    for n in range(1000):
        schemas[f"S{n}"] = {
            "type": "object",
            "properties": {"a": {"$ref": f"#/components/schemas/S{n + 1}"}},
        }
    schemas["S1000"] = {"type": "string"}
    schemas["Item"]["properties"]["x"] = {"$ref": "#/components/schemas/S0"}
    path = write_spec(tmp_path, spec)
    assert main(["--check", "--spec", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {path}: nested too deeply to validate (past Python's recursion limit):"
        " make the chains of nested schemas shorter\n"
    )


def test_an_alias_bomb_is_refused_quickly_and_in_little_memory(tmp_path: Path) -> None:
    # A "billion laughs": nine aliases of nine aliases, nine levels deep.
    lines = [f"{key}: {json.dumps(value)}" for key, value in BASE.items()]
    lines.append("x-l0: &l0 [" + ", ".join(["lol"] * 9) + "]")
    lines += [f"x-l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, 9)]
    path = write_spec(tmp_path, "\n".join([*lines, "x-bomb: *l8", ""]), "bomb.yaml")
    done = run_limited(
        ["python", "-m", "generator", "--check", "--spec", str(path)],
        memory_mib=400,
        timeout=30,
        cwd=str(REPO_ROOT),
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"error: {path}: more than 1,000,000 nodes with every YAML alias expanded\n"
    )


def test_operations_of_a_valid_spec_without_ids_or_json_schemas() -> None:
    # All valid OpenAPI 3.1: a path item that is a $ref, no operationId, `schema: true`.
    spec = copy.deepcopy(BASE)
    spec["components"]["pathItems"] = {"Items": spec["paths"].pop("/items")}
    spec["paths"]["/items"] = {"$ref": "#/components/pathItems/Items"}
    get = spec["components"]["pathItems"]["Items"]["get"]
    del get["operationId"]
    get["responses"]["204"] = {
        "description": "any",
        "content": {"application/json": {"schema": True}},
    }
    assert operations(spec) == [
        {
            "operation_id": None,
            "method": "GET",
            "path": "/items",
            "request_schema": None,
            "responses": {"200": "Item", "204": None},
        }
    ]
