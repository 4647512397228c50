"""Shared test data: a valid campaign, hypothesis strategies, and the spec's example campaigns."""

from __future__ import annotations

import ast
import copy
import json
import re
from typing import Any

import yaml
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.support.paths import SPEC_PATH
from vox_validators._schema import bundle

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
STATUSES = ["draft", "pending", "ongoing", "paused", "success", "fail", "canceled"]


def valid_campaign(**changes: Any) -> dict[str, Any]:
    """A campaign every rule is quiet about; keyword arguments replace top-level members."""
    record: dict[str, Any] = {
        "id": "cmp_01HZX3Q8K9",
        "name": "Spring promo outreach",
        "status": "ongoing",
        "agent": {"agent_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "agent_version": "current"},
        "from_number": "07070001234",
        "total_calls": 1200,
        "completed_calls": 640,
        "failed_calls": 88,
        "concurrency": 20,
        "active_concurrency": 12,
        "created_at": 1741842354957,
        "presentation_number": "0212345678",
        "scheduled_at": 1741842400000,
        "finished_at": None,
        "paused_at": None,
        "paused_by": None,
        "call_time_window": {
            "windows": [{"start_min": 540, "end_min": 1200, "days": WEEKDAYS[:5]}],
            "timezone": "Asia/Seoul",
            "auto_resume": True,
        },
    }
    record.update(copy.deepcopy(changes))
    return record


def reference_validator(schema: str) -> Draft202012Validator:
    """A fresh reference validator, built independently of vox_validators' caches."""
    return Draft202012Validator({**bundle(), "$ref": f"#/$defs/{schema}"})


def reference_findings(
    data: bytes | str, schema: str = "Campaign"
) -> list[tuple[str, str, str]] | None:
    """(rule, path, message) of every jsonschema error, as documented; None when json.loads fails."""
    try:
        instance = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return reference_object_findings(instance, schema)


def reference_object_findings(
    instance: object, schema: str = "Campaign"
) -> list[tuple[str, str, str]]:
    out = []
    for error in reference_validator(schema).iter_errors(instance):
        path = [str(part) for part in error.absolute_path]
        if error.validator == "required":  # documented decision: point at the missing member
            match = re.fullmatch(r"(.*) is a required property", error.message, re.DOTALL)
            assert match is not None
            path.append(ast.literal_eval(match.group(1)))
        pointer = "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)
        out.append((f"schema/{error.validator}", pointer, error.message))
    return out


# ---- hypothesis strategies -------------------------------------------------------------------

_timestamps = st.one_of(
    st.integers(min_value=1_600_000_000_000, max_value=1_900_000_000_000),
    st.integers(min_value=-(10**12), max_value=10**13),
    st.sampled_from([0, 999_999_999, 10**9, 10**11 - 1, 10**11]),
)
_digits = st.text(alphabet="0123456789", min_size=1, max_size=12)
_numbers = st.one_of(_digits, st.sampled_from(["070-7000-1234", "", "+821012345678", "٠١٢"]))
_windows = st.fixed_dictionaries(
    {
        "start_min": st.integers(min_value=0, max_value=1440),
        "end_min": st.integers(min_value=0, max_value=1440),
        "days": st.lists(st.sampled_from(WEEKDAYS), max_size=8),
    }
)
_window_settings = st.fixed_dictionaries(
    {
        "windows": st.lists(_windows, max_size=3),
        "timezone": st.sampled_from(["Asia/Seoul", "UTC", "Europe/Paris", "Mars/Base", ""]),
        "auto_resume": st.booleans(),
    }
)
_counts = st.integers(min_value=-2, max_value=200)


def _campaign_values() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "id": st.text(max_size=12),
            "name": st.one_of(
                st.text(max_size=20), st.sampled_from(["", "   ", "a" * 255, "b" * 256, "\x1c"])
            ),
            "status": st.sampled_from(STATUSES),
            "agent": st.fixed_dictionaries(
                {
                    "agent_id": st.uuids().map(str),
                    "agent_version": st.sampled_from(["current", "v2", ""]),
                }
            ),
            "from_number": _numbers,
            "total_calls": _counts,
            "completed_calls": _counts,
            "failed_calls": _counts,
            "concurrency": st.integers(min_value=-1, max_value=102),
            "active_concurrency": st.integers(min_value=-1, max_value=102),
            "created_at": _timestamps,
            "presentation_number": st.one_of(st.none(), _numbers),
            "scheduled_at": st.one_of(st.none(), _timestamps),
            "finished_at": st.one_of(st.none(), _timestamps),
            "paused_at": st.one_of(st.none(), _timestamps),
            "paused_by": st.one_of(st.none(), st.sampled_from(["user", "system"])),
            "call_time_window": st.one_of(st.none(), _window_settings),
        }
    )


