"""The council's £100k rule: a PRIMAS at or above the threshold, Think Local below it."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from app.scoring.obligations.model import Basis, Obligation, in_force, long_date, pounds
from app.scoring.reference_data import ReferenceData

if TYPE_CHECKING:
    from app.forms.conditions import ProcurementContext

STRATEGY_SOURCE = "https://hackney.gov.uk/procurement-strategy"
# The Living Wage Foundation's test for contracted staff: it has no value threshold.
LLW_TEST = (
    "anyone who will work on the contract on council premises, or on premises the work needs, "
    "for 2 or more hours on any day of the week, for 8 or more consecutive weeks of the year"
)


def primas_requirement(
    value_pence: int, planned_tender_date: date, reference: ReferenceData
) -> Obligation:
    """A PRIMAS at or above the threshold in force on the planned tender date; else Think Local.

    Raises NoValueInForce when no threshold is recorded for that date.
    """
    threshold = reference.in_force("primas_threshold", planned_tender_date)
    value, limit = pounds(value_pence), pounds(threshold.amount)
    when = long_date(planned_tender_date)
    policy = partial(Obligation, source=STRATEGY_SOURCE, threshold=threshold, basis=Basis.POLICY)
    if value_pence >= threshold.amount:
        reason = (
            f"The estimated whole-life value of {value} is at or above the PRIMAS threshold of "
            f"{limit} in force on the planned tender date, {when}. A PRIMAS must be completed "
            "and approved before the procurement goes to tender."
        )
        action = "Complete this PRIMAS and have it approved before the tender is published."
        return policy("primas", "PRIMAS required", True, reason, action=action)
    reason = (
        f"The estimated whole-life value of {value} is below the PRIMAS threshold of {limit} in "
        f"force on the planned tender date, {when}. No PRIMAS is needed: Think Local instead, "
        "and seek quotes from local suppliers and from the voluntary and community sector. "
        f"The London Living Wage still applies, whatever the value, to {LLW_TEST}."
    )
    return policy("primas", "Think Local", False, reason)


def primas(context: ProcurementContext, reference: ReferenceData) -> Obligation:
    """The £100k rule for the procurement, or why it cannot be decided yet."""
    on = context.planned_tender_date
    found = in_force(reference, on, "primas_threshold")
    if isinstance(found, str) or on is None:
        reason = found if isinstance(found, str) else ""
        return Obligation("primas", "PRIMAS", False, reason, STRATEGY_SOURCE, confirmed=False,
                          basis=Basis.POLICY)  # fmt: skip
    return primas_requirement(context.value_pence, on, reference)
