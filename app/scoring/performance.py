"""Contract performance: when a KPI's reports fall due, and the rating a reported outcome
suggests. Pure: the service layer hands over dates, targets and the bands in force.

The ratings are the five the Procurement Act 2023 s.71 assessment uses in a contract performance
notice (the Procurement Regulations 2024; described in the Cabinet Office's guidance, "Contract
Performance Notices", https://www.gov.uk/government/publications/procurement-act-2023-guidance-
documents-manage-phase/guidance-contract-performance-notices-html): good, approaching target,
requires improvement, inadequate and other. Which shortfall counts as "close to" or
"significantly below" the target is not set by law: it is the council's, held as reference data
(rating_approaching_within, rating_improvement_within) and set out in docs/api.md.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from app.scoring.reference_data import percent

Better = Literal["higher", "lower"]
Frequency = Literal["monthly", "quarterly", "six-monthly", "annually"]
MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "six-monthly": 6, "annually": 12}


class Rating(StrEnum):
    """A KPI's rating for a period (Procurement Act 2023 s.71)."""

    GOOD = "good"
    APPROACHING = "approaching-target"
    REQUIRES_IMPROVEMENT = "requires-improvement"
    INADEQUATE = "inadequate"
    OTHER = "other"

    @property
    def words(self) -> str:
        """As the notice names it."""
        return RATING_WORDS[self]


RATING_WORDS = {
    Rating.GOOD: "Good",
    Rating.APPROACHING: "Approaching target",
    Rating.REQUIRES_IMPROVEMENT: "Requires improvement",
    Rating.INADEQUATE: "Inadequate",
    Rating.OTHER: "Other",
}
# What each means, in the words of the Cabinet Office's guidance.
RATING_MEANINGS = {
    Rating.GOOD: "Performance is meeting or exceeding the KPI.",
    Rating.APPROACHING: "Performance is close to meeting the KPI.",
    Rating.REQUIRES_IMPROVEMENT: "Performance is below the KPI.",
    Rating.INADEQUATE: "Performance is significantly below the KPI.",
    Rating.OTHER: "Performance cannot be described as good, approaching target, requires "
    "improvement or inadequate: nothing was reported, or the period sets the baseline.",
}


@dataclass(frozen=True)
class Bands:
    """How far short of its target an outcome may fall and still be "approaching target", or
    "requires improvement" rather than "inadequate": each a share of the target, in basis
    points (1000 is 10%), boundaries included."""

    approaching_within: int
    improvement_within: int

    def __post_init__(self) -> None:
        if not 0 <= self.approaching_within <= self.improvement_within:
            raise ValueError("the approaching band must be no wider than the improvement band")


@dataclass(frozen=True)
class Suggestion:
    """The rating an outcome suggests, and why, in words for the page."""

    rating: Rating
    why: str


def shortfall(target: Decimal, actual: Decimal, better: Better) -> Decimal:
    """How far the actual misses the target, as a share of it (0 when met or beaten). A miss
    of a zero target is total."""
    missed = target - actual if better == "higher" else actual - target
    if missed <= 0:
        return Decimal(0)
    if target == 0:
        return Decimal("Infinity")
    return missed / abs(target)


def suggest(
    target: Decimal | None, actual: Decimal | None, better: Better, bands: Bands
) -> Suggestion:
    """The rating an outcome suggests against its target (an editor confirms or changes it)."""
    if actual is None:
        return Suggestion(Rating.OTHER, "Nothing was reported for the period.")
    if target is None:
        return Suggestion(Rating.OTHER, "The period sets the baseline: there is no target yet.")
    miss = shortfall(target, actual, better)
    meets = "at least" if better == "higher" else "at most"
    if miss == 0:
        return Suggestion(Rating.GOOD, f"The target was {meets} {target:f} and it was met.")
    missed = "below" if better == "higher" else "above"
    if miss * 10000 <= bands.approaching_within:
        return Suggestion(Rating.APPROACHING, f"Within {percent(bands.approaching_within)} "
                          f"{missed} the target of {meets} {target:f}.")  # fmt: skip
    if miss * 10000 <= bands.improvement_within:
        return Suggestion(Rating.REQUIRES_IMPROVEMENT,
                          f"More than {percent(bands.approaching_within)} and at most "
                          f"{percent(bands.improvement_within)} {missed} the target of "
                          f"{meets} {target:f}.")  # fmt: skip
    return Suggestion(Rating.INADEQUATE, f"More than {percent(bands.improvement_within)} "
                      f"{missed} the target of {meets} {target:f}.")  # fmt: skip


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period, both days included."""

    start: date
    end: date

    def overlaps(self, other: Period) -> bool:
        """Whether the two share a day."""
        return self.start <= other.end and other.start <= self.end


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter (31 January and
    one month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def periods(start: date, term_months: int, frequency: str) -> list[Period]:
    """The contract's reporting periods for a KPI: one every `frequency` from the contract's
    start, over its initial term (the last may be short if the term does not divide)."""
    step = MONTHS[frequency]
    ends = add_months(start, term_months)
    found = []
    number = 0
    while (begins := add_months(start, number * step)) < ends:
        found.append(Period(begins, min(add_months(start, (number + 1) * step), ends)
                            - timedelta(days=1)))  # fmt: skip
        number += 1
    return found


def covered(period: Period, reported: list[Period]) -> bool:
    """Whether the reports between them cover every day of the period."""
    reaches = period.start
    for report in sorted(reported):
        if report.start > reaches:
            break
        reaches = max(reaches, report.end + timedelta(days=1))
        if reaches > period.end:
            return True
    return False


def overdue(
    scheduled: list[Period], reported: list[Period], today: date, grace_days: int
) -> list[Period]:
    """The scheduled periods whose report is due (`grace_days` after the period ends have
    passed) and that the reports do not cover, every day of them."""
    return [
        period for period in scheduled
        if period.end + timedelta(days=grace_days) < today and not covered(period, reported)
    ]  # fmt: skip
