"""Quiet checks: "would these rules yield nothing on this record?", derived from the rules' source.

Running a rule means creating a generator and iterating it; for twenty rules on a record that
is fine (nearly every record), that overhead is most of the validator's time. So each rule's
function is rewritten, from its own source, into a plain predicate: a ``yield`` statement
becomes ``return False`` (the rule would report something), a bare ``return`` or the end of the
function ``return True``. The predicate runs the same statements in the same globals up to the
first ``yield``, so it is True exactly when the generator would end without yielding or
raising. Nothing is written twice and no rule can be left out: every rule of a check is in it,
derived or, when it cannot be, run as its generator (``_generator_is_quiet``).

The rules of a check are then fused, where that is exact, into one generated function per
module: each rule's body is a block with its locals renamed apart, whose bare ``return`` leaves
the block (``while True: ... break``). The validator asks the check first and runs the
generators only when it says False, so the findings, their order and the ``internal`` finding
of a rule that raises are the generators' own.

A function is derived only when the rewrite is provably the same code: its source is found and
compiles to exactly the function's code object (so a file edited since the import, or code made
by ``exec``, is refused), it is a generator with no closure, ``global`` or ``nonlocal``, every
``yield`` is a statement (not a value, not ``yield from``), none is inside ``with`` or a ``try``
with ``finally``, every ``return`` is bare, and its only decorator is ``rule(...)``. Nested
functions and lambdas keep their own code. The rules must not change the record, as documented:
a rule may run twice on a record it reports on (the check, then the generator).

Each fused function is then specialised (``_specialize``): its module's helpers inlined, loops
over constant keys unrolled, and every read of the record with a constant key hoisted into one
local; when nothing else reads the record, a variant reads those members from the decoder's
msgspec struct (``struct_quiet_check``).
"""

from __future__ import annotations
import __future__

import ast
import inspect
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vox_validators.rules import _registry
from vox_validators.rules._registry import Check, Rule
from vox_validators.rules._specialize import (
    Specialised,
    copy_tree,
    dict_prelude,
    specialise,
    struct_members,
    struct_prelude,
)
from vox_validators.rules._struct_reads import struct_reads

QuietCheck = Callable[[Mapping[str, Any]], bool]
"""True when none of the check's rules yields (or raises) on the record."""

_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
_NOT_PLAIN = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# Builtins that read or change a frame's locals by name: renaming locals would change them.
_FRAME_READERS = frozenset({"dir", "eval", "exec", "locals", "vars"})


class _Refused(Exception):
    """The function cannot be rewritten exactly."""


@dataclass(frozen=True, slots=True)
class Derived:
    """A rule function's quiet predicate, and what fusing its body needs."""

    predicate: QuietCheck
    body: list[ast.stmt] | None
    """The rewritten body when it can be fused (one parameter, no nested scope, no ``return``
    inside a loop ...), else None."""
    parameter: str
    names: frozenset[str]
    """The function's local names (renamed apart when fused)."""
    namespace: dict[str, Any]
    """The function's ``__globals__``."""
    filename: str


@lru_cache(maxsize=512)  # bounded: rules loaded again and again must not pile up
def derive(check: Check) -> Derived | None:
    """The quiet predicate of a rule's function, or None when it cannot be derived exactly."""
    try:
        return _derive(check)
    except Exception:  # _Refused, or no source to be found (OSError, TypeError ...)
        return None  # then the rule runs as its generator: slower, never wrong


def quiet_check(rules: tuple[Rule, ...]) -> QuietCheck:
    """One function telling whether none of ``rules`` reports (or raises) on a record.

    Cached for the last few tuples of rules (the built-in ones of each schema, the extras of a
    run); an exception inside it means "not quiet" (False).
    """
    try:
        return _quiet_check(rules)
    except TypeError:  # unhashable: a Rule made by hand with a list of schemas, say
        return _quiet_check.__wrapped__(rules)


@lru_cache(maxsize=64)
def _quiet_check(rules: tuple[Rule, ...]) -> QuietCheck:
    return _conjunction(
        [part.quiet if isinstance(part, _Fused) else part for part in _parts(rules)]
    )


