"""Modern slavery: due diligence by risk level (recommended practice, PPN 009), and the
supplier's own statement (law on the supplier: Modern Slavery Act 2015 s.54).

PPN 009 binds central government; other contracting authorities "may wish to apply" it, which
is why its due diligence is recommended practice here. The Cabinet Office encourages public
bodies to use its Modern Slavery Assessment Tool with existing suppliers: so it is asked of the
winning supplier and then each year, not of every bidder.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from app.scoring.obligations.model import Basis, Obligation

if TYPE_CHECKING:
    from app.scoring.rules import ModernSlaveryRules

PPN_009 = "https://www.gov.uk/government/publications/ppn-009-tackling-modern-slavery-in-government-supply-chains"
MSAT = "https://supplierregistration.cabinetoffice.gov.uk/msat"
SECTION_54 = "https://www.legislation.gov.uk/ukpga/2015/30/section/54"
MS_STATEMENT_TURNOVER = "£36 million"
ASKED = {"yes": "Yes", "no": "No", "not-known": "Not known yet"}

STEPS = {
    "high": "Enter the contract on the modern slavery risk register with mitigation actions "
    "(each with an owner and a date), ask the winning supplier to complete the Modern Slavery "
    "Assessment Tool and to update it each year, and require supply-chain mapping and a route "
    "to report concerns.",
    "medium": "Ask the winning supplier to complete the Modern Slavery Assessment Tool and to "
    "update it each year, and ask bidders how they find and deal with modern slavery in their "
    "supply chain.",
    "low": "Use the council's standard modern slavery contract clauses.",
}
SUPPLIER = {
    "high": "Map the supply chain for the contract, carry out modern slavery due diligence on "
    "it, give workers a safe way to report concerns, and tell the council at once of any modern "
    "slavery found and how it is being dealt with.",
    "medium": "Explain how it finds and deals with modern slavery in the contract's supply "
    "chain, and tell the council at once of any found and how it is being dealt with.",
    "low": "Tell the council at once of any modern slavery found in the contract's supply "
    "chain, and how it is being dealt with.",
}


def level_of(rules: ModernSlaveryRules, risk: int) -> str:
    """The modern slavery level from the topic's risk: high, medium or low."""
    if risk >= rules.high_from_risk:
        return "high"
    return "medium" if risk >= rules.medium_from_risk else "low"


def modern_slavery(
    rules: ModernSlaveryRules, answers: dict[str, Any], risk: int
) -> tuple[Obligation, str, tuple[str, ...]]:
    """Due diligence for the modern slavery level (from the topic's risk, its PPN 009
    indicators); high risk needs mitigation actions before the assessment can be submitted."""
    level = level_of(rules, risk)
    actions = answers.get(rules.mitigation) or []
    title = f"Modern slavery due diligence: {level} risk"
    reason = (
        f"The modern slavery and human rights risk is {risk} out of 3 (see its explanation): "
        f"{level} risk from the PPN 009 indicators (high at {rules.high_from_risk}, medium at "
        f"{rules.medium_from_risk}). PPN 009 is written for central government; other public "
        "bodies may apply it, so this is recommended practice."
    )
    action = STEPS[level]
    msat = str(answers.get(rules.msat, ""))
    facts = (
        ("Risk level", level.capitalize()),
        ("Mitigation actions recorded", str(len(actions))),
        ("Modern Slavery Assessment Tool asked for", ASKED.get(msat, "Not answered yet")),
    )  # fmt: skip
    if level != "low" and msat == "no":
        action += (
            " You said the Modern Slavery Assessment Tool will not be asked for: it is "
            f"recommended for {level}-risk contracts, so record why not."
        )
    blockers: tuple[str, ...] = ()
    if level == "high" and not actions:
        blockers = (
            "The modern slavery risk is high: add at least one mitigation action before "
            "submitting.",
        )
    # Every contract owes some due diligence: at low risk, the standard clauses.
    obligation = Obligation("modern-slavery", title, True, reason, PPN_009, action=action,
                            facts=facts, supplier=SUPPLIER[level],
                            basis=Basis.PRACTICE)  # fmt: skip
    return obligation, level, blockers


def modern_slavery_statement(rules: ModernSlaveryRules, answers: dict[str, Any]) -> Obligation:
    """A supplier with a turnover of £36m or more must publish a slavery and human trafficking
    statement each year (s.54): the supplier's own legal duty, which the council checks."""
    code = "modern-slavery-statement"
    title = "Modern slavery statement (Modern Slavery Act 2015, section 54)"
    law = partial(Obligation, source=SECTION_54, basis=Basis.LAW)
    answer = answers.get(rules.large_suppliers)
    rule = (
        f"An organisation that supplies goods or services with a turnover of "
        f"{MS_STATEMENT_TURNOVER} or more must publish a modern slavery statement each year: "
        "a legal duty of the supplier, not of the council."
    )
    if answer == "no":
        reason = (
            f"Bidders are not likely to have a turnover of {MS_STATEMENT_TURNOVER} or more. {rule}"
        )
        return law(code, title, False, reason)
    action = (
        "Check the winning supplier's latest modern slavery statement, and what it says it does."
    )
    supplier = (
        f"If its turnover is {MS_STATEMENT_TURNOVER} or more, publish a modern slavery "
        "statement each year and keep it current for the life of the contract."
    )
    if answer == "yes":
        reason = f"Bidders are likely to have a turnover of {MS_STATEMENT_TURNOVER} or more. {rule}"
        return law(code, title, True, reason, action=action, supplier=supplier)
    said = "is not known yet" if answer == "not-known" else "has not been answered yet"
    reason = (
        f"Whether bidders are likely to have a turnover of {MS_STATEMENT_TURNOVER} or more "
        f"{said}. {rule}"
    )
    return law(code, title, True, reason, action=action, supplier=supplier,
                      confirmed=False)  # fmt: skip
