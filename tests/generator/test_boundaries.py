"""What may import what: hand-written code uses only the public names of the generated client,
the shipped packages never import the development-only generator, and the generator reaches the
shipped code only through ``vox_validators.jsonpointer``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

SHIPPED = [REPO_ROOT / "src", REPO_ROOT / "validators"]


def _modules(*roots: Path) -> Iterator[tuple[Path, ast.Module]]:
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _imports(tree: ast.Module) -> Iterator[tuple[ast.Import | ast.ImportFrom, str, list[str]]]:
    """(node, module, names bound or imported) of every import."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, [alias.asname or alias.name.split(".")[0]]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, node.module, [alias.name for alias in node.names]


def _private_uses_of_generated(tree: ast.Module) -> Iterator[str]:
    bound: set[str] = set()
    for statement, module, names in _imports(tree):
        if module.split(".")[0] != "vox_generated":
            continue
        if any(_private(part) for part in module.split(".")):
            yield f"line {statement.lineno}: import of {module}"
        if isinstance(statement, ast.ImportFrom):
            for alias in statement.names:
                if _private(alias.name):
                    yield f"line {statement.lineno}: {module}.{alias.name}"
                bound.add(alias.asname or alias.name)
        else:
            bound.update(names)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root: ast.expr = node
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound:
                yield f"line {node.lineno}: {root.id}...{node.attr}"


def test_the_scan_sees_a_private_name() -> None:
    tree = ast.parse(
        "from vox_generated.openapi_client.api.campaigns import get_campaign\n"
        "from vox_generated import _hidden\n"
        "get_campaign._get_kwargs('x')\n"
    )
    assert len(list(_private_uses_of_generated(tree))) == 2


@pytest.mark.parametrize(
    ("path", "tree"), list(_modules(*SHIPPED)), ids=lambda value: str(value)[-60:]
)
def test_hand_written_code_uses_only_public_names_of_vox_generated(
    path: Path, tree: ast.Module
) -> None:
    assert list(_private_uses_of_generated(tree)) == [], path


def test_shipped_code_never_imports_the_generator() -> None:
    found = [
        f"{path.relative_to(REPO_ROOT)}: {module}"
        for path, tree in _modules(*SHIPPED)
        for _, module, _ in _imports(tree)
        if module.split(".")[0] == "generator"
    ]
    assert found == []


def test_the_generator_imports_only_the_pointer_module_of_the_shipped_code() -> None:
    shipped = {"voxkit", "vox_client", "vox_validators", "vox_generated"}
    found = {
        module
        for _, tree in _modules(REPO_ROOT / "generator")
        for _, module, _ in _imports(tree)
        if module.split(".")[0] in shipped
    }
    assert found == {"vox_validators.jsonpointer"}
