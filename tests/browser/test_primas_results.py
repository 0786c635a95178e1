"""PRIMAS results in a real browser: the summary beside the questions updates as answers are
saved (htmx), every score opens to its explanation, and professional judgement works, with
JavaScript on and off, axe-clean on every page and error state."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.models import Role
from tests.support.browser import assert_accessible, sign_in
from tests.support.factories import TEST_PASSWORD, make_draft, make_procurement, make_user

AGENCY = "Is the supplier likely to use agency or temporary workers on the contract?"


def open_cleaning_draft(live_server: str, page: Page, session: Session) -> str:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, category="cleaning", value="1,200,000")
    make_draft(session, procurement, lead)
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    return f"{live_server}/procurements/{procurement.reference}/primas"


def slavery_priority(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#results-summary tr", has_text="Modern slavery and human rights").locator(
        "td"
    )


def test_the_summary_updates_as_answers_are_saved(
    live_server: str, page: Page, session: Session
) -> None:
    base = open_cleaning_draft(live_server, page, session)
    page.goto(f"{base}/tasks/workforce")
    expect(slavery_priority(page)).to_have_text("Low")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.get_by_role("group", name=AGENCY).get_by_label("Yes").check()
    expect(slavery_priority(page)).to_have_text("Medium")
    expect(page.locator("#results-summary")).to_contain_text(
        "Modern slavery due diligence: high risk"
    )
    assert navigations == []
    assert_accessible(page, url=f"{base}/tasks/workforce")


def judge_modern_slavery(page: Page, base: str) -> None:
    page.goto(f"{base}/results")
    row = page.locator("#topic-modern-slavery")
    row.get_by_text("How this was worked out").click()
    expect(row.locator(".app-explanation")).to_be_visible()
    expect(row.locator(".app-explanation")).to_contain_text(
        'Category "Cleaning services" is a high-risk industry for modern slavery'
    )
    assert_accessible(page, url=f"{base}/results")
    row.get_by_role("link", name="Use your professional judgement").click()
    page.get_by_role("group", name="Risk").get_by_label("3: High").check()
    page.get_by_role("button", name="Save your judgement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the reason for your judgement"
    )
    assert_accessible(page, url=f"{base}/results/modern-slavery")
    expect(page.get_by_role("group", name="Risk").get_by_label("3: High")).to_be_checked()
    page.get_by_label("Your reason").fill("Agency staff come through an unlicensed gangmaster.")
    page.get_by_role("button", name="Save your judgement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your professional judgement has been saved."
    )
    expect(page.locator("#topic-modern-slavery td").first).to_contain_text("changed by an officer")
    assert_accessible(page, url=f"{base}/results#topic-modern-slavery")


def test_explanations_and_judgement_with_javascript(
    live_server: str, page: Page, session: Session
) -> None:
    base = open_cleaning_draft(live_server, page, session)
    judge_modern_slavery(page, base)


def test_results_and_judgement_without_javascript(
    live_server: str, page_without_js: Page, session: Session
) -> None:
    page = page_without_js
    base = open_cleaning_draft(live_server, page, session)
    page.goto(f"{base}/tasks/workforce")
    expect(slavery_priority(page)).to_have_text("Low")
    page.get_by_role("group", name=AGENCY).get_by_label("Yes").check()
    page.get_by_role("button", name="Save and come back later").click()
    page.goto(f"{base}/tasks/workforce")
    expect(slavery_priority(page)).to_have_text("Medium")
    assert_accessible(page, url=f"{base}/tasks/workforce")
    judge_modern_slavery(page, base)
