"""The specification as a Word document, opened again with python-docx: real headings, each
applying obligation's requirement, each accepted KPI's clause with its edited target, and a
schedule table with one row per accepted KPI under a marked header row."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn

from app.scoring.kpi_choices import Choice, CustomKpi, KpiStatus, kpi_task
from app.scoring.kpis import suggested_target
from app.scoring.obligations import Basis, Obligation
from app.scoring.results import Requirement
from app.scoring.suggestions import Suggestion
from app.specification import (
    DRAFT_NOTE,
    AcceptedKpi,
    Contract,
    SupplierAction,
    SupplierRequirement,
    accepted_kpis,
    clause,
    requirements,
    word_document,
)
from tests.unit.scoring.inputs import KPI_LIBRARY

LIBRARY = KPI_LIBRARY  # the council defaults as seeded
CONTRACT = Contract(
    reference="PRC-2026-0001",
    title="Cleaning of council offices",
    description="Daily cleaning of the town hall and libraries.",
    facts=(("Whole-life value", "£2,400,000"), ("Term", "36 months, with 24 months' extension")),
    council="Hackney Council",
)
LLW = Obligation(
    "london-living-wage",
    "London Living Wage",
    True,
    "Staff work on premises.",
    "https://livingwage.org.uk/FAQs",
    action="Require the London Living Wage.",
    supplier="Pay at least the London Living Wage.",
    basis=Basis.POLICY,
)
CRP = Obligation("carbon-reduction-plan", "Carbon reduction plan", False,
                 "The annual value is not over £5m.", "https://www.gov.uk/",
                 basis=Basis.POLICY)  # fmt: skip
ACCEPTED = (
    AcceptedKpi.of(LIBRARY.kpi("llw-staff-share"), Decimal(100)),
    AcceptedKpi.of(LIBRARY.kpi("apprenticeship-weeks"), Decimal(150)),  # edited from 125
    AcceptedKpi.of(LIBRARY.kpi("carbon-emissions-reported"), None),  # a baseline
)


CREATED = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def opened(data: bytes):  # type: ignore[no-untyped-def]
    return Document(BytesIO(data))


def doc(  # type: ignore[no-untyped-def]
    obligations, kpis, promised=(), actions=(), contract: Contract = CONTRACT
) -> bytes:
    """The Word document for these obligations, KPIs, promises and supplier actions."""
    return word_document(
        contract, requirements(obligations, promised, actions), kpis, created=CREATED
    )


def test_headings_use_real_styles_in_order() -> None:
    document = opened(doc([LLW, CRP], ACCEPTED))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith(("Heading", "Title"))]  # fmt: skip
    assert headings == [
        ("Title", "Draft: Sustainability requirements: Cleaning of council offices"),
        ("Heading 1", "About the contract"),
        ("Heading 1", "What the supplier must do"),
        ("Heading 2", "London Living Wage"),
        ("Heading 1", "Key performance indicators"),
        ("Heading 2", "Contract staff paid at least the London Living Wage"),
        ("Heading 2", "Weeks of apprenticeships and training"),
        ("Heading 2", "Greenhouse gas emissions from the contract reported"),
        ("Heading 1", "KPI schedule"),
    ]
    assert document.core_properties.title.endswith("Cleaning of council offices")
    assert document.core_properties.language == "en-GB"


def test_only_obligations_that_apply_are_required() -> None:
    text = "\n".join(p.text for p in opened(doc([LLW, CRP], ACCEPTED)).paragraphs)
    assert "Pay at least the London Living Wage." in text
    assert "Carbon reduction plan" not in text


def test_the_schedule_has_one_row_per_accepted_kpi_with_its_edited_target() -> None:
    document = opened(doc([LLW], ACCEPTED))
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["KPI", "Unit", "Target", "Reported", "Evidence"]
    assert [row[0] for row in rows[1:]] == [a.title for a in ACCEPTED]
    assert rows[2][2] == "150"
    assert rows[3][2] == "Baseline in the first year, then agreed"
    assert rows[1][3] == "Every quarter"
    header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header is not None and header.get(qn("w:val")) == "true"


def test_a_rejected_kpi_is_absent() -> None:
    kept = ACCEPTED[:1]
    document = opened(doc([LLW], kept))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "apprenticeship" not in text.lower()
    assert len(document.tables[0].rows) == 2


def test_clauses_are_filled_in() -> None:
    filled = clause(ACCEPTED[1], CONTRACT.title)
    assert filled == (
        "The Supplier shall provide at least 150 weeks of apprenticeship or training over the "
        "life of Cleaning of council offices, reporting every six months with apprenticeship "
        "agreements, training records and attendance."
    )
    assert "{" not in clause(ACCEPTED[2], CONTRACT.title)
    assert "the agreed target" not in clause(ACCEPTED[0], CONTRACT.title)


def test_every_library_kpi_makes_a_clause() -> None:
    for kpi in LIBRARY.kpis:
        text = clause(AcceptedKpi.of(kpi, Decimal(7)), "The contract")
        assert "{" not in text and "The contract" in text, kpi.code


def test_with_nothing_accepted_the_document_says_so() -> None:
    document = opened(doc([], []))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "No key performance indicators have been accepted yet." in text
    assert "No statutory or policy obligation adds requirements." in text
    assert len(document.tables[0].rows) == 1


# The lead's own KPIs, accepted KPIs from the task, and the obligations that are required -------

VALUE = 240_000_000
TERM = 36
OWN = CustomKpi(
    7, "Bins emptied {x}", "collections", "monthly", "Collection logs.", Decimal(1250), 1
)
OWN_SHARE = CustomKpi(
    8, "Staff trained in {safety}", "% of staff", "annually", "Training records", Decimal(50), 2
)


def suggestion(code: str, mandatory: bool = False) -> Suggestion:
    kpi = LIBRARY.kpi(code)
    return Suggestion(kpi, "Why it is here", mandatory, suggested_target(kpi, VALUE, TERM))


def choice(status: KpiStatus, target: str | None = None, reason: str = "") -> Choice:
    return Choice(status, None if target is None else Decimal(target), reason, 1)


TASK = kpi_task(
    LIBRARY,
    [
        suggestion("llw-staff-share", True),
        suggestion("secure-contracts"),
        suggestion("carbon-emissions-reported"),
        suggestion("apprenticeship-weeks"),
    ],
    {
        "apprenticeship-weeks": choice(KpiStatus.EDITED, "150"),
        "secure-contracts": choice(KpiStatus.REJECTED, reason="Staff are salaried"),
        "llw-staff-share": choice(KpiStatus.ACCEPTED),
        "carbon-emissions-reported": choice(KpiStatus.SUGGESTED, "12"),  # typed, not decided
        "waste-diverted": choice(KpiStatus.ACCEPTED),  # added from the library
        "delivery-trips": choice(KpiStatus.REJECTED),  # not suggested: dropped
    },
    [OWN, OWN_SHARE],
    value_pence=VALUE,
    term_months=TERM,
    duty_minimum=0,
)


def test_accepted_kpis_are_the_library_ones_in_task_order_then_the_lead_s_own() -> None:
    assert accepted_kpis(TASK) == [
        AcceptedKpi.of(LIBRARY.kpi("llw-staff-share"), Decimal(100)),
        AcceptedKpi.of(LIBRARY.kpi("apprenticeship-weeks"), Decimal(150)),
        AcceptedKpi.of(LIBRARY.kpi("waste-diverted"), Decimal(70)),
        AcceptedKpi(
            "Bins emptied {x}", "collections", "monthly", "Collection logs.", Decimal(1250)
        ),
        AcceptedKpi(
            "Staff trained in {safety}", "% of staff", "annually", "Training records", Decimal(50)
        ),
    ]
    own = accepted_kpis(TASK)[3]
    assert (own.definition, own.clause_template, own.code) == ("", None, None)
    library = accepted_kpis(TASK)[0]
    assert (library.code, library.clause_template) == (
        "llw-staff-share",
        LIBRARY.kpi("llw-staff-share").clause,
    )


def test_with_nothing_accepted_there_are_no_accepted_kpis() -> None:
    nothing = kpi_task(
        LIBRARY,
        [suggestion("llw-staff-share", True)],
        {},
        [],
        value_pence=VALUE,
        term_months=TERM,
        duty_minimum=0,
    )
    assert accepted_kpis(nothing) == []


def own_kpi(
    title: str = "Bins emptied",
    unit: str = "collections",
    target: str = "1250",
    frequency: str = "monthly",
    evidence: str = "Collection logs.",
) -> AcceptedKpi:
    return AcceptedKpi(title, unit, frequency, evidence, Decimal(target))


@pytest.mark.parametrize(
    ("accepted", "written"),
    [
        pytest.param(
            own_kpi("Bins emptied {x}"),
            "The Supplier shall achieve 1,250 collections for “Bins emptied {x}” in delivering "
            "Cleaning of council offices, reported every month with collection logs.",
            id="braces-in-the-title",
        ),
        pytest.param(
            own_kpi("Staff trained", "% of staff", "50", "annually", "Training records"),
            "The Supplier shall achieve 50% of staff for “Staff trained” in delivering "
            "Cleaning of council offices, reported every year with training records.",
            id="percentage-without-a-space",
        ),
        pytest.param(
            own_kpi(
                "Waste {unit} {target}",
                "tonnes {unit}",
                "12.50",
                "quarterly",
                "  Weighbridge tickets.  ",
            ),
            "The Supplier shall achieve 12.5 tonnes {unit} for “Waste {unit} {target}” in "
            "delivering Cleaning of council offices, reported every quarter with weighbridge "
            "tickets.",
            id="braces-in-the-unit-and-placeholder-names",
        ),
        pytest.param(
            own_kpi("Repairs", "%", "99.5", "six-monthly", "Job sheets"),
            "The Supplier shall achieve 99.5% for “Repairs” in delivering Cleaning of council "
            "offices, reported every six months with job sheets.",
            id="bare-percent-unit",
        ),
    ],
)
def test_the_plain_clause_of_an_own_kpi(accepted: AcceptedKpi, written: str) -> None:
    assert clause(accepted, CONTRACT.title) == written


@pytest.mark.parametrize(
    "title", ["{x}", "{}", "{0}", "{contract_title}", "{target}", "{", "}", "{{x}}", "a {b", "{!r}"]
)
def test_an_own_kpi_s_title_is_never_a_template(title: str) -> None:
    written = clause(own_kpi(title), CONTRACT.title)
    assert f"for “{title}” in delivering Cleaning of council offices," in written


def test_an_own_kpi_s_evidence_keeps_its_capitals() -> None:
    # The evidence follows "with": only an ordinary first word loses its capital.
    written = clause(own_kpi(evidence="HMRC payroll returns"), CONTRACT.title)
    assert written.endswith("reported every month with HMRC payroll returns.")


def test_a_library_percentage_has_no_space_before_the_sign() -> None:
    written = clause(AcceptedKpi.of(LIBRARY.kpi("llw-staff-share"), Decimal(50)), CONTRACT.title)
    assert "pay 50% of staff in scope on Cleaning of council offices (those the" in written
    assert " %" not in written


def test_a_baseline_clause_says_what_holds_until_the_target_is_agreed() -> None:
    written = clause(AcceptedKpi.of(LIBRARY.kpi("delivery-trips"), None), CONTRACT.title)
    assert written.endswith(
        "Until the target is agreed, the Supplier shall make no more trips a month than in the "
        "first quarter of the contract."
    )


@pytest.mark.parametrize("kpi", LIBRARY.kpis, ids=lambda kpi: kpi.code)
def test_no_clause_repeats_its_unit(kpi) -> None:  # type: ignore[no-untyped-def]
    """ "at least 10 actions completed" once said its unit twice; a clause names it once, and a
    per-year KPI says "each contract year" rather than a count for the whole term."""
    written = clause(AcceptedKpi.of(kpi, Decimal(10)), "Project Zed").casefold()
    unit = kpi.unit.casefold()
    stems = {word[:6] for word in unit.replace("%", " ").split() if len(word) > 3}
    before, _, after = written.partition(f"10 {unit}" if not unit.startswith("%") else f"10{unit}")
    near = before.split()[-4:] + after.split()[:4]
    assert not stems & {word[:6] for word in near}, written


@pytest.mark.parametrize("kpi", LIBRARY.kpis, ids=lambda kpi: kpi.code)
def test_clauses_read_right_at_the_edges(kpi) -> None:  # type: ignore[no-untyped-def]
    """A whole share is not "at least 100%"; a count of one is not "1 people" or "report(s)"."""
    if kpi.unit.startswith("%"):
        assert "at least 100%" not in clause(AcceptedKpi.of(kpi, Decimal(100)), "Project Zed")
        assert "at least 90%" in clause(AcceptedKpi.of(kpi, Decimal(90)), "Project Zed") or (
            "at least" not in kpi.clause
        )
    one = clause(AcceptedKpi.of(kpi, Decimal(1)), "Project Zed")
    assert "(s)" not in one and "1 people" not in one, one


@pytest.mark.parametrize(
    ("unit", "clause_text"),
    [("actions completed", "The Supplier shall complete at least {target} {unit} for "
      "{contract_title}."),
     ("people recruited", "The Supplier shall recruit at least {target} {unit} for "
      "{contract_title}.")],
)  # fmt: skip
def test_the_repeated_unit_check_would_catch_the_old_wording(unit: str, clause_text: str) -> None:
    old = LIBRARY.kpi("biodiversity-actions").model_copy(
        update={"unit": unit, "clause": clause_text}
    )
    with pytest.raises(AssertionError):
        test_no_clause_repeats_its_unit(old)


def test_a_contract_title_with_braces_is_filled_in_as_text() -> None:
    title = "Works {phase 2} {target}"
    library = clause(AcceptedKpi.of(LIBRARY.kpi("apprenticeship-weeks"), Decimal(150)), title)
    assert "over the life of Works {phase 2} {target}, reporting" in library
    assert "in delivering Works {phase 2} {target}, reported" in clause(own_kpi(), title)


def obligation(code: str, applies: bool, supplier: str) -> Obligation:
    return Obligation(
        code,
        code.title(),
        applies,
        "Because.",
        "https://www.gov.uk/",
        action="Do it.",
        supplier=supplier,
        basis=Basis.LAW,
    )


@pytest.mark.parametrize(
    ("applies", "supplier", "required"),
    [
        (True, "Report the emissions.", True),
        (True, "", False),  # applies, but asks nothing of the supplier
        (False, "Report the emissions.", False),
        (False, "", False),
    ],
)
def test_an_obligation_is_required_when_it_applies_and_asks_something_of_the_supplier(
    applies: bool, supplier: str, required: bool
) -> None:
    one = obligation("carbon-reduction-plan", applies, supplier)
    expected = [SupplierRequirement(one.title, supplier)] if required else []
    assert requirements([one]) == expected


def test_requirements_keep_the_obligations_order() -> None:
    first = obligation("modern-slavery", True, "Map the supply chain.")
    buyer_only = obligation("kpi-duty", True, "")
    found = requirements([first, CRP, buyer_only, LLW])
    assert [r.title for r in found] == [first.title, LLW.title]
    assert requirements([]) == []


def test_a_promise_in_the_answers_is_a_requirement_after_the_obligations() -> None:
    promised = Requirement("equality_data", "Equality reporting", "Report each year.")
    found = requirements([LLW], [promised])
    assert [(r.title, r.supplier) for r in found] == [
        ("London Living Wage", "Pay at least the London Living Wage."),
        ("Equality reporting", "Report each year."),
    ]
    document = opened(doc([LLW], [], [promised]))
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("Equality reporting") + 1] == "Report each year."


def test_the_document_has_the_lead_s_own_kpis_and_only_required_obligations() -> None:
    buyer_only = obligation("kpi-duty", True, "")
    document = opened(doc([LLW, buyer_only, CRP], accepted_kpis(TASK)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [
        "London Living Wage",
        "Contract staff paid at least the London Living Wage",
        "Weeks of apprenticeships and training",
        "Waste kept out of landfill and incineration",
        "Bins emptied {x}",
        "Staff trained in {safety}",
    ]
    texts = [p.text for p in document.paragraphs]
    own = texts.index("Bins emptied {x}")
    assert texts[own + 1] == clause(accepted_kpis(TASK)[3], CONTRACT.title)
    assert texts[own + 2] == "Staff trained in {safety}"  # no definition for an own KPI
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[4:] == [
        ["Bins emptied {x}", "collections", "1,250", "Every month", "Collection logs."],
        ["Staff trained in {safety}", "% of staff", "50", "Every year", "Training records"],
    ]


# Fit for suppliers ------------------------------------------------------------------------------


def test_the_document_is_the_council_s_with_its_own_properties() -> None:
    """Author, title, subject and dates set by the service: never python-docx's defaults."""
    document = opened(doc([LLW], ACCEPTED))
    properties = document.core_properties
    assert properties.author == properties.last_modified_by == "Hackney Council"
    assert properties.title == "Draft: Sustainability requirements: Cleaning of council offices"
    assert properties.subject == "PRC-2026-0001: Cleaning of council offices"
    assert properties.created == properties.modified == CREATED
    assert "python-docx" not in (properties.comments + properties.author)
    header = document.sections[0].header.paragraphs[0].text
    assert header == "Hackney Council: PRC-2026-0001"


