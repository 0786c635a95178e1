"""Council policy adopted from central-government notes: the carbon reduction plan (PPN 006) and
the minimum social value weighting (PPN 002). Both notes are written for central government, so
each applies only while the council's recorded decision (a yes/no reference value) says yes.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from app.scoring.obligations.model import (
    Basis,
    Obligation,
    Weighting,
    adopted,
    in_force,
    not_policy,
    percent,
    pounds,
)
from app.scoring.reference_data import ReferenceData

if TYPE_CHECKING:
    from app.forms.conditions import ProcurementContext

PPN_006 = (
    "https://www.gov.uk/government/publications/ppn-006-taking-account-of-carbon-reduction-"
    "plans-in-the-procurement-of-major-government-contracts"
)
PPN_002 = (
    "https://www.gov.uk/government/publications/ppn-002-taking-account-of-social-value-in-"
    "the-award-of-contracts"
)
SOCIAL_VALUE_SUPPLIER = (
    "Deliver the social value commitments made in its tender, and report on them as the key "
    "performance indicators below require."
)


def carbon_reduction_plan(context: ProcurementContext, reference: ReferenceData) -> Obligation:
    """Bidders provide a carbon reduction plan when the annual value is over the policy line,
    while PPN 006 is council policy."""
    code, title = "carbon-reduction-plan", "Carbon reduction plan"
    policy = partial(Obligation, source=PPN_006, basis=Basis.POLICY)
    found = in_force(reference, context.planned_tender_date, "policy_carbon_reduction_plan",
                     "carbon_plan_threshold")  # fmt: skip
    if isinstance(found, str):
        return policy(code, title, False, found, confirmed=False)
    decision, threshold = found
    if not adopted(decision):
        reason = not_policy(decision, "PPN 006, written for central government,")
        return policy(code, title, False, reason, adopted=False)
    value, limit = pounds(context.annual_value_pence), pounds(threshold.amount)
    if context.annual_value_pence <= threshold.amount:
        reason = f"The annual value of {value} is not over {limit} a year."
        return policy(code, title, False, reason, threshold=threshold)
    reason = (
        f"The annual value of {value} is over {limit} a year, and the council applies PPN 006 "
        "as its own policy."
    )
    action = (
        "Require bidders to provide a carbon reduction plan committing to net zero by 2050, "
        "reporting Scope 1 and 2 emissions and Scope 3 categories 4, 5, 6, 7 and 9."
    )
    supplier = (
        "Provide, and keep up to date for the life of the contract, a carbon reduction plan "
        "committing to net zero by 2050 and reporting Scope 1 and 2 emissions and Scope 3 "
        "categories 4, 5, 6, 7 and 9."
    )
    return policy(code, title, True, reason, threshold=threshold, action=action,
                      supplier=supplier)  # fmt: skip


WEIGHTING_KEYS = (
    "policy_social_value_weighting", "primas_threshold", "sv_weighting_minimum",
    "sv_weighting_high_value_from", "sv_weighting_high_value_uplift",
    "sv_weighting_priority_topics", "sv_weighting_priority_uplift", "sv_weighting_maximum",
)  # fmt: skip


def weighting(
    context: ProcurementContext, reference: ReferenceData, high_priority_social: tuple[str, ...]
) -> tuple[Obligation, Weighting]:
    """The recommended minimum social value weighting, while it is council policy: the minimum
    at or above the PRIMAS threshold, plus uplifts for higher value and for high-priority social
    topics, capped."""
    code, title = "social-value-weighting", "Social value weighting"
    policy = partial(Obligation, source=PPN_002, basis=Basis.POLICY)
    none = Weighting(None, ())
    found = in_force(reference, context.planned_tender_date, *WEIGHTING_KEYS)
    if isinstance(found, str):
        return policy(code, title, False, found, confirmed=False), none
    decision, primas = found[0], found[1]
    if not adopted(decision):
        reason = not_policy(decision, "A minimum weighting after PPN 002, written for central "
                            "government,")  # fmt: skip
        return policy(code, title, False, reason, adopted=False), none
    minimum, high_from, high_uplift, needed, priority_uplift, maximum = (
        entry.amount for entry in found[2:]
    )
    if context.value_pence < primas.amount:
        reason = f"Below the PRIMAS threshold of {pounds(primas.amount)}: no minimum is set."
        return policy(code, title, False, reason), none
    steps = [(minimum, f"as the minimum at or above the PRIMAS threshold of "
                       f"{pounds(primas.amount)}")]  # fmt: skip
    if context.value_pence >= high_from:
        steps.append((high_uplift, f"for a value of {pounds(high_from)} or more"))
    if len(high_priority_social) >= needed:
        names = ", ".join(high_priority_social)
        steps.append((priority_uplift, f"for {len(high_priority_social)} high-priority social "
                      f"topics ({needed} needed): {names}"))  # fmt: skip
    total = sum(points for points, _ in steps)
    if total > maximum:
        steps.append((maximum - total, f"to keep to the most recommended, {percent(maximum)}"))
        total = maximum
    result = Weighting(total, tuple(steps))
    reason = " + ".join(f"{percent(points)} {why}" for points, why in steps if points > 0)
    if total == maximum and any(points < 0 for points, _ in steps):
        reason += f", capped at {percent(maximum)}"
    action = (
        f"Give social value at least {percent(total)} of the tender evaluation, using "
        "evaluation questions based on this assessment's priorities."
    )
    obligation = policy(code, f"{title}: at least {percent(total)}", True, reason,
                            action=action, supplier=SOCIAL_VALUE_SUPPLIER)  # fmt: skip
    return obligation, result
