"""Paths of the app's routes by name, for both faces: links and redirects in the pages, and
(from issue 20) the API's Location headers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, NoMatchFound


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
        by_name = self._by_name
        if by_name is None:  # built whole, then published: threads never see it half made
            by_name = {}
            for each in app_routes(self._app):
                if route_name := getattr(each, "name", None):
                    by_name.setdefault(route_name, each)
            self._by_name = by_name
        found = by_name.get(name)
        if found is None:
            raise NoMatchFound(name, params)
        return str(found.url_path_for(name, **params))