def _parts(rules: tuple[Rule, ...]) -> list[QuietCheck | _Fused]:
    """The checks whose conjunction is the rules' quiet check: fused groups, or single ones."""
    parts: list[QuietCheck | _Fused] = []
    group: list[Derived] = []

    def close_group() -> None:
        if group:
            parts.append(_fuse(group))
            group.clear()

    for each in rules:
        if each.check is None:
            continue
        derived = derive(each.check)
        if derived is None:
            close_group()
            parts.append(_generator_is_quiet(each.check))
        elif derived.body is None:
            close_group()
            parts.append(derived.predicate)
        else:
            if group and group[0].namespace is not derived.namespace:
                close_group()  # another module: another globals dict
            group.append(derived)
    close_group()
    return parts


def struct_quiet_check(rules: tuple[Rule, ...], struct_type: type) -> Callable[[Any], bool] | None:
    """The quiet check of ``rules`` run on a msgspec struct of ``struct_type`` itself (as the
    decoder made it, before ``msgspec.to_builtins``), or None when some rule reads the record in
    a way only a dict answers. Its verdict is that of ``quiet_check`` on ``to_builtins(struct)``."""
    try:
        return _struct_quiet_check(rules, struct_type)
    except TypeError:  # unhashable
        return None


@lru_cache(maxsize=64)
def _struct_quiet_check(rules: tuple[Rule, ...], struct_type: type) -> Callable[[Any], bool] | None:
    checks: list[QuietCheck] = []
    for part in _parts(rules):
        if not isinstance(part, _Fused):
            return None
        on_struct = part.on_struct(struct_type)
        if on_struct is None:
            return None
        checks.append(on_struct)
    return _conjunction(checks)


def _generator_is_quiet(check: Check) -> QuietCheck:
    """The quiet check of a function that could not be derived: its own generator."""

    def quiet(record: Mapping[str, Any]) -> bool:
        for _ in check(record):
            return False
        return True

    return quiet


def _conjunction(parts: list[QuietCheck]) -> QuietCheck:
    if not parts:
        return _always_quiet
    names = [f"_p{index}" for index in range(len(parts))]
    source = (
        "def quiet(record):\n"
        "    try:\n"
        f"        return {' and '.join(f'{name}(record)' for name in names)}\n"
        "    except Exception:\n"
        "        return False\n"
    )
    namespace: dict[str, Any] = dict(zip(names, parts, strict=True))
    exec(compile(source, "<quiet check>", "exec", dont_inherit=True), namespace)
    function: QuietCheck = namespace["quiet"]
    return function


def _always_quiet(record: Mapping[str, Any]) -> bool:
    return True


# ---- deriving one function --------------------------------------------------------------------


def _derive(check: Check) -> Derived:
    function = check
    if type(function) is not types.FunctionType:
        raise _Refused("not a plain function")
    code = function.__code__
    if not code.co_flags & inspect.CO_GENERATOR or code.co_flags & _NOT_PLAIN:
        raise _Refused("not a generator function")
    if function.__closure__ is not None or code.co_freevars:
        raise _Refused("a closure")
    node, offset = _source_of(function)
    _check_decorators(node, function.__globals__)
    flags = code.co_flags & _FUTURE_FLAGS
    # The source must compile to exactly this code object: the same statements, constants,
    # names and positions (not a file edited since the import, not code made by exec).
    if _compiled_function(node, offset, code.co_filename, flags) != code:
        raise _Refused("the source found is not this function's")

    rewritten = copy_tree(node)
    rewritten.decorator_list = []
    _strip_definition_time_expressions(rewritten.args)
    rewritten.returns = None
    _Rewriter().rewrite(rewritten)
    namespace: dict[str, Any] = {}
    module = ast.Module(body=[rewritten], type_ignores=[])
    ast.increment_lineno(module, offset)
    exec(_compile(module, code.co_filename, flags), function.__globals__, namespace)
    predicate = namespace[node.name]
    if predicate.__code__.co_flags & inspect.CO_GENERATOR:
        raise _Refused("still a generator")  # a yield the rewrite missed
    predicate.__defaults__ = function.__defaults__
    predicate.__kwdefaults__ = function.__kwdefaults__
    return Derived(
        predicate=predicate,
        body=_fusable_body(rewritten, code),
        parameter=code.co_varnames[0] if code.co_argcount else "",
        names=frozenset(code.co_varnames),
        namespace=function.__globals__,
        filename=code.co_filename,
    )


