"""Walking two OpenAPI documents side by side and recording every change.

The walk starts from each operation, so every schema is judged in the role it plays there:
schemas reached from ``parameters`` and ``requestBody`` in the request role, schemas reached
from ``responses`` in the response role. A component used in both roles is judged in both.

``$ref``s are followed, and a change is recorded at the place it is written (the component),
with the list of operations that reach it: one entry per change, not one per use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from voxkit._specdiff._checks import (
    CHECKS,
    LOWER_BOUNDS,
    OTHER_CONSTRAINTS,
    UPPER_BOUNDS,
    Classification,
)
from voxkit._specdiff._load import Document
from voxkit._specdiff._refs import deref, existing, join

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOC_KEYS = ("summary", "description", "title")
EXAMPLE_KEYS = ("example", "examples")


@dataclass(frozen=True)
class Change:
    """One difference between the documents, classified for a user of the strict client."""

    id: str
    classification: Classification
    message: str
    old_pointer: str
    new_pointer: str
    role: str | None
    operations: tuple[str, ...]

    @property
    def breaking(self) -> bool:
        return self.classification is Classification.BREAKING

    @property
    def oasdiff(self) -> bool:
        return CHECKS[self.id].oasdiff


@dataclass(frozen=True)
class DiffReport:
    old: str
    new: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)

    @property
    def non_breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if not change.breaking)


def diff_documents(old: Document, new: Document) -> DiffReport:
    differ = _Differ(old.content, new.content)
    differ.run()
    return DiffReport(old=old.label, new=new.label, changes=differ.changes())


@dataclass(frozen=True)
class _Where:
    """Where a schema sits: the operation, the role, and the field path from the body."""

    operation: str
    role: str  # "request" or "response"
    parameter: str = ""  # "path parameter `id`" when the schema is a parameter's
    field: str = ""  # dotted path from the body or parameter: "agent.agent_id", "tasks[]"

    @property
    def subject(self) -> str:
        if self.parameter:
            return "request-parameter"
        return f"{self.role}-{'property' if self.field else 'body'}"

    @property
    def label(self) -> str:
        if self.parameter:
            return f"{self.parameter}" + (f" property `{self.field}`" if self.field else "")
        return f"{self.role} property `{self.field}`" if self.field else f"{self.role} body"

    def child(self, name: str) -> _Where:
        return replace(self, field=f"{self.field}.{name}" if self.field else name)

    def items(self) -> _Where:
        return replace(self, field=f"{self.field}[]")


@dataclass
class _Found:
    change_id: str
    message: str
    old_pointer: str
    new_pointer: str
    role: str | None
    operations: list[str] = field(default_factory=list)


@dataclass
class _Differ:
    old: dict[str, Any]
    new: dict[str, Any]
    _found: dict[tuple[str, str, str, str, str | None], _Found] = field(default_factory=dict)

    # ---- recording -------------------------------------------------------------------------

    def emit(
        self,
        change_id: str,
        message: str,
        pointers: tuple[str, str],
        *,
        role: str | None = None,
        operation: str | None = None,
    ) -> None:
        assert change_id in CHECKS, change_id  # every id is catalogued with its verdict
        # A side that lacks the node points at its nearest existing ancestor.
        old_ptr, new_ptr = existing(self.old, pointers[0]), existing(self.new, pointers[1])
        key = (change_id, message, old_ptr, new_ptr, role)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = _Found(change_id, message, key[2], key[3], role)
        if operation is not None and operation not in found.operations:
            found.operations.append(operation)

    def changes(self) -> tuple[Change, ...]:
        changes = [
            Change(
                id=found.change_id,
                classification=CHECKS[found.change_id].classification,
                message=found.message,
                old_pointer=found.old_pointer,
                new_pointer=found.new_pointer,
                role=found.role,
                operations=tuple(found.operations),
            )
            for found in self._found.values()
        ]
        # Breaking first; otherwise the order of the documents (the walk is deterministic).
        order = {id(change): index for index, change in enumerate(changes)}
        return tuple(sorted(changes, key=lambda change: (not change.breaking, order[id(change)])))

    # ---- the walk ----------------------------------------------------------------------------

    def run(self) -> None:
        self._docs(self.old.get("info"), "/info", self.new.get("info"), "/info", None)
        self._servers()
        self._global_security()
        self._security_schemes()
        self._paths()
        self._component_schemas()

    def _paths(self) -> None:
        old_paths = _mapping(self.old.get("paths"))
        new_paths = _mapping(self.new.get("paths"))
        for path in _union(old_paths, new_paths):
            old_ptr, new_ptr = join("/paths", path), join("/paths", path)
            old_item, old_ptr = deref(self.old, old_paths.get(path), old_ptr)
            new_item, new_ptr = deref(self.new, new_paths.get(path), new_ptr)
            old_ops = dict(_operations(old_item, old_ptr))
            new_ops = dict(_operations(new_item, new_ptr))
            for method in _union(old_ops, new_ops):
                label = f"{method.upper()} {path}"
                if method not in new_ops:
                    old_op, op_ptr = old_ops[method]
                    deprecated = "with" if old_op.get("deprecated") is True else "without"
                    kind = "api-path-removed" if path not in new_paths else "api-removed"
                    where = new_ptr if path in new_paths else "/paths"
                    self.emit(
                        f"{kind}-{deprecated}-deprecation",
                        f"{label} removed",
                        (op_ptr, where),
                        operation=label,
                    )
                elif method not in old_ops:
                    where = old_ptr if path in old_paths else "/paths"
                    self.emit(
                        "endpoint-added",
                        f"{label} added",
                        (where, new_ops[method][1]),
                        operation=label,
                    )
                else:
                    self._operation(label, old_ops[method], new_ops[method], (old_item, new_item))

    def _operation(
        self,
        label: str,
        old: tuple[dict[str, Any], str],
        new: tuple[dict[str, Any], str],
        items: tuple[dict[str, Any], dict[str, Any]],
    ) -> None:
        (old_op, old_ptr), (new_op, new_ptr) = old, new
        self._docs(old_op, old_ptr, new_op, new_ptr, label)
        old_id, new_id = old_op.get("operationId"), new_op.get("operationId")
        if old_id != new_id:
            change_id = "api-operation-id-added" if old_id is None else "api-operation-id-removed"
            self.emit(
                change_id,
                f"{label}: operationId {_show(old_id)} became {_show(new_id)}"
                " (the generated client's function is renamed)",
                (_at(old_op, old_ptr, "operationId"), _at(new_op, new_ptr, "operationId")),
                operation=label,
            )
        if old_op.get("deprecated") is not True and new_op.get("deprecated") is True:
            self.emit(
                "endpoint-deprecated",
                f"{label} deprecated",
                (old_ptr, join(new_ptr, "deprecated")),
                operation=label,
            )
        self._operation_security(label, old_op, old_ptr, new_op, new_ptr)
        self._parameters(label, (old_op, old_ptr), (new_op, new_ptr), items)
        self._request_body(label, old_op, old_ptr, new_op, new_ptr)
        self._responses(label, old_op, old_ptr, new_op, new_ptr)

    # ---- security ------------------------------------------------------------------------------

    def _servers(self) -> None:
        old_urls = _server_urls(self.old.get("servers"))
        new_urls = _server_urls(self.new.get("servers"))
        if old_urls != new_urls:
            self.emit(
                "servers-changed",
                f"servers {_show(old_urls)} became {_show(new_urls)}",
                ("/servers", "/servers"),
            )

    def _global_security(self) -> None:
        # The operations that inherit the global requirement are the ones it affects.
        inheriting: list[str] = []
        for document in (self.old, self.new):
            for path, item in _mapping(document.get("paths")).items():
                item, _ = deref(document, item, "")
                for method, (op, _) in _operations(item, ""):
                    label = f"{method.upper()} {path}"
                    if "security" not in op and label not in inheriting:
                        inheriting.append(label)
        self._security(
            "api-global-security",
            (self.old.get("security"), self.new.get("security")),
            ("/security", "/security"),
            inheriting,
        )

    def _operation_security(
        self, label: str, old_op: dict[str, Any], old_ptr: str, new_op: dict[str, Any], new_ptr: str
    ) -> None:
        if "security" not in old_op and "security" not in new_op:
            return  # both inherit the global requirement, compared once at /security
        old_security = old_op["security"] if "security" in old_op else self.old.get("security")
        new_security = new_op["security"] if "security" in new_op else self.new.get("security")
        pointers = (_at(old_op, old_ptr, "security"), _at(new_op, new_ptr, "security"))
        self._security("api-security", (old_security, new_security), pointers, [label])

    def _security(
        self,
        prefix: str,
        requirements: tuple[Any, Any],
        pointers: tuple[str, str],
        operations: list[str],
    ) -> None:
        old_reqs, new_reqs = _requirements(requirements[0]), _requirements(requirements[1])
        found: list[tuple[str, str]] = []
        for schemes, scopes in old_reqs.items():
            if schemes not in new_reqs:
                found.append(
                    (f"{prefix}-removed", f"security requirement {_schemes(schemes)} removed")
                )
                continue
            for scheme, scope_set in scopes.items():
                for name in sorted(scope_set - new_reqs[schemes][scheme]):
                    found.append(
                        (f"{prefix}-scope-removed", f"scope {name!r} removed from {scheme}")
                    )
                for name in sorted(new_reqs[schemes][scheme] - scope_set):
                    found.append((f"{prefix}-scope-added", f"scope {name!r} added to {scheme}"))
        for schemes in new_reqs:
            if schemes not in old_reqs:
                found.append((f"{prefix}-added", f"security requirement {_schemes(schemes)} added"))
        targets: list[str | None] = [*operations] or [None]
        for change_id, message in found:
            for operation in targets:
                self.emit(change_id, message, pointers, operation=operation)

    def _security_schemes(self) -> None:
        base = "/components/securitySchemes"
        old_schemes = _mapping(_mapping(self.old.get("components")).get("securitySchemes"))
        new_schemes = _mapping(_mapping(self.new.get("components")).get("securitySchemes"))
        for name in _union(old_schemes, new_schemes):
            old, old_ptr = deref(self.old, old_schemes.get(name), join(base, name))
            new, new_ptr = deref(self.new, new_schemes.get(name), join(base, name))
            if name not in new_schemes:
                self.emit(
                    "api-security-component-removed",
                    f"security scheme {name} removed",
                    (old_ptr, base),
                )
            elif name not in old_schemes:
                self.emit(
                    "api-security-component-added", f"security scheme {name} added", (base, new_ptr)
                )
            elif isinstance(old, dict) and isinstance(new, dict):
                if old.get("type") != new.get("type"):
                    self.emit(
                        "api-security-component-type-changed",
                        f"security scheme {name}: type {_show(old.get('type'))} became {_show(new.get('type'))}",
                        (_at(old, old_ptr, "type"), _at(new, new_ptr, "type")),
                    )
                for key in ("scheme", "in", "name", "bearerFormat"):
                    if old.get(key) != new.get(key):
                        self.emit(
                            "security-scheme-changed",
                            f"security scheme {name}: {key} {_show(old.get(key))} became {_show(new.get(key))}",
                            (_at(old, old_ptr, key), _at(new, new_ptr, key)),
                        )
                self._docs(old, old_ptr, new, new_ptr, None)

    # ---- parameters and bodies ---------------------------------------------------------------

    def _parameters(
        self,
        label: str,
        old: tuple[dict[str, Any], str],
        new: tuple[dict[str, Any], str],
        items: tuple[dict[str, Any], dict[str, Any]],
    ) -> None:
        old_params = self._effective_parameters(self.old, items[0], old)
        new_params = self._effective_parameters(self.new, items[1], new)
        for key in _union(old_params, new_params):
            location, name = key
            title = f"{location} parameter `{name}`"
            if key not in new_params:
                self.emit(
                    "request-parameter-removed",
                    f"{title} removed",
                    (old_params[key][1], join(new[1], "parameters")),
                    role="request",
                    operation=label,
                )
                continue
            if key not in old_params:
                param, ptr = new_params[key]
                required = param.get("required") is True
                self.emit(
                    "new-required-request-parameter"
                    if required
                    else "new-optional-request-parameter",
                    f"new {'required' if required else 'optional'} {title}",
                    (join(old[1], "parameters"), ptr),
                    role="request",
                    operation=label,
                )
                continue
            (old_param, old_ptr), (new_param, new_ptr) = old_params[key], new_params[key]
            old_required, new_required = (
                old_param.get("required") is True,
                new_param.get("required") is True,
            )
            if old_required != new_required:
                self.emit(
                    "request-parameter-became-required"
                    if new_required
                    else "request-parameter-became-optional",
                    f"{title} became {'required' if new_required else 'optional'}",
                    (_at(old_param, old_ptr, "required"), _at(new_param, new_ptr, "required")),
                    role="request",
                    operation=label,
                )
            self._docs(old_param, old_ptr, new_param, new_ptr, label)
            self._examples(old_param, old_ptr, new_param, new_ptr, label)
            if "schema" in old_param and "schema" in new_param:
                where = _Where(label, "request", parameter=title)
                self._schema(
                    (old_param["schema"], join(old_ptr, "schema")),
                    (new_param["schema"], join(new_ptr, "schema")),
                    where,
                    frozenset(),
                )

    @staticmethod
    def _effective_parameters(
        document: dict[str, Any], item: dict[str, Any], operation: tuple[dict[str, Any], str]
    ) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
        """Path-level parameters, overridden by operation-level ones with the same name and place."""
        op, op_ptr = operation
        item_ptr = op_ptr.rsplit("/", 1)[0]
        found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for container, ptr in ((item, item_ptr), (op, op_ptr)):
            params = container.get("parameters") if isinstance(container, dict) else None
            for index, raw in enumerate(params if isinstance(params, list) else []):
                param, param_ptr = deref(document, raw, join(ptr, "parameters", index))
                if isinstance(param, dict) and "name" in param:
                    found[(str(param.get("in")), str(param["name"]))] = (param, param_ptr)
        return found

    def _request_body(
        self, label: str, old_op: dict[str, Any], old_ptr: str, new_op: dict[str, Any], new_ptr: str
    ) -> None:
        old_body, old_body_ptr = deref(
            self.old, old_op.get("requestBody"), join(old_ptr, "requestBody")
        )
        new_body, new_body_ptr = deref(
            self.new, new_op.get("requestBody"), join(new_ptr, "requestBody")
        )
        if not isinstance(old_body, dict) and not isinstance(new_body, dict):
            return
        if not isinstance(new_body, dict):
            self.emit(
                "request-body-removed",
                f"{label}: request body removed",
                (old_body_ptr, new_ptr),
                role="request",
                operation=label,
            )
            return
        new_required = new_body.get("required") is True
        if not isinstance(old_body, dict):
            self.emit(
                "request-body-added-required" if new_required else "request-body-added-optional",
                f"{label}: {'required' if new_required else 'optional'} request body added",
                (old_ptr, new_body_ptr),
                role="request",
                operation=label,
            )
            return
        if (old_body.get("required") is True) != new_required:
            self.emit(
                "request-body-became-required" if new_required else "request-body-became-optional",
                f"{label}: request body became {'required' if new_required else 'optional'}",
                (_at(old_body, old_body_ptr, "required"), _at(new_body, new_body_ptr, "required")),
                role="request",
                operation=label,
            )
        self._docs(old_body, old_body_ptr, new_body, new_body_ptr, label)
        self._content(label, "request", (old_body, old_body_ptr), (new_body, new_body_ptr))

    def _responses(
        self, label: str, old_op: dict[str, Any], old_ptr: str, new_op: dict[str, Any], new_ptr: str
    ) -> None:
        old_all, old_all_ptr = deref(self.old, old_op.get("responses"), join(old_ptr, "responses"))
        new_all, new_all_ptr = deref(self.new, new_op.get("responses"), join(new_ptr, "responses"))
        # Status keys are compared case-insensitively: "5xx" and "5XX" are the same range.
        old_codes = {str(code).upper(): code for code in _mapping(old_all)}
        new_codes = {str(code).upper(): code for code in _mapping(new_all)}
        for code in _union(old_codes, new_codes):
            kind = "success" if code.startswith("2") else "non-success"
            if code not in new_codes:
                self.emit(
                    f"response-{kind}-status-removed",
                    f"{label}: response {code} removed",
                    (join(old_all_ptr, old_codes[code]), new_all_ptr),
                    role="response",
                    operation=label,
                )
                continue
            if code not in old_codes:
                self.emit(
                    f"response-{kind}-status-added",
                    f"{label}: response {code} added",
                    (old_all_ptr, join(new_all_ptr, new_codes[code])),
                    role="response",
                    operation=label,
                )
                continue
            old_response, old_resp_ptr = deref(
                self.old, old_all[old_codes[code]], join(old_all_ptr, old_codes[code])
            )
            new_response, new_resp_ptr = deref(
                self.new, new_all[new_codes[code]], join(new_all_ptr, new_codes[code])
            )
            if isinstance(old_response, dict) and isinstance(new_response, dict):
                self._docs(old_response, old_resp_ptr, new_response, new_resp_ptr, label)
                self._headers(
                    label, (old_response, old_resp_ptr), (new_response, new_resp_ptr), code
                )
                self._content(
                    label,
                    "response",
                    (old_response, old_resp_ptr),
                    (new_response, new_resp_ptr),
                    code,
                )

    def _headers(
        self,
        label: str,
        old: tuple[dict[str, Any], str],
        new: tuple[dict[str, Any], str],
        code: str,
    ) -> None:
        """Response headers by name (case-insensitive, as HTTP has them); their schemas are not compared."""
        (old_response, old_ptr), (new_response, new_ptr) = old, new
        old_headers = {str(k).lower(): k for k in _mapping(old_response.get("headers"))}
        new_headers = {str(k).lower(): k for k in _mapping(new_response.get("headers"))}
        for name, written in old_headers.items():
            if name in new_headers:
                continue
            header, header_ptr = deref(
                self.old, old_response["headers"][written], join(old_ptr, "headers", written)
            )
            required = isinstance(header, dict) and header.get("required") is True
            self.emit(
                f"{'required' if required else 'optional'}-response-header-removed",
                f"{label}: response {code} header {written} removed",
                (header_ptr, _at(new_response, new_ptr, "headers")),
                role="response",
                operation=label,
            )
        for name, written in new_headers.items():
            if name not in old_headers:
                self.emit(
                    "response-header-added",
                    f"{label}: response {code} header {written} added",
                    (_at(old_response, old_ptr, "headers"), join(new_ptr, "headers", written)),
                    role="response",
                    operation=label,
                )

    def _content(
        self,
        label: str,
        role: str,
        old: tuple[dict[str, Any], str],
        new: tuple[dict[str, Any], str],
        code: str = "",
    ) -> None:
        (old_holder, old_ptr), (new_holder, new_ptr) = old, new
        old_content = _mapping(old_holder.get("content"))
        new_content = _mapping(new_holder.get("content"))
        what = f"response {code}" if code else "request body"
        prefix = "response" if role == "response" else "request-body"
        for media in _union(old_content, new_content):
            old_media_ptr = join(old_ptr, "content", media)
            new_media_ptr = join(new_ptr, "content", media)
            if media not in new_content:
                self.emit(
                    f"{prefix}-media-type-removed",
                    f"{label}: {what} media type {media} removed",
                    (old_media_ptr, _at(new_holder, new_ptr, "content")),
                    role=role,
                    operation=label,
                )
            elif media not in old_content:
                self.emit(
                    f"{prefix}-media-type-added",
                    f"{label}: {what} media type {media} added",
                    (_at(old_holder, old_ptr, "content"), new_media_ptr),
                    role=role,
                    operation=label,
                )
            else:
                old_media, new_media = old_content[media], new_content[media]
                if not isinstance(old_media, dict) or not isinstance(new_media, dict):
                    continue
                self._examples(old_media, old_media_ptr, new_media, new_media_ptr, label)
                if "schema" in old_media and "schema" in new_media:
                    self._schema(
                        (old_media["schema"], join(old_media_ptr, "schema")),
                        (new_media["schema"], join(new_media_ptr, "schema")),
                        _Where(label, role),
                        frozenset(),
                    )

    # ---- schemas -------------------------------------------------------------------------------

    def _schema(
        self,
        old_in: tuple[Any, str],
        new_in: tuple[Any, str],
        where: _Where,
        seen: frozenset[tuple[str, str, str]],
    ) -> None:
        old, old_ptr = deref(self.old, *old_in)
        new, new_ptr = deref(self.new, *new_in)
        if not isinstance(old, dict) or not isinstance(new, dict):
            return  # boolean schemas and other oddities: nothing comparable
        key = (old_ptr, new_ptr, where.role)
        if key in seen:
            return  # a recursive schema: this pair is already being compared
        seen |= {key}
        self._docs(old, old_ptr, new, new_ptr, where.operation)
        self._examples(old, old_ptr, new, new_ptr, where.operation)
        old_nullable, old_core, old_core_ptr = _unwrap_null(self.old, old, old_ptr)
        new_nullable, new_core, new_core_ptr = _unwrap_null(self.new, new, new_ptr)
        if old_nullable != new_nullable:
            became = "nullable" if new_nullable else "not-nullable"
            self.emit(
                f"{where.subject}-became-{became}",
                f"{where.label} became {'nullable' if new_nullable else 'not nullable'}",
                (old_ptr, new_ptr),
                role=where.role,
                operation=where.operation,
            )
        if (old_core_ptr, new_core_ptr) != (old_ptr, new_ptr):
            # The nullable wrapper names another schema (anyOf: [{$ref}, {type: 'null'}]).
            core_key = (old_core_ptr, new_core_ptr, where.role)
            if core_key in seen:
                return
            seen |= {core_key}
            if old_core is not old and new_core is not new:
                self._docs(old_core, old_core_ptr, new_core, new_core_ptr, where.operation)
        self._types(old_core, old_core_ptr, new_core, new_core_ptr, where)
        self._enum(old_core, old_core_ptr, new_core, new_core_ptr, where)
        self._bounds(old_core, old_core_ptr, new_core, new_core_ptr, where)
        self._properties(old_core, old_core_ptr, new_core, new_core_ptr, where=where, seen=seen)
        if isinstance(old_core.get("items"), dict) and isinstance(new_core.get("items"), dict):
            self._schema(
                (old_core["items"], join(old_core_ptr, "items")),
                (new_core["items"], join(new_core_ptr, "items")),
                where.items(),
                seen,
            )
        self._branches(old_core, old_core_ptr, new_core, new_core_ptr, where=where, seen=seen)

    def _types(
        self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: _Where
    ) -> None:
        old_types, new_types = _types(old), _types(new)
        pointers = (_at(old, old_ptr, "type"), _at(new, new_ptr, "type"))
        if old_types != new_types:
            widened = not new_types or (
                bool(old_types)
                and all(
                    t in new_types or (t == "integer" and "number" in new_types) for t in old_types
                )
            )
            request_widened = where.role == "request" and widened
            self.emit(
                f"{where.subject}-type-{'generalized' if request_widened else 'changed'}",
                f"{where.label}: type {_type_text(old_types)} became {_type_text(new_types)}",
                pointers,
                role=where.role,
                operation=where.operation,
            )
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format:
            # Dropping a request format accepts more; any other format change may not.
            generalized = where.role == "request" and new_format is None
            self.emit(
                f"{where.subject}-type-{'generalized' if generalized else 'changed'}",
                f"{where.label}: format {_show(old_format)} became {_show(new_format)}",
                (_at(old, old_ptr, "format"), _at(new, new_ptr, "format")),
                role=where.role,
                operation=where.operation,
            )

    def _enum(
        self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: _Where
    ) -> None:
        old_values, new_values = _enum_values(old), _enum_values(new)
        pointers = (_at(old, old_ptr, "enum", "const"), _at(new, new_ptr, "enum", "const"))
        emit_args = {"role": where.role, "operation": where.operation}
        if old_values is None and new_values is None:
            return
        if old_values is None:
            self.emit(
                f"{where.subject}-became-enum",
                f"{where.label} restricted to an enum",
                pointers,
                **emit_args,
            )
            return
        if new_values is None:
            self.emit(
                f"{where.subject}-enum-unset",
                f"{where.label} is no longer an enum",
                pointers,
                **emit_args,
            )
            return
        for key, value in old_values.items():
            if key not in new_values:
                self.emit(
                    f"{where.subject}-enum-value-removed",
                    f"{_show(value)} removed from the enum of {where.label}",
                    pointers,
                    **emit_args,
                )
        for key, value in new_values.items():
            if key not in old_values:
                strict = " (breaking for a strict client, which rejects values it does not know)"
                self.emit(
                    f"{where.subject}-enum-value-added",
                    f"{_show(value)} added to the enum of {where.label}"
                    + (strict if where.role == "response" else ""),
                    pointers,
                    **emit_args,
                )

    def _bounds(
        self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, where: _Where
    ) -> None:
        for keyword, fragment in (*LOWER_BOUNDS.items(), *UPPER_BOUNDS.items()):
            if keyword not in old and keyword not in new:
                continue
            old_value, new_value = old.get(keyword), new.get(keyword)
            if (keyword in old and not _is_number(old_value)) or (
                keyword in new and not _is_number(new_value)
            ):
                continue  # OpenAPI 3.0's boolean exclusiveMinimum: not a bound to order
            if old_value == new_value:
                continue
            if old_value is None:
                action, text = "set", f"{keyword} set to {_show(new_value)}"
            elif new_value is None:
                action, text = "unset", f"{keyword} {_show(old_value)} removed"
            else:
                action = "increased" if new_value > old_value else "decreased"
                text = f"{keyword} {action} from {_show(old_value)} to {_show(new_value)}"
            self.emit(
                f"{where.subject}-{fragment}-{action}",
                f"{where.label}: {text}",
                (_at(old, old_ptr, keyword), _at(new, new_ptr, keyword)),
                role=where.role,
                operation=where.operation,
            )
        for keyword, fragment in OTHER_CONSTRAINTS.items():
            old_value, new_value = old.get(keyword), new.get(keyword)
            if old_value == new_value or (
                keyword == "uniqueItems" and not old_value and not new_value
            ):
                continue
            if old_value is None or old_value is False:
                action, text = "added", f"{keyword} {_show(new_value)} added"
            elif new_value is None or new_value is False:
                action, text = "removed", f"{keyword} {_show(old_value)} removed"
            else:
                action, text = "changed", f"{keyword} {_show(old_value)} became {_show(new_value)}"
            self.emit(
                f"{where.subject}-{fragment}-{action}",
                f"{where.label}: {text}",
                (_at(old, old_ptr, keyword), _at(new, new_ptr, keyword)),
                role=where.role,
                operation=where.operation,
            )

    def _properties(
        self,
        old: dict[str, Any],
        old_ptr: str,
        new: dict[str, Any],
        new_ptr: str,
        *,
        where: _Where,
        seen: frozenset[tuple[str, str, str]],
    ) -> None:
        old_props, old_required, old_props_ptr = _object_view(self.old, old, old_ptr)
        new_props, new_required, new_props_ptr = _object_view(self.new, new, new_ptr)
        removed = [name for name in old_props if name not in new_props]
        added = [name for name in new_props if name not in old_props]
        renamed = self._renames(old_props, new_props, removed, added)
        response = where.role == "response"
        for name in removed:
            child = where.child(name)
            if response:
                change_id = f"response-{'required' if name in old_required else 'optional'}-property-removed"
            else:
                change_id = "request-property-removed"
            hint = f" (renamed to `{renamed[name]}`?)" if name in renamed else ""
            self.emit(
                change_id,
                f"{child.label} removed{hint}",
                (old_props[name][1], new_props_ptr),
                role=where.role,
                operation=where.operation,
            )
        for name in added:
            child = where.child(name)
            required = name in new_required
            if response:
                change_id = f"response-{'required' if required else 'optional'}-property-added"
                text = f"new {'required' if required else 'optional'} {child.label}"
            else:
                change_id = f"new-{'required' if required else 'optional'}-request-property"
                text = f"new {'required' if required else 'optional'} {child.label}"
            self.emit(
                change_id,
                text,
                (old_props_ptr, new_props[name][1]),
                role=where.role,
                operation=where.operation,
            )
        for name in old_props:
            if name not in new_props:
                continue
            child = where.child(name)
            was, now = name in old_required, name in new_required
            if was != now:
                self.emit(
                    f"{'response' if response else 'request'}-property-became-{'required' if now else 'optional'}",
                    f"{child.label} became {'required' if now else 'optional'}",
                    (_required_ptr(old, old_ptr), _required_ptr(new, new_ptr)),
                    role=where.role,
                    operation=where.operation,
                )
            self._schema(old_props[name], new_props[name], child, seen)

    def _renames(
        self,
        old_props: dict[str, tuple[Any, str]],
        new_props: dict[str, tuple[Any, str]],
        removed: list[str],
        added: list[str],
    ) -> dict[str, str]:
        """A removed and an added property with the same schema are likely a rename: say so."""
        if len(removed) != 1 or len(added) != 1:
            return {}
        old_schema = _materialize(self.old, old_props[removed[0]][0])
        new_schema = _materialize(self.new, new_props[added[0]][0])
        return {removed[0]: added[0]} if old_schema == new_schema else {}

    def _branches(
        self,
        old: dict[str, Any],
        old_ptr: str,
        new: dict[str, Any],
        new_ptr: str,
        *,
        where: _Where,
        seen: frozenset[tuple[str, str, str]],
    ) -> None:
        for keyword, fragment in (("anyOf", "any-of"), ("oneOf", "one-of")):
            old_branches = _non_null_branches(self.old, old.get(keyword), join(old_ptr, keyword))
            new_branches = _non_null_branches(self.new, new.get(keyword), join(new_ptr, keyword))
            if len(old_branches) <= 1 and len(new_branches) <= 1:
                continue  # a nullable wrapper, handled by _unwrap_null
            pointers = (_at(old, old_ptr, keyword), _at(new, new_ptr, keyword))
            if len(new_branches) > len(old_branches):
                self.emit(
                    f"{where.subject}-{fragment}-added",
                    f"{where.label}: {keyword} has {len(new_branches)} alternatives, was {len(old_branches)}",
                    pointers,
                    role=where.role,
                    operation=where.operation,
                )
            elif len(new_branches) < len(old_branches):
                self.emit(
                    f"{where.subject}-{fragment}-removed",
                    f"{where.label}: {keyword} has {len(new_branches)} alternatives, was {len(old_branches)}",
                    pointers,
                    role=where.role,
                    operation=where.operation,
                )
            # Alternatives are matched by position: reordering them is reported as changes.
            for old_branch, new_branch in zip(old_branches, new_branches, strict=False):
                self._schema(old_branch, new_branch, where, seen)

    # ---- documentation, examples, components ---------------------------------------------------

    def _docs(self, old: Any, old_ptr: str, new: Any, new_ptr: str, operation: str | None) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        for key in DOC_KEYS:
            if old.get(key) != new.get(key):
                self.emit(
                    "description-changed",
                    f"{key} changed",
                    (_at(old, old_ptr, key), _at(new, new_ptr, key)),
                    operation=operation,
                )

    def _examples(
        self, old: Any, old_ptr: str, new: Any, new_ptr: str, operation: str | None
    ) -> None:
        old_named, new_named = _mapping(old.get("examples")), _mapping(new.get("examples"))
        keys: tuple[str, ...] = EXAMPLE_KEYS
        if old_named and new_named:
            # Named examples are compared one by one, where they are written (often a component).
            keys = ("example",)
            for name in _union(old_named, new_named):
                self._named_example(name, (old_named, old_ptr), (new_named, new_ptr), operation)
        for key in keys:
            old_value = _materialize(self.old, old.get(key))
            new_value = _materialize(self.new, new.get(key))
            if old_value != new_value:
                self.emit(
                    "example-changed",
                    f"{key} changed",
                    (_at(old, old_ptr, key), _at(new, new_ptr, key)),
                    operation=operation,
                )

    def _named_example(
        self,
        name: str,
        old: tuple[dict[str, Any], str],
        new: tuple[dict[str, Any], str],
        operation: str | None,
    ) -> None:
        (old_named, old_ptr), (new_named, new_ptr) = old, new
        if name not in new_named or name not in old_named:
            action = "added" if name in new_named else "removed"
            self.emit(
                "example-changed",
                f"example {name} {action}",
                (
                    join(old_ptr, "examples", *([name] if name in old_named else [])),
                    join(new_ptr, "examples", *([name] if name in new_named else [])),
                ),
                operation=operation,
            )
            return
        old_ex, old_ex_ptr = deref(self.old, old_named[name], join(old_ptr, "examples", name))
        new_ex, new_ex_ptr = deref(self.new, new_named[name], join(new_ptr, "examples", name))
        if _materialize(self.old, old_ex) != _materialize(self.new, new_ex):
            self.emit(
                "example-changed",
                f"example {name} changed",
                (old_ex_ptr, new_ex_ptr),
                operation=operation,
            )

    def _component_schemas(self) -> None:
        base = "/components/schemas"
        old_schemas = _mapping(_mapping(self.old.get("components")).get("schemas"))
        new_schemas = _mapping(_mapping(self.new.get("components")).get("schemas"))
        for name in _union(old_schemas, new_schemas):
            if name not in new_schemas:
                self.emit(
                    "api-schema-removed",
                    f"component schema {name} removed (its generated model is removed)",
                    (join(base, name), base),
                )
            elif name not in old_schemas:
                self.emit(
                    "api-schema-added", f"component schema {name} added", (base, join(base, name))
                )


# ---- helpers -------------------------------------------------------------------------------------


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _union(old: dict[Any, Any], new: dict[Any, Any]) -> list[Any]:
    """Keys of both mappings: the old order, then keys only the new one has."""
    return [*old, *(key for key in new if key not in old)]


def _operations(item: Any, item_ptr: str) -> Iterator[tuple[str, tuple[dict[str, Any], str]]]:
    if isinstance(item, dict):
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                yield method, (item[method], join(item_ptr, method))


def _at(node: Any, pointer: str, *keys: str) -> str:
    """The pointer of the first of ``keys`` present in ``node``, else of ``node`` itself."""
    if isinstance(node, dict):
        for key in keys:
            if key in node:
                return join(pointer, key)
    return pointer


def _show(value: Any) -> str:
    if value is None:
        return "none"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") in ("null", ["null"])


def _unwrap_null(
    document: dict[str, Any], schema: dict[str, Any], pointer: str
) -> tuple[bool, dict[str, Any], str]:
    """(nullable, the schema describing the non-null values, its pointer).

    Null is allowed by ``type: [x, 'null']``, by a ``{type: 'null'}`` alternative of
    ``anyOf``/``oneOf``, by ``null`` in ``enum``, or by OpenAPI 3.0's ``nullable: true``.
    """
    types = schema.get("type")
    enum = schema.get("enum")
    nullable = (
        schema.get("nullable") is True
        or (isinstance(types, list) and "null" in types)
        or (isinstance(enum, list) and None in enum)
    )
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if not isinstance(branches, list):
            continue
        resolved = [
            deref(document, branch, join(pointer, keyword, i)) for i, branch in enumerate(branches)
        ]
        if any(_is_null_schema(branch) for branch, _ in resolved):
            nullable = True
            others = [(branch, ptr) for branch, ptr in resolved if not _is_null_schema(branch)]
            if len(others) == 1 and isinstance(others[0][0], dict):
                return True, others[0][0], others[0][1]
    return nullable, schema, pointer


def _non_null_branches(
    document: dict[str, Any], branches: Any, pointer: str
) -> list[tuple[Any, str]]:
    if not isinstance(branches, list):
        return []
    resolved = [deref(document, branch, join(pointer, i)) for i, branch in enumerate(branches)]
    return [(branch, ptr) for branch, ptr in resolved if not _is_null_schema(branch)]


def _types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {str(t) for t in declared}
    elif "properties" in schema or "required" in schema:
        types = {"object"}
    elif "items" in schema:
        types = {"array"}
    else:
        types = set()  # any type
    return frozenset(types - {"null"})


def _type_text(types: frozenset[str]) -> str:
    return "|".join(sorted(types)) if types else "any"


def _enum_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(schema.get("enum"), list):
        values = schema["enum"]
    elif "const" in schema:
        values = [schema["const"]]
    else:
        return None
    # null is nullability, reported as such; values are keyed by their JSON text.
    return {json.dumps(v, sort_keys=True): v for v in values if v is not None}


def _object_view(
    document: dict[str, Any], schema: dict[str, Any], pointer: str
) -> tuple[dict[str, tuple[Any, str]], set[str], str]:
    """Properties (with pointers), required names, and where properties live.

    ``allOf`` parts are merged in, so a schema split into parts compares like one object.
    """
    properties: dict[str, tuple[Any, str]] = {}
    required: set[str] = set()
    parts = [(schema, pointer)]
    all_of = schema.get("allOf")
    if isinstance(all_of, list):
        parts += [deref(document, part, join(pointer, "allOf", i)) for i, part in enumerate(all_of)]
    for part, part_ptr in parts:
        if not isinstance(part, dict):
            continue
        for name, prop in _mapping(part.get("properties")).items():
            properties.setdefault(str(name), (prop, join(part_ptr, "properties", str(name))))
        if isinstance(part.get("required"), list):
            required |= {str(name) for name in part["required"]}
    return properties, required, _at(schema, pointer, "properties")


def _required_ptr(schema: dict[str, Any], pointer: str) -> str:
    return _at(schema, pointer, "required")


def _requirements(security: Any) -> dict[frozenset[str], dict[str, frozenset[str]]]:
    """Security requirements as {scheme names: {scheme: scopes}}; any one of them suffices."""
    found: dict[frozenset[str], dict[str, frozenset[str]]] = {}
    for requirement in security if isinstance(security, list) else []:
        if isinstance(requirement, dict):
            scopes = {
                str(name): frozenset(str(s) for s in (value if isinstance(value, list) else []))
                for name, value in requirement.items()
            }
            found[frozenset(scopes)] = scopes
    return found


def _server_urls(servers: Any) -> list[str]:
    """The URLs of top-level ``servers``; absent means ``/`` (OpenAPI's default)."""
    if not isinstance(servers, list) or not servers:
        return ["/"]
    return [str(s.get("url")) if isinstance(s, dict) else str(s) for s in servers]


def _schemes(schemes: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(schemes)) + "}" if schemes else "{} (no authentication)"


def _materialize(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """The value with local ``$ref``s inlined (to a fixed depth, so loops end)."""
    if depth > 32:
        return node
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            target, _ = deref(document, node, "")
            if target is not node:
                return _materialize(document, target, depth + 1)
        return {key: _materialize(document, value, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [_materialize(document, value, depth + 1) for value in node]
    return node


__all__ = ["Change", "DiffReport", "diff_documents"]
