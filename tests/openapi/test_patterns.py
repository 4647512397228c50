"""Every ``pattern`` of the spec means the same in ECMA-262 and in Python's ``re``.

JSON Schema prescribes ECMA-262 regular expressions; jsonschema (and so ``vox_validators``) runs
them with Python's ``re``. The two differ where a pattern leans on ``\\s``, ``\\d`` or ``$``, so
the spec spells its patterns out, and this test holds it to that: each pattern is run in Node
(with and without the ``u`` flag, one subprocess for everything) and in Python on every code
point 0..0x10FFFF (lone surrogates included, as the single UTF-16 code units they are) and on
strings at the patterns' edges, and the answers must be the same.

For the name's pattern, one character class searched anywhere, agreement on every single code
point is agreement on every string: the search matches when some character is in the class,
and an astral character is one code point (Python, ``u``) or two surrogate code units (without
``u``), which the class holds alike.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from generator._build import json_schema_bundle

# The code points each engine's \s takes, as found below; they differ in these only.
PYTHON_ONLY_WHITESPACE = {0x1C, 0x1D, 0x1E, 0x1F, 0x85}
ECMA_ONLY_WHITESPACE = {0xFEFF}

_NODE = r"""
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {sweep: {}, strings: {}};
for (const pattern of input.patterns) {
  for (const flags of ['', 'u']) {
    const re = new RegExp(pattern, flags);
    const unmatched = [];
    for (let cp = 0; cp <= 0x10FFFF; cp++) {
      const s = cp >= 0xD800 && cp <= 0xDFFF ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      if (!re.test(s)) unmatched.push(cp);
    }
    out.sweep[pattern + '/' + flags] = unmatched.length > 4096 ? {count: unmatched.length, first: unmatched.slice(0, 4096)} : unmatched;
    out.strings[pattern + '/' + flags] = input.strings.map((s) => re.test(s));
  }
}
process.stdout.write(JSON.stringify(out));
"""

EDGE_STRINGS = [
    "",
    "0",
    "07070001234",
    "07070001234\n",
    "\n07070001234",
    "0707000\n1234",
    "07070001234\r",
    "07070001234\u2028",
    "070-7000-1234",
    "+821012345678",
    "٠١٢٣",
    "０７０",
    "0" * 300,
    "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    "3C90C3CC-0D44-4B50-8888-8DD25736052A",
    "3c90c3cc-0d44-4b50-8888-8dd25736052a\n",
    "3c90c3cc-0d44-4b50-8888-8dd25736052ab",
    "{3c90c3cc-0d44-4b50-8888-8dd25736052a}",
    "3c90c3cc0d444b5088888dd25736052a",
    "٣c90c3cc-0d44-4b50-8888-8dd25736052a",
    " ",
    "  \t\n",
    "\ufeff",
    "\x1c\x1d\x1e\x1f\x85",
    "\u3000\u00a0",
    " a ",
    "\ufeffa",
    "\U0001f600",
    "\ud800",
    "캠페인",
]


def _patterns(value: Any) -> set[str]:
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("pattern"), str):
                found.add(item["pattern"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _node(patterns: list[str], strings: list[str]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("no Node.js: `apt-get install -y nodejs npm` (as .ci/run does)")
    payload = json.dumps({"patterns": patterns, "strings": strings})
    run = subprocess.run(
        [node, "-e", _NODE],
        input=payload.encode("utf-8", "surrogatepass"),
        capture_output=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def _python_unmatched(pattern: str) -> list[int]:
    search = re.compile(pattern).search
    return [cp for cp in range(0x110000) if search(chr(cp)) is None]


@pytest.fixture(scope="module")
def answers(spec_document: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    patterns = sorted(_patterns(json_schema_bundle(spec_document)))
    return patterns, _node([*patterns, r"\S"], EDGE_STRINGS)


def test_the_spec_has_the_patterns_of_its_single_field_facts(
    answers: tuple[list[str], dict[str, Any]],
) -> None:
    patterns, _ = answers
    assert len(patterns) == 3  # the name, the phone numbers, the agent ID
    assert r"\S" not in patterns
    for pattern in patterns:  # nothing whose meaning depends on the engine
        assert not re.search(r"\\[sSdDwWbB]|\$", pattern.replace(r"[\s\S]", "")), pattern


def test_every_pattern_agrees_on_every_code_point(
    answers: tuple[list[str], dict[str, Any]],
) -> None:
    patterns, node = answers
    for pattern in patterns:
        python = _python_unmatched(pattern)
        for flags in ("", "u"):
            ecma = node["sweep"][f"{pattern}/{flags}"]
            if isinstance(ecma, dict):  # too many to list: the counts and the first ones
                assert (ecma["count"], ecma["first"]) == (len(python), python[:4096]), pattern
            else:
                assert ecma == python, (pattern, flags)


def test_every_pattern_agrees_on_the_edge_strings(
    answers: tuple[list[str], dict[str, Any]],
) -> None:
    patterns, node = answers
    for pattern in patterns:
        python = [re.search(pattern, s) is not None for s in EDGE_STRINGS]
        for flags in ("", "u"):
            ecma = node["strings"][f"{pattern}/{flags}"]
            disagree = [s for s, p, e in zip(EDGE_STRINGS, python, ecma, strict=True) if p != e]
            assert disagree == [], (pattern, flags)


def test_the_name_pattern_refuses_exactly_what_either_engine_calls_whitespace(
    spec_document: dict[str, Any], answers: tuple[list[str], dict[str, Any]]
) -> None:
    _, node = answers
    name = json_schema_bundle(spec_document)["$defs"]["CampaignName"]["pattern"]
    refused = set(_python_unmatched(name))
    python_whitespace = set(_python_unmatched(r"\S"))
    ecma_whitespace = set(node["sweep"][r"\S/u"])
    assert set(node["sweep"][r"\S/"]) == ecma_whitespace
    # Why \S would not do: the engines part on these code points.
    assert python_whitespace - ecma_whitespace == PYTHON_ONLY_WHITESPACE
    assert ecma_whitespace - python_whitespace == ECMA_ONLY_WHITESPACE
    assert refused == python_whitespace | ecma_whitespace
    # The spec's description lists the same characters.
    description = spec_document["components"]["schemas"]["CampaignName"]["description"]
    for code_point in (0x1C, 0x85, 0xFEFF, 0x3000):
        assert f"U+{code_point:04X}" in description


def test_digit_strings_and_agent_ids_mean_the_ecma_reading(spec_document: dict[str, Any]) -> None:
    schemas = json_schema_bundle(spec_document)["$defs"]
    number = schemas["Campaign"]["properties"]["from_number"]["pattern"]
    agent_id = schemas["AgentRef"]["properties"]["agent_id"]["pattern"]
    digits = [s for s in EDGE_STRINGS if re.search(number, s)]
    assert digits == ["0", "07070001234", "0" * 300]  # no newline, no other script, no "+"
    ids = [s for s in EDGE_STRINGS if re.search(agent_id, s)]
    assert ids == ["3c90c3cc-0d44-4b50-8888-8dd25736052a", "3C90C3CC-0D44-4B50-8888-8DD25736052A"]
