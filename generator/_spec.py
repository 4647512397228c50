"""Loading and checking the OpenAPI document before any generator sees it.

Everything a tool could follow out of the spec is refused here, before any tool runs: the spec
is one self-contained file, and regeneration never reads the network or another file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator
from vox_validators.jsonpointer import check_size, iter_refs, join, lookup, pointer, ref_cycle

from generator._errors import GeneratorError

# Counted with every YAML alias expanded (what each tool and walk would visit): the spec has a
# few thousand nodes and is about ten levels deep. 64 levels leave the tools' own recursion
# (the OpenAPI validator's fails near 140) well clear of Python's limit.
MAX_NODES = 1_000_000
MAX_CHARS = 100_000_000
MAX_DEPTH = 64

# Reference keywords that must name a node of the spec itself ("#/..."), which exists.
LOCAL_REFERENCES = ("$ref", "$dynamicRef", "$recursiveRef", "operationRef")
# Keywords whose every value names another document, and what to say about them.
_ELSEWHERE = {
    "$id": ": a base URI makes references name another document",
    "externalValue": " names another document: write the example under `value`",
}
# Dialects the tools know without fetching anything: OpenAPI 3.1's default and its base.
KNOWN_DIALECTS = frozenset(
    {
        "https://spec.openapis.org/oas/3.1/dialect/base",
        "https://json-schema.org/draft/2020-12/schema",
    }
)


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
    document = _parse(path, raw)
    try:
        check_size(document, max_nodes=MAX_NODES, max_chars=MAX_CHARS, max_depth=MAX_DEPTH)
    except ValueError as exc:
        raise GeneratorError(f"{path}: {exc}") from None
    if not isinstance(document, dict):
        raise GeneratorError(f"{path}: not an OpenAPI document (the top level is not a mapping)")
    problem = next(_reference_problems(document), None)
    if problem is not None:
        raise GeneratorError(f"{path}: {problem}")
    cycle = ref_cycle(document)
    if cycle is not None:
        at = cycle[0][1:] + "/$ref"
        raise GeneratorError(f"{path}: $ref cycle {' -> '.join(cycle)} at {at}")
    try:
        error = next(iter(OpenAPIV31SpecValidator(document).iter_errors()), None)
    except RecursionError:
        # Flat schemas chained by $ref a thousand deep: the validator follows them recursively.
        raise GeneratorError(
            f"{path}: nested too deeply to validate (past Python's recursion limit):"
            " make the chains of nested schemas shorter"
        ) from None
    if error is not None:
        at = pointer(error.absolute_path)
        first_line = str(error.message).splitlines()[0]
        raise GeneratorError(f"{path}: invalid OpenAPI 3.1 at {at or '/'}: {first_line}")
    return Spec(path=path, raw=raw, document=document)


def _parse(path: Path, raw: bytes) -> Any:
    try:
        return yaml.safe_load(raw)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise GeneratorError(f"{where}: invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise GeneratorError(f"{path}: invalid YAML: {exc}") from exc
    except RecursionError:
        raise GeneratorError(f"{path}: nested too deeply to read") from None


def _reference_problems(document: dict[str, Any]) -> Iterator[str]:
    """What names something outside the spec, or a place in it that does not exist."""
    keywords = (*LOCAL_REFERENCES, *_ELSEWHERE, "$schema", "jsonSchemaDialect")
    for at, value in iter_refs(document, keywords=keywords):
        keyword = at.rsplit("/", 1)[1]
        if keyword in _ELSEWHERE:
            yield f"{keyword} {value!r} at {at}{_ELSEWHERE[keyword]}"
        elif keyword in ("$schema", "jsonSchemaDialect"):
            if value.rstrip("#") not in KNOWN_DIALECTS:
                known = ", ".join(sorted(KNOWN_DIALECTS))
                yield f"{keyword} {value!r} at {at}: not a dialect the generator knows ({known})"
        elif not value.startswith("#"):
            yield f"{keyword} {value!r} at {at} names another document: only '#/...' is allowed"
        elif not lookup(document, value)[0]:
            yield f"unresolvable {keyword} {value!r} at {at}"
    yield from _mapping_problems(document)


def _mapping_problems(document: dict[str, Any]) -> Iterator[str]:
    """A discriminator's mapping holds schema names or references to schemas."""
    schemas = document.get("components", {}).get("schemas", {})
    # iter_refs finds string members: a discriminator is found by its (required) propertyName.
    for at, _ in iter_refs(document, keywords=("propertyName",)):
        holder_at = at.rsplit("/", 1)[0]
        found, holder = lookup(document, "#" + holder_at)
        mapping = holder.get("mapping") if found and isinstance(holder, dict) else None
        if not holder_at.endswith("/discriminator") or not isinstance(mapping, dict):
            continue
        for key, value in mapping.items():
            if not isinstance(value, str) or (isinstance(schemas, dict) and value in schemas):
                continue
            where = join(holder_at, "mapping", str(key))
            if not value.startswith("#"):
                yield (
                    f"discriminator mapping {value!r} at {where} names another document:"
                    " only a schema name or '#/...' is allowed"
                )
            elif not lookup(document, value)[0]:
                yield f"unresolvable discriminator mapping {value!r} at {where}"
