"""An administrator adds an API client and revokes it, in a real browser with JavaScript on
and off, every page and error state checked with axe."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlmodel import Session

from app.models import Role
from tests.support.browser import assert_accessible, sign_in
from tests.support.factories import TEST_PASSWORD, make_user


def test_an_administrator_adds_an_api_client_then_revokes_it(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    admin = make_user(session, Role.ADMIN)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.get_by_role("link", name="API clients").click()
    assert "No API clients yet." in page.locator("tbody").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Add an API client").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add API client").click()  # no name
    summary = page.locator(".govuk-error-summary")
    assert "Enter a name for the client" in summary.inner_text()
    assert_accessible(page)

    page.get_by_label("Name").fill("Contract management system")
    page.get_by_label("Record and change procurements").check()
    page.get_by_role("button", name="Add API client").click()
    assert page.locator("h1").inner_text().startswith("API client added")
    token = page.locator("#api-token").inner_text()
    assert token.startswith("primas_")
    assert_accessible(page)

    page.get_by_role("link", name="Back to API clients").click()
    assert "Contract management system" in page.locator("tbody").inner_text()
    page.get_by_role("link", name="Revoke Contract management system").click()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke token").click()
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Contract management system revoked" in banner
    assert "Revoked" in page.locator("tbody").inner_text()
    assert_accessible(page)
