"""A procurement as Open Contracting data: an OCDS 1.1 release package with the metrics
extension (docs/ocds.md). The tender's targets and the contract's agreed metrics are the KPIs
of the approved revision in force; the implementation's metrics are the outcomes reported
against them, period by period. What OCDS has no place for (what the procurement owes, its
sustainability scores, each report's s.71 rating) travels in the release's own `primas` object,
as the release schema allows.

`gather` reads what the release says; `release_package` lays it out and reads nothing more, so
the same data always gives the same package: its dates are those of the last change, not of
the request, and so its ETag holds until something changes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from app.models import ApprovedRecord, Procurement
from app.scoring.catalogue import Catalogue
from app.scoring.performance import Period, add_months
from app.services import approvals, assessments, contract_kpis, outcomes, records
from app.services.outcomes import KpiOutcomes, ReportView
from app.services.owed import Owed, owed
from app.timeutil import LONDON

OCDS_VERSION = "1.1"
METRICS_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/"
                     "ocds_metrics_extension/master/extension.json")  # fmt: skip
BUYER_ID = "council"  # the council's id among the release's parties
# A target holds for each reporting period: how a metric's description says which.
EVERY = {"monthly": "each month", "quarterly": "each quarter", "six-monthly": "each half-year",
         "annually": "each year"}  # fmt: skip


@dataclass(frozen=True)
class Publication:
    """Who publishes the package, and where: its own address, the council's OCID prefix
    (PRIMAS_OCID_PREFIX) and the council's name."""

    uri: str
    ocid_prefix: str
    council: str


@dataclass(frozen=True)
class Contracting:
    """Everything one procurement's release says: the record, its approved record in force,
    its contract KPIs with their reports, what it owes, and when any of it last changed."""

    procurement: Procurement
    approved: ApprovedRecord | None
    kpis: list[KpiOutcomes]
    owed: Owed
    changed_at: datetime

    @property
    def agreed(self) -> list[KpiOutcomes]:
        """The KPIs of the approved revision in force."""
        return [kpi for kpi in self.kpis if kpi.in_force]

    @property
    def reported(self) -> list[KpiOutcomes]:
        """The KPIs with at least one report, in force or not (reports outlive an amendment)."""
        return [kpi for kpi in self.kpis if kpi.reports]


def gather(
    session: Session, catalogue: Catalogue, procurement: Procurement, today: date
) -> Contracting:
    """What the procurement's release says, read as it stands today."""
    approved = approvals.in_force(session, procurement)
    found = records.record_of(session, procurement, approved.revision) if approved else None
    record = found[0] if found else None
    kpis = [outcomes.outcomes_of(session, kpi, today)
            for kpi in contract_kpis.contract_kpis(session, procurement)]  # fmt: skip
    owes = owed(session, catalogue, procurement, today)
    moments = [procurement.updated_at] + ([record.approved_at] if record else [])
    draft = assessments.open_draft(session, procurement) if owes.source == "draft" else None
    if draft is not None:  # what it owes is read from the draft's answers
        moments.append(draft.updated_at)
    for kpi in kpis:
        for view in kpi.reports:
            moments.append(view.latest.reported_at)
            if view.rated is not None:
                moments.append(view.rated.rated_at)
    return Contracting(procurement, record, kpis, owes, max(moments))


def release_package(
    contracting: Contracting, publication: Publication, obligations: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The release package of one procurement: a single release, published when it last
    changed. `obligations` are what it owes as the API's procurement gives them, so the two
    never differ."""
    return {
        "uri": publication.uri,
        "version": OCDS_VERSION,
        "publishedDate": moment(contracting.changed_at),
        "publisher": {"name": publication.council},
        "extensions": [METRICS_EXTENSION],
        "releases": [_release(contracting, publication, obligations)],
    }


def ocid_of(prefix: str, procurement: Procurement) -> str:
    """The procurement's Open Contracting ID: the council's prefix and its reference."""
    return f"{prefix}-{procurement.reference}"


def moment(value: datetime) -> str:
    """A time as OCDS and the rest of the API write it: ISO 8601 in UTC, with Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def day_starts(day: date) -> str:
    """The first moment of a day in London, where the council counts its days."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).isoformat()


def day_ends(day: date) -> str:
    """The last second of a day in London (periods include their last day)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=LONDON).isoformat()


