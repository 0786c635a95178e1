"""Reading a number that a person typed, by one set of rules for every field: money, whole
numbers, percentages, answers to number questions and KPI targets.

The rules: ASCII digits only (another script's digits are refused, not read); commas only
between thousands ("1,250,000", never "12,50"); at most one decimal point, with digits after it;
a minus sign is read (so the field can say the number must be more than its minimum) but not a
plus; at most 10,000 characters (a long paste is read, and said to be too big). Decimal
places are counted as typed: "1.230" has three, so a field that allows two refuses it rather
than read it as 1.23, since it may be one thousand two hundred and thirty written the European
way. Pure: each field says in its own words what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# £10bn in pence: the most any money field accepts, far above any council contract.
MONEY_CEILING_PENCE = 10_000_000_000 * 100
MAX_LENGTH = 10_000
_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?", re.ASCII)


@dataclass(frozen=True)
class TypedNumber:
    """A number as typed: its exact value and how many decimal places were typed."""

    value: Decimal
    places: int


def read_number(text: str) -> TypedNumber | None:
    """`text` (without its unit, such as "£" or "%") read by the rules above; None when it is
    not a number by them. Surrounding white space is ignored."""
    cleaned = text.strip()
    if len(cleaned) > MAX_LENGTH:
        return None
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        return None
    return TypedNumber(Decimal(cleaned.replace(",", "")), len(match.group(1) or ""))
