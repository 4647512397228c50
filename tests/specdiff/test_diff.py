"""``voxkit spec diff`` on the command line: classifications, the real spec, formats, errors, git."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.support.paths import SPEC_PATH
from tests.support.specdiff_cases import FIXTURES
from voxkit.cli import cli


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["spec", "diff", *map(str, args)])


def run_json(*args: str | Path) -> tuple[Result, dict[str, Any]]:
    result = run(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return result, report


def pair(name: str) -> tuple[Path, Path]:
    return FIXTURES / name / "old.yaml", FIXTURES / name / "new.yaml"


# Every classification the issue names, with the fixture pair that shows it.
BREAKING_CASES = [
    (
        "a path removed",
        "api-path-removed-without-deprecation",
        "api-path-removed-without-deprecation",
    ),
    ("a method removed", "api-removed-without-deprecation", "api-removed-without-deprecation"),
    (
        "a response field removed",
        "response-required-property-removed",
        "response-required-property-removed",
    ),
    (
        "an optional response field removed",
        "response-optional-property-removed",
        "response-optional-property-removed",
    ),
    ("a response field renamed", "response-property-renamed", "response-optional-property-removed"),
    ("a request type changed", "request-property-type-changed", "request-property-type-changed"),
    ("a request type narrowed", "request-property-type-narrowed", "request-property-type-changed"),
    ("a response type changed", "response-property-type-changed", "response-property-type-changed"),
    (
        "a response type narrowed",
        "response-property-type-narrowed",
        "response-property-type-changed",
    ),
    (
        "a response field made nullable",
        "response-property-became-nullable",
        "response-property-became-nullable",
    ),
    (
        "a response field made nullable with anyOf",
        "response-property-became-nullable-any-of",
        "response-property-became-nullable",
    ),
    (
        "a response field made optional",
        "response-property-became-optional",
        "response-property-became-optional",
    ),
    (
        "a new required request field",
        "new-required-request-property",
        "new-required-request-property",
    ),
    (
        "a request field became required",
        "request-property-became-required",
        "request-property-became-required",
    ),
    (
        "a request enum value removed",
        "request-property-enum-value-removed",
        "request-property-enum-value-removed",
    ),
    (
        "a new response enum value",
        "response-property-enum-value-added",
        "response-property-enum-value-added",
    ),
    (
        "a request maximum lowered",
        "request-property-max-decreased",
        "request-property-max-decreased",
    ),
    (
        "a request minimum raised",
        "request-property-min-increased",
        "request-property-min-increased",
    ),
    (
        "a request maxLength lowered",
        "request-property-max-length-decreased",
        "request-property-max-length-decreased",
    ),
    (
        "a request minLength raised",
        "request-property-min-length-increased",
        "request-property-min-length-increased",
    ),
    (
        "a request minItems raised",
        "request-property-min-items-increased",
        "request-property-min-items-increased",
    ),
    ("a request pattern added", "request-property-pattern-added", "request-property-pattern-added"),
    ("a request maximum set", "request-property-max-set", "request-property-max-set"),
    (
        "a parameter bound tightened",
        "request-parameter-max-length-decreased",
        "request-parameter-max-length-decreased",
    ),
    ("global security removed", "api-global-security-removed", "api-global-security-removed"),
    ("global security added", "api-global-security-added", "api-global-security-added"),
    ("operation security changed", "api-security-added", "api-security-added"),
    ("a security scheme changed", "security-scheme-changed", "security-scheme-changed"),
]
NON_BREAKING_CASES = [
    (
        "a new optional request field",
        "new-optional-request-property",
        "new-optional-request-property",
    ),
    ("a new endpoint", "endpoint-added", "endpoint-added"),
    (
        "a new optional response field",
        "response-optional-property-added",
        "response-optional-property-added",
    ),
    (
        "a request maximum raised",
        "request-property-max-increased",
        "request-property-max-increased",
    ),
    (
        "a request minimum lowered",
        "request-property-min-decreased",
        "request-property-min-decreased",
    ),
    (
        "a request maxLength raised",
        "request-property-max-length-increased",
        "request-property-max-length-increased",
    ),
    (
        "a request minLength lowered",
        "request-property-min-length-decreased",
        "request-property-min-length-decreased",
    ),
    (
        "a request pattern removed",
        "request-property-pattern-removed",
        "request-property-pattern-removed",
    ),
    ("a description changed", "description-changed", "description-changed"),
    ("an example changed", "example-changed", "example-changed"),
]


@pytest.mark.parametrize(
    ("what", "fixture", "check_id"), BREAKING_CASES, ids=[c[0] for c in BREAKING_CASES]
)
def test_breaking(what: str, fixture: str, check_id: str) -> None:
    result, report = run_json(*pair(fixture), "--fail-on", "breaking")
    verdicts = {change["id"]: change["classification"] for change in report["changes"]}
    assert verdicts[check_id] == "breaking", what
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("what", "fixture", "check_id"), NON_BREAKING_CASES, ids=[c[0] for c in NON_BREAKING_CASES]
)
def test_not_breaking(what: str, fixture: str, check_id: str) -> None:
    result, report = run_json(*pair(fixture), "--fail-on", "breaking")
    assert [(c["id"], c["classification"]) for c in report["changes"]] == [
        (check_id, "non-breaking")
    ], what
    assert result.exit_code == 0


def test_without_fail_on_a_breaking_change_exits_0() -> None:
    assert run(*pair("response-required-property-removed")).exit_code == 0


def test_new_response_enum_value_is_labelled_for_the_strict_client() -> None:
    _, report = run_json(*pair("response-property-enum-value-added"))
    (change,) = report["changes"]
    assert "strict client" in change["message"]
    assert change["role"] == "response"


def test_rename_is_a_removal_and_an_addition_that_names_the_new_field() -> None:
    _, report = run_json(*pair("response-property-renamed"))
    removal = next(c for c in report["changes"] if c["id"] == "response-optional-property-removed")
    assert "`nickname`" in removal["message"]
    assert "renamed to `nick`" in removal["message"]


def test_a_component_change_is_reported_once_with_every_operation_using_it() -> None:
    _, report = run_json(*pair("component-used-twice"))
    (change,) = report["changes"]
    assert change["old_pointer"] == "/components/schemas/Owner/properties/login/type"
    assert change["new_pointer"] == "/components/schemas/Owner/properties/login/type"
    assert change["operations"] == ["POST /items", "GET /items/{item_id}"]
    assert "`owner.login`" in change["message"]


def test_a_component_used_by_requests_and_responses_is_judged_in_both_roles() -> None:
    _, report = run_json(*pair("shared-component-enum-value-added"))
    roles = {change["role"]: change["classification"] for change in report["changes"]}
    assert roles == {"request": "non-breaking", "response": "breaking"}


# ---- the real spec ---------------------------------------------------------------------------


def _spec() -> dict[str, Any]:
    content: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return content


def _write(tmp_path: Path, content: dict[str, Any], name: str = "new.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_the_spec_against_itself_lists_nothing(output_format: str) -> None:
    result = run(SPEC_PATH, SPEC_PATH, "--format", output_format, "--fail-on", "breaking")
    assert result.exit_code == 0
    if output_format == "json":
        report = json.loads(result.stdout)
        assert report["changes"] == []
        assert report["summary"] == {"changes": 0, "breaking": 0, "non_breaking": 0}
    else:
        assert "No changes" in result.stdout
        assert "BREAKING" not in result.stdout
        assert "|" not in result.stdout


def test_the_spec_against_a_reformatted_copy_lists_nothing(tmp_path: Path) -> None:
    # Same content, different bytes (key order, quoting): no change to report.
    copy_path = _write(tmp_path, _spec())
    result = run(SPEC_PATH, copy_path, "--fail-on", "breaking")
    assert result.exit_code == 0
    assert result.stdout.startswith("No changes")


def test_removing_a_response_field_from_the_real_spec_is_breaking(tmp_path: Path) -> None:
    spec = _spec()
    campaign = spec["components"]["schemas"]["Campaign"]
    del campaign["properties"]["failed_calls"]
    campaign["required"].remove("failed_calls")
    result, report = run_json(SPEC_PATH, _write(tmp_path, spec), "--fail-on", "breaking")
    assert result.exit_code == 1
    (change,) = report["changes"]
    assert change["id"] == "response-required-property-removed"
    assert change["classification"] == "breaking"
    assert "`failed_calls`" in change["message"]
    assert change["old_pointer"] == "/components/schemas/Campaign/properties/failed_calls"
    assert change["new_pointer"] == "/components/schemas/Campaign/properties"
    assert sorted(change["operations"]) == [
        "GET /v3/campaigns/{campaign_id}",
        "PATCH /v3/campaigns/{campaign_id}",
        "POST /v3/campaigns",
    ]
    text = run(SPEC_PATH, _write(tmp_path, spec), "--fail-on", "breaking")
    assert text.exit_code == 1
    assert "BREAKING" in text.stdout
    assert "failed_calls" in text.stdout


def test_adding_an_optional_response_field_to_the_real_spec_is_not_breaking(tmp_path: Path) -> None:
    spec = _spec()
    spec["components"]["schemas"]["Campaign"]["properties"]["archived_at"] = {
        "type": ["integer", "null"]
    }
    result, report = run_json(SPEC_PATH, _write(tmp_path, spec), "--fail-on", "breaking")
    assert result.exit_code == 0
    (change,) = report["changes"]
    assert change["id"] == "response-optional-property-added"
    assert change["classification"] == "non-breaking"
    assert "`archived_at`" in change["message"]


def test_a_request_bound_in_a_shared_component_of_the_real_spec(tmp_path: Path) -> None:
    spec = _spec()
    spec["components"]["schemas"]["CampaignName"]["maxLength"] = 100
    _, report = run_json(SPEC_PATH, _write(tmp_path, spec))
    # The campaign's name in responses is the same component: judged there too, not breaking.
    change, response = report["changes"]
    assert change["id"] == "request-property-max-length-decreased"
    assert change["classification"] == "breaking"
    assert change["old_pointer"] == "/components/schemas/CampaignName/maxLength"
    assert sorted(change["operations"]) == [
        "PATCH /v3/campaigns/{campaign_id}",
        "POST /v3/campaigns",
    ]
    assert response["id"] == "response-property-max-length-decreased"
    assert response["classification"] == "non-breaking"
    assert response["old_pointer"] == change["old_pointer"]


def test_the_real_spec_with_a_new_campaign_status(tmp_path: Path) -> None:
    spec = _spec()
    spec["components"]["schemas"]["CampaignStatus"]["enum"].append("archived")
    result, report = run_json(SPEC_PATH, _write(tmp_path, spec), "--fail-on", "breaking")
    assert result.exit_code == 1
    (change,) = report["changes"]
    assert change["id"] == "response-property-enum-value-added"
    assert "`status`" in change["message"]


# ---- output formats ----------------------------------------------------------------------------


def test_text_format() -> None:
    result = run(*pair("response-required-property-removed"))
    lines = result.stdout.splitlines()
    assert (
        lines[0] == "BREAKING response-required-property-removed: response property `size` removed"
    )
    assert lines[1].split() == ["old:", "/components/schemas/Item/properties/size"]
    assert lines[2].split() == ["new:", "/components/schemas/Item/properties"]
    assert lines[3].split(maxsplit=1) == ["in:", "POST /items, GET /items/{item_id}"]
    assert lines[-1] == "1 change: 1 breaking, 0 not breaking"


def test_markdown_format_is_a_pull_request_comment() -> None:
    result = run(*pair("response-property-renamed"), "--format", "markdown")
    out = result.stdout
    assert out.startswith("### API spec changes:")
    assert "**2 changes: 1 breaking, 1 not breaking**" in out
    assert "#### ❌ Breaking for users of the strict client (1)" in out
    assert "#### ✅ Not breaking (1)" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == 2
    # Every row has the five cells of the header: no unescaped pipe in a cell.
    for row in rows:
        assert len(row.replace("\\|", "").split("|")) == 7
    assert "`/components/schemas/Item/properties/nickname`" in out


def test_json_format() -> None:
    _, report = run_json(*pair("response-required-property-removed"))
    assert report["summary"] == {"changes": 1, "breaking": 1, "non_breaking": 0}
    assert report["old"].endswith("old.yaml")
    assert report["new"].endswith("new.yaml")
    (change,) = report["changes"]
    assert set(change) == {
        "id",
        "classification",
        "message",
        "role",
        "operations",
        "old_pointer",
        "new_pointer",
        "oasdiff",
    }
    assert change["oasdiff"] is True


def test_json_marks_voxkit_checks_as_not_oasdiff() -> None:
    _, report = run_json(*pair("description-changed"))
    assert [change["oasdiff"] for change in report["changes"]] == [False]


def test_breaking_changes_come_first() -> None:
    _, report = run_json(*pair("response-property-renamed"))
    assert [change["classification"] for change in report["changes"]] == [
        "breaking",
        "non-breaking",
    ]


# ---- documents that cannot be used --------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("openapi: 3.1.0\npaths: [\n", "invalid YAML/JSON"),
        ('{"openapi": "3.1.0", "paths": {', "invalid YAML/JSON"),
        ("- openapi\n- 3.1.0\n", "not a mapping"),
        ("", "the top level is empty"),
        ("just a string\n", "not a mapping"),
        ("swagger: '2.0'\npaths: {}\n", "not an OpenAPI 3.x document"),
        ("openapi: 3.1.0\npaths: 3\n", "/paths is not a mapping"),
        (
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses:\n"
            "        '200': {$ref: '#/components/responses/Nope'}\n",
            "unresolvable $ref '#/components/responses/Nope'",
        ),
        ("openapi: 3.1.0\n\tpaths: {}\n", "invalid YAML/JSON"),
    ],
    ids=[
        "yaml",
        "json",
        "list",
        "empty",
        "scalar",
        "swagger-2",
        "paths-not-mapping",
        "unresolvable-ref",
        "tab",
    ],
)
@pytest.mark.parametrize("side", ["old", "new"])
def test_a_document_that_does_not_parse_exits_2(
    tmp_path: Path, content: str, expected: str, side: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    args = (bad, SPEC_PATH) if side == "old" else (SPEC_PATH, bad)
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"voxkit spec diff: error: {bad}")
    assert expected in lines[0]
    assert "Traceback" not in result.output


def test_invalid_bytes_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "binary.yaml"
    bad.write_bytes(b"\xff\xfe\x00openapi: \x81\x00")
    result = run(SPEC_PATH, bad)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "invalid YAML/JSON" in result.stderr


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = run(SPEC_PATH, tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"voxkit spec diff: error: {tmp_path / 'nope.yaml'}: cannot read: No such file or directory\n"
    )


def test_a_directory_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path, SPEC_PATH)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "cannot read" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["only-one.yaml"],
        ["a", "b", "c"],
        ["--git", "HEAD", "a", "b"],
        ["--format", "xml", "a", "b"],
    ],
    ids=["none", "one", "three", "git-and-two", "bad-format"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage:" in result.output
    assert "Traceback" not in result.output


# ---- --git ------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository whose committed spec is the real one; the cwd is inside it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "openapi").mkdir(parents=True)
    shutil.copy(SPEC_PATH, root / "openapi" / "vox-campaigns-v3.yaml")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "spec")
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")  # --git finds the repository root from any folder in it
    return root


def test_git_head_against_an_unchanged_working_tree(repo: Path) -> None:
    result = run("--git", "HEAD", "--fail-on", "breaking")
    assert result.exit_code == 0
    assert result.stdout.startswith("No changes between HEAD:openapi/vox-campaigns-v3.yaml and")


def test_git_head_against_a_changed_working_tree(repo: Path) -> None:
    spec_file = repo / "openapi" / "vox-campaigns-v3.yaml"
    content = copy.deepcopy(_spec())
    del content["paths"]["/v3/campaigns/{campaign_id}"]["patch"]
    spec_file.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    result, report = run_json("--git", "HEAD", "--fail-on", "breaking")
    assert result.exit_code == 1
    assert report["old"] == "HEAD:openapi/vox-campaigns-v3.yaml"
    ids = {change["id"] for change in report["changes"]}
    assert "api-removed-without-deprecation" in ids


def test_git_rev_against_an_explicit_new_file(repo: Path, tmp_path: Path) -> None:
    spec = _spec()
    spec["components"]["schemas"]["Campaign"]["required"].remove("name")
    new = _write(tmp_path, spec, "other.yaml")
    result, report = run_json("--git", "HEAD", new, "--fail-on", "breaking")
    assert result.exit_code == 1
    assert [change["id"] for change in report["changes"]] == ["response-property-became-optional"]


@pytest.mark.parametrize("rev", ["no-such-rev", "HEAD~5", "-p"])
def test_a_bad_git_rev_exits_2(repo: Path, rev: str) -> None:
    result = run("--git", rev)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("voxkit spec diff: error: ")
    assert "Traceback" not in result.output


def test_git_outside_a_repository_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = run("--git", "HEAD")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "git" in result.stderr


def test_git_rev_where_the_spec_did_not_exist(repo: Path) -> None:
    (repo / "README").write_text("x", encoding="utf-8")
    _git(repo, "rm", "-q", "--cached", "openapi/vox-campaigns-v3.yaml")
    _git(repo, "add", "README")
    _git(repo, "commit", "-q", "-m", "no spec")
    result = run("--git", "HEAD")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1


# ---- documents in other shapes ------------------------------------------------------------------


def _fixture(name: str, side: str) -> dict[str, Any]:
    content: dict[str, Any] = yaml.safe_load((FIXTURES / name / f"{side}.yaml").read_text("utf-8"))
    return content


def test_json_documents(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(_fixture("response-property-became-optional", "old")), "utf-8")
    new.write_text(json.dumps(_fixture("response-property-became-optional", "new")), "utf-8")
    _, report = run_json(old, new)
    assert [change["id"] for change in report["changes"]] == ["response-property-became-optional"]


def test_openapi_3_0_nullable(tmp_path: Path) -> None:
    old = _fixture("response-property-became-nullable", "old")
    old["openapi"] = "3.0.3"
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Item"]["properties"]["size"]["nullable"] = True
    _, report = run_json(_write(tmp_path, old, "old.yaml"), _write(tmp_path, new))
    assert [(c["id"], c["classification"]) for c in report["changes"]] == [
        ("response-property-became-nullable", "breaking")
    ]


def test_recursive_schemas_end(tmp_path: Path) -> None:
    old = _fixture("response-property-became-optional", "old")
    node = {
        "type": "object",
        "properties": {
            "child": {"$ref": "#/components/schemas/Owner"},
            "kids": {"type": "array", "items": {"$ref": "#/components/schemas/Owner"}},
            "login": {"type": "string"},
        },
    }
    old["components"]["schemas"]["Owner"] = node
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Owner"]["properties"]["login"]["type"] = "integer"
    _, report = run_json(_write(tmp_path, old, "old.yaml"), _write(tmp_path, new))
    changes = [(c["id"], c["old_pointer"]) for c in report["changes"]]
    assert changes == [
        ("response-property-type-changed", "/components/schemas/Owner/properties/login/type")
    ]


def test_markdown_escapes_pipes_in_cells(tmp_path: Path) -> None:
    old = _fixture("response-property-enum-value-added", "old")
    new = _fixture("response-property-enum-value-added", "new")
    new["components"]["schemas"]["Item"]["properties"]["value"]["enum"].append("x|y")
    result = run(_write(tmp_path, old, "old.yaml"), _write(tmp_path, new), "--format", "markdown")
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "enum" in line]
    assert len(rows) == 2  # "c" (the fixture's) and "x|y"
    (row,) = [line for line in rows if '"x' in line]
    assert '"x\\|y"' in row
    for line in rows:
        assert len(line.replace("\\|", "").split("|")) == 7


def test_a_global_security_change_lists_the_operations_that_inherit_it() -> None:
    _, report = run_json(*pair("api-global-security-removed"))
    (change,) = report["changes"]
    assert change["old_pointer"] == change["new_pointer"] == "/security"
    assert change["operations"] == ["POST /items", "GET /items/{item_id}"]


def test_an_operation_security_change_names_its_operation() -> None:
    _, report = run_json(*pair("api-security-added"))
    (change,) = report["changes"]
    assert change["operations"] == ["GET /items/{item_id}"]
    assert change["new_pointer"] == "/paths/~1items~1{item_id}/get/security"
    assert "{apiKey}" in change["message"]


def test_a_document_nested_too_deeply_to_read_exits_2(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("openapi: 3.1.0\npaths: " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    result = run(deep, SPEC_PATH)
    assert result.exit_code == 2
    assert result.stderr == f"voxkit spec diff: error: {deep}: nested too deeply to read\n"


def test_schemas_chained_too_deeply_to_compare_exit_2(tmp_path: Path) -> None:
    # Each schema is flat, but following the $refs goes thousands of levels down.
    depth = 3000
    schemas: dict[str, Any] = {
        f"S{i}": {"type": "object", "properties": {"a": {"$ref": f"#/components/schemas/S{i + 1}"}}}
        for i in range(depth)
    }
    schemas[f"S{depth}"] = {"type": "string"}
    ok = {
        "description": "",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}},
    }
    old: dict[str, Any] = {
        "openapi": "3.1.0",
        "paths": {"/x": {"get": {"responses": {"200": ok}}}},
        "components": {"schemas": schemas},
    }
    new = copy.deepcopy(old)
    new["components"]["schemas"][f"S{depth}"] = {"type": "integer"}
    result = run(_write(tmp_path, old, "old.yaml"), _write(tmp_path, new))
    assert result.exit_code == 2
    assert result.stderr == "voxkit spec diff: error: the documents nest too deeply to compare\n"
