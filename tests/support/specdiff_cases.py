"""The fixture pairs of ``voxkit spec diff``: one small spec, changed one way per case.

Each case writes ``tests/fixtures/specdiff/<case>/old.yaml`` and ``new.yaml`` and states, by
hand, the check ids the diff must report and their classification. The YAML files are
committed so they can be read and reused; ``tests/specdiff/test_checks.py`` checks they are
what this module describes. Rewrite them with ``python -m tests.support.specdiff_cases``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from voxkit.specdiff import OASDIFF_CHECK_IDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specdiff"
BREAKING, NON_BREAKING = "breaking", "non-breaking"

Doc = dict[str, Any]
Edit = Callable[[Doc], None]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Any) -> Doc:
    return {"application/json": {"schema": schema}}


def base() -> Doc:
    """Two operations; ItemRequest is only sent, Item only received, Shape both."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "spec diff fixture", "version": "1.0.0"},
        "security": [{"bearerAuth": []}],
        "paths": {
            "/items": {
                "post": {
                    "operationId": "createItem",
                    "requestBody": {"required": True, "content": _json(_ref("ItemRequest"))},
                    "responses": {
                        "200": {"description": "The created item.", "content": _json(_ref("Item"))},
                        "400": {"description": "Bad request.", "content": _json(_ref("Error"))},
                    },
                }
            },
            "/items/{item_id}": {
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1},
                    }
                ],
                "get": {
                    "operationId": "getItem",
                    "parameters": [
                        {
                            "name": "view",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["short", "full"]},
                        }
                    ],
                    "responses": {
                        "200": {"description": "The item.", "content": _json(_ref("Item"))}
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "ItemRequest": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 100},
                        "count": {"type": "integer", "minimum": 1, "maximum": 10},
                        "color": {"type": "string", "enum": ["red", "green"]},
                        "note": {"type": ["string", "null"]},
                        "shape": _ref("Shape"),
                    },
                },
                "Item": {
                    "type": "object",
                    "required": ["id", "name", "status", "size", "owner"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string", "description": "The item's name."},
                        "status": {"type": "string", "enum": ["active", "archived"]},
                        "size": {"type": "integer"},
                        "nickname": {"type": "string"},
                        "owner": _ref("Owner"),
                        "shape": _ref("Shape"),
                    },
                },
                "Owner": {
                    "type": "object",
                    "required": ["login"],
                    "properties": {"login": {"type": "string"}},
                },
                "Shape": {"type": "string", "enum": ["circle", "square"]},
                "Error": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {"message": {"type": "string"}},
                },
            },
        },
    }


# ---- places in the document ---------------------------------------------------------------


def _schemas(doc: Doc) -> Doc:
    schemas: Doc = doc["components"]["schemas"]
    return schemas


def _request_props(doc: Doc) -> Doc:
    props: Doc = _schemas(doc)["ItemRequest"]["properties"]
    return props


def _response_props(doc: Doc) -> Doc:
    props: Doc = _schemas(doc)["Item"]["properties"]
    return props


def _get(doc: Doc) -> Doc:
    op: Doc = doc["paths"]["/items/{item_id}"]["get"]
    return op


def _post(doc: Doc) -> Doc:
    op: Doc = doc["paths"]["/items"]["post"]
    return op


def _view(doc: Doc) -> Doc:
    param: Doc = _get(doc)["parameters"][0]
    return param


def _request_body_media(doc: Doc) -> Doc:
    media: Doc = _post(doc)["requestBody"]["content"]["application/json"]
    return media


def _response_body_media(doc: Doc) -> Doc:
    media: Doc = _get(doc)["responses"]["200"]["content"]["application/json"]
    return media


# Where each subject's schema lives (``host``) and how to put a schema there.
def _put_request_body(doc: Doc, schema: Doc) -> None:
    _request_body_media(doc)["schema"] = schema


def _put_request_property(doc: Doc, schema: Doc) -> None:
    _request_props(doc)["value"] = schema


def _put_request_parameter(doc: Doc, schema: Doc) -> None:
    _view(doc)["schema"] = schema


def _put_response_property(doc: Doc, schema: Doc) -> None:
    _response_props(doc)["value"] = schema


def _put_response_body(doc: Doc, schema: Doc) -> None:
    _response_body_media(doc)["schema"] = schema


