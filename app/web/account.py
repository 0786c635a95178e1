"""The signed-in user's own account: who they are and changing their password."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.deps import (
    CurrentSignIn,
    PostedForm,
    SessionDep,
    SettingsDep,
    TemplatesDep,
    session_policy,
    set_session_cookie,
    throttle_policy,
)
from app.services import accounts
from app.timeutil import utcnow
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, path_to, submit
from app.web.forms import field

router = APIRouter(tags=["account"])


@router.get("/account", response_class=HTMLResponse)
def account(
    request: Request,
    signed_in: CurrentSignIn,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """Your account: name, email, roles."""
    context = {"user": signed_in.user, "confirmation": confirmation}
    return templates.TemplateResponse(request, "account/account.html", context)


@router.get("/account/reminders", response_class=HTMLResponse)
def reminders_form(
    request: Request, signed_in: CurrentSignIn, templates: TemplatesDep
) -> HTMLResponse:
    """Whether to have reminder emails about PRIMAS waiting for a decision."""
    chosen = "yes" if signed_in.user.mail_reminders else "no"
    context = {"user": signed_in.user, "chosen": chosen, "errors": {}}
    return templates.TemplateResponse(request, "account/reminders.html", context)


@router.post("/account/reminders", response_class=HTMLResponse)
def change_reminders(
    request: Request,
    form: PostedForm,
    signed_in: CurrentSignIn,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Turn reminder emails on or off."""
    choice = field(form, "reminders")

    def change() -> Done:
        accounts.set_mail_reminders(session, signed_in.user, choice)
        said = "on" if signed_in.user.mail_reminders else "off"
        return Done(path_to(request, "account"), f"Reminder emails are now {said}")

    def again(errors: Mapping[str, str]) -> Response:
        context = {"user": signed_in.user, "chosen": choice, "errors": errors}
        return templates.TemplateResponse(request, "account/reminders.html", context)

    return submit(request, flash, change, again=again)


@router.get("/account/password", response_class=HTMLResponse)
def password_form(
    request: Request, signed_in: CurrentSignIn, templates: TemplatesDep
) -> HTMLResponse:
    """The change-password form (compulsory after signing in with a one-time password)."""
    context = {"user": signed_in.user, "errors": {}}
    return templates.TemplateResponse(request, "account/password.html", context)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    form: PostedForm,
    signed_in: CurrentSignIn,
    session: SessionDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Change the password, then carry on in a new session (all others end)."""

    def change() -> Response:
        token = accounts.change_own_password(
            session,
            signed_in,
            current=field(form, "current_password"),
            new=field(form, "new_password"),
            confirm=field(form, "confirm_password"),
            throttle=throttle_policy(settings),
            session_policy=session_policy(settings),
            now=utcnow(),
        )
        flash.say("Your password has been changed", new_token=token)
        response = RedirectResponse(path_to(request, "account"), status_code=303)
        set_session_cookie(response, settings, token)
        return response

    def again(errors: Mapping[str, str]) -> Response:
        context = {"user": signed_in.user, "errors": errors}
        return templates.TemplateResponse(request, "account/password.html", context)

    return submit(request, flash, change, again=again)
