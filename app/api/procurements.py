"""Procurements through the API: listed a page at a time, and one with what it owes
(docs/api.md)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from sqlmodel import Session

from app.api.responses import body_and_etag, etag_of, names_exactly, tagged
from app.api.schemas import (
    INVALID,
    NOT_FOUND,
    PROBLEMS,
    Framework,
    ObligationOut,
    ObligationsFrom,
    ProcurementDetail,
    ProcurementFactsIn,
    ProcurementIn,
    ProcurementList,
    ProcurementOut,
    ProcurementPatch,
    problem,
)
from app.deps import SessionDep
from app.deps.api import ReadClient, WriteClient
from app.deps.errors import problem_response
from app.deps.records import CatalogueDep
from app.errors import InvalidInput, NotFound, PrimasError
from app.inputs import clean_text
from app.models import Category, Directorate, Procurement, User
from app.services import api_clients, idempotency, owed, procurement_search, procurements
from app.services.procurement_form import ProcurementFacts
from app.services.procurement_search import FeedFilter
from app.timeutil import london_today

router = APIRouter(prefix="/api/v1", tags=["procurements"], responses=PROBLEMS)

Reference = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9-]+$",
                                examples=["PRC-2026-0001"])]  # fmt: skip
PrimasStatus = Literal[
    "not-needed", "not-started", "draft", "submitted", "returned", "approved", "amending"
]
BASES = {"law": "law", "council-policy": "council-policy", "practice": "recommended"}


def procurement_out(procurement: Procurement, category: str, directorate: str, lead: str,
                    primas: str) -> dict[str, object]:  # fmt: skip
    """A procurement's fields as the API gives them."""
    return ProcurementOut(
        reference=procurement.reference,
        title=procurement.title,
        description=procurement.description,
        directorate=directorate,
        category=category,
        contract_type=procurement.contract_type,
        light_touch=procurement.light_touch,
        framework=Framework(
            role=procurement.framework,
            name=procurement.framework_name or None,
        ),  # fmt: skip
        whole_life_value_pence=procurement.value_pence,
        term_months=procurement.term_months,
        extension_months=procurement.extension_months,
        planned_tender_date=procurement.planned_tender_date,
        expected_start_date=procurement.expected_start_date,
        delivery_location=procurement.delivery_location,
        lead_officer=lead,
        status=procurement.status,
        primas_status=primas,
        version=procurement.version,
        created_at=procurement.created_at,
        updated_at=procurement.updated_at,
    ).model_dump(mode="json")


def procurement_or_404(session: Session, reference: str) -> Procurement:
    """The procurement with this reference, or NotFound (404 problem+json)."""
    found = procurements.get_by_reference(session, reference)
    if found is None:
        raise NotFound(f"procurement {reference}")
    return found


def cursor_for(after: int) -> str:
    """The cursor that reads on after the procurement with id `after`."""
    return str(after)


@router.get("/procurements", response_model=ProcurementList, responses=INVALID,
            summary="List procurements")  # fmt: skip
def api_list_procurements(
    request: Request,
    _client: ReadClient,
    session: SessionDep,
    cursor: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9]{1,18}$",
            description="next_cursor of the page before; none for the first page",
        ),
    ] = None,  # fmt: skip
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    status: Literal["active", "withdrawn"] | None = None,
    primas_status: PrimasStatus | None = None,
    category: Annotated[str | None, Query(max_length=64, description="a category's code")] = None,
    directorate: Annotated[
        str | None, Query(max_length=64, description="a directorate's code")
    ] = None,  # fmt: skip
    updated_after: Annotated[
        datetime | None, Query(description="ISO 8601; UTC when it has no offset")
    ] = None,
) -> Response:
    """Procurements in the order they were recorded, a page at a time: follow `next_cursor`
    until it is null. New records come at the end, so a client that keeps the last cursor
    reads only what is new; `updated_after` finds those changed since a time. Each has no
    obligations here: read one procurement for what it owes."""
    if updated_after is not None:
        try:  # a time without an offset is UTC; one at the ends of the calendar cannot be
            updated_after = (updated_after.replace(tzinfo=UTC) if updated_after.tzinfo is None
                             else updated_after).astimezone(UTC)  # fmt: skip
        except OverflowError:
            raise PrimasError(422, "Unprocessable Content", "The time is out of range.",
                              errors=[{"location": ["query", "updated_after"],
                                       "message": "Give a time between the years 1 and 9999"}],
                              ) from None  # fmt: skip
    wanted = FeedFilter(status=status, primas=primas_status, category=category,
                        directorate=directorate, updated_after=updated_after)  # fmt: skip
    page = procurement_search.feed(session, wanted, after=int(cursor or 0), limit=limit)
    items = [procurement_out(row.procurement, row.category, row.directorate, row.lead_officer,
                             row.primas) for row in page.rows]  # fmt: skip
    following = cursor_for(page.next_after) if page.next_after is not None else None
    return tagged(request, {"items": items, "next_cursor": following})