def number(value: Decimal) -> int | float:
    """An exact decimal as a JSON number: whole numbers as integers."""
    return int(value) if value == value.to_integral_value() else float(value)


def _release(contracting: Contracting, publication: Publication,
             obligations: Sequence[Mapping[str, Any]]) -> dict[str, Any]:  # fmt: skip
    procurement, council = contracting.procurement, publication.council
    body: dict[str, Any] = {
        "date": moment(contracting.changed_at),
        "tag": _tags(contracting),
        "initiationType": "tender",
        "parties": [{"id": BUYER_ID, "name": council, "roles": ["buyer"]}],
        "buyer": {"id": BUYER_ID, "name": council},
        "tender": _tender(contracting),
    }
    if contracting.approved is not None:
        body["awards"] = [{"id": f"{procurement.reference}-award"}]
        body["contracts"] = [_contract(contracting)]
    body["primas"] = _primas(contracting, obligations)
    # The same content always has the same id, and changed content a new one.
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:12]
    ocid = ocid_of(publication.ocid_prefix, procurement)
    revision = contracting.approved.revision if contracting.approved else "record"
    return {"ocid": ocid, "id": f"{ocid}-{revision}-{digest}", **body}


def _tags(contracting: Contracting) -> list[str]:
    if contracting.approved is None:
        return ["planning"]
    return ["tender", "contract"] + (["implementation"] if contracting.reported else [])


def _tender_status(contracting: Contracting) -> str:
    if contracting.procurement.status == "withdrawn":
        return "withdrawn"
    if contracting.approved is None:
        return "planning"
    return "complete" if contracting.reported else "planned"


def _contract_status(contracting: Contracting) -> str:
    if contracting.procurement.status == "withdrawn":
        return "terminated" if contracting.reported else "cancelled"
    return "active" if contracting.reported else "pending"


def _contract_period(procurement: Procurement) -> dict[str, str]:
    start = procurement.expected_start_date
    period = {
        "startDate": day_starts(start),
        "endDate": day_ends(add_months(start, procurement.term_months) - timedelta(days=1)),
    }
    if procurement.extension_months:
        period["maxExtentDate"] = day_ends(
            add_months(start, procurement.total_months) - timedelta(days=1)
        )
    return period


def _tender(contracting: Contracting) -> dict[str, Any]:
    procurement = contracting.procurement
    tender: dict[str, Any] = {"id": procurement.reference, "title": procurement.title}
    if procurement.description:
        tender["description"] = procurement.description
    tender |= {
        "status": _tender_status(contracting),
        "value": {"amount": number(Decimal(procurement.value_pence) / 100), "currency": "GBP"},
        "mainProcurementCategory": procurement.contract_type,
        "tenderPeriod": {"startDate": day_starts(procurement.planned_tender_date)},
        "contractPeriod": _contract_period(procurement),
    }
    if contracting.agreed:
        tender["targets"] = [_target(kpi) for kpi in contracting.agreed]
    return tender


def _contract(contracting: Contracting) -> dict[str, Any]:
    procurement = contracting.procurement
    contract: dict[str, Any] = {
        "id": f"{procurement.reference}-contract",
        "awardID": f"{procurement.reference}-award",
        "title": procurement.title,
        "status": _contract_status(contracting),
        "period": _contract_period(procurement),
    }
    if contracting.agreed:
        contract["agreedMetrics"] = [_target(kpi) for kpi in contracting.agreed]
    if contracting.reported:
        contract["implementation"] = {"metrics": [_actuals(kpi) for kpi in contracting.reported]}
    return contract


