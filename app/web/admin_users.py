"""User management for administrators: create, roles, deactivate, unlock, one-time passwords."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.deps import (
    AdminUser,
    ManagedUser,
    PostedForm,
    SessionDep,
    SettingsDep,
    TemplatesDep,
    throttle_policy,
)
from app.models import Role, User
from app.services import accounts
from app.services.audit import Actor
from app.timeutil import utcnow
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, navigate, path_to, submit
from app.web.forms import field, values

router = APIRouter(prefix="/admin/users", tags=["admin: users"])


def role_items(selected: list[str]) -> list[dict[str, object]]:
    """Checkbox items for the roles, ticked where selected."""
    return [
        {"value": role.value, "text": role.label, "checked": role.value in selected}
        for role in Role
    ]


def _locked(session: SessionDep, settings: SettingsDep, user: User) -> int:
    return accounts.seconds_until_unthrottled(
        session, user.email, throttle_policy(settings), utcnow()
    )


def _detail(
    request: Request,
    templates: TemplatesDep,
    session: SessionDep,
    settings: SettingsDep,
    user: User,
    *,
    errors: Mapping[str, str] | None = None,
    confirmation: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "user": user,
        "locked_seconds": _locked(session, settings, user),
        "errors": errors or {},
        "confirmation": confirmation,
    }
    return templates.TemplateResponse(request, "admin/user.html", context, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def list_users(
    request: Request, _admin: AdminUser, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    """Every user, with their roles and status."""
    context = {"users": accounts.list_users(session)}
    return templates.TemplateResponse(request, "admin/users.html", context)


@router.get("/new", response_class=HTMLResponse)
def new_user_form(request: Request, _admin: AdminUser, templates: TemplatesDep) -> HTMLResponse:
    """The form to create a user."""
    context = {"values": {}, "errors": {}, "role_items": role_items([])}
    return templates.TemplateResponse(request, "admin/new_user.html", context)


@router.post("/new", response_class=HTMLResponse)
def create_user(
    request: Request,
    form: PostedForm,
    admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
) -> Response:
    """Create the user and show their one-time password, once."""
    name, email, roles = field(form, "name"), field(form, "email"), values(form, "roles")
    entered = {"name": name, "email": email, "roles": roles}

    def create() -> Response:
        user, one_time_password = accounts.create_user(
            session, Actor.of(admin), name=name, email=email, roles=roles
        )
        context = {"user": user, "password": one_time_password, "created": True}
        return templates.TemplateResponse(
            request, "admin/one_time_password.html", context, status_code=201
        )

    def again(errors: Mapping[str, str]) -> Response:
        context = {"values": entered, "errors": errors, "role_items": role_items(roles)}
        return templates.TemplateResponse(request, "admin/new_user.html", context)

    return submit(request, None, create, again=again)


@router.get("/{user_id}", response_class=HTMLResponse)
def user_detail(
    request: Request,
    user: ManagedUser,
    session: SessionDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """One user: details, status and the actions an admin can take."""
    return _detail(request, templates, session, settings, user, confirmation=confirmation)


@router.get("/{user_id}/roles", response_class=HTMLResponse)
def roles_form(request: Request, user: ManagedUser, templates: TemplatesDep) -> HTMLResponse:
    """Choose the user's roles."""
    context = {"user": user, "errors": {}, "role_items": role_items(user.roles)}
    return templates.TemplateResponse(request, "admin/roles.html", context)


@router.post("/{user_id}/roles", response_class=HTMLResponse)
def change_roles(
    request: Request,
    form: PostedForm,
    user: ManagedUser,
    admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Save the user's roles."""
    chosen = values(form, "roles")

    def change() -> Done:
        accounts.change_roles(session, admin, user, chosen)
        return Done(path_to(request, "user_detail", user_id=user.id), "Roles updated")

    def again(errors: Mapping[str, str]) -> Response:
        context = {"user": user, "errors": errors, "role_items": role_items(chosen)}
        return templates.TemplateResponse(request, "admin/roles.html", context)

    return submit(request, flash, change, again=again)


@router.post("/{user_id}/deactivate", response_class=HTMLResponse)
def deactivate(
    request: Request,
    user: ManagedUser,
    admin: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Deactivate the user; their sessions end at once."""

    def change() -> Done:
        accounts.deactivate(session, admin, user)
        message = "User deactivated. They have been signed out everywhere"
        return Done(path_to(request, "user_detail", user_id=user.id), message)

    def again(errors: Mapping[str, str]) -> Response:
        return _detail(request, templates, session, settings, user, errors=errors)

    return submit(request, flash, change, again=again)


@router.post("/{user_id}/reactivate")
def reactivate(
    request: Request, user: ManagedUser, admin: AdminUser, session: SessionDep, flash: FlashDep
) -> Response:
    """Let the user sign in again."""
    accounts.reactivate(session, admin, user)
    flash.say("User reactivated. They can sign in again")
    return navigate(request, path_to(request, "user_detail", user_id=user.id))


@router.post("/{user_id}/unlock")
def unlock(
    request: Request, user: ManagedUser, admin: AdminUser, session: SessionDep, flash: FlashDep
) -> Response:
    """Clear the user's failed sign-ins."""
    accounts.unlock(session, admin, user)
    flash.say("User unlocked. They can try to sign in again now")
    return navigate(request, path_to(request, "user_detail", user_id=user.id))


@router.post("/{user_id}/one-time-password", response_class=HTMLResponse)
def one_time_password(
    request: Request,
    user: ManagedUser,
    admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    """Give the user a new one-time password, shown once."""
    password = accounts.set_one_time_password(session, admin, user)
    context = {"user": user, "password": password, "created": False}
    return templates.TemplateResponse(request, "admin/one_time_password.html", context)
