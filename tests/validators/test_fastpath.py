"""The rules' quiet check is derived from the rules themselves: it can neither skip nor invent.

The validator asks the quiet check (``rules._quiet_checks``) before it runs the rules'
generators. These tests hold it to its one promise: True exactly when no rule would yield or
raise, for every schema, on near-valid and mangled records; every built-in rule is derived and
fused (a regression to the slow path is noticed); a rule that cannot be derived still fires; a
rule added at run time is covered without any other edit; a rule that raises is still an
``internal`` finding.
"""

from __future__ import annotations

import json
import linecache
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vox_validators._validate as validate_module
import vox_validators.rules
from tests.support.campaigns import (
    campaigns,
    mutated_campaigns,
    near_valid_campaigns,
    valid_campaign,
)
from vox_validators import Finding, Rule, rule, validate, validate_json
from vox_validators._schema import bundle
from vox_validators._tiers.struct_decoder import decoder_for
from vox_validators.rules import _registry, _windows, load_rules
from vox_validators.rules._quiet_checks import (
    _Fused,
    _parts,
    _quiet_check,
    derive,
    quiet_check,
    underived,
)
from vox_validators.rules._registry import (
    EVERY_SCHEMA,
    discover,
    quiet_for,
    registry,
    run_rules,
    running_for,
    struct_quiet_for,
)

_DEFS = bundle()["$defs"]


def _generators_are_quiet(rules: tuple[Rule, ...], record: Mapping[str, Any]) -> bool:
    findings: list[Finding] = []
    run_rules(rules, record, findings)
    return not findings


def _as_request(record: dict[str, Any], schema: str) -> dict[str, Any]:
    """The members of ``record`` that ``schema`` lists (a request made of a campaign)."""
    listed = _DEFS[schema].get("properties", {})
    return {key: value for key, value in record.items() if key in listed}


_records = st.one_of(near_valid_campaigns(), mutated_campaigns(), campaigns)
_requests = st.tuples(_records, st.sampled_from(EVERY_SCHEMA)).map(
    lambda pair: (_as_request(pair[0], pair[1]) if pair[1] != "Campaign" else pair[0], pair[1])
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_requests)
def test_the_quiet_check_is_true_exactly_when_the_generators_yield_nothing(
    case: tuple[dict[str, Any], str],
) -> None:
    record, schema = case
    rules = running_for(schema)
    assert quiet_for(schema)(record) == _generators_are_quiet(rules, record)
    for each in rules:  # and rule by rule, the derived predicates alone
        derived = derive(each.check)
        assert derived is not None
        try:
            expected = not list(each.check(record))  # type: ignore[misc]
        except Exception:
            expected = False
        try:
            got = derived.predicate(record)
        except Exception:
            got = False
        assert got == expected, each.id


@settings(max_examples=200, deadline=None)
@given(record=st.one_of(near_valid_campaigns(), mutated_campaigns()))
def test_the_struct_tier_record_gives_the_same_verdict(record: dict[str, Any]) -> None:
    # What tier one hands the rules (msgspec.to_builtins of the struct), when it decodes.
    decoder = decoder_for("Campaign")
    assert decoder is not None
    try:
        decoded = msgspec.to_builtins(decoder.decode(json.dumps(record)))
    except (msgspec.DecodeError, ValueError):
        return
    rules = running_for("Campaign")
    assert quiet_for("Campaign")(decoded) == _generators_are_quiet(rules, decoded)


@settings(max_examples=300, deadline=None)
@given(record=st.one_of(near_valid_campaigns(), mutated_campaigns()))
def test_the_check_on_the_struct_itself_gives_the_same_verdict(record: dict[str, Any]) -> None:
    # Tier one asks the check on the struct as decoded (attribute reads, no dict made).
    decoder = decoder_for("Campaign")
    assert decoder is not None
    try:
        struct = decoder.decode(json.dumps(record))
    except (msgspec.DecodeError, ValueError):
        return
    on_struct = struct_quiet_for("Campaign", type(struct))
    assert on_struct is not None
    decoded = msgspec.to_builtins(struct)
    assert on_struct(struct) == _generators_are_quiet(running_for("Campaign"), decoded)


