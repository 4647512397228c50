"""``voxkit.specdiff``, the library behind ``voxkit spec diff``: an explicit API, ``compare`` on
any form of document, and no dev-only imports."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml

from tests.support.paths import SPEC_PATH
from tests.support.specdiff_cases import FIXTURES
from voxkit import specdiff
from voxkit.specdiff import SpecLoadError, compare, diff_documents, load_file


def _kind(name: str) -> tuple[int, str]:
    # Constants, then classes, then functions: the order ruff's RUF022 keeps.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    assert specdiff.__all__ == sorted(specdiff.__all__, key=_kind)
    for name in specdiff.__all__:
        assert hasattr(specdiff, name), name


def test_the_installed_cli_does_not_import_the_dev_only_generator() -> None:
    code = (
        "import sys, voxkit.cli, voxkit.specdiff;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('generator', 'tests'));"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


PAIR = FIXTURES / "new-required-request-property"


def _summary(report: specdiff.DiffReport) -> list[tuple[str, str, str, str]]:
    return [(c.id, c.classification.value, c.old_pointer, c.new_pointer) for c in report.changes]


def _forms(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    content = yaml.safe_load(text)
    return {
        "Path": path,
        "bytes": path.read_bytes(),
        "str": text,
        "JSON text": json.dumps(content),
        "dict": content,
        "read-only mapping": MappingProxyType(content),
        "Document": load_file(path),
    }


@pytest.mark.parametrize("form", sorted(_forms(PAIR / "old.yaml")))
def test_compare_takes_every_form_of_document(form: str) -> None:
    expected = diff_documents(load_file(PAIR / "old.yaml"), load_file(PAIR / "new.yaml"))
    assert expected.changes
    old, new = _forms(PAIR / "old.yaml")[form], _forms(PAIR / "new.yaml")[form]
    report = compare(old, new)
    assert _summary(report) == _summary(expected)
    assert report.breaking == expected.breaking


def test_compare_names_files_by_path_and_the_rest_old_and_new() -> None:
    assert compare(PAIR / "old.yaml", PAIR / "new.yaml").old == str(PAIR / "old.yaml")
    report = compare(yaml.safe_load(SPEC_PATH.read_text("utf-8")), SPEC_PATH.read_bytes())
    assert (report.old, report.new, report.changes) == ("<old>", "<new>", ())


def test_compare_does_not_change_a_mapping_it_is_given() -> None:
    content: Mapping[str, Any] = yaml.safe_load(SPEC_PATH.read_text("utf-8"))
    before = json.dumps(content, sort_keys=True)
    compare(content, SPEC_PATH)
    assert json.dumps(content, sort_keys=True) == before


UNUSABLE: dict[str, tuple[object, str]] = {
    "invalid YAML": (b"openapi: 3.1.0\ninfo: {title: x\n", "<old>:3:1: invalid YAML/JSON"),
    "a list": ("[1, 2]\n", "<old>: not an OpenAPI document (the top level is a list"),
    "not OpenAPI 3": ({"swagger": "2.0"}, "<old>: not an OpenAPI 3.x document"),
    "paths not a mapping": ({"openapi": "3.1.0", "paths": [1]}, "<old>: /paths is not a mapping"),
    "an unresolvable $ref": (
        {"openapi": "3.1.0", "components": {"schemas": {"A": {"$ref": "#/nope"}}}},
        "<old>: unresolvable $ref '#/nope' at /components/schemas/A/$ref",
    ),
    "a $ref to another file": (
        {"openapi": "3.1.0", "components": {"schemas": {"A": {"$ref": "other.yaml#/A"}}}},
        "<old>: unresolvable $ref 'other.yaml#/A'",
    ),
    "a file name as str": ("old.yaml", "(a str is the text; give a file as a Path)"),
    "a missing file": (Path("/nonexistent/old.yaml"), "/nonexistent/old.yaml: cannot read"),
    "a number": (42, "<old>: a int is not a document"),
    "one-line JSON text": ('{"swagger": "2.0"}', "<old>: not an OpenAPI 3.x document (no"),
    "nested too deeply": (
        "openapi: 3.1.0\npaths: " + "[" * 5000 + "]" * 5000 + "\n",
        "<old>: nested too deeply to read",
    ),
}


@pytest.mark.parametrize("case", sorted(UNUSABLE))
def test_compare_refuses_an_unusable_document_with_one_line(case: str) -> None:
    document, message = UNUSABLE[case]
    with pytest.raises(SpecLoadError) as info:
        compare(document, SPEC_PATH)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert ("give a file as a Path" in str(info.value)) == (case == "a file name as str")


def test_compare_refuses_schemas_chained_too_deeply() -> None:
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
    old = {
        "openapi": "3.1.0",
        "paths": {"/x": {"get": {"responses": {"200": ok}}}},
        "components": {"schemas": schemas},
    }
    new = json.loads(json.dumps(old))
    new["components"]["schemas"][f"S{depth}"] = {"type": "integer"}
    with pytest.raises(SpecLoadError, match="the documents nest too deeply to compare"):
        compare(old, new)
