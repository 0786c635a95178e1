"""Browser fixtures: headless Chromium driven by Playwright, against a live server of the app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.conftest import skip_or_fail
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_LISTENER,
    LAUNCH_TIMEOUT_MS,
    PageWatch,
)
from tests.support.live_server import serve


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is not installed (make test installs it when run as root)")
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=LAUNCH_TIMEOUT_MS
    )
    yield browser
    browser.close()


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The base URL of a real HTTP server running this test's app and database."""
    with serve(app) as base_url:
        yield base_url


def _page(browser: Browser, *, javascript: bool) -> Iterator[tuple[Page, PageWatch]]:
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    context.set_default_timeout(10_000)
    if javascript:
        context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watch = PageWatch(javascript=javascript)
    watch.attach(page)
    yield page, watch
    try:
        violations = watch.violations(page)
        assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)
        assert not watch.failed_responses, "failed requests: " + ", ".join(watch.failed_responses)
    finally:
        context.close()


@pytest.fixture
def page_watch(browser: Browser) -> Iterator[tuple[Page, PageWatch]]:
    """A JavaScript-enabled page and what it saw; CSP violations fail the test."""
    yield from _page(browser, javascript=True)


@pytest.fixture
def page_without_js_watch(browser: Browser) -> Iterator[tuple[Page, PageWatch]]:
    """A page with JavaScript turned off, as some users and assistive set-ups have it."""
    yield from _page(browser, javascript=False)


@pytest.fixture
def page(page_watch: tuple[Page, PageWatch]) -> Page:
    return page_watch[0]


@pytest.fixture
def page_without_js(page_without_js_watch: tuple[Page, PageWatch]) -> Page:
    return page_without_js_watch[0]


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def any_page(request: pytest.FixtureRequest) -> Page:
    """The test runs twice: with JavaScript on, and with it off."""
    return request.getfixturevalue("page" if request.param else "page_without_js")  # type: ignore[no-any-return]
