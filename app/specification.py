"""The specification output: every obligation that applies with what it requires of the
supplier, each accepted KPI's clause filled in, and the KPI schedule, as a Word document.

Pure: the procurement's facts, the obligations and the accepted KPIs arrive as arguments and the
document comes back as bytes. Accessible by construction: real heading styles in order, a
document title and language, and a schedule table whose header row is marked as one (so it
repeats on each page and screen readers announce it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table

from app.scoring.kpis import Kpi
from app.scoring.obligations import Obligation

FREQUENCY_WORDS = {
    "monthly": "every month",
    "quarterly": "every quarter",
    "six-monthly": "every six months",
    "annually": "every year",
}
SCHEDULE_COLUMNS = ("KPI", "Unit", "Target", "Reported", "Evidence")


@dataclass(frozen=True)
class Contract:
    """The facts about the procurement the specification opens with."""

    reference: str
    title: str
    description: str
    facts: tuple[tuple[str, str], ...]  # label and value, such as ("Whole-life value", "£2.4m")


@dataclass(frozen=True)
class AcceptedKpi:
    """A KPI as the lead accepted it: the library's, with the target as edited (None for a
    baseline to be agreed)."""

    kpi: Kpi
    target: Decimal | None

    @property
    def target_words(self) -> str:
        """The target as written in the schedule."""
        if self.target is None:
            return "Baseline in the first year, then agreed"
        return f"{self.target.normalize():,f}"


def clause(accepted: AcceptedKpi, contract_title: str) -> str:
    """The KPI's specification clause with the contract's details filled in."""
    kpi = accepted.kpi
    return kpi.clause.format(
        contract_title=contract_title,
        target=accepted.target_words if accepted.target is not None else "the agreed target",
        unit=kpi.unit,
        frequency=FREQUENCY_WORDS[kpi.frequency],
        evidence=kpi.evidence[0].lower() + kpi.evidence[1:].rstrip("."),
    )


def _mark_header_row(table: Table) -> None:
    """Mark the first row as the table's header: repeated on each page, read as headings."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def word_document(
    contract: Contract, obligations: Sequence[Obligation], kpis: Sequence[AcceptedKpi]
) -> bytes:
    """The specification as a .docx file's bytes."""
    document = Document()
    properties = document.core_properties
    properties.title = f"Sustainability requirements: {contract.title}"
    properties.subject = contract.reference
    properties.language = "en-GB"
    document.add_heading(f"Sustainability requirements: {contract.title}", level=0)
    document.add_paragraph(contract.description)

    document.add_heading("About the contract", level=1)
    for label, value in (("Reference", contract.reference),) + contract.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)

    document.add_heading("What the supplier must do", level=1)
    applying = [o for o in obligations if o.applies and o.action]
    if not applying:
        document.add_paragraph("No statutory or policy obligation adds requirements.")
    for obligation in applying:
        document.add_heading(obligation.title, level=2)
        document.add_paragraph(obligation.action)
        document.add_paragraph(f"Why: {obligation.reason}")

    document.add_heading("Key performance indicators", level=1)
    if not kpis:
        document.add_paragraph("No key performance indicators have been accepted yet.")
    for accepted in kpis:
        document.add_heading(accepted.kpi.title, level=2)
        document.add_paragraph(clause(accepted, contract.title))
        document.add_paragraph(f"Definition: {accepted.kpi.definition}")

    document.add_heading("KPI schedule", level=1)
    table = document.add_table(rows=1, cols=len(SCHEDULE_COLUMNS))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, SCHEDULE_COLUMNS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    _mark_header_row(table)
    for accepted in kpis:
        kpi = accepted.kpi
        row = table.add_row().cells
        values = (kpi.title, kpi.unit, accepted.target_words,
                  FREQUENCY_WORDS[kpi.frequency].capitalize(), kpi.evidence)  # fmt: skip
        for cell, value in zip(row, values, strict=True):
            cell.text = value
    output = BytesIO()
    document.save(output)
    return output.getvalue()
