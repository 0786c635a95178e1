"""Reference data in a real browser: an administrator adds a value, with JavaScript on and off.

Every page and error state is checked with axe, in both modes.
"""

from __future__ import annotations

from playwright.sync_api import Page
from sqlmodel import Session

from app.models import Role
from tests.support.browser import assert_accessible, sign_in
from tests.support.factories import TEST_PASSWORD, make_user


def test_an_admin_adds_a_threshold(live_server: str, any_page: Page, session: Session) -> None:
    page = any_page
    admin = make_user(session, Role.ADMIN)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.get_by_role("link", name="Reference data").click()
    assert page.locator("h1").inner_text() == "Reference data"
    threshold = page.locator("#primas_threshold")
    assert "£100,000" in threshold.locator(".app-reference-in-force").inner_text()
    assert_accessible(page, url=live_server + "/admin/reference-data")

    threshold.get_by_role("link", name="Add a value (PRIMAS threshold)").click()
    form_url = live_server + "/admin/reference-data/primas_threshold/new"
    assert page.locator("h1").inner_text() == "Add a value: PRIMAS threshold"
    assert_accessible(page, url=form_url)

    page.fill("#effective_from-day", "31")
    page.fill("#effective_from-month", "2")
    page.fill("#effective_from-year", "2030")
    page.fill("#amount", "150,000.999")
    page.fill("#source", "http://example.org/policy")
    page.get_by_role("button", name="Add value").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.locator("h2").inner_text() == "There is a problem"
    assert summary.get_by_role("link").all_inner_texts() == [
        "Date it takes effect must be a real date",
        "Enter the amount to the nearest penny, with no more than 2 decimal places",
        "Enter the source as a web address starting with https://, or as a page of the "
        "service's documentation like docs/scoring.md",
    ]
    assert page.title().startswith("Error: ")
    assert page.locator("#amount").input_value() == "150,000.999"
    assert_accessible(page, url=form_url)
    summary.get_by_role("link", name="Date it takes effect must be a real date").click()

    page.fill("#effective_from-day", "1")
    page.fill("#amount", "£150,000")
    page.fill("#source", "https://example.org/policy")
    page.fill("#note", "Raised by cabinet decision")
    page.get_by_role("button", name="Add value").click()
    banner = page.locator(".govuk-notification-banner")
    assert "PRIMAS threshold: £150,000 added, taking effect on 1 February 2030" in (
        banner.inner_text()
    )
    assert page.url == live_server + "/admin/reference-data"
    newest = page.locator("#primas_threshold tbody tr").first.inner_text()
    assert "1 February 2030" in newest and "Raised by cabinet decision" in newest
    assert_accessible(page)