PUT: dict[str, Callable[[Doc, Doc], None]] = {
    "request-body": _put_request_body,
    "request-property": _put_request_property,
    "request-parameter": _put_request_parameter,
    "response-property": _put_response_property,
    "response-body": _put_response_body,
}


def _host(doc: Doc, subject: str) -> Doc:
    if subject == "request-body":
        schema: Doc = _request_body_media(doc)["schema"]
    elif subject == "request-property":
        schema = _request_props(doc)["value"]
    elif subject == "request-parameter":
        schema = _view(doc)["schema"]
    elif subject == "response-property":
        schema = _response_props(doc)["value"]
    else:
        schema = _response_body_media(doc)["schema"]
    return schema


# ---- cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    expected: tuple[tuple[str, str], ...]  # (check id, classification): no more, no less
    change: Edit
    prepare: Edit | None = None  # applied to both documents first

    def documents(self) -> tuple[Doc, Doc]:
        old = base()
        if self.prepare is not None:
            self.prepare(old)
        new = copy.deepcopy(old)
        self.change(new)
        return old, new


def _case(name: str, classification: str, change: Edit, prepare: Edit | None = None) -> Case:
    """A case named after the one check it triggers."""
    return Case(name, ((name, classification),), change, prepare)


def _all(*edits: Edit) -> Edit:
    def run(doc: Doc) -> None:
        for edit in edits:
            edit(doc)

    return run


def _delete_op(doc: Doc) -> None:
    doc["paths"]["/items/{item_id}"]["delete"] = {
        "operationId": "deleteItem",
        "responses": {"204": {"description": "Deleted."}},
    }


def _deprecate_delete(doc: Doc) -> None:
    _delete_op(doc)
    doc["paths"]["/items/{item_id}"]["delete"]["deprecated"] = True


def _api_key_scheme(doc: Doc) -> None:
    doc["components"]["securitySchemes"]["apiKey"] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
    }


def _set(getter: Callable[[Doc], Doc], key: str, value: Any) -> Edit:
    def run(doc: Doc) -> None:
        getter(doc)[key] = copy.deepcopy(value)

    return run


def _drop(getter: Callable[[Doc], Doc], key: str) -> Edit:
    def run(doc: Doc) -> None:
        del getter(doc)[key]

    return run


def _require(schema: str, name: str) -> Edit:
    def run(doc: Doc) -> None:
        _schemas(doc)[schema]["required"].append(name)

    return run


def _unrequire(schema: str, name: str) -> Edit:
    def run(doc: Doc) -> None:
        _schemas(doc)[schema]["required"].remove(name)

    return run


def _put(subject: str, schema: Doc) -> Edit:
    def run(doc: Doc) -> None:
        PUT[subject](doc, copy.deepcopy(schema))

    return run


def _host_set(subject: str, key: str, value: Any) -> Edit:
    def run(doc: Doc) -> None:
        _host(doc, subject)[key] = copy.deepcopy(value)

    return run


def _host_drop(subject: str, key: str) -> Edit:
    def run(doc: Doc) -> None:
        del _host(doc, subject)[key]

    return run


