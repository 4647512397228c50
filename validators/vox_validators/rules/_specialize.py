"""Specialising a fused quiet check: the same statements, fewer look-ups.

A fused check (``_quiet_checks._fuse``) reads the record through ``record.get("key")``,
``"key" in record`` and ``record["key"]`` again and again, and through the module's helpers
(``_windows(record)``). Three rewrites, each exact, make those reads one local each:

- ``inline``: a call ``helper(record)`` of a plain function of the same module, as the value of
  an assignment or the iterable of a ``for`` (through ``enumerate``), becomes the helper's body
  (its locals renamed apart, its ``return`` a ``break`` out of a one-pass loop), guarded by
  ``helper is <the function inlined>`` (a rebound global falls back to the unspecialised check);
- ``unroll``: ``for key in ("a", "b"): <body>`` (a tuple of constant strings, or a global bound
  to one, guarded the same way) becomes the body once per key, with ``key`` a constant;
- ``hoist``: every read of the record with a constant key becomes a local, read once at the top.
  On a ``dict`` that is exact: a lookup of a ``str`` key in a dict has no effect and cannot fail.

When nothing reads the record but those hoisted reads, the check also runs on the msgspec struct
the decoder made, with attribute reads instead (``struct_prelude``): a member holding objects or
arrays is turned into plain JSON values (``msgspec.to_builtins``), as the rules would have seen it.
"""

from __future__ import annotations

import ast
import inspect
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Specialised",
    "copy_tree",
    "dict_prelude",
    "specialise",
    "struct_members",
    "struct_prelude",
]

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


class _Refused(Exception):
    pass


_TreeT = Any  # a node, a list of nodes (or of lists), or a constant


def copy_tree(tree: _TreeT) -> _TreeT:
    """A deep copy of a syntax tree (a node or a list of them), as ``copy.deepcopy`` makes one,
    several times faster: a node holds only nodes, lists and immutable constants, so nothing but
    nodes and lists needs copying. (Deriving the quiet checks copies the rules' trees again and
    again: with ``deepcopy`` that was half of the first record's cost.)"""
    if isinstance(tree, list):
        return [copy_tree(item) for item in tree]
    if not isinstance(tree, ast.AST):
        return tree
    clone = tree.__class__.__new__(tree.__class__)
    fields = clone.__dict__
    for name, value in tree.__dict__.items():
        fields[name] = copy_tree(value) if isinstance(value, ast.AST | list) else value
    return clone


@dataclass
class Specialised:
    """A fused body rewritten: its hoisted reads and the values its guards compare with."""

    body: list[ast.stmt]
    keys: list[str]
    """The constant keys read (``_g<i>`` is ``record.get(keys[i])``, ``_h<i>`` the ``in``)."""
    guards: dict[str, object] = field(default_factory=dict)
    """Default-argument name -> the object a guarded global must still be."""
    reads_record: bool = False
    """Whether anything but the hoisted reads still reads the record."""


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, _SCOPES):
            yield from _own_nodes(child)


class _Names:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.count = 0

    def fresh(self, hint: str) -> str:
        self.count += 1
        return f"{self.prefix}x{self.count}_{hint}"


def specialise(
    body: list[ast.stmt], record: str, namespace: dict[str, Any], prefix: str
) -> Specialised:
    names = _Names(prefix)
    guards: dict[str, object] = {}
    statements = _inline_all(body, record, namespace, names, guards)
    statements = _unroll_all(statements, namespace, names, guards)
    return _hoist(statements, record, names, guards)


# ---- inlining helpers --------------------------------------------------------------------------


