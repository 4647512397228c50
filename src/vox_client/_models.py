"""The campaign the client returns: the generated model, plus the request id and the drift.

The generated code is never edited: ``Campaign`` is a thin subclass whose two extra attributes
live in slots, not in model fields, so they are read-only, never dumped, and never part of
``==`` (two fetches of the same campaign are equal whatever their request ids).

Lenient mode (``strict=False``) builds the same campaign from a looser variant of each model
(``lenient(Campaign)``): every enum also takes a plain string (``"status": "archived"`` stays
``"archived"``), and unknown members are kept (``model_extra``). The variants are made once,
from the generated models' own fields, so they follow the spec when it is regenerated.
"""

from __future__ import annotations

import copy
import enum
import json
import types
import typing
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Annotated, Any, TypeVar

import pydantic

from vox_generated import models as _generated
from vox_validators import Finding

M = TypeVar("M", bound=pydantic.BaseModel)


class Campaign(_generated.Campaign):
    """A v3 campaign (``vox_generated.models.Campaign``), as the client returns it.

    ``request_id``: the ``x-request-id`` of the answer it came in (``None`` without one).
    ``drift``: in lenient mode, what the answer had that the spec does not list (unknown members,
    unknown enum values), as ``drift`` warnings; always empty in strict mode.
    """

    __slots__ = ("_vox_drift", "_vox_request_id")

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` of the answer this campaign came in; quote it to support."""
        return getattr(self, "_vox_request_id", None)

    @property
    def drift(self) -> tuple[Finding, ...]:
        """Lenient mode: the ``drift`` findings of the answer (members and values the spec
        does not list). Strict mode: ``()``."""
        return getattr(self, "_vox_drift", ())


Campaign.model_rebuild(_types_namespace=vars(_generated))


def stamp(campaign: Campaign, request_id: str | None, drift: tuple[Finding, ...] = ()) -> Campaign:
    # object.__setattr__: the slots are not fields, and pydantic's __setattr__ would refuse them.
    object.__setattr__(campaign, "_vox_request_id", request_id)
    object.__setattr__(campaign, "_vox_drift", drift)
    return campaign


# --- lenient variants --------------------------------------------------------------------------


@cache
def lenient(model: type[M]) -> type[M]:
    """A subclass of ``model`` that keeps unknown members and takes any string for an enum."""
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__qualname__": model.__qualname__,
        "__doc__": model.__doc__,
        "model_config": pydantic.ConfigDict(extra="allow"),
        "__annotations__": {},
    }
    for name, field in model.model_fields.items():
        loose = _loosen(field.annotation)
        if loose is not field.annotation:
            namespace["__annotations__"][name] = loose
            # The field's own FieldInfo keeps its default, alias and constraints (ge, min_length).
            namespace[name] = copy.copy(field)
    variant = typing.cast("type[M]", type(model.__name__, (model,), namespace))
    variant.model_rebuild(_types_namespace=vars(_generated))
    return variant


def _loosen(annotation: Any) -> Any:
    if isinstance(annotation, typing.ForwardRef):
        # A field of a model defined before the models it names: pydantic keeps the reference.
        annotation = eval(annotation.__forward_arg__, vars(_generated))
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            # Left to right: a known value is the enum member, anything else the plain string.
            return Annotated[annotation | str, pydantic.Field(union_mode="left_to_right")]
        if issubclass(annotation, pydantic.BaseModel):
            return lenient(annotation)
        return annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is None or not args:
        return annotation
    loose = tuple(_loosen(arg) for arg in args)
    if all(a is b for a, b in zip(loose, args, strict=True)):
        return annotation
    if origin in (typing.Union, types.UnionType):
        return typing.Union[loose]  # noqa: UP007 - built from a tuple of arguments
    if origin is Annotated:
        return Annotated[(loose[0], *annotation.__metadata__)]
    return origin[loose]


# --- unknown enum values -----------------------------------------------------------------------


@cache
def _schemas() -> dict[str, Any]:
    text = resources.files("vox_generated").joinpath("schema.json").read_text("utf-8")
    defs: dict[str, Any] = json.loads(text)["$defs"]
    return defs


def unknown_enum_values(record: Any, schema: str) -> list[tuple[list[str | int], str, list[Any]]]:
    """Each string of ``record`` where the spec expects one of an enum's values and the value is
    none of them: (path tokens, value, the enum's values)."""
    return list(_walk(_schemas()[schema], record, []))


def _walk(
    schema: Any, value: Any, path: list[str | int]
) -> Iterator[tuple[list[str | int], str, list[Any]]]:
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        yield from _walk(_schemas().get(ref[len("#/$defs/") :]), value, path)
    allowed = schema.get("enum")
    if isinstance(allowed, list) and type(value) is str and value not in allowed:
        yield path, value, allowed
    for branch in schema.get("anyOf", ()):
        if value is not None and branch != {"type": "null"}:
            yield from _walk(branch, value, path)
    properties = schema.get("properties")
    if type(value) is dict and isinstance(properties, dict):
        for key, member in value.items():
            if key in properties:
                yield from _walk(properties[key], member, [*path, key])
    items = schema.get("items")
    if type(value) is list and isinstance(items, dict):
        for index, item in enumerate(value):
            yield from _walk(items, item, [*path, index])
