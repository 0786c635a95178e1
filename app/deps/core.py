"""Request dependencies as typed aliases, so handlers read like plain functions.

Dependencies that only read what is already in memory are `async def`: FastAPI runs a plain
`def` dependency in its thread pool, and a thread hop per dependency costs more than the work.
Those that touch the database stay plain functions.

Authentication and authorisation are written once here: `CurrentUser` (signed in),
`AdminUser` (signed in with the admin role) and friends, and `verify_csrf`, which every web
router applies to its state-changing requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from app.db import session_scope
from app.deps import csrf
from app.deps.errors import is_htmx
from app.errors import PasswordChangeRequired, PrimasError, SignInRequired, StaleForm
from app.inputs import MAX_INTEGER
from app.models import Role, User
from app.scoring.reference_data import ReferenceKey, UnknownReferenceKey, reference_key
from app.services import sessions
from app.services.accounts import ThrottlePolicy
from app.services.audit import ANONYMOUS, Actor, act_as, record_event
from app.settings import Settings
from app.timeutil import utcnow

# Pages a user with a one-time password may still reach before choosing their own.
PASSWORD_CHANGE_PATHS = frozenset({"/account/password", "/sign-out", "/session/extend"})


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def _session(request: Request) -> AsyncIterator[Session]:
    # Opening a session does no I/O (it connects at its first query), and closing an SQLite
    # one hands a local connection back to the pool: neither is worth two trips through the
    # thread pool per request (docs/decisions.md, 15). Closing a PostgreSQL one may roll back
    # over the network, so that is done in the thread pool. The work in between runs in sync
    # dependencies and handlers.
    engine: Engine = request.app.state.engine
    scope = session_scope(engine)
    try:
        yield next(scope)
    finally:
        if engine.dialect.name == "sqlite":
            scope.close()
        else:
            await run_in_threadpool(scope.close)


async def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


async def _posted_form(request: Request) -> FormData:
    # Starlette reads the body once and keeps it, so the CSRF check and the handler share it.
    return await request.form()


SettingsDep = Annotated[Settings, Depends(_settings)]
# The submitted form, read on the event loop, so a handler that saves it can be a plain function
# and run its database work in the thread pool.
PostedForm = Annotated[FormData, Depends(_posted_form)]
# A record id in a URL: a positive 32-bit integer, so no URL can overflow a database column.
IdPath = Annotated[int, Path(ge=1, le=MAX_INTEGER)]
EngineDep = Annotated[Engine, Depends(_engine)]
SessionDep = Annotated[Session, Depends(_session)]
TemplatesDep = Annotated[Jinja2Templates, Depends(_templates)]


def session_cookie_name(settings: Settings) -> str:
    """The session cookie; in production the __Host- prefix pins it to our origin over HTTPS."""
    return "__Host-primas_session" if settings.is_production else "primas_session"


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    """Give the browser its session token: HttpOnly, SameSite=Lax, Secure in production."""
    response.set_cookie(
        session_cookie_name(settings),
        token,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        path="/",
    )


def session_policy(settings: Settings) -> sessions.SessionPolicy:
    """Session lifetimes from the settings."""
    return sessions.SessionPolicy(
        idle_timeout=timedelta(seconds=settings.session_idle_timeout_seconds),
        max_age=timedelta(seconds=settings.session_max_age_seconds),
    )


def throttle_policy(settings: Settings) -> ThrottlePolicy:
    """Sign-in throttling from the settings."""
    return ThrottlePolicy(
        max_failures=settings.sign_in_max_failures,
        window=timedelta(seconds=settings.sign_in_failure_window_seconds),
    )


def resolve_signed_in(
    request: Request, session: Session, settings: Settings
) -> sessions.SignedIn | None:
    """The request's signed-in user, resolved once per request and kept in request.state."""
    if hasattr(request.state, "signed_in"):
        cached: sessions.SignedIn | None = request.state.signed_in
        return cached
    token = request.cookies.get(session_cookie_name(settings))
    signed_in = None
    if token:
        signed_in = sessions.resolve_session(session, token, session_policy(settings), utcnow())
    act_as(session, Actor.of(signed_in.user) if signed_in else ANONYMOUS)
    request.state.signed_in = signed_in
    return signed_in