def metric_id(kpi: KpiOutcomes) -> str:
    """A KPI's id as a metric: its contract KPI's id, the same across revisions."""
    return str(kpi.kpi.id)


def _target(found: KpiOutcomes) -> dict[str, Any]:
    """A KPI as a target: what is to be met in each reporting period, over the contract."""
    kpi = found.kpi
    every = EVERY.get(kpi.frequency, f"each {kpi.frequency} period")
    metric: dict[str, Any] = {"id": metric_id(found), "title": kpi.title}
    target = outcomes.number(kpi.target)
    if target is None:
        metric["description"] = (f"A baseline, in {kpi.unit}, measured {every} before a target "
                                 "is set.")  # fmt: skip
        return metric
    bound = "A minimum: at least" if kpi.better == "higher" else "A maximum: at most"
    space = "" if kpi.unit.startswith("%") else " "
    metric["description"] = f"{bound} {outcomes.plain(target)}{space}{kpi.unit}, {every}."
    metric["observations"] = [{
        "id": f"{metric_id(found)}-target",
        "period": _contract_period(found.procurement),
        "measure": number(target),
        "unit": {"name": kpi.unit},
        "dimensions": {"reportingFrequency": kpi.frequency},
    }]  # fmt: skip
    return metric


def observation_id(found: KpiOutcomes, period: Period) -> str:
    """A reported outcome's id: its KPI's and the day its period starts."""
    return f"{metric_id(found)}-{period.start.isoformat()}"


def _actuals(found: KpiOutcomes) -> dict[str, Any]:
    """A KPI's reported outcomes, each as its latest version says (corrections included)."""
    observations = []
    for view in found.reports:
        observation: dict[str, Any] = {
            "id": observation_id(found, view.period),
            "period": {"startDate": day_starts(view.period.start),
                       "endDate": day_ends(view.period.end)},
            "measure": number(Decimal(view.latest.actual)),
            "unit": {"name": found.kpi.unit},
        }  # fmt: skip
        if view.latest.commentary:
            observation["notes"] = view.latest.commentary
        observations.append(observation)
    return {"id": metric_id(found), "title": found.kpi.title, "observations": observations}


def _rating(found: KpiOutcomes, view: ReportView) -> dict[str, Any]:
    return {
        "metric": metric_id(found),
        "observation": observation_id(found, view.period),
        "period": {"start": view.period.start.isoformat(), "end": view.period.end.isoformat()},
        "suggested": view.suggestion.rating.value,
        "confirmed": view.confirmed.value if view.confirmed else None,
        "rating": view.rating.value,
    }


def _sustainability(record: ApprovedRecord | None) -> dict[str, Any] | None:
    """The approved revision's overall rating and each topic's risk, scope and priority, as
    its signed record froze them."""
    if record is None:
        return None
    result = records.content_of(record)["result"]
    return {
        "revision": record.revision,
        "overall": result["overall"],
        "spend_band": result["spend_band"],
        "modern_slavery_level": result["modern_slavery_level"],
        "social_value_weighting": result["social_value_weighting"],
        "topics": [{name: topic[name] for name in ("topic", "name", "risk", "scope", "priority")}
                   for topic in result["topics"]],
    }  # fmt: skip


def _primas(contracting: Contracting, obligations: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What OCDS has no field for, in the PRIMAS API's own words."""
    source = contracting.owed
    return {
        "reference": contracting.procurement.reference,
        "obligations_from": {"source": source.source, "revision": source.revision},
        "obligations": [dict(item) for item in obligations],
        "sustainability": _sustainability(contracting.approved),
        "kpis": [{"metric": metric_id(kpi), "code": kpi.kpi.code, "frequency": kpi.kpi.frequency,
                  "better": kpi.kpi.better, "in_force": kpi.in_force}
                 for kpi in contracting.kpis],
        "ratings": [_rating(kpi, view) for kpi in contracting.reported for view in kpi.reports],
    }  # fmt: skip
