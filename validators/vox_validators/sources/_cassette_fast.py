"""A fast reader for one vcrpy interaction as PyYAML's emitter writes it, or a refusal.

``_cassette`` cuts a cassette into interactions (at the ``- `` lines of column 0) and hands each
piece here first: libyaml composing a piece and PyYAML constructing it cost several times the
whole budget of a record, almost all of it in Python objects made for every node and event.

:func:`interaction` reads the subset of block YAML the emitter writes for cassettes: block
mappings whose keys are plain (or one-line quoted) scalars, block sequences (indentless or not),
and as values plain scalars (folded over lines too), single- and double-quoted scalars (folded,
with the YAML escapes), ``{}`` and ``[]``, literal block scalars (``|``, ``|-``), plain or tagged
``!!binary``. Plain scalars are resolved and constructed by PyYAML's own resolver and
constructors, so ``200``, ``null``, ``yes`` or ``2024-01-01`` become what PyYAML makes of them.

Most interactions of a cassette share a shape (the same lines up to the first character of
each value): the first of a shape is read line by line, and the shape becomes a small generated
builder that takes each value from its line and checks it is what the shape promises; the next
ones cost a split, a tuple of line prefixes and that builder (see :func:`_template`).

Exactness over reach: whatever is not certainly read as libyaml and PyYAML read it (anchors,
aliases, other tags, flow collections that are not empty, tabs, carriage returns (``_cassette``
turns CR LF into LF first) and the other line breaks, control characters, a comment after a
value, odd indentation, unknown escapes) is a :class:`Decline`, and libyaml reads the piece
instead. The differential tests (``tests/validators/sources/test_cassette_streaming.py``) hold
this module to PyYAML's result.
"""

from __future__ import annotations

import re
from typing import Any

import orjson
import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

_STR = "tag:yaml.org,2002:str"
_RESOLVER = Resolver()  # what CSafeLoader resolves with
_CONSTRUCTOR = SafeConstructor()
# Tags a plain scalar may resolve to that make a leaf (merge ``<<`` and value ``=`` keys act on
# their mapping: refused).
_SCALAR_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp")
)

# Printable ASCII and the newline: a piece of only these needs no other check.
_ASCII_SAFE = bytes(range(0x20, 0x7F)) + b"\n"
# Beyond ASCII: what libyaml refuses (control characters), reads as a line break (NEL, LS, PS)
# or skips (a byte order mark).
_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# The start of a plain scalar: not an indicator (``-``, ``?``, ``:`` only before a non-space).
_PLAIN_START = re.compile(r"[-?:](?=[^ ])|[^-?:,\[\]{}#&*!|>'\"%@` ]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A \u escape of a surrogate (a backslash pair before it is a false alarm, read the slow way).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]")
_MAYBE_SURROGATE = re.compile(r"\\(?:u[dD][89abAB]|U)")
# An escape Python's ``unicode_escape`` does not read as YAML does (\0 is octal there, \N a
# name...); a backslash pair before such a letter is a false alarm, read the slow way.
_RARE_ESCAPE = re.compile(r'\\[^"\\ntrbfvaxuU]')
# The content of a double-quoted scalar up to its closing quote (unrolled: runs, then escapes).
_DOUBLE_QUOTED_TO_END = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"')
_YAML_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_YAML_ESCAPES = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
# Keys and plain values seen before, checked, resolved and constructed (immutable values only;
# bounded: cleared when full).
_PLAIN_CACHE: dict[str, Any] = {}
_CACHE_SIZE = 4096
_CACHED_LENGTH = 64
_MISSING = object()
# libyaml looks for the ':' of a simple key within 1024 characters of its start.
_SIMPLE_KEY_LENGTH = 1000
_INDICATORS = "'\"-?:,[]{}#&*!|>%@`"


class Decline(Exception):
    """The piece is not certainly read here as PyYAML reads it: libyaml is to read it."""


