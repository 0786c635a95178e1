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
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table

from app.inputs import clean_text
from app.scoring.kpi_choices import KpiTask
from app.scoring.kpis import Kpi
from app.scoring.obligations import Obligation
from app.scoring.results import Requirement
from app.timeutil import long_date

FREQUENCY_WORDS = {
    "monthly": "every month",
    "quarterly": "every quarter",
    "six-monthly": "every six months",
    "annually": "every year",
}
SCHEDULE_COLUMNS = ("KPI", "Unit", "Target", "Reported", "Evidence")


@dataclass(frozen=True)
class Contract:
    """The facts about the procurement the specification opens with, the council issuing it,
    and whether its PRIMAS is approved (until then the specification is a draft)."""

    reference: str
    title: str
    description: str
    facts: tuple[tuple[str, str], ...]  # label and value, such as ("Whole-life value", "£2.4m")
    council: str = ""
    approved: bool = False
    # For an approved PRIMAS: who approved it, when, and the signed record's hash.
    approval: str = ""

    @property
    def heading(self) -> str:
        """The document's title: marked as a draft until the PRIMAS is approved."""
        words = f"Sustainability requirements: {self.title}"
        return words if self.approved else f"Draft: {words}"


@dataclass(frozen=True)
class AcceptedKpi:
    """A KPI as the lead accepted it: from the library (with its clause) or their own, with the
    target as edited (None for a library baseline to be agreed)."""

    title: str
    unit: str
    frequency: str
    evidence: str
    target: Decimal | None
    definition: str = ""
    clause_template: str | None = None  # None: a KPI of the lead's own, with the plain clause
    code: str | None = None
    fallback: str = ""  # for a baseline: what holds until the target is agreed
    better: str = "higher"  # for the lead's own: "lower" when the target is a ceiling

    @classmethod
    def of(cls, kpi: Kpi, target: Decimal | None) -> AcceptedKpi:
        """A library KPI with its accepted target."""
        return cls(kpi.title, kpi.unit, kpi.frequency, kpi.evidence, target,
                   kpi.definition, kpi.clause, kpi.code, kpi.target.fallback)  # fmt: skip

    @property
    def target_words(self) -> str:
        """The target as written in the schedule."""
        return target_words(self.target)


def target_words(target: Decimal | None, unit: str = "", *, baseline: bool = True) -> str:
    """A target as people read it: "1,250", with its unit "1,250 (people)", or the baseline (or,
    for a KPI that is not a baseline, that no target is set yet)."""
    if target is None:
        return "Baseline in the first year, then agreed" if baseline else "Not set yet"
    words = f"{target.normalize():,f}"
    return f"{words} ({unit})" if unit else words


def accepted_kpis(task: KpiTask) -> list[AcceptedKpi]:
    """Every accepted KPI of the task, library ones first (in the task's order), then the
    lead's own."""
    found = [AcceptedKpi.of(row.kpi, row.target) for row in task.rows if row.accepted]
    found += [
        AcceptedKpi(own.title, own.unit, own.frequency, own.evidence, own.target,
                    better=own.better)
        for own in task.custom
    ]  # fmt: skip
    return found


def _evidence_words(evidence: str) -> str:
    """Evidence as the end of a sentence: "Payroll records." -> "payroll records", but an
    acronym keeps its capitals ("HMRC returns")."""
    evidence = evidence.strip().rstrip(".")
    if evidence[1:2].isupper():
        return evidence
    return evidence[:1].lower() + evidence[1:]


def clause(accepted: AcceptedKpi, contract_title: str) -> str:
    """The KPI's specification clause with the contract's details filled in."""
    target = accepted.target_words if accepted.target is not None else "the agreed target"
    frequency = FREQUENCY_WORDS[accepted.frequency]
    evidence = _evidence_words(accepted.evidence)
    if accepted.clause_template is None:  # the lead's own words go in as text, never a template
        amount = (
            f"{target}{accepted.unit}"
            if accepted.unit.startswith("%")
            else f"{target} {accepted.unit}"
        )
        if accepted.better == "lower":
            return (
                f"The Supplier shall keep “{accepted.title}” to no more than {amount} in "
                f"delivering {contract_title}, reported {frequency} with {evidence}."
            )
        return (
            f"The Supplier shall achieve {amount} for “{accepted.title}” in "
            f"delivering {contract_title}, reported {frequency} with {evidence}."
        )
    written = accepted.clause_template.format(
        contract_title=contract_title,
        target=target,
        unit=accepted.unit,
        frequency=frequency,
        evidence=evidence,
    )
    written = written.replace(f"{target} %", f"{target}%")  # "50% of staff", not "50 % of staff"
    if accepted.target == 100 and accepted.unit.startswith("%"):  # nothing above all of it
        written = written.replace("at least 100%", "100%")
    if accepted.target is None and accepted.fallback:  # a baseline: what holds meanwhile
        written += f" Until the target is agreed, {accepted.fallback}"
    return written


