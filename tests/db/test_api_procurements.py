"""Procurements through the JSON API, on both databases (issue 20): the list a page at a time
with its filters, and one procurement with what it owes, from its record, its draft or its
approved revision, the same as the pages say."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role, User
from app.services import approvals, procurements
from tests.support.api import bearer, make_api_client
from tests.support.auth import signed_in_client
from tests.support.factories import complete_draft, make_draft, make_procurement, make_user
from tests.support.html import parse, text_of

KEY = "a signing key for the tests, long enough to be one"


@pytest.fixture
def api(client: TestClient, session: Session) -> TestClient:
    """The test client, carrying a read token."""
    _client, token = make_api_client(session)
    client.headers.update(bearer(token))
    return client


def test_the_list_reads_through_every_procurement_a_page_at_a_time(
    api: TestClient, session: Session
) -> None:
    lead = make_user(session, Role.LEAD, email="amira.khan@example.gov.uk")
    made = [make_procurement(session, lead, title=f"Contract {n}") for n in range(5)]
    first = api.get("/api/v1/procurements?limit=2")
    assert first.status_code == 200
    page = first.json()
    assert [item["reference"] for item in page["items"]] == [p.reference for p in made[:2]]
    item = page["items"][0]
    assert item == {
        "reference": made[0].reference, "title": "Contract 0",
        "description": "Daily cleaning of the town hall and libraries.",
        "directorate": "finance-corporate-resources", "category": "cleaning",
        "contract_type": "services", "light_touch": False,
        "framework": {"role": "none", "name": None},
        "whole_life_value_pence": 25_000_000, "term_months": 36, "extension_months": 24,
        "planned_tender_date": f"{date.today().year + 1}-03-01",
        "expected_start_date": f"{date.today().year + 1}-09-01",
        "delivery_location": "in-borough", "lead_officer": "amira.khan@example.gov.uk",
        "status": "active", "primas_status": "not-started", "version": 1,
        "created_at": item["created_at"], "updated_at": item["updated_at"],
    }  # fmt: skip
    assert datetime.fromisoformat(item["created_at"]).utcoffset() == timedelta(0)
    seen = [entry["reference"] for entry in page["items"]]
    cursor = page["next_cursor"]
    while cursor:
        page = api.get("/api/v1/procurements", params={"limit": 2, "cursor": cursor}).json()
        seen += [entry["reference"] for entry in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [p.reference for p in made]
    # Nothing is missed when more are recorded after the last page was read.
    last = api.get("/api/v1/procurements", params={"limit": 5}).json()
    assert last["next_cursor"] is None
    newer = make_procurement(session, lead, title="Contract 5")
    after_last = api.get("/api/v1/procurements", params={"limit": 4, "cursor": str(made[-1].id)})
    assert [item["reference"] for item in after_last.json()["items"]] == [newer.reference]
    listed = api.get("/api/v1/procurements", params={"limit": 200}).json()["items"]
    assert listed[-1]["reference"] == newer.reference


def test_the_list_is_narrowed_by_status_primas_category_directorate_and_time(
    api: TestClient, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    small = make_procurement(session, lead, value="60,000", category="catering")
    drafted = make_procurement(session, lead, directorate="children-education")
    make_draft(session, drafted, lead)
    gone = make_procurement(session, lead)
    procurements.withdraw(session, lead, gone, "Recorded twice")

    def listed(**wanted: str) -> list[str]:
        response = api.get("/api/v1/procurements", params=wanted)
        assert response.status_code == 200, response.text
        return [item["reference"] for item in response.json()["items"]]

    assert listed(status="withdrawn") == [gone.reference]
    assert listed(status="active") == [small.reference, drafted.reference]
    assert listed(primas_status="not-needed") == [small.reference]
    assert listed(primas_status="draft") == [drafted.reference]
    assert listed(category="catering") == [small.reference]
    assert listed(directorate="children-education") == [drafted.reference]
    assert listed(category="no-such-category") == []
    since = gone.updated_at - timedelta(microseconds=1)
    assert listed(updated_after=since.isoformat()) == [gone.reference]
    assert listed(updated_after=(datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []
    # Without an offset, a time is UTC.
    naive = since.astimezone(UTC).replace(tzinfo=None).isoformat()
    assert listed(updated_after=naive) == [gone.reference]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
        ({"cursor": "1" * 19}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"status": "lost"}, "status"),
        ({"primas_status": "finished"}, "primas_status"),
        ({"updated_after": "yesterday"}, "updated_after"),
        ({"updated_after": "0001-01-01T00:00:00+01:00"}, "updated_after"),
        ({"updated_after": "9999-12-31T23:59:59-01:00"}, "updated_after"),
    ],
)
def test_a_list_asked_for_wrongly_says_which_field(
    api: TestClient, query: dict[str, str], field: str
) -> None:
    response = api.get("/api/v1/procurements", params=query)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["location"][-1] for error in response.json()["errors"]] == [field]


def codes(body: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {item["code"]: item for item in body["obligations"]}


def test_one_procurement_owes_what_its_record_says_until_a_draft_then_an_approval_says_more(
    app: FastAPI, api: TestClient, session: Session
) -> None:
    record, draft = complete_draft(session)
    lead = session.get(User, record.lead_officer_id)
    approver = make_user(session, Role.APPROVER)
    assert lead is not None
    path = f"/api/v1/procurements/{record.reference}"
    # complete_draft opened a draft: its answers decide.
    body = api.get(path).json()
    assert body["obligations_from"] == {"source": "draft", "revision": 1}
    assert body["primas_status"] == "draft"
    owed = codes(body)
    assert owed["primas"] == {
        "code": "primas", "title": "PRIMAS required", "status": "applies", "applies": True,
        "basis": "council-policy", "reason": owed["primas"]["reason"],
    }  # fmt: skip
    assert "£1,200,000" in owed["primas"]["reason"]
    assert owed["modern-slavery"]["basis"] == "recommended"  # PPN 009: practice for a council
    assert owed["modern-slavery"]["level"] in {"high", "medium", "low"}
    assert owed["social-value-weighting"]["value"].endswith("%")
    assert owed["social-value-act"]["basis"] == "law"

    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=date.today())  # fmt: skip
    session.refresh(draft.assessment)
    approvals.decide(session, approver, draft, approve=True, comment="", points=[],
                     seen_version=draft.assessment.status_version, signing_key=KEY,
                     today=date.today())  # fmt: skip
    approved = api.get(path).json()
    assert approved["obligations_from"] == {"source": "approved", "revision": 1}
    assert approved["primas_status"] == "approved"
    assert approved["obligations"] == body["obligations"]  # frozen as it was decided


def test_without_a_draft_the_record_decides_and_answers_still_to_come_apply_meanwhile(
    app: FastAPI, api: TestClient, session: Session
) -> None:
    """The same obligations and reasons as the procurement's page for what the record decides;
    what depends on the answers applies until answers say otherwise."""
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="2,400,000")
    response = api.get(f"/api/v1/procurements/{record.reference}")
    assert response.status_code == 200
    body = response.json()
    assert body["obligations_from"] == {"source": "record", "revision": None}
    owed = codes(body)
    assert owed["london-living-wage"]["status"] == "applies-unless-answers-show-otherwise"
    assert owed["london-living-wage"]["applies"] is True
    page = parse(signed_in_client(app, session, lead).get(f"/procurements/{record.reference}"))
    shown = page.find("section", class_="app-owed-on-record")
    rows = {row["id"].removeprefix("owes-"): row
            for row in shown.find_all(class_="govuk-summary-list__row")}  # fmt: skip
    assert set(rows) >= {"social-value-act", "kpi-duty", "carbon-reduction-plan"}
    words = {"applies": "Applies", "does-not-apply": "Does not apply"}
    for code, row in rows.items():
        assert text_of(row.dt) == owed[code]["title"], code
        assert text_of(row.dd.strong) == words[owed[code]["status"]], code
        assert owed[code]["reason"] in text_of(row.dd), code


def test_a_procurement_that_is_not_there_is_not_found(api: TestClient) -> None:
    missing = api.get("/api/v1/procurements/PRC-2026-9999")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert api.get("/api/v1/procurements/not%20a%20reference").status_code == 422


def test_one_procurement_has_an_etag_that_changes_when_it_does(
    api: TestClient, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead)
    path = f"/api/v1/procurements/{record.reference}"
    first = api.get(path)
    etag = first.headers["etag"]
    assert api.get(path, headers={"If-None-Match": etag}).status_code == 304
    procurements.withdraw(session, lead, record, "No longer needed")
    changed = api.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["status"] == "withdrawn"
    assert changed.json()["version"] == first.json()["version"] + 1
