"""Struct reads: a specialised check reading nested msgspec structs as decoded, no dict made.

``struct_prelude`` turns a member holding objects into plain values (``msgspec.to_builtins``)
because the rules are written for dicts. For the call time window that conversion was most of
the rules' cost on a valid record. This rewrite lets the check read the structs themselves,
where that is provably the same verdict.

Typing. Every value the body handles is typed, by what it may be:
- ``SAME``: the same object in both worlds (a constant, a global, a string or number of the
  record, a list of them: ``to_builtins`` returns those as they are, or as an equal copy);
- a struct class of the decoder: in the dict world, the dict ``to_builtins`` makes of it;
- a ``_ListOf`` such values.

The field annotations of the struct give the types of the hoisted members. A local takes the
union of all it is assigned anywhere in the body, so the typing holds whatever path runs.

Rewriting. Only what a dict and its struct answer alike is rewritten, by the value's type
tested at run time (a struct class of the decoder never comes from anywhere but the record):
- ``x.get("key")`` and ``x["key"]`` read the field (an absent one, ``UNSET``, is ``None``);
- ``type(x) is dict`` and ``isinstance(x, dict)`` hold for a struct.

Identity tests (``is``) are left as they are: a fresh dict and a struct are both unlike every
other object. Anything else done with a value that may be a struct (iterating it, ``len``,
truth, ``==``, passing it to a function) refuses the rewrite; the check then converts, as
before.
"""

from __future__ import annotations

import ast
import builtins
import typing
from collections.abc import Callable
from dataclasses import dataclass
from types import NoneType, UnionType
from typing import Any

from vox_validators.rules._specialize import copy_tree

__all__ = ["struct_reads"]

SAME = "same"
_Kinds = frozenset[Any]
_SAME: _Kinds = frozenset({SAME})
_PLAIN = (str, int, float, bool, NoneType)
# The builtins whose meaning the rewrite relies on: guarded, in case a module rebinds one.
_INTERPRETED = ("dict", "enumerate", "isinstance", "len", "type")
_FIXPOINT_ROUNDS = 20


class _Refused(Exception):
    pass


@dataclass(frozen=True)
class _ListOf:
    """A list of the record whose items may be structs."""

    items: _Kinds


def struct_reads(
    body: list[ast.stmt],
    members: dict[str, Any],
    prefix: str,
    namespace: dict[str, Any],
) -> tuple[list[ast.stmt], dict[str, object]] | None:
    """``body`` rewritten to read structs as decoded, and the defaults it needs; None when some
    use of a struct cannot be proven to answer as its dict does. ``members`` maps the hoisted
    locals to their values' annotations (``None`` included for an absent member)."""
    import msgspec  # noqa: PLC0415 - only with the struct tier

    try:
        hoisted = {
            name: _kinds_of(annotation, msgspec.Struct) for name, annotation in members.items()
        }
        if all(kinds == _SAME for kinds in hoisted.values()):
            return None  # nothing to convert: the plain prelude does as well
        if any(name in namespace for name in _INTERPRETED):
            return None  # a module global hides a builtin the rewrite interprets
        typer = _Typer(hoisted, prefix, _stored_names(body))
        for _ in range(_FIXPOINT_ROUNDS):
            before = dict(typer.env)
            typer.temporaries = 0
            rewritten = [typer.statement(each) for each in body]
            if typer.env == before:
                break
        else:
            return None
    except _Refused:
        return None
    guards = [
        ast.parse(f"if {name} is not {prefix}b_{name}: raise {prefix}Rebound").body[0]
        for name in sorted(typer.builtins_used)
    ]
    defaults: dict[str, object] = {
        f"{prefix}b_{name}": getattr(builtins, name) for name in typer.builtins_used
    }
    defaults[f"{prefix}UNSET"] = msgspec.UNSET
    defaults[f"{prefix}btype"] = type
    defaults.update(typer.struct_names)
    return [*guards, *rewritten], defaults


def _stored_names(body: list[ast.stmt]) -> set[str]:
    return {
        node.id
        for statement in body
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
    }


def _kinds_of(annotation: Any, struct_base: type) -> _Kinds:
    if annotation is None or annotation in _PLAIN:
        return _SAME
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _kinds_of(arguments[0], struct_base)
    if origin is typing.Literal:
        if all(type(each) in _PLAIN for each in arguments):
            return _SAME
        raise _Refused("a literal of another type")
    if origin is typing.Union or origin is UnionType:
        return frozenset().union(*(_kinds_of(each, struct_base) for each in arguments))
    if origin is list:
        items = _kinds_of(arguments[0], struct_base) if arguments else _SAME
        return _SAME if items == _SAME else frozenset({_ListOf(items)})
    if isinstance(annotation, type) and issubclass(annotation, struct_base):
        config = typing.cast(Any, annotation).__struct_config__
        if config.array_like or config.tag is not None:
            raise _Refused("a struct to_builtins does not make a dict of")
        return frozenset({annotation})
    raise _Refused(f"an annotation not typed here: {annotation!r}")


