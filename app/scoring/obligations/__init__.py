"""What a procurement owes: each obligation with whether it applies, why, its basis (law,
council policy or recommended practice) and its source.

Pure: the procurement's facts, the answers that count and the reference data arrive as
arguments. Every obligation is always listed, applying or not, with the reason in words.
Boundaries follow the wording of their source: "and above" and "not less than" mean at or
above (>=); "over" and "more than" mean strictly above (>). docs/scoring.md lists each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.scoring.obligation_codes import OBLIGATION_CODES
from app.scoring.obligations.living_wage import london_living_wage
from app.scoring.obligations.model import (
    BASIS_LABELS,
    Basis,
    Obligation,
    Obligations,
    Weighting,
    percent,
)
from app.scoring.obligations.modern_slavery import modern_slavery, modern_slavery_statement
from app.scoring.obligations.policy import carbon_reduction_plan, weighting
from app.scoring.obligations.primas import primas, primas_requirement
from app.scoring.obligations.procurement_act import (
    above_threshold,
    kpi_duty,
    payment_terms,
    social_value_act,
)
from app.scoring.reference_data import ReferenceData

if TYPE_CHECKING:
    from app.forms.conditions import ProcurementContext
    from app.scoring.rules import ScoringRules

__all__ = [
    "ANSWER_DEPENDENT", "BASIS_LABELS", "OBLIGATION_CODES", "OBLIGATION_RULES", "Basis",
    "Obligation", "Obligations", "RulesRevision", "Weighting", "above_threshold", "by_basis",
    "obligations_for_answers", "on_the_record", "percent", "primas_requirement",
]  # fmt: skip


@dataclass(frozen=True)
class RulesRevision:
    """A dated revision of the rules for what a procurement owes, and what it changed. Drafts
    whose lead last looked before it say so on their task list until the lead has read it."""

    revised_on: date
    changes: tuple[str, ...]

    @property
    def marker(self) -> str:
        """How a draft records that its lead has seen this revision."""
        return self.revised_on.isoformat()


OBLIGATION_RULES = RulesRevision(
    date(2026, 12, 5),
    (
        "Each obligation now says whether it is law, council policy or recommended practice.",
        "Paying within 30 days is listed: the law requires it of the council and of everyone "
        "down the supply chain, whatever the contract's value.",
        "The London Living Wage follows the Living Wage Foundation's test for each worker, not "
        "an average of hours; care in people's own homes follows the council's own policy.",
        "The Procurement Act's KPI duty applies only to public contracts over £5 million, "
        "covers call-offs from a framework but not setting one up, and can be set aside by "
        "recording why performance cannot be assessed by KPIs.",
        "The carbon reduction plan and the social value weighting apply while the council has "
        "adopted PPN 006 and PPN 002 as its policy.",
        "Modern slavery industry risks were reviewed against PPN 009; the supplier's own "
        "modern slavery statement is listed on its own, as the supplier's legal duty.",
    ),
)


def obligations_for_answers(
    rules: ScoringRules,
    context: ProcurementContext,
    answers: dict[str, Any],
    reference: ReferenceData,
    *,
    as_of: date,
    slavery_risk: int,
    high_priority_social: tuple[str, ...],
    kpi_exception: str | None = None,
) -> Obligations:
    """Every obligation for this procurement and the answers that count, in a fixed order.

    `kpi_exception` is the lead's recorded reason why performance could not appropriately be
    assessed by KPIs (Procurement Act 2023 s.52(2)), if they gave one.
    """
    duties = rules.obligations
    slavery, level, blockers = modern_slavery(duties.modern_slavery, answers, slavery_risk)
    weighting_obligation, weighting_result = weighting(context, reference, high_priority_social)
    payment = duties.payment
    found = (
        primas(context, reference),
        social_value_act(context, reference),
        kpi_duty(context, reference, kpi_exception),
        payment_terms(
            context,
            reference,
            reporting=answers.get(payment.reporting) if payment.reporting else None,
            settled=any(qid in answers for qid in payment.settled_by_law),
        ),
        london_living_wage(duties.london_living_wage, context, answers, reference, as_of),
        slavery,
        modern_slavery_statement(duties.modern_slavery, answers),
        carbon_reduction_plan(context, reference),
        weighting_obligation,
    )
    blocked = (
        ((duties.modern_slavery.mitigation, "Add at least one mitigation action: the modern "
          "slavery risk is high"),)
        if blockers
        else ()
    )  # fmt: skip
    return Obligations(found, weighting_result, level, blockers, blocked)


def on_the_record(
    context: ProcurementContext, reference: ReferenceData, kpi_exception: str | None = None
) -> tuple[Obligation, ...]:
    """The obligations the procurement's record alone decides, before any answers: the £100k
    rule, the Social Value Act, the KPI duty, paying within 30 days, the carbon reduction plan
    and the minimum social value weighting (which high-priority social topics may raise)."""
    return (
        primas(context, reference),
        social_value_act(context, reference),
        kpi_duty(context, reference, kpi_exception),
        payment_terms(context, reference, reporting=None, settled=False),
        carbon_reduction_plan(context, reference),
        weighting(context, reference, ())[0],
    )


# The obligations that depend on the PRIMAS answers, by code: the record cannot decide them.
ANSWER_DEPENDENT = ("london-living-wage", "modern-slavery", "modern-slavery-statement")


def by_basis(obligations: tuple[Obligation, ...]) -> list[tuple[Basis, list[Obligation]]]:
    """The obligations under their basis headings (law, council policy, recommended practice),
    each heading in that order and only where it has obligations."""
    groups = [(basis, [o for o in obligations if o.basis is basis]) for basis in Basis]
    return [(basis, members) for basis, members in groups if members]
