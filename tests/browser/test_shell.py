"""The shell in a real browser: accessible, within the CSP, and never the GDS Transport font."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import PageWatch, assert_accessible

PAGES = [
    ("/", "Procurement Impact Assessment (PRIMAS)"),
    ("/accessibility", "Accessibility statement for PRIMAS"),
]


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_pages_with_javascript(
    live_server: str, page_watch: tuple[Page, PageWatch], path: str, title: str
) -> None:
    page, watch = page_watch
    page.goto(live_server + path)
    assert page.locator("h1").inner_text() == title
    # GOV.UK Frontend's bootstrap ran (nonce accepted) and its module loaded.
    assert page.evaluate("document.body.classList.contains('js-enabled')")
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert page.evaluate("typeof window.htmx") == "object"
    assert_accessible(page, url=live_server + path)
    heading_font = page.locator("h1").evaluate("(h1) => getComputedStyle(h1).fontFamily")
    assert "GDS Transport" not in heading_font
    assert heading_font.startswith("system-ui")
    assert not [url for url in watch.requested_urls if url.endswith((".woff", ".woff2"))]


@pytest.mark.parametrize(("path", "title"), PAGES)
def test_pages_without_javascript(
    live_server: str, page_without_js: Page, path: str, title: str
) -> None:
    page_without_js.goto(live_server + path)
    assert page_without_js.locator("h1").inner_text() == title
    assert "js-enabled" not in (page_without_js.locator("body").get_attribute("class") or "")
    assert_accessible(page_without_js, url=live_server + path)


def test_skip_link_is_the_first_thing_a_keyboard_reaches(live_server: str, page: Page) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    # Following an in-page link updates the URL a moment later: wait for it, do not race it.
    expect(page).to_have_url(re.compile(r"#main-content$"))


@pytest.mark.parametrize("javascript", [True, False])
def test_not_found_page_is_accessible(
    live_server: str, page: Page, page_without_js: Page, javascript: bool
) -> None:
    browser_page = page if javascript else page_without_js
    response = browser_page.goto(live_server + "/no-such-page")
    assert response is not None and response.status == 404
    assert browser_page.locator("h1").inner_text() == "Page not found"
    assert_accessible(browser_page, url=live_server + "/no-such-page")
