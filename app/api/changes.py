"""The changes feed, for a client that keeps in step (docs/api.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.api.responses import tagged
from app.api.schemas import INVALID, PROBLEMS, AssessmentRef, ChangeList, ChangeOut, OutcomeRef
from app.deps import SessionDep, SettingsDep
from app.deps.api import ReadClient
from app.services.changes import changes_after
from app.timeutil import utcnow

router = APIRouter(prefix="/api/v1", tags=["changes"], responses=PROBLEMS)


@router.get("/changes", response_model=ChangeList, responses=INVALID,
            summary="What happened, in order")  # fmt: skip
def api_changes(
    request: Request,
    _client: ReadClient,
    session: SessionDep,
    settings: SettingsDep,
    after: Annotated[
        str,
        Query(
            pattern=r"^[0-9]{1,18}$",
            description="next_cursor of the page before; 0 from the start",
        ),
    ] = "0",  # fmt: skip
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> Response:
    """Procurements created and updated, PRIMAS submitted, approved and returned, and outcome
    reports made, corrected and rated, in the order they happened: keep `next_cursor` and ask
    with it as `after` for what is new. The last few seconds are left out until they have
    settled, so nothing is ever passed over."""
    position = int(after)
    settled = utcnow() - timedelta(seconds=settings.api_changes_delay_seconds)
    found = changes_after(session, position, limit=limit, settled_before=settled)
    items = [
        ChangeOut(
            cursor=str(change.position), type=change.type,
            occurred_at=change.occurred_at, procurement=change.reference,
            assessment=AssessmentRef(id=change.assessment_id, revision=change.revision)
            if change.assessment_id is not None and change.revision is not None else None,
            outcome=OutcomeRef(kpi=change.outcome[0], id=change.outcome[1],
                               version=change.outcome[2]) if change.outcome else None,
        ).model_dump(mode="json")
        for change in found
    ]  # fmt: skip
    following = str(found[-1].position) if found else str(position)
    return tagged(request, {"items": items, "next_cursor": following})