def obligations_out(found: tuple[owed.Owes, ...]) -> list[dict[str, object]]:
    """Obligations as the API gives them (basis "practice" is "recommended"; `level` and
    `value` only where there is one)."""
    return [
        ObligationOut(code=item.code, title=item.title, status=item.status,
                      applies=item.applies, basis=BASES[item.basis],
                      reason=item.reason, level=item.level, value=item.value)
        .model_dump(mode="json", exclude_none=True) | {"applies": item.applies}
        for item in found
    ]  # fmt: skip


def detail(
    session: Session, catalogue: CatalogueDep, procurement: Procurement
) -> dict[str, object]:
    """One procurement as the API gives it, with what it owes."""
    category = session.get(Category, procurement.category_id)
    directorate = session.get(Directorate, procurement.directorate_id)
    lead = session.get(User, procurement.lead_officer_id)
    assert category is not None and directorate is not None and lead is not None
    primas = procurement_search.primas_statuses(session, [procurement])[procurement.id or 0]
    found = owed.owed(session, catalogue, procurement, london_today())
    obligations = obligations_out(found.obligations)
    source = ObligationsFrom(source=found.source, revision=found.revision)
    return procurement_out(procurement, category.code, directorate.code, lead.email, primas) | {
        "obligations": obligations,
        "obligations_from": source.model_dump(mode="json"),
    }


@router.get("/procurements/{reference}", response_model=ProcurementDetail,
            responses=NOT_FOUND | INVALID,
            summary="One procurement, with what it owes")  # fmt: skip
def api_get_procurement(
    request: Request,
    reference: Reference,
    _client: ReadClient,
    session: SessionDep,
    catalogue: CatalogueDep,
) -> Response:
    """The procurement and what it owes: from its approved revision in force, else its open
    draft, else its record alone (what depends on answers then applies until answers say
    otherwise). `version` and the ETag change with every change to the record."""
    procurement = procurement_or_404(session, reference)
    return tagged(request, detail(session, catalogue, procurement))


# The service's names for the facts, as the API names them.
API_NAMES = {"value_pence": "whole_life_value_pence", "framework": "framework.role",
             "framework_name": "framework.name"}  # fmt: skip


def invalid(errors: dict[str, str]) -> PrimasError:
    """422 naming each field at fault, as the API names them ("procurement.value_pence" is
    "procurement.whole_life_value_pence")."""
    listed = []
    for name, message in errors.items():
        *outer, last = name.split(".")
        named = [*outer, *API_NAMES.get(last, last).split(".")]
        listed.append({"location": ["body", *named], "message": message})
    return PrimasError(422, "Unprocessable Content", "The procurement's facts are not valid: "
                       "see errors.", errors=listed)  # fmt: skip


def facts_of(
    body: ProcurementFactsIn | ProcurementPatch, start: ProcurementFacts
) -> ProcurementFacts:
    """The facts `body` gives, over `start` (for a change, the stored facts)."""
    given = body.model_fields_set
    nulls = sorted(name for name in given if getattr(body, name) is None)
    if nulls:
        raise invalid({name: f"Leave {name} out rather than null" for name in nulls})
    changes: dict[str, object] = {}
    for name in ("title", "description", "directorate", "category", "contract_type",
                 "light_touch", "term_months", "extension_months", "planned_tender_date",
                 "expected_start_date", "delivery_location"):  # fmt: skip
        if name in given:
            value = getattr(body, name)
            changes[name] = clean_text(value) if isinstance(value, str) else value
    if "whole_life_value_pence" in given:
        changes["value_pence"] = body.whole_life_value_pence
    if body.framework is not None:
        changes["framework"] = body.framework.role
        changes["framework_name"] = clean_text(body.framework.name or "")
    return replace(start, **changes)  # type: ignore[arg-type]


def _request_hash(body: ProcurementIn) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=255,
           description="Any unique string; a retry with it and the same body gets the first "
                       "answer and records nothing more"),
]  # fmt: skip


@router.post("/procurements", status_code=201, response_model=ProcurementDetail,
             responses=INVALID | {409: problem("A request with the same Idempotency-Key is "
                                               "still being answered (with Retry-After)")},
             summary="Record a procurement")  # fmt: skip
