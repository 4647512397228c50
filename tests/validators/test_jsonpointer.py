"""``vox_validators.jsonpointer``: RFC 6901 pointers and local ``$ref``s, written once for the
validators, the spec diff and the generator."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.paths import REPO_ROOT
from vox_validators.jsonpointer import (
    check_size,
    deref,
    escape,
    existing,
    iter_refs,
    join,
    lookup,
    parse,
    pointer,
    ref_cycle,
    unescape,
)

tokens = st.lists(st.text(alphabet="ab/~01", max_size=5), max_size=4)


@given(token=st.text())
def test_unescape_undoes_escape(token: str) -> None:
    assert unescape(escape(token)) == token
    assert "/" not in escape(token)


def test_the_escapes_of_rfc_6901() -> None:
    assert escape("a/b~c") == "a~1b~0c"
    assert unescape("~01") == "~1"  # ~0 last: "~01" is "~" then "1", not "/"
    assert pointer(["windows", 0, "a/b"]) == "/windows/0/a~1b"
    assert join("/paths", "/v3/campaigns", "get") == "/paths/~1v3~1campaigns/get"
    assert pointer([]) == join("") == ""


@given(keys=tokens)
def test_parse_undoes_pointer(keys: list[str]) -> None:
    assert parse(pointer(keys)) == keys


def test_parse_refuses_what_is_not_a_pointer() -> None:
    assert parse("") == []
    assert parse("/") == [""]
    with pytest.raises(ValueError, match="'a/b' is not a JSON Pointer"):
        parse("a/b")


DOCUMENT: dict[str, Any] = {
    "a/b": {"c~d": [10, 20, {"": "empty key"}]},
    "list": ["zero"],
    "loop": {"$ref": "#/loop"},
    "one": {"$ref": "#/two"},
    "two": {"$ref": "#/list/0"},
    "dangling": {"$ref": "#/nowhere"},
}


@pytest.mark.parametrize(
    ("ref", "found"),
    [
        ("#", (True, DOCUMENT)),
        ("#/a~1b/c~0d/1", (True, 20)),
        ("#/a~1b/c~0d/2/", (True, "empty key")),
        ("#/list/0", (True, "zero")),
        ("#/list/00", (False, None)),  # no leading zeros in an array index
        ("#/list/-", (False, None)),  # past the end names nothing
        ("#/list/1", (False, None)),
        ("#/list/\u0660", (False, None)),  # an Arabic-Indic zero is no index
        ("#/a/b", (False, None)),
        ("#name", (False, None)),  # an anchor, not a pointer
        ("other.yaml#/list/0", (False, None)),  # only local references
        ("", (False, None)),
    ],
)
def test_lookup(ref: str, found: tuple[bool, Any]) -> None:
    assert lookup(DOCUMENT, ref) == found


def test_iter_refs_gives_the_pointer_of_each_ref_member() -> None:
    assert list(iter_refs(DOCUMENT)) == [
        ("/loop/$ref", "#/loop"),
        ("/one/$ref", "#/two"),
        ("/two/$ref", "#/list/0"),
        ("/dangling/$ref", "#/nowhere"),
    ]
    assert list(iter_refs([{"x": {"$ref": "#/y"}}], "/base")) == [("/base/0/x/$ref", "#/y")]


def test_iter_refs_reports_other_keywords_when_asked() -> None:
    node = {"a": {"$dynamicRef": "#/x", "$ref": "#/y"}, "b": [{"operationRef": "#/z"}]}
    assert list(iter_refs(node, keywords=("$ref", "$dynamicRef", "operationRef"))) == [
        ("/a/$ref", "#/y"),
        ("/a/$dynamicRef", "#/x"),
        ("/b/0/operationRef", "#/z"),
    ]
    assert list(iter_refs(node)) == [("/a/$ref", "#/y")]


def bomb(levels: int) -> Any:
    """Nine references to one list, nine levels deep: 9**levels leaves, 9 * levels objects."""
    node: Any = [{"$ref": "#/leaf"}]
    for _ in range(levels):
        node = [node] * 9
    return node


def test_iter_refs_walks_a_shared_node_once() -> None:
    # What a YAML alias bomb parses to: walking every path would take 9**30 steps.
    assert list(iter_refs({"bomb": bomb(30)})) == [("/bomb/0" + "/0" * 30 + "/$ref", "#/leaf")]


def test_iter_refs_ends_on_a_node_that_contains_itself() -> None:
    looped: dict[str, Any] = {"$ref": "#/a"}
    looped["self"] = looped
    assert list(iter_refs(looped)) == [("/$ref", "#/a")]


def test_iter_refs_is_not_limited_by_python_recursion() -> None:
    node: Any = {"$ref": "#/x"}
    for _ in range(5000):
        node = {"a": node}
    ((at, ref),) = iter_refs(node)
    assert at == "/a" * 5000 + "/$ref"
    assert ref == "#/x"


@pytest.mark.parametrize(
    ("document", "cycle"),
    [
        ({"a": {"$ref": "#/a"}}, ("#/a", "#/a")),
        ({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}, ("#/a", "#/b", "#/a")),
        # Entered from a chain: the loop alone is named.
        ({"c": {"$ref": "#/a"}, "a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}, ("#/a", "#/b", "#/a")),
        # Through the whole document ("#"), a reference of the top level.
        (
            {"$ref": "#/a", "a": {"$ref": "#/b"}, "b": {"$ref": "#"}},
            ("#", "#/a", "#/b", "#"),
        ),
        # Siblings of $ref do not make a schema the reference stands for.
        ({"a": {"$ref": "#/a", "description": "x"}}, ("#/a", "#/a")),
    ],
)
def test_ref_cycle_names_a_loop_of_references(document: Any, cycle: tuple[str, ...]) -> None:
    assert ref_cycle(document) == cycle


@pytest.mark.parametrize(
    "document",
    [
        DOCUMENT | {"loop": {"type": "string"}},
        # A recursive schema: the reference is inside a real schema, not a loop.
        {"node": {"type": "object", "properties": {"child": {"$ref": "#/node"}}}},
        {"a": {"$ref": "#/nowhere"}},  # unresolvable: reported as such elsewhere
        {"a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": {"$ref": "#/d"}, "d": 1},
    ],
)
def test_ref_cycle_is_none_without_a_loop(document: Any) -> None:
    assert ref_cycle(document) is None


def test_ref_cycle_follows_each_reference_once() -> None:
    # A chain of 20,000 references, each checked from its own start: linear, not quadratic.
    document: dict[str, Any] = {f"r{i}": {"$ref": f"#/r{i + 1}"} for i in range(20_000)}
    document["r20000"] = {"type": "string"}
    assert ref_cycle(document) is None


def test_check_size_counts_shared_nodes_at_each_use() -> None:
    # bomb(5): 9**5 leaves of 3 nodes (a list, a mapping, a string) under 1 + 9 + ... + 9**4 lists.
    nodes = 3 * 9**5 + sum(9**level for level in range(5))
    check_size(bomb(5), max_nodes=nodes, max_chars=10**6)
    with pytest.raises(ValueError, match=f"^more than {nodes - 1:,} nodes"):
        check_size(bomb(5), max_nodes=nodes - 1, max_chars=10**6)
    with pytest.raises(ValueError, match=r"^more than 1,000 nodes with every YAML alias expanded$"):
        check_size(bomb(30), max_nodes=1000, max_chars=10**6)


def test_check_size_counts_text_at_each_use() -> None:
    text = "x" * 1000
    check_size([text] * 10, max_nodes=100, max_chars=10_000)
    with pytest.raises(ValueError, match=r"^more than 9,999 characters of text"):
        check_size([text] * 10, max_nodes=100, max_chars=9_999)
    with pytest.raises(ValueError, match="characters of text"):
        check_size({text: 1, "y" * 1000: 2}, max_nodes=100, max_chars=1999)  # keys count


def test_check_size_names_where_the_depth_is_passed() -> None:
    node: Any = "leaf"
    for _ in range(10):
        node = {"a": [node]}
    check_size({"x": node}, max_nodes=100, max_chars=100, max_depth=21)
    with pytest.raises(ValueError, match=r"^nested more than 20 levels deep at /x(/a/0){9}/a$"):
        check_size({"x": node}, max_nodes=100, max_chars=100, max_depth=20)


def test_check_size_refuses_a_node_that_contains_itself() -> None:
    looped: dict[str, Any] = {"x": 1, "a": [1]}
    looped["a"].append({"b": looped})
    with pytest.raises(ValueError, match=r"^a node contains itself at /a/1/b$"):
        check_size(looped, max_nodes=100, max_chars=100)


def test_deref_follows_a_chain_to_where_the_node_is_written() -> None:
    assert deref(DOCUMENT, DOCUMENT["one"], "/one") == ("zero", "/list/0")
    assert deref(DOCUMENT, "plain", "/x") == ("plain", "/x")


def test_deref_stops_at_a_loop_or_a_missing_target() -> None:
    assert deref(DOCUMENT, DOCUMENT["loop"], "/loop") == ({"$ref": "#/loop"}, "/loop")
    assert deref(DOCUMENT, DOCUMENT["dangling"], "/dangling") == (
        {"$ref": "#/nowhere"},
        "/dangling",
    )


def test_existing_is_the_nearest_ancestor_that_exists() -> None:
    assert existing(DOCUMENT, "/a~1b/c~0d/1") == "/a~1b/c~0d/1"
    assert existing(DOCUMENT, "/a~1b/c~0d/7/x") == "/a~1b/c~0d"
    assert existing(DOCUMENT, "/nope/deeper") == ""


def test_it_imports_only_the_standard_library() -> None:
    path = REPO_ROOT / "validators" / "vox_validators" / "jsonpointer.py"
    imported = {
        str(node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_importing_it_loads_neither_the_bundle_nor_generated_code() -> None:
    # The generator imports it, and must run even when generated_client/ is out of date.
    code = (
        "import sys, vox_validators.jsonpointer\n"
        "heavy = ('vox_generated', 'jsonschema', 'msgspec', 'orjson', 'pydantic', 'yaml')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in heavy"
        " or m == 'vox_validators._schema')\n"
        "print(bad)\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_other_module_escapes_pointers_by_hand() -> None:
    # One implementation: "~1" and "~0" are written only in jsonpointer.py.
    found = []
    for root in ("src", "validators", "generator"):
        for path in sorted((REPO_ROOT / root).rglob("*.py")):
            if path.name == "jsonpointer.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in ("~0", "~1"):
                    found.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert found == []
