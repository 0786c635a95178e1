"""Email in a real browser, with JavaScript on and off, every page and error state checked
with axe: a person turns reminder emails off, and an administrator sends a failed email again."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlmodel import Session, col, select

from app.models import OutboxMessage, Role
from app.services import outbox
from tests.support.browser import assert_accessible, sign_in
from tests.support.factories import TEST_PASSWORD, make_user


def test_an_approver_turns_reminder_emails_off(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    approver = make_user(session, Role.APPROVER, name="Grace Mensah")
    sign_in(page, live_server, approver.email, TEST_PASSWORD)
    page.goto(live_server + "/account")
    page.get_by_role("link", name="Change reminder emails").click()
    assert page.url == live_server + "/account/reminders"
    assert_accessible(page)
    page.get_by_label("No, do not remind me").check()
    page.get_by_role("button", name="Save").click()
    assert page.url == live_server + "/account"
    assert "Reminder emails are now off" in page.locator(".govuk-notification-banner").inner_text()
    assert "Off" in page.locator(".govuk-summary-list").inner_text()
    assert_accessible(page)
    session.refresh(approver)
    assert approver.mail_reminders is False


def test_a_reminder_choice_left_empty_is_explained(
    live_server: str, page: Page, session: Session
) -> None:
    """Its radios always start with the current choice, so only a changed page sends none."""
    approver = make_user(session, Role.APPROVER)
    sign_in(page, live_server, approver.email, TEST_PASSWORD)
    page.goto(live_server + "/account/reminders")
    page.evaluate(
        "document.querySelectorAll('input[name=reminders]').forEach(r => r.checked = false)"
    )
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert "Select yes if you want reminder emails" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)


def test_an_administrator_sends_a_failed_email_again(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    admin = make_user(session, Role.ADMIN)
    outbox.enqueue(session, "primas.approved", ["alexandra.featherstonehaugh@example.gov.uk"],
                   {"reference": "PRC-2026-0042", "title": "Grounds maintenance", "revision": 2,
                    "by": "Grace Mensah", "page": "record", "comment": ""})  # fmt: skip
    session.commit()
    failed = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc())).first()
    assert failed is not None
    failed.status, failed.attempts = "failed", 8
    failed.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
    session.add(failed)
    session.commit()

    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    page.goto(live_server + "/")
    assert_accessible(page)  # the home page says so
    page.get_by_role("link", name="1 email could not be sent").click()
    assert page.url == live_server + "/admin/email?status=failed"
    page.get_by_role("link", name="All (1)").click()
    assert_accessible(page)
    page.get_by_role("link", name="Failed (1)").click()
    assert "Connection unexpectedly closed" in page.locator("tbody").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Send again").click()
    assert "The email will be sent again" in page.locator(".govuk-notification-banner").inner_text()
    assert "No emails failed." in page.locator("tbody").inner_text()
    assert_accessible(page)
    session.refresh(failed)
    assert failed.status == "queued"
