"""Duties in law that follow from the procurement's value, type and framework: the Public
Services (Social Value) Act 2012 and the Procurement Act 2023's KPIs and payment terms.

A contract at or above the threshold for its type is a "public contract" (Procurement Act 2023
s.3; light-touch services against their own threshold). "Not less than" means at or above (>=);
"more than" means strictly above (>). docs/scoring.md lists every boundary with its source.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from app.scoring.obligations.model import (
    Basis,
    Obligation,
    in_force,
    long_date,
    pounds,
)
from app.scoring.reference_data import ReferenceData, ReferenceEntry

if TYPE_CHECKING:
    from app.forms.conditions import ProcurementContext

ACT = "https://www.legislation.gov.uk/ukpga/2023/54"
SOCIAL_VALUE_ACT = "https://www.legislation.gov.uk/ukpga/2012/3/section/1"
KPI_SECTION = f"{ACT}/section/52"
PAYMENT_SECTIONS = {"s.68": f"{ACT}/section/68", "s.73": f"{ACT}/section/73",
                    "s.88": f"{ACT}/section/88"}  # fmt: skip
SETTING_UP, CALL_OFF = "setting-up", "call-off"


def threshold_key(context: ProcurementContext) -> str:
    """Which Procurement Act threshold the contract is measured against."""
    if context.light_touch:
        return "threshold_light_touch"
    return "threshold_works" if context.contract_type == "works" else "threshold_goods_services"


def act_threshold(context: ProcurementContext, reference: ReferenceData) -> ReferenceEntry | str:
    """The threshold for the contract's type in force on the planned tender date, or the reason
    it cannot be found."""
    found = in_force(reference, context.planned_tender_date, threshold_key(context))
    return found if isinstance(found, str) else found[0]


def above_threshold(context: ProcurementContext, reference: ReferenceData) -> bool | None:
    """Whether it is a public contract: at or above its threshold (None when not known)."""
    threshold = act_threshold(context, reference)
    if isinstance(threshold, str):
        return None
    return context.value_pence >= threshold.amount


def _which(context: ProcurementContext) -> str:
    if context.light_touch:
        return "light-touch services"
    return {"works": "works", "goods": "goods"}.get(context.contract_type, "services")


def _framework_name(context: ProcurementContext) -> str:
    return f"the {context.framework_name} framework" if context.framework_name else "the framework"


def social_value_act(context: ProcurementContext, reference: ReferenceData) -> Obligation:
    """Services contracts at or above the threshold must consider social value before they are
    procured (s.1). A framework considers it when it is set up, not for each call-off."""
    title, code = "Public Services (Social Value) Act 2012", "social-value-act"
    law = partial(Obligation, source=SOCIAL_VALUE_ACT, basis=Basis.LAW)
    if context.contract_type != "services":
        reason = (
            f"The Act covers services contracts; this is a {context.contract_type} contract. "
            "Social value is still part of the council's own evaluation (see the weighting)."
        )
        return law(code, title, False, reason)
    if context.framework == CALL_OFF:
        reason = (
            f"A call-off from {_framework_name(context)}: social value is considered when a "
            "framework is set up, not again for each contract awarded under it."
        )
        return law(code, title, False, reason)
    threshold = act_threshold(context, reference)
    if isinstance(threshold, str):
        return law(code, title, False, threshold, confirmed=False)
    on = context.planned_tender_date
    assert on is not None  # a threshold was found for it
    what = "framework for " if context.framework == SETTING_UP else ""
    which = f"A {what}{_which(context)} contract"
    value, limit = pounds(context.value_pence), pounds(threshold.amount)
    if context.value_pence < threshold.amount:
        reason = (
            f"{which} worth {value}, below the {limit} threshold in force on the planned "
            f"tender date, {long_date(on)}."
        )
        return law(code, title, False, reason, threshold=threshold)
    reason = (
        f"{which} worth {value}, at or above the {limit} threshold in force on the planned "
        f"tender date, {long_date(on)}."
    )
    action = (
        "Before procuring, consider how the services could improve the economic, social and "
        "environmental well-being of the borough, and how the procurement can secure it."
    )
    if context.framework == SETTING_UP:
        action += " This covers every contract that will be called off from the framework."
    return law(code, title, True, reason, threshold=threshold, action=action)


def kpi_duty(
    context: ProcurementContext, reference: ReferenceData, exception: str | None = None
) -> Obligation:
    """A public contract worth more than £5m sets at least 3 KPIs before it is entered into and
    publishes them (s.52), unless the council considers that performance cannot appropriately
    be assessed by KPIs (recorded as `exception`). Not for light-touch contracts or the setting
    up of a framework; a call-off over £5m, on its own value, is covered."""
    code = "kpi-duty"
    law = partial(Obligation, source=KPI_SECTION, basis=Basis.LAW)
    found = in_force(
        reference, context.planned_tender_date, "kpi_duty_threshold", "kpi_duty_minimum"
    )
    if isinstance(found, str):
        return law(code, "Procurement Act KPIs", False, found, confirmed=False)
    threshold, minimum = found[0], found[1].amount
    title = f"Procurement Act KPIs: at least {minimum}"
    value, limit = pounds(context.value_pence), pounds(threshold.amount)
    public = above_threshold(context, reference)
    if context.light_touch:
        reason = "The KPI duty does not apply to light-touch contracts (section 52)."
    elif context.framework == SETTING_UP:
        reason = (
            "The KPI duty does not apply to setting up a framework (section 52). Each contract "
            f"called off from it that is worth more than {limit} will need its own KPIs."
        )
    elif context.value_pence <= threshold.amount:
        reason = f"The contract is worth {value}, not more than {limit}."
    elif public is None:
        return law(code, title, False, str(act_threshold(context, reference)),
                          confirmed=False)  # fmt: skip
    elif not public:
        reason = (
            f"The contract is worth {value}, more than {limit}, but below the threshold for a "
            f"{_which(context)} contract, so it is not a public contract and section 52 does "
            "not apply."
        )
    elif exception:
        reason = (
            "The council considers that the supplier's performance could not appropriately be "
            f"assessed by KPIs, so section 52 does not apply. The reason recorded: {exception}"
        )
        return law(code, title, False, reason, threshold=threshold)
    else:
        own = " (a call-off's value is its own)" if context.framework == CALL_OFF else ""
        reason = f"A public contract worth {value}{own}, more than {limit}, and not light-touch."
        action = (
            f"Set at least {minimum} key performance indicators before the contract is entered "
            "into, publish them in the contract details notice, and assess performance against "
            "them at least every 12 months. If you consider that performance could not "
            "appropriately be assessed by KPIs, record why on the KPI task instead."
        )
        supplier = (
            "Report performance against the key performance indicators below; the council "
            "publishes them and assesses performance against them at least every 12 months."
        )
        return law(code, title, True, reason, threshold=threshold, action=action,
                          supplier=supplier)  # fmt: skip
    return law(code, title, False, reason, threshold=threshold)


PAID_DOWN_THE_CHAIN = (
    "Pay its subcontractors' valid invoices for the contract within 30 days of receiving them, "
    "and put the same 30-day payment term in every subcontract for the contract."
)
PAYMENT_REPORT = (
    " Report each quarter the share of its subcontractors' valid invoices paid within 30 days."
)


def payment_terms(
    context: ProcurementContext, reference: ReferenceData, *, reporting: Any, settled: bool
) -> Obligation:
    """The council pays valid invoices within 30 days and so does everyone down the supply
    chain: for a public contract by sections 68 and 73, below the threshold by section 88(1)
    and 88(8). `reporting` is the answer to "will you ask the supplier to report it"; `settled`
    says the draft answered a question (version 1's) that the law settles, so it is not scored.
    """
    code, title = "payment-terms", "Paying within 30 days, down the supply chain"
    public = above_threshold(context, reference)
    if public is None:
        reason = str(act_threshold(context, reference))
        return Obligation(code, title, False, reason, PAYMENT_SECTIONS["s.68"], confirmed=False,
                          basis=Basis.LAW)  # fmt: skip
    if public:
        council, chain, source = "section 68", "section 73", PAYMENT_SECTIONS["s.73"]
        kind = "A public contract (at or above the threshold for its type)"
    else:
        council, chain, source = "section 88(1)", "section 88(8)", PAYMENT_SECTIONS["s.88"]
        kind = "A below-threshold contract"
    reason = (
        f"{kind}: the council must pay the supplier's valid invoices within 30 days "
        f"({council}), and every subcontract for performing it carries the same 30-day term "
        f"({chain}), whatever the contract says."
    )
    if settled:
        reason += " Your answer about paying subcontractors is not scored: the law settles it."
    facts = [("Council pays the supplier", f"Within 30 days: {council}"),
             ("Subcontractors paid", f"Within 30 days: {chain}")]  # fmt: skip
    supplier = PAID_DOWN_THE_CHAIN
    if reporting == "yes":
        supplier += PAYMENT_REPORT
        facts.append(("Supplier reports its payment times", "Yes, each quarter"))
    action = (
        "Pay the supplier's valid invoices within 30 days, and state in the contract that its "
        "subcontracts must carry the same 30-day payment term."
    )
    return Obligation(code, title, True, reason, source, action=action, supplier=supplier,
                      facts=tuple(facts), basis=Basis.LAW)  # fmt: skip
