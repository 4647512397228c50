"""The agent that places the calls."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from vox_validators.rules._docs import GET_PAGE
from vox_validators.rules._registry import CAMPAIGN, CREATE, rule

# The 8-4-4-4-12 form only: uuid.UUID also takes braces, "urn:uuid:" and no hyphens.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@rule(
    "VOX-E014",
    severity="error",
    schemas=(CAMPAIGN, CREATE),
    description="agent.agent_id is a UUID (8-4-4-4-12 hexadecimal digits, either case).",
    source=f"{GET_PAGE}: agent.agent_id is the agent's ID, a uuid (the spec's AgentRef.agent_id, "
    "'format: uuid', which JSON Schema does not assert; the strict client refuses anything else).",
)
def agent_id_is_a_uuid(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    agent = record.get("agent")
    if type(agent) is not dict:
        return
    agent_id = agent.get("agent_id")
    if type(agent_id) is str and _UUID.fullmatch(agent_id) is None:
        yield "/agent/agent_id", f"{agent_id!r} is not a UUID (8-4-4-4-12 hexadecimal digits)"
