"""Every HTML route under one router, which declares the CSRF check once: every
state-changing request from a page carries the token (app/deps/csrf.py). The JSON API
authenticates differently and has its own routers (app/api/)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute, NoMatchFound

from app.deps import CsrfProtected
from app.web import (
    account,
    admin_audit,
    admin_reference,
    admin_users,
    assessment_drafts,
    assessment_kpis,
    assessment_own_kpis,
    assessment_results,
    assessments,
    pages,
    procurement_changes,
    procurements,
    sign_in,
)

AREAS = (
    pages, sign_in, account, procurements, procurement_changes, assessments, assessment_drafts,
    assessment_results, assessment_own_kpis, assessment_kpis, admin_users, admin_reference,
    admin_audit,
)  # fmt: skip


def pages_router() -> APIRouter:
    """Every HTML route, with the CSRF check on each."""
    router = APIRouter(dependencies=[CsrfProtected])
    for area in AREAS:
        router.include_router(area.router)
    return router


def app_routes(app: FastAPI) -> list[BaseRoute]:
    """Every route of the app, including those of included routers (which this FastAPI keeps as
    nodes of their own, each giving its routes with their full paths)."""
    found: list[BaseRoute] = []
    for node in app.routes:
        contexts = getattr(node, "effective_route_contexts", None)
        found += [context.original_route for context in contexts()] if contexts else [node]
    return found


class RoutePaths:
    """The path of a named route (`paths("show_procurement", reference=...)`), with each route
    found by name once. Starlette's `url_path_for` tries every route in turn, each refusing by
    raising, which took 130 to 230 µs a link (docs/decisions.md, 25): pages have dozens."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._by_name: dict[str, BaseRoute] | None = None  # on first use: routes come later

    def __call__(self, name: str, /, **params: Any) -> str:
        if self._by_name is None:
            self._by_name = {}
            for each in app_routes(self._app):
                if route_name := getattr(each, "name", None):
                    self._by_name.setdefault(route_name, each)
        found = self._by_name.get(name)
        if found is None:
            raise NoMatchFound(name, params)
        return str(found.url_path_for(name, **params))
