"""Recording and finding procurements in a real browser, with JavaScript on and off."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page
from sqlmodel import Session

from app.models import Role
from app.services.demo import DEMO_USERS, load_demo_users
from tests.support.browser import assert_accessible, sign_in
from tests.support.factories import (
    TEST_PASSWORD,
    copy_procurement_in_bulk,
    make_procurement,
    make_user,
)

NEXT_YEAR = str(date.today().year + 1)


@pytest.mark.postgres
def test_the_demo_lead_records_finds_and_edits_a_procurement(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    load_demo_users(session)
    lead = next(user for user in DEMO_USERS if user.email == "lead@primas.example")
    sign_in(page, live_server, lead.email, lead.password)
    page.get_by_role("link", name="Procurements", exact=True).click()
    assert_accessible(page, url=live_server + "/procurements")
    page.get_by_role("button", name="Record a procurement").click()
    assert_accessible(page, url=live_server + "/procurements/new")

    # A first go with mistakes.
    page.get_by_label("Title").fill("Cleaning of council offices and libraries")
    page.get_by_label("Estimated whole-life value").fill("2.4 million")
    page.get_by_label("Contract term").fill("36")
    page.get_by_role("button", name="Record procurement").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter a description of what is being bought" in summary.inner_text()
    assert "Enter the whole-life value in pounds" in summary.inner_text()
    assert page.get_by_label("Title").input_value() == "Cleaning of council offices and libraries"
    assert page.get_by_label("Estimated whole-life value").input_value() == "2.4 million"
    assert_accessible(page, url=live_server + "/procurements/new")

    # Put them right.
    page.get_by_label("Description").fill("Daily cleaning of the town hall and eight libraries.")
    page.get_by_label("Directorate").select_option(label="Finance and Corporate Resources")
    page.get_by_label("Category of spend").select_option(label="Cleaning services")
    page.get_by_label("Services").check()
    page.locator("#light_touch-2").check()  # No
    page.locator("#framework-2").check()  # No
    page.get_by_label("Estimated whole-life value").fill("2,400,000")
    page.get_by_label("Optional extensions (optional)").fill("24")
    page.locator("#tender-day").fill("1")
    page.locator("#tender-month").fill("3")
    page.locator("#tender-year").fill(NEXT_YEAR)
    page.locator("#start-day").fill("1")
    page.locator("#start-month").fill("7")
    page.locator("#start-year").fill(NEXT_YEAR)
    page.get_by_label("In the borough").check()
    page.get_by_role("button", name="Record procurement").click()

    assert page.locator("h1").inner_text() == "Cleaning of council offices and libraries"
    assert page.locator(".app-owes .govuk-tag").inner_text() == "PRIMAS required"
    assert (
        "£2,400,000 is at or above the PRIMAS threshold of £100,000"
        in page.locator("#owes-reason").inner_text()
    )
    reference = page.locator(".govuk-caption-l").inner_text()
    assert_accessible(page)

    # Find it again by search.
    page.get_by_role("link", name="Procurements", exact=True).click()
    page.get_by_label("Search").fill("eight libraries")
    page.get_by_role("button", name="Apply").click()
    assert (
        page.url
        == live_server
        + "/procurements?q=eight+libraries&status=active&category=&directorate=&lead=&band=&primas="
    )
    assert page.locator("caption").inner_text() == "1 procurement"
    assert_accessible(page)
    page.get_by_role("link", name="Cleaning of council offices and libraries").click()

    # Edit it.
    page.get_by_role("button", name="Change details").click()
    assert_accessible(page, url=f"{live_server}/procurements/{reference}/edit")
    page.get_by_label("Estimated whole-life value").fill("2,600,000")
    page.get_by_role("button", name="Save changes").click()
    assert "Your changes have been saved" in page.locator(".govuk-notification-banner").inner_text()
    assert "£2,600,000 is at or above" in page.locator("#owes-reason").inner_text()
    history = page.locator("main").inner_text()
    assert "Whole-life value changed from £2,400,000 to £2,600,000" in history
    assert_accessible(page, url=f"{live_server}/procurements/{reference}")


def test_other_procurement_pages_and_their_error_states(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    lead = make_user(session, Role.LEAD, name="Priya Shah")
    make_user(session, Role.LEAD, name="Tom Okafor")
    approver = make_user(session, Role.APPROVER)
    procurement = make_procurement(session, lead, value="99,999.99")
    base = f"{live_server}/procurements/{procurement.reference}"

    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    page.goto(base)
    assert page.locator(".app-owes .govuk-tag").inner_text() == "Think Local"
    page.get_by_role("button", name="Add collaborator").click()
    assert "Select a colleague" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, url=base + "/collaborators")
    page.get_by_label("Add a collaborator").select_option(label="Tom Okafor")
    page.get_by_role("button", name="Add collaborator").click()
    assert "Collaborator added" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Withdraw this procurement").click()
    assert_accessible(page, url=base + "/withdraw")
    page.get_by_role("button", name="Withdraw procurement").click()
    assert "Enter why" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, url=base + "/withdraw")

    page.goto(live_server + "/procurements/PRC-1999-9999")
    assert page.locator("h1").inner_text() == "Page not found"
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, approver.email, TEST_PASSWORD)
    page.goto(base)
    page.get_by_role("link", name="Change lead officer").click()
    assert_accessible(page, url=base + "/lead-officer")
    page.get_by_label("Tom Okafor").check()
    page.get_by_role("button", name="Save lead officer").click()
    assert "Lead officer changed" in page.locator(".govuk-notification-banner").inner_text()
    response = page.goto(base + "/edit")
    assert response is not None and response.status == 403
    assert_accessible(page, url=base + "/edit")

    # A search matching more than it lists says so.
    copy_procurement_in_bulk(session, procurement, [f"Grounds {n}" for n in range(1_001)])
    page.goto(live_server + "/procurements?q=grounds")
    assert page.locator("caption").inner_text() == (
        "More than 1,000 procurements match, page 1 of 40"
    )
    assert "Add words or filters" in page.locator(".govuk-inset-text").inner_text()
    assert_accessible(page)
