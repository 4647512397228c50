"""Cassettes read interaction by interaction (``_cassette``) and the fast reader of the layout
PyYAML's emitter writes (``_cassette_fast``), held to the whole read.

The oracle is the whole read, ``_cassette._cassette_records``: the document loaded at once by
``yaml`` with ``_CassetteLoader``. Every cassette here, dumped by PyYAML with the dumpers and
options vcrpy and people use, hand-written, or fuzzed, must give the same records streamed (from
chunks of every size, or read whole first) as read whole; the fast reader must give what PyYAML
gives for a piece, or decline it.
"""

from __future__ import annotations

import gzip
import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vox_validators.sources import Limits, Record, iter_records
from vox_validators.sources import _cassette as cassette
from vox_validators.sources import _cassette_fast as fast
from vox_validators.sources._chunks import ReadError

ROOT = Path(__file__).resolve().parents[3]
REAL_CASSETTES = sorted((ROOT / "cassettes").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures").glob("*.yaml")
)
URL = "https://client-api.tryvox.co/v3/campaigns/"
DEFAULT = Limits()
DUMPERS = [
    pytest.param({"Dumper": yaml.Dumper}, id="Dumper"),  # what vcrpy falls back to
    pytest.param({"Dumper": getattr(yaml, "CDumper", yaml.Dumper)}, id="CDumper"),  # vcrpy
    pytest.param({"Dumper": yaml.SafeDumper, "allow_unicode": True}, id="unicode"),
    pytest.param({"Dumper": yaml.Dumper, "width": 40}, id="width-40"),
    pytest.param({"Dumper": yaml.Dumper, "width": 1000, "indent": 4}, id="indent-4"),
    pytest.param({"Dumper": yaml.Dumper, "default_flow_style": None}, id="flow-leaves"),
]


def whole_read(content: bytes, limits: Limits = DEFAULT) -> list[Record]:
    return list(cassette._cassette_records("c.yaml", content, limits))


def streamed(
    content: bytes, limits: Limits = DEFAULT, chunk: int = 1 << 20, *, seekable: bool = True
) -> list[Record]:
    """What ``cassette_records`` gives from ``chunk``-byte chunks, as ``_read`` hands them."""
    pieces = (content[at : at + chunk] for at in range(0, len(content), chunk))
    return list(
        cassette.cassette_records(
            "c.yaml", io.BytesIO(), lambda _: content, limits, chunks=pieces, seekable=seekable
        )
    )


def agree(got: list[Record], expected: list[Record]) -> None:
    """``got`` (streamed) is ``expected`` (the whole read), or, where the whole read is one YAML
    error, the records read before it and then that very error."""
    if len(expected) == 1 and expected[0].index is None and got != expected:
        before = [record for record in got if record.index is not None]
        assert [record.index for record in before] == list(range(len(before)))
        assert got[len(before) :] == expected
    else:
        assert got == expected


def same_as_whole(content: bytes, limits: Limits = DEFAULT) -> list[Record]:
    expected = whole_read(content, limits)
    for chunk in (1 << 20, 7, 64):
        assert streamed(content, limits, chunk) == expected, chunk
    assert streamed(content, limits, seekable=False) == expected
    return expected


def interaction(index: int, body: Any, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["application/json"], **extra.pop("headers", {})},
        "body": {"string": body},
    }
    return {
        "request": {"body": None, "headers": {}, "method": "GET", "uri": f"{URL}cmp_{index}"},
        "response": response,
        **extra,
    }


def dump(interactions: list[dict[str, Any]], **options: Any) -> bytes:
    text = yaml.dump({"interactions": interactions, "version": 1}, **options)
    return text.encode("utf-8") if isinstance(text, str) else text


def fast_agrees(piece: bytes) -> bool:
    """Whether the fast reader gives PyYAML's value, line and node count (True), or declines
    (False); a disagreement fails."""
    if not (piece.endswith(b"\n") and fast.is_safe(piece)):
        return False
    try:
        value, located, nodes = fast.interaction(piece.decode("utf-8"))
        # Read again: its shape is known now, so this is the shape's builder when it has one.
        again = fast.interaction(piece.decode("utf-8"))
    except fast.Decline:
        return False
    assert again == (value, located, nodes)
    loader = cassette._CassetteLoader(piece)
    try:
        node = loader.get_single_node()
        expected = loader.construct_document(node)
    finally:
        loader.dispose()
    assert len(expected) == 1
    assert value == expected[0]
    assert _types(value) == _types(expected[0])
    assert located + 1 == cassette._located_line(node.value[0])
    assert nodes + 1 == cassette._yaml_nodes(piece, 1 << 30)
    return True