def is_safe(piece: bytes) -> bool:
    """Whether ``piece`` holds only characters the fast path reads (cheap for ASCII)."""
    if piece.isascii():
        return not piece.translate(None, _ASCII_SAFE)
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _UNSAFE.search(text) is None


def interaction(text: str) -> tuple[Any, int, int]:
    """The interaction of ``text``: a piece ``- ...`` starting at column 0 and ending with a
    newline, of characters :func:`is_safe` accepts. Returns it, the 0-based line of the piece
    where its record is located (see ``_cassette._interaction_lines``), and its YAML nodes.
    :class:`Decline` when unsure.

    The interactions of a cassette mostly share a shape (the same lines up to the first
    character of each value): a shape read once is remembered as a builder that takes the values
    from the lines directly (see :func:`_template`); others are read line by line.
    """
    lines = text.split("\n")
    shape = tuple([line[: cut + 3] if (cut := line.find(": ")) >= 0 else line for line in lines])
    template: Any = _TEMPLATES.get(shape, _MISSING)
    if template is not _MISSING and template is not None:
        build, located, nodes = template
        try:
            return build(lines), located, nodes
        except Decline:
            pass  # a value the shape does not vouch for: read it line by line
    read, folded = _read(lines)
    # A value over several lines makes its shape hold that value: a shape of one piece.
    if template is _MISSING and not folded:
        if len(_TEMPLATES) >= _TEMPLATE_COUNT:
            _TEMPLATES.clear()
        _TEMPLATES[shape] = _template(lines, read)
    return read