def _optional_sign_in(
    request: Request, session: SessionDep, settings: SettingsDep
) -> sessions.SignedIn | None:
    return resolve_signed_in(request, session, settings)


OptionalSignIn = Annotated[sessions.SignedIn | None, Depends(_optional_sign_in)]


def require_sign_in(request: Request, signed_in: sessions.SignedIn | None) -> sessions.SignedIn:
    """The signed-in user, who must have a usable password; else sign in (or change it) first."""
    if signed_in is None:
        raise SignInRequired()
    if signed_in.user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return signed_in


async def _current_sign_in(request: Request, signed_in: OptionalSignIn) -> sessions.SignedIn:
    return require_sign_in(request, signed_in)


CurrentSignIn = Annotated[sessions.SignedIn, Depends(_current_sign_in)]


async def _current_user(signed_in: CurrentSignIn) -> User:
    return signed_in.user


CurrentUser = Annotated[User, Depends(_current_user)]


def refuse(request: Request, session: Session, needs: str, title: str, detail: str) -> PrimasError:
    """Record a refusal in the audit log and return the 403 to raise."""
    record_event(session, "access.refused", detail={"path": request.url.path, "needs": needs})
    session.commit()
    return PrimasError(403, title, detail)


def require_role(*roles: Role) -> Callable[..., User]:
    """A dependency that lets through only users holding one of `roles`, recording refusals."""
    names = " or ".join(role.label.lower() for role in roles)

    def _has_role(request: Request, user: CurrentUser, session: SessionDep) -> User:
        if not any(user.has_role(role) for role in roles):
            raise refuse(
                request,
                session,
                "|".join(role.value for role in roles),
                "You do not have permission to see this page",
                f"This page is for users with the {names} role. "
                "Ask a PRIMAS administrator if you need it.",
            )
        return user

    return _has_role


AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
# Approvers decide on submitted assessments (never on one they had a hand in: records.py).
ApproverUser = Annotated[User, Depends(require_role(Role.APPROVER))]
# Category leads and approvers (who can do everything a lead can) record and lead procurements.
BuyerUser = Annotated[User, Depends(require_role(Role.LEAD, Role.APPROVER))]


def _user_or_404(user_id: IdPath, session: SessionDep, _admin: AdminUser) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise PrimasError(404, "Page not found")
    return user


ManagedUser = Annotated[User, Depends(_user_or_404)]


async def _reference_key_or_404(key: str, _admin: AdminUser) -> ReferenceKey:
    try:
        return reference_key(key)
    except UnknownReferenceKey:
        raise PrimasError(404, "Page not found") from None


# A reference data key from the URL, for administrators; 404 when it is not in the catalogue.
ManagedReferenceKey = Annotated[ReferenceKey, Depends(_reference_key_or_404)]


async def verify_csrf(request: Request, session: SessionDep, settings: SettingsDep) -> None:
    """Refuse a state-changing request that does not carry this browser's CSRF token."""
    if request.method in csrf.SAFE_METHODS:
        return  # a page load pays nothing here, not even a trip through the thread pool
    signed_in = await run_in_threadpool(resolve_signed_in, request, session, settings)
    expected = csrf.token_for(settings, signed_in, request.cookies.get(csrf.ANONYMOUS_COOKIE))
    if csrf.token_is_valid(expected, await csrf.submitted_token(request)):
        return
    if signed_in is None and request.cookies.get(session_cookie_name(settings)):
        # The session ended while the page was open: ask them to sign in again, not a 403.
        raise SignInRequired()
    if signed_in is not None and is_htmx(request):
        # Signed in again since the page loaded (another tab). A cross-site page cannot send
        # this header without a CORS preflight we never grant, nor read the reply; so hand the
        # page the current token and let the user retry without losing what they typed.
        raise StaleForm(expected)
    await run_in_threadpool(_record_refusal, request, session)
    raise PrimasError(
        403,
        "This page has expired",
        "For your security, the form you sent could not be accepted. Go back, refresh the "
        "page and try again.",
    )


def _record_refusal(request: Request, session: Session) -> None:
    record_event(session, "csrf.refused", detail={"path": request.url.path})
    session.commit()


CsrfProtected = Depends(verify_csrf)