@dataclass(frozen=True)
class SupplierRequirement:
    """One thing the specification requires of the supplier, in words addressed to the
    supplier (why the council requires it is the buyer's business, in the PRIMAS results), with
    the particulars it needs: the Living Wage rate and pay-by date, the actions to carry out."""

    title: str
    supplier: str
    details_heading: str = ""
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class SupplierAction:
    """A modern slavery mitigation action the supplier carries out, and when it is due."""

    action: str
    due: date | None = None

    @property
    def words(self) -> str:
        return f"{self.action}, by {long_date(self.due)}" if self.due else self.action


def requirements(
    obligations: Sequence[Obligation],
    promised: Sequence[Requirement] = (),
    actions: Sequence[SupplierAction] = (),
) -> list[SupplierRequirement]:
    """What the supplier must do: each obligation that applies and asks something of the
    supplier, then each promise the lead's answers made."""
    found = []
    for obligation in obligations:
        if not (obligation.applies and obligation.supplier):
            continue
        heading = ""
        details: tuple[str, ...] = ()
        if obligation.code == "london-living-wage":
            heading = "The London Living Wage:"
            details = tuple(  # the rates and their dates, not the buyer's policy notes
                f"{label}: {value}"
                for label, value in obligation.facts
                if value.endswith("an hour") or label == "Must be paid by"
            )
        elif obligation.code == "modern-slavery" and actions:
            heading = "The Supplier shall also carry out these actions:"
            details = tuple(action.words for action in actions)
        heading = heading if details else ""
        found.append(SupplierRequirement(obligation.title, obligation.supplier, heading, details))
    return found + [SupplierRequirement(p.title, p.supplier) for p in promised]


def _mark_header_row(table: Table) -> None:
    """Mark the first row as the table's header: repeated on each page, read as headings."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


DRAFT_NOTE = (
    "Draft: the Procurement Impact Assessment behind these requirements has not been approved "
    "yet, so they may change."
)


def xml_safe(text: str) -> str:
    """Text as a Word document can hold it: what was stored before pasted control characters
    were cleaned at the boundary (app/inputs.clean_text) is cleaned here too, so no saved text
    can make the document impossible to write."""
    return clean_text(text)


def word_document(
    contract: Contract,
    applying: Sequence[SupplierRequirement],
    kpis: Sequence[AcceptedKpi],
    *,
    created: datetime,
) -> bytes:
    """The specification as a .docx file's bytes, its properties set by the service (author,
    title, subject, dates), never the library's defaults."""
    document = Document()
    properties = document.core_properties
    properties.title = xml_safe(contract.heading)
    properties.subject = xml_safe(f"{contract.reference}: {contract.title}")
    properties.author = xml_safe(contract.council)
    properties.last_modified_by = xml_safe(contract.council)
    properties.category = "Specification"
    properties.comments = "Written by the PRIMAS service from the procurement's assessment."
    properties.keywords = "sustainability; social value; specification"
    properties.language = "en-GB"
    properties.created = properties.modified = created
    properties.revision = 1
    header = document.sections[0].header.paragraphs[0]
    header.text = xml_safe(
        f"{contract.council}: {contract.reference}" if contract.council else contract.reference
    )
    document.add_heading(xml_safe(contract.heading), level=0)
    if not contract.approved:
        document.add_paragraph(DRAFT_NOTE)
    elif contract.approval:
        document.add_paragraph(xml_safe(contract.approval))
    document.add_paragraph(xml_safe(contract.description))

    document.add_heading("About the contract", level=1)
    for label, value in (("Reference", contract.reference),) + contract.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(xml_safe(value))

    document.add_heading("What the supplier must do", level=1)
    if not applying:
        document.add_paragraph("No statutory or policy obligation adds requirements.")
    for requirement in applying:
        document.add_heading(xml_safe(requirement.title), level=2)
        document.add_paragraph(xml_safe(requirement.supplier))
        if requirement.details:
            document.add_paragraph(xml_safe(requirement.details_heading))
        for line in requirement.details:
            document.add_paragraph(xml_safe(line), style="List Bullet")

    document.add_heading("Key performance indicators", level=1)
    if not kpis:
        document.add_paragraph("No key performance indicators have been accepted yet.")
    for accepted in kpis:
        document.add_heading(xml_safe(accepted.title), level=2)
        document.add_paragraph(xml_safe(clause(accepted, contract.title)))
        if accepted.definition:
            document.add_paragraph(xml_safe(f"Definition: {accepted.definition}"))

    document.add_heading("KPI schedule", level=1)
    table = document.add_table(rows=1, cols=len(SCHEDULE_COLUMNS))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, SCHEDULE_COLUMNS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    _mark_header_row(table)
    for accepted in kpis:
        row = table.add_row().cells
        values = (accepted.title, accepted.unit, accepted.target_words,
                  FREQUENCY_WORDS[accepted.frequency].capitalize(), accepted.evidence)  # fmt: skip
        for cell, value in zip(row, values, strict=True):
            cell.text = xml_safe(value)
    output = BytesIO()
    document.save(output)
    return output.getvalue()
