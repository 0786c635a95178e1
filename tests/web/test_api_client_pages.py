"""API clients, as an administrator manages them (issue 20): added with the scopes it needs,
its token shown once and kept only as a hash; listed with its last use; revoked."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import Session, col, select

from app.models import ApiClient, AuditEvent, Role
from app.services import api_clients
from tests.support.api import bearer
from tests.support.auth import signed_in_client
from tests.support.factories import make_user
from tests.support.html import error_summary_links, heading, parse, text_of
from tests.support.primas import post


def test_an_administrator_adds_a_client_and_sees_its_token_once(
    app: FastAPI, session: Session
) -> None:
    admin = make_user(session, Role.ADMIN)
    client = signed_in_client(app, session, admin)
    form = parse(client.get("/admin/api-clients/new"))
    assert heading(form) == "Add an API client"
    assert form.find("input", {"value": "read"}).has_attr("checked")

    sent = {"name": "  Contract   management system ", "scopes": ["read", "write"]}
    response = post(client, "/admin/api-clients/new", sent)
    assert response.status_code == 201
    page = parse(response)
    token = text_of(page.find(id="api-token"))
    assert token.startswith("primas_")
    assert "only time the token is shown" in text_of(page)
    stored = session.exec(select(ApiClient)).one()
    assert (stored.name, stored.scopes) == ("Contract management system", ["read", "write"])
    assert stored.token_hash == api_clients.hash_token(token) and stored.created_by_id == admin.id
    created = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "api_client.created")
    ).one()
    assert created.actor_email == admin.email and token not in str(created.detail)
    assert stored.token_hash not in str(created.detail)
    # The token works; the list never shows it again.
    assert client.get("/api/v1/categories", headers=bearer(token)).status_code == 200
    listing = client.get("/admin/api-clients")
    assert token not in listing.text
    row = [text_of(cell) for cell in parse(listing).find("tbody").find("tr").find_all("td")]
    assert row[0].startswith("Contract management system Added")
    assert (
        row[1] == "Read procurements, assessments, KPIs and changes Record and change procurements"
    )
    assert row[2] == token[:13] and len(row[2]) < len(token)
    assert row[4].startswith("Active Revoke")


def test_a_client_needs_a_name_of_its_own_and_a_scope(app: FastAPI, session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    client = signed_in_client(app, session, admin)
    post(client, "/admin/api-clients/new", {"name": "Finance system", "scopes": ["read"]})
    cases = [
        ({"name": "", "scopes": ["read"]},
         [("Enter a name for the client, such as the system's name", "#name")]),
        ({"name": "FINANCE SYSTEM", "scopes": []},
         [("A client with this name already exists: choose another name", "#name"),
          ("Select what the client may do", "#scopes")]),
        ({"name": "x" * 81, "scopes": ["admin"]},
         [("Name must be 80 characters or fewer", "#name"),
          ("Scopes must be read, write, outcomes: not admin", "#scopes")]),
    ]  # fmt: skip
    for sent, expected in cases:
        response = post(client, "/admin/api-clients/new", sent)
        assert response.status_code == 422
        assert error_summary_links(parse(response)) == expected
    assert len(session.exec(select(ApiClient)).all()) == 1


def test_revoking_a_client_asks_first_then_stops_its_token(app: FastAPI, session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    client = signed_in_client(app, session, admin)
    created = parse(
        post(client, "/admin/api-clients/new", {"name": "Old system", "scopes": ["read"]})
    )
    token = text_of(created.find(id="api-token"))
    stored = session.exec(select(ApiClient)).one()
    confirm = parse(client.get(f"/admin/api-clients/{stored.id}/revoke"))
    assert heading(confirm) == "Revoke Old system’s token?"
    response = post(client, f"/admin/api-clients/{stored.id}/revoke", {})
    assert (response.status_code, response.headers["location"]) == (303, "/admin/api-clients")
    listing = parse(client.get("/admin/api-clients"))
    assert "Old system revoked: its token no longer works" in text_of(
        listing.find(class_="govuk-notification-banner"))  # fmt: skip
    assert "Revoked" in text_of(listing.find("tbody"))
    assert client.get("/api/v1/categories", headers=bearer(token)).status_code == 401
    post(client, f"/admin/api-clients/{stored.id}/revoke", {})
    listing = parse(client.get("/admin/api-clients"))
    assert "Old system was already revoked" in text_of(
        listing.find(class_="govuk-notification-banner")
    )
    assert client.get("/admin/api-clients/999999/revoke").status_code == 404