campaigns = _campaign_values()
"""Campaigns of every documented member, each value just inside or outside the schema's facts
(counts from -1, concurrency -1..102, malformed numbers), business-rule findings or not."""

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([1.0, 0.0, -0.0, 1.5, 1e300, 1440.0, 1441.0, 2.0**64]),
        st.text(max_size=6),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)
"""Any JSON value, with the troublemakers: 1.0, true, integers beyond 64 bits, -0.0."""


@st.composite
def mutated_campaigns(draw: st.DrawFn) -> dict[str, Any]:
    """A campaign with one to three members replaced, deleted or added, at any depth."""
    record = draw(campaigns)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        containers: list[Any] = [record]
        stack: list[Any] = [record]
        while stack:
            item = stack.pop()
            children = item.values() if isinstance(item, dict) else item
            for child in children:
                if isinstance(child, dict | list):
                    containers.append(child)
                    stack.append(child)
        target = draw(st.sampled_from(containers))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if isinstance(target, dict):
            keys = sorted(target)
            if action == "add" or not keys:
                target[draw(st.text(max_size=5))] = draw(json_values)
            elif action == "delete":
                del target[draw(st.sampled_from(keys))]
            else:
                target[draw(st.sampled_from(keys))] = draw(json_values)
        elif target:
            index = draw(st.integers(min_value=0, max_value=len(target) - 1))
            if action == "delete":
                del target[index]
            else:
                target[index] = draw(json_values)
        else:
            target.append(draw(json_values))
    return record


