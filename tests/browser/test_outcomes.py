"""Outcomes in a real browser (issue 21), with JavaScript on and off: a lead officer goes from
the procurement to a KPI, is told what is wrong with a report, reports the quarter, sees it
rated and charted (the chart an image the page's CSP lets through, its table beside it),
confirms a different rating with a reason; every page and error state passes axe, and the
KPI's page reflows at 320 px. CSP violations and failed requests fail the test (conftest)."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page
from sqlmodel import Session

from tests.support.browser import assert_accessible, sideways_scroll, sign_in
from tests.support.factories import TEST_PASSWORD
from tests.support.outcomes import approved_contract


def test_a_lead_reports_an_outcome_and_sees_it_rated_and_charted(
    live_server: str, any_page: Page, session: Session
) -> None:
    page = any_page
    contract = approved_contract(session, starts=date(2025, 1, 1))
    sign_in(page, live_server, contract.lead.email, TEST_PASSWORD)
    page.goto(f"{live_server}/procurements/{contract.procurement.reference}")
    page.get_by_role("link", name="the outcomes against its KPIs").click()
    assert_accessible(page)
    assert "reports are overdue" in page.locator("#overdue-count").inner_text()
    page.get_by_role("link", name="Waste kept out of landfill and incineration").click()
    assert_accessible(page)
    page.get_by_role("button", name="Report an outcome").click()
    assert_accessible(page)
    # The first quarter is filled in; a figure that is not a number is explained.
    page.get_by_label("Figure delivered").fill("lots")
    page.get_by_role("button", name="Save report").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter the actual figure as a number" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Figure delivered").fill("56")
    page.get_by_label("Commentary (optional)").fill("One depot closed for a month.")
    page.get_by_role("button", name="Save report").click()
    assert "Your report has been saved." in page.locator(".govuk-notification-banner").inner_text()
    report = page.locator("section.app-outcome-report")
    assert "Requires improvement (suggested" in report.inner_text()
    chart = page.locator("img.app-chart__image")
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    assert "Line chart of Waste kept out of landfill" in (chart.get_attribute("alt") or "")
    assert "Requires improvement" in page.locator("table[id^=figures-]").inner_text()
    assert_accessible(page)
    report.get_by_role("link", name="Confirm or change the rating").click()
    page.get_by_label("Inadequate").check()
    page.get_by_role("button", name="Save rating").click()
    assert "Say why the rating differs" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Reason").fill("The closure was not agreed with us.")
    page.get_by_role("button", name="Save rating").click()
    assert "Inadequate (confirmed" in page.locator("section.app-outcome-report").inner_text()
    # A correction needs its reason; then both versions are shown.
    page.locator("section.app-outcome-report").get_by_role(
        "link", name="Correct this report").click()  # fmt: skip
    assert_accessible(page)
    page.get_by_label("Figure delivered").fill("58")
    page.get_by_role("button", name="Save correction").click()
    assert "Say why the report is being corrected" in page.locator(
        ".govuk-error-summary").inner_text()  # fmt: skip
    assert_accessible(page)
    page.get_by_label("Why is it being corrected?").fill("The depot's figures came late.")
    page.get_by_role("button", name="Save correction").click()
    versions = page.locator("section.app-outcome-report table").inner_text()
    assert "2 (in force)" in versions and "The depot's figures came late." in versions
    assert_accessible(page)


def test_the_kpi_page_reflows_at_320_pixels(live_server: str, page: Page, session: Session) -> None:
    contract = approved_contract(session, starts=date(2025, 1, 1))
    waste = contract.kpis["waste-diverted"]
    sign_in(page, live_server, contract.lead.email, TEST_PASSWORD)
    base = f"{live_server}/procurements/{contract.procurement.reference}/outcomes"
    page.goto(f"{base}/{waste.id}/report")
    page.get_by_label("Figure delivered").fill("70")
    page.get_by_role("button", name="Save report").click()
    page.set_viewport_size({"width": 320, "height": 900})
    report = page.locator("section.app-outcome-report").get_attribute("id") or ""
    number = report.removeprefix("report-")
    for path in (
        "",
        f"/{waste.id}",
        f"/{waste.id}/report",
        f"/{waste.id}/reports/{number}/correct",
        f"/{waste.id}/reports/{number}/rating",
    ):
        page.goto(base + path)
        assert sideways_scroll(page) == 0, path
        assert_accessible(page)
    width = page.goto(f"{base}/{waste.id}") and page.locator("img.app-chart__image").evaluate(
        "image => image.getBoundingClientRect().width")  # fmt: skip
    assert 0 < width <= 320
