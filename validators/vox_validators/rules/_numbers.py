"""Phone numbers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vox_validators.rules._docs import CREATE_PAGE, GET_PAGE
from vox_validators.rules._registry import CAMPAIGN, CREATE, rule


@rule(
    "VOX-E011",
    severity="error",
    schemas=(CAMPAIGN, CREATE),
    description="from_number and presentation_number are hyphen-less digit strings.",
    source=f"{GET_PAGE} and {CREATE_PAGE}: from_number '발신 번호 (하이픈 없는 국내 번호)'; "
    "presentation_number: organisation-approved numbers, stored as digits.",
)
def numbers_are_digit_strings(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    # isdigit alone takes other scripts' digits ('٠١٢'); a null presentation_number is fine.
    number = record.get("from_number")
    if type(number) is str and not (number.isdigit() and number.isascii()):
        yield "/from_number", f"{number!r} is not a hyphen-less digit string"
    number = record.get("presentation_number")
    if type(number) is str and not (number.isdigit() and number.isascii()):
        yield "/presentation_number", f"{number!r} is not a hyphen-less digit string"
