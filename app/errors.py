"""One error type and one way of answering it: a GOV.UK-style page, or problem+json for the API."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from app.security_headers import new_nonce, security_headers

logger = logging.getLogger("primas")

PROBLEM_JSON = "application/problem+json"
ERROR_TEMPLATES = {404: "errors/404.html", 500: "errors/500.html"}


class PrimasError(Exception):
    """An error to show the user: an HTTP status, a short title and a plain-English detail."""

    def __init__(self, status: int, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def _wants_problem_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(request: Request, error: PrimasError) -> JSONResponse:
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


def render_error(request: Request, error: PrimasError) -> Response:
    """The response for an error, in the form the caller expects."""
    if _wants_problem_json(request):
        return _problem(request, error)
    return _page(request, error)


async def _primas_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PrimasError)
    return render_error(request, exc)


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
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
