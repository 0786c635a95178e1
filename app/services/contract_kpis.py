"""A procurement's contract KPIs: each KPI its approvals put in the contract, known by its
library code (or, for the lead's own, "own:" and its title) across revisions, so that its
outcome reports carry on when the assessment is amended (docs/api.md)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from app.models import Assessment, ContractKpi, Procurement
from app.scoring.kpi_choices import target_text
from app.scoring.kpis import KpiLibrary

# The KPI decisions an approval puts in the contract (records.py `_kpis`).
APPROVED_DECISIONS = ("accepted", "edited", "own")


def key_of(kpi: dict[str, Any]) -> str:
    """The key a record's KPI is known by across revisions: its library code, or for the
    lead's own, "own:" and its title (spacing and case aside)."""
    code: str | None = kpi["code"]
    return code or "own:" + re.sub(r"\s+", " ", kpi["title"]).strip().casefold()[:200]


def approved_keys(content: dict[str, Any]) -> set[str]:
    """The keys of the KPIs an approved record puts in the contract."""
    return {key_of(kpi) for kpi in content["kpis"] if kpi["decision"] in APPROVED_DECISIONS}


def _better(kpi: dict[str, Any], lower: set[str]) -> str:
    if kpi["code"] is None:  # the lead's own says (records from before it did: higher)
        return str(kpi.get("better") or "higher")
    return "lower" if kpi["code"] in lower else "higher"


def contract_kpis_from(content: dict[str, Any], library: KpiLibrary) -> list[dict[str, Any]]:
    """The contract KPIs an approved record sets: its accepted, edited and own KPIs, each with
    the key it is known by across revisions (its library code, or "own:" and its title)."""
    lower = {kpi.code for kpi in library.kpis if kpi.better == "lower"}
    return [
        {"key": key_of(kpi), "code": kpi["code"],
         "title": kpi["title"], "unit": kpi["unit"], "frequency": kpi["frequency"],
         "target": None if kpi["target"] is None else target_text(Decimal(str(kpi["target"]))),
         "better": _better(kpi, lower)}
        for kpi in content["kpis"] if kpi["decision"] in APPROVED_DECISIONS
    ]  # fmt: skip


def record_approved(
    session: Session, procurement_id: int, revision: int, content: dict[str, Any],
    library: KpiLibrary, on: date,
) -> None:  # fmt: skip
    """Bring the procurement's contract KPIs up to date with a revision being approved on `on`
    (the caller commits with the approval): new ones added, in the contract from that day; kept
    ones given its unit, frequency and target. Those it drops stay, with their reports, no
    longer in force."""
    known = {row.key: row for row in session.exec(
        select(ContractKpi).where(col(ContractKpi.procurement_id) == procurement_id))}  # fmt: skip
    for values in contract_kpis_from(content, library):
        row = known.get(values["key"]) or ContractKpi(procurement_id=procurement_id,
                                                      revision=revision, since=on,
                                                      **values)  # fmt: skip
        for name, value in values.items():
            setattr(row, name, value)
        row.revision = revision
        known[row.key] = row  # two of one title (before titles had to differ) share one row
        session.add(row)


def in_force_revision(session: Session, procurement_id: int) -> int | None:
    """The number of the procurement's approved revision in force, if any."""
    return session.exec(
        select(Assessment.revision).where(
            col(Assessment.procurement_id) == procurement_id, col(Assessment.status) == "approved"
        )
    ).first()


def contract_kpis(session: Session, procurement: Procurement) -> list[ContractKpi]:
    """Every KPI the procurement's approvals have set, in force first, then by title."""
    rows = session.exec(
        select(ContractKpi).where(col(ContractKpi.procurement_id) == procurement.id)
    ).all()
    current = in_force_revision(session, procurement.id or 0)
    return sorted(rows, key=lambda row: (row.revision != current, row.title.casefold(), row.id))
