"""The outbox, for administrators: every email with how sending it went, and a failed one sent
again (docs/email.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.deps import AdminUser, IdPath, SessionDep, TemplatesDep
from app.services import outbox
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import navigate, path_to
from app.web.forms import page_number

router = APIRouter(prefix="/admin/email", tags=["admin: email"])

STATUS_LABELS = {"queued": "Waiting to send", "sent": "Sent", "failed": "Failed"}


@router.get("", response_class=HTMLResponse)
def show_outbox(
    request: Request,
    _admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """Emails newest first, all or of one status."""
    wanted = request.query_params.get("status", "")
    status = wanted if wanted in outbox.STATUSES else ""
    page = outbox.messages(session, status, page=page_number(request.query_params))
    context = {
        "page": page,
        "status": status,
        "statuses": STATUS_LABELS,
        "kinds": outbox.KINDS,
        "confirmation": confirmation,
        "status_link": lambda value: path_to(request, "show_outbox")
        + (f"?{urlencode({'status': value})}" if value else ""),
        "page_link": lambda number: path_to(request, "show_outbox")
        + "?" + urlencode({**({"status": status} if status else {}), "page": number}),
    }  # fmt: skip
    return templates.TemplateResponse(request, "admin/email.html", context)


@router.post("/{message_id}/retry")
def retry_email(
    request: Request, message_id: IdPath, admin: AdminUser, session: SessionDep, flash: FlashDep
) -> Response:
    """Send a failed email again, with a full set of tries."""
    if outbox.retry(session, admin, message_id):
        flash.say("The email will be sent again")
    else:
        flash.say("That email had not failed: it has been sent, or is waiting to be")
    return navigate(request, path_to(request, "show_outbox") + "?status=failed")
