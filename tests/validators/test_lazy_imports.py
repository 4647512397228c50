"""jsonschema (and ``referencing``) are imported only when a record needs the exact path's
fallback or someone asks for a validator: ``voxkit validate one.json`` starts without them.

Each check runs in a fresh interpreter, where nothing else has imported them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.support.campaigns import valid_campaign

_PRELUDE = """
import json, sys
import vox_validators
from vox_validators import validate, validate_json, RULES
from vox_validators.sources import iter_records
from vox_validators.sources._validate_record import validate_record

RECORD = json.loads(sys.argv[1])
DATA = json.dumps(RECORD).encode()

def loaded():
    return sorted(name for name in ("jsonschema", "referencing") if name in sys.modules)
"""


def _run(body: str) -> list[str]:
    script = _PRELUDE + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(valid_campaign())],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_valid_records_are_validated_without_jsonschema() -> None:
    lines = _run(
        """
        assert validate_json(DATA) == []
        assert validate_json(DATA.decode()) == []
        unknown = dict(RECORD, added_by_the_api={"x": [1]})
        assert validate_json(json.dumps(unknown)) == []  # the predicate tier
        assert [f.rule for f in validate_json(json.dumps(unknown), strict=True)] == ["drift"]
        assert validate(RECORD) == []
        (record,) = iter_records(DATA, format="json")
        assert validate_record(record) == []
        assert validate_record(record, rules=RULES) == []
        assert validate_record(record, strict=True, rules=RULES) == []
        print(loaded())
        """
    )
    assert lines == ["[]"]


def test_schema_invalid_records_are_validated_without_jsonschema() -> None:
    """The compiled errors vouch for plain JSON values: no fallback either."""
    lines = _run(
        """
        bad = dict(RECORD, concurrency=0, status="finished", paused_by="admin")
        del bad["id"]
        rules = [f.rule for f in validate_json(json.dumps(bad))]
        assert rules == ["schema/required", "schema/enum", "schema/minimum", "schema/anyOf"]
        assert [f.rule for f in validate(bad)] == rules
        print(loaded())
        """
    )
    assert lines == ["[]"]


def test_the_fallback_and_validators_still_import_jsonschema() -> None:
    lines = _run(
        """
        class Text(str):
            pass

        findings = validate(dict(RECORD, name=Text("")))  # no exact JSON type: jsonschema
        assert [f.rule for f in findings] == ["schema/minLength", "schema/pattern"], findings
        print(loaded())
        """
    )
    assert lines == ["['jsonschema', 'referencing']"]


def test_an_unknown_schema_name_is_the_same_key_error_without_jsonschema() -> None:
    lines = _run(
        """
        for call in (lambda: validate_json(DATA, "Nope"), lambda: validate(RECORD, "Nope")):
            try:
                call()
            except KeyError as error:
                print(error.args[0])
        print(loaded())
        """
    )
    known = (
        "AgentRef, CallTimeWindow, CallWindow, Campaign, CampaignName, CampaignStatus, "
        "CampaignTask, CreateCampaignRequest, ErrorBody, ErrorDetails, ErrorEnvelope, PausedBy, "
        "UnixMillis, UpdateCampaignRequest, Weekday"
    )
    message = f"'Nope' is not a schema of the spec; known: {known}"
    assert lines == [message, message, "[]"]
