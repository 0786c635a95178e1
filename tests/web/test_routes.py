"""Every link and redirect is built from a route's name: the names are unique, each template's
links name routes that exist, and a link missing a value is an error, not a broken address."""

from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
from fastapi import FastAPI
from jinja2 import ChainableUndefined
from starlette.routing import Mount

from app.deps.paths import RoutePaths
from app.settings import PROJECT_ROOT
from app.web.templating import path_builder
from tests.web.test_event_loop import _routes

TEMPLATES = PROJECT_ROOT / "templates"
NAMED = re.compile(r"""path_to\(\s*["']([a-z_]+)["']""")
# A path written out by hand in a link, form or htmx attribute (not a static file or an anchor).
BY_HAND = re.compile(r"""(?:href|action|hx-get|hx-post|"url"|"href"|serviceUrl)["=:]\s*["']/""")


def test_route_names_are_unique(app: FastAPI) -> None:
    names = Counter(route.name for route in _routes(app))
    assert [name for name, count in names.items() if count > 1] == []


def test_every_route_a_template_names_exists_and_none_is_written_by_hand(app: FastAPI) -> None:
    known = {route.name for route in _routes(app)} | {
        node.name for node in app.routes if isinstance(node, Mount)
    }
    named: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        named |= set(NAMED.findall(text))
        assert not BY_HAND.search(text), f"{template.relative_to(TEMPLATES)} builds a path by hand"
    assert named, "no template names a route"
    assert named <= known, f"no route called {sorted(named - known)}"


def test_a_link_without_a_value_is_an_error_not_a_broken_address(app: FastAPI) -> None:
    path_to = path_builder(app.state.paths)
    assert path_to("show_procurement", reference="PRC-2026-0001") == "/procurements/PRC-2026-0001"
    assert path_to("results", reference="PRC-2026-0001", anchor="topic-energy") == (
        "/procurements/PRC-2026-0001/primas/results#topic-energy"
    )
    for missing in ("", None, ChainableUndefined(name="procurement")):
        with pytest.raises(ValueError, match="reference"):
            path_to("show_procurement", reference=missing)


def test_the_first_links_built_at_once_by_many_threads_all_resolve(app: FastAPI) -> None:
    """The name index is built on first use: threads arriving together never see it half made
    (which answered the first requests after a start with 500s)."""
    for _ in range(20):
        paths = RoutePaths(app)
        barrier = threading.Barrier(16)
        built: list[str] = []

        def build(
            paths: RoutePaths = paths,
            barrier: threading.Barrier = barrier,
            built: list[str] = built,
        ) -> None:
            barrier.wait()
            built.append(paths("list_users"))

        threads = [threading.Thread(target=build) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert built == ["/admin/users"] * 16