def _source_of(function: types.FunctionType) -> tuple[ast.FunctionDef, int]:
    """The function's definition, parsed, and the line offset that puts it where it was."""
    lines, first = inspect.getsourcelines(function)
    source = "".join(lines)
    nested = source[:1].isspace()
    if nested:  # an indented definition: keep its columns (they are in the code object)
        source, first = "if 1:\n" + source, first - 1
    body = ast.parse(source).body
    if nested:
        body = body[0].body if len(body) == 1 and isinstance(body[0], ast.If) else []
    if len(body) != 1 or not isinstance(body[0], ast.FunctionDef):
        raise _Refused("the source is not one function definition")
    node = body[0]
    if node.name != function.__code__.co_name:
        raise _Refused("another function's source")
    return node, first - 1


def _check_decorators(node: ast.FunctionDef, namespace: dict[str, Any]) -> None:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else None
        if target is None or _resolve(target, namespace) is not _registry.rule:
            raise _Refused("a decorator other than rule(...)")


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> object:
    """What a dotted name refers to in ``namespace`` (no call: only names and attributes)."""
    if isinstance(node, ast.Name):
        if node.id in namespace:
            return namespace[node.id]
        raise _Refused(f"{node.id} is not a global")
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        if not isinstance(owner, types.ModuleType):
            raise _Refused("an attribute of something other than a module")
        return vars(owner).get(node.attr)
    raise _Refused("not a dotted name")


def _compile(module: ast.Module, filename: str, flags: int) -> types.CodeType:
    code: types.CodeType = compile(
        ast.fix_missing_locations(module), filename, "exec", flags, dont_inherit=True
    )
    return code


def _compiled_function(
    node: ast.FunctionDef, offset: int, filename: str, flags: int
) -> types.CodeType | None:
    module = ast.Module(body=[copy_tree(node)], type_ignores=[])
    ast.increment_lineno(module, offset)
    for constant in _compile(module, filename, flags).co_consts:
        if isinstance(constant, types.CodeType) and constant.co_name == node.name:
            return constant
    return None


