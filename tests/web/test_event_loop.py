"""Nothing that hashes a password or touches the database runs on the event loop.

FastAPI runs a plain `def` handler or dependency in the thread pool and an `async def` one on the
event loop, where any blocking work stalls every other request, /healthz included. So the only
coroutines allowed are those listed here, each of which only reads what is already in memory or
awaits the request body.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

# Handlers that compute and render from what their dependencies loaded, or answer from memory.
ASYNC_HANDLERS = {
    "app.api.health.healthz",  # answers from memory, so it never queues behind database work
    "app.web.assessments.show_task",  # renders what its (threaded) dependency loaded
}
# Dependencies that read app state or the request body, or hand their I/O to the thread pool.
ASYNC_DEPENDENCIES = {
    "app.deps.core._settings",
    "app.deps.core._engine",
    "app.deps.core._session",
    "app.deps.core._templates",
    "app.deps.core._posted_form",
    "app.deps.core._current_sign_in",
    "app.deps.core._current_user",
    "app.deps.core._reference_key_or_404",
    "app.deps.core.verify_csrf",
    "app.deps.records._catalogue",
    "app.web.flash._flash",  # builds the helper; saying a message happens in the handler
}


def _name(call: Any) -> str:
    return f"{call.__module__}.{call.__qualname__}"


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def _routes(app: FastAPI) -> list[APIRoute]:
    """Every API route, including those of included routers (kept as nodes by FastAPI)."""
    found: list[APIRoute] = []
    for node in app.routes:
        contexts = getattr(node, "effective_route_contexts", None)
        candidates = [c.original_route for c in contexts()] if contexts is not None else [node]
        found += [route for route in candidates if isinstance(route, APIRoute)]
    return found


def _router_dependencies(app: FastAPI) -> Iterator[Any]:
    """Dependencies declared on an included router as a whole (CSRF, for example)."""
    for node in app.routes:
        context = getattr(node, "include_context", None)
        router = getattr(node, "original_router", None)
        for depends in [*(getattr(context, "dependencies", None) or []),
                        *(getattr(router, "dependencies", None) or [])]:  # fmt: skip
            yield depends.dependency


def _is_coroutine(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)


def test_only_handlers_that_do_no_blocking_work_run_on_the_event_loop(app: FastAPI) -> None:
    routes = _routes(app)
    assert len(routes) > 50
    handlers = {_name(r.endpoint) for r in routes if _is_coroutine(r.endpoint)}
    assert handlers == ASYNC_HANDLERS
    for route in routes:
        if _is_coroutine(route.endpoint):
            assert route.methods <= {"GET", "HEAD"}, f"{route.path} writes on the event loop"


def test_only_dependencies_that_do_no_blocking_work_run_on_the_event_loop(app: FastAPI) -> None:
    calls = [sub.call for route in _routes(app) for sub in _dependencies(route.dependant)]
    calls += list(_router_dependencies(app))
    assert len(calls) > 100
    found = {_name(call) for call in calls if call is not None and _is_coroutine(call)}
    assert found <= ASYNC_DEPENDENCIES, found - ASYNC_DEPENDENCIES
    assert "app.deps.core.verify_csrf" in found  # the walk reaches router-level dependencies
