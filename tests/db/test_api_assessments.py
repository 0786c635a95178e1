"""Keeping in step through the JSON API, on both databases (issue 20): the changes feed in
order, a procurement's PRIMAS revisions, one revision whole (as frozen, for an approved one,
with its hash and signature), and the KPIs approved."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.main import create_app
from app.models import ApprovedRecord, Role, User
from app.services import approvals, records
from app.settings import Settings
from tests.support.api import bearer, make_api_client
from tests.support.catalogue import shipped
from tests.support.factories import complete_draft, make_procurement, make_user

KEY = "a signing key for the tests, long enough to be one"


@pytest.fixture
def api(client: TestClient, session: Session) -> TestClient:
    _client, token = make_api_client(session)
    client.headers.update(bearer(token))
    return client


def decide(session: Session, approver: User, draft, approve: bool, comment: str = "") -> None:  # type: ignore[no-untyped-def]
    session.refresh(draft.assessment)
    approvals.decide(session, approver, draft, approve=approve, comment=comment, points=[],
                     seen_version=draft.assessment.status_version, signing_key=KEY,
                     today=date.today())  # fmt: skip


def submit(session: Session, lead: User, record, draft) -> None:  # type: ignore[no-untyped-def]
    session.refresh(draft.assessment)
    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=date.today())  # fmt: skip


def test_a_client_keeps_in_step_through_the_changes_feed(api: TestClient, session: Session) -> None:
    """Created, submitted, returned, submitted again, approved: in order, each once, with the
    revision; then the approved revision as frozen, and its KPIs."""
    approver = make_user(session, Role.APPROVER, email="grace.mensah@example.gov.uk")
    start = api.get("/api/v1/changes").json()
    record, draft = complete_draft(session)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    submit(session, lead, record, draft)
    decide(session, approver, draft, approve=False, comment="Add a mitigation action.")
    submit(session, lead, record, draft)
    decide(session, approver, draft, approve=True, comment="Good work")

    page = api.get("/api/v1/changes", params={"after": start["next_cursor"]}).json()
    mine = [item for item in page["items"] if item["procurement"] == record.reference]
    assert [item["type"] for item in mine] == [
        "procurement.created", "assessment.submitted", "assessment.returned",
        "assessment.submitted", "assessment.approved",
    ]  # fmt: skip
    assessment = {"id": draft.assessment.id, "revision": 1}
    assert [item["assessment"] for item in mine[1:]] == [assessment] * 4
    assert mine[0]["assessment"] is None
    cursors = [int(item["cursor"]) for item in page["items"]]
    assert cursors == sorted(cursors) and page["next_cursor"] == page["items"][-1]["cursor"]
    # Read on: nothing new, and the same cursor to ask with again.
    again = api.get("/api/v1/changes", params={"after": page["next_cursor"]}).json()
    assert again == {"items": [], "next_cursor": page["next_cursor"]}
    # A page at a time.
    first_two = api.get(
        "/api/v1/changes", params={"after": start["next_cursor"], "limit": 2}
    ).json()
    assert [item["cursor"] for item in first_two["items"]] == [
        i["cursor"] for i in page["items"][:2]
    ]

    approved = api.get(f"/api/v1/assessments/{draft.assessment.id}")
    assert approved.status_code == 200
    body = approved.json()
    frozen = session.exec(select(ApprovedRecord)).one()
    assert (body["status"], body["revision"], body["procurement"]) == (
        "approved",
        1,
        record.reference,
    )
    assert body["content"] == json.loads(frozen.content)
    assert body["record"]["sha256"] == frozen.sha256
    assert hashlib.sha256(records.canonical(body["content"])).hexdigest() == frozen.sha256
    assert body["record"]["signature"] == records.signature(frozen.sha256, KEY)
    assert [(d["outcome"], d["comment"], d["decided_by"]) for d in body["decisions"]] == [
        ("returned", "Add a mitigation action.", "grace.mensah@example.gov.uk"),
        ("approved", "Good work", "grace.mensah@example.gov.uk"),
    ]
    answers = body["content"]["answers"]
    assert answers and all(answer["asked"] for answer in answers)

    kpis = api.get(f"/api/v1/procurements/{record.reference}/kpis").json()
    accepted = [kpi for kpi in json.loads(frozen.content)["kpis"]
                if kpi["decision"] in ("accepted", "edited", "own")]  # fmt: skip
    assert kpis["revision"] == 1
    assert [(k["code"], k["unit"], k["target"], k["frequency"]) for k in kpis["items"]] == [
        (k["code"], k["unit"], k["target"], k["frequency"]) for k in accepted]  # fmt: skip
    assert kpis["items"] and all(set(k) == {"id", "code", "title", "unit", "target", "baseline",
                                             "frequency"} for k in kpis["items"])  # fmt: skip


def test_a_procurements_revisions_and_a_draft_as_it_stands(
    api: TestClient, session: Session
) -> None:
    record, draft = complete_draft(session)
    listed = api.get(f"/api/v1/procurements/{record.reference}/assessments").json()["items"]
    assert [(item["revision"], item["status"], item["form"]) for item in listed] == [
        (1, "draft", "primas")]  # fmt: skip
    assert listed[0]["submitted_at"] is None
    body = api.get(f"/api/v1/assessments/{draft.assessment.id}").json()
    assert body["record"] is None and body["decisions"] == []
    assert body["content"]["procurement"]["reference"] == record.reference
    assert {row["question"] for row in body["content"]["answers"]} >= {"agency_labour"}
    assert api.get(f"/api/v1/procurements/{record.reference}/kpis").json() == {
        "revision": None, "items": []}  # fmt: skip


def test_what_is_not_there_is_not_found(api: TestClient, session: Session) -> None:
    assert api.get("/api/v1/assessments/999999").status_code == 404
    assert api.get("/api/v1/procurements/PRC-2026-9999/assessments").status_code == 404
    assert api.get("/api/v1/procurements/PRC-2026-9999/kpis").status_code == 404
    for after in ("x", "-1", "1" * 25):
        response = api.get("/api/v1/changes", params={"after": after})
        assert response.status_code == 422
        assert [error["location"][-1] for error in response.json()["errors"]] == ["after"]


def test_the_feed_leaves_out_what_has_not_settled(settings: Settings, session: Session) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"api_changes_delay_seconds": 60}),
                              catalogue=shipped())  # fmt: skip
    _client, token = make_api_client(session)
    make_procurement(session)
    try:
        with TestClient(app) as client:
            page = client.get("/api/v1/changes", headers=bearer(token)).json()
            assert page == {"items": [], "next_cursor": "0"}
    finally:
        app.state.engine.dispose()
    quick = create_app(settings, catalogue=shipped())
    try:
        with TestClient(quick) as client:
            items = client.get("/api/v1/changes", headers=bearer(token)).json()["items"]
            assert [item["type"] for item in items] == ["procurement.created"]
    finally:
        quick.state.engine.dispose()


def test_a_page_of_changes_stops_before_one_that_has_not_settled(session: Session) -> None:
    """A change with a lower position but a later time (its transaction began first, or its
    host's clock differs) ends the page: the cursor never passes it."""
    from datetime import UTC, datetime, timedelta

    from app.models import AuditEvent
    from app.services.changes import changes_after

    record = make_procurement(session)
    now = datetime.now(UTC)
    late = AuditEvent(occurred_at=now - timedelta(seconds=1), actor_email="system",
                      action="procurement.updated", entity_type="procurement",
                      entity_id=str(record.id), detail={})  # fmt: skip
    early = AuditEvent(occurred_at=now - timedelta(seconds=3), actor_email="system",
                       action="procurement.updated", entity_type="procurement",
                       entity_id=str(record.id), detail={})  # fmt: skip
    session.add(late)
    session.commit()
    session.add(early)
    session.commit()
    assert late.id is not None and early.id is not None and late.id < early.id
    settled = now - timedelta(seconds=2)
    seen = changes_after(session, 0, limit=100, settled_before=settled)
    assert [change.position for change in seen if change.position >= late.id] == []
    later = changes_after(session, 0, limit=100, settled_before=now)
    assert [change.position for change in later][-2:] == [late.id, early.id]
