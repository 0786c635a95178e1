"""What a procurement owes, in a real browser with JavaScript on and off, axe-clean on every
page and error state: the record's obligations by basis, a call-off, a council policy decision,
the KPI duty's exception, and a draft told that the rules were revised."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.models import Assessment, Role
from tests.support.browser import assert_accessible, sign_in
from tests.support.factories import TEST_PASSWORD, make_draft, make_procurement, make_user

NEXT_YEAR = str(date.today().year + 1)


def test_a_call_off_and_what_its_record_owes(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="6,000,000")
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    edit = f"{live_server}/procurements/{record.reference}/edit"
    page.goto(edit)
    page.get_by_label("It calls off from an existing framework").check()
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the name of the framework it calls off from")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the name of the framework").click()
    expect(page.locator("#framework_name")).to_be_focused()
    page.locator("#framework_name").fill("Total Facilities Management")
    page.get_by_role("button", name="Save changes").click()
    owed = page.locator(".app-owed-on-record")
    expect(owed.locator("#owes-social-value-act")).to_contain_text("Does not apply")
    expect(owed.locator("#owes-kpi-duty")).to_contain_text("(a call-off's value is its own)")
    expect(owed.get_by_role("heading", level=3)).to_have_text(["Law", "Council policy"])
    assert_accessible(page)


def test_an_administrator_records_that_a_note_is_not_council_policy(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    admin = make_user(session, Role.ADMIN)
    sign_in(page, live_server, admin.email, TEST_PASSWORD)
    form = f"{live_server}/admin/reference-data/policy_carbon_reduction_plan/new"
    page.goto(form)
    assert_accessible(page, url=form)
    page.locator("#effective_from-day").fill("1")
    page.locator("#effective_from-month").fill("4")
    page.locator("#effective_from-year").fill(NEXT_YEAR)
    page.get_by_label("No, it is not council policy").check()
    page.get_by_role("button", name="Add value").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the decision this records")
    assert_accessible(page)
    page.get_by_label("The decision this records").fill("Cabinet report C-114, 2 March")
    page.get_by_role("button", name="Add value").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Carbon reduction plans (PPN 006): council policy: No added, taking effect on 1 April "
        f"{NEXT_YEAR}"
    )
    assert_accessible(page)


def test_recording_why_no_kpis_are_set(live_server: str, any_page: Page, session: Session) -> None:
    page = any_page
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="6,000,000")
    make_draft(session, record, lead)
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    kpis = f"{live_server}/procurements/{record.reference}/primas/kpis"
    page.goto(kpis)
    page.get_by_text("If performance could not appropriately be assessed by KPIs").click()
    page.get_by_role("button", name="Record the reason").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why performance could not appropriately be assessed by KPIs"
    )
    assert_accessible(page)
    page.get_by_label("Why performance could not appropriately be assessed by KPIs").fill(
        "Each visit is bought and checked separately."
    )
    page.get_by_role("button", name="Record the reason").click()
    expect(page.locator("#s52-recorded")).to_contain_text(
        "Your reason: Each visit is bought and checked separately."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Take this back and set KPIs").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("the KPI duty applies again")
    assert_accessible(page)


def test_a_draft_from_before_the_revision_is_told_its_results_changed(
    live_server: str, page: Page, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="2,400,000")
    draft = make_draft(session, record, lead)
    stored = session.exec(select(Assessment).where(Assessment.id == draft.id)).one()
    stored.context_seen = {k: v for k, v in stored.context_seen.items() if k != "obligation_rules"}
    session.add(stored)
    session.commit()
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    base = f"{live_server}/procurements/{record.reference}/primas"
    page.goto(base)
    expect(page.locator("#rules-revised")).to_contain_text("The rules for what a procurement owes")
    assert_accessible(page, url=base)
    page.get_by_role("button", name="I have read this").click()
    expect(page.locator("#rules-revised")).to_have_count(0)
    page.goto(f"{base}/results")
    expect(page.locator("h3#basis-law")).to_have_text("Law")
    assert_accessible(page, url=f"{base}/results")
