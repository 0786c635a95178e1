"""API clients, for administrators: make one (its token shown once), see when each was last
used, and revoke one (docs/api.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.deps import AdminUser, IdPath, PostedForm, SessionDep, TemplatesDep
from app.errors import NotFound
from app.models import API_SCOPES, ApiClient
from app.services import api_clients
from app.services.audit import Actor
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, path_to, submit
from app.web.forms import field, values

router = APIRouter(prefix="/admin/api-clients", tags=["admin: API clients"])

SCOPE_LABELS = {
    "read": "Read procurements, assessments, KPIs and changes",
    "write": "Record and change procurements",
    "outcomes": "Report outcomes against KPIs",
}


def scope_items(chosen: list[str]) -> list[dict[str, object]]:
    """The scope checkboxes, with `chosen` ticked."""
    return [{"value": scope, "text": SCOPE_LABELS[scope], "checked": scope in chosen}
            for scope in API_SCOPES]  # fmt: skip


def _client_or_404(client_id: IdPath, session: SessionDep, _admin: AdminUser) -> ApiClient:
    client = api_clients.get(session, client_id)
    if client is None:
        raise NotFound(f"API client {client_id}")
    return client


ManagedClient = Annotated[ApiClient, Depends(_client_or_404)]


@router.get("", response_class=HTMLResponse)
def list_api_clients(
    request: Request,
    _admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """Every client, active ones first, with its scopes and last use."""
    context = {"clients": api_clients.every_client(session), "labels": SCOPE_LABELS,
               "confirmation": confirmation}  # fmt: skip
    return templates.TemplateResponse(request, "admin/api_clients.html", context)


@router.get("/new", response_class=HTMLResponse)
def new_api_client_form(
    request: Request, _admin: AdminUser, templates: TemplatesDep
) -> HTMLResponse:
    """The form for a new client."""
    context = {"values": {"name": ""}, "errors": {}, "scope_items": scope_items(["read"])}
    return templates.TemplateResponse(request, "admin/new_api_client.html", context)


@router.post("/new", response_class=HTMLResponse)
def create_api_client(
    request: Request,
    form: PostedForm,
    admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
) -> Response:
    """Make the client and show its token, once."""
    name, scopes = field(form, "name"), values(form, "scopes")

    def create() -> Response:
        client, token = api_clients.create(session, Actor.of(admin), name, scopes,
                                           by_user_id=admin.id)  # fmt: skip
        context = {"client": client, "token": token, "labels": SCOPE_LABELS}
        return templates.TemplateResponse(
            request, "admin/api_client_token.html", context, status_code=201
        )

    def again(errors: Mapping[str, str]) -> Response:
        context = {"values": {"name": name}, "errors": errors, "scope_items": scope_items(scopes)}
        return templates.TemplateResponse(request, "admin/new_api_client.html", context)

    return submit(request, None, create, again=again)


@router.get("/{client_id}/revoke", response_class=HTMLResponse)
def revoke_api_client_form(
    request: Request, client: ManagedClient, templates: TemplatesDep
) -> HTMLResponse:
    """Are you sure? Revoking stops the system at once."""
    context = {"client": client, "errors": {}}
    return templates.TemplateResponse(request, "admin/revoke_api_client.html", context)


@router.post("/{client_id}/revoke", response_class=HTMLResponse)
def revoke_api_client(
    request: Request,
    client: ManagedClient,
    admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
    flash: FlashDep,
) -> Response:
    """Revoke the client's token."""

    def change() -> Done:
        revoked = api_clients.revoke(session, Actor.of(admin), client)
        said = "revoked: its token no longer works" if revoked else "was already revoked"
        return Done(path_to(request, "list_api_clients"), f"{client.name} {said}")

    def again(errors: Mapping[str, str]) -> Response:
        context = {"client": client, "errors": errors}
        return templates.TemplateResponse(request, "admin/revoke_api_client.html", context)

    return submit(request, flash, change, again=again)
