"""``re.search`` of two common pattern shapes, as ``str`` methods that give the same verdict.

A schema's ``pattern`` is searched with Python's ``re`` (as jsonschema does). Two shapes the
spec uses for every patterned string but one are answered exactly, and about four times faster,
by ``str.strip`` with the characters of a class (parsed by ``re``'s own parser, never guessed
from the text):

- ``^[chars]+(?![\\s\\S])``, every character in the class and at least one: ``value`` is not
  empty and strips to nothing (``$`` is not this shape: it also matches before a final newline);
- ``[^chars]``, some character outside the class: ``value`` does not strip to nothing.

Any other pattern, a class with categories (``\\d``, ``\\s``: Unicode classes) or too many
characters, and any flag but the default ``re.UNICODE``, keeps ``re.compile(pattern).search``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

# re's own parser and its names (private modules without type stubs: imported by name).
sre_parse: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")

# Above this many characters strip's scan of its argument costs more than the regex.
_CLASS_LIMIT = 64
# (?![\s\S]): no character follows, the end of the string (what "$" is not).
_NOTHING_FOLLOWS = [
    (sre.IN, [(sre.CATEGORY, sre.CATEGORY_SPACE), (sre.CATEGORY, sre.CATEGORY_NOT_SPACE)])
]


def match_expression(pattern: str, value: str, bind: Callable[[object], str]) -> str:
    """Python source, true when ``re.search(pattern, value)`` finds a match in the string
    ``value`` (a variable name, read more than once); ``bind`` names an object the source reads
    (a global). Parenthesised: safe beside ``not`` and ``and``."""
    shape = _shape(pattern)
    if shape is None:
        return f"({bind(re.compile(pattern).search)}({value}) is not None)"
    kind, chars = shape
    if kind == "all":
        return f"({value} != '' and not {value}.strip({bind(chars)}))"
    return f"({value}.strip({bind(chars)}) != '')"


def matcher(pattern: str) -> Callable[[str], bool]:
    """``match_expression`` as a function of the value."""
    namespace: dict[str, object] = {}

    def bind(constant: object) -> str:
        name = f"_c{len(namespace)}"
        namespace[name] = constant
        return name

    source = f"def matches(value):\n    return {match_expression(pattern, 'value', bind)}\n"
    exec(compile(source, "<pattern>", "exec"), namespace)
    function: Callable[[str], bool] = namespace["matches"]  # type: ignore[assignment]
    return function


def _shape(pattern: str) -> tuple[str, str] | None:
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    if parsed.state.flags != sre.SRE_FLAG_UNICODE:
        return None  # (?i), (?x) ...: not the characters as written
    items = list(parsed)
    if len(items) == 1 and items[0][0] == sre.IN:
        chars = _class(items[0][1], negated=True)
        return None if chars is None else ("some-outside", chars)
    if (
        len(items) == 3
        and items[0] == (sre.AT, sre.AT_BEGINNING)
        and items[1][0] == sre.MAX_REPEAT
        and items[2][0] == sre.ASSERT_NOT
        and items[2][1][0] == 1  # a lookahead
        and list(items[2][1][1]) == _NOTHING_FOLLOWS
    ):
        low, high, repeated = items[1][1]
        repeated = list(repeated)
        if low == 1 and high == sre.MAXREPEAT and len(repeated) == 1 and repeated[0][0] == sre.IN:
            chars = _class(repeated[0][1], negated=False)
            return None if chars is None else ("all", chars)
    return None


def _class(members: list[tuple[Any, Any]], *, negated: bool) -> str | None:
    """The characters of a class of literals and ranges (negated as asked), else None."""
    if negated != (members[:1] == [(sre.NEGATE, None)]):
        return None
    chars: list[str] = []
    for opcode, argument in members[1:] if negated else members:
        if opcode == sre.LITERAL:
            chars.append(chr(argument))
        elif opcode == sre.RANGE:
            low, high = argument
            if high - low >= _CLASS_LIMIT:
                return None
            chars.extend(map(chr, range(low, high + 1)))
        else:
            return None  # a category, a nested negation ...
        if len(chars) > _CLASS_LIMIT:
            return None
    return "".join(chars) if chars else None
