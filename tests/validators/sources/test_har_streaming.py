"""HAR files are streamed (``vox_validators.sources._har``): the same records as a whole-file
``json.loads`` gave, in flat memory, with per-entry limits and findings for malformed files."""

from __future__ import annotations

import base64
import gzip
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any, BinaryIO
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.streams import pipe
from tests.support.validate import FIXTURES, campaign
from vox_validators.sources import Limits, Record, iter_records
from vox_validators.sources import _har as har
from vox_validators.sources._chunks import ReadError
from vox_validators.sources._record import failed
from vox_validators.sources._secrets import har_secrets
from vox_validators.sources._traffic import with_secrets

MiB = 1024 * 1024
SOURCE = "s.har"
GET = "https://client-api.tryvox.co/v3/campaigns/cmp_01JD3W6Q8N4K2M7R5T9V0X0003"
KEY = "vox_live_" + "a1" * 16


def _chunked(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def streamed(
    data: bytes | Iterator[bytes], limits: Limits | None = None, chunk: int = MiB
) -> list[Record]:
    """The records of the HAR file ``data`` (or its chunks), streamed ``chunk`` bytes at a time."""
    chunks = _chunked(data, chunk) if isinstance(data, bytes) else data
    records = har.har_records(SOURCE, chunks, limits or Limits(), None)
    return list(records)


def reference(data: bytes, limits: Limits | None = None) -> list[Record]:
    """The records the whole-file reader made: ``json.loads`` of the file, then each entry."""
    limits = limits or Limits()
    records = []
    for index, entry in enumerate(json.loads(data)["log"]["entries"]):
        try:
            record = har._har_record(SOURCE, entry, index, limits, None)
        except Exception as error:
            record = failed(SOURCE, f"entry could not be read: {error!r}", index=index)
        if isinstance(entry, dict):
            record = with_secrets(record, har_secrets, entry, record.data, limits)
        records.append(record)
    return records


def entry(body: str | None = None, **response: Any) -> dict[str, Any]:
    content: dict[str, Any] = {"size": 0} if body is None else {"text": body}
    return {
        "request": {"method": "GET", "url": GET, "headers": []},
        "response": {"status": 200, "headers": [], "content": content, **response},
    }


def document(entries: list[Any], **log: Any) -> bytes:
    return json.dumps({"log": {"version": "1.2", **log, "entries": entries}}).encode()


def good() -> str:
    return json.dumps(campaign("ongoing"))


def rules(records: list[Record]) -> list[list[str]]:
    return [[finding.rule for finding in record.findings] for record in records]


def messages(records: list[Record]) -> list[str]:
    return [finding.message for record in records for finding in record.findings]


# --------------------------------------------------------------------------- the same records

_BODIES = st.sampled_from(
    [
        good(),
        json.dumps({**campaign("ongoing"), "status": "x"}),
        json.dumps({"error": {"code": "not_found", "message": "no"}}),
        "{broken",
        "",
        "\ud800 lone surrogate",
        '캠페인 \u2028 \\ " \n\t',
        f'{{"token": "{KEY}"}}',
    ]
)
_STATUSES = st.sampled_from([200, 201, 404, 422, 503, 0, 10**30, 200.0, "200", None])
_URLS = st.sampled_from(
    [
        GET,
        GET + "?api_key=" + KEY,
        "https://user:pass@client-api.tryvox.co/v3/campaigns",
        "https://client-api.tryvox.co/v2/campaigns",
        "not a url",
    ]
)
_HEADERS = st.lists(
    st.sampled_from(
        [
            {"name": "Content-Type", "value": "application/json"},
            {"name": "Authorization", "value": f"Bearer {KEY}"},
            {"name": "Content-Encoding", "value": "gzip"},
            {"name": "X-Api-Key", "value": "<REDACTED>"},
            {"name": "cookie", "value": "session=abc"},
        ]
    ),
    max_size=3,
)
# Values json.loads reads and msgspec refuses (NaN, 1e400 as inf), or reads otherwise.
_ODD_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
)