def _read(lines: list[str]) -> tuple[tuple[Any, int, int], bool]:  # noqa: PLR0915 - one loop
    """:func:`interaction`, line by line: one pass with a stack of the open collections; and
    whether a value goes over several lines."""
    folded = False
    count = len(lines)
    root: list[Any] = []
    # The open collections: (column, the collection, whether it is a sequence).
    stack: list[tuple[int, Any, bool]] = [(0, root, True)]
    column, in_sequence = 0, True
    container: Any = root
    nodes = 0
    # A key (or a "-") with nothing after it: its node is on the next lines, or is null.
    pending = False
    pending_key: Any = None
    pending_column = pending_line = 0
    pending_role = ""
    # A plain scalar ended the last line: a more indented line goes on with it.
    plain_at = -1
    plain_key: Any = None
    plain_text = ""
    # Where the record is located (see _cassette._located_line): the first "response" of the
    # interaction, its first "body" (or "content"), and that body's first "string".
    item: Any = None
    response: Any = None
    body: Any = None
    located: dict[str, int] = {}
    item_line = 0
    position = 0
    while position < count:
        line = lines[position]
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            position += 1
            continue
        indent = len(line) - len(stripped)
        dash = stripped[0] == "-" and (len(stripped) == 1 or stripped[1] == " ")
        if pending:
            pending = False
            nested: Any = None
            if indent > pending_column or (indent == pending_column and dash and not in_sequence):
                nested = [] if dash else {}
                nodes += 1
                if pending_role == "response" and not dash:
                    response = nested
                elif pending_role == "body" and not dash:
                    body = nested
                if pending_role:
                    located[pending_role] = position
                if container is root:
                    item, item_line = nested, position
                if in_sequence:
                    container.append(nested)
                else:
                    container[pending_key] = nested
                stack.append((indent, nested, dash))
                column, container, in_sequence = indent, nested, dash
            else:
                nodes += 1
                if pending_role:
                    located[pending_role] = pending_line
                if in_sequence:
                    container.append(None)
                else:
                    container[pending_key] = None
        elif indent > column:
            if plain_at < 0:
                raise Decline  # more indented after a value that does not go on
            value, position = _plain_lines(lines, plain_text, plain_at, column)
            folded = True
            if in_sequence:
                container[-1] = value
            else:
                container[plain_key] = value
            plain_at = -1
            continue
        plain_at = -1
        while indent < column or (in_sequence and indent == column and not dash):
            stack.pop()
            if not stack:
                raise Decline
            column, container, in_sequence = stack[-1]
        if indent != column:
            raise Decline
        if dash:
            if not in_sequence:
                raise Decline
            rest = stripped[2:].lstrip(" ")
            if not rest or rest[0] == "#":
                pending, pending_key, pending_column, pending_line = True, None, column, position
                pending_role = ""
                position += 1
                continue
            if rest[0] not in _INDICATORS and (": " in rest or rest.endswith(":")):
                mapping: dict[Any, Any] = {}
                nodes += 1
                if container is root:
                    item, item_line = mapping, position
                container.append(mapping)
                inner = indent + len(stripped) - len(rest)
                stack.append((inner, mapping, False))
                column, container, in_sequence = inner, mapping, False
                stripped = rest
            else:
                if rest.startswith(("- ", "? ", ": ")) or rest in ("-", "?", ":"):
                    raise Decline  # a nested sequence or a complex key on one line
                nodes += 1
                value, following, plain = _inline(lines, rest, position, column)
                folded = folded or following != position + 1
                container.append(value)
                if plain:
                    plain_at, plain_text = position, rest.rstrip(" ")
                position = following
                continue
        elif in_sequence:
            raise Decline
        # A "key: value" line of the mapping ``container``.
        entry = _KEY_LINES.get(stripped)
        if entry is None:
            entry = _key_line(stripped)
        key, rest, kind, value = entry
        nodes += 1
        role = ""
        if container is item:
            if key == "response" and "response" not in located:
                role = "response"
        elif container is response:
            if key == "body" and "body" not in located:
                role = "body"
            elif key == "content" and "content" not in located:
                role = "content"
        elif container is body and key == "string" and "string" not in located:
            role = "string"
        if not rest:
            pending, pending_key, pending_column, pending_line = True, key, column, position
            pending_role = role
            position += 1
            continue
        if role:
            located[role] = position
        nodes += 1
        if kind == _PLAIN_VALUE:
            container[key] = value
            plain_at, plain_key, plain_text = position, key, rest
            position += 1
            continue
        if kind == _EMPTY_MAPPING:
            container[key] = {}
            position += 1
            continue
        value, following, plain = _inline(lines, rest, position, column)
        folded = folded or following != position + 1
        container[key] = value
        if plain:
            plain_at, plain_key, plain_text = position, key, rest.rstrip(" ")
        position = following
    if pending:
        nodes += 1
        if pending_role:
            located[pending_role] = pending_line
        if in_sequence:
            container.append(None)
        else:
            container[pending_key] = None
    if len(root) != 1:
        raise Decline
    if item is None:
        item_line = _first_content_line(lines)
    for role in ("string", "body", "content"):
        if role in located:
            return (root[0], located[role], nodes), folded
    return (root[0], item_line, nodes), folded


# --------------------------------------------------------------------------- shapes

# Per shape: the builder of its interactions, where their record is located and their nodes;
# None for a shape that cannot be built from its lines (values over several lines...).
_TEMPLATES: dict[tuple[str, ...], tuple[Any, int, int] | None] = {}
_TEMPLATE_COUNT = 512
# Marks a value in a skeleton (a private-use character: in no cassette of the fast path's
# shapes, and refused as a key).
_HOLE = "\ue000"
_HOLE_VALUE = re.compile("\\A.?\ue000([0-9]+)\ue001\\Z")