def declines(piece: bytes) -> bool:
    if not fast.is_safe(piece):
        return True
    try:
        fast.interaction(piece.decode())
    except fast.Decline:
        return True
    return False


def _types(value: Any) -> Any:
    """The value with the type of every leaf (True == 1 and 1.0 == 1 otherwise hide a type)."""
    if isinstance(value, dict):
        return {repr(key): _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


def pieces_of(content: bytes) -> list[bytes]:
    return [piece for kind, piece, _ in cassette._cut(iter((content,)), DEFAULT) if kind == 0]


# --------------------------------------------------------------------------- dumped cassettes

TEXTS = [
    '{"id": "cmp_1", "name": "Spring promo", "status": "ongoing"}',
    '{"id":"cmp_2","name":"\ucea0\ud398\uc778 VIP","status":"draft"}',
    "",
    " leading and trailing spaces ",
    "it's 'quoted' and \"double\" \\ backslash",
    "line one\nline two\n\n\nafter blank lines\n",
    "tab\there, bell\x07, nul\x00, escape\x1b, nel\x85, nbsp\xa0, ls\u2028, ps\u2029, \ufeff",
    "emoji \U0001f600 and \u00e9t\u00e9",
    "x" * 300 + " " + "y " * 200,
    "- looks like a list: and a key # and a comment",
    "null",
    "200",
    "yes",
    "2024-01-02",
    "1.5e3",
    "~",
    "<<",
    "=",
    "---",
    "...",
    "%YAML 1.1",
    "@at `tick` !bang &amp *star |pipe >gt {brace} [bracket], comma",
    "  \n  ",
    "trailing newline\n",
    "\r\ncrlf\rcr",
]


@pytest.mark.parametrize("options", DUMPERS)
def test_dumped_cassettes_stream_as_they_read_whole(options: dict[str, Any]) -> None:
    interactions = [interaction(index, text) for index, text in enumerate(TEXTS)]
    interactions += [interaction(100 + index, text.encode()) for index, text in enumerate(TEXTS)]
    interactions.append(
        interaction(
            7,
            '{"id": "cmp_7"}',
            headers={"X-Odd": ["a: b", "'quoted'", "", "null", "on", "1"], "on": ["x"]},
        )
    )
    content = dump(interactions, **options)
    expected = same_as_whole(content)
    assert len(expected) == len(interactions)


@pytest.mark.parametrize("options", DUMPERS)
def test_cassettes_written_with_crlf_stream_as_they_read_whole(options: dict[str, Any]) -> None:
    interactions = [interaction(index, text) for index, text in enumerate(TEXTS)]
    interactions += [interaction(100 + index, text.encode()) for index, text in enumerate(TEXTS)]
    content = dump(interactions, **options).replace(b"\n", b"\r\n")
    assert len(same_as_whole(content)) == len(interactions)
    for piece in pieces_of(content):
        crlf_free = piece.replace(b"\r\n", b"\n")
        if fast_agrees(crlf_free):  # what the reader hands the fast path: compare with CR LF
            value, located, _ = fast.interaction(crlf_free.decode())
            loader = cassette._CassetteLoader(piece)
            try:
                node = loader.get_single_node()
                assert [value] == loader.construct_document(node)
            finally:
                loader.dispose()
            assert located + 1 == cassette._located_line(node.value[0])


@pytest.mark.parametrize("options", DUMPERS)
def test_the_fast_reader_agrees_with_pyyaml_on_every_dumped_piece(options: dict[str, Any]) -> None:
    interactions = [interaction(index, text) for index, text in enumerate(TEXTS)]
    interactions += [interaction(100 + index, text.encode()) for index, text in enumerate(TEXTS)]
    content = dump(interactions, **options)
    read = [fast_agrees(piece) for piece in pieces_of(content)]
    assert len(read) == len(interactions)
    if options.get("default_flow_style", False) is False:
        assert sum(read) >= len(read) // 2  # most of them, or the fast path is not one


def test_the_real_cassettes_stream_as_they_read_whole() -> None:
    assert REAL_CASSETTES
    for path in REAL_CASSETTES:
        content = path.read_bytes()
        same_as_whole(content)
        for piece in pieces_of(content):
            fast_agrees(piece)


def test_the_vcrpy_layout_is_read_by_the_fast_reader() -> None:
    content = dump([interaction(index, TEXTS[index % 2]) for index in range(20)])
    assert all(fast_agrees(piece) for piece in pieces_of(content))
    binary = dump([interaction(1, gzip.compress(b'{"id": "cmp_1"}' * 50))])
    assert all(fast_agrees(piece) for piece in pieces_of(binary))


json_text = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
header_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=120
) | st.sampled_from(TEXTS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bodies=st.lists(st.one_of(header_text, st.binary(max_size=200)), min_size=1, max_size=4),
    headers=st.dictionaries(header_text, st.lists(header_text, max_size=3), max_size=3),
    options=st.sampled_from([dumper.values[0] for dumper in DUMPERS]),
    width=st.integers(min_value=10, max_value=200),
)
def test_fuzzed_dumps_stream_as_they_read_whole(
    bodies: list[Any], headers: dict[str, list[str]], options: dict[str, Any], width: int
) -> None:
    interactions = [
        interaction(index, body, headers=dict(headers)) for index, body in enumerate(bodies)
    ]
    content = dump(interactions, **{**options, "width": width})
    assert streamed(content, chunk=13) == whole_read(content)
    for piece in pieces_of(content):
        fast_agrees(piece)