def _structural_cases() -> list[Case]:
    b, n = BREAKING, NON_BREAKING
    item_path = "/items/{item_id}"
    return [
        # paths and operations
        _case(
            "api-path-removed-without-deprecation",
            b,
            lambda d: d["paths"].pop(item_path),
        ),
        _case(
            "api-path-removed-with-deprecation",
            b,
            lambda d: d["paths"].pop(item_path),
            _set(_get, "deprecated", True),
        ),
        _case(
            "api-removed-without-deprecation",
            b,
            lambda d: d["paths"][item_path].pop("delete"),
            _delete_op,
        ),
        _case(
            "api-removed-with-deprecation",
            b,
            lambda d: d["paths"][item_path].pop("delete"),
            _deprecate_delete,
        ),
        _case("endpoint-added", n, _delete_op),
        _case("endpoint-deprecated", n, _set(_get, "deprecated", True)),
        _case("api-operation-id-removed", b, _set(_get, "operationId", "fetchItem")),
        _case(
            "api-operation-id-added",
            b,
            _set(_get, "operationId", "getItem"),
            _drop(_get, "operationId"),
        ),
        # security
        _case(
            "api-global-security-added",
            b,
            lambda d: d["security"].append({"apiKey": []}),
            _api_key_scheme,
        ),
        _case("api-global-security-removed", b, lambda d: d.update(security=[])),
        _case(
            "api-global-security-scope-added",
            b,
            lambda d: d.update(security=[{"bearerAuth": ["admin"]}]),
        ),
        _case(
            "api-global-security-scope-removed",
            b,
            lambda d: d.update(security=[{"bearerAuth": []}]),
            lambda d: d.update(security=[{"bearerAuth": ["admin"]}]),
        ),
        _case(
            "api-security-added",
            b,
            _set(_get, "security", [{"bearerAuth": []}, {"apiKey": []}]),
            _api_key_scheme,
        ),
        _case(
            "api-security-removed",
            b,
            _set(_get, "security", [{"bearerAuth": []}]),
            _all(_api_key_scheme, _set(_get, "security", [{"bearerAuth": []}, {"apiKey": []}])),
        ),
        _case("api-security-scope-added", b, _set(_get, "security", [{"bearerAuth": ["admin"]}])),
        _case(
            "api-security-scope-removed",
            b,
            _set(_get, "security", [{"bearerAuth": []}]),
            _set(_get, "security", [{"bearerAuth": ["admin"]}]),
        ),
        _case("api-security-component-added", n, _api_key_scheme),
        _case(
            "api-security-component-removed",
            b,
            lambda d: d["components"]["securitySchemes"].pop("apiKey"),
            _api_key_scheme,
        ),
        _case(
            "api-security-component-type-changed",
            b,
            lambda d: d["components"]["securitySchemes"].update(
                bearerAuth={"type": "openIdConnect", "scheme": "bearer"}
            ),
        ),
        _case(
            "security-scheme-changed",
            b,
            lambda d: d["components"]["securitySchemes"]["bearerAuth"].update(scheme="basic"),
        ),
        # parameters
        _case("request-parameter-removed", b, lambda d: _get(d).pop("parameters")),
        _case(
            "new-required-request-parameter",
            b,
            lambda d: _get(d)["parameters"].append(
                {"name": "limit", "in": "query", "required": True, "schema": {"type": "integer"}}
            ),
        ),
        _case(
            "new-optional-request-parameter",
            n,
            lambda d: _get(d)["parameters"].append(
                {"name": "limit", "in": "query", "schema": {"type": "integer"}}
            ),
        ),
        _case("request-parameter-became-required", b, _set(_view, "required", True)),
        _case(
            "request-parameter-became-optional",
            n,
            _set(_view, "required", False),
            _set(_view, "required", True),
        ),
        # request body
        _case(
            "request-body-added-required",
            b,
            _set(_post, "requestBody", {"required": True, "content": _json(_ref("ItemRequest"))}),
            _drop(_post, "requestBody"),
        ),
        _case(
            "request-body-added-optional",
            n,
            _set(_post, "requestBody", {"content": _json(_ref("ItemRequest"))}),
            _drop(_post, "requestBody"),
        ),
        _case("request-body-removed", b, _drop(_post, "requestBody")),
        _case(
            "request-body-became-required",
            b,
            lambda d: _post(d)["requestBody"].update(required=True),
            lambda d: _post(d)["requestBody"].update(required=False),
        ),
        _case(
            "request-body-became-optional",
            n,
            lambda d: _post(d)["requestBody"].update(required=False),
        ),
        _case(
            "request-body-media-type-removed",
            b,
            lambda d: _post(d)["requestBody"]["content"].pop("application/x-www-form-urlencoded"),
            lambda d: _post(d)["requestBody"]["content"].update(
                {"application/x-www-form-urlencoded": {"schema": _ref("ItemRequest")}}
            ),
        ),
        _case(
            "request-body-media-type-added",
            n,
            lambda d: _post(d)["requestBody"]["content"].update(
                {"application/x-www-form-urlencoded": {"schema": _ref("ItemRequest")}}
            ),
        ),
        # responses
        _case(
            "response-success-status-removed",
            b,
            lambda d: _post(d)["responses"].pop("200"),
        ),
        _case(
            "response-success-status-added",
            b,
            lambda d: _post(d)["responses"].update(
                {"201": {"description": "Created.", "content": _json(_ref("Item"))}}
            ),
        ),
        _case(
            "response-non-success-status-removed",
            n,
            lambda d: _post(d)["responses"].pop("400"),
        ),
        _case(
            "response-non-success-status-added",
            n,
            lambda d: _get(d)["responses"].update(
                {"404": {"description": "Not found.", "content": _json(_ref("Error"))}}
            ),
        ),
        _case(
            "response-media-type-removed",
            b,
            lambda d: _get(d)["responses"]["200"]["content"].pop("application/xml"),
            lambda d: _get(d)["responses"]["200"]["content"].update(
                {"application/xml": {"schema": _ref("Item")}}
            ),
        ),
        _case(
            "response-media-type-added",
            n,
            lambda d: _get(d)["responses"]["200"]["content"].update(
                {"application/xml": {"schema": _ref("Item")}}
            ),
        ),
        _case(
            "required-response-header-removed",
            b,
            lambda d: _get(d)["responses"]["200"].pop("headers"),
            _set(
                lambda d: _get(d)["responses"]["200"],
                "headers",
                {"ETag": {"required": True, "schema": {"type": "string"}}},
            ),
        ),
        _case(
            "optional-response-header-removed",
            n,
            lambda d: _get(d)["responses"]["200"].pop("headers"),
            _set(
                lambda d: _get(d)["responses"]["200"],
                "headers",
                {"ETag": {"schema": {"type": "string"}}},
            ),
        ),
        _case(
            "response-header-added",
            n,
            _set(
                lambda d: _get(d)["responses"]["200"],
                "headers",
                {"ETag": {"schema": {"type": "string"}}},
            ),
        ),
        _case(
            "servers-changed",
            b,
            lambda d: d.update(servers=[{"url": "https://api.example.invalid/v2"}]),
            lambda d: d.update(servers=[{"url": "https://api.example.invalid"}]),
        ),
        # properties
        _case("request-property-removed", b, _drop(_request_props, "count")),
        _case(
            "new-required-request-property",
            b,
            _all(
                _set(_request_props, "size", {"type": "integer"}), _require("ItemRequest", "size")
            ),
        ),
        _case(
            "new-optional-request-property", n, _set(_request_props, "size", {"type": "integer"})
        ),
        _case("request-property-became-required", b, _require("ItemRequest", "count")),
        _case("request-property-became-optional", n, _unrequire("ItemRequest", "name")),
        _case(
            "response-required-property-removed",
            b,
            _all(_drop(_response_props, "size"), _unrequire("Item", "size")),
        ),
        _case("response-optional-property-removed", b, _drop(_response_props, "nickname")),
        _case(
            "response-required-property-added",
            n,
            _all(_set(_response_props, "color", {"type": "string"}), _require("Item", "color")),
        ),
        _case(
            "response-optional-property-added",
            n,
            _set(_response_props, "color", {"type": "string"}),
        ),
        _case("response-property-became-optional", b, _unrequire("Item", "size")),
        _case("response-property-became-required", n, _require("Item", "nickname")),
        # a rename is a removal and an addition; the removal names the likely new name
        Case(
            "response-property-renamed",
            (
                ("response-optional-property-removed", BREAKING),
                ("response-optional-property-added", NON_BREAKING),
            ),
            lambda d: _response_props(d).update(nick=_response_props(d).pop("nickname")),
        ),
        # components, documentation, examples
        _case(
            "api-schema-removed",
            b,
            lambda d: _schemas(d).pop("Legacy"),
            _set(_schemas, "Legacy", {"type": "string"}),
        ),
        _case("api-schema-added", n, _set(_schemas, "Legacy", {"type": "string"})),
        _case(
            "description-changed",
            n,
            lambda d: _response_props(d)["name"].update(description="The name of the item."),
        ),
        Case(
            "info-description-changed",
            (("description-changed", NON_BREAKING),),
            lambda d: d["info"].update(description="Now with a description."),
        ),
        _case(
            "example-changed",
            n,
            _set(_response_body_media, "example", {"id": "i2", "name": "b"}),
            _set(_response_body_media, "example", {"id": "i1", "name": "a"}),
        ),
    ]