@st.composite
def near_valid_campaigns(draw: st.DrawFn) -> dict[str, Any]:
    """A campaign every rule is quiet about, then perhaps one member moved to the edge of a rule
    or of a schema fact (a count of -1: ``schema/minimum``)."""
    status = draw(st.sampled_from(STATUSES))
    total = draw(st.integers(min_value=0, max_value=1000))
    completed = draw(st.integers(min_value=0, max_value=total))
    failed = total - completed
    if status not in ("success", "fail", "canceled"):
        failed = draw(st.integers(min_value=0, max_value=failed))
    concurrency = draw(st.integers(min_value=1, max_value=100))
    created = draw(st.integers(min_value=10**11, max_value=2 * 10**12))
    paused = status == "paused"
    setting = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "windows": st.lists(
                        st.integers(min_value=0, max_value=1439).flatmap(
                            lambda start: st.fixed_dictionaries(
                                {
                                    "start_min": st.just(start),
                                    "end_min": st.integers(min_value=start + 1, max_value=1440),
                                    "days": st.lists(
                                        st.sampled_from(WEEKDAYS),
                                        min_size=1,
                                        max_size=7,
                                        unique=True,
                                    ),
                                }
                            )
                        ),
                        max_size=3,
                    ),
                    "timezone": st.sampled_from(["Asia/Seoul", "UTC"]),
                    "auto_resume": st.booleans(),
                }
            ),
        )
    )
    record = valid_campaign(
        name=draw(st.text(min_size=1, max_size=255).filter(lambda name: not name.isspace())),
        status=status,
        total_calls=total,
        completed_calls=completed,
        failed_calls=failed,
        concurrency=concurrency,
        active_concurrency=draw(st.integers(min_value=0, max_value=concurrency))
        if status == "ongoing"
        else 0,
        created_at=created,
        scheduled_at=draw(
            st.one_of(st.none(), st.integers(min_value=10**11, max_value=3 * 10**12))
        ),
        finished_at=created + draw(st.integers(min_value=0, max_value=10**9))
        if status in ("success", "fail", "canceled")
        else None,
        paused_at=created + draw(st.integers(min_value=0, max_value=10**9)) if paused else None,
        paused_by=draw(st.sampled_from(["user", "system"] if setting else ["user"]))
        if paused
        else None,
        presentation_number=draw(st.one_of(st.none(), _digits)),
        from_number=draw(_digits),
        call_time_window=setting,
    )
    if draw(st.booleans()):
        edges: dict[str, Any] = {
            "total_calls": [total - 1, total + 1, -1],
            "completed_calls": [-1, completed + 1],
            "failed_calls": [-1, failed + 1],
            "concurrency": [0, 101, max(concurrency - 1, 1)],
            "active_concurrency": [-1, concurrency, concurrency + 1, 1],
            "created_at": [10**9, 10**11 - 1, 10**11, 3 * 10**12],
            "scheduled_at": [10**9, 999_999_999],
            "finished_at": [None, created - 1, created, 10**10],
            "paused_at": [None, created - 1, created, 10**10],
            "paused_by": [None, "user", "system"],
            "call_time_window": [None],
            "name": ["", " ", "a" * 256, "a" * 255],
            "from_number": ["070-1", "", "٠"],
            "presentation_number": [None, "1-2"],
            "status": STATUSES,
            "agent": [
                {"agent_id": "3C90C3CC-0D44-4B50-8888-8DD25736052A", "agent_version": "v2"},
                {"agent_id": "3c90c3cc0d444b5088888dd25736052a", "agent_version": "current"},
                {"agent_id": "{3c90c3cc-0d44-4b50-8888-8dd25736052a}", "agent_version": "v1"},
                {"agent_id": "agent_01", "agent_version": "production"},
            ],
        }
        key = draw(st.sampled_from(sorted(edges)))
        record[key] = draw(st.sampled_from(edges[key]))
    return record


# ---- bodies on the line between the validator and the strict client's model ----------------

INTEGER_MEMBERS: tuple[tuple[str | int, ...], ...] = (
    ("total_calls",),
    ("completed_calls",),
    ("failed_calls",),
    ("concurrency",),
    ("active_concurrency",),
    ("created_at",),
    ("scheduled_at",),
    ("finished_at",),
    ("paused_at",),
    ("call_time_window", "windows", 0, "start_min"),
    ("call_time_window", "windows", 0, "end_min"),
)
"""Where the Campaign schema says integer (a window's members when there is a window)."""

STRING_MEMBERS: tuple[tuple[str | int, ...], ...] = (
    ("id",),
    ("name",),
    ("from_number",),
    ("presentation_number",),
    ("agent", "agent_version"),
    ("call_time_window", "timezone"),
)

# The text of a JSON number where an integer is expected, as spelled on the wire: integral or
# not, with a fraction or an exponent, beyond 64 bits, beyond a double.
_NUMBER_SPELLINGS = ("{v}.0", "{v}.5", "{v}e0", "{v}E+0", "{v}0e-1", "-0.0", "1e20", "1e400")
_NUMBER_PLACEHOLDER = "\x00number\x00"

