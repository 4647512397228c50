"""Smoke tests of ``benchmarks/bench_cli.py`` (its corpus, not its timings: speed is never asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.bench_cli import write_corpus
from tests.support.validate import invoke, parse_jsonl


def test_the_corpus_is_campaigns_with_one_in_twenty_broken(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    assert write_corpus(path, records=400) == 400
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 400
    assert len({json.loads(line)["id"] for line in lines if "id" in json.loads(line)}) == 400
    records, summary = parse_jsonl(invoke([str(path), "--format", "jsonl"]).stdout)
    assert summary["invalid"] == 20
    assert [r["line"] for r in records if not r["valid"]] == list(range(8, 401, 20))


def test_the_array_corpus_is_one_json_array(tmp_path: Path) -> None:
    path = tmp_path / "corpus.json"
    assert write_corpus(path, size=50_000, array=True) == len(json.loads(path.read_text("utf-8")))