def _schema_cases() -> list[Case]:
    b, n = BREAKING, NON_BREAKING
    cases: list[Case] = []
    for subject in ("request-body", "request-property", "request-parameter"):
        string, integer = {"type": "string"}, {"type": "integer"}
        cases += [
            _case(f"{subject}-type-changed", b, _put(subject, integer), _put(subject, string)),
            _case(
                f"{subject}-type-generalized",
                n,
                _put(subject, {"type": "number"}),
                _put(subject, integer),
            ),
            _case(
                f"{subject}-became-nullable",
                n,
                _put(subject, {"type": ["string", "null"]}),
                _put(subject, string),
            ),
            _case(
                f"{subject}-became-not-nullable",
                b,
                _put(subject, string),
                _put(subject, {"type": ["string", "null"]}),
            ),
            _case(
                f"{subject}-enum-value-removed",
                b,
                _host_set(subject, "enum", ["a"]),
                _put(subject, {"type": "string", "enum": ["a", "b"]}),
            ),
            _case(
                f"{subject}-enum-value-added",
                n,
                _host_set(subject, "enum", ["a", "b", "c"]),
                _put(subject, {"type": "string", "enum": ["a", "b"]}),
            ),
            _case(
                f"{subject}-became-enum",
                b,
                _host_set(subject, "enum", ["a", "b"]),
                _put(subject, string),
            ),
            _case(
                f"{subject}-enum-unset",
                n,
                _host_drop(subject, "enum"),
                _put(subject, {"type": "string", "enum": ["a", "b"]}),
            ),
        ]
    for subject in ("response-body", "response-property"):
        cases += [
            _case(
                f"{subject}-type-changed",
                b,
                _put(subject, {"type": "integer"}),
                _put(subject, {"type": "string"}),
            ),
            _case(
                f"{subject}-became-nullable",
                b,
                _put(subject, {"type": ["string", "null"]}),
                _put(subject, {"type": "string"}),
            ),
            _case(
                f"{subject}-became-not-nullable",
                n,
                _put(subject, {"type": "string"}),
                _put(subject, {"type": ["string", "null"]}),
            ),
            _case(
                f"{subject}-enum-value-added",
                b,
                _host_set(subject, "enum", ["a", "b", "c"]),
                _put(subject, {"type": "string", "enum": ["a", "b"]}),
            ),
            _case(
                f"{subject}-became-enum",
                n,
                _host_set(subject, "enum", ["a", "b"]),
                _put(subject, {"type": "string"}),
            ),
            _case(
                f"{subject}-enum-unset",
                b,
                _host_drop(subject, "enum"),
                _put(subject, {"type": "string", "enum": ["a", "b"]}),
            ),
            _case(
                f"{subject}-enum-value-removed",
                n,
                _host_set(subject, "enum", ["a"]),
                _put(subject, {"type": "string", "enum": ["a", "b"]}),
            ),
        ]
    for subject in SUBJECTS:
        request = subject.startswith("request")
        for keyword, fragment in (("anyOf", "any-of"), ("oneOf", "one-of")):
            two = {keyword: [{"type": "string"}, {"type": "integer"}]}
            three = {keyword: [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]}
            cases += [
                _case(
                    f"{subject}-{fragment}-added",
                    n if request else b,
                    _put(subject, three),
                    _put(subject, two),
                ),
                _case(
                    f"{subject}-{fragment}-removed",
                    b if request else n,
                    _put(subject, two),
                    _put(subject, three),
                ),
            ]
    # narrowing a type is a change of type, in either role
    cases += [
        Case(
            f"{subject}-type-narrowed",
            ((f"{subject}-type-changed", BREAKING),),
            _put(subject, {"type": "integer"}),
            _put(subject, {"type": "number"}),
        )
        for subject in ("request-property", "response-property")
    ]
    # the strict client's nullability: anyOf with a null branch, around a $ref
    cases.append(
        Case(
            "response-property-became-nullable-any-of",
            (("response-property-became-nullable", BREAKING),),
            _set(_response_props, "owner", {"anyOf": [_ref("Owner"), {"type": "null"}]}),
        )
    )
    # a component used by requests and responses is judged in both roles
    cases.append(
        Case(
            "shared-component-enum-value-added",
            (
                ("request-property-enum-value-added", NON_BREAKING),
                ("response-property-enum-value-added", BREAKING),
            ),
            lambda d: _schemas(d)["Shape"]["enum"].append("triangle"),
        )
    )
    # a change inside a component is reported once, with every operation that uses it
    cases.append(
        Case(
            "component-used-twice",
            (("response-property-type-changed", BREAKING),),
            lambda d: _schemas(d)["Owner"]["properties"]["login"].update(type="integer"),
        )
    )
    return cases