@st.composite
def _entries(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 9)) == 0:  # not an entry at all
        return draw(st.sampled_from([None, 5, "x", [], {}, {"request": {}, "response": []}]))
    body = draw(_BODIES)
    content: dict[str, Any]
    shape = draw(st.integers(0, 4))
    if shape == 0:
        content = {"text": body}
    elif shape == 1:
        encoded = body.encode("utf-8", "surrogatepass")
        content = {"text": base64.b64encode(encoded).decode(), "encoding": "base64"}
    elif shape == 2:
        packed = gzip.compress(body.encode("utf-8", "surrogatepass"))
        content = {"text": base64.b64encode(packed).decode(), "encoding": "base64"}
    elif shape == 3:
        content = {"size": 1, "_file": "body.json"}
    else:
        content = {"size": 0, "mimeType": "application/json"}
    return {
        "startedDateTime": "2025-11-28T03:20:00.000Z",
        "time": draw(_ODD_NUMBERS),
        "request": {
            "method": draw(st.sampled_from(["GET", "PATCH", "POST", "get", "DELETE"])),
            "url": draw(_URLS),
            "headers": draw(_HEADERS),
            "cookies": draw(st.sampled_from([[], [{"name": "sid", "value": "s3cr3t-value"}]])),
        },
        "response": {
            "status": draw(_STATUSES),
            "headers": draw(_HEADERS),
            "content": content,
            draw(st.sampled_from(["redirectURL", "x"])): draw(st.sampled_from(["", GET])),
        },
    }


@st.composite
def har_files(draw: st.DrawFn) -> bytes:
    """A HAR file as tools write it: any layout, other keys anywhere, escapes, odd values."""
    entries = draw(st.lists(_entries(), max_size=12))
    log_before = draw(
        st.dictionaries(st.sampled_from(["version", "creator", "pages"]), _ODD_NUMBERS)
    )
    log_after = draw(st.dictionaries(st.sampled_from(["comment", "_x"]), st.text(max_size=5)))
    top = draw(st.dictionaries(st.sampled_from(["a", "_z"]), st.lists(st.integers(), max_size=3)))
    entries_first = draw(st.booleans())
    log = {**log_before, "entries": entries, **log_after}
    whole = {**top, "log": log} if not entries_first else {"log": log, **top}
    indent = draw(st.sampled_from([None, 1, 2, "\t"]))
    separators = draw(st.sampled_from([None, (",", ":"), (" ,\n", " :\r\n ")]))
    ensure_ascii = draw(st.booleans())
    text = json.dumps(whole, indent=indent, separators=separators, ensure_ascii=ensure_ascii)
    if draw(st.booleans()):  # keys written with escapes mean the same keys
        text = text.replace('"entries"', '"entr\\u0069es"', 1).replace('"log"', '"\\u006cog"', 1)
    text = draw(st.sampled_from(["", " \n\t"])) + text + draw(st.sampled_from(["", "\r\n  "]))
    return text.encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=har_files(),
    chunk=st.sampled_from([1, 2, 5, 64, 4096, MiB]),
    bulk=st.sampled_from([16 * 1024, 48, 1]),
    window=st.sampled_from([16 * 1024, 8]),
)
def test_streamed_records_are_those_of_json_loads(
    data: bytes, chunk: int, bulk: int, window: int
) -> None:
    # A small bulk threshold and window make the C cut try (and miss) at every place.
    with (
        mock.patch.object(har, "_BULK_BYTES", bulk),
        mock.patch.object(har, "_CUT_WINDOW", window),
    ):
        assert streamed(data, chunk=chunk) == reference(data)


def test_the_fixture_and_many_entries_cut_in_bulk_are_read_as_before() -> None:
    fixture = (FIXTURES / "session.har").read_bytes()
    assert streamed(fixture, chunk=3) == streamed(fixture) == reference(fixture)
    entries = [entry(good()), entry(json.dumps({**campaign(), "status": "x"})), entry()] * 400
    for indent in (None, 2):
        data = json.dumps({"log": {"entries": entries}}, indent=indent).encode()
        cuts: list[int] = []
        with mock.patch.object(har._HarReader, "_bulk", _counting(cuts)):
            assert streamed(data, chunk=64 * 1024) == reference(data)
        assert sum(cuts) > len(entries) // 2  # most entries were cut in C


def _counting(cuts: list[int]) -> Any:
    """The bulk cut, counting the entries it cuts into ``cuts``."""
    original = har._HarReader._bulk

    def counting(reader: har._HarReader) -> Any:
        cut = original(reader)
        cuts.append(0 if cut is None else len(cut[0]))
        return cut

    return counting


