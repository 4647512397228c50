"""Any bytes, under any name, give findings and never an exception (hypothesis)."""

from __future__ import annotations

import gzip
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.paths import REPO_ROOT
from vox_validators.sources import iter_records
from voxkit.engine.local import batches, run_batch
from voxkit.report import Settings

FRAGMENTS = [b"[", b"]", b"{", b"}", b",", b":", b'"', b"\\", b"\n", b"\r\n", b" ", b"\xef\xbb\xbf"]
FRAGMENTS += [
    b'"id"',
    b"1",
    b"1.0",
    b"NaN",
    b"null",
    b"true",
    b"\xff",
    b"\x1f\x8b",
    b"- ",
    b"interactions:",
]
NAMES = ["a.json", "a.jsonl", "a.ndjson", "a.yaml", "a.har", "a.json.gz", "a.txt"]
SETTINGS = Settings(format="jsonl", color=False, strict=True, fail_on="warning")


def _validate_all(name: str, data: bytes) -> int:
    # Read from memory; the name's extension says the format, as a path's would.
    records = iter_records(io.BytesIO(data), name=name)
    return sum(run_batch(batch, SETTINGS, ()).tally.records for batch in batches(records))


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    parts=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=8)), max_size=40),
    compress=st.booleans(),
)
def test_any_input_gives_records_not_exceptions(
    name: str, parts: list[bytes], compress: bool
) -> None:
    data = b"".join(parts)
    if compress:
        data = (
            gzip.compress(data)[: max(len(data) // 2, 10)]
            if len(parts) % 2
            else gzip.compress(data)
        )
    assert _validate_all(name, data) >= 0


def test_every_example_survives_any_truncation() -> None:
    root = REPO_ROOT / "examples"
    for path in sorted(root.rglob("*.*")):
        data = path.read_bytes()
        for cut in range(0, len(data), max(len(data) // 25, 1)):
            assert _validate_all(path.name, data[:cut]) >= 0