def _helper(node: ast.AST, record: str, namespace: dict[str, Any]) -> types.FunctionType | None:
    """The module function ``node`` calls with the record as its only argument, if inlinable."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == record
    ):
        return None
    function = namespace.get(node.func.id)
    if type(function) is not types.FunctionType or function.__globals__ is not namespace:
        return None
    code = function.__code__
    if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        return None
    if code.co_argcount != 1 or code.co_kwonlyargcount or code.co_flags & 0x0C:
        return None  # *args / **kwargs
    if function.__closure__ is not None or code.co_freevars or code.co_cellvars:
        return None
    return function


def _helper_body(function: types.FunctionType) -> tuple[list[ast.stmt], str, frozenset[str]]:
    from vox_validators.rules._quiet_checks import (  # noqa: PLC0415 - a cycle
        _FUTURE_FLAGS,
        _compiled_function,
        _source_of,
    )

    node, offset = _source_of(function)
    code = function.__code__
    flags = code.co_flags & _FUTURE_FLAGS
    if _compiled_function(node, offset, code.co_filename, flags) != code:
        raise _Refused("the source found is not this function's")
    if node.decorator_list or node.args.defaults or node.args.posonlyargs:
        raise _Refused("decorated or with defaults")
    for inner in _own_nodes(node):
        if isinstance(
            inner,
            (*_SCOPES, ast.Import, ast.ImportFrom, ast.Match, ast.Global, ast.Nonlocal),
        ):
            raise _Refused("a construct not renamed here")
        if isinstance(inner, ast.Yield | ast.YieldFrom | ast.Await):
            raise _Refused("a generator")
        if isinstance(inner, ast.Try | ast.TryStar | ast.With):
            raise _Refused("try or with")
        if isinstance(inner, ast.Name) and inner.id in {"dir", "eval", "exec", "locals", "vars"}:
            raise _Refused("reads its frame")
        if isinstance(inner, ast.For | ast.While) and any(
            isinstance(each, ast.Return) for each in _own_nodes(inner)
        ):
            raise _Refused("a return inside a loop")
    return copy_tree(node.body), node.args.args[0].arg, frozenset(code.co_varnames)


def _inline_call(
    function: types.FunctionType,
    global_name: str,
    record: str,
    names: _Names,
    guards: dict[str, object],
) -> tuple[list[ast.stmt], str]:
    """Statements computing the helper's result into a fresh local, and that local's name."""
    body, parameter, local_names = _helper_body(function)
    if any(
        isinstance(node, ast.Name) and node.id.startswith(names.prefix)
        for statement in body
        for node in ast.walk(statement)
    ):
        raise _Refused("a name that could clash with the fused function's own")
    result = names.fresh("ret")
    renames = {name: names.fresh(name) for name in local_names}
    assigns_parameter = any(
        isinstance(node, ast.Name) and node.id == parameter and not isinstance(node.ctx, ast.Load)
        for statement in body
        for node in ast.walk(statement)
    )
    if not assigns_parameter:
        renames[parameter] = record

    class Rewrite(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.Name:
            node.id = renames.get(node.id, node.id)
            return node

        def visit_Return(self, node: ast.Return) -> list[ast.stmt]:
            value = node.value if node.value is not None else ast.Constant(value=None)
            value = self.visit(value)
            return [
                ast.Assign(targets=[ast.Name(id=result, ctx=ast.Store())], value=value),
                ast.Break(),
            ]

    statements: list[ast.stmt] = []
    if assigns_parameter:
        statements.append(
            ast.Assign(
                targets=[ast.Name(id=renames[parameter], ctx=ast.Store())],
                value=ast.Name(id=record, ctx=ast.Load()),
            )
        )
    for statement in body:
        rewritten = Rewrite().visit(statement)
        statements.extend(rewritten if isinstance(rewritten, list) else [rewritten])
    statements += [
        ast.Assign(targets=[ast.Name(id=result, ctx=ast.Store())], value=ast.Constant(value=None)),
        ast.Break(),
    ]
    guard = names.fresh("is")
    guards[guard] = function
    return [
        _guard(global_name, guard, names.prefix),
        ast.While(test=ast.Constant(value=True), body=statements, orelse=[]),
    ], result


def _guard(global_name: str, guard: str, prefix: str) -> ast.stmt:
    """``if <global> is not <what it was>: raise <prefix>Rebound``: the caller then runs the
    unspecialised check."""
    return ast.If(
        test=ast.Compare(
            left=ast.Name(id=global_name, ctx=ast.Load()),
            ops=[ast.IsNot()],
            comparators=[ast.Name(id=guard, ctx=ast.Load())],
        ),
        body=[ast.Raise(exc=ast.Name(id=prefix + "Rebound", ctx=ast.Load()))],
        orelse=[],
    )


def _inline_all(
    body: list[ast.stmt],
    record: str,
    namespace: dict[str, Any],
    names: _Names,
    guards: dict[str, object],
) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for statement in body:
        out.extend(_inline_statement(statement, record, namespace, names, guards))
    return out


def _try_inline(
    call: ast.expr,
    record: str,
    namespace: dict[str, Any],
    names: _Names,
    guards: dict[str, object],
) -> tuple[list[ast.stmt], str] | None:
    function = _helper(call, record, namespace)
    if function is None:
        return None
    try:
        return _inline_call(function, call.func.id, record, names, guards)  # type: ignore[attr-defined]
    except Exception:  # _Refused, or no source: the call stays a call
        return None


def _inline_statement(
    statement: ast.stmt,
    record: str,
    namespace: dict[str, Any],
    names: _Names,
    guards: dict[str, object],
) -> list[ast.stmt]:
    if isinstance(statement, _SCOPES):
        return [statement]
    before: list[ast.stmt] = []
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        inlined = _try_inline(statement.value, record, namespace, names, guards)
        if inlined is not None:
            before, result = inlined
            statement.value = ast.Name(id=result, ctx=ast.Load())
    elif isinstance(statement, ast.For):
        target = statement.iter
        inner = target
        if (
            isinstance(target, ast.Call)
            and isinstance(target.func, ast.Name)
            and target.func.id == "enumerate"
            and len(target.args) == 1
            and not target.keywords
        ):
            inner = target.args[0]
        inlined = _try_inline(inner, record, namespace, names, guards)
        if inlined is not None:
            before, result = inlined
            replacement = ast.Name(id=result, ctx=ast.Load())
            if inner is target:
                statement.iter = replacement
            else:
                target.args[0] = replacement  # type: ignore[attr-defined]
    # Nested statement lists: the same, inside.
    for name, value in ast.iter_fields(statement):
        if isinstance(value, list) and value and all(isinstance(v, ast.stmt) for v in value):
            setattr(statement, name, _inline_all(value, record, namespace, names, guards))
    for handler in getattr(statement, "handlers", []):
        handler.body = _inline_all(handler.body, record, namespace, names, guards)
    return [*before, statement]


# ---- unrolling loops over constant keys --------------------------------------------------------


def _constant_keys(node: ast.expr, namespace: dict[str, Any]) -> tuple[tuple[str, ...], str] | None:
    """The strings a ``for`` iterates over, and the global it reads them from ('' for a literal)."""
    if isinstance(node, ast.Tuple) and all(
        isinstance(each, ast.Constant) and type(each.value) is str for each in node.elts
    ):
        return tuple(each.value for each in node.elts), ""  # type: ignore[attr-defined]
    if isinstance(node, ast.Name):
        value = namespace.get(node.id)
        if type(value) is tuple and all(type(each) is str for each in value):
            return value, node.id
    return None


def _unroll_all(
    body: list[ast.stmt], namespace: dict[str, Any], names: _Names, guards: dict[str, object]
) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for statement in body:
        out.extend(_unroll_statement(statement, namespace, names, guards))
    return out


def _unroll_statement(
    statement: ast.stmt, namespace: dict[str, Any], names: _Names, guards: dict[str, object]
) -> list[ast.stmt]:
    if isinstance(statement, _SCOPES):
        return [statement]
    for name, value in ast.iter_fields(statement):
        if isinstance(value, list) and value and all(isinstance(v, ast.stmt) for v in value):
            setattr(statement, name, _unroll_all(value, namespace, names, guards))
    for handler in getattr(statement, "handlers", []):
        handler.body = _unroll_all(handler.body, namespace, names, guards)
    if not (isinstance(statement, ast.For) and isinstance(statement.target, ast.Name)):
        return [statement]
    if statement.orelse:
        return [statement]
    found = _constant_keys(statement.iter, namespace)
    if found is None:
        return [statement]
    keys, global_name = found
    variable = statement.target.id
    for node in (each for inner in statement.body for each in (inner, *_own_nodes(inner))):
        if isinstance(node, ast.Break | ast.Continue):
            return [statement]  # they would leave the unrolled copies differently
        if (
            isinstance(node, ast.Name)
            and node.id == variable
            and not isinstance(node.ctx, ast.Load)
        ):
            return [statement]
        if isinstance(node, _SCOPES):
            return [statement]
    out: list[ast.stmt] = []
    if global_name:
        guard = names.fresh("is")
        guards[guard] = namespace[global_name]
        out.append(_guard(global_name, guard, names.prefix))

    class Constant(ast.NodeTransformer):
        def __init__(self, key: str) -> None:
            self.key = key

        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id == variable and isinstance(node.ctx, ast.Load):
                return ast.copy_location(ast.Constant(value=self.key), node)
            return node

    for key in keys:
        out.append(
            ast.Assign(
                targets=[ast.Name(id=variable, ctx=ast.Store())], value=ast.Constant(value=key)
            )
        )
        for inner in copy_tree(statement.body):
            out.append(Constant(key).visit(inner))
    return out


# ---- hoisting the reads of the record ----------------------------------------------------------


def _hoist(
    body: list[ast.stmt], record: str, names: _Names, guards: dict[str, object]
) -> Specialised:
    keys: dict[str, int] = {}

    def index(key: str) -> int:
        if key not in keys:
            keys[key] = len(keys)
        return keys[key]

    def get(key: str) -> ast.Name:
        return ast.Name(id=f"{names.prefix}g{index(key)}", ctx=ast.Load())

    def has(key: str) -> ast.Name:
        return ast.Name(id=f"{names.prefix}h{index(key)}", ctx=ast.Load())

    def is_record(node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and node.id == record

    def key_of(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and type(node.value) is str:
            return node.value
        return None

    class Hoist(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "get"
                and is_record(func.value)
                and len(node.args) == 1
                and not node.keywords
                and key_of(node.args[0]) is not None
            ):
                return ast.copy_location(get(key_of(node.args[0])), node)  # type: ignore[arg-type]
            self.generic_visit(node)
            return node

        def visit_Compare(self, node: ast.Compare) -> ast.AST:
            if (
                len(node.ops) == 1
                and isinstance(node.ops[0], ast.In | ast.NotIn)
                and is_record(node.comparators[0])
                and key_of(node.left) is not None
            ):
                found = has(key_of(node.left))  # type: ignore[arg-type]
                if isinstance(node.ops[0], ast.In):
                    return ast.copy_location(found, node)
                return ast.copy_location(ast.UnaryOp(op=ast.Not(), operand=found), node)
            self.generic_visit(node)
            return node

        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
            key = key_of(node.slice)
            if is_record(node.value) and key is not None and isinstance(node.ctx, ast.Load):
                # Present: the value; absent: the lookup itself, which raises as it did.
                return ast.copy_location(ast.IfExp(test=has(key), body=get(key), orelse=node), node)
            self.generic_visit(node)
            return node

    rewritten = [Hoist().visit(statement) for statement in body]
    # The absent-key fallback of a subscript is never reached on a struct's member.
    reads_record = _reads_outside_fallbacks(rewritten, record)
    return Specialised(rewritten, list(keys), guards, reads_record)


def _reads_outside_fallbacks(body: list[ast.stmt], record: str) -> bool:
    def walk(node: ast.AST) -> bool:
        if isinstance(node, ast.IfExp) and isinstance(node.orelse, ast.Subscript):
            sub = node.orelse
            if isinstance(sub.value, ast.Name) and sub.value.id == record:
                return walk(node.test) or walk(node.body)
        if isinstance(node, ast.Name) and node.id == record:
            return True
        return any(walk(child) for child in ast.iter_child_nodes(node))

    return any(walk(statement) for statement in body)


def dict_prelude(keys: list[str], record: str, prefix: str) -> list[ast.stmt]:
    """``_g<i> = record.get(key)`` and ``_h<i> = key in record`` for each key."""
    out: list[ast.stmt] = []
    for i, key in enumerate(keys):
        out.append(_assign(f"{prefix}g{i}", f"{record}.get({key!r})"))
        out.append(_assign(f"{prefix}h{i}", f"{key!r} in {record}"))
    return out


def struct_members(keys: list[str], prefix: str, struct_type: type) -> dict[str, Any] | None:
    """The annotation of each hoisted member's local (``<prefix>g<i>``) as ``struct_prelude``
    reads it unconverted (``None`` is added where the member may be absent), or None when the
    struct's fields are not known."""
    fields = _fields(struct_type)
    if fields is None:
        return None
    members: dict[str, Any] = {}
    for i, key in enumerate(keys):
        info = fields.get(key)
        members[f"{prefix}g{i}"] = (
            None if info is None else info.type if info.required else info.type | None
        )
    return members