def test_what_json_loads_reads_and_msgspec_does_not_is_read_as_json_loads_reads_it() -> None:
    request = '{"request": {"method": "GET", "url": "' + GET + '", "headers": []}, '
    text = (
        '{"log": {"entries": ['
        # Duplicate keys (the last wins), NaN, 1e400, an escaped lone surrogate.
        + request
        + '"response": {"status": 404, "status": 200, "headers": [], "x": NaN, "y": 1e400, '
        '"content": {"text": "{\\"a\\": \\"\\ud800\\"}"}}}, '
        # A status of 31 digits, an int as json.loads reads it (orjson makes it a float).
        + request
        + '"response": {"status": 2'
        + "0" * 30
        + ', "content": {"text": "{}"}}}, '
        # A lone surrogate written in UTF-8, which json.loads reads from bytes.
        + request
        + '"response": {"status": 200, "content": {"text": "SURROGATE"}}}]}}'
    )
    data = text.encode().replace(b"SURROGATE", b"\xed\xa0\x80")
    records = streamed(data, chunk=7)
    assert records == reference(data)
    assert records[0].data == b'{"a": "\xed\xa0\x80"}'  # the surrogate, kept
    assert (records[1].schema, records[1].findings) == ("ErrorEnvelope", ())  # not "lacks"
    assert records[2].data == b"\xed\xa0\x80"


def test_keys_in_any_order_and_any_encoding_as_json_loads_reads_them() -> None:
    entries = [entry(good()), entry()]
    layouts = [
        {"x": {"log": 1}, "log": {"pages": [{"id": "p"}], "entries": entries, "creator": {}}},
        {"log": {"entries": entries, "version": "1.2"}, "comment": "after"},
    ]
    for layout in layouts:
        data = json.dumps(layout).encode()
        assert streamed(data, chunk=5) == reference(data)
    # json.loads keeps the last of two keys: an 'entries' that is not a list, then one that is.
    twice = b'{"log": {"entries": null, "entries": %s}}' % json.dumps(entries).encode()
    assert streamed(twice) == reference(twice)
    plain = document(entries)
    for encoding in ("utf-16", "utf-16-le", "utf-32-be"):
        assert streamed(plain.decode().encode(encoding), chunk=3) == reference(plain)
    bom = b"\xef\xbb\xbf" + plain  # a second BOM (iter_records drops the first)
    assert streamed(bom) == reference(plain)


def test_iter_records_reads_har_files_from_bytes_pipes_and_gzip() -> None:
    data = document([entry(good()), entry("{}", status=404), entry()])
    expected = [(r.index, r.data, r.findings) for r in reference(data)]
    sources: list[bytes | BinaryIO] = [data, gzip.compress(data)]
    sources += [pipe(data), pipe(gzip.compress(data))]
    for source in sources:
        found = list(iter_records(source, format="har"))
        assert [(r.index, r.data, r.findings) for r in found] == expected


# --------------------------------------------------------------------------- flat memory


