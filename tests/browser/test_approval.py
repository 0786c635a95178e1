"""Approval in a real browser, with JavaScript on and off: the lead submits, an approver returns
it with a comment, the lead sees the comment and submits again, the approver approves, and the
lead opens the signed record and checks its hash. Every page and error state passes axe, and the
approval pages reflow at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlmodel import Session, select

from app.models import ApprovedRecord, Role, User
from tests.support.browser import assert_accessible, sideways_scroll, sign_in
from tests.support.factories import TEST_PASSWORD, complete_draft, make_user


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def _fits_320(page: Page) -> None:
    """The page as it is, at 320 px wide: no sideways scroll; then back to the usual width."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 900})
    assert sideways_scroll(page) <= 0, page.url
    if size:
        page.set_viewport_size(size)


@pytest.mark.postgres
def test_submit_return_resubmit_approve_and_check_the_record(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    record, draft = complete_draft(session, title="Cleaning of council offices")
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    approver = make_user(session, Role.APPROVER, name="Alex Approver")
    base = f"{live_server}/procurements/{record.reference}/primas"
    workforce = draft.definition.task_of("mitigation_actions")

    # The lead submits: first without the declaration, then with it.
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    page.goto(f"{base}/check")
    page.get_by_role("button", name="Submit for approval").click()
    assert (
        "Confirm that the answers are correct" in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)
    page.get_by_label("I confirm the answers are correct to the best of my knowledge").check()
    page.get_by_role("button", name="Submit for approval").click()
    assert (
        "PRIMAS submitted for approval"
        in page.locator(".govuk-notification-banner").first.inner_text()
    )
    assert_accessible(page)
    _fits_320(page)
    _sign_out(page)

    # The approver finds it in the queue and returns it, pointing at a task.
    sign_in(page, live_server, approver.email, TEST_PASSWORD)
    page.get_by_role("link", name="Approvals", exact=True).click()
    assert_accessible(page)
    _fits_320(page)
    page.get_by_role("link", name="Cleaning of council offices").click()
    assert page.locator("h1").inner_text() == "Decide on this PRIMAS"
    assert_accessible(page)
    _fits_320(page)
    page.get_by_label("Return it to the lead officer with comments").check()
    page.get_by_role("button", name="Save decision").click()  # no comment: refused
    assert "Enter a comment" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_role("textbox", name="Comments").fill("Add a mitigation action for agency labour")
    page.get_by_label(workforce.title).check()
    page.get_by_role("button", name="Save decision").click()
    assert (
        "PRIMAS returned to its lead officer"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    _sign_out(page)

    # The lead sees the comment beside the task, and submits again.
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    page.goto(base)
    assert "Returned with comments" in page.locator("main").inner_text()
    assert "The approver's comment: Add a mitigation action" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{base}/tasks/{workforce.id}")
    assert "Add a mitigation action" in page.locator("#approver-comment").inner_text()
    assert_accessible(page)
    page.goto(f"{base}/check")
    page.get_by_label("I confirm the answers are correct to the best of my knowledge").check()
    page.get_by_role("button", name="Submit for approval").click()
    _sign_out(page)

    # The approver approves.
    sign_in(page, live_server, approver.email, TEST_PASSWORD)
    page.goto(f"{base}/decision")
    assert "Add a mitigation action" in page.locator(".app-comment").first.inner_text()
    page.get_by_label("Approve it").check()
    page.get_by_role("button", name="Save decision").click()
    assert "PRIMAS approved" in page.locator(".govuk-notification-banner").inner_text()
    _sign_out(page)

    # The lead opens the signed record and checks it.
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    page.goto(f"{live_server}/procurements/{record.reference}")
    page.get_by_role("link", name="View the signed record").click()
    assert page.locator("h1").inner_text() == "Approved PRIMAS, revision 1"
    (frozen,) = session.exec(select(ApprovedRecord)).all()
    assert page.locator("#record-hash").inner_text() == frozen.sha256
    assert_accessible(page)
    _fits_320(page)
    page.get_by_role("link", name="Check this record").click()
    assert page.locator("#check-result").inner_text() == (
        "This record has not changed since it was approved"
    )
    assert_accessible(page)

    page.goto(f"{base}/revisions/1/specification")
    assert (
        page.locator("h1").inner_text()
        == "Sustainability requirements: Cleaning of council offices"
    )
    assert_accessible(page)

    # Amend it, and compare the amendment with the approved revision.
    page.goto(f"{live_server}/procurements/{record.reference}")
    page.get_by_role("button", name="Amend the PRIMAS").click()
    assert "Amendment started" in page.locator(".govuk-notification-banner").first.inner_text()
    page.goto(f"{base}/compare")
    assert page.locator("h1").inner_text() == "Compare revisions"
    assert "Nothing changed" in page.locator("main").inner_text()
    assert_accessible(page)
    _fits_320(page)