def test_every_built_in_module_is_specialised_and_reads_the_struct() -> None:
    decoder = decoder_for("Campaign")
    assert decoder is not None
    for schema in EVERY_SCHEMA:
        for part in _parts(running_for(schema)):
            assert isinstance(part, _Fused)
            assert part.specialised is not None
            assert not part.specialised.reads_record  # only hoisted reads: a struct will do
    struct_type = decoder.type
    assert isinstance(struct_type, type)
    assert struct_quiet_for("Campaign", struct_type) is not None


def test_a_rebound_helper_is_not_inlined_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    # The specialised check inlined _windows; rebinding it must reach the check as it reaches
    # the rules (the check falls back to the plain fused one).
    record = valid_campaign()
    decoder = decoder_for("Campaign")
    assert decoder is not None
    struct = decoder.decode(json.dumps(record))
    on_struct = struct_quiet_for("Campaign", type(struct))
    assert on_struct is not None
    assert quiet_for("Campaign")(record)
    assert on_struct(struct)
    monkeypatch.setattr(_windows, "_windows", lambda record: [{"start_min": 9, "end_min": 1}])
    rules = running_for("Campaign")
    assert not _generators_are_quiet(rules, record)
    assert not quiet_for("Campaign")(record)
    assert not on_struct(struct)


def test_every_built_in_rule_is_derived_and_fused() -> None:
    running = registry().running
    assert running
    assert underived(running) == []
    for each in running:
        derived = derive(each.check)
        assert derived is not None
        assert derived.body is not None, f"{each.id} is no longer fused"


def _generator_runs(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each time the validator runs the rules' generators (not only their quiet check)."""
    ran: list[object] = []
    real = run_rules

    def spy(*args: Any) -> None:
        ran.append(args)
        real(*args)

    monkeypatch.setattr(validate_module, "run_rules", spy)
    return ran


def test_a_valid_record_never_reaches_the_generators(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_registry, "QUIET_CHECKS_AFTER", 0)  # past the warm-up
    ran = _generator_runs(monkeypatch)
    assert validate_json(json.dumps(valid_campaign())) == []
    assert validate(valid_campaign()) == []
    assert ran == []
    assert [f.rule for f in validate_json(json.dumps(valid_campaign(status="draft")))] == [
        "VOX-W004"
    ]
    assert len(ran) == 1  # a record a rule reports on: the generators give the findings


def test_the_first_records_run_the_generators_and_the_checks_are_derived_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    discover()  # nothing derived, nothing asked yet
    monkeypatch.setattr(_registry, "QUIET_CHECKS_AFTER", 3)
    ran = _generator_runs(monkeypatch)
    valid = json.dumps(valid_campaign())
    unknown_member = json.dumps({**valid_campaign(), "added_by_the_api": 1})  # the skipping pass
    for data in (valid, unknown_member, valid):
        assert validate_json(data) == []
    assert len(ran) == 3  # warming up: the generators decided each record
    assert _registry._quiet_by_schema == _registry._struct_quiet_by_schema == {}  # none derived
    assert validate_json(valid) == []
    assert len(ran) == 3  # warm: the quiet check on the struct decided
    assert set(_registry._struct_quiet_by_schema) == {"Campaign"}
    assert validate_json(unknown_member) == []
    assert len(ran) == 3
    discover()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_requests, strict=st.booleans())
def test_warming_up_changes_no_finding(case: tuple[dict[str, Any], str], strict: bool) -> None:
    record, schema = case
    data = json.dumps(record)
    found = []
    for after in (10**9, 0):  # the generators alone, then the quiet checks first
        _registry.QUIET_CHECKS_AFTER = after
        try:
            found.append(
                (
                    validate_json(data, schema, strict=strict),
                    validate(record, schema, strict=strict),
                )
            )
        finally:
            _registry.QUIET_CHECKS_AFTER = _WARM_UP
    assert found[0] == found[1]