def _big_har(entries: int, body_bytes: int) -> Iterator[bytes]:
    """The chunks of a HAR file of ``entries`` entries (a multiple of 160), about 1 MiB each: the
    same few chunks again and again, made before the first is read (so not measured)."""
    body = json.dumps({**campaign("ongoing"), "notes": "n" * body_bytes})
    block = b",\n".join([json.dumps(entry(body)).encode()] * 160)
    parts = [
        b'{"log": {"version": "1.2", "creator": {"name": "t"}, "entries": [\n' + block,
        b",\n" + block,
        b'\n], "pages": []}}\n',
    ]

    def chunks() -> Iterator[bytes]:
        yield parts[0]
        for _ in range(entries // 160 - 1):
            yield parts[1]
        yield parts[2]

    return chunks()


def test_memory_stays_flat_whatever_the_size_of_the_file() -> None:
    entries, body_bytes = 3200, 6000
    assert sum(len(chunk) for chunk in _big_har(entries, body_bytes)) > 20 * MiB
    chunks = _big_har(entries, body_bytes)
    tracemalloc.start()
    try:
        count = 0
        for record in har.har_records(SOURCE, chunks, Limits(), None):
            assert record.findings == ()
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == entries
    # The whole file is 20 MiB (read whole, it took more than twice that); the reader holds a
    # read chunk and the entries of one cut.
    assert peak < 6 * MiB, f"{peak / MiB:.1f} MiB"


# --------------------------------------------------------------------------- limits per entry


def test_the_input_limit_is_on_one_entry_and_an_entry_over_it_is_one_limit_record() -> None:
    big = entry(json.dumps({**campaign("ongoing"), "notes": "x" * 6000}))
    data = document([entry(good()), big, entry(good())]) + b" " * (2 * MiB)
    limits = Limits(input=4000)
    for chunk in (MiB, 1000, 7):
        records = streamed(data, limits, chunk=chunk)
        assert rules(records) == [[], ["limit"], []]
        assert [r.index for r in records] == [0, 1, 2]
        assert records[1].findings[0].message == (
            "the HAR entry is larger than 3.9 KiB, the input limit; not read "
            "(raise it with --max-input-size or Limits(input=...))"
        )
    # Whitespace, and the rest of the file, count for nothing: the entries are within the limit.
    small = document([entry(good())] * 3) + b" " * (2 * MiB)
    assert rules(streamed(small, Limits(input=4000))) == [[], [], []]
    # Another value of the file over the limit is one limit record too; the entries are read.
    pages = json.dumps({"log": {"pages": ["p" * 5000], "entries": [entry(good())]}}).encode()
    assert rules(streamed(pages, limits)) == [["limit"], []]
    assert (
        "the value of 'pages' in 'log' is larger than 3.9 KiB"
        in messages(streamed(pages, limits))[0]
    )
    # A key too long to hold ends the reading (what it is the key of is not known).
    for chunk in (MiB, 1000):
        long_key = streamed(b'{"' + b"k" * 5000 + b'": 1, "log": {"entries": []}}', limits, chunk)
        assert rules(long_key) == [["limit"]]
        assert messages(long_key)[0].startswith("a key of the HAR file is larger than 3.9 KiB")


def test_the_nodes_limit_is_on_one_entry() -> None:
    billion = {**entry(good()), "_values": [0] * 200_000}  # a small entry of many values
    data = document([entry(good()), billion, entry(good())])
    records = streamed(data, Limits(nodes=100_000))
    assert rules(records) == [[], ["limit"], []]
    assert (
        records[1]
        .findings[0]
        .message.startswith("the HAR entry has more than 100,000 values, the nodes limit; not read")
    )
    assert rules(streamed(data)) == [[], [], []]  # the default limit lets it through


def test_a_huge_entry_is_skipped_in_bounded_memory() -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"log": {"entries": [' + json.dumps(entry(good())).encode()
        yield b', {"request": {"url": "x", "method": "GET"}, "response": {"content": {"text": "'
        for _ in range(32):  # a 32 MiB string, in 1 MiB chunks
            yield b"y" * MiB
        yield b'"}, "status": 200}}, ' + json.dumps(entry(good())).encode() + b"]}}"

    tracemalloc.start()
    try:
        records = list(har.har_records(SOURCE, chunks(), Limits(input=MiB), None))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rules(records) == [[], ["limit"], []]
    assert peak < 8 * MiB, f"{peak / MiB:.1f} MiB"


# --------------------------------------------------------------------------- malformed files

ONE = json.dumps(entry(good()))
OPEN = '{"log": {"entries": ['


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", [(None, "not a readable HAR file: it is empty (no JSON value)")]),
        (
            "{not json",
            [
                (
                    None,
                    "not a readable HAR file: Expecting property name enclosed in "
                    "double quotes at byte 1",
                )
            ],
        ),
        (
            "[1, 2",
            [
                (
                    None,
                    "not a readable HAR file: the top-level value is not valid JSON: "
                    "Expecting ',' delimiter at byte 5",
                )
            ],
        ),
        ("[1, 2]", [(None, har.NOT_A_HAR_FILE)]),
        ('{"x": 1}', [(None, har.NOT_A_HAR_FILE)]),
        ('{"log": [1]}', [(None, har.NOT_A_HAR_FILE)]),
        ('{"log": {"entries": {}}}', [(None, har.NOT_A_HAR_FILE)]),
        ('{"log" {}}', [(None, "not a readable HAR file: Expecting ':' delimiter at byte 7")]),
        (
            '{"log": {} "x": 1}',
            [(None, "not a readable HAR file: Expecting ',' delimiter at byte 11")],
        ),
        (
            '{"lo\x01g": 1}',
            [
                (
                    None,
                    "not a readable HAR file: a key is not valid JSON: Invalid "
                    "control character at byte 4",
                )
            ],
        ),
        (
            '{"log": {"creator": {"a": tru}, "entries": [' + ONE + "]}}",
            [
                (
                    None,
                    "not a readable HAR file: the value of 'creator' in 'log' is not valid "
                    "JSON: Expecting value at byte 26",
                ),
                (0, None),  # a malformed value is cut out, and reading goes on
            ],
        ),
        (
            OPEN + ONE + "]}} xyz",
            [(0, None), (None, f"not a readable HAR file: Extra data at byte {len(ONE) + 25}")],
        ),
        (
            OPEN + ONE + '], "entries": [' + ONE + "]}}",
            [
                (0, None),
                (
                    None,
                    f"the HAR file has a second 'log.entries' (at byte "
                    f"{len(ONE) + 35}), which is not read: a HAR file has one, and "
                    "the first is read",
                ),
            ],
        ),
        (
            OPEN + ONE + ']}, "log": {}}',
            [
                (0, None),
                (
                    None,
                    f"the HAR file has a second 'log' (at byte {len(ONE) + 32}), "
                    "which is not read: a HAR file has one, and the first is read",
                ),
            ],
        ),
        (
            OPEN + ONE + ', {"a" 1}, ' + ONE + "]}}",
            [
                (0, None),
                (1, f"entry is not valid JSON: Expecting ':' delimiter at byte {len(ONE) + 28}"),
                (2, None),
            ],
        ),
        (
            OPEN + ONE + ", " + "[" * 100_000 + "]" * 100_000 + "]}}",
            [(0, None), (1, "entry is not valid JSON: it is nested too deeply to be read")],
        ),
        (
            OPEN + ONE + ",]}}",
            [(0, None), (1, f"entry is not valid JSON: Expecting value at byte {len(ONE) + 22}")],
        ),
        (
            OPEN + ONE + ", " + ONE[:40],
            [
                (0, None),
                (
                    1,
                    f"the HAR file ends inside this entry (is it truncated?): the entry "
                    f"starts at byte {len(ONE) + 23}, the file ends at byte "
                    f"{len(ONE) + 63}",
                ),
            ],
        ),
        (
            OPEN + ONE + ", ",
            [
                (0, None),
                (
                    None,
                    "not a readable HAR file: the file ends early (is it truncated?) "
                    f"at byte {len(ONE) + 23}, inside 'log.entries' after 1 entries",
                ),
            ],
        ),
        (
            OPEN + ONE + "]",
            [
                (0, None),
                (
                    None,
                    "not a readable HAR file: the file ends early (is it truncated?) "
                    f"at byte {len(ONE) + 22}",
                ),
            ],
        ),
    ],
)
def test_a_malformed_file_keeps_the_records_before_the_fault_and_says_where_it_is(
    content: str, expected: list[tuple[int | None, str | None]]
) -> None:
    data = content.encode("utf-8", "surrogateescape")
    for chunk in (MiB, 3):
        records = streamed(data, chunk=chunk)
        assert [(r.index, r.findings[0].message if r.findings else None) for r in records] == (
            expected
        )
        assert all(r.findings[0].rule == "parse" for r in records if r.findings)


def test_an_entry_that_is_not_utf_8_is_a_finding_on_that_entry() -> None:
    data = document([entry(good()), entry(good())]).replace(b"cmp_01", b"cmp_\xff", 1)
    records = streamed(data)
    assert rules(records) == [["parse"], []]
    assert (
        records[0]
        .findings[0]
        .message.startswith("entry is not valid JSON: not UTF-8 (invalid start byte) at byte ")
    )


def test_any_truncation_keeps_the_entries_before_it() -> None:
    data = (FIXTURES / "session.har").read_bytes()
    whole = reference(data)
    end = len(data.rstrip())
    for cut in range(0, len(data), 7):
        records = streamed(data[:cut], chunk=64)
        if cut >= end:
            assert records == whole
            continue
        *before, last = records
        assert before == whole[: len(before)], cut
        assert [f.rule for f in last.findings] == ["parse"], cut
        assert last.data is None


def test_a_read_error_part_way_keeps_the_entries_before_it() -> None:
    data = document([entry(good())] * 3)

    def breaking() -> Iterator[bytes]:
        yield data[: len(data) // 2]
        raise ReadError("truncated gzip stream (Compressed file ended)")

    records = streamed(breaking())
    assert records[:-1] == reference(data)[: len(records) - 1]
    assert records[-1].findings[0].message == (
        "input ends early: truncated gzip stream (Compressed file ended)"
    )
    assert records[-1].index == len(records) - 1  # the entry it broke in


@settings(max_examples=200, deadline=None)
@given(
    data=har_files(),
    cut=st.integers(min_value=0),
    noise=st.binary(max_size=6),
    chunk=st.sampled_from([1, 3, 64, MiB]),
)
def test_any_damage_gives_findings_not_exceptions(
    data: bytes, cut: int, noise: bytes, chunk: int
) -> None:
    cut %= len(data) + 1
    damaged = data[:cut] + noise + data[cut + len(noise) :]
    for record in streamed(damaged, chunk=chunk):
        assert isinstance(record, Record)
        assert all(
            finding.rule in ("parse", "limit", "undocumented", "not-captured", "secret")
            for finding in record.findings
        )


def test_the_secrets_of_every_entry_are_found_as_before() -> None:
    headers = [{"name": "Authorization", "value": f"Bearer {KEY}"}]
    leaky = entry(good())
    leaky["request"]["headers"] = headers
    data = document([leaky, entry(), leaky])
    records = streamed(data, chunk=11)
    assert records == reference(data)
    assert rules(records) == [["secret"], ["not-captured"], ["secret"]]
