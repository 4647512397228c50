"""Loading and checking the OpenAPI document before any generator sees it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator

from generator._errors import GeneratorError


@dataclass(frozen=True)
class Spec:
    path: Path
    raw: bytes
    document: dict[str, Any]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def load_spec(path: Path) -> Spec:
    """Read, parse and validate the spec; raise GeneratorError naming the file and the place."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GeneratorError(f"{path}: cannot read the spec: {exc.strerror or exc}") from exc
    try:
        document = yaml.safe_load(raw)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise GeneratorError(f"{where}: invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise GeneratorError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise GeneratorError(f"{path}: not an OpenAPI document (the top level is not a mapping)")
    for pointer, ref in _iter_refs(document, ""):
        if not _resolves(document, ref):
            raise GeneratorError(f"{path}: unresolvable $ref {ref!r} at {pointer or '/'}")
    error = next(iter(OpenAPIV31SpecValidator(document).iter_errors()), None)
    if error is not None:
        pointer = "".join(f"/{_escape(part)}" for part in error.absolute_path)
        first_line = str(error.message).splitlines()[0]
        raise GeneratorError(f"{path}: invalid OpenAPI 3.1 at {pointer or '/'}: {first_line}")
    return Spec(path=path, raw=raw, document=document)


def _iter_refs(node: object, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield f"{pointer}/$ref", ref
        for key, value in node.items():
            yield from _iter_refs(value, f"{pointer}/{_escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _iter_refs(value, f"{pointer}/{index}")


def _resolves(document: dict[str, Any], ref: str) -> bool:
    """Only local references are allowed: the spec is one self-contained file."""
    if not ref.startswith("#"):
        return False
    node: object = document
    for part in ref[1:].split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


def _escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")
