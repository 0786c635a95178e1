"""Accounts in a real browser: signing in and out, administration, with JavaScript on and off.

Every page and error state is checked with axe, in both modes.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.models import Role, User
from tests.support.browser import assert_accessible, close_tab, sign_in
from tests.support.factories import TEST_PASSWORD, make_user


def test_sign_in_with_a_wrong_password_then_sign_out(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    user = make_user(session, name="Priya Shah")
    page.goto(live_server + "/")
    assert_accessible(page, url=live_server + "/")
    page.get_by_role("button", name="Sign in").click()  # the start button
    assert_accessible(page, url=live_server + "/sign-in")

    sign_in(page, live_server, user.email, "not the right password")
    summary = page.locator(".govuk-error-summary")
    assert summary.locator("h2").inner_text() == "There is a problem"
    assert summary.get_by_role("link").inner_text() == "Enter a correct email address and password"
    assert page.title().startswith("Error: ")
    assert page.locator("#email").input_value() == user.email
    assert_accessible(page, url=live_server + "/sign-in")

    page.fill("#password", TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.url == live_server + "/"
    navigation = page.locator(".govuk-service-navigation")
    assert "Priya Shah" in navigation.inner_text()
    assert "You are signed in as Priya Shah" in page.locator("main").inner_text()
    assert_accessible(page, url=live_server + "/")

    page.get_by_role("link", name="Your account: Priya Shah").click()
    assert page.locator("h1").inner_text() == "Your account"
    assert_accessible(page, url=live_server + "/account")

    page.get_by_role("button", name="Sign out").click()
    assert page.url == live_server + "/signed-out"
    assert page.locator("h1").inner_text() == "You have signed out"
    assert "Priya Shah" not in page.locator(".govuk-service-navigation").inner_text()
    assert_accessible(page, url=live_server + "/signed-out")
    page.goto(live_server + "/account")
    assert page.url == live_server + "/sign-in?next=%2Faccount"


def test_an_admin_deactivates_a_user_whose_next_request_is_refused(
    live_server: str, any_page: Page, browser: Browser, session: Session
) -> None:
    admin = make_user(session, Role.ADMIN, name="Sam Taylor")
    user = make_user(session, Role.LEAD, name="Tom Okafor")
    their_context = browser.new_context()
    theirs = their_context.new_page()
    sign_in(theirs, live_server, user.email, TEST_PASSWORD)
    theirs.goto(live_server + "/account")
    assert theirs.locator("h1").inner_text() == "Your account"

    page = any_page
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.get_by_role("link", name="Users").click()
    assert_accessible(page, url=live_server + "/admin/users")
    page.get_by_role("link", name="Tom Okafor").click()
    assert_accessible(page, url=live_server + f"/admin/users/{user.id}")
    page.get_by_role("button", name="Deactivate").click()
    assert "User deactivated" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page, url=live_server + f"/admin/users/{user.id}")

    theirs.reload()
    assert theirs.url == live_server + "/sign-in?next=%2Faccount"
    their_context.close()


def test_admin_pages_and_their_error_states(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    admin = make_user(session, Role.ADMIN)
    user = make_user(session, Role.LEAD, name="Tom Okafor")
    sign_in(page, live_server, admin.email, TEST_PASSWORD)

    page.goto(live_server + "/admin/users/new")
    assert_accessible(page, url=live_server + "/admin/users/new")
    page.fill("#name", "Grace Mensah")
    page.fill("#email", "not-an-email")
    page.get_by_role("button", name="Create user").click()
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.locator("#name").input_value() == "Grace Mensah"
    assert_accessible(page, url=live_server + "/admin/users/new")
    page.get_by_role("link", name="Select at least one role").click()  # the summary's link works
    page.fill("#email", "grace.mensah@example.gov.uk")
    page.get_by_label("Approver").check()
    page.get_by_role("button", name="Create user").click()
    assert page.locator(".govuk-panel__title").inner_text() == "User created"
    assert len(page.locator("#one-time-password").inner_text()) == 19
    assert_accessible(page, url=live_server + "/admin/users/new")

    page.goto(live_server + f"/admin/users/{user.id}/roles")
    page.get_by_label("Category lead").uncheck()
    page.get_by_role("button", name="Save roles").click()
    assert "Select at least one role" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, url=live_server + f"/admin/users/{user.id}/roles")

    page.goto(live_server + f"/admin/users/{admin.id}")
    page.get_by_role("button", name="Deactivate").click()
    assert (
        "You cannot deactivate your own account"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page, url=live_server + f"/admin/users/{admin.id}/deactivate")

    page.goto(live_server + f"/admin/users/{user.id}")
    page.get_by_role("button", name="Set a one-time password").click()
    assert page.locator(".govuk-panel__title").inner_text() == "One-time password set"
    assert_accessible(page, url=live_server + f"/admin/users/{user.id}/one-time-password")

    page.goto(live_server + "/admin/audit")
    assert_accessible(page, url=live_server + "/admin/audit")
    page.fill("#from-day", "31")
    page.fill("#from-month", "2")
    page.fill("#from-year", "2026")
    page.get_by_role("button", name="Apply filters").click()
    assert "Date from must be a real date" in page.locator(".govuk-error-summary").inner_text()
    assert page.locator("#from-day").input_value() == "31"
    assert_accessible(page)


def test_account_pages_and_refusals(live_server: str, any_page: Page, session: Session) -> None:
    page = any_page
    user = make_user(session, Role.LEAD)
    sign_in(page, live_server, user.email, TEST_PASSWORD)

    page.goto(live_server + "/account/password")
    assert_accessible(page, url=live_server + "/account/password")
    page.fill("#current_password", "wrong password entirely")
    page.fill("#new_password", "password1234")
    page.fill("#confirm_password", "password1234")
    page.get_by_role("button", name="Change password").click()
    errors = page.locator(".govuk-error-summary").inner_text()
    assert "Your current password is incorrect" in errors and "too common" in errors
    assert_accessible(page, url=live_server + "/account/password")

    response = page.goto(live_server + "/admin/users")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "You do not have permission to see this page"
    assert_accessible(page, url=live_server + "/admin/users")


def test_throttled_sign_in_page(live_server: str, any_page: Page, session: Session) -> None:
    page = any_page
    user: User = make_user(session)
    for _ in range(10):
        sign_in(page, live_server, user.email, "wrong password again")
    sign_in(page, live_server, user.email, TEST_PASSWORD)
    assert (
        "You have tried to sign in too many times"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page, url=live_server + "/sign-in")


def test_signing_in_again_in_another_tab_does_not_lose_the_page(
    live_server: str, page: Page, session: Session
) -> None:
    admin = make_user(session, Role.ADMIN)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.goto(live_server + "/admin/users/new")
    page.fill("#name", "Grace Mensah")
    other_tab = page.context.new_page()
    other_tab.goto(live_server + "/account")
    other_tab.get_by_role("button", name="Sign out").click()
    sign_in(other_tab, live_server, admin.email, TEST_PASSWORD)
    close_tab(other_tab)
    page.bring_to_front()

    stay = page.locator(".app-session-timeout__notice").get_by_role("button", name="Stay signed in")
    stay.click()
    banner = page.locator("#page-messages .govuk-notification-banner")
    expect(banner).to_contain_text("You signed in again since this page was loaded")
    assert page.locator("#name").input_value() == "Grace Mensah"
    assert_accessible(page, url=live_server + "/admin/users/new")
    # The page now holds the new session's token, so the retry works.
    before = page.locator(".app-session-timeout__notice").get_attribute("data-now")
    stay.click()
    expect(page.locator(".app-session-timeout__notice")).not_to_have_attribute(
        "data-now", before or ""
    )
    page.get_by_label("Email address").fill("grace.mensah@example.gov.uk")
    page.get_by_label("Approver").check()
    page.get_by_role("button", name="Create user").click()
    assert page.locator(".govuk-panel__title").inner_text() == "User created"
