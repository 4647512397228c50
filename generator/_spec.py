"""Loading and checking the OpenAPI document before any generator sees it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator
from vox_validators.jsonpointer import iter_refs, lookup, pointer

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
    # Only local references: the spec is one self-contained file.
    for at, ref in iter_refs(document):
        if not lookup(document, ref)[0]:
            raise GeneratorError(f"{path}: unresolvable $ref {ref!r} at {at or '/'}")
    error = next(iter(OpenAPIV31SpecValidator(document).iter_errors()), None)
    if error is not None:
        at = pointer(error.absolute_path)
        first_line = str(error.message).splitlines()[0]
        raise GeneratorError(f"{path}: invalid OpenAPI 3.1 at {at or '/'}: {first_line}")
    return Spec(path=path, raw=raw, document=document)
