"""The London Living Wage: council policy, applied per worker by the Living Wage Foundation's
test, with care in people's own homes as a council policy choice of its own.

The test (https://www.livingwage.org.uk/what-real-living-wage, and the Foundation's FAQs): a
contracted worker who works regularly on the client's premises, or on premises necessary to the
work, for 2 or more hours on any day of the week, for 8 or more consecutive weeks of the year.
Apprentices, interns and volunteers are outside it. It has no value threshold.

Version 1 of the questions asked whether staff would work on the premises and their average
hours and weeks; later versions ask the test itself. Both are read here, so every draft gets the
same rule: where version 1's answers cannot show that no worker meets the test (an average under
2 hours a day), it is treated as applying until the answers say otherwise.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.scoring.obligations.model import Basis, Obligation, adopted, long_date, pounds
from app.scoring.obligations.primas import LLW_TEST
from app.scoring.reference_data import NoValueInForce, ReferenceData, ReferenceEntry

if TYPE_CHECKING:
    from app.forms.conditions import ProcurementContext
    from app.scoring.rules import LivingWageRules

LLW_SOURCE = "https://www.livingwage.org.uk/what-real-living-wage"
CODE, TITLE = "london-living-wage", "London Living Wage"
EXCLUDED = "Apprentices, interns and volunteers are outside this requirement."
LLW_ACTION = (
    f"Require the supplier and its subcontractors to pay at least the London Living Wage to "
    f"{LLW_TEST}, and each new rate by its pay-by date. {EXCLUDED}"
)
LLW_SUPPLIER = (
    "Pay at least the London Living Wage to everyone who works on the contract, subcontractors' "
    "staff included, on council premises or on premises the work needs, for 2 or more hours on "
    "any day of the week for 8 or more consecutive weeks of the year; pay each new rate by its "
    f"pay-by date (six months after it is announced). {EXCLUDED}"
)
HOME_CARE_SUPPLIER = (
    " Pay care workers who work in people's own homes at least the London Living Wage too, "
    "including for the time they spend travelling between visits."
)


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _home_care(
    context: ProcurementContext, reference: ReferenceData
) -> tuple[ReferenceEntry | None, tuple[str, str]]:
    """The council's decision on care in people's own homes, and the fact row that says it."""
    on = context.planned_tender_date
    try:
        decision = reference.in_force("policy_llw_home_care", on) if on else None
    except NoValueInForce:
        decision = None
    if decision is None:
        return None, ("Care in people's own homes", "No council decision is recorded for the "
                      "planned tender date")  # fmt: skip
    way = "covered" if adopted(decision) else "not covered"
    note = f" ({decision.note})" if decision.note else ""
    words = f"{way.capitalize()}: council policy from {long_date(decision.effective_from)}{note}"
    return decision, ("Care in people's own homes", words)


def london_living_wage(
    rules: LivingWageRules,
    context: ProcurementContext,
    answers: dict[str, Any],
    reference: ReferenceData,
    as_of: date,
) -> Obligation:
    """Whether anyone on the contract must be paid at least the London Living Wage, and why."""
    facts = _llw_facts(context, reference, as_of)
    homes = _care_in_homes(rules, context, answers)
    decision, home_fact = _home_care(context, reference) if homes else (None, None)
    if home_fact:
        facts += (home_fact,)
    in_homes = homes in ("yes", "not-known")
    covers = decision is not None and adopted(decision)
    undecided = in_homes and decision is None
    if homes == "yes" and covers:
        reason = (
            "Care will be delivered in people's own homes, and the council's policy is that "
            "care workers there are paid at least the London Living Wage. The Living Wage "
            "Foundation's premises test does not bring them in by itself: this is the "
            "council's choice."
        )
        return _applies(reason, facts, homes=True)
    worker = (
        _per_worker(rules, answers) if rules.meets_test
        else _version_1(rules, answers, homes_excluded=in_homes and not covers)
    )  # fmt: skip
    state, reason = worker
    if undecided and state != "yes":
        state = "unknown"
        reason += (
            " No council decision on care in people's own homes is recorded for the planned "
            "tender date, so it is treated as applying until one is."
        )
    elif homes == "yes" and decision is not None and not covers:
        reason += (
            " Care in people's own homes is outside the council's Living Wage policy from "
            f"{long_date(decision.effective_from)}, so it counts only workers on council "
            "premises or premises the work needs."
        )
    elif homes == "not-known" and covers and state == "no":
        state = "unknown"
        reason += (
            " Whether care will be delivered in people's own homes is not known yet; the "
            "council's policy covers care workers there, so it is treated as applying until "
            "you know."
        )
    homes_required = in_homes and (covers or undecided)
    if state == "yes":
        return _applies(reason, facts, homes=homes_required)
    if state == "unknown":
        return _applies(reason, facts, homes=homes_required, confirmed=False)
    return Obligation(CODE, TITLE, False, reason, LLW_SOURCE, facts=facts, basis=Basis.POLICY)


def _care_in_homes(
    rules: LivingWageRules, context: ProcurementContext, answers: dict[str, Any]
) -> str | None:
    """'yes', 'no' or 'not-known' when care in people's own homes is in question, else None.

    Where the question is asked, its answer; a care category's unanswered question is read as
    not known yet (the cautious reading). Version 1 asked no such question: its home care
    category is that work, and in the categories where some of it may be, it is not known."""
    category = context.category
    if rules.care_in_homes:
        answer = answers.get(rules.care_in_homes)
        if answer is not None:
            return str(answer)
        return "not-known" if category in rules.care_in_homes_categories else None
    if category in rules.care_in_homes_categories:
        return "yes"
    return "not-known" if category in rules.care_in_homes_possible else None


def _per_worker(rules: LivingWageRules, answers: dict[str, Any]) -> tuple[str, str]:
    """The test asked directly: will anyone meet it?"""
    answer = answers.get(rules.meets_test or "")
    if answer == "yes":
        return "yes", f"At least one person meets the Living Wage Foundation's test: {LLW_TEST}."
    if answer == "no":
        return "no", f"No one will meet the Living Wage Foundation's test: {LLW_TEST}."
    said = "is not known yet" if answer == "not-known" else "has not been answered yet"
    return "unknown", (
        f"Whether anyone meets the Living Wage Foundation's test {said}. It is treated as "
        f"applying until you know: it covers {LLW_TEST}."
    )


def _version_1(
    rules: LivingWageRules, answers: dict[str, Any], *, homes_excluded: bool
) -> tuple[str, str]:
    """Version 1's answers: on the premises, then an average of hours a day and weeks in a row."""
    on_premises = answers.get(rules.on_premises or "")
    if on_premises == "no":
        return "no", (
            "The supplier's staff will not work on council premises or premises the work needs."
        )
    if on_premises != "yes":
        said = "is not known yet" if on_premises == "not-known" else "has not been answered yet"
        return "unknown", (
            f"Whether the supplier's staff will work on council premises {said}. It is treated "
            f"as applying until you know: it covers {LLW_TEST}."
        )
    hours = _number(answers.get(rules.hours_per_day or ""))
    weeks = _number(answers.get(rules.weeks_per_year or ""))
    if hours is None or weeks is None:
        return "unknown", (
            "Staff will work on council premises. Give their hours a day and weeks a year to "
            f"confirm: it covers {LLW_TEST}."
        )
    worked = f"{hours:f} hours a day for {weeks:f} consecutive weeks a year"
    if weeks < rules.minimum_weeks:
        return "no", (
            f"Staff will work on council premises {worked}: fewer than "
            f"{rules.minimum_weeks} consecutive weeks, so no one meets the test."
        )
    if hours >= rules.minimum_hours_per_day and not homes_excluded:
        return "yes", f"Staff will work on council premises {worked}: the test covers {LLW_TEST}."
    if homes_excluded:
        return "unknown", (
            f"Staff will work {worked}, but this draft's question may have counted work in "
            "people's own homes too. It is treated as applying until you confirm whether anyone "
            "works on council premises or premises the work needs: the newer version of the "
            "questions asks this directly."
        )
    return "unknown", (
        f"Staff will work on council premises {worked}. That is an average, and the test is "
        f"per worker: it applies if anyone works there {rules.minimum_hours_per_day} hours or "
        "more on any day. It is treated as applying until you confirm that no one does: the "
        "newer version of the questions asks this directly."
    )


