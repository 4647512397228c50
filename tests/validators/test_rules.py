"""Every business rule fires, and stays silent, at its boundaries; rules never cascade."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.support.campaigns import WEEKDAYS, valid_campaign
from vox_validators import RULES_BY_ID, Finding, Rule, validate, validate_json
from vox_validators.rules import RuleClashError, check_extra_rules
from vox_validators.rules._registry import RETIRED


def findings_of(record: Any, schema: str = "Campaign", *, strict: bool = False) -> list[Finding]:
    """The findings of ``record``; every tier (object, bytes, str) must give the same."""
    findings = validate(record, schema, strict=strict)
    assert validate_json(orjson.dumps(record), schema, strict=strict) == findings
    assert validate_json(orjson.dumps(record).decode(), schema, strict=strict) == findings
    for finding in findings:
        assert finding.rule.startswith("schema/") or finding.rule in RULES_BY_ID
        assert finding.severity == (
            "error" if finding.rule.startswith("schema/") else RULES_BY_ID[finding.rule].severity
        )
    return findings


def fired(record: Any, schema: str = "Campaign", *, strict: bool = False) -> list[tuple[str, str]]:
    return [(f.rule, f.path) for f in findings_of(record, schema, strict=strict)]


def _window(start: int, end: int, days: list[str] | None = None) -> dict[str, Any]:
    return {
        "windows": [
            {"start_min": start, "end_min": end, "days": WEEKDAYS if days is None else days}
        ],
        "timezone": "Asia/Seoul",
        "auto_resume": True,
    }


def test_the_valid_campaign_has_no_finding() -> None:
    assert fired(valid_campaign()) == []
    assert fired(valid_campaign(), strict=True) == []


# VOX-E001 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("start", "end"), [(0, 1), (0, 1440), (1439, 1440), (540, 1200)])
def test_call_window_in_range_is_quiet(start: int, end: int) -> None:
    assert fired(valid_campaign(call_time_window=_window(start, end))) == []


@pytest.mark.parametrize(
    ("start", "end"), [(600, 600), (0, 0), (1440, 1440), (601, 600), (1440, 0)]
)
def test_call_window_not_starting_before_its_end_fires(start: int, end: int) -> None:
    assert fired(valid_campaign(call_time_window=_window(start, end))) == [
        ("VOX-E001", "/call_time_window/windows/0")
    ]


@pytest.mark.parametrize(("start", "end"), [(-1, 10), (0, 1441), (1441, 1442)])
def test_out_of_range_minutes_are_schema_findings_only(start: int, end: int) -> None:
    assert [rule for rule, _ in fired(valid_campaign(call_time_window=_window(start, end)))] == [
        "schema/anyOf"
    ]
    request = {"call_time_window": _window(start, end)}
    assert all(rule.startswith("schema/") for rule, _ in fired(request, "UpdateCampaignRequest"))


def test_call_window_rule_applies_to_requests() -> None:
    request = {"call_time_window": _window(600, 600)}
    assert fired(request, "UpdateCampaignRequest") == [("VOX-E001", "/call_time_window/windows/0")]
    create = {
        "name": "x",
        "from_number": "1",
        "agent": valid_campaign()["agent"],
        "tasks": [{}],
        **request,
    }
    assert fired(create, "CreateCampaignRequest") == [("VOX-E001", "/call_time_window/windows/0")]


# VOX-E002 / VOX-W001 --------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["success", "fail", "canceled"])
def test_terminal_campaign_with_finished_at_is_quiet(status: str) -> None:
    record = valid_campaign(
        status=status, active_concurrency=0, completed_calls=1112, finished_at=1741900000000
    )
    assert fired(record) == []


@pytest.mark.parametrize("status", ["success", "fail", "canceled"])
def test_terminal_campaign_without_finished_at_warns(status: str) -> None:
    record = valid_campaign(status=status, active_concurrency=0, completed_calls=1112)
    assert fired(record) == [("VOX-W001", "/finished_at")]


@pytest.mark.parametrize("status", ["draft", "pending", "ongoing"])
def test_finished_at_before_a_terminal_status_fires(status: str) -> None:
    record = valid_campaign(status=status, active_concurrency=0, finished_at=1741900000000)
    assert fired(record) == [("VOX-E002", "/finished_at")]


# VOX-E003 / VOX-W002; the retired VOX-E004 (counts not negative) is the schema's ---------------
def test_counts_adding_up_exactly_are_quiet() -> None:
    assert fired(valid_campaign(total_calls=728)) == []
    assert fired(valid_campaign(total_calls=0, completed_calls=0, failed_calls=0)) == []


def test_counts_beyond_total_fire() -> None:
    assert fired(valid_campaign(total_calls=727)) == [("VOX-E003", "/total_calls")]


@pytest.mark.parametrize("key", ["total_calls", "completed_calls", "failed_calls"])
def test_negative_counts_are_schema_findings_alone(key: str) -> None:
    findings = findings_of(valid_campaign(**{key: -1}))
    assert [(f.rule, f.path, f.message) for f in findings] == [
        ("schema/minimum", f"/{key}", "-1 is less than the minimum of 0")
    ]  # and no VOX-E003 cascade on the rejected count


@pytest.mark.parametrize("status", ["success", "fail", "canceled"])
def test_terminal_counts_not_adding_up_warn(status: str) -> None:
    done = {"status": status, "active_concurrency": 0, "finished_at": 1741900000000}
    assert fired(valid_campaign(total_calls=728, **done)) == []
    assert fired(valid_campaign(total_calls=729, **done)) == [("VOX-W002", "/total_calls")]


# VOX-E005 / VOX-E006 / VOX-W003 ---------------------------------------------------------------
def test_paused_campaign_with_both_members_is_quiet() -> None:
    record = valid_campaign(
        status="paused", active_concurrency=0, paused_at=1741850000000, paused_by="user"
    )
    assert fired(record) == []


@pytest.mark.parametrize("missing", ["paused_at", "paused_by"])
def test_paused_campaign_missing_a_member_fires(missing: str) -> None:
    record = valid_campaign(
        status="paused", active_concurrency=0, paused_at=1741850000000, paused_by="user"
    )
    record[missing] = None
    assert fired(record) == [("VOX-E006", f"/{missing}")]


@pytest.mark.parametrize(("key", "value"), [("paused_at", 1741850000000), ("paused_by", "user")])
def test_pause_members_while_not_paused_fire(key: str, value: Any) -> None:
    assert fired(valid_campaign(**{key: value})) == [("VOX-E005", f"/{key}")]


def test_system_pause_without_a_call_time_window_warns() -> None:
    paused = {"status": "paused", "active_concurrency": 0, "paused_at": 1741850000000}
    assert fired(valid_campaign(paused_by="system", **paused)) == []
    assert fired(valid_campaign(paused_by="user", call_time_window=None, **paused)) == []
    assert fired(valid_campaign(paused_by="system", call_time_window=None, **paused)) == [
        ("VOX-W003", "/paused_by")
    ]


# VOX-E007 / VOX-W004; the retired VOX-E008 (concurrency 1..100) is the schema's ---------------
@pytest.mark.parametrize(
    ("concurrency", "active"), [(1, 0), (1, 1), (100, 100), (100, 0), (20, 20)]
)
def test_concurrency_in_range_is_quiet(concurrency: int, active: int) -> None:
    assert fired(valid_campaign(concurrency=concurrency, active_concurrency=active)) == []


@pytest.mark.parametrize(
    ("concurrency", "keyword"),
    [(0, "schema/minimum"), (101, "schema/maximum"), (-5, "schema/minimum")],
)
def test_concurrency_out_of_range_is_a_schema_finding_only(concurrency: int, keyword: str) -> None:
    # active_concurrency above a rejected concurrency is not compared with it (no VOX-E007)
    for active in (0, 101):
        rules = fired(valid_campaign(concurrency=concurrency, active_concurrency=active))
        assert rules == [(keyword, "/concurrency")]


@pytest.mark.parametrize(("concurrency", "active"), [(20, 21), (1, 2), (100, 101)])
def test_active_calls_beyond_concurrency_fire(concurrency: int, active: int) -> None:
    findings = findings_of(valid_campaign(concurrency=concurrency, active_concurrency=active))
    assert [(f.rule, f.path) for f in findings] == [("VOX-E007", "/active_concurrency")]
    assert findings[0].message == f"{active} is not within 0..concurrency ({concurrency})"


def test_negative_active_calls_are_a_schema_finding_only() -> None:
    for status in ("ongoing", "draft"):  # no VOX-E007, no VOX-W004
        assert fired(valid_campaign(status=status, active_concurrency=-1)) == [
            ("schema/minimum", "/active_concurrency")
        ]


@pytest.mark.parametrize("status", ["draft", "pending"])
def test_active_calls_while_not_ongoing_warn(status: str) -> None:
    assert fired(valid_campaign(status=status, active_concurrency=0)) == []
    assert fired(valid_campaign(status=status, active_concurrency=1)) == [
        ("VOX-W004", "/active_concurrency")
    ]


@pytest.mark.parametrize("concurrency", [1, 100])
def test_request_concurrency_bounds_are_accepted(concurrency: int) -> None:
    create = {
        "name": "x",
        "from_number": "1",
        "agent": valid_campaign()["agent"],
        "tasks": [{}],
        "concurrency": concurrency,
    }
    assert fired(create, "CreateCampaignRequest") == []


@pytest.mark.parametrize(
    ("concurrency", "keyword"), [(0, "schema/minimum"), (101, "schema/maximum")]
)
def test_request_concurrency_out_of_range_is_a_schema_finding_only(
    concurrency: int, keyword: str
) -> None:
    create = {
        "name": "x",
        "from_number": "1",
        "agent": valid_campaign()["agent"],
        "tasks": [{}],
        "concurrency": concurrency,
    }
    assert fired(create, "CreateCampaignRequest") == [(keyword, "/concurrency")]


# VOX-E009 / VOX-E010 --------------------------------------------------------------------------
@pytest.mark.parametrize("stamp", [999_999_999, 10**11, 1741842354957, 0])
def test_millisecond_looking_timestamps_are_quiet(stamp: int) -> None:
    assert fired(valid_campaign(scheduled_at=stamp)) == []


@pytest.mark.parametrize("stamp", [10**9, 1741842354, 10**11 - 1])
@pytest.mark.parametrize("key", ["created_at", "scheduled_at", "finished_at", "paused_at"])
def test_second_looking_timestamps_fire(key: str, stamp: int) -> None:
    base = {
        "status": "paused",
        "active_concurrency": 0,
        "paused_at": 1741850000000,
        "paused_by": "user",
    }
    if key == "finished_at":
        base = {
            "status": "success",
            "active_concurrency": 0,
            "total_calls": 728,
            "finished_at": 1741900000000,
        }
    record = valid_campaign(**base)
    record[key] = stamp
    assert fired(record) == [("VOX-E009", f"/{key}")]  # and no VOX-E010 cascade


@pytest.mark.parametrize("key", ["finished_at", "paused_at"])
def test_created_after_finished_or_paused_fires(key: str) -> None:
    base: dict[str, Any] = {
        "status": "paused",
        "active_concurrency": 0,
        "paused_by": "user",
        "paused_at": 1741850000000,
    }
    if key == "finished_at":
        base = {
            "status": "success",
            "active_concurrency": 0,
            "total_calls": 728,
            "finished_at": 1741900000000,
        }
    created = 1741842354957
    assert fired(valid_campaign(**{**base, key: created})) == []  # equal is fine
    assert fired(valid_campaign(**{**base, key: created - 1})) == [("VOX-E010", f"/{key}")]


# the retired VOX-E011 (hyphen-less digit strings) is the schema's -----------------------------
_NOT_DIGIT_STRINGS = [
    "070-7000-1234",
    "",
    "+821012345678",
    "0707000 1234",
    "٠١٢٣",  # Arabic-Indic digits: Python's \d takes them, ECMA-262's does not
    "07070001234\n",  # "$" would take a final newline in Python's re
    "\n07070001234",
    "０７０",  # full-width digits
]


@pytest.mark.parametrize("number", _NOT_DIGIT_STRINGS)
@pytest.mark.parametrize("key", ["from_number", "presentation_number"])
def test_numbers_other_than_plain_digits_are_schema_findings_only(key: str, number: str) -> None:
    assert fired(valid_campaign(**{key: number})) == [("schema/pattern", f"/{key}")]
    create = {"name": "x", "from_number": "1", "agent": valid_campaign()["agent"], "tasks": [{}]}
    assert fired({**create, key: number}, "CreateCampaignRequest") == [
        ("schema/pattern", f"/{key}")
    ]


@pytest.mark.parametrize("number", ["0", "07070001234", "0" * 40])
def test_plain_digit_strings_are_quiet(number: str) -> None:
    # The campaign pages give no length: a long number is not refused.
    assert fired(valid_campaign(from_number=number, presentation_number=number)) == []


def test_null_presentation_number_is_quiet() -> None:
    assert fired(valid_campaign(presentation_number=None)) == []


# the retired VOX-E012 (name 1..255 characters, not only whitespace) is the schema's -----------
@pytest.mark.parametrize(
    "name", ["a", "a" * 255, " a ", "캠페인", "\U0001f600" * 255, "\ufeffa", "\x1ca\x85", "\u200b"]
)
def test_names_within_limits_are_quiet(name: str) -> None:
    assert fired(valid_campaign(name=name)) == []
    assert fired({"name": name}, "UpdateCampaignRequest") == []


# Whitespace to either engine: Python's re alone takes U+001C-U+001F and U+0085 for \s,
# ECMA-262 alone U+FEFF; a name made of them is refused whichever engine a tool runs.
_BLANK = [" ", "\t\n", "\u3000", "\x1c", "\x1f", "\x85", "\ufeff", "\u2028\u00a0", "\x0b\x0c\r"]


@pytest.mark.parametrize(
    ("name", "keywords"),
    [
        ("", ["schema/minLength", "schema/pattern"]),
        ("a" * 256, ["schema/maxLength"]),
        ("\U0001f600" * 256, ["schema/maxLength"]),
        *((blank, ["schema/pattern"]) for blank in _BLANK),
    ],
)
@pytest.mark.parametrize("schema", ["Campaign", "UpdateCampaignRequest", "CreateCampaignRequest"])
def test_bad_names_are_schema_findings_only(name: str, keywords: list[str], schema: str) -> None:
    create = {"name": "x", "from_number": "1", "agent": valid_campaign()["agent"], "tasks": [{}]}
    record = {
        "Campaign": valid_campaign(),
        "UpdateCampaignRequest": {},
        "CreateCampaignRequest": create,
    }[schema]
    assert fired({**record, "name": name}, schema) == [(k, "/name") for k in keywords]


# VOX-E013 / VOX-W005 / VOX-W006 ---------------------------------------------------------------
@pytest.mark.parametrize("zone", ["Asia/Seoul", "UTC", "America/Argentina/Buenos_Aires"])
def test_iana_zones_are_quiet(zone: str) -> None:
    setting = {**_window(0, 1440), "timezone": zone}
    assert fired(valid_campaign(call_time_window=setting)) == []


@pytest.mark.parametrize("zone", ["Mars/Base", "", "asia/seoul", "KST"])
def test_other_zones_fire(zone: str) -> None:
    setting = {**_window(0, 1440), "timezone": zone}
    assert fired(valid_campaign(call_time_window=setting)) == [
        ("VOX-E013", "/call_time_window/timezone")
    ]


def test_empty_days_warn() -> None:
    assert fired(valid_campaign(call_time_window=_window(0, 10, []))) == [
        ("VOX-W005", "/call_time_window/windows/0/days")
    ]
    assert fired(valid_campaign(call_time_window=_window(0, 10, ["Sunday"]))) == []


def test_repeated_days_warn_at_each_repetition() -> None:
    days = ["Monday", "Tuesday", "Monday", "Monday"]
    assert fired(valid_campaign(call_time_window=_window(0, 10, days))) == [
        ("VOX-W006", "/call_time_window/windows/0/days/2"),
        ("VOX-W006", "/call_time_window/windows/0/days/3"),
    ]


# the retired VOX-E014 (agent_id in the 8-4-4-4-12 form) is the schema's ---------------------
@pytest.mark.parametrize(
    "agent_id",
    [
        "3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "3C90C3CC-0D44-4B50-8888-8DD25736052A",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ],
)
def test_uuid_agent_ids_are_quiet(agent_id: str) -> None:
    assert fired(valid_campaign(agent={"agent_id": agent_id, "agent_version": "v1"})) == []


@pytest.mark.parametrize(
    "agent_id",
    [
        "abc",
        "",
        "3c90c3cc0d444b5088888dd25736052a",  # uuid.UUID takes it; the 8-4-4-4-12 form only
        "{3c90c3cc-0d44-4b50-8888-8dd25736052a}",
        "urn:uuid:3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "3c90c3cc-0d44-4b50-8888-8dd25736052a\n",
        "3c90c3cc-0d44-4b50-8888-8dd25736052g",
        " 3c90c3cc-0d44-4b50-8888-8dd25736052a",
        "３c90c3cc-0d44-4b50-8888-8dd25736052a",  # a full-width digit
    ],
)
def test_other_agent_ids_are_schema_findings_only(agent_id: str) -> None:
    record = valid_campaign(agent={"agent_id": agent_id, "agent_version": "v1"})
    findings = findings_of(record)
    assert [(f.rule, f.path) for f in findings] == [("schema/pattern", "/agent/agent_id")]
    assert findings[0].message.startswith(f"{agent_id!r} does not match ")


def test_the_agent_id_pattern_applies_to_create_requests() -> None:
    create = {
        "name": "x",
        "from_number": "1",
        "agent": {"agent_id": "abc", "agent_version": "v1"},
        "tasks": [{}],
    }
    assert fired(create, "CreateCampaignRequest") == [("schema/pattern", "/agent/agent_id")]


# retired ids ----------------------------------------------------------------------------------
def test_retired_ids_name_no_rule_and_no_custom_rule_may_take_one() -> None:
    assert set(RETIRED) == {"VOX-E004", "VOX-E008", "VOX-E011", "VOX-E012", "VOX-E014"}
    assert not set(RETIRED) & set(RULES_BY_ID)
    for retired in RETIRED:
        custom = Rule(retired, "error", "d", "s", ("Campaign",), lambda record: iter(()))
        with pytest.raises(RuleClashError, match="retired"):
            check_extra_rules([custom])


# drift ----------------------------------------------------------------------------------------
def test_unknown_fields_are_drift_only_in_strict_mode() -> None:
    record = valid_campaign(organization_id="org_1")
    record["agent"]["data"] = {"x": 1}
    record["call_time_window"]["windows"][0]["note"] = "x"
    assert fired(record) == []
    assert fired(record, strict=True) == [
        ("drift", "/agent/data"),
        ("drift", "/call_time_window/windows/0/note"),
        ("drift", "/organization_id"),
    ]
    assert {f.severity for f in findings_of(record, strict=True)} == {"warning"}


def test_documented_open_objects_are_not_drift() -> None:
    envelope = {"error": {"code": "bad", "message": "m", "details": {"field": "name", "hint": "x"}}}
    assert fired(envelope, "ErrorEnvelope", strict=True) == []
    envelope["error"]["trace"] = "t"
    assert fired(envelope, "ErrorEnvelope", strict=True) == [("drift", "/error/trace")]


def test_drift_is_not_reported_inside_a_rejected_value() -> None:
    record = valid_campaign(agent={"agent_id": 1, "agent_version": "v1", "extra": 1})
    assert fired(record, strict=True) == [
        ("schema/type", "/agent/agent_id"),
        ("drift", "/agent/extra"),
    ]
    setting = {**_window(0, 10), "timezone": None, "extra": 1}  # the whole setting is rejected
    assert fired(valid_campaign(call_time_window=setting), strict=True) == [
        ("schema/anyOf", "/call_time_window")
    ]


# no cascades and the required path ------------------------------------------------------------
def test_rules_do_not_fire_on_values_the_schema_rejected() -> None:
    record = valid_campaign(
        status="finished", finished_at=1741900000000, total_calls="many", concurrency=1.5
    )
    assert fired(record) == [
        ("schema/enum", "/status"),
        ("schema/type", "/total_calls"),
        ("schema/type", "/concurrency"),
    ]


def test_a_missing_member_is_reported_at_its_own_path() -> None:
    record = valid_campaign()
    del record["finished_at"]
    del record["call_time_window"]["timezone"]
    assert fired(record) == [
        ("schema/required", "/finished_at"),
        ("schema/anyOf", "/call_time_window"),
    ]
    assert fired(
        {"call_time_window": {"windows": [], "auto_resume": True}}, "UpdateCampaignRequest"
    ) == [("schema/required", "/call_time_window/timezone")]


def test_not_an_object_gets_only_a_schema_finding() -> None:
    assert fired([valid_campaign()]) == [("schema/type", "")]
    assert fired({}, "UpdateCampaignRequest") == [("schema/minProperties", "")]


def test_messages_put_the_value_first() -> None:
    record = valid_campaign(
        call_time_window=_window(600, 600), concurrency=20, active_concurrency=21
    )
    messages = {f.rule: f.message for f in findings_of(record)}
    assert messages["VOX-E001"].startswith("600..600 ")
    assert messages["VOX-E007"].startswith("21 ")
    update = {"call_time_window": _window(0, 1441)}
    assert [f.message for f in findings_of(update, "UpdateCampaignRequest")] == [
        "1441 is greater than the maximum of 1440"
    ]


def test_unparseable_input_is_one_parse_finding() -> None:
    for data in (b"", b"{", b"\xff", '{"a": }'):
        findings = validate_json(data)
        assert [(f.rule, f.severity, f.path) for f in findings] == [("parse", "error", "")]
        assert findings[0].message.startswith("not valid JSON: ")