def _strip_definition_time_expressions(arguments: ast.arguments) -> None:
    """Drop what ``def`` evaluates (the defaults are copied from the function, annotations are
    not needed), so defining the predicate runs nothing."""
    arguments.defaults = []
    arguments.kw_defaults = [None for _ in arguments.kw_defaults]
    for argument in (
        *arguments.posonlyargs,
        *arguments.args,
        *arguments.kwonlyargs,
        *(each for each in (arguments.vararg, arguments.kwarg) if each is not None),
    ):
        argument.annotation = None


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of the functions, lambdas and classes in it."""
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, _SCOPES):
            yield from _own_nodes(child)


class _Rewriter:
    """``yield`` statements to ``return False``; bare ``return`` to ``return True``."""

    def rewrite(self, function: ast.FunctionDef) -> None:
        function.body = self._statements(function.body, guarded=False)
        function.body.append(ast.Return(value=ast.Constant(value=True)))

    def _statements(self, statements: list[ast.stmt], *, guarded: bool) -> list[ast.stmt]:
        return [self._statement(statement, guarded=guarded) for statement in statements]

    def _statement(self, statement: ast.stmt, *, guarded: bool) -> ast.stmt:
        if isinstance(statement, _SCOPES):
            return statement  # their yields are their own
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Yield):
            if guarded:  # a finally or __exit__ would run where the generator only paused
                raise _Refused("a yield inside with or try/finally")
            self._check_expression(statement.value.value)
            return ast.copy_location(ast.Return(value=ast.Constant(value=False)), statement)
        if isinstance(statement, ast.Return):
            if statement.value is not None:
                raise _Refused("return with a value")
            return ast.copy_location(ast.Return(value=ast.Constant(value=True)), statement)
        if isinstance(statement, ast.Global | ast.Nonlocal):
            raise _Refused("global or nonlocal")
        inner_guard = guarded or isinstance(statement, ast.With | ast.AsyncWith)
        if isinstance(statement, ast.Try | ast.TryStar) and statement.finalbody:
            inner_guard = True
        for field, value in ast.iter_fields(statement):
            if isinstance(value, list) and value and all(isinstance(v, ast.stmt) for v in value):
                guard = inner_guard
                if isinstance(statement, ast.Try | ast.TryStar) and field == "finalbody":
                    guard = guarded  # the finally block itself runs in both
                setattr(statement, field, self._statements(value, guarded=guard))
            elif isinstance(value, list):
                for item in value:
                    self._check_part(item, inner_guard)
            elif isinstance(value, ast.AST):
                self._check_part(value, inner_guard)
        return statement

    def _check_part(self, part: ast.AST, guarded: bool) -> None:
        if isinstance(part, ast.excepthandler | ast.match_case):
            for field, value in ast.iter_fields(part):
                if field == "body":
                    setattr(part, field, self._statements(value, guarded=guarded))
                elif isinstance(value, ast.AST):
                    self._check_expression(value)
        else:
            self._check_expression(part)

    @staticmethod
    def _check_expression(node: ast.AST | None) -> None:
        if node is None:
            return
        for each in (node, *_own_nodes(node)):
            if isinstance(each, ast.Yield | ast.YieldFrom | ast.Await):
                raise _Refused("yield used as a value, yield from, or await")


# ---- fusing ------------------------------------------------------------------------------------


def _fusable_body(function: ast.FunctionDef, code: types.CodeType) -> list[ast.stmt] | None:
    """The rewritten body, when it can become a block of a fused function exactly."""
    arguments = function.args
    if code.co_argcount != 1 or arguments.posonlyargs or arguments.kwonlyargs:
        return None
    if arguments.vararg or arguments.kwarg or code.co_cellvars:
        return None
    for node in _own_nodes(function):
        if isinstance(node, (*_SCOPES, ast.Import, ast.ImportFrom, ast.Match)):
            return None  # names bound other than by ast.Name: not renamed here
        if isinstance(node, ast.Try | ast.TryStar) and node.finalbody:
            return None
        if isinstance(node, ast.Name) and node.id in _FRAME_READERS:
            return None
        if isinstance(node, ast.For | ast.AsyncFor | ast.While) and any(
            _is_return_true(inner) for inner in _own_nodes(node)
        ):
            return None  # a return in a loop cannot become "leave the block" with break
    return function.body


def _fuse(group: list[Derived]) -> _Fused:
    """One function running the blocks of ``group`` (rules of one module) in turn."""
    used = {
        node.id
        for derived in group
        for statement in derived.body or ()
        for node in ast.walk(statement)
        if isinstance(node, ast.Name)
    }
    prefix = "_q"
    while any(name.startswith(prefix) for name in used):
        prefix += "_"
    record = prefix + "record"
    body: list[ast.stmt] = []
    for index, derived in enumerate(group):
        renames = {name: f"{prefix}{index}_{name}" for name in derived.names}
        block: list[ast.stmt] = []
        if _assigns(derived.body or [], derived.parameter):
            block.append(
                ast.Assign(
                    targets=[ast.Name(id=renames[derived.parameter], ctx=ast.Store())],
                    value=ast.Name(id=record, ctx=ast.Load()),
                )
            )
        else:  # the parameter is only read: read the fused function's own
            renames[derived.parameter] = record
        for statement in copy_tree(derived.body or []):
            block.append(_Renamer(renames).visit(statement))
        if block[-1:] and _is_return_true(block[-1]):
            block.pop()  # the end of the block: fall through to the next rule
        if any(_is_return_true(node) for statement in block for node in ast.walk(statement)):
            block = [_blocks_leave_by_break(block)]
        body.extend(block)
    body.append(ast.Return(value=ast.Constant(value=True)))
    function = ast.FunctionDef(
        name="quiet",
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(arg=record)],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[],
        ),
        body=body,
        decorator_list=[],
        returns=None,
        lineno=1,
        col_offset=0,
    )
    module = ast.Module(body=[function], type_ignores=[])
    namespace: dict[str, Any] = {}
    exec(_compile(module, group[0].filename, 0), group[0].namespace, namespace)
    fused: QuietCheck = namespace["quiet"]
    return _specialised(fused, body[:-1], record, prefix, group[0])


class _Rebound(BaseException):
    """A global an inlined helper or unrolled loop read was rebound: use the plain check.

    A BaseException, so that a rule's own ``except Exception`` does not take it for its own."""


@dataclass(frozen=True, slots=True)
class _Fused:
    """A fused check: ``quiet`` (specialised for dicts where that is exact) and what its struct
    variant needs."""

    quiet: QuietCheck
    plain: QuietCheck
    specialised: Specialised | None
    record: str
    prefix: str
    derived: Derived

    def on_struct(self, struct_type: type) -> Callable[[Any], bool] | None:
        """The check on a msgspec struct of ``struct_type``, or None when it cannot read one."""
        spec = self.specialised
        if spec is None or spec.reads_record:
            return None
        members = struct_members(spec.keys, self.prefix, struct_type)
        reads = None
        if members is not None:
            reads = struct_reads(spec.body, members, self.prefix, self.derived.namespace)
        body, read_defaults = reads or (spec.body, {})
        found = struct_prelude(
            spec.keys, self.record, self.prefix, struct_type, spec.body, convert=reads is None
        )
        if found is None:
            return None
        prelude, extra = found
        to_builtins: Callable[[Any], Any] = extra[f"{self.prefix}to_builtins"]  # type: ignore[assignment]
        fallback = self.plain

        def after_rebound(record: Any) -> bool:
            return fallback(to_builtins(record))

        return _compile_specialised(
            self,
            prelude,
            {**extra, **read_defaults, f"{self.prefix}fallback": after_rebound},
            check_type=False,
            body=body,
        )