def _applies(
    reason: str, facts: tuple[tuple[str, str], ...], *, homes: bool, confirmed: bool = True
) -> Obligation:
    """The London Living Wage applies: what the buyer and the supplier must do."""
    supplier = LLW_SUPPLIER + (HOME_CARE_SUPPLIER if homes else "")
    return Obligation(CODE, TITLE, True, reason, LLW_SOURCE, action=LLW_ACTION,
                      confirmed=confirmed, facts=facts, supplier=supplier,
                      basis=Basis.POLICY)  # fmt: skip


def _llw_facts(
    context: ProcurementContext, reference: ReferenceData, as_of: date
) -> tuple[tuple[str, str], ...]:
    facts: list[tuple[str, str]] = []
    start = context.expected_start_date
    if start is not None:
        try:
            at_start = reference.in_force("llw_pay_by", start)
            facts.append((f"Rate employers must pay at the contract start, {long_date(start)}",
                          f"{pounds(at_start.amount)} an hour"))  # fmt: skip
        except NoValueInForce:
            pass
    try:
        latest = reference.in_force("llw_announced", as_of)
    except NoValueInForce:
        return tuple(facts)
    facts.append((f"Latest rate, announced {long_date(latest.effective_from)}",
                  f"{pounds(latest.amount)} an hour"))  # fmt: skip
    pay_by = next(
        (
            entry.effective_from
            for entry in reference.history("llw_pay_by")
            if entry.effective_from >= latest.effective_from and entry.amount == latest.amount
        ),
        None,
    )
    if pay_by is None:
        pay_by = _six_months_after(latest.effective_from)
        facts.append(
            ("Must be paid by", f"{long_date(pay_by)} (six months after its announcement)")
        )
    else:
        facts.append(("Must be paid by", long_date(pay_by)))
    return tuple(facts)


def _six_months_after(day: date) -> date:
    month = day.month + 6
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, 28))