agent_ids = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: "{" + str(u) + "}"),
    st.uuids().map(lambda u: u.urn),
    st.uuids().map(lambda u: f" {u}"),
    st.sampled_from(
        [
            "",
            "nope",
            "00000000-0000-0000-0000-000000000000",
            "3c90c3cc-0d44-4b50-8888-8dd25736052",
            "3c90c3cc-0d44-4b50-8888-8dd25736052g",
            "3c90c3cc-0d44-4b50-8888-8dd25736052a\n",
            "3c90c3cc0d44-4b50-8888-8dd2-5736052a",
            "٣c90c3cc-0d44-4b50-8888-8dd25736052a",
        ]
    ),
)
"""Agent IDs in and around the 8-4-4-4-12 form: what uuid.UUID takes is wider than that."""

_strings_with_surrogates = st.tuples(
    st.text(max_size=4),
    st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\udc00\ud800", "\U0001f600"]),
    st.text(max_size=4),
).map("".join)

ENCODINGS = ("utf-8", "utf-8-raw", "utf-8-bom", "utf-16")
"""How ``campaign_bodies`` may encode a record: ASCII escapes, raw UTF-8, with a BOM, UTF-16."""


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, dict):
        return isinstance(key, str) and key in node
    return isinstance(node, list) and isinstance(key, int) and key < len(node)


def _at(record: Any, where: tuple[str | int, ...]) -> tuple[Any, str | int] | None:
    """The container holding ``where`` and the last key, when the whole path exists."""
    node = record
    for key in where[:-1]:
        if not _has(node, key):
            return None
        node = node[key]
    return (node, where[-1]) if _has(node, where[-1]) else None


def encode(record: Any, encoding: str, number: str | None = None) -> bytes:
    """``record`` as a body in one of ``ENCODINGS``; ``number`` replaces the number placeholder."""
    text = json.dumps(record, ensure_ascii=encoding == "utf-8")
    if number is not None:
        text = text.replace(json.dumps(_NUMBER_PLACEHOLDER), number)
    if encoding == "utf-16":
        return text.encode("utf-16", "surrogatepass")
    # json.loads reads bytes with "surrogatepass": a raw lone surrogate is read, not refused.
    body = text.encode("utf-8", "surrogatepass")
    return b"\xef\xbb\xbf" + body if encoding == "utf-8-bom" else body


@st.composite
def campaign_bodies(draw: st.DrawFn, *, agent_id_edits: bool = True) -> bytes:
    """Encoded near-valid campaigns, then perhaps one edit where the model and the schema could
    part: a number that is an integer only to JSON Schema (or not at all), a lone surrogate in a
    string, an agent ID that is not quite a UUID."""
    record = draw(st.one_of(near_valid_campaigns(), near_valid_campaigns(), mutated_campaigns()))
    kinds = ["none", "number", "string", *(["agent_id"] if agent_id_edits else [])]
    kind = draw(st.sampled_from(kinds))
    number = None
    if kind == "number":
        found = _at(record, draw(st.sampled_from(INTEGER_MEMBERS)))
        if found is not None and type(found[0][found[1]]) is int:
            container, key = found
            spelling = draw(st.sampled_from(_NUMBER_SPELLINGS))
            number = spelling.format(v=container[key])
            container[key] = _NUMBER_PLACEHOLDER
    elif kind == "string":
        found = _at(record, draw(st.sampled_from(STRING_MEMBERS)))
        if found is not None:
            container, key = found
            container[key] = draw(_strings_with_surrogates)
    elif kind == "agent_id":
        found = _at(record, ("agent", "agent_id"))
        if found is not None:
            found[0][found[1]] = draw(agent_ids)
    return encode(record, draw(st.sampled_from(ENCODINGS)), number)


def spec_campaigns() -> dict[str, dict[str, Any]]:
    """The spec's own example campaigns (components/examples), by ID, read from the spec itself:
    what the cassettes are checked against, independently of the mock that recorded them."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    examples = spec["components"]["examples"]
    campaigns = [
        example["value"]
        for name, example in sorted(examples.items())
        if name.startswith("Campaign") and "status" in example["value"]
    ]
    return {c["id"]: copy.deepcopy(c) for c in campaigns}