def _specialised(
    plain: QuietCheck, body: list[ast.stmt], record: str, prefix: str, derived: Derived
) -> _Fused:
    try:
        spec: Specialised | None = specialise(copy_tree(body), record, derived.namespace, prefix)
    except Exception:  # anything the rewrites did not foresee: the plain fused check
        spec = None
    fused = _Fused(plain, plain, spec, record, prefix, derived)
    if spec is None:
        return fused
    try:
        quiet = _compile_specialised(
            fused,
            dict_prelude(spec.keys, record, prefix),
            {f"{prefix}fallback": plain, f"{prefix}dict": dict},
            check_type=True,
        )
    except Exception:
        return _Fused(plain, plain, None, record, prefix, derived)
    return _Fused(quiet, plain, spec, record, prefix, derived)


def _compile_specialised(
    fused: _Fused,
    prelude: list[ast.stmt],
    extra: dict[str, object],
    *,
    check_type: bool,
    body: list[ast.stmt] | None = None,
) -> QuietCheck:
    """``def quiet(record, <defaults>)``: the prelude, then the specialised body (or ``body``,
    a rewrite of it); a rebound global hands the record to the fallback."""
    spec = fused.specialised
    assert spec is not None
    record, prefix = fused.record, fused.prefix
    defaults: dict[str, object] = {**spec.guards, **extra, f"{prefix}Rebound": _Rebound}
    head = (
        f"if type({record}) is not {prefix}dict:\n    return {prefix}fallback({record})\n"
        if check_type
        else ""
    )
    template = ast.parse(
        f"def quiet({record}, {', '.join(f'{name}=None' for name in defaults)}):\n"
        + "".join(f"    {line}\n" for line in head.splitlines())
        + "    try:\n        pass\n"
        + f"    except {prefix}Rebound:\n        return {prefix}fallback({record})\n"
    )
    function = template.body[0]
    assert isinstance(function, ast.FunctionDef)
    trying = function.body[-1]
    assert isinstance(trying, ast.Try)
    trying.body = [
        *prelude,
        *copy_tree(spec.body if body is None else body),
        ast.Return(value=ast.Constant(value=True)),
    ]
    module = ast.Module(body=[function], type_ignores=[])
    namespace: dict[str, Any] = {}
    exec(_compile(module, fused.derived.filename, 0), fused.derived.namespace, namespace)
    quiet: QuietCheck = namespace["quiet"]
    quiet.__defaults__ = tuple(defaults.values())
    return quiet


def _assigns(body: list[ast.stmt], name: str) -> bool:
    return any(
        isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load)
        for statement in body
        for node in ast.walk(statement)
    )


def _is_return_true(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Return)
        and isinstance(node.value, ast.Constant)
        and node.value.value is True
    )


def _blocks_leave_by_break(block: list[ast.stmt]) -> ast.While:
    """``while True: <block, its return True as break>; break``."""

    class Leave(ast.NodeTransformer):
        def visit_Return(self, node: ast.Return) -> ast.AST:
            return ast.copy_location(ast.Break(), node) if _is_return_true(node) else node

    statements = [Leave().visit(statement) for statement in block]
    return ast.While(test=ast.Constant(value=True), body=[*statements, ast.Break()], orelse=[])


class _Renamer(ast.NodeTransformer):
    def __init__(self, renames: Mapping[str, str]) -> None:
        self._renames = renames

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self._renames.get(node.id, node.id)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.ExceptHandler:
        if node.name is not None:
            node.name = self._renames.get(node.name, node.name)
        self.generic_visit(node)
        return node


def underived(rules: Iterable[Rule]) -> list[str]:
    """The ids of the rules (with a function) whose quiet predicate cannot be derived."""
    return [each.id for each in rules if each.check is not None and derive(each.check) is None]
