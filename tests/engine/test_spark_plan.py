"""The Spark engine's plan and its shared reads, without Spark: the same records as reading whole.

A gzipped JSON Lines file read in shares (every share decompresses it and reads every n-th chunk
of whole lines) must give exactly the records :func:`iter_records` gives for the whole file,
line numbers, reader findings and all, whatever goes wrong in it. Chunks are made tiny here so
that every way a chunk can begin and end is met.
"""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path
from typing import Any

import pytest

from vox_validators.sources import InputFile, Limits, iter_records
from voxkit.engine import local
from voxkit.engine import spark as engine
from voxkit.engine.local import Batch, Span

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VALID = (EXAMPLES / "valid" / "campaigns-every-status.jsonl").read_bytes().splitlines()
BROKEN = (EXAMPLES / "invalid" / "campaigns-broken.jsonl").read_bytes().splitlines()
CHUNK = 200  # bytes of a shared read's chunk, decompressed


def lines_of(*parts: bytes) -> bytes:
    return b"\n".join(parts)


MIXED = lines_of(*VALID, b"", b"   ", *BROKEN, b"\r", *VALID, b"\t") + b"\n"
CASES: dict[str, bytes] = {
    "mixed": MIXED * 4,
    "bom at the start, no final newline": b"\xef\xbb\xbf" + MIXED + VALID[0],
    # A line beginning with a BOM or the gzip magic: no chunk may start there (read alone, it
    # would lose the BOM or be gunzipped).
    "bom and gzip magic mid-file": lines_of(*VALID, b"\xef\xbb\xbf" + VALID[1], b"\x1f\x8b\x08x")
    * 6,
    "starts with the gzip magic": b"\x1f\x8b" + MIXED,
    "crlf": MIXED.replace(b"\n", b"\r\n") * 3,
    "a line over the record limit": lines_of(*VALID, b'"' + b"x" * 900 + b'"', *VALID) + b"\n",
    "a line over the limit and a chunk": lines_of(*VALID, b"[" + b"1," * 4000 + b"1]", *VALID),
    "blank": b"\n \n\t\n" * 50,
    "empty": b"",
}
LIMITS = Limits(record=1000)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def archives() -> dict[str, bytes]:
    made = {name: gzipped(data) for name, data in CASES.items()}
    whole = gzipped(MIXED * 800)  # decompressed, more than one read of the readers
    made["truncated"] = whole[: len(whole) * 2 // 3]
    corrupt = bytearray(whole)
    corrupt[len(corrupt) // 2 : len(corrupt) // 2 + 8] = b"\x00" * 8
    made["corrupt in the middle"] = bytes(corrupt)
    made["two gzip members"] = gzipped(MIXED) + gzipped(MIXED[::-1].strip() + b"\n")
    made["not gzip at all"] = MIXED
    return made


def reading(schema: str = "Campaign") -> Any:
    return engine._Reading(None, schema, LIMITS, frozenset(), CHUNK)


def work_of(piece: Any) -> Any:
    """The span or batch a piece holds, pickled."""
    assert piece[3] is not None
    return pickle.loads(piece[3])


def as_read(records: Any, shift: int = 0) -> list[tuple[Any, ...]]:
    return [
        (
            None if record.line is None else record.line + shift,
            record.index,
            record.data,
            record.schema,
            record.findings,
        )
        for record in records
    ]


#: The shares' decoders: the readers' own (zlib), and ISA-L, which holds back what it decodes.
DECODERS = {
    "zlib": lambda: engine._Decoder(engine._gunzipped, (), 0),
    "isal": engine._share_decoder,
}


@pytest.fixture(params=sorted(DECODERS))
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    chosen = DECODERS[request.param]()
    monkeypatch.setattr(engine, "_share_decoder", lambda: chosen)
    return str(request.param)


def test_isal_is_the_decoder_of_shares_where_installed() -> None:
    pytest.importorskip("isal")
    assert engine._share_decoder().holdback == engine._ISAL_HOLDBACK


def test_isal_shares_hold_back_what_the_readers_lose_on_a_corrupt_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the holdback: ISA-L, failing later than zlib, decodes lines the readers never see."""
    pytest.importorskip("isal")
    path = tmp_path / "archive.jsonl.gz"
    path.write_bytes(archives()["corrupt in the middle"])
    whole = as_read(iter_records(str(path), name=path.name, limits=LIMITS))
    unheld = engine._share_decoder()._replace(holdback=0)
    monkeypatch.setattr(engine, "_share_decoder", lambda: unheld)
    assert len(read_in_shares(path, 2)[0]) > len(whole)


def read_in_shares(path: Path, parts: int) -> tuple[list[tuple[Any, ...]], list[int]]:
    """What the shares read, in their order, and how many chunk runs each share read itself."""
    runs = []
    per_share = []
    for part in range(parts):
        mine = list(engine._shared_runs(str(path), path.name, reading(), part, parts))
        per_share.append(len(mine))
        runs += mine
    ranks = [rank for rank, _, _ in runs]
    assert len(set(ranks)) == len(ranks), "two shares read the same chunk"
    runs.sort(key=lambda run: run[0])
    return [item for _, records, shift in runs for item in as_read(records, shift)], per_share


@pytest.mark.parametrize("case", sorted(archives()))
@pytest.mark.parametrize("parts", [1, 2, 3])
def test_shares_read_what_reading_whole_reads(
    tmp_path: Path, case: str, parts: int, decoder: str
) -> None:
    path = tmp_path / "archive.jsonl.gz"
    path.write_bytes(archives()[case])
    whole = as_read(iter_records(str(path), name=path.name, limits=LIMITS))
    shared, per_share = read_in_shares(path, parts)
    assert shared == whole
    if case in {"mixed", "truncated", "corrupt in the middle"}:  # read chunk by chunk, by all
        assert len(whole) > 40
        assert all(count >= 2 for count in per_share)


def test_a_chunk_is_whole_lines_and_never_begins_with_a_bom_or_the_gzip_magic(
    tmp_path: Path,
) -> None:
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(archives()["bom and gzip magic mid-file"])
    with gzip.open(path, "rb") as stream:
        chunks = list(engine._line_chunks(stream, CHUNK, LIMITS.record))
    assert len(chunks) > 5
    assert b"".join(chunks) == CASES["bom and gzip magic mid-file"]
    for chunk in chunks[:-1]:
        assert chunk.endswith(b"\n")
    for chunk in chunks[1:]:
        assert not chunk.startswith((b"\xef\xbb\xbf", b"\x1f\x8b"))


def test_the_plan_cuts_plain_json_lines_into_spans_and_shares_a_large_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_SHARED_MIN_BYTES", 1)
    monkeypatch.setattr(local, "BATCH_RECORDS", 5)
    plain = tmp_path / "plain.jsonl"
    plain.write_bytes(MIXED * 30)  # spans are cut at the end of a 64 KiB read
    archive = tmp_path / "archive.jsonl.gz"
    archive.write_bytes(gzipped(MIXED))
    har = tmp_path / "session.har"
    har.write_bytes(b'{"log": {"entries": []}}')
    inputs = [
        InputFile(path.name, str(path), path.stat().st_size) for path in (plain, archive, har)
    ]

    pieces = engine._plan(inputs, reading(), lambda: b"", cores=2)
    works = [work_of(piece) for piece in pieces if piece[0] == 0]
    assert len(works) > 3
    assert all(isinstance(work, Span) and work.handle == str(plain.resolve()) for work in works)
    shares = [piece for piece in pieces if piece[0] == 1]
    assert [(piece[6], piece[7]) for piece in shares] == [(0, 2), (1, 2)]
    assert [piece[4] for piece in pieces if piece[0] == 2] == [str(har.resolve())]
    # One core: the archive is read whole by one task.
    alone = engine._plan(inputs[1:2], reading(), lambda: b"", cores=1)
    assert [(piece[6], piece[7]) for piece in alone] == [(0, 1)]
    # Standard input is read here, into batches.
    stdin = engine._plan([InputFile("<stdin>", None, None)], reading(), lambda: MIXED, cores=2)
    assert all(isinstance(work_of(piece), Batch) for piece in stdin)
    assert sum(len(work_of(piece).records) for piece in stdin) == len(
        as_read(iter_records(MIXED, format="jsonl"))
    )


def test_balanced_groups_spread_the_heaviest_pieces() -> None:
    pieces = [engine._Piece(0, "a", 0, None, "p", None, part, 2, 1000) for part in range(2)]
    pieces += [engine._Piece(1, "b", sub, b"", None, None, 0, 1, 10) for sub in range(20)]
    groups = engine._balanced(pieces, 4)
    assert len(groups) == 4
    heavy = [sum(1 for piece in group if piece[-1] == 1000) for group in groups]
    assert sorted(heavy) == [0, 0, 1, 1]
    assert sorted(piece for group in groups for piece in group) == sorted(pieces)
