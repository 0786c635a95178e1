"""What a procurement owes: each obligation with whether it applies, why, and its source.

Pure: the procurement's facts, the answers that count and the reference data arrive as
arguments. Every obligation is always listed, applying or not, with the reason in words.
Boundaries follow the wording of their source: "and above" and "not less than" mean at or
above (>=); "over" and "more than" mean strictly above (>). docs/scoring.md lists each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from app import timeutil
from app.forms.inputs import format_pounds
from app.scoring.reference_data import (
    NoValueInForce,
    ReferenceData,
    ReferenceEntry,
    reference_key,
)

if TYPE_CHECKING:
    from app.forms.conditions import ProcurementContext
    from app.forms.journey import Walk
    from app.scoring.rules import ScoringRules

STRATEGY_SOURCE = "https://hackney.gov.uk/procurement-strategy"
SOCIAL_VALUE_ACT = "https://www.legislation.gov.uk/ukpga/2012/3"
LLW_SOURCE = "https://livingwage.org.uk/FAQs"
PPN_009 = "https://www.gov.uk/government/publications/ppn-009-tackling-modern-slavery-in-government-supply-chains"
PPN_006 = (
    "https://www.gov.uk/government/publications/ppn-006-taking-account-of-carbon-reduction-"
    "plans-in-the-procurement-of-major-government-contracts"
)
KPI_SOURCE = (
    "https://www.wardhadaway.com/insights/updates/procurement-in-a-nutshell-procurement-act-"
    "2023-kpis-and-performance-management/"
)
PPN_002 = (
    "https://www.gov.uk/government/publications/ppn-002-taking-account-of-social-value-in-"
    "the-award-of-contracts"
)
MS_STATEMENT_TURNOVER = "£36 million"


@dataclass(frozen=True)
class Obligation:
    """One duty: whether it applies to this procurement, the reason in words, and its source.

    `confirmed` is False when it rests on answers not given yet (or "Not known yet"): it is
    then treated as applying, the cautious reading, until the answers say otherwise.
    """

    code: str
    title: str
    applies: bool
    reason: str
    source: str
    threshold: ReferenceEntry | None = None
    action: str = ""  # what the buyer must do when it applies
    supplier: str = ""  # what the contract's specification must require of the supplier
    confirmed: bool = True
    facts: tuple[tuple[str, str], ...] = ()  # figures behind it, such as the rate in force

    @property
    def status(self) -> str:
        """Applies; applies until answers show otherwise; does not apply; or cannot be decided
        (a figure it needs is not recorded for the date)."""
        if not self.applies:
            return "Does not apply" if self.confirmed else "Cannot be decided yet"
        return "Applies" if self.confirmed else "Applies unless your answers show otherwise"


@dataclass(frozen=True)
class Weighting:
    """The recommended minimum social value weighting, in basis points, and how it was built."""

    basis_points: int | None
    steps: tuple[tuple[int, str], ...]

    @property
    def percent(self) -> str:
        """'15%' or '12.5%', or 'None' below the PRIMAS threshold."""
        if self.basis_points is None:
            return "None"
        return percent(self.basis_points)


@dataclass(frozen=True)
class Obligations:
    """Every obligation, the weighting, the modern slavery level and what blocks submission."""

    obligations: tuple[Obligation, ...]
    weighting: Weighting
    modern_slavery_level: str
    blockers: tuple[str, ...]


# Amounts, dates and percentages recur from one assessment to the next: each is written out
# once (these are pure functions of immutable values).
_pounds = lru_cache(maxsize=1024, typed=True)(format_pounds)


@lru_cache(maxsize=256, typed=True)
def percent(basis_points: int) -> str:
    """Basis points as a percentage: 1000 -> '10%', 1250 -> '12.5%'."""
    value = Decimal(basis_points) / 100
    return f"{value.normalize():f}%"


long_date = lru_cache(maxsize=256, typed=True)(timeutil.long_date)


def _missing(key: str, on: date | None) -> str:
    when = f"on {long_date(on)}" if on else "without a planned tender date"
    return (
        f'No value of "{reference_key(key).label}" is recorded as in force {when}, so this '
        "cannot be decided. An administrator can add the value under reference data."
    )


def primas_requirement(
    value_pence: int, planned_tender_date: date, reference: ReferenceData
) -> Obligation:
    """A PRIMAS at or above the threshold in force on the planned tender date; else Think Local.

    Raises NoValueInForce when no threshold is recorded for that date.
    """
    threshold = reference.in_force("primas_threshold", planned_tender_date)
    value, limit = _pounds(value_pence), _pounds(threshold.amount)
    when = long_date(planned_tender_date)
    if value_pence >= threshold.amount:
        reason = (
            f"The estimated whole-life value of {value} is at or above the PRIMAS threshold of "
            f"{limit} in force on the planned tender date, {when}. A PRIMAS must be completed "
            "and approved before the procurement goes to tender."
        )
        action = "Complete this PRIMAS and have it approved before the tender is published."
        return Obligation("primas", "PRIMAS required", True, reason, STRATEGY_SOURCE, threshold,
                          action)  # fmt: skip
    reason = (
        f"The estimated whole-life value of {value} is below the PRIMAS threshold of {limit} in "
        f"force on the planned tender date, {when}. No PRIMAS is needed: Think Local instead, "
        "and seek quotes from local suppliers and from the voluntary and community sector."
    )
    return Obligation("primas", "Think Local", False, reason, STRATEGY_SOURCE, threshold)


def _in_force(reference: ReferenceData, on: date | None, *keys: str) -> list[ReferenceEntry] | str:
    """The values of `keys` in force on `on`; or, when there is no date or one of them has no
    value in force, the reason the obligation cannot be decided."""
    if on is None:
        return _missing(keys[0], None)
    try:
        return [reference.in_force(key, on) for key in keys]
    except NoValueInForce as missing:
        return _missing(missing.key, on)


def _primas(context: ProcurementContext, reference: ReferenceData) -> Obligation:
    on = context.planned_tender_date
    found = _in_force(reference, on, "primas_threshold")
    if isinstance(found, str) or on is None:
        reason = found if isinstance(found, str) else ""
        return Obligation("primas", "PRIMAS", False, reason, STRATEGY_SOURCE, confirmed=False)
    return primas_requirement(context.value_pence, on, reference)


def social_value_act(context: ProcurementContext, reference: ReferenceData) -> Obligation:
    """Services contracts at or above the Procurement Act threshold in force on the planned
    tender date must consider social value (light-touch services against their own threshold)."""
    title, code = "Public Services (Social Value) Act 2012", "social-value-act"
    if context.contract_type != "services":
        reason = (
            f"The Act covers services contracts; this is a {context.contract_type} contract. "
            "Social value is still part of the council's own evaluation (see the weighting)."
        )
        return Obligation(code, title, False, reason, SOCIAL_VALUE_ACT)
    key = "threshold_light_touch" if context.light_touch else "threshold_goods_services"
    on = context.planned_tender_date
    found = _in_force(reference, on, key)
    if isinstance(found, str) or on is None:
        return Obligation(code, title, False, str(found), SOCIAL_VALUE_ACT, confirmed=False)
    (threshold,) = found
    which = "light-touch services" if context.light_touch else "services"
    value, limit = _pounds(context.value_pence), _pounds(threshold.amount)
    if context.value_pence >= threshold.amount:
        reason = (
            f"A {which} contract worth {value}, at or above the {limit} threshold in force on "
            f"the planned tender date, {long_date(on)}."
        )
        action = (
            "Before procuring, consider how the services could improve the economic, social and "
            "environmental well-being of the borough, and how the procurement can secure it."
        )
        return Obligation(code, title, True, reason, SOCIAL_VALUE_ACT, threshold, action)
    reason = (
        f"A {which} contract worth {value}, below the {limit} threshold in force on the "
        f"planned tender date, {long_date(on)}."
    )
    return Obligation(code, title, False, reason, SOCIAL_VALUE_ACT, threshold)


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def london_living_wage(
    rules: ScoringRules,
    context: ProcurementContext,
    answers: dict[str, Any],
    reference: ReferenceData,
    as_of: date,
) -> Obligation:
    """Contractor staff on council (or client) premises at least 2 hours a day for 8 or more
    consecutive weeks a year must be paid at least the London Living Wage."""
    llw = rules.obligations.london_living_wage
    title, code = "London Living Wage", "london-living-wage"
    hours_rule = (
        f"at least {llw.minimum_hours_per_day} hours a day for at least {llw.minimum_weeks} "
        "consecutive weeks a year"
    )
    facts = _llw_facts(context, reference, as_of)
    on_premises = answers.get(llw.on_premises)
    if on_premises == "no":
        reason = (
            "The supplier's staff will not work on council premises or premises the work needs."
        )
        return Obligation(code, title, False, reason, LLW_SOURCE, facts=facts)
    if on_premises != "yes":
        said = "is not known yet" if on_premises == "not-known" else "has not been answered yet"
        reason = (
            f"Whether the supplier's staff will work on council premises {said}. It is treated "
            f"as applying until you know: it covers staff working there {hours_rule}."
        )
        return _llw(title, reason, facts, confirmed=False)
    hours = _number(answers.get(llw.hours_per_day))
    weeks = _number(answers.get(llw.weeks_per_year))
    if hours is None or weeks is None:
        reason = (
            "Staff will work on council premises. Give their hours a day and weeks a year to "
            f"confirm: it covers staff working there {hours_rule}."
        )
        return _llw(title, reason, facts, confirmed=False)
    worked = f"{hours:f} hours a day for {weeks:f} consecutive weeks a year"
    if hours >= llw.minimum_hours_per_day and weeks >= llw.minimum_weeks:
        reason = f"Staff will work on council premises {worked}: {hours_rule}."
        return _llw(title, reason, facts)
    reason = (
        f"Staff will work on council premises {worked}, less than the {hours_rule} the London "
        "Living Wage covers."
    )
    return Obligation(code, title, False, reason, LLW_SOURCE, facts=facts)


def _llw_facts(
    context: ProcurementContext, reference: ReferenceData, as_of: date
) -> tuple[tuple[str, str], ...]:
    facts: list[tuple[str, str]] = []
    start = context.expected_start_date
    if start is not None:
        try:
            at_start = reference.in_force("llw_pay_by", start)
            facts.append((f"Rate employers must pay at the contract start, {long_date(start)}",
                          f"{_pounds(at_start.amount)} an hour"))  # fmt: skip
        except NoValueInForce:
            pass
    try:
        latest = reference.in_force("llw_announced", as_of)
    except NoValueInForce:
        return tuple(facts)
    facts.append((f"Latest rate, announced {long_date(latest.effective_from)}",
                  f"{_pounds(latest.amount)} an hour"))  # fmt: skip
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


LLW_SUPPLIER = (
    "Pay everyone working on the contract on council or client premises, subcontractors' "
    "staff included, at least the London Living Wage, and each new rate by its pay-by date "
    "(six months after it is announced)."
)
SOCIAL_VALUE_SUPPLIER = (
    "Deliver the social value commitments made in its tender, and report on them as the key "
    "performance indicators below require."
)
LLW_ACTION = (
    "Require the supplier and its subcontractors to pay everyone working on the contract on "
    "council or client premises at least the London Living Wage, and each new rate by its "
    "pay-by date."
)


def _llw(title: str, reason: str, facts: tuple[tuple[str, str], ...], *, confirmed: bool = True
         ) -> Obligation:  # fmt: skip
    """The London Living Wage applies: what the buyer and the supplier must do."""
    return Obligation("london-living-wage", title, True, reason, LLW_SOURCE, action=LLW_ACTION,
                      confirmed=confirmed, facts=facts, supplier=LLW_SUPPLIER)  # fmt: skip


def modern_slavery(
    rules: ScoringRules, answers: dict[str, Any], risk: int
) -> tuple[Obligation, str, tuple[str, ...]]:
    """The modern slavery level from the topic's risk (its PPN 009 indicators); high risk needs
    mitigation actions before the assessment can be submitted."""
    slavery = rules.obligations.modern_slavery
    level = (
        "high" if risk >= slavery.high_from_risk
        else "medium" if risk >= slavery.medium_from_risk
        else "low"
    )  # fmt: skip
    actions = answers.get(slavery.mitigation) or []
    code = "modern-slavery"
    title = f"Modern slavery due diligence: {level} risk"
    reason = (
        f"The modern slavery and human rights risk is {risk} out of 3 (see its explanation): "
        f"{level} risk from the PPN 009 indicators (high at {slavery.high_from_risk}, medium "
        f"at {slavery.medium_from_risk})."
    )
    steps = {
        "high": "Enter the contract on the modern slavery risk register with mitigation actions "
        "(each with an owner and a date), ask bidders to complete the Modern Slavery "
        "Assessment Tool, and require supply-chain mapping and a route to report concerns.",
        "medium": "Ask bidders to complete the Modern Slavery Assessment Tool and to explain "
        "how they find and deal with modern slavery in their supply chain.",
        "low": "Use the council's standard modern slavery contract clauses.",
    }
    action = steps[level]
    supplier = {
        "high": "Map the supply chain for the contract, carry out modern slavery due diligence "
        "on it, give workers a safe way to report concerns, and tell the council at once of any "
        "modern slavery found and how it is being dealt with.",
        "medium": "Explain how it finds and deals with modern slavery in the contract's supply "
        "chain, and tell the council at once of any found and how it is being dealt with.",
        "low": "Tell the council at once of any modern slavery found in the contract's supply "
        "chain, and how it is being dealt with.",
    }[level]
    if answers.get(slavery.large_suppliers) in ("yes", "not-known"):
        action += (
            f" Bidders with a turnover of {MS_STATEMENT_TURNOVER} or more must publish an annual "
            "modern slavery statement: ask for it."
        )
        supplier += (
            f" If its turnover is {MS_STATEMENT_TURNOVER} or more, publish an annual modern "
            "slavery statement."
        )
    asked = {"yes": "Yes", "no": "No", "not-known": "Not known yet"}
    msat = str(answers.get(slavery.msat, ""))
    facts = [
        ("Risk level", level.capitalize()),
        ("Mitigation actions recorded", str(len(actions))),
        ("Bidders asked to complete the Modern Slavery Assessment Tool",
         asked.get(msat, "Not answered yet")),
    ]  # fmt: skip
    if level != "low" and msat == "no":
        action += (
            " You said bidders will not be asked to complete the Modern Slavery Assessment Tool: "
            f"it is expected for {level}-risk contracts, so record why not."
        )
    blockers: tuple[str, ...] = ()
    if level == "high" and not actions:
        blockers = (
            "The modern slavery risk is high: add at least one mitigation action before "
            "submitting.",
        )
    # Every contract owes some due diligence: at low risk, the standard clauses.
    obligation = Obligation(code, title, True, reason, PPN_009, action=action, facts=tuple(facts),
                            supplier=supplier)  # fmt: skip
    return obligation, level, blockers


def carbon_reduction_plan(context: ProcurementContext, reference: ReferenceData) -> Obligation:
    """Bidders provide a carbon reduction plan when the annual value is over the policy line."""
    code, title, key = "carbon-reduction-plan", "Carbon reduction plan", "carbon_plan_threshold"
    found = _in_force(reference, context.planned_tender_date, key)
    if isinstance(found, str):
        return Obligation(code, title, False, found, PPN_006, confirmed=False)
    (threshold,) = found
    value, limit = _pounds(context.annual_value_pence), _pounds(threshold.amount)
    if context.annual_value_pence > threshold.amount:
        reason = f"The annual value of {value} is over {limit} a year."
        action = (
            "Require bidders to provide a carbon reduction plan committing to net zero by 2050, "
            "reporting Scope 1 and 2 emissions and Scope 3 categories 4, 5, 6, 7 and 9."
        )
        supplier = (
            "Provide, and keep up to date for the life of the contract, a carbon reduction plan "
            "committing to net zero by 2050 and reporting Scope 1 and 2 emissions and Scope 3 "
            "categories 4, 5, 6, 7 and 9."
        )
        return Obligation(code, title, True, reason, PPN_006, threshold, action, supplier=supplier)
    reason = f"The annual value of {value} is not over {limit} a year."
    return Obligation(code, title, False, reason, PPN_006, threshold)


def kpi_duty(context: ProcurementContext, reference: ReferenceData) -> Obligation:
    """Contracts over £5m, not light-touch and not frameworks, publish at least 3 KPIs."""
    code = "kpi-duty"
    found = _in_force(
        reference, context.planned_tender_date, "kpi_duty_threshold", "kpi_duty_minimum"
    )
    if isinstance(found, str):
        return Obligation(code, "Procurement Act KPIs", False, found, KPI_SOURCE, confirmed=False)
    threshold, minimum = found[0], found[1].amount
    title = f"Procurement Act KPIs: at least {minimum}"
    value, limit = _pounds(context.value_pence), _pounds(threshold.amount)
    if context.light_touch:
        reason = "Light-touch contracts are exempt from the KPI duty."
    elif context.framework:
        reason = "Framework agreements are exempt from the KPI duty."
    elif context.value_pence > threshold.amount:
        reason = (
            f"The contract is worth {value}, more than {limit}, and is neither light-touch nor "
            "a framework agreement."
        )
        action = (
            f"Set at least {minimum} key performance indicators, publish them before the contract "
            "is signed, and rate performance against them at least every 12 months."
        )
        supplier = (
            "Report performance against the key performance indicators below; the council "
            "publishes them and rates performance against them at least every 12 months."
        )
        return Obligation(code, title, True, reason, KPI_SOURCE, threshold, action,
                          supplier=supplier)  # fmt: skip
    else:
        reason = f"The contract is worth {value}, not more than {limit}."
    return Obligation(code, title, False, reason, KPI_SOURCE, threshold)


WEIGHTING_KEYS = (
    "primas_threshold", "sv_weighting_minimum", "sv_weighting_high_value_from",
    "sv_weighting_high_value_uplift", "sv_weighting_priority_topics",
    "sv_weighting_priority_uplift", "sv_weighting_maximum",
)  # fmt: skip


def weighting(
    context: ProcurementContext, reference: ReferenceData, high_priority_social: tuple[str, ...]
) -> tuple[Obligation, Weighting]:
    """The recommended minimum social value weighting: the minimum at or above the PRIMAS
    threshold, plus uplifts for higher value and for high-priority social topics, capped."""
    code = "social-value-weighting"
    found = _in_force(reference, context.planned_tender_date, *WEIGHTING_KEYS)
    if isinstance(found, str):
        missing = Obligation(code, "Social value weighting", False, found, PPN_002,
                             confirmed=False)  # fmt: skip
        return missing, Weighting(None, ())
    primas = found[0]
    minimum, high_from, high_uplift, needed, priority_uplift, maximum = (
        entry.amount for entry in found[1:]
    )
    if context.value_pence < primas.amount:
        reason = f"Below the PRIMAS threshold of {_pounds(primas.amount)}: no minimum is set."
        return Obligation(code, "Social value weighting", False, reason, PPN_002), Weighting(
            None, ()
        )
    steps = [
        (
            minimum,
            f"as the minimum at or above the PRIMAS threshold of {_pounds(primas.amount)}",
        )
    ]
    if context.value_pence >= high_from:
        steps.append((high_uplift, f"for a value of {_pounds(high_from)} or more"))
    if len(high_priority_social) >= needed:
        names = ", ".join(high_priority_social)
        steps.append((priority_uplift, f"for {len(high_priority_social)} high-priority social "
                      f"topics ({needed} needed): {names}"))  # fmt: skip
    total = sum(points for points, _ in steps)
    if total > maximum:
        steps.append((maximum - total, f"to keep to the most recommended, {percent(maximum)}"))
        total = maximum
    result = Weighting(total, tuple(steps))
    title = f"Social value weighting: at least {percent(total)}"
    reason = " + ".join(f"{percent(points)} {why}" for points, why in steps if points > 0)
    if total == maximum and any(points < 0 for points, _ in steps):
        reason += f", capped at {percent(maximum)}"
    action = (
        f"Give social value at least {percent(total)} of the tender evaluation, using "
        "evaluation questions based on this assessment's priorities."
    )
    obligation = Obligation(code, title, True, reason, PPN_002, action=action,
                            supplier=SOCIAL_VALUE_SUPPLIER)  # fmt: skip
    return obligation, result


def obligations_for(
    rules: ScoringRules,
    context: ProcurementContext,
    current: Walk,
    reference: ReferenceData,
    *,
    as_of: date,
    slavery_risk: int,
    high_priority_social: tuple[str, ...],
) -> Obligations:
    """Every obligation for this procurement and these answers, in a fixed order."""
    return obligations_for_answers(
        rules,
        context,
        current.values,
        reference,
        as_of=as_of,
        slavery_risk=slavery_risk,
        high_priority_social=high_priority_social,
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
) -> Obligations:
    """obligations_for, given the answers that count (Walk.values) rather than the walk."""
    slavery, level, blockers = modern_slavery(rules, answers, slavery_risk)
    weighting_obligation, weighting_result = weighting(context, reference, high_priority_social)
    found = (
        _primas(context, reference),
        social_value_act(context, reference),
        london_living_wage(rules, context, answers, reference, as_of),
        slavery,
        carbon_reduction_plan(context, reference),
        kpi_duty(context, reference),
        weighting_obligation,
    )
    return Obligations(found, weighting_result, level, blockers)
