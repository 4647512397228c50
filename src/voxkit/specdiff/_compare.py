"""Walking two OpenAPI documents side by side and recording every change.

The walk starts from each operation, so every schema is judged in the role it plays there:
schemas reached from ``parameters`` and ``requestBody`` in the request role, schemas reached
from ``responses`` in the response role. A component used in both roles is judged in both.

``$ref``s are followed, and a change is recorded at the place it is written (the component),
with the list of operations that reach it: one entry per change, not one per use.
"""

from __future__ import annotations

from typing import Any

from vox_validators.jsonpointer import deref, join
from voxkit.specdiff._errors import SpecLoadError
from voxkit.specdiff._load import Document, Source, load
from voxkit.specdiff._nodes import (
    at,
    mapping,
    operations_of,
    schemes_text,
    security_requirements,
    server_urls,
    show,
    union,
)
from voxkit.specdiff._record import DiffReport
from voxkit.specdiff._schemas import SchemaComparer, Where


def compare(old: Source, new: Source) -> DiffReport:
    """Every change from the OpenAPI document ``old`` to ``new``, and whether it breaks.

    Each document may be a path (``os.PathLike``), its text (``bytes`` or ``str``, YAML or
    JSON), an already-parsed mapping, or a ``Document``. A document that cannot be read, parsed
    or used (not OpenAPI 3.x, an unresolvable local ``$ref`` or a loop of them, more than a
    million nodes once its YAML aliases or shared objects are expanded, nested too deeply)
    raises ``SpecLoadError`` with a one-line message; texts and mappings are named
    ``<old>``/``<new>``.
    """
    old_document, new_document = load(old, "<old>"), load(new, "<new>")
    try:
        return diff_documents(old_document, new_document)
    except RecursionError:
        # Schemas nested thousands of levels deep: no real spec is, so refuse rather than crash.
        raise SpecLoadError("the documents nest too deeply to compare") from None


def diff_documents(old: Document, new: Document) -> DiffReport:
    """``compare`` for two documents already loaded (``RecursionError`` is not caught)."""
    differ = _Differ(old.content, new.content)
    differ.run()
    return DiffReport(old=old.label, new=new.label, changes=differ.changes())