PIECE_LINES = st.lists(
    st.sampled_from(
        [
            "- request:",
            "  request:",
            "  response:",
            "    body:",
            "      string: '{\"a\": 1}'",
            "      string: 'folded",
            "        on two lines'",
            '      string: "esc\\u00e9\\x41\\t\\',
            '        \\ next"',
            "      string: !!binary |",
            "        eyJhIjogMX0=",
            "    headers:",
            "      A:",
            "      - b",
            "      - 'c''d'",
            "    - x",
            "    status:",
            "      code: 200",
            "      code: '200'",
            "      message: OK # comment",
            "      message: plain",
            "        continued",
            "",
            "   ",
            "# comment",
            "  &anchor x: 1",
            "  k: *alias",
            "  k: {a: 1}",
            "  k: [1, 2]",
            "  k: |-",
            "  k: >",
            "    text",
            "  'quoted key': v",
            '  "dq key": v',
            "  ? complex",
            "  : value",
            "-",
            "- - nested",
            "  k: on",
            "  k: 0x1F",
            "  k: 1_000",
            "  k: .inf",
            "  k: 2001-12-14t21:59:43.10-05:00",
            "  k: 2024-13-45",
            "  k:",
            "  k: v: w",
            "\tk: tab",
        ]
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=400, deadline=None)
@given(lines=PIECE_LINES)
def test_fuzzed_pieces_are_declined_or_read_as_pyyaml_reads_them(lines: list[str]) -> None:
    piece = ("- " + "\n".join(lines) + "\n").encode()
    try:
        loaded = yaml.load(piece, Loader=cassette._CassetteLoader)
    except (yaml.YAMLError, ValueError, TypeError):
        loaded = None
    if not isinstance(loaded, list) or len(loaded) != 1:
        assert declines(piece), f"read a piece PyYAML does not read as one item: {piece!r}"
        return
    fast_agrees(piece)


@settings(max_examples=200, deadline=None)
@given(lines=PIECE_LINES, more=PIECE_LINES)
def test_fuzzed_documents_stream_as_they_read_whole(lines: list[str], more: list[str]) -> None:
    content = "interactions:\n- " + "\n".join(lines) + "\n- " + "\n".join(more) + "\nversion: 1\n"
    agree(streamed(content.encode(), chunk=5), whole_read(content.encode()))


RAW_VALUES = st.sampled_from(
    [
        "null",
        "no",
        "On",
        "200",
        "0o17",
        "1e3",
        "'ok'",
        "'it''s'",
        "'a'b'",
        "'open",
        "'x' # comment",
        '"esc \\" quote"',
        '"\\\\"',
        '"tab\\tnul\\0"',
        '"\\ud800"',
        '"\\q"',
        '"a" b',
        "{}",
        "{a: 1}",
        "[]",
        "[1]",
        "plain text",
        "plain: colon",
        "plain # hash",
        "trailing ",
        "GET",
        "&anchor x",
        "*alias",
        "!!str x",
        "|",
        "-1",
        "- item",
        "? q",
        "2024-01-02",
        "2024-13-45",
    ]
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(RAW_VALUES, min_size=6, max_size=6))
def test_pieces_of_a_known_shape_with_other_values_are_read_as_pyyaml_reads_them(
    values: list[str],
) -> None:
    template = (
        "- request:\n    body: {0}\n    headers: {1}\n    method: {2}\n    uri: {3}\n"
        "  response:\n    body:\n      string: {4}\n    status:\n      code: {5}\n"
    )
    known = template.format("null", "{}", "GET", "h", "'{}'", "200")
    fast.interaction(known)  # now a known shape (a value of the same first character is its)
    piece = template.format(*values).encode()
    try:
        loaded = yaml.load(piece, Loader=cassette._CassetteLoader)
    except (yaml.YAMLError, ValueError, TypeError):
        loaded = None
    if not isinstance(loaded, list) or len(loaded) != 1:
        assert declines(piece), piece
        return
    fast_agrees(piece)


# --------------------------------------------------------------------------- documents in doubt


@pytest.mark.parametrize(
    "content",
    [
        "version: 1\ninteractions:\n- {request: {}}\n",  # another key first
        "%YAML 1.1\n---\ninteractions: []\n",
        "---\ninteractions:\n- request: {}\n...\n",
        "interactions: []\nversion: 1\n",
        "interactions:\n  - request: {}\n",  # an indented list
        "a: &a {method: GET}\ninteractions:\n- request: *a\n",
        "interactions:\n- request: &r {method: GET, uri: 'https://x/v3/campaigns/c'}\n"
        "  response: {status: {code: 200}, body: {string: '{}'}}\n"
        "- request: *r\n  response: {status: {code: 200}, body: {string: '{}'}}\n",
        "interactions:\n- request: 'a quoted scalar\n- going on at column 0'\n",
        "interactions:\n- request: [a,\nb]\n",
        "interactions:\n- {}\nversion: 1\n---\nsecond: document\n",
        "interactions:\n- {}\nversion: *undefined\n",
        "interactions:\n- {}\n- [\n",
        "interactions:\n- {}\n- a: b\n c\n",
        "interactions:\r\n- request: {}\r\n\r\n- response: {}\r\n",
        "interactions:\n- a: 'b'\r- c: d\n",
        'interactions:\n- a: "b\xc2\x85- c"\n',
        "interactions:\n- {}\ninteractions:\n- {}\n- {}\n",
        "",
        "interactions:\n",
        "interactions:\n- x\n-",
    ],
)
def test_documents_in_doubt_read_as_whole(content: str) -> None:
    raw = content.encode("latin-1") if "\xc2" in content else content.encode()
    expected = whole_read(raw)
    got = streamed(raw, chunk=3)
    if "interactions:\n- {}\ninteractions:" in content:  # the one deliberate difference
        assert [r.findings[0].message for r in got][-1].startswith("the cassette has a second")
        return
    agree(got, expected)


def test_records_before_a_yaml_error_are_kept_then_its_parse_finding() -> None:
    good = dump([interaction(index, '{"id": "c"}') for index in range(3)]).decode()
    broken = good.replace("version: 1\n", "- request: {method: GET\n")
    records = streamed(broken.encode(), chunk=50)
    assert [r.index for r in records] == [0, 1, 2, None]
    assert records[:3] == whole_read(good.encode())[:3]
    assert records[3].findings[0].rule == "parse"
    assert records[3].findings[0].message.startswith("not a readable YAML cassette:")
    assert records[3].line == whole_read(broken.encode())[0].line


def test_an_error_after_the_list_comes_after_the_records() -> None:
    good = dump([interaction(index, '{"id": "c"}') for index in range(2)])
    broken = good + b"version: [1\n"
    records = streamed(broken)
    assert [r.index for r in records] == [0, 1, None]
    assert records[2].findings[0].rule == "parse"


# --------------------------------------------------------------------------- limits


def test_an_interaction_over_the_input_limit_is_one_record_and_reading_goes_on() -> None:
    bodies = ['{"id": "a"}', '{"id": "' + "x" * 5000 + '"}', '{"id": "c"}']
    content = dump([interaction(index, body) for index, body in enumerate(bodies)])
    for chunk in (100, 1 << 20):
        records = streamed(content, Limits(input=2000), chunk)
        assert [r.index for r in records] == [0, 1, 2]
        assert [f.rule for f in records[1].findings] == ["limit"]
        assert "the interaction is larger than 2.0 KiB, the input limit" in (
            records[1].findings[0].message
        )
        whole = whole_read(content)
        assert records[0] == whole[0]
        assert records[2] == whole[2]
        dashes = [n for n, text in enumerate(content.split(b"\n"), 1) if text.startswith(b"- ")]
        assert records[1].line == dashes[1]  # the line of its "- "


def test_an_interaction_over_the_nodes_limit_is_one_record_and_reading_goes_on() -> None:
    many = {f"H{index}": [str(index)] for index in range(300)}
    content = dump([interaction(0, "{}"), interaction(1, "{}", headers=many), interaction(2, "{}")])
    records = streamed(content, Limits(nodes=500))
    assert [[f.rule for f in r.findings] for r in records][1] == ["limit"]
    assert "the interaction (YAML aliases expanded) has more than 500 values" in (
        records[1].findings[0].message
    )
    assert records[0] == whole_read(content)[0]
    assert records[2] == whole_read(content)[2]


def test_a_billion_laughs_inside_an_interaction_is_counted_before_it_is_built() -> None:
    lines = ['- a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    content = ("interactions:\n" + "\n".join(lines) + "\n- {}\n").encode()
    records = streamed(content)
    assert [r.index for r in records] == [0, 1]
    assert records[0].findings[0].rule == "limit"
    assert (
        "(YAML aliases expanded) has more than 1,000,000 values" in records[0].findings[0].message
    )


def test_a_read_error_keeps_the_records_before_it() -> None:
    content = dump([interaction(index, "{}") for index in range(3)])

    def chunks() -> Iterator[bytes]:
        third = content.index(b"- request", content.index(b"- request", 30) + 1)
        yield content[: third + 10]  # the third interaction ends early
        raise ReadError("truncated gzip stream (boom)")

    records = list(
        cassette.cassette_records(
            "c.yaml", io.BytesIO(), lambda _: content, DEFAULT, chunks=chunks(), seekable=True
        )
    )
    assert [r.index for r in records] == [0, 1, 2]
    assert records[:2] == whole_read(content)[:2]
    assert records[2].findings[0].message == "truncated gzip stream (boom)"
    assert records[2].line == content[: content.rindex(b"- request")].count(b"\n") + 1


def test_streamed_memory_stays_about_one_interaction() -> None:
    body = '{"id": "cmp", "name": "' + "n" * 400 + '"}'
    one = dump([interaction(0, body)])
    piece = one[one.index(b"- ") : one.index(b"version")]
    count = 4000
    content = b"interactions:\n" + piece * count + b"version: 1\n"

    def chunks() -> Iterator[bytes]:
        for at in range(0, len(content), 64 * 1024):
            yield content[at : at + 64 * 1024]

    tracemalloc.start()
    try:
        records = 0
        for _ in cassette.cassette_records(
            "c.yaml", io.BytesIO(), lambda _: b"", DEFAULT, chunks=chunks(), seekable=True
        ):
            records += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert records == count
    # The whole read holds the document and every object of it: many times its size.
    assert peak < len(content) // 4, (peak, len(content))


def test_iter_records_reads_cassettes_as_before(tmp_path: Path) -> None:
    content = dump([interaction(index, TEXTS[index % len(TEXTS)]) for index in range(30)])
    path = tmp_path / "c.yaml"
    path.write_bytes(content)
    (tmp_path / "c.yaml.gz").write_bytes(gzip.compress(content))
    expected = whole_read(content)
    for source in (path, tmp_path / "c.yaml.gz"):
        records = list(iter_records(source))
        assert [(r.index, r.line, r.data, r.findings) for r in records] == [
            (r.index, r.line, r.data, r.findings) for r in expected
        ]


def test_blank_and_comment_lines_before_the_list_are_skipped_and_counted() -> None:
    listed = dump([interaction(index, '{"id": "c"}') for index in range(3)])
    head = b"# recorded\n" + b"\n" * 20_000 + b"   # indented\n  \ninteractions:   \n\n# first\n"
    content = head + listed.removeprefix(b"interactions:\n")
    records = same_as_whole(content)
    assert [r.line for r in records] == [
        line + 20_005 for line in [r.line for r in whole_read(listed)] if line is not None
    ]


def test_what_follows_the_list_is_held_within_the_input_limit() -> None:
    content = dump([interaction(index, '{"id": "c"}') for index in range(3)]) + b" " * 3000
    records = streamed(content, Limits(input=2000), chunk=500)
    assert [r.index for r in records] == [0, 1, 2, None]
    assert records[:3] == whole_read(content)[:3]
    message = records[3].findings[0].message
    assert message.startswith("what follows the interactions of the cassette is larger than 2.0")


@pytest.mark.parametrize(
    ("known", "other"),
    [
        ("code: -1", "code: -2"),
        ("code:  2", "code:  3"),
        ("code: {}", "code: {a: 1}"),
        ("code: []", "code: [1]"),
        ("code: 'a'", "code: 'a' # c"),
        ('code: "a"', 'code: "a\\"b"'),
        ("code: on", "code: 0x1F"),
    ],
)
def test_a_known_shape_vouches_only_for_what_it_fixes(known: str, other: str) -> None:
    template = "- request:\n    method: GET\n  response:\n    status:\n      {0}\n"
    fast.interaction(template.format(known))
    fast.interaction(template.format(known))
    piece = template.format(other).encode()
    try:
        loaded = yaml.load(piece, Loader=cassette._CassetteLoader)
    except yaml.YAMLError:
        assert declines(piece)
        return
    if not declines(piece):
        assert fast.interaction(piece.decode())[0] == loaded[0]


MUTATION_BASE = dump(
    [
        interaction(1, '{"id": "cmp_1", "name": "caf\u00e9 \ucea0\ud398\uc778 it\'s", "n": 1}'),
        interaction(2, b"\x00\x01binary"),
        interaction(3, "x " * 60, headers={"X-Odd": ["a b", "", "null"]}),
    ]
)
MUTATION_PIECES = pieces_of(MUTATION_BASE)


@settings(max_examples=600, deadline=None)
@given(
    which=st.integers(min_value=0, max_value=len(MUTATION_PIECES) - 1),
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1),
            st.sampled_from(
                ["'", '"', "\\", ":", " ", "\n", "#", "-", "{", "&", "*", "!", "|", "x"]
            ),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_pieces_are_declined_or_read_as_pyyaml_reads_them(
    which: int, edits: list[tuple[float, str, bool]]
) -> None:
    text = MUTATION_PIECES[which].decode()
    for where, character, insert in edits:
        at = 2 + int(where * (len(text) - 3))  # keep the "- " and the final newline
        text = text[:at] + character + text[at + (0 if insert else 1) :]
    piece = text.encode()
    try:
        loaded = yaml.load(piece, Loader=cassette._CassetteLoader)
    except (yaml.YAMLError, ValueError, TypeError):
        loaded = None
    if not isinstance(loaded, list) or len(loaded) != 1:
        assert declines(piece), piece
        return
    fast_agrees(piece)


DOCUMENT_EDITS = [b"'", b'"', b"\\", b":", b" ", b"\n", b"#", b"-", b"[", b"&a ", b"*a", b"|"]
DOCUMENT_EDITS += [b"\r", b"\n- ", b"\nversion: 1\n", b"\t", b"\xc2\x85", b"\n\xc2\x85", b"\n'"]


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1),
            st.sampled_from(DOCUMENT_EDITS),
            st.booleans(),
        ),
        min_size=1,
        max_size=3,
    ),
    chunk=st.integers(min_value=1, max_value=300),
)
def test_mutated_documents_stream_as_they_read_whole(
    edits: list[tuple[float, bytes, bool]], chunk: int
) -> None:
    content = MUTATION_BASE
    for where, inserted, insert in edits:
        at = int(where * len(content))
        content = content[:at] + inserted + content[at + (0 if insert else 1) :]
    agree(streamed(content, chunk=chunk), whole_read(content))