def _template(lines: list[str], read: tuple[Any, int, int]) -> tuple[Any, int, int] | None:
    """The builder of the interactions shaped like ``lines`` (read as ``read``), or None.

    A shape fixes every line up to the first character of its value (after the first ``": "``;
    lines without one whole). The piece is read again with each such value replaced by a hole
    of the same kind (``'hole'``, ``"hole"``, ``p-hole`` for a plain scalar starting with
    ``p``): what the line-by-line reader makes of it depends on nothing but the shape, so the
    holes say where each value of the interaction is taken from. The builder takes each value
    from its line and checks it is what the shape promised (a quoted scalar closed on its line,
    a plain scalar PyYAML reads as such, ``{}``...), else declines; and is kept only if it
    builds this very piece as it was read.
    """
    if any(_HOLE in line for line in lines):
        return None
    skeleton = []
    kinds: dict[int, tuple[str, int]] = {}
    fixed: list[int] = []  # lines with ": " and no hole: the builder checks them whole
    for number, line in enumerate(lines):
        cut = line.find(": ")
        if cut < 0:
            skeleton.append(line)
            continue
        start = cut + 2
        opening = line[start : start + 1]
        hole = f"{_HOLE}{number}\ue001"
        if opening in {"'", '"'}:
            kinds[number] = (opening, start)
            skeleton.append(f"{line[:start]}{opening}{hole}{opening}")
        elif opening and opening not in _INDICATORS and opening != " ":
            kinds[number] = ("p", start)
            skeleton.append(f"{line[:start]}{opening}{hole}")
        else:  # {}, [], -1, a second space...: the shape holds only its start, the line is fixed
            fixed.append(number)
            skeleton.append(line)
    try:
        shaped, folded = _read(skeleton)
    except Decline:
        return None
    if folded or shaped[1:] != read[1:]:
        return None
    constants: list[Any] = []
    used: set[int] = set()
    try:
        code = _source(shaped[0], kinds, constants, used)
    except Decline:
        return None
    if used != set(kinds):
        return None
    checks = []
    for number in fixed:
        constants.append(lines[number])
        checks.append(f"lines[{number}] != K[{len(constants) - 1}]")
    condition = " or ".join(checks) or "False"
    namespace: dict[str, Any] = {}
    exec(  # code made here, from the structure of the shape only
        f"def build(lines, K, P, S, D, X):\n    if {condition}:\n        X()\n    return {code}\n",
        namespace,
    )
    function = namespace["build"]
    arguments = (tuple(constants), _plain, _single_quoted, _double_quoted_line, _decline)

    def build(piece: list[str]) -> Any:
        return function(piece, *arguments)

    try:
        if build(lines) != read[0]:
            return None
    except Decline:
        return None
    return build, read[1], read[2]


def _source(
    value: Any, kinds: dict[int, tuple[str, int]], constants: list[Any], used: set[int]
) -> str:
    """Python source building ``value`` (read from a skeleton) from the lines of a piece."""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(key, str) and _HOLE in key:
                raise Decline
            constants.append(key)
            items.append(f"K[{len(constants) - 1}]: {_source(item, kinds, constants, used)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_source(item, kinds, constants, used) for item in value) + "]"
    if isinstance(value, str) and _HOLE in value:
        match = _HOLE_VALUE.match(value)
        if match is None:
            raise Decline  # a hole inside a longer scalar: not one value of one line
        number = int(match.group(1))
        if number in used or number not in kinds:
            raise Decline
        used.add(number)
        kind, start = kinds[number]
        reader = {"p": "P", "'": "S", '"': "D"}[kind]
        return f"{reader}(lines[{number}][{start}:])"
    if isinstance(value, (dict, list, bytes, bytearray)):
        raise Decline
    constants.append(value)  # a leaf of a line fixed by the shape: immutable
    return f"K[{len(constants) - 1}]"


def _single_quoted(value: str) -> str:
    """A single-quoted scalar that must close at the end of its line."""
    if len(value) < 2 or value[-1] != "'":
        raise Decline
    inner = value[1:-1]
    if "'" in inner:
        if "'" in inner.replace("''", ""):
            raise Decline
        return inner.replace("''", "'")
    return inner


def _double_quoted_line(value: str) -> str:
    """A double-quoted scalar that must close at the end of its line."""
    inner = value[1:-1]
    if len(value) < 2 or value[-1] != '"' or "\\\\" in inner or inner.endswith("\\"):
        raise Decline  # not closed here, or a backslash pair: the counting below would not do
    decoded = _json_string(inner)
    if decoded is not None:
        return decoded  # (an unescaped quote inside would have left JSON trailing characters)
    if inner.count('"') != inner.count('\\"'):
        raise Decline  # a quote inside that is not escaped: the scalar closes before the end
    return _double_quoted(inner)