def api_create_procurement(
    request: Request,
    body: ProcurementIn,
    client: WriteClient,
    session: SessionDep,
    catalogue: CatalogueDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Record a procurement for its lead officer, with the next reference, and answer with it
    and what it owes (201, with Location). The facts are checked as the web form's are. Send an
    `Idempotency-Key` so that a retry after a lost answer records nothing twice."""
    key, client_id = idempotency_key, client.id or 0
    if key is not None:
        try:
            first = idempotency.begin(session, client_id, key, _request_hash(body))
        except idempotency.KeyReused:
            reused = [{"location": ["header", "Idempotency-Key"],
                       "message": "Used before with another body"}]  # fmt: skip
            raise PrimasError(422, "Unprocessable Content", "This Idempotency-Key came with a "
                              "different request before: use a new key for a new request.",
                              errors=reused) from None  # fmt: skip
        except idempotency.StillAnswering:
            raise PrimasError(409, "Conflict", "A request with this Idempotency-Key is still "
                              "being answered: try again shortly.",
                              headers={"Retry-After": "1"}) from None  # fmt: skip
        if first is not None:
            return _replay(request, session, catalogue, client_id, key, first)
    location: str | None = None

    def name_it_on_the_key(procurement: Procurement) -> None:
        nonlocal location
        location = request.app.state.paths("api_get_procurement", reference=procurement.reference)
        if key is not None:
            idempotency.created(session, client_id, key, location)

    try:
        facts = facts_of(body, ProcurementFacts())
        actor = api_clients.actor_for(client)
        procurement = procurements.record_for(
            session, actor, clean_text(body.lead_officer), facts, today=london_today(),
            also=name_it_on_the_key,
        )  # fmt: skip
    except (InvalidInput, PrimasError) as refused:
        error = invalid(refused.errors) if isinstance(refused, InvalidInput) else refused
        if key is None:
            raise error from None
        response: Response = problem_response(request, error)
        idempotency.finish(session, client_id, key, error.status, bytes(response.body).decode(),
                           None)  # fmt: skip
        return response
    except Exception:
        if key is not None:  # nothing was created: a retry may go ahead at once
            idempotency.abandon(session, client_id, key)
        raise
    # Created, and named on the key in the same transaction: if answering fails from here, a
    # retry is answered from the record.
    assert location is not None
    response = tagged(request, detail(session, catalogue, procurement), status=201,
                      headers={"Location": location})  # fmt: skip
    if key is not None:
        idempotency.finish(session, client_id, key, 201, bytes(response.body).decode(), location)
    return response


def _replay(request: Request, session: Session, catalogue: CatalogueDep, client_id: int,
            key: str, first: idempotency.Answer) -> Response:  # fmt: skip
    """The first answer to a key again: as kept, or for a request that created a procurement
    but stopped before answering, the procurement as it is now (and kept from then on)."""
    headers = {"Idempotent-Replayed": "true"} | (
        {"Location": first.location} if first.location else {}
    )
    if first.body is None:
        assert first.location is not None
        reference = first.location.rsplit("/", 1)[-1]
        procurement = procurement_or_404(session, reference)
        response = tagged(request, detail(session, catalogue, procurement), status=201,
                          headers=headers)  # fmt: skip
        idempotency.finish(session, client_id, key, 201, bytes(response.body).decode(),
                           first.location)  # fmt: skip
        return response
    if first.status < 400:
        return Response(first.body, status_code=first.status, media_type="application/json",
                        headers=headers | {"ETag": etag_of(first.body.encode()),
                                           "Cache-Control": "private, no-cache"})  # fmt: skip
    return Response(first.body, status_code=first.status, media_type="application/problem+json",
                    headers=headers)  # fmt: skip


@router.patch("/procurements/{reference}", response_model=ProcurementDetail,
              responses=NOT_FOUND | INVALID | {
                  409: problem("It is withdrawn, so it cannot be changed"),
                  412: problem("It changed since the ETag in If-Match was read: read it again"),
                  428: problem("If-Match is missing")},
              summary="Change a procurement's facts")  # fmt: skip
def api_change_procurement(
    request: Request,
    reference: Reference,
    body: ProcurementPatch,
    client: WriteClient,
    session: SessionDep,
    catalogue: CatalogueDep,
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", max_length=200, description="the ETag it was read with"),
    ] = None,  # fmt: skip
) -> Response:
    """Change the facts given, leaving the rest. `If-Match` must carry the ETag the procurement
    was last read with: 428 without it, 412 if it has changed since (read it again, then
    decide). Checked as the web form checks an edit; a withdrawn procurement cannot be changed."""
    procurement = procurement_or_404(session, reference)
    if if_match is None:
        raise PrimasError(428, "Precondition Required", "Send If-Match with the ETag the "
                          "procurement was read with, so that no change is lost.")  # fmt: skip
    _body, current = body_and_etag(detail(session, catalogue, procurement))
    if not names_exactly(if_match, current):
        raise PrimasError(412, "Precondition Failed", "The procurement has changed since it "
                          "was read (or what it owes has): read it again, then decide.",
                          headers={"ETag": current})  # fmt: skip
    if procurement.status != "active":
        raise PrimasError(409, "Conflict", "A withdrawn procurement cannot be changed.")
    facts = facts_of(body, ProcurementFacts.of(procurement, session))
    try:
        procurements.update(session, api_clients.actor_for(client), procurement, facts,
                            version=procurement.version, base=None)  # fmt: skip
    except InvalidInput as refused:
        raise invalid(refused.errors) from None
    except procurements.EditConflict:
        raise PrimasError(412, "Precondition Failed", "The procurement changed while this "
                          "change was made: read it again, then decide.") from None  # fmt: skip
    return tagged(request, detail(session, catalogue, procurement))