def _field(struct: type, key: str) -> tuple[str, Any, bool] | None:
    """The attribute holding member ``key``, its annotation and whether it is required."""
    import msgspec  # noqa: PLC0415

    for info in msgspec.structs.fields(struct):
        if info.encode_name == key:
            if not info.required and info.default is not msgspec.UNSET:
                raise _Refused("a default to_builtins would write")
            return info.name, info.type, info.required
    return None


class _Typer:
    """Types a body (``env``: local -> what it may hold) and rewrites its struct reads."""

    def __init__(self, hoisted: dict[str, _Kinds], prefix: str, stored: set[str]) -> None:
        self.env: dict[str, _Kinds] = dict(hoisted)
        self.prefix = prefix
        self.struct_names: dict[str, type] = {}
        self.builtins_used: set[str] = set()
        self.temporaries = 0
        # Every local, known before the first pass: a read above its assignment is no global.
        self._stored = stored | set(hoisted)

    # ---- names

    def _struct_name(self, struct: type) -> str:
        for name, known in self.struct_names.items():
            if known is struct:
                return name
        name = f"{self.prefix}S{len(self.struct_names)}"
        self.struct_names[name] = struct
        return name

    def _bind(self, target: ast.expr, kinds: _Kinds) -> None:
        if isinstance(target, ast.Name):
            self._stored.add(target.id)
            self.env[target.id] = self.env.get(target.id, frozenset()) | kinds
        elif isinstance(target, ast.Tuple | ast.List) and kinds <= _SAME:
            for each in target.elts:
                self._bind(each, _SAME)
        else:
            raise _Refused("an assignment target not typed here")

    def _builtin(self, node: ast.expr, name: str) -> bool:
        if isinstance(node, ast.Name) and node.id == name and node.id not in self._stored:
            self.builtins_used.add(name)
            return True
        return False

    # ---- statements

    def statement(self, node: ast.stmt) -> ast.stmt:
        if isinstance(node, ast.Assign):
            value, kinds = self.expression(node.value)
            for target in node.targets:
                self._assign(target, node.value, kinds)
            return ast.copy_location(ast.Assign(targets=node.targets, value=value), node)
        if isinstance(node, ast.AnnAssign):
            if node.value is None or not isinstance(node.target, ast.Name):
                raise _Refused("an annotation without a value")
            value, kinds = self.expression(node.value)
            self._bind(node.target, kinds)
            return ast.copy_location(ast.Assign(targets=[node.target], value=value), node)
        if isinstance(node, ast.AugAssign):
            value = self.same(node.value)
            if self.env.get(getattr(node.target, "id", ""), _SAME) != _SAME:
                raise _Refused("arithmetic on a struct")
            self._bind(node.target, _SAME)
            return ast.copy_location(
                ast.AugAssign(target=node.target, op=node.op, value=value), node
            )
        if isinstance(node, ast.For):
            iterable = self._iteration(node.iter, node.target)
            return ast.copy_location(
                ast.For(
                    target=node.target,
                    iter=iterable,
                    body=self.statements(node.body),
                    orelse=self.statements(node.orelse),
                ),
                node,
            )
        if isinstance(node, ast.While | ast.If):
            return ast.copy_location(
                type(node)(
                    test=self.truth(node.test),
                    body=self.statements(node.body),
                    orelse=self.statements(node.orelse),
                ),
                node,
            )
        if isinstance(node, ast.Return):
            return ast.copy_location(
                ast.Return(value=None if node.value is None else self.same(node.value)), node
            )
        if isinstance(node, ast.Expr):
            return ast.copy_location(ast.Expr(value=self.expression(node.value)[0]), node)
        if isinstance(node, ast.Raise) and node.cause is None:
            return ast.copy_location(
                ast.Raise(exc=None if node.exc is None else self.same(node.exc)), node
            )
        if isinstance(node, ast.Break | ast.Continue | ast.Pass):
            return node
        raise _Refused(f"a {type(node).__name__} statement")

    def statements(self, nodes: list[ast.stmt]) -> list[ast.stmt]:
        return [self.statement(each) for each in nodes]

    def _assign(self, target: ast.expr, value: ast.expr, kinds: _Kinds) -> None:
        if (
            isinstance(target, ast.Tuple)
            and isinstance(value, ast.Tuple)
            and len(target.elts) == len(value.elts)
            and not any(isinstance(each, ast.Starred) for each in (*target.elts, *value.elts))
        ):
            for each, item in zip(target.elts, value.elts, strict=True):
                self._bind(each, self.expression(item)[1])
        else:
            self._bind(target, kinds)

    def _iteration(self, iterable: ast.expr, target: ast.expr) -> ast.expr:
        """The iterable rewritten; ``target`` bound to what iterating it gives."""
        if (
            isinstance(iterable, ast.Call)
            and self._builtin(iterable.func, "enumerate")
            and len(iterable.args) == 1
            and not iterable.keywords
        ):
            inner, items = self._items(iterable.args[0])
            if isinstance(target, ast.Tuple) and len(target.elts) == 2:
                self._bind(target.elts[0], _SAME)
                self._bind(target.elts[1], items)
            elif items <= _SAME:
                self._bind(target, _SAME)
            else:
                raise _Refused("enumerate of structs into one name")
            return ast.Call(func=iterable.func, args=[inner], keywords=[])
        inner, items = self._items(iterable)
        self._bind(target, items)
        return inner

    def _items(self, iterable: ast.expr) -> tuple[ast.expr, _Kinds]:
        node, kinds = self.expression(iterable)
        items: _Kinds = frozenset()
        for kind in kinds:
            if kind == SAME:
                items |= _SAME
            elif isinstance(kind, _ListOf):
                items |= kind.items
            else:
                raise _Refused("iterating a struct (a dict gives its keys)")
        return node, items

    # ---- expressions

    def same(self, node: ast.expr) -> ast.expr:
        """``node`` rewritten, when it is certainly the same value in both worlds."""
        rewritten, kinds = self.expression(node)
        if not kinds <= _SAME:
            raise _Refused("a struct used as a value")
        return rewritten

    def truth(self, node: ast.expr) -> ast.expr:
        """``node`` rewritten where only its truth counts (a list's truth is its length)."""
        return self._tested(node)[0]

    def _tested(self, node: ast.expr) -> tuple[ast.expr, _Kinds]:
        """``node`` rewritten, and what it may hold, where its truth is tested."""
        rewritten, kinds = self.expression(node)
        if any(isinstance(kind, type) for kind in kinds):
            raise _Refused("the truth of a struct (an empty dict is false)")
        return rewritten, kinds

    def expression(self, node: ast.expr) -> tuple[ast.expr, _Kinds]:
        method: Callable[[Any], tuple[ast.expr, _Kinds]] | None = getattr(
            self, f"_{type(node).__name__}", None
        )
        if method is None:
            raise _Refused(f"a {type(node).__name__} expression")
        rewritten, kinds = method(node)
        return ast.copy_location(rewritten, node), kinds

    def _Constant(self, node: ast.Constant) -> tuple[ast.expr, _Kinds]:
        return node, _SAME

    def _Name(self, node: ast.Name) -> tuple[ast.expr, _Kinds]:
        if node.id in self._stored:
            return node, self.env.get(node.id, frozenset())
        return node, _SAME  # a global, a builtin, a guard's default

    def _Attribute(self, node: ast.Attribute) -> tuple[ast.expr, _Kinds]:
        return ast.Attribute(value=self.same(node.value), attr=node.attr, ctx=node.ctx), _SAME

    def _Call(self, node: ast.Call) -> tuple[ast.expr, _Kinds]:
        function = node.func
        if (
            isinstance(function, ast.Attribute)
            and function.attr == "get"
            and 1 <= len(node.args) <= 2
            and not node.keywords
            and isinstance(node.args[0], ast.Constant)
            and type(node.args[0].value) is str
        ):
            holder, kinds = self.expression(function.value)
            if not kinds <= _SAME:
                default = node.args[1] if len(node.args) == 2 else ast.Constant(value=None)
                if not isinstance(default, ast.Constant):
                    raise _Refused("a default the rewrite would evaluate only when absent")

                def call(value: ast.expr) -> ast.expr:
                    method = ast.Attribute(value=value, attr="get", ctx=ast.Load())
                    return ast.Call(func=method, args=copy_tree(node.args), keywords=[])

                return self._member(
                    holder,
                    node.args[0].value,
                    kinds,
                    original=call,
                    absent=default,
                    absent_kinds=_SAME,
                )
        if self._builtin(function, "len") and len(node.args) == 1 and not node.keywords:
            argument, kinds = self.expression(node.args[0])
            if any(isinstance(kind, type) for kind in kinds):
                raise _Refused("len of a struct")
            return ast.Call(func=function, args=[argument], keywords=[]), _SAME
        if (
            self._builtin(function, "isinstance")
            and len(node.args) == 2
            and not node.keywords
            and self._builtin(node.args[1], "dict")
            and isinstance(holder := node.args[0], ast.Name)
        ):
            return self._is_dict(holder, self._Name(holder)[1], node), _SAME
        return (
            ast.Call(
                func=self.same(function),
                args=[self.same(each) for each in node.args],
                keywords=[
                    ast.keyword(arg=each.arg, value=self.same(each.value)) for each in node.keywords
                ],
            ),
            _SAME,
        )

    def _member(
        self,
        holder: ast.expr,
        key: str,
        kinds: _Kinds,
        *,
        original: Callable[[ast.expr], ast.expr],
        absent: ast.expr | None,
        absent_kinds: _Kinds,
    ) -> tuple[ast.expr, _Kinds]:
        """The member ``key`` of ``holder`` (rewritten; of ``kinds``): read from the field when
        it is a struct, else as ``original(holder)`` reads it. ``absent`` is the value of an
        absent member (None: the ``KeyError`` a dict raises)."""
        import msgspec  # noqa: PLC0415

        structs = sorted((kind for kind in kinds if isinstance(kind, type)), key=repr)
        result = kinds & _SAME  # the same object: the same answer
        # (A list has neither .get nor str keys: it raises in both worlds.)
        if not structs:
            return original(holder), result
        # Read once: a name as it is, anything else bound to a local by the first type test.
        bind = None if isinstance(holder, ast.Name) else holder
        if bind is not None:
            self.temporaries += 1
            holder = ast.Name(id=f"{self.prefix}t{self.temporaries}", ctx=ast.Load())
        assert isinstance(holder, ast.Name)
        expression = original(ast.Name(id=holder.id, ctx=ast.Load()))
        # What a dict without the member does: the default, or the KeyError ``{}[key]`` raises.
        missing = absent or ast.Subscript(
            value=ast.Dict(keys=[], values=[]), slice=ast.Constant(value=key), ctx=ast.Load()
        )
        for kind in reversed(structs):
            found = _field(kind, key)
            read: ast.expr
            if found is None:
                read, result = copy_tree(missing), result | absent_kinds
            else:
                attribute, annotation, required = found
                result |= _kinds_of(annotation, msgspec.Struct)
                read = self._attribute(holder, attribute)
                if not required:
                    result |= absent_kinds
                    read = ast.IfExp(
                        test=ast.Compare(
                            left=self._attribute(holder, attribute),
                            ops=[ast.Is()],
                            comparators=[ast.Name(id=f"{self.prefix}UNSET", ctx=ast.Load())],
                        ),
                        body=copy_tree(missing),
                        orelse=read,
                    )
            expression = ast.IfExp(test=self._is_struct(holder, kind), body=read, orelse=expression)
        if bind is not None:  # the outermost test evaluates first: it binds the local
            test = expression.test  # type: ignore[attr-defined]
            test.left.args[0] = ast.NamedExpr(
                target=ast.Name(id=holder.id, ctx=ast.Store()), value=bind
            )
        return expression, result

    @staticmethod
    def _attribute(holder: ast.Name, attribute: str) -> ast.expr:
        return ast.Attribute(
            value=ast.Name(id=holder.id, ctx=ast.Load()), attr=attribute, ctx=ast.Load()
        )

    def _is_struct(self, holder: ast.Name, struct: type) -> ast.expr:
        return ast.Compare(
            left=ast.Call(
                func=ast.Name(id=f"{self.prefix}btype", ctx=ast.Load()),
                args=[ast.Name(id=holder.id, ctx=ast.Load())],
                keywords=[],
            ),
            ops=[ast.Is()],
            comparators=[ast.Name(id=self._struct_name(struct), ctx=ast.Load())],
        )

    def _is_dict(self, holder: ast.Name, kinds: _Kinds, original: ast.expr) -> ast.expr:
        """``original`` (a test that ``holder`` is a dict), true of a struct too."""
        tests = [
            self._is_struct(holder, kind)
            for kind in sorted(kinds, key=repr)
            if isinstance(kind, type)
        ]
        return ast.BoolOp(op=ast.Or(), values=[*tests, original]) if tests else original

    def _Subscript(self, node: ast.Subscript) -> tuple[ast.expr, _Kinds]:
        index = self.same(node.slice)
        holder, kinds = self.expression(node.value)
        if kinds <= _SAME:
            return ast.Subscript(value=holder, slice=index, ctx=node.ctx), _SAME
        if any(isinstance(kind, type) for kind in kinds) and not (
            isinstance(node.slice, ast.Constant) and type(node.slice.value) is str
        ):
            raise _Refused("a struct read by a key not known here")

        def subscript(value: ast.expr) -> ast.expr:
            return ast.Subscript(value=value, slice=copy_tree(index), ctx=ast.Load())

        key = node.slice.value if isinstance(node.slice, ast.Constant) else None
        key = key if type(key) is str else ""  # (no struct among the kinds: any key)
        # (An absent member raises the KeyError a dict raises.)
        expression, result = self._member(
            holder, key, kinds, original=subscript, absent=None, absent_kinds=frozenset()
        )
        for kind in kinds:
            if isinstance(kind, _ListOf):  # an item, or a slice: a list of such items
                result |= frozenset({kind}) if isinstance(node.slice, ast.Slice) else kind.items
        return expression, result

    def _Compare(self, node: ast.Compare) -> tuple[ast.expr, _Kinds]:
        left = node.left
        if (
            len(node.ops) == 1
            and isinstance(node.ops[0], ast.Is | ast.IsNot)
            and isinstance(left, ast.Call)
            and self._builtin(left.func, "type")
            and len(left.args) == 1
            and not left.keywords
            and isinstance(holder := left.args[0], ast.Name)
            and self._builtin(node.comparators[0], "dict")
        ):
            is_dict = self._is_dict(
                holder,
                self._Name(holder)[1],
                ast.Compare(left=left, ops=[ast.Is()], comparators=node.comparators),
            )
            if isinstance(node.ops[0], ast.IsNot):
                is_dict = ast.UnaryOp(op=ast.Not(), operand=is_dict)
            return is_dict, _SAME
        if all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
            # Identity: a struct and the dict made of it are each unlike any other object.
            parts = [self.expression(each)[0] for each in (left, *node.comparators)]
        else:
            parts = [self.same(each) for each in (left, *node.comparators)]
        return ast.Compare(left=parts[0], ops=node.ops, comparators=parts[1:]), _SAME

    def _BoolOp(self, node: ast.BoolOp) -> tuple[ast.expr, _Kinds]:
        tested = [self._tested(each) for each in node.values]
        kinds = frozenset().union(*(each_kinds for _, each_kinds in tested))
        return ast.BoolOp(op=node.op, values=[value for value, _ in tested]), kinds

    def _UnaryOp(self, node: ast.UnaryOp) -> tuple[ast.expr, _Kinds]:
        operand = (
            self.truth(node.operand) if isinstance(node.op, ast.Not) else self.same(node.operand)
        )
        return ast.UnaryOp(op=node.op, operand=operand), _SAME

    def _BinOp(self, node: ast.BinOp) -> tuple[ast.expr, _Kinds]:
        return ast.BinOp(left=self.same(node.left), op=node.op, right=self.same(node.right)), _SAME

    def _IfExp(self, node: ast.IfExp) -> tuple[ast.expr, _Kinds]:
        body, body_kinds = self.expression(node.body)
        orelse, orelse_kinds = self.expression(node.orelse)
        return ast.IfExp(
            test=self.truth(node.test), body=body, orelse=orelse
        ), body_kinds | orelse_kinds

    def _Tuple(self, node: ast.Tuple) -> tuple[ast.expr, _Kinds]:
        return ast.Tuple(elts=[self.same(each) for each in node.elts], ctx=node.ctx), _SAME

    def _List(self, node: ast.List) -> tuple[ast.expr, _Kinds]:
        return ast.List(elts=[self.same(each) for each in node.elts], ctx=node.ctx), _SAME

    def _Set(self, node: ast.Set) -> tuple[ast.expr, _Kinds]:
        return ast.Set(elts=[self.same(each) for each in node.elts]), _SAME

    def _JoinedStr(self, node: ast.JoinedStr) -> tuple[ast.expr, _Kinds]:
        return ast.JoinedStr(values=[self.same(each) for each in node.values]), _SAME

    def _FormattedValue(self, node: ast.FormattedValue) -> tuple[ast.expr, _Kinds]:
        spec = None if node.format_spec is None else self.same(node.format_spec)
        return (
            ast.FormattedValue(
                value=self.same(node.value), conversion=node.conversion, format_spec=spec
            ),
            _SAME,
        )
