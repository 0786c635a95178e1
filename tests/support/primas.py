"""Helpers for tests of the PRIMAS pages: a lead with a draft, an htmx autosave, a form post."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role, User
from tests.support.auth import csrf_token, signed_in_client
from tests.support.factories import make_draft, make_procurement, make_user

# The email settings production needs (tests of production settings send no mail).
PRODUCTION_MAIL = {"smtp_host": "mail.example.gov.uk", "base_url": "https://primas.example.gov.uk"}


def lead_with_draft(
    app: FastAPI, session: Session, **procurement: str
) -> tuple[TestClient, User, str]:
    """A signed-in lead officer, a £2.4m cleaning procurement of theirs with a PRIMAS draft,
    and the draft's base path."""
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, **({"value": "2,400,000"} | procurement))
    make_draft(session, record, lead)
    return (
        signed_in_client(app, session, lead),
        lead,
        f"/procurements/{record.reference}/primas",
    )


def autosave(client: TestClient, base: str, question: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    """Save one answer as the page's htmx does."""
    return client.post(
        f"{base}/answers/{question}",
        data=data,
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_token(client)},
    )


def post(client: TestClient, path: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    """A form post with the CSRF token, not following the redirect."""
    return client.post(path, data=data | {"csrf_token": csrf_token(client)}, follow_redirects=False)