# A schema of each kind, carrying every bound, for the constraint cases.
HOSTS: dict[str, Doc] = {
    "number": {
        "type": "number",
        "minimum": 1,
        "maximum": 10,
        "exclusiveMinimum": 0,
        "exclusiveMaximum": 20,
        "multipleOf": 0.5,
    },
    "string": {"type": "string", "minLength": 2, "maxLength": 100, "pattern": "\\S"},
    "array": {
        "type": "array",
        "minItems": 2,
        "maxItems": 5,
        "uniqueItems": True,
        "items": {"type": "string"},
    },
    "object": {"type": "object", "minProperties": 2, "maxProperties": 5},
}
KEYWORD_HOST = {
    "minimum": "number",
    "maximum": "number",
    "exclusiveMinimum": "number",
    "exclusiveMaximum": "number",
    "multipleOf": "number",
    "minLength": "string",
    "maxLength": "string",
    "pattern": "string",
    "minItems": "array",
    "maxItems": "array",
    "uniqueItems": "array",
    "minProperties": "object",
    "maxProperties": "object",
}
LOWER = {
    "minimum": "min",
    "exclusiveMinimum": "exclusive-min",
    "minLength": "min-length",
    "minItems": "min-items",
    "minProperties": "min-properties",
}
UPPER = {
    "maximum": "max",
    "exclusiveMaximum": "exclusive-max",
    "maxLength": "max-length",
    "maxItems": "max-items",
    "maxProperties": "max-properties",
}
SUBJECTS = (
    "request-body",
    "request-property",
    "request-parameter",
    "response-body",
    "response-property",
)