def _json_string(part: str) -> str | None:
    """``part`` read as the content of a JSON string, when YAML reads it the same; else None.

    JSON's escapes are YAML's (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), and orjson refuses the
    others (\\0 \\x \\U \\e \\N...). But JSON pairs \\u surrogates, which libyaml refuses: with one
    (Hangul is \\uAC00-\\uD7A3, so "\\uD" alone is no sign of one), None.
    """
    if ("\\ud" in part or "\\uD" in part) and _SURROGATE_ESCAPE.search(part) is not None:
        return None
    try:
        value = orjson.loads('"' + part + '"')
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None


def _decline() -> None:
    raise Decline


def _first_content_line(lines: list[str]) -> int:
    """The line where the item of ``- `` starts (the first content after the dash)."""
    if lines[0].lstrip("-").strip(" ") and not lines[0].lstrip("-").lstrip(" ").startswith("#"):
        return 0
    following = _content_line(lines, 1)
    return following if following is not None else 0


def _inline(lines: list[str], rest: str, position: int, column: int) -> tuple[Any, int, bool]:
    """The scalar (or empty collection) ``rest`` that follows a ``key:`` or ``-`` at ``column``
    on line ``position``: its value, the line after it, and whether it is a plain scalar that a
    more indented next line would go on with."""
    opening = rest[0]
    if opening == "'":
        if rest[-1] == "'" and "'" not in rest[1:-1] and len(rest) > 1:
            return rest[1:-1], position + 1, False  # the usual case, first
        text, position = _quoted(lines, rest, position, opening)
        return text, position, False
    if opening == '"':
        inner = rest[1:-1]
        if (
            rest[-1] == '"'
            and len(rest) > 1
            and "\\\\" not in inner
            and not inner.endswith("\\")
            and inner.count('"') == inner.count('\\"')
        ):  # closed on this line: no backslash pair, so every inner quote is escaped
            return _double_quoted(inner), position + 1, False
        text, position = _quoted(lines, rest, position, opening)
        return text, position, False
    if opening in {"{", "["}:
        flow = rest.rstrip(" ")
        if flow == "{}":
            return {}, position + 1, False
        if flow == "[]":
            return [], position + 1, False
        raise Decline
    if opening == "!":
        tag, _, header = rest.partition(" ")
        if tag != "!!binary":
            raise Decline
        text, position = _literal(lines, header.lstrip(" "), position, column)
        return _binary(text), position, False
    if opening == "|":
        text, position = _literal(lines, rest, position, column)
        return text, position, False
    return _plain(rest.rstrip(" ")), position + 1, True


# Mapping lines seen before (most repeat from one interaction to the next: "method: GET",
# "headers: {}", "code: 200"): their key, what follows it, and what that is.
_KEY_LINES: dict[str, tuple[Any, str, int, Any]] = {}
_OTHER_VALUE, _PLAIN_VALUE, _EMPTY_MAPPING = range(3)
_CACHED_LINE = 96


def _key_line(stripped: str) -> tuple[Any, str, int, Any]:
    """:func:`_key` of a mapping line, and its value when a plain scalar (or ``{}``)."""
    key, rest = _key(stripped)
    kind, value = _OTHER_VALUE, None
    if rest == "{}":
        kind = _EMPTY_MAPPING
    elif rest and rest[0] not in _INDICATORS:
        rest = rest.rstrip(" ")
        kind, value = _PLAIN_VALUE, _plain(rest)
    entry = (key, rest, kind, value)
    if len(stripped) <= _CACHED_LINE:
        if len(_KEY_LINES) >= _CACHE_SIZE:
            _KEY_LINES.clear()
        _KEY_LINES[stripped] = entry
    return entry


