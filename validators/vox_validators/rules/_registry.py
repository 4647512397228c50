"""The registry of business rules: stable IDs, severities, and the docs statements behind them."""

from __future__ import annotations

from dataclasses import dataclass

from vox_validators._findings import Severity

CAMPAIGN = "Campaign"
CREATE = "CreateCampaignRequest"
UPDATE = "UpdateCampaignRequest"
ENVELOPE = "ErrorEnvelope"
_REQUESTS = (CREATE, UPDATE)
_ALL = (CAMPAIGN, CREATE, UPDATE, ENVELOPE)


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: ``id`` (stable), ``severity``, a one-line ``description``, and ``source``:
    the docs statement (or spec decision) it derives from. ``schemas`` names the component
    schemas it applies to."""

    id: str
    severity: Severity
    description: str
    source: str
    schemas: tuple[str, ...] = (CAMPAIGN,)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "severity": self.severity,
            "description": self.description,
            "source": self.source,
            "schemas": list(self.schemas),
        }


_GET_PAGE = "GET /v3/campaigns/{campaign_id}"
_CREATE_PAGE = "POST /v3/campaigns"
_UPDATE_PAGE = "PATCH /v3/campaigns/{campaign_id}"
_CONTRACT = "v3 공개 계약 규칙 (API-wide v3 contract rules)"

RULES: tuple[Rule, ...] = (
    Rule(
        "parse",
        "error",
        "The record is valid JSON (as Python's json.loads reads it).",
        "DESIGN.md: unparseable input is a finding on that record, never a crash.",
        _ALL,
    ),
    Rule(
        "VOX-E001",
        "error",
        "Every call window satisfies 0 <= start_min < end_min <= 1440.",
        f"{_CONTRACT}: '캠페인 통화 가능 시간은 분 단위 정수(start_min / end_min)를 사용합니다' "
        "(minutes of the day); the range 0..1440 and start before end are spec decisions "
        "(CallWindow.start_min).",
        (CAMPAIGN, *_REQUESTS),
    ),
    Rule(
        "VOX-E002",
        "error",
        "finished_at is null unless the status is terminal (success, fail, canceled).",
        f"{_GET_PAGE}: finished_at '완료 시각입니다(unix ms). 완료 전에는 null입니다.'",
    ),
    Rule(
        "VOX-E003",
        "error",
        "completed_calls + failed_calls <= total_calls.",
        f"{_GET_PAGE}: total_calls '전체 발신 수', completed_calls '성공 발신 수', "
        "failed_calls '실패+취소 발신 수': successes and failures are parts of all calls.",
    ),
    Rule(
        "VOX-E004",
        "error",
        "total_calls, completed_calls and failed_calls are not negative.",
        f"{_GET_PAGE}: the three fields are counts of calls ('발신 수').",
    ),
    Rule(
        "VOX-E005",
        "error",
        "paused_at and paused_by are null unless the status is paused.",
        f"{_GET_PAGE}: paused_at '일시정지 시각 (unix ms). 일시정지 아니면 null.'; paused_by "
        "follows paused_at (spec decision, Campaign.paused_by).",
    ),
    Rule(
        "VOX-E006",
        "error",
        "A paused campaign has paused_at and paused_by set.",
        f"{_GET_PAGE}: paused_at '일시정지 시각'; paused_by '일시정지 주체 (user: 수동, system: "
        "시간대 기반 자동)': a pause has a time and an author.",
    ),
    Rule(
        "VOX-E007",
        "error",
        "0 <= active_concurrency <= concurrency.",
        f"{_GET_PAGE}: concurrency '최대 동시 발신 수' (the maximum), active_concurrency "
        "'현재 진행 중 동시 발신 수' (calls in progress now).",
    ),
    Rule(
        "VOX-E008",
        "error",
        "concurrency is within 1..100.",
        f"{_CREATE_PAGE}: concurrency '최대 동시 발신 수 (1~100)', '1 <= x <= 100'.",
        (CAMPAIGN, CREATE),
    ),
    Rule(
        "VOX-E009",
        "error",
        "Timestamps (*_at) are unix milliseconds: a 10- or 11-digit value looks like seconds.",
        f"{_CONTRACT}: '_at으로 끝나는 타임스탬프는 unix milliseconds입니다. 일부 입력값은 호환성을 위해 "
        "10~11자리 unix seconds도 허용하고 milliseconds로 정규화합니다' — inputs may be seconds, "
        "responses are normalised to milliseconds, so only responses are checked.",
    ),
    Rule(
        "VOX-E010",
        "error",
        "created_at is not after finished_at or paused_at.",
        f"{_GET_PAGE}: created_at '리소스 생성 시각', finished_at '완료 시각', paused_at "
        "'일시정지 시각': a campaign finishes or pauses after it is created.",
    ),
    Rule(
        "VOX-E011",
        "error",
        "from_number and presentation_number are hyphen-less digit strings.",
        f"{_GET_PAGE} and {_CREATE_PAGE}: from_number '발신 번호 (하이픈 없는 국내 번호)'; "
        "presentation_number: organisation-approved numbers, stored as digits.",
        (CAMPAIGN, CREATE),
    ),
    Rule(
        "VOX-E012",
        "error",
        "name is 1..255 characters and not only whitespace.",
        f"{_CREATE_PAGE}: '캠페인 이름. 1~255자. 공백만으로는 생성할 수 없습니다.'; {_UPDATE_PAGE}: "
        "null, '' or whitespace-only names are refused with 400.",
        (CAMPAIGN, *_REQUESTS),
    ),
    Rule(
        "VOX-E013",
        "error",
        "call_time_window.timezone is a valid IANA time zone.",
        f"{_GET_PAGE}: the example timezone is 'Asia/Seoul' (an IANA name); checked with zoneinfo "
        "and tzdata.",
        (CAMPAIGN, *_REQUESTS),
    ),
    Rule(
        "VOX-W001",
        "warning",
        "A campaign at a terminal status (success, fail, canceled) has finished_at set.",
        f"{_GET_PAGE}: finished_at '완료 시각 ... 완료 전에는 null': a finished campaign has a "
        "finish time (a warning: the docs do not say every terminal status records one).",
    ),
    Rule(
        "VOX-W002",
        "warning",
        "At a terminal status, completed_calls + failed_calls equals total_calls.",
        f"{_GET_PAGE}: failed_calls counts failed and canceled calls together ('실패+취소'), so "
        "after the end every call is one or the other; a warning, not an error, because the docs "
        "do not say that calls never dialled when a campaign fails are counted as canceled.",
    ),
    Rule(
        "VOX-W003",
        "warning",
        "paused_by 'system' (a time-window pause) comes with a call_time_window.",
        f"{_GET_PAGE}: paused_by 'system': '시간대 기반 자동' (paused because of the call time "
        "window); call_time_window '설정하지 않으면 null'.",
    ),
    Rule(
        "VOX-W004",
        "warning",
        "Calls are active (active_concurrency > 0) only while the status is ongoing.",
        f"{_GET_PAGE}: active_concurrency '현재 진행 중 동시 발신 수'; status 'ongoing' (진행 중) is "
        "the running state.",
    ),
    Rule(
        "VOX-W005",
        "warning",
        "The days of a call window are not empty.",
        f"{_GET_PAGE}: windows[].days lists the weekdays a window applies to; an empty list "
        "never opens.",
        (CAMPAIGN, *_REQUESTS),
    ),
    Rule(
        "VOX-W006",
        "warning",
        "The days of a call window are unique.",
        f"{_GET_PAGE}: windows[].days lists weekdays; a repeated day is a likely mistake.",
        (CAMPAIGN, *_REQUESTS),
    ),
    Rule(
        "drift",
        "warning",
        "A field the spec does not list (only with strict=True / --strict).",
        "Spec decision (Campaign): fields the docs do not list are allowed for forward "
        "compatibility; strict mode reports them so spec drift is noticed.",
        _ALL,
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
