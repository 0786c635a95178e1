"""The session timeout warning (WCAG 2.2.1) and htmx requests after a session has ended."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, delete

from app.models import Role, UserSession
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.support.browser import assert_accessible, sign_in
from tests.support.factories import TEST_PASSWORD, make_user

IDLE_SECONDS = 40
WARNING_SECONDS = 36  # so the warning appears about 4 seconds after a page loads


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        session_idle_timeout_seconds=IDLE_SECONDS,
        session_warning_seconds=WARNING_SECONDS,
    )


def end_all_sessions(session: Session) -> None:
    session.exec(delete(UserSession))  # type: ignore[call-overload]
    session.commit()


def test_warning_appears_and_stay_signed_in_extends(
    live_server: str, page: Page, session: Session
) -> None:
    user = make_user(session)
    sign_in(page, live_server, user.email, TEST_PASSWORD)
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert "We will sign you out in less than a minute" in dialog.inner_text()
    assert_accessible(page, url=live_server + "/")

    before = page.locator(".app-session-timeout__notice").get_attribute("data-now")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    after = page.locator(".app-session-timeout__notice").get_attribute("data-now")
    assert after != before  # a fresh notice, with a new sign-out time, came from the server
    # Still signed in, and the warning comes back when the new time nears.
    expect(dialog).to_be_visible(timeout=10_000)


def test_an_ended_session_is_shown_in_the_dialog(
    live_server: str, page: Page, session: Session
) -> None:
    user = make_user(session)
    sign_in(page, live_server, user.email, TEST_PASSWORD)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible(timeout=10_000)
    end_all_sessions(session)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog.get_by_role("heading", name="You have been signed out")).to_be_visible()
    expect(dialog.get_by_role("link", name="Sign in again (opens in new tab)")).to_be_focused()
    assert_accessible(page, url=live_server + "/")


def test_htmx_after_the_session_ended_keeps_what_was_typed(
    live_server: str, page: Page, session: Session
) -> None:
    admin = make_user(session, Role.ADMIN)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.goto(live_server + "/admin/users/new")
    page.fill("#name", "Grace Mensah")
    page.fill("#email", "grace.mensah@example.gov.uk")
    end_all_sessions(session)
    page.locator(".app-session-timeout__notice").get_by_role(
        "button", name="Stay signed in"
    ).click()
    banner = page.locator("#page-messages .govuk-notification-banner")
    expect(banner).to_be_visible()
    assert banner.get_attribute("role") == "alert"
    assert "What you typed is still on this page" in banner.inner_text()
    assert page.url == live_server + "/admin/users/new"
    assert page.locator("#name").input_value() == "Grace Mensah"
    assert page.locator("#email").input_value() == "grace.mensah@example.gov.uk"
    assert page.locator("main form input#email").count() == 1  # no sign-in form swapped in
    assert page.locator("input[autocomplete=current-password]").count() == 0
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    assert_accessible(page, url=live_server + "/admin/users/new")


def test_without_javascript_the_sign_out_time_and_button_are_on_the_page(
    live_server: str, page_without_js: Page, session: Session
) -> None:
    page = page_without_js
    user = make_user(session)
    sign_in(page, live_server, user.email, TEST_PASSWORD)
    page.goto(live_server + "/account")
    notice = page.locator(".app-session-timeout__notice")
    assert "we will sign you out at" in notice.inner_text()
    assert f"if you do nothing for {IDLE_SECONDS} seconds" in notice.inner_text()
    notice.get_by_role("button", name="Stay signed in").click()
    assert page.url == live_server + "/account"
    assert page.locator("h1").inner_text() == "Your account"
    assert_accessible(page, url=live_server + "/account")
