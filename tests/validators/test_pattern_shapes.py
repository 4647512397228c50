"""Patterns answered by ``str.strip`` give ``re.search``'s verdict, and only known shapes are."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vox_validators._schema import bundle
from vox_validators._tiers.pattern_shapes import match_expression, matcher

SPACES = "[^\\x09-\\x0d\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
PATTERNS = [
    "^[0-9]+(?![\\s\\S])",  # the shapes
    SPACES,
    "^[a-fA-F0-9_-]+(?![\\s\\S])",
    "[^ab]",
    "^[0-9]+$",  # not the shapes: "$" matches before a final newline
    "(?i)^[a-f]+(?![\\s\\S])",  # a flag
    "^[\\d]+(?![\\s\\S])",  # a category: Unicode digits
    "[ab]",  # some character inside: not answered by strip
    "^[0-9]*(?![\\s\\S])",  # zero or more
    "[^\\u0000-\\uffff]",  # a class too large to strip with
    "^[0-9]+(?![\\s\\S])x",
]
_texts = st.text(
    alphabet=st.one_of(
        st.sampled_from("0123456789abcdefABF_-\n\t \x0b\x1c\x85\xa0\u2000\u3000\ufeff\u0663"),
        st.characters(),
    ),
    max_size=8,
)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(PATTERNS), _texts)
@example(PATTERNS[0], "12\n")
@example(PATTERNS[0], "")
@example(SPACES, "\u3000 \t")
@example("^[0-9]+$", "12\n")
@example("[^\\u0000-\\uffff]", "\U0001f600")
def test_the_verdict_is_re_searchs(pattern: str, value: str) -> None:
    assert matcher(pattern)(value) == (re.search(pattern, value) is not None)


def _source(pattern: str) -> str:
    return match_expression(pattern, "v", lambda constant: "c")


@pytest.mark.parametrize("pattern", PATTERNS[:4])
def test_the_shapes_are_answered_by_strip(pattern: str) -> None:
    assert "strip" in _source(pattern)


@pytest.mark.parametrize("pattern", PATTERNS[4:])
def test_other_patterns_keep_the_regex(pattern: str) -> None:
    assert "strip" not in _source(pattern)


def test_every_pattern_of_the_spec_but_the_uuid_is_a_shape() -> None:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.append(node["pattern"])
            for each in node.values():
                walk(each)
        elif isinstance(node, list):
            for each in node:
                walk(each)

    walk(bundle())
    regexes = {pattern for pattern in found if "strip" not in _source(pattern)}
    assert found
    assert all("{8}" in pattern for pattern in regexes), regexes