_WARM_UP = _registry.QUIET_CHECKS_AFTER


def test_the_caches_are_bounded() -> None:
    assert derive.cache_info().maxsize is not None
    assert _quiet_check.cache_info().maxsize is not None


def test_an_unhashable_rule_is_checked_uncached() -> None:
    schemas: Any = ["Campaign"]  # a list, as a hand-made Rule may have
    by_hand = Rule("ACME-E004", "error", "d", "s", schemas, _windows.time_zone_is_iana.check)
    mars = {**valid_campaign()["call_time_window"], "timezone": "Mars/Base"}
    assert not quiet_check((by_hand,))(valid_campaign(call_time_window=mars))
    document = json.dumps({"call_time_window": mars})
    assert [f.rule for f in validate_json(document, rules=[by_hand])][-1] == "ACME-E004"


# ---- rules that cannot be derived still run, as their generators -------------------------------

_REFUSED = {
    "yield as a value": """
        def check(record):
            answer = yield "/name", "reported"
    """,
    "yield from": """
        def check(record):
            yield from [("/name", "reported")]
    """,
    "global": """
        SEEN = 0
        def check(record):
            global SEEN
            SEEN = 1
            yield "/name", "reported"
    """,
    "yield inside try/finally": """
        def check(record):
            try:
                yield "/name", "reported"
            finally:
                return
    """,
    "yield inside with": """
        import contextlib
        def check(record):
            with contextlib.suppress(KeyError):
                yield "/name", "reported"
    """,
    "return with a value": """
        def check(record):
            if record.get("name") != "forbidden":
                return 1
            yield "/name", "reported"
    """,
    "another decorator": """
        def wrap(function):
            return function
        @wrap
        def check(record):
            yield "/name", "reported"
    """,
}