def test_a_draft_says_so_until_the_primas_is_approved() -> None:
    draft = [p.text for p in opened(doc([LLW], ACCEPTED)).paragraphs]
    assert draft[0].startswith("Draft: ") and DRAFT_NOTE in draft
    approved = replace(CONTRACT, approved=True)
    final = [p.text for p in opened(doc([LLW], ACCEPTED, contract=approved)).paragraphs]
    assert final[0] == "Sustainability requirements: Cleaning of council offices"
    assert DRAFT_NOTE not in final


def test_no_note_meant_for_the_buyer_reaches_the_supplier() -> None:
    reasoned = replace(LLW, reason="Staff work on premises (see its explanation).")
    text = "\n".join(p.text for p in opened(doc([reasoned], ACCEPTED)).paragraphs)
    assert "Why:" not in text and "see its explanation" not in text
    assert "Staff work on premises" not in text


def test_the_living_wage_requirement_gives_the_rate_and_its_pay_by_date() -> None:
    with_rates = replace(LLW, facts=(
        ("Latest rate, announced 22 October 2025", "£14.80 an hour"),
        ("Must be paid by", "1 May 2026"),
        ("Care in people's own homes", "Council policy from 1 January 2018"),  # the buyer's
    ))  # fmt: skip
    (found,) = requirements([with_rates])
    assert found.details_heading == "The London Living Wage:"
    assert found.details == (
        "Latest rate, announced 22 October 2025: £14.80 an hour",
        "Must be paid by: 1 May 2026",
    )
    texts = [p.text for p in opened(doc([with_rates], [])).paragraphs]
    assert "Must be paid by: 1 May 2026" in texts


