"""The bulk cut of a JSON array (in C) gives the records the Python scanner alone gives.

Whatever the layout, chunk size, record limit, or malformed element: the same data, lines,
indexes and findings, in the same order.
"""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vox_validators.sources._chunks
import vox_validators.sources._json_array
from vox_validators.sources import Limits, Record, iter_records

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.sampled_from(list('ab,]}[{"\\\n é😀')), max_size=6),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(alphabet="ab,]}", max_size=3), inner, max_size=4),
    ),
    max_leaves=12,
)
# Broken elements, as the Python scanner cuts them: each is reported on its own.
_BROKEN = [b"", b"NaN", b'{"a": 1,}', b'{"a" 1}', b"[1 2]", b'"\t"', b'{"a": tru}', b"01"]
_GAPS = [b",", b", ", b",\n  ", b"\n,\n", b" , ", b",\r\n\t"]


def _records(data: bytes, limits: Limits) -> list[tuple[object, ...]]:
    return [_fields(record) for record in iter_records(io.BytesIO(data), limits=limits)]


def _fields(record: Record) -> tuple[object, ...]:
    return (record.line, record.index, record.data, record.schema, record.findings)


def _both(monkeypatch: pytest.MonkeyPatch, data: bytes, chunk: int, limits: Limits) -> None:
    monkeypatch.setattr(vox_validators.sources._chunks, "READ_CHUNK_BYTES", chunk)
    monkeypatch.setattr(vox_validators.sources._json_array, "_BULK_BYTES", 1)
    bulk = _records(data, limits)
    monkeypatch.setattr(vox_validators.sources._json_array, "_BULK_BYTES", 1 << 62)
    assert bulk == _records(data, limits)


@settings(max_examples=300, deadline=None)
@given(
    elements=st.lists(
        st.one_of(
            _VALUES.map(lambda v: json.dumps(v, indent=None).encode()),
            _VALUES.map(lambda v: json.dumps(v, indent=2).encode()),
            st.sampled_from(_BROKEN),
        ),
        max_size=30,
    ),
    gaps=st.lists(st.sampled_from(_GAPS), min_size=30, max_size=30),
    ending=st.sampled_from([b"]", b"\n]\n", b",]", b"", b'] "after"', b'{"open": ']),
    chunk=st.sampled_from([7, 64, 300, 4096]),
    record=st.sampled_from([20, 1 << 20]),
)
def test_the_bulk_cut_gives_the_scanners_records(
    elements: list[bytes],
    gaps: list[bytes],
    ending: bytes,
    chunk: int,
    record: int,
) -> None:
    body = b"".join(element + gap for element, gap in zip(elements, gaps, strict=False))
    if elements:
        body = body[: len(body) - len(gaps[len(elements) - 1])]
    data = b"\n [" + body + ending
    with pytest.MonkeyPatch.context() as patch:
        _both(patch, data, chunk, Limits(record=record))


def test_a_large_array_is_cut_in_bulk_with_every_line(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = [
        {"id": str(n), "nested": [{"a": n}, {"b": [n, {"c": "},{"}]}]} for n in range(3000)
    ]
    for indent in (None, 2):
        data = json.dumps(documents, indent=indent).encode()
        with monkeypatch.context() as patch:
            _both(patch, data, 64 * 1024, Limits())
        records = list(iter_records(data))
        assert [json.loads(r.data or b"") for r in records] == documents
        if indent:
            lines = [n for n, text in enumerate(data.split(b"\n"), 1) if text == b"  {"]
            assert [r.line for r in records] == lines