class _Differ(SchemaComparer):
    """The document walk: paths, operations, security, parameters, bodies, responses."""

    # ---- the walk ----------------------------------------------------------------------------

    def run(self) -> None:
        self._docs(self.old.get("info"), "/info", self.new.get("info"), "/info", None)
        self._servers()
        self._global_security()
        self._security_schemes()
        self._paths()
        self._component_schemas()

    def _paths(self) -> None:
        old_paths = mapping(self.old.get("paths"))
        new_paths = mapping(self.new.get("paths"))
        for path in union(old_paths, new_paths):
            old_ptr, new_ptr = join("/paths", path), join("/paths", path)
            old_item, old_ptr = deref(self.old, old_paths.get(path), old_ptr)
            new_item, new_ptr = deref(self.new, new_paths.get(path), new_ptr)
            old_ops = dict(operations_of(old_item, old_ptr))
            new_ops = dict(operations_of(new_item, new_ptr))
            for method in union(old_ops, new_ops):
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
                f"{label}: operationId {show(old_id)} became {show(new_id)}"
                " (the generated client's function is renamed)",
                (at(old_op, old_ptr, "operationId"), at(new_op, new_ptr, "operationId")),
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
        old_urls = server_urls(self.old.get("servers"))
        new_urls = server_urls(self.new.get("servers"))
        if old_urls != new_urls:
            self.emit(
                "servers-changed",
                f"servers {show(old_urls)} became {show(new_urls)}",
                ("/servers", "/servers"),
            )

    def _global_security(self) -> None:
        # The operations that inherit the global requirement are the ones it affects.
        inheriting: list[str] = []
        for document in (self.old, self.new):
            for path, item in mapping(document.get("paths")).items():
                item, _ = deref(document, item, "")
                for method, (op, _) in operations_of(item, ""):
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
        pointers = (at(old_op, old_ptr, "security"), at(new_op, new_ptr, "security"))
        self._security("api-security", (old_security, new_security), pointers, [label])

    def _security(
        self,
        prefix: str,
        requirements: tuple[Any, Any],
        pointers: tuple[str, str],
        operations: list[str],
    ) -> None:
        old_reqs, new_reqs = (
            security_requirements(requirements[0]),
            security_requirements(requirements[1]),
        )
        found: list[tuple[str, str]] = []
        for schemes, scopes in old_reqs.items():
            if schemes not in new_reqs:
                found.append(
                    (f"{prefix}-removed", f"security requirement {schemes_text(schemes)} removed")
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
                found.append(
                    (f"{prefix}-added", f"security requirement {schemes_text(schemes)} added")
                )
        targets: list[str | None] = [*operations] or [None]
        for change_id, message in found:
            for operation in targets:
                self.emit(change_id, message, pointers, operation=operation)

    def _security_schemes(self) -> None:
        base = "/components/securitySchemes"
        old_schemes = mapping(mapping(self.old.get("components")).get("securitySchemes"))
        new_schemes = mapping(mapping(self.new.get("components")).get("securitySchemes"))
        for name in union(old_schemes, new_schemes):
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
                        f"security scheme {name}: type {show(old.get('type'))} became {show(new.get('type'))}",
                        (at(old, old_ptr, "type"), at(new, new_ptr, "type")),
                    )
                for key in ("scheme", "in", "name", "bearerFormat"):
                    if old.get(key) != new.get(key):
                        self.emit(
                            "security-scheme-changed",
                            f"security scheme {name}: {key} {show(old.get(key))} became {show(new.get(key))}",
                            (at(old, old_ptr, key), at(new, new_ptr, key)),
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
        for key in union(old_params, new_params):
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
                    (at(old_param, old_ptr, "required"), at(new_param, new_ptr, "required")),
                    role="request",
                    operation=label,
                )
            self._docs(old_param, old_ptr, new_param, new_ptr, label)
            self._examples(old_param, old_ptr, new_param, new_ptr, label)
            if "schema" in old_param and "schema" in new_param:
                where = Where(label, "request", parameter=title)
                self._schema(
                    (old_param["schema"], join(old_ptr, "schema")),
                    (new_param["schema"], join(new_ptr, "schema")),
                    where,
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
                (at(old_body, old_body_ptr, "required"), at(new_body, new_body_ptr, "required")),
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
        old_codes = {str(code).upper(): code for code in mapping(old_all)}
        new_codes = {str(code).upper(): code for code in mapping(new_all)}
        for code in union(old_codes, new_codes):
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
        old_headers = {str(k).lower(): k for k in mapping(old_response.get("headers"))}
        new_headers = {str(k).lower(): k for k in mapping(new_response.get("headers"))}
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
                (header_ptr, at(new_response, new_ptr, "headers")),
                role="response",
                operation=label,
            )
        for name, written in new_headers.items():
            if name not in old_headers:
                self.emit(
                    "response-header-added",
                    f"{label}: response {code} header {written} added",
                    (at(old_response, old_ptr, "headers"), join(new_ptr, "headers", written)),
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
        old_content = mapping(old_holder.get("content"))
        new_content = mapping(new_holder.get("content"))
        what = f"response {code}" if code else "request body"
        prefix = "response" if role == "response" else "request-body"
        for media in union(old_content, new_content):
            old_media_ptr = join(old_ptr, "content", media)
            new_media_ptr = join(new_ptr, "content", media)
            if media not in new_content:
                self.emit(
                    f"{prefix}-media-type-removed",
                    f"{label}: {what} media type {media} removed",
                    (old_media_ptr, at(new_holder, new_ptr, "content")),
                    role=role,
                    operation=label,
                )
            elif media not in old_content:
                self.emit(
                    f"{prefix}-media-type-added",
                    f"{label}: {what} media type {media} added",
                    (at(old_holder, old_ptr, "content"), new_media_ptr),
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
                        Where(label, role),
                    )

    def _component_schemas(self) -> None:
        base = "/components/schemas"
        old_schemas = mapping(mapping(self.old.get("components")).get("schemas"))
        new_schemas = mapping(mapping(self.new.get("components")).get("schemas"))
        for name in union(old_schemas, new_schemas):
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
