"""Outcome reports the rules accept and refuse (issue 21), one table for the service, the API
and the page's form, so that all three are shown to take and refuse the same reports. Dates
are relative to today (London), as the rule "the period must have ended" is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.timeutil import london_today

TODAY = london_today()
START = TODAY - timedelta(days=90)
END = TODAY - timedelta(days=1)


@dataclass(frozen=True)
class Case:
    """A report as typed, and the fields refused (none: accepted)."""

    name: str
    start: date | None
    end: date | None
    actual: str
    commentary: str = ""
    refused: frozenset[str] = frozenset()


def _refused(*fields: str) -> frozenset[str]:
    return frozenset(fields)


CASES = [
    Case("a period ended yesterday", START, END, "70"),
    Case("a day that ends today", TODAY, TODAY, "0"),
    Case("a whole year", date(2025, 1, 1), date(2025, 12, 31), "-1,250.5"),
    Case("the largest figure, with the longest commentary", START, END, "99,999,999,999.9999",
         "x" * 2000),
    # An annual period from a 29 February start: 28 February to 28 February of a leap year.
    Case("a year ending on its anniversary", date(2023, 2, 28), date(2024, 2, 28), "70"),
    Case("the end before the start", END, START, "70", refused=_refused("period_end")),
    Case("a period not yet ended", TODAY, TODAY + timedelta(days=1), "70",
         refused=_refused("period_end")),
    Case("more than a year", date(2025, 1, 1), date(2026, 1, 2), "70",
         refused=_refused("period_end")),
    Case("before 2000", date(1999, 12, 1), date(1999, 12, 31), "70",
         refused=_refused("period_start")),
    Case("no start", None, END, "70", refused=_refused("period_start")),
    Case("a figure in words", START, END, "seventy", refused=_refused("actual")),
    Case("no figure", START, END, "", refused=_refused("actual")),
    Case("five decimal places", START, END, "70.12345", refused=_refused("actual")),
    Case("a trillion", START, END, "1,000,000,000,000", refused=_refused("actual")),
    Case("sixteen digits", START, END, "999,999,999,999.9999", refused=_refused("actual")),
    Case("another script's digits", START, END, "\uff17\uff10", refused=_refused("actual")),
    Case("commentary too long", START, END, "70", "x" * 2001, refused=_refused("commentary")),
    Case("everything wrong", END, START, "many", "x" * 2001,
         refused=_refused("period_end", "actual", "commentary")),
]  # fmt: skip
IDS = [case.name for case in CASES]
