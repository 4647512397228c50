"""The quiet check reads nested structs as decoded only where a dict would answer the same.

``rules._struct_reads`` rewrites a specialised check so that a member holding objects (the call
time window, the agent) is read from the msgspec struct instead of being converted to dicts. These
tests hold the rewritten check to the converted one's verdict, rule by rule, on decoded records;
check that the built-in windows rules are rewritten (a regression to converting is noticed);
and that each use a struct does not answer like a dict (iterating, ``len``, truth, ``==``, a
call, a default that is evaluated) keeps the conversion.
"""

from __future__ import annotations

import dis
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.campaigns import mutated_campaigns, near_valid_campaigns, valid_campaign
from vox_validators import Rule
from vox_validators._tiers.struct_decoder import decoder_for
from vox_validators.rules import load_rules
from vox_validators.rules._quiet_checks import _Fused, _parts
from vox_validators.rules._registry import running_for

_CAMPAIGN_DECODER = decoder_for("Campaign")
assert _CAMPAIGN_DECODER is not None
_DECODER = _CAMPAIGN_DECODER
_STRUCT_TYPE: type = _DECODER.type

# Rule bodies the rewrite reads from the structs.
_READ: dict[str, str] = {
    "get, type is dict, nested list": """
        setting = record.get("call_time_window")
        if type(setting) is not dict:
            return
        for index, window in enumerate(setting.get("windows") or ()):
            if window.get("start_min") == 540 and window.get("days") == ["Monday"]:
                yield f"/call_time_window/windows/{index}", "540 on Mondays"
    """,
    "get with a constant default, a member the struct lacks": """
        setting = record.get("call_time_window")
        if setting is not None and setting.get("timezone", "UTC") == "Asia/Seoul":
            if setting.get("not_a_member", "absent") == "absent":
                yield "/call_time_window/timezone", "Seoul"
    """,
    "subscript and isinstance": """
        agent = record.get("agent")
        if isinstance(agent, dict) and agent["agent_version"] == "current":
            yield "/agent/agent_version", "current"
    """,
    "an item of a list by index, a list's truth and len": """
        setting = record.get("call_time_window")
        windows = setting.get("windows") if setting is not None else None
        if windows and len(windows) == 1 and windows[0]["end_min"] == 1200:
            yield "/call_time_window/windows/0/end_min", "1200"
    """,
}

# Rule bodies where a struct would not answer as its dict: these keep the conversion.
_CONVERTED: dict[str, str] = {
    "iterating a struct": """
        setting = record.get("call_time_window")
        if setting is not None and "timezone" in list(setting):
            yield "/call_time_window", "has a timezone"
    """,
    "len of a struct": """
        setting = record.get("call_time_window")
        if setting is not None and len(setting) == 3:
            yield "/call_time_window", "three members"
    """,
    "the truth of a struct": """
        agent = record.get("agent")
        if agent:
            yield "/agent", "an agent"
    """,
    "a struct compared with ==": """
        agent = record.get("agent")
        if agent == {"agent_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "agent_version": "current"}:
            yield "/agent", "the example agent"
    """,
    "a struct passed to a function": """
        setting = record.get("call_time_window")
        if "Seoul" in repr(setting):
            yield "/call_time_window", "Seoul"
    """,
    "a default that is not a constant": """
        setting = record.get("call_time_window")
        if setting is not None and setting.get("windows", []) == []:
            yield "/call_time_window/windows", "none"
    """,
}


def _rule(tmp_path: Path, name: str, body: str) -> Rule:
    path = tmp_path / f"acme_{abs(hash(name))}.py"
    path.write_text(
        "from vox_validators import rule\n\n"
        '@rule("ACME-E001", severity="error", description="d", source="s")\n'
        "def check(record):\n" + textwrap.indent(textwrap.dedent(body), "    "),
        encoding="utf-8",
    )
    (loaded,) = load_rules(str(path))
    return loaded


