"""Signing in and out, and keeping a session alive ('Stay signed in')."""

from __future__ import annotations

import math
import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.deps import (
    CurrentSignIn,
    OptionalSignIn,
    PostedForm,
    SessionDep,
    SettingsDep,
    TemplatesDep,
    csrf,
    is_htmx,
    session_cookie_name,
    session_policy,
    set_session_cookie,
    throttle_policy,
)
from app.deps.limits import ClientFailures, PasswordCheckGate
from app.services import accounts, sessions
from app.settings import Settings
from app.timeutil import utcnow
from app.web.form_pages import path_to
from app.web.forms import field, local_path

router = APIRouter(tags=["sign in"])

SIGN_IN_MESSAGES = {
    accounts.SignInOutcome.WRONG_DETAILS: "Enter a correct email address and password",
    accounts.SignInOutcome.DEACTIVATED: (
        "Your account has been deactivated. Ask a PRIMAS administrator to reactivate it"
    ),
}


def _sign_in_page(
    request: Request,
    templates: TemplatesDep,
    settings: Settings,
    *,
    email: str = "",
    next_path: str = "/",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    new_anonymous_id = csrf.prepare_anonymous_form(request)
    response = templates.TemplateResponse(
        request,
        "sign_in/sign_in.html",
        {"email": email, "next_path": next_path, "errors": errors or {}},
        status_code=status_code,
    )
    if new_anonymous_id:
        csrf.set_anonymous_cookie(response, new_anonymous_id, settings)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request,
    templates: TemplatesDep,
    settings: SettingsDep,
    signed_in: OptionalSignIn,
    next: str = "/",
) -> Response:
    """The sign-in page; signed-in users go straight on."""
    if signed_in is not None:
        return RedirectResponse(local_path(next), status_code=303)
    return _sign_in_page(request, templates, settings, next_path=local_path(next))


def _in_words(seconds: float) -> str:
    if seconds <= 60:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _busy(wait: float) -> str:
    """The process is checking as many passwords as it will at once."""
    return f"The service is busy checking sign-ins. Wait {_in_words(wait)} and try again"


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    form: PostedForm,
    session: SessionDep,
    settings: SettingsDep,
    templates: TemplatesDep,
) -> Response:
    """Check the details; start a session, or show what went wrong."""
    email, password = field(form, "email").strip(), field(form, "password")
    next_path = local_path(field(form, "next"))
    errors = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return _sign_in_page(request, templates, settings, email=email, next_path=next_path,
                             errors=errors, status_code=422)  # fmt: skip
    # The flood guard (app/deps/limits.py) has already refused a client over its limit.
    client: str = getattr(request.state, "sign_in_client", "unknown")
    failures: ClientFailures = request.app.state.sign_in_failures
    gate: PasswordCheckGate = request.app.state.password_checks
    wait = gate.enter()
    if wait:
        failures.failed(client, time.monotonic())  # asking again at once counts against it
        response = _sign_in_page(request, templates, settings, email=email,
                                 next_path=next_path, errors={"email": _busy(wait)},
                                 status_code=429)  # fmt: skip
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    try:
        result = accounts.sign_in(
            session,
            email,
            password,
            throttle=throttle_policy(settings),
            session_policy=session_policy(settings),
            now=utcnow(),
        )
    finally:
        gate.leave()
    if result.token is None and result.outcome is not accounts.SignInOutcome.THROTTLED:
        failures.failed(client, time.monotonic())
    if result.outcome is accounts.SignInOutcome.THROTTLED:
        minutes = -(-result.retry_after_seconds // 60)
        throttled = (
            "You have tried to sign in too many times. Wait "
            f"{minutes} minute{'s' if minutes != 1 else ''} and try again"
        )
        response = _sign_in_page(request, templates, settings, email=email, next_path=next_path,
                                 errors={"email": throttled}, status_code=429)  # fmt: skip
        response.headers["Retry-After"] = str(result.retry_after_seconds)
        return response
    if result.token is None:
        status = 403 if result.outcome is accounts.SignInOutcome.DEACTIVATED else 422
        return _sign_in_page(request, templates, settings, email=email, next_path=next_path,
                             errors={"email": SIGN_IN_MESSAGES[result.outcome]},
                             status_code=status)  # fmt: skip
    assert result.user is not None
    target = path_to(request, "password_form") if result.user.must_change_password else next_path
    redirect = RedirectResponse(target, status_code=303)
    set_session_cookie(redirect, settings, result.token)
    return redirect


@router.post("/sign-out")
def sign_out(
    request: Request, signed_in: OptionalSignIn, session: SessionDep, settings: SettingsDep
) -> Response:
    """End the session and say so."""
    if signed_in is not None:
        accounts.sign_out(session, signed_in)
    response = RedirectResponse(path_to(request, "signed_out"), status_code=303)
    response.delete_cookie(
        session_cookie_name(settings),
        path="/",
        secure=settings.is_production,  # a __Host- cookie is only replaced by a Secure one
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/signed-out", response_class=HTMLResponse)
def signed_out(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """Confirmation that the user has signed out."""
    return templates.TemplateResponse(request, "sign_in/signed_out.html", {})


@router.post("/session/extend", response_class=HTMLResponse)
def stay_signed_in(
    request: Request,
    form: PostedForm,
    signed_in: CurrentSignIn,
    session: SessionDep,
    settings: SettingsDep,
    templates: TemplatesDep,
) -> Response:
    """Restart the idle clock: a fresh notice for htmx, a redirect back without JavaScript."""
    extended = sessions.extend_session(session, signed_in, session_policy(settings), utcnow())
    request.state.signed_in = extended  # the page context reads the session from here
    next_path = local_path(field(form, "next"))
    if is_htmx(request):
        return templates.TemplateResponse(
            request, "_partials/session_notice.html", {"next_path": next_path}
        )
    return RedirectResponse(next_path, status_code=303)