def bound_cases() -> list[Case]:
    """Every constraint keyword, every subject, every direction: tightening a request bound
    and loosening a response bound are breaking, the opposite is not."""
    cases: list[Case] = []
    for subject in SUBJECTS:
        request = subject.startswith("request")

        def verdict(tightens: bool, request: bool = request) -> str:
            return BREAKING if tightens == request else NON_BREAKING

        for keyword, host in KEYWORD_HOST.items():
            schema = HOSTS[host]
            prepared = _put(subject, schema)
            without = {k: v for k, v in schema.items() if k != keyword}
            if keyword in LOWER or keyword in UPPER:
                fragment = LOWER.get(keyword) or UPPER[keyword]
                value = schema[keyword]
                up, down = ("increased", "decreased")
                tighten_up = keyword in LOWER
                cases += [
                    _case(
                        f"{subject}-{fragment}-{up}",
                        verdict(tighten_up),
                        _host_set(subject, keyword, value + 1),
                        prepared,
                    ),
                    _case(
                        f"{subject}-{fragment}-{down}",
                        verdict(not tighten_up),
                        _host_set(subject, keyword, value - 1),
                        prepared,
                    ),
                    _case(
                        f"{subject}-{fragment}-set",
                        verdict(True),
                        _host_set(subject, keyword, value),
                        _put(subject, without),
                    ),
                    _case(
                        f"{subject}-{fragment}-unset",
                        verdict(False),
                        _host_drop(subject, keyword),
                        prepared,
                    ),
                ]
            else:
                fragment = {
                    "pattern": "pattern",
                    "multipleOf": "multiple-of",
                    "uniqueItems": "unique-items",
                }[keyword]
                cases += [
                    _case(
                        f"{subject}-{fragment}-added",
                        verdict(True),
                        _host_set(subject, keyword, schema[keyword]),
                        _put(subject, without),
                    ),
                    _case(
                        f"{subject}-{fragment}-removed",
                        verdict(False),
                        _host_drop(subject, keyword),
                        prepared,
                    ),
                ]
                if keyword != "uniqueItems":
                    changed = "\\w" if keyword == "pattern" else 0.25
                    cases.append(
                        _case(
                            f"{subject}-{fragment}-changed",
                            BREAKING,
                            _host_set(subject, keyword, changed),
                            prepared,
                        )
                    )
    return cases


def fixture_cases() -> list[Case]:
    """The cases written to tests/fixtures/specdiff: every oasdiff check voxkit implements,
    every voxkit check that is not a bound, and the scenarios above. Bounds that oasdiff does
    not name are checked in memory by tests/specdiff/test_checks.py, without files."""
    cases = [*_structural_cases(), *_schema_cases()]
    cases += [case for case in bound_cases() if case.name in OASDIFF_CHECK_IDS]
    return cases


def dump(doc: Doc) -> str:
    # Leaf collections inline, as the real spec writes them: short files, readable diffs.
    return yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )


def write_fixtures(root: Path = FIXTURES) -> None:
    for case in fixture_cases():
        old, new = case.documents()
        folder = root / case.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "old.yaml").write_text(dump(old), encoding="utf-8")
        (folder / "new.yaml").write_text(dump(new), encoding="utf-8")


if __name__ == "__main__":
    write_fixtures()
