"""The specification as a Word document, opened again with python-docx: real headings, each
applying obligation's requirement, each accepted KPI's clause with its edited target, and a
schedule table with one row per accepted KPI under a marked header row."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from docx import Document
from docx.oxml.ns import qn

from app.scoring.kpis import load_library
from app.scoring.obligations import Obligation
from app.specification import AcceptedKpi, Contract, clause, word_document

LIBRARY = load_library()
CONTRACT = Contract(
    reference="PRC-2026-0001",
    title="Cleaning of council offices",
    description="Daily cleaning of the town hall and libraries.",
    facts=(("Whole-life value", "£2,400,000"), ("Term", "36 months, with 24 months' extension")),
)
LLW = Obligation(
    "london-living-wage",
    "London Living Wage",
    True,
    "Staff work on premises.",
    "https://livingwage.org.uk/FAQs",
    action="Pay at least the London Living Wage.",
)
CRP = Obligation("carbon-reduction-plan", "Carbon reduction plan", False,
                 "The annual value is not over £5m.", "https://www.gov.uk/")  # fmt: skip
ACCEPTED = (
    AcceptedKpi(LIBRARY.kpi("llw-staff-share"), Decimal(100)),
    AcceptedKpi(LIBRARY.kpi("apprenticeship-weeks"), Decimal(150)),  # edited from 125
    AcceptedKpi(LIBRARY.kpi("carbon-emissions-reported"), None),  # a baseline
)


def opened(data: bytes):  # type: ignore[no-untyped-def]
    return Document(BytesIO(data))


def test_headings_use_real_styles_in_order() -> None:
    document = opened(word_document(CONTRACT, [LLW, CRP], ACCEPTED))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith(("Heading", "Title"))]  # fmt: skip
    assert headings == [
        ("Title", "Sustainability requirements: Cleaning of council offices"),
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
    text = "\n".join(
        p.text for p in opened(word_document(CONTRACT, [LLW, CRP], ACCEPTED)).paragraphs
    )
    assert "Pay at least the London Living Wage." in text
    assert "Carbon reduction plan" not in text


def test_the_schedule_has_one_row_per_accepted_kpi_with_its_edited_target() -> None:
    document = opened(word_document(CONTRACT, [LLW], ACCEPTED))
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["KPI", "Unit", "Target", "Reported", "Evidence"]
    assert [row[0] for row in rows[1:]] == [a.kpi.title for a in ACCEPTED]
    assert rows[2][2] == "150"
    assert rows[3][2] == "Baseline in the first year, then agreed"
    assert rows[1][3] == "Every quarter"
    header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header is not None and header.get(qn("w:val")) == "true"


def test_a_rejected_kpi_is_absent() -> None:
    kept = ACCEPTED[:1]
    document = opened(word_document(CONTRACT, [LLW], kept))
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
        text = clause(AcceptedKpi(kpi, Decimal(7)), "The contract")
        assert "{" not in text and "The contract" in text, kpi.code


def test_with_nothing_accepted_the_document_says_so() -> None:
    document = opened(word_document(CONTRACT, [], []))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "No key performance indicators have been accepted yet." in text
    assert "No statutory or policy obligation adds requirements." in text
    assert len(document.tables[0].rows) == 1
