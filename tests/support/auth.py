"""Signed-in test clients: real sessions made by the session service, real cookies, real CSRF."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.deps import session_cookie_name, session_policy
from app.deps.csrf import token_for
from app.models import User
from app.services import sessions
from app.settings import Settings
from app.timeutil import utcnow
from tests.support.html import parse


def signed_in_client(app: FastAPI, session: Session, user: User) -> TestClient:
    """A client whose cookie holds a fresh session for `user` (no password check needed)."""
    settings: Settings = app.state.settings
    token = sessions.start_session(session, user, session_policy(settings), utcnow())
    session.commit()
    client = TestClient(app)
    client.cookies.set(session_cookie_name(settings), token)
    return client


def csrf_token(client: TestClient) -> str:
    """The CSRF token this client's pages carry: worked out from its session while the session
    lasts (as the pages work it out, without drawing one), else from the sign-in form."""
    app: FastAPI = client.app  # type: ignore[assignment]
    settings: Settings = app.state.settings
    cookie = client.cookies.get(session_cookie_name(settings))
    if cookie:
        policy = session_policy(settings)
        with Session(app.state.engine) as session:
            signed_in = sessions.resolve_session(session, cookie, policy, utcnow())
            if signed_in is not None:
                return token_for(settings, signed_in, None)
    page = parse(client.get("/account", follow_redirects=True))
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, "no CSRF token on the page"
    return str(field["value"])
