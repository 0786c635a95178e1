"""The pages issue 16 added, as a person without JavaScript on a 320-pixel phone meets them:
a professional judgement someone else changed while it was being edited, a page of a draft
that has since been discarded, and a form too large to take. Each says what happened, keeps
what was typed where it can, reflows, and passes axe."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.models import Role
from app.services import procurements
from tests.support.auth import signed_in_client
from tests.support.browser import assert_accessible, sideways_scroll, sign_in
from tests.support.factories import TEST_PASSWORD, make_draft, make_procurement, make_user
from tests.support.html import parse
from tests.support.primas import post

# Run again on PostgreSQL (docs/testing.md, the PostgreSQL set).
pytestmark = pytest.mark.postgres

NARROW = {"width": 320, "height": 800}


def test_stale_and_oversized_writes_without_javascript_at_320_pixels(
    app: FastAPI, live_server: str, page_without_js: Page, session: Session
) -> None:
    page = page_without_js
    page.set_viewport_size(NARROW)
    lead = make_user(session, Role.LEAD)
    colleague = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, category="cleaning", value="1,200,000")
    procurements.add_collaborator(session, lead, record, colleague.id)
    make_draft(session, record, lead)
    base = f"/procurements/{record.reference}/primas"
    theirs = signed_in_client(app, session, colleague)
    sign_in(page, live_server, lead.email, TEST_PASSWORD)

    # A judgement the colleague saved while the lead was typing.
    judgement = f"{base}/results/modern-slavery"
    page.goto(live_server + judgement)
    page.get_by_role("group", name="Risk").get_by_label("3: High").check()
    page.get_by_label("Your reason").fill("Agency staff come through an unlicensed gangmaster.")
    seen = parse(theirs.get(judgement)).find("input", {"name": "version"})["value"]
    their_judgement = {"risk": "1", "scope": "computed", "version": seen,
                       "reason": "Their audit found nothing."}  # fmt: skip
    assert post(theirs, judgement, their_judgement).status_code == 303
    with page.expect_navigation():
        page.get_by_role("button", name="Save your judgement").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Someone else changed this judgement while you were editing it")
    expect(banner).to_contain_text("Their reason: Their audit found nothing.")
    expect(page.get_by_label("Your reason")).to_have_value(
        "Agency staff come through an unlicensed gangmaster."
    )
    assert sideways_scroll(page) <= 0
    assert_accessible(page)

    # A task page left open while the draft was discarded and a new one started.
    page.goto(f"{live_server}{base}/tasks/workforce")
    lead_elsewhere = signed_in_client(app, session, lead)
    assert post(lead_elsewhere, f"{base}/discard", {}).status_code == 303
    assert post(lead_elsewhere, f"{base}/start", {}).status_code == 303
    page.get_by_label("About how many people will work on the contract at any one time?").fill("40")
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("discarded")
    assert sideways_scroll(page) <= 0
    assert_accessible(page)

    # A description far longer than a form can take (more than the 1 MB body limit).
    page.goto(f"{live_server}/procurements/{record.reference}/edit")
    page.get_by_label("Description").fill("Cleaning. " * 110_000)
    with page.expect_navigation():
        page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What you sent is too large")
    expect(page.locator("main")).to_contain_text("Nothing was saved")
    assert sideways_scroll(page) <= 0
    assert_accessible(page)