def _rule_file(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(
        "from vox_validators import rule\n"
        + textwrap.dedent(body)
        + textwrap.dedent(
            """
            RULE = rule("ACME-E001", severity="error", description="d", source="s")(check)
            """
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("case", sorted(_REFUSED))
def test_what_cannot_be_rewritten_exactly_is_refused_and_still_fires(
    tmp_path: Path, case: str
) -> None:
    (loaded,) = load_rules(
        str(_rule_file(tmp_path, case.replace(" ", "_").replace("/", "_"), _REFUSED[case]))
    )
    assert derive(loaded.check) is None
    record = valid_campaign(name="forbidden")
    assert not quiet_check((loaded,))(record)
    findings = validate_json(json.dumps(record), rules=[loaded])
    assert Finding("ACME-E001", "error", "/name", "reported") in findings


def test_a_closure_is_not_derived_and_still_fires() -> None:
    forbidden = "forbidden"

    @rule("ACME-E002", severity="error", description="d", source="s")
    def no_forbidden_name(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        if record.get("name") == forbidden:
            yield "/name", f"{forbidden!r} is forbidden"

    assert derive(no_forbidden_name.check) is None
    expected = Finding("ACME-E002", "error", "/name", "'forbidden' is forbidden")
    assert validate_json(json.dumps(valid_campaign()), rules=[no_forbidden_name]) == []
    for data in (json.dumps(valid_campaign(name="forbidden")), b'{"name": "forbidden"}'):
        assert expected in validate_json(data, rules=[no_forbidden_name])


def test_a_file_edited_after_its_import_is_not_derived_from_the_new_source(
    tmp_path: Path,
) -> None:
    path = _rule_file(
        tmp_path,
        "edited",
        """
        def check(record):
            if record.get("name") == "forbidden":
                yield "/name", "reported"
        """,
    )
    (loaded,) = load_rules(str(path))
    assert derive.__wrapped__(loaded.check) is not None
    # The same lines, another condition: a predicate built from this source would be wrong.
    edited = path.read_text(encoding="utf-8").replace('== "forbidden"', '!= "forbidden!"')
    path.write_text(edited, encoding="utf-8")
    linecache.checkcache(str(path))
    assert derive.__wrapped__(loaded.check) is None
    assert not quiet_check((loaded,))(valid_campaign(name="forbidden"))
    assert validate(valid_campaign(name="forbidden"), rules=[loaded]) == [
        Finding("ACME-E001", "error", "/name", "reported")
    ]


def test_code_without_source_is_not_derived() -> None:
    namespace: dict[str, Any] = {"rule": rule}
    exec(
        "def check(record):\n    if record.get('name') == 'x':\n        yield '/name', 'x'\n",
        namespace,
    )
    made = Rule("ACME-E003", "error", "d", "s", ("Campaign",), namespace["check"])
    assert derive(made.check) is None
    assert Finding("ACME-E003", "error", "/name", "x") in validate(
        valid_campaign(name="x"), rules=[made]
    )


# ---- fusing: one function for several rules, each block exactly its rule -----------------------

_FUSED = """
from vox_validators import rule

@rule("ACME-E010", severity="error", description="d", source="s")
def returns_early(record):
    status = record.get("id")
    if status != "never":
        return
    yield "/id", "never"

@rule("ACME-E011", severity="error", description="d", source="s")
def after_an_early_return(record):
    if record.get("name") == "second":
        yield "/name", "second"

@rule("ACME-E012", severity="error", description="d", source="s")
def reads_a_name_another_rule_sets(record):
    # Unbound here, where the first rule's "status" would make it look quiet if shared.
    if record.get("name") == "unbound" and not status:
        yield "/name", "unreachable"
    status = "fine"
    if status != "fine":
        yield "/name", "unreachable"

@rule("ACME-E014", severity="error", description="d", source="s")
def rebinds_its_parameter(record):
    record = {"name": record.get("id")}
    if record["name"] == "rebound":
        yield "/id", "rebound"
    try:
        value = record["missing"]
    except KeyError as error:
        value = error
    if record.get("name") == "raise":
        raise ValueError("raised")

@rule("ACME-E013", severity="error", description="d", source="s")
def returns_inside_a_loop(record):
    for key in ("name", "status"):
        if record.get(key) == "loop":
            return
    if record.get("id") == "loop":
        yield "/id", "loop"
"""


@pytest.fixture(scope="module")
def fused_rules(tmp_path_factory: pytest.TempPathFactory) -> tuple[Rule, ...]:
    path = tmp_path_factory.mktemp("fused") / "acme_fused.py"
    path.write_text(_FUSED, encoding="utf-8")
    return tuple(load_rules(str(path)))


def test_the_fused_rules_are_derived_and_the_loop_return_is_not_fused(
    fused_rules: tuple[Rule, ...],
) -> None:
    fused = {each.id: derive(each.check).body is not None for each in fused_rules}  # type: ignore[union-attr]
    assert fused == {
        "ACME-E010": True,
        "ACME-E011": True,
        "ACME-E012": True,
        "ACME-E013": False,
        "ACME-E014": True,
    }


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"name": "second"}, [("ACME-E011", "/name", "second")]),
        ({"id": "never"}, [("ACME-E010", "/id", "never")]),
        (
            {"name": "unbound"},
            [
                (
                    "internal",
                    "",
                    'rule ACME-E012 failed on this record: UnboundLocalError("cannot access '
                    "local variable 'status' where it is not associated with a value\")",
                )
            ],
        ),
        ({"id": "loop"}, [("ACME-E013", "/id", "loop")]),
        ({"id": "loop", "name": "loop"}, []),
        ({"id": "rebound"}, [("ACME-E014", "/id", "rebound")]),
        (
            {"id": "raise"},
            [("internal", "", "rule ACME-E014 failed on this record: ValueError('raised')")],
        ),
    ],
)
def test_a_fused_block_is_exactly_its_rule(
    fused_rules: tuple[Rule, ...], changes: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    record = valid_campaign(**changes)
    assert quiet_check(fused_rules)(record) == (not expected)
    assert quiet_check(fused_rules)(record) == _generators_are_quiet(fused_rules, record)
    findings = validate_json(json.dumps(record), rules=fused_rules)
    assert [(f.rule, f.path, f.message) for f in findings] == expected


# ---- a rule added at run time, and a rule that raises --------------------------------------------

_NEW_MODULE = """
from vox_validators.rules._registry import rule

@rule("VOX-E998", severity="error", schemas=("Campaign",), description="d", source="a test")
def name_is_not_new(record):
    if record.get("name") == "new":
        yield "/name", "'new' is not a name"

@rule("VOX-E997", severity="error", schemas=("Campaign",), description="d", source="a test")
def agent_version_is_read(record):
    if record["agent"]["agent_version"] == "boom":
        raise RuntimeError("boom")
    if False:
        yield "", ""
"""


@pytest.fixture
def new_module(tmp_path: Path) -> Iterator[None]:
    (tmp_path / "_new_rules_for_the_fast_path.py").write_text(_NEW_MODULE, encoding="utf-8")
    search_path = vox_validators.rules.__path__
    search_path.append(str(tmp_path))
    try:
        discover()
        yield
    finally:
        search_path.remove(str(tmp_path))
        sys.modules.pop("vox_validators.rules._new_rules_for_the_fast_path", None)
        discover()


@pytest.mark.usefixtures("new_module")
def test_a_rule_registered_at_run_time_is_in_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    new = registry().by_id["VOX-E998"]
    assert derive(new.check) is not None  # derived: in the fused check
    assert new in running_for("Campaign")
    assert not quiet_for("Campaign")(valid_campaign(name="new"))
    decoded: list[object] = []
    real = validate_module._decoded_findings

    def spy(*args: Any) -> Any:
        decoded.append(result := real(*args))
        return result

    monkeypatch.setattr(validate_module, "_decoded_findings", spy)
    findings = validate_json(json.dumps(valid_campaign(name="new")))
    assert decoded == [findings]  # the struct tier gave them
    assert findings == [Finding("VOX-E998", "error", "/name", "'new' is not a name")]
    assert validate_json(json.dumps(valid_campaign())) == []


@pytest.mark.usefixtures("new_module")
def test_a_registered_rule_that_raises_is_an_internal_finding() -> None:
    mars = {**valid_campaign()["call_time_window"], "timezone": "Mars/Base"}
    agent = {**valid_campaign()["agent"], "agent_version": "boom"}
    record = valid_campaign(status="draft", call_time_window=mars, agent=agent)
    findings = validate_json(json.dumps(record))
    assert (
        Finding(
            "internal", "error", "", "rule VOX-E997 failed on this record: RuntimeError('boom')"
        )
        in findings
    )
    assert {"VOX-W004", "VOX-E013", "internal"} == {f.rule for f in findings}
    assert validate(record) == findings


def test_an_extra_rule_that_raises_is_an_internal_finding_after_what_it_yielded(
    tmp_path: Path,
) -> None:
    path = tmp_path / "raising.py"
    path.write_text(
        textwrap.dedent(
            """
            from vox_validators import rule

            @rule("ACME-E020", severity="warning", description="d", source="s")
            def yields_then_raises(record):
                if record.get("name") == "boom":
                    yield "/name", "first"
                    raise KeyError("then")
            """
        ),
        encoding="utf-8",
    )
    (loaded,) = load_rules(str(path))
    assert derive(loaded.check) is not None
    findings = validate_json(json.dumps(valid_campaign(name="boom")), rules=[loaded])
    assert findings == [
        Finding("ACME-E020", "warning", "/name", "first"),
        Finding("internal", "error", "", "rule ACME-E020 failed on this record: KeyError('then')"),
    ]
    assert validate_json(json.dumps(valid_campaign()), rules=[loaded]) == []
