"""A procurement as Open Contracting data (OCDS 1.1, with the metrics extension): its KPI
targets and the outcomes reported against them, for publishing or for a system that reads
OCDS (docs/ocds.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.procurements import Reference, obligations_out, procurement_or_404
from app.api.responses import tagged
from app.api.schemas import INVALID, NOT_FOUND, PROBLEMS
from app.deps import SessionDep, SettingsDep
from app.deps.api import ReadClient
from app.deps.records import CatalogueDep
from app.services import ocds
from app.timeutil import london_today

router = APIRouter(prefix="/api/v1", tags=["ocds"], responses=PROBLEMS)

EXAMPLE_RELEASE: dict[str, Any] = {
    "ocid": "ocds-primas-PRC-2026-0001",
    "id": "ocds-primas-PRC-2026-0001-1-5f0c9a4e2b7d",
    "date": "2027-01-14T10:12:03.114000Z",
    "tag": ["tender", "contract", "implementation"],
    "initiationType": "tender",
    "parties": [{"id": "council", "name": "Hackney Council", "roles": ["buyer"]}],
    "buyer": {"id": "council", "name": "Hackney Council"},
    "tender": {
        "id": "PRC-2026-0001", "title": "Cleaning of council offices", "status": "complete",
        "value": {"amount": 2400000, "currency": "GBP"},
        "targets": [{"id": "7", "title": "Staff paid the London Living Wage",
                     "observations": [{"id": "7-target", "measure": 100, "unit": {"name": "%"}}]}],
    },
    "contracts": [{"id": "PRC-2026-0001-contract", "awardID": "PRC-2026-0001-award",
                   "implementation": {"metrics": [{"id": "7", "observations": [
                       {"id": "7-2026-09-01", "measure": 96.5, "unit": {"name": "%"},
                        "period": {"startDate": "2026-09-01T00:00:00+01:00",
                                   "endDate": "2026-11-30T23:59:59+00:00"}}]}]}}],
    "primas": {"reference": "PRC-2026-0001", "obligations": [],
               "ratings": [{"metric": "7", "observation": "7-2026-09-01",
                            "suggested": "approaching-target", "confirmed": None,
                            "rating": "approaching-target"}]},
}  # fmt: skip


class Publisher(BaseModel):
    """Who publishes the package: the council."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(examples=["Hackney Council"])


class ReleasePackage(BaseModel):
    """An OCDS 1.1 release package holding one release, with the metrics extension: the
    release schema (https://standard.open-contracting.org/1.1/en/schema/) describes each
    release, and docs/ocds.md how PRIMAS fills it in."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    uri: str = Field(description="this package's address")
    version: Literal["1.1"]
    published_date: datetime = Field(alias="publishedDate",
                                     description="when what it says last changed")  # fmt: skip
    publisher: Publisher
    extensions: list[str] = Field(examples=[[ocds.METRICS_EXTENSION]])
    releases: list[dict[str, Any]] = Field(min_length=1, max_length=1,
                                           examples=[[EXAMPLE_RELEASE]])  # fmt: skip


@router.get("/procurements/{reference}/ocds", response_model=ReleasePackage,
            responses=NOT_FOUND | INVALID,
            summary="A procurement as Open Contracting data (OCDS 1.1)")  # fmt: skip
def api_procurement_ocds(
    request: Request,
    reference: Reference,
    _client: ReadClient,
    session: SessionDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
) -> Response:
    """An OCDS 1.1 release package of one release, with the metrics extension: the approved
    KPIs as the tender's targets and the contract's agreed metrics, the outcomes reported as
    its implementation's metrics, and, in `primas`, what it owes, its sustainability scores
    and each report's rating. Dated when what it says last changed, so its ETag holds until
    then."""
    procurement = procurement_or_404(session, reference)
    found = ocds.gather(session, catalogue, procurement, london_today())
    publication = ocds.Publication(uri=settings.base_url.rstrip("/") + request.url.path,
                                   ocid_prefix=settings.ocid_prefix,
                                   council=settings.council_name)  # fmt: skip
    obligations = obligations_out(found.owed.obligations)
    return tagged(request, ocds.release_package(found, publication, obligations))
