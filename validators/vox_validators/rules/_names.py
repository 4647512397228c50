"""The campaign name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vox_validators.rules._docs import CREATE_PAGE, UPDATE_PAGE
from vox_validators.rules._registry import CAMPAIGN, REQUESTS, rule


@rule(
    "VOX-E012",
    severity="error",
    schemas=(CAMPAIGN, *REQUESTS),
    description="name is 1..255 characters and not only whitespace.",
    source=f"{CREATE_PAGE}: '캠페인 이름. 1~255자. 공백만으로는 생성할 수 없습니다.'; {UPDATE_PAGE}: "
    "null, '' or whitespace-only names are refused with 400.",
)
def name_has_1_to_255_characters(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    # str.isspace and the request schemas' pattern \S agree on every character.
    name = record.get("name")
    if type(name) is not str or (0 < len(name) <= 255 and not name.isspace()):
        return
    if len(name) > 255:
        message = f"{name[:20] + '...'!r} has {len(name)} characters, more than 255"
    else:
        message = f"{name!r} is {'empty' if not name else 'only whitespace'}"
    yield "/name", message + ": a name has 1..255 characters"