def _key(stripped: str) -> tuple[Any, str]:
    """The key of a mapping line and what follows its ``:`` (without a comment)."""
    opening = stripped[0]
    if opening in {"'", '"'}:
        end = _quote_end(stripped, 1, opening)
        if end < 0 or not stripped.startswith(":", end + 1) or end > _SIMPLE_KEY_LENGTH:
            raise Decline
        key: Any = _unquoted(stripped[1:end], opening)
        after = end + 2
    else:
        colon = stripped.find(": ")
        if colon < 0:
            if not stripped.endswith(":"):
                raise Decline
            colon = len(stripped) - 1
        if colon > _SIMPLE_KEY_LENGTH:
            raise Decline
        key = _plain(stripped[:colon])
        after = colon + 1
    rest = stripped[after:]
    if rest and rest[0] != " ":
        raise Decline  # ':' glued to what follows a quoted key
    rest = rest.lstrip(" ")
    if rest and rest[0] == "#":
        rest = ""  # a comment after the ':'
    return key, rest


def _plain_lines(lines: list[str], text: str, position: int, column: int) -> tuple[Any, int]:
    """The plain scalar ``text`` ending line ``position`` and going on over the lines more
    indented than ``column`` (folded: one line break is a space, more are newlines); and the
    line after it."""
    if not _plain_line(text):
        raise Decline
    parts = [text]
    breaks = 0
    position += 1
    end = position
    while position < len(lines):
        line = lines[position]
        stripped = line.lstrip(" ")
        if not stripped:
            breaks += 1
            position += 1
            continue
        if len(line) - len(stripped) <= column or stripped[0] == "#":
            break
        content = stripped.rstrip(" ")
        if not _plain_line(content) or content[0] in "-?:":
            raise Decline
        parts.append("\n" * breaks if breaks else " ")
        parts.append(content)
        breaks = 0
        position += 1
        end = position
    return _resolved("".join(parts)), end


def _quoted(lines: list[str], rest: str, position: int, quote: str) -> tuple[str, int]:
    """A single- or double-quoted scalar starting ``rest``, maybe over several lines; and the
    line after it."""
    end = _quote_end(rest, 1, quote)
    if end >= 0:
        if rest[end + 1 :].strip(" "):
            raise Decline  # a comment or more after the scalar
        return _unquoted(rest[1:end], quote), position + 1
    single = quote == "'"
    last = len(lines) - 1  # the empty string after the piece's last newline
    parts: list[str] = []
    piece = rest[1:]
    while True:
        # ``piece``: a line's content that does not close the scalar; fold its end.
        escaped_break = False
        if not single and _odd_backslashes(piece):
            parts.append(_double_quoted(piece[:-1]))
            escaped_break = True
        else:
            content = piece.rstrip(" ")
            if not single and len(content) < len(piece) and _odd_backslashes(content):
                content += " "  # an escaped space at the end of the line
            parts.append(_unquoted(content, quote))
        position += 1
        breaks = 1
        while True:
            if position >= last:
                raise Decline  # the piece ends inside the scalar: libyaml says how
            stripped = lines[position].lstrip(" ")
            if stripped:
                break
            breaks += 1
            position += 1
        if escaped_break or breaks > 1:
            parts.append("\n" * (breaks - 1))
        else:
            parts.append(" ")
        end = _quote_end(stripped, 0, quote)
        if end >= 0:
            if stripped[end + 1 :].strip(" "):
                raise Decline
            parts.append(_unquoted(stripped[:end], quote))
            return "".join(parts), position + 1
        piece = stripped