def _on_struct(rules: tuple[Rule, ...]) -> tuple[Callable[[Any], bool], bool]:
    """The check of ``rules`` on the struct, and whether it converts any member to dicts."""
    (part,) = _parts(rules)
    assert isinstance(part, _Fused)
    check = part.on_struct(_STRUCT_TYPE)
    assert check is not None
    converts = any(
        instruction.argval == f"{part.prefix}to_builtins"
        for instruction in dis.get_instructions(check)
    )
    return check, converts


def _converted_verdict(rules: tuple[Rule, ...], struct: Any) -> bool:
    (part,) = _parts(rules)
    assert isinstance(part, _Fused)
    try:
        return part.plain(msgspec.to_builtins(struct))
    except Exception:
        return False


def _struct_of(record: dict[str, Any]) -> Any:
    try:
        return _DECODER.decode(json.dumps(record))
    except (msgspec.DecodeError, ValueError):
        return None


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Rule, ...]]:
    folder = tmp_path_factory.mktemp("struct_reads")
    return {name: (_rule(folder, name, body),) for name, body in {**_READ, **_CONVERTED}.items()}


def _example_records() -> list[dict[str, Any]]:
    window = {"start_min": 540, "end_min": 1200, "days": ["Monday"]}
    return [
        valid_campaign(),
        valid_campaign(call_time_window=None),
        valid_campaign(
            agent={
                "agent_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                "agent_version": "production",
            }
        ),
        valid_campaign(
            call_time_window={"windows": [window], "timezone": "Asia/Seoul", "auto_resume": False}
        ),
        valid_campaign(
            call_time_window={"windows": [], "timezone": "Europe/Berlin", "auto_resume": True}
        ),
        valid_campaign(
            call_time_window={"windows": [window, window], "timezone": "UTC", "auto_resume": True}
        ),
    ]


@pytest.mark.parametrize("name", sorted(_READ))
def test_these_uses_read_the_structs(loaded: dict[str, tuple[Rule, ...]], name: str) -> None:
    check, converts = _on_struct(loaded[name])
    assert not converts
    verdicts = set()
    for record in _example_records():
        struct = _struct_of(record)
        assert struct is not None
        verdicts.add(check(struct))
        assert check(struct) == _converted_verdict(loaded[name], struct)
    assert verdicts == {True, False}  # the examples reach both answers


@pytest.mark.parametrize("name", sorted(_CONVERTED))
def test_uses_a_dict_answers_otherwise_keep_the_conversion(
    loaded: dict[str, tuple[Rule, ...]], name: str
) -> None:
    check, converts = _on_struct(loaded[name])
    assert converts
    for record in _example_records():
        struct = _struct_of(record)
        assert check(struct) == _converted_verdict(loaded[name], struct)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=st.one_of(near_valid_campaigns(), mutated_campaigns()), data=st.data())
def test_the_rewritten_check_gives_the_converted_verdict(
    loaded: dict[str, tuple[Rule, ...]], record: dict[str, Any], data: st.DataObject
) -> None:
    struct = _struct_of(record)
    if struct is None:
        return
    name = data.draw(st.sampled_from(sorted(loaded)))
    check, _ = _on_struct(loaded[name])
    assert check(struct) == _converted_verdict(loaded[name], struct)


def test_the_built_in_window_rules_read_the_structs() -> None:
    windows = [
        part
        for part in _parts(running_for("Campaign"))
        if isinstance(part, _Fused) and part.derived.filename.endswith("_windows.py")
    ]
    assert len(windows) == 1
    check = windows[0].on_struct(_STRUCT_TYPE)
    assert check is not None
    prefix = windows[0].prefix
    assert not any(
        instruction.argval == f"{prefix}to_builtins" for instruction in dis.get_instructions(check)
    )


def test_a_rebound_builtin_falls_back_to_the_conversion(
    loaded: dict[str, tuple[Rule, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = loaded["get, type is dict, nested list"]
    check, _ = _on_struct(rules)
    namespace = rules[0].check.__globals__  # type: ignore[union-attr]
    struct = _struct_of(_example_records()[3])
    assert check(struct) is False  # 540 on Mondays
    # A module global named ``type`` now answers "not a dict" for everything.
    monkeypatch.setitem(namespace, "type", lambda value: object)
    assert check(struct) == _converted_verdict(rules, struct) is True
