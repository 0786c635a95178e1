"""One way of answering every error: a GOV.UK-style page, a message in the page for htmx, or
problem+json for the API (RFC 9457). Installed on the app by create_app."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from app.db import DatabaseUnavailable
from app.errors import (
    NotFound,
    PasswordChangeRequired,
    PrimasError,
    SignInRequired,
    StaleForm,
)
from app.security_headers import new_nonce, security_headers
from app.services.assessments import BusySaving

logger = logging.getLogger("primas")

PROBLEM_JSON = "application/problem+json"
ERROR_TEMPLATES = {404: "errors/404.html", 500: "errors/500.html"}


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (so the answer is a fragment, never a whole page)."""
    return request.headers.get("HX-Request") == "true"


def _wants_problem_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem_response(request: Request, error: PrimasError) -> JSONResponse:
    """An error as problem+json (RFC 9457): its title, status, detail and extra members."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": error.title,
        "status": error.status,
        "instance": request.url.path,
    }
    if error.detail:
        body["detail"] = error.detail
    body.update(error.extra)
    return JSONResponse(body, status_code=error.status, media_type=PROBLEM_JSON)


def _page(request: Request, error: PrimasError) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    template = ERROR_TEMPLATES.get(error.status, "errors/error.html")
    return templates.TemplateResponse(request, template, {"error": error}, status_code=error.status)


def _page_message(
    request: Request, template: str, context: dict[str, Any], status_code: int
) -> Response:
    # htmx answers land in the page's message area, never in the element that asked, so a
    # form is not replaced by an error page and everything the user typed stays put.
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["HX-Retarget"] = "#page-messages"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def render_error(request: Request, error: PrimasError) -> Response:
    """The response for an error, in the form the caller expects, with the error's headers."""
    if _wants_problem_json(request):
        response: Response = problem_response(request, error)
    elif is_htmx(request):
        response = _page_message(
            request, "_partials/page_message.html", {"error": error}, error.status
        )
    else:
        response = _page(request, error)
    response.headers.update(error.headers)
    return response


async def _primas_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PrimasError)
    return render_error(request, exc)


async def _busy_saving(request: Request, exc: Exception) -> Response:
    return render_error(request, PrimasError(
        409,
        "Your answers were not saved",
        "Someone else was saving answers on this page at the same moment, so nothing you "
        "typed on the page has been saved: go back and save it again.",
    ))  # fmt: skip


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    logger.error("refused a write: %s", exc)
    # The refused transaction was rolled back, so what the request loaded of its user cannot be
    # read again: the page is drawn as for no one signed in.
    request.state.signed_in = None
    return render_error(request, PrimasError(
        503,
        "Sorry, what you sent was not saved",
        "The service cannot save anything at the moment, so your change has not been made. "
        "Keep what you typed and try again later. If it keeps happening, tell the service team.",
    ))  # fmt: skip


async def _not_found(request: Request, exc: Exception) -> Response:
    return render_error(request, PrimasError(404, "Page not found"))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = HTTPStatus(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != status.phrase else ""
    response = render_error(request, PrimasError(exc.status_code, status.phrase, detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"location": list(error["loc"]), "message": error["msg"]} for error in exc.errors()]
    return render_error(
        request,
        PrimasError(422, "Unprocessable Content", "The request is not valid.", errors=errors),
    )


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if _wants_problem_json(request):  # the API's description: staff sign in, clients send a token
        response = problem_response(request, PrimasError(
            401, "Unauthorized", "Sign in, or send an API client's token."))  # fmt: skip
        response.headers["WWW-Authenticate"] = 'Bearer realm="PRIMAS API"'
        return response
    if is_htmx(request):
        # Never a sign-in page swapped into the element that asked.
        return _page_message(request, "_partials/session_expired.html", {}, 401)
    target = str(request.app.url_path_for("sign_in_form"))
    if request.method == "GET":
        target += "?" + urlencode(
            {"next": request.url.path + (f"?{request.url.query}" if request.url.query else "")}
        )
    return RedirectResponse(target, status_code=303)


async def _stale_form(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StaleForm)
    response = _page_message(request, "_partials/page_refreshed.html", {}, 409)
    response.headers["HX-Trigger"] = json.dumps({"primas:csrf-token": {"token": exc.token}})
    return response


async def _password_change_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse(str(request.app.url_path_for("password_form")), status_code=303)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # Runs outside every middleware (in Starlette's ServerErrorMiddleware), so it sets the
    # security headers itself. The traceback goes to the log, never to the user.
    logger.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    nonce = getattr(request.state, "csp_nonce", None) or new_nonce()
    request.state.csp_nonce = nonce
    response = render_error(
        request, PrimasError(500, "Sorry, there is a problem with the service", "Try again later.")
    )
    production = request.app.state.settings.is_production
    response.headers.update(security_headers(nonce, production=production))
    response.headers["Cache-Control"] = "no-store"
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through render_error."""
    app.add_exception_handler(PrimasError, _primas_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(BusySaving, _busy_saving)
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    app.add_exception_handler(OperationalError, _database_unavailable)  # full, read-only, gone
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(PasswordChangeRequired, _password_change_required)
    app.add_exception_handler(StaleForm, _stale_form)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
