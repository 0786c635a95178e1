"""What a procurement owes: each obligation with whether it applies, why, and its source.

Pure: the procurement's facts and the reference data in force arrive as arguments. Boundaries
follow the wording of their source: "and above" means at or above (>=).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.forms.inputs import format_pounds
from app.scoring.reference_data import ReferenceData, ReferenceEntry

STRATEGY_SOURCE = "https://hackney.gov.uk/procurement-strategy"


@dataclass(frozen=True)
class Obligation:
    """One duty: whether it applies to this procurement, the reason in words, and its source."""

    code: str
    title: str
    applies: bool
    reason: str
    source: str
    threshold: ReferenceEntry | None = None


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def primas_requirement(
    value_pence: int, planned_tender_date: date, reference: ReferenceData
) -> Obligation:
    """A PRIMAS at or above the threshold in force on the planned tender date; else Think Local.

    Raises NoValueInForce when no threshold is recorded for that date.
    """
    threshold = reference.in_force("primas_threshold", planned_tender_date)
    value, limit = format_pounds(value_pence), format_pounds(threshold.amount)
    when = _long_date(planned_tender_date)
    if value_pence >= threshold.amount:
        reason = (
            f"The estimated whole-life value of {value} is at or above the PRIMAS threshold of "
            f"{limit} in force on the planned tender date, {when}. A PRIMAS must be completed "
            "and approved before the procurement goes to tender."
        )
        return Obligation("primas", "PRIMAS required", True, reason, STRATEGY_SOURCE, threshold)
    reason = (
        f"The estimated whole-life value of {value} is below the PRIMAS threshold of {limit} in "
        f"force on the planned tender date, {when}. No PRIMAS is needed: Think Local instead, "
        "and seek quotes from local suppliers and from the voluntary and community sector."
    )
    return Obligation("primas", "Think Local", False, reason, STRATEGY_SOURCE, threshold)