def _fields(struct_type: type) -> dict[str, Any] | None:
    import msgspec  # noqa: PLC0415 - only with the struct tier

    try:
        fields = {each.name: each for each in msgspec.structs.fields(struct_type)}
    except TypeError:
        return None
    if any(each.encode_name != each.name for each in fields.values()):
        return None
    return fields


def struct_prelude(
    keys: list[str],
    record: str,
    prefix: str,
    struct_type: type,
    body: list[ast.stmt],
    *,
    convert: bool = True,
) -> tuple[list[ast.stmt], dict[str, object]] | None:
    """The same locals read from a msgspec struct of ``struct_type``, or None when its fields
    are not known. Members holding objects or arrays become plain values, as the rules see them
    (unless ``body`` only asks whether they are None: a struct is None exactly when its plain
    value is; or ``convert`` is False: ``body`` reads the structs themselves)."""
    import msgspec  # noqa: PLC0415 - only with the struct tier

    fields = _fields(struct_type)
    if fields is None:
        return None
    out: list[ast.stmt] = []
    for i, key in enumerate(keys):
        g, h = f"{prefix}g{i}", f"{prefix}h{i}"
        info = fields.get(key)
        if info is None:  # not a member of the struct: never in the record
            out += [_assign(g, "None"), _assign(h, "False")]
            continue
        read = f"{record}.{key}"
        if convert and not _plain(info.type) and not _only_none_tests(body, g):
            read = f"{prefix}to_builtins({read})"
        if info.required:
            out += [_assign(g, read), _assign(h, "True")]
        else:  # an absent member is UNSET in the struct
            out += [
                _assign(g, f"{record}.{key}"),
                _assign(h, f"{g} is not {prefix}UNSET"),
                _assign(g, f"({read}) if {h} else None"),
            ]
    return out, {f"{prefix}to_builtins": msgspec.to_builtins, f"{prefix}UNSET": msgspec.UNSET}