def test_the_supplier_s_mitigation_actions_are_in_the_modern_slavery_requirement() -> None:
    slavery = obligation("modern-slavery", True, "Map the supply chain.")
    actions = [SupplierAction("Audit the agency supplying cleaners", date(2027, 6, 1)),
               SupplierAction("Train supervisors")]  # fmt: skip
    (found,) = requirements([slavery], actions=actions)
    assert found.details == ("Audit the agency supplying cleaners, by 1 June 2027",
                             "Train supervisors")  # fmt: skip
    texts = [p.text for p in opened(doc([slavery], [], actions=actions)).paragraphs]
    assert "The Supplier shall also carry out these actions:" in texts
    assert "Audit the agency supplying cleaners, by 1 June 2027" in texts
    assert requirements([slavery])[0].details == ()


def test_text_saved_with_pasted_control_characters_still_makes_a_document() -> None:
    """Text stored before the boundary cleaned it (a vertical tab pasted into a description, a
    NUL in a KPI's evidence) is cleaned as the document is written, never a failed download."""
    pasted = Contract(
        reference="PRC-2026-0002",
        title="Cleaning\x0bof offices",
        description="Daily\vcleaning\x00 of the town hall.\x0c",
        facts=(("Term", "36 months\x01"),),
        council="Hackney Council",
    )
    own = AcceptedKpi("Visits\x02 made", "visits\x1f", "monthly", "Logs\x0bsigned", Decimal(12))
    document = opened(doc([LLW], (*ACCEPTED, own), contract=pasted))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Daily\ncleaning of the town hall.\n" in text
    assert "Term: 36 months" in text
    assert document.tables[-1].rows[-1].cells[0].text == "Visits made"


def test_an_own_kpi_with_a_ceiling_says_no_more_than() -> None:
    ceiling = AcceptedKpi("Emissions", "tonnes of CO2 equivalent", "annually", "Fuel records.",
                          Decimal("12.5"), better="lower")  # fmt: skip
    assert clause(ceiling, "Fleet hire") == (
        "The Supplier shall keep “Emissions” to no more than 12.5 tonnes of CO2 equivalent in "
        "delivering Fleet hire, reported every year with fuel records."
    )