def _literal(lines: list[str], header: str, position: int, column: int) -> tuple[str, int]:
    """A literal block scalar (``|`` or ``|-``) whose header ends line ``position``, its
    content more indented than ``column``; and the line after it."""
    header = header.rstrip(" ")
    if header not in {"|", "|-"}:
        raise Decline
    position += 1
    if position >= len(lines):
        raise Decline
    first = lines[position]
    stripped = first.lstrip(" ")
    indent = len(first) - len(stripped)
    if not stripped or indent <= column:
        raise Decline  # leading blank lines, or an empty scalar: libyaml decides
    prefix = " " * indent
    content: list[str] = []
    trailing = 0
    while position < len(lines):
        line = lines[position]
        if not line.strip(" "):
            if len(line) > indent:
                raise Decline  # spaces kept on a blank line: libyaml decides
            trailing += 1
            position += 1
            continue
        if not line.startswith(prefix):
            break
        if trailing:
            content.extend([""] * trailing)
            trailing = 0
        content.append(line[indent:])
        position += 1
    text = "\n".join(content)
    return (text + "\n" if header == "|" else text), position - trailing


def _binary(text: str) -> bytes:
    """A ``!!binary`` scalar as PyYAML decodes it."""
    try:
        value: bytes = _CONSTRUCTOR.construct_yaml_binary(
            yaml.ScalarNode("tag:yaml.org,2002:binary", text)
        )
    except yaml.YAMLError as error:  # not base64: libyaml's path says how it fails
        raise Decline from error
    return value


def _content_line(lines: list[str], position: int) -> int | None:
    """The first line from ``position`` on that is neither blank nor a comment."""
    for index in range(position, len(lines)):
        stripped = lines[index].lstrip(" ")
        if stripped and stripped[0] != "#":
            return index
    return None


def _plain(text: str) -> Any:
    """One line of plain scalar, checked, as PyYAML resolves and constructs it."""
    value = _PLAIN_CACHE.get(text, _MISSING)
    if value is not _MISSING:
        return value
    if not _plain_line(text):
        raise Decline
    value = _resolved(text)
    if len(text) <= _CACHED_LENGTH:
        if len(_PLAIN_CACHE) >= _CACHE_SIZE:
            _PLAIN_CACHE.clear()
        _PLAIN_CACHE[text] = value
    return value


def _resolved(text: str) -> Any:
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag == _STR:
        return text
    if tag not in _SCALAR_TAGS:
        raise Decline
    try:
        return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, text))
    except Exception as error:  # a date that is no date: libyaml's path says how it fails
        raise Decline from error


def _plain_line(text: str) -> bool:
    """Whether ``text`` (no outer spaces) may be one line of a plain scalar in block context."""
    return (
        bool(text)
        and _PLAIN_START.match(text) is not None
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
    )


def _double_quoted(part: str) -> str:
    """One line's content of a double-quoted scalar, escapes undone."""
    if "\\" not in part:
        return part
    decoded = _json_string(part)
    if decoded is not None:
        return decoded
    if _RARE_ESCAPE.search(part) is None:
        try:
            value = part.encode("ascii", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError as error:  # a short \x, \u, \U: libyaml says how
            raise Decline from error
    else:
        value = _YAML_ESCAPE.sub(_yaml_escape, part)
    if _MAYBE_SURROGATE.search(part) is not None and _SURROGATE.search(value) is not None:
        raise Decline  # libyaml refuses surrogate escapes
    return value


def _yaml_escape(match: re.Match[str]) -> str:
    escape = match.group(1)
    if len(escape) > 1:
        code = int(escape[1:], 16)
        if code > 0x10FFFF:
            raise Decline
        return chr(code)
    replaced = _YAML_ESCAPES.get(escape)
    if replaced is None:
        raise Decline
    return replaced


def _odd_backslashes(text: str) -> bool:
    """Whether ``text`` ends with an unpaired backslash (an escape still open)."""
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


def _quote_end(text: str, start: int, quote: str) -> int:
    """Where a quoted scalar whose content starts at ``text[start]`` closes, or -1."""
    if quote == "'":
        end = text.find("'", start)
        while end >= 0 and text.startswith("'", end + 1):
            end = text.find("'", end + 2)
        return end
    match = _DOUBLE_QUOTED_TO_END.match(text, start)
    return match.end() - 1 if match is not None else -1


def _unquoted(raw: str, quote: str) -> str:
    if quote == "'":
        return raw.replace("''", "'") if "''" in raw else raw
    return _double_quoted(raw)