def _only_none_tests(body: list[ast.stmt], name: str) -> bool:
    """Whether every read of ``name`` in ``body`` is ``name is None`` or ``name is not None``."""
    tested: set[int] = set()
    for statement in body:
        for node in ast.walk(statement):
            left = node.left if isinstance(node, ast.Compare) else None
            if isinstance(left, ast.IfExp):  # a hoisted subscript: the member when present
                left = left.body
            if (
                isinstance(node, ast.Compare)
                and isinstance(left, ast.Name)
                and left.id == name
                and len(node.ops) == 1
                and isinstance(node.ops[0], ast.Is | ast.IsNot)
                and isinstance(node.comparators[0], ast.Constant)
                and node.comparators[0].value is None
            ):
                tested.add(id(left))
    return all(
        id(node) in tested
        for statement in body
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and node.id == name
    )


def _plain(annotation: Any) -> bool:
    """Whether a field of this type holds only values ``to_builtins`` returns as they are."""
    if annotation in (str, int, bool, type(None), None):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _plain(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return all(
            type(each) in (str, int, bool) or each is None for each in typing.get_args(annotation)
        )
    if origin is typing.Union or origin is types.UnionType:
        return all(_plain(each) for each in typing.get_args(annotation))
    return False


def _assign(name: str, expression: str) -> ast.stmt:
    return ast.Assign(
        targets=[ast.Name(id=name, ctx=ast.Store())],
        value=ast.parse(expression, mode="eval").body,
    )
