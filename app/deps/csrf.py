"""CSRF protection for every state-changing request, forms and htmx alike.

A signed-in user's token is an HMAC of their session, so it dies with the session. Before
sign-in, the token is an HMAC of a random value in its own cookie (the sign-in form is the only
anonymous form). Forms carry the token in a hidden field; htmx sends it in a header, set once
on <body> with hx-headers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from app.services.sessions import SignedIn
from app.settings import Settings

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
ANONYMOUS_COOKIE = "primas_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sign(secret: str, binding: str) -> str:
    mac = hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_for(settings: Settings, signed_in: SignedIn | None, anonymous_id: str | None) -> str:
    """The token a form must carry: bound to the session, or to the anonymous cookie."""
    if signed_in is not None:
        return _sign(settings.effective_secret_key, f"session:{signed_in.session.token_hash}")
    if anonymous_id:
        return _sign(settings.effective_secret_key, f"anonymous:{anonymous_id}")
    return ""


def prepare_anonymous_form(request: Request) -> str | None:
    """Before rendering an anonymous form: the id its token binds to, and a new one if needed.

    Returns the new id (the caller sets it with `set_anonymous_cookie`), or None when the
    browser already has one. Either way the page's context will carry the matching token.
    """
    if request.cookies.get(ANONYMOUS_COOKIE):
        return None
    anonymous_id = secrets.token_urlsafe(24)
    request.state.anonymous_csrf_id = anonymous_id
    return anonymous_id


def set_anonymous_cookie(response: Response, anonymous_id: str, settings: Settings) -> None:
    """Give the browser the anonymous id its form token is bound to."""
    response.set_cookie(
        ANONYMOUS_COOKIE,
        anonymous_id,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        path="/",
    )


async def submitted_token(request: Request) -> str:
    """The token sent with the request: the htmx header, or the form field."""
    header = request.headers.get(HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


def token_is_valid(expected: str, submitted: str) -> bool:
    """Constant-time comparison; an empty expected token never matches."""
    return bool(expected) and hmac.compare_digest(expected.encode(), submitted.encode())
