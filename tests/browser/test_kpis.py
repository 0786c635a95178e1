"""The KPI task of a PRIMAS draft in a real browser, with JavaScript on (decisions saved through
htmx, each KPI's card redrawn in place, the library searched as you type) and off (forms post
and the page comes back, with the GOV.UK error summary when something is wrong): accept, change
a target, reject a required KPI, add from the library, write your own, then the specification to
print and the Word document built from what was chosen. Axe-clean on every page and error
state, with no Content Security Policy violations and no console errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from playwright.sync_api import ConsoleMessage, Error, Locator, Page, expect
from sqlmodel import Session, select

from app.models import KpiSelection
from tests.support.browser import PageWatch, assert_accessible, sign_in
from tests.support.factories import TEST_PASSWORD
from tests.support.primas import autosave, lead_with_draft, post

# With agency workers and low-paid roles, a £2.4m cleaning contract gets two required KPIs (the
# London Living Wage and, as its modern slavery risk is then high, supply-chain due diligence)
# and optional ones, secure contracts among them as low pay makes them fit.
REQUIRED = ("llw-staff-share", "Contract staff paid at least the London Living Wage")
TRAINING = ("modern-slavery-training", "Staff trained to spot and report modern slavery")
SECURE = ("secure-contracts", "Staff on secure contracts")
LIBRARY = ("apprenticeship-weeks", "Weeks of apprenticeships and training")
OWN = {
    "title": "Cleaning checks passed at first inspection",
    "unit": "% of checks",
    "target": "92",
    "frequency": "Every quarter",
    "evidence": "Monthly inspection records signed by the building manager",
}
# The schedule: library KPIs in the task's order (suggestions by rank, then added), then own.
SCHEDULE = [SECURE[1], TRAINING[1], LIBRARY[1], OWN["title"]]
REJECTION = "The cleaners are council employees, already paid the London Living Wage."
TARGET_ERROR = "The target must be a number in % of the workforce, like 25"
REASON_ERROR = "Enter why you are rejecting this KPI: an obligation requires it"
MARKER = "window.__kpiJourney"
# Chromium logs every response of 400 or more as a console error; the 422 replies to forms with
# a mistake are the app's answer on purpose, so only those are let through.
EXPECTED_CONSOLE = "the server responded with a status of 422"


def _card(page: Page, code: str) -> Locator:
    return page.locator(f"#kpi-{code}")


def _status(page: Page, code: str) -> Locator:
    return _card(page, code).locator(".govuk-summary-card__title-wrapper .govuk-tag").first


def _press(page: Page, button: Locator, code: str, *, javascript: bool) -> None:
    """Press a KPI card's button and wait for the answer: htmx's swap, or the new page."""
    if not javascript:
        with page.expect_navigation():
            button.click()
        return
    with page.expect_response(
        lambda response: (
            response.request.method == "POST" and response.url.endswith(f"/kpis/{code}")
        )
    ):
        button.click()
    # A locator, not wait_for_function: its predicate is compiled in the page, which the
    # Content Security Policy (no unsafe-eval) refuses whenever it has to poll.
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)


def _still_the_same_page(page: Page, url: str) -> None:
    """JavaScript on: the decision was swapped in by htmx, not a page load."""
    assert page.url == url, f"navigated to {page.url}"
    assert page.evaluate(MARKER) == "kept", "the page was reloaded"


def _error_shown(
    page: Page, code: str, field: str, message: str, url: str, *, javascript: bool
) -> None:
    """The error on a KPI's card: in the card itself (htmx) with focus on the field at fault,
    or in the GOV.UK error summary at the top of the page, linking to the field."""
    field_id = f"{field}-{code}"
    expect(page.locator(f"#{field_id}-error")).to_contain_text(message)
    expect(_card(page, code).locator(f"#{field_id}-error")).to_have_count(1)
    if javascript:
        _still_the_same_page(page, url)
        expect(page.locator(".govuk-error-summary")).to_have_count(0)
        expect(page.locator(f"#{field_id}")).to_be_focused()
        expect(page.locator("#kpi-announce")).to_contain_text(message)
        assert_accessible(page, url=url)
    else:
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("There is a problem")
        link = summary.get_by_role("link", name=message)
        expect(link).to_have_attribute("href", f"#{field_id}")
        assert page.title().startswith("Error: ")
        assert_accessible(page, url=f"{url}/{code}")


@pytest.mark.parametrize(
    "page_fixture", ["page_watch", "page_without_js_watch"], ids=["javascript", "no-javascript"]
)
@pytest.mark.postgres
def test_choosing_kpis_and_downloading_the_specification(
    page_fixture: str,
    request: pytest.FixtureRequest,
    live_server: str,
    session: Session,
    tmp_path: Path,
) -> None:
    page, watch = request.getfixturevalue(page_fixture)
    assert isinstance(page, Page) and isinstance(watch, PageWatch)
    javascript = watch.javascript
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and EXPECTED_CONSOLE not in message.text:
            console_errors.append(message.text)

    def on_page_error(error: Error) -> None:
        console_errors.append(f"uncaught: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)

    client, lead, base_path = lead_with_draft(request.getfixturevalue("app"), session)
    for question in ("agency_labour", "low_paid_roles"):
        reply = autosave(client, base_path, question, {question: "yes", f"rev-{question}": "0"})
        assert reply.status_code == 200
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    base = live_server + base_path
    kpis = f"{base}/kpis"

    # The task list leads to the KPI task.
    page.goto(base)
    with page.expect_navigation():
        page.get_by_role("link", name="Choose the KPIs").click()
    assert page.url == kpis
    assert (page.locator("body.js-enabled").count() == 1) is javascript
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose the KPIs")
    expect(_card(page, REQUIRED[0]).locator(".govuk-tag--purple")).to_have_text("Required")
    for code, _ in (TRAINING, SECURE):
        expect(_card(page, code).locator(".govuk-tag--purple")).to_have_count(0)
    expect(page.locator("#kpi-count")).to_have_text("You have accepted 0 KPIs.")
    assert_accessible(page, url=kpis)
    if javascript:
        page.evaluate(f"{MARKER} = 'kept'")

    # Accept a KPI with its suggested target.
    code, title = TRAINING
    _press(
        page,
        _card(page, code).get_by_role("button", name=f"Accept for {title}"),
        code,
        javascript=javascript,
    )
    expect(_status(page, code)).to_have_text("Accepted")
    expect(page.locator("#kpi-count")).to_have_text("You have accepted 1 KPI.")
    if javascript:
        _still_the_same_page(page, kpis)
        expect(page.locator("#kpi-announce")).to_contain_text(f"{title}: accepted.")
        expect(page.locator(f"#kpi-{code}-title")).to_be_focused()
    else:
        assert page.url == f"{kpis}#kpi-{code}"

    # A target that is not a number, then one that is.
    code, title = SECURE
    target = page.locator(f"#target-{code}")
    expect(target).to_have_value("90")
    target.fill("abc")
    _press(
        page,
        _card(page, code).get_by_role("button", name=f"Accept for {title}"),
        code,
        javascript=javascript,
    )
    _error_shown(page, code, "target", TARGET_ERROR, kpis, javascript=javascript)
    expect(page.locator(f"#target-{code}")).to_have_value("abc")
    expect(_status(page, code)).to_have_text("Not decided")
    page.locator(f"#target-{code}").fill("95")
    _press(
        page,
        _card(page, code).get_by_role("button", name=f"Accept for {title}"),
        code,
        javascript=javascript,
    )
    expect(_status(page, code)).to_have_text("Accepted, target changed")
    accepted_target = _card(page, code).locator(
        ".govuk-summary-list__row", has_text="Accepted target"
    )
    expect(accepted_target).to_contain_text("95 (% of the workforce)")
    expect(page.locator(f"#target-{code}")).to_have_value("95")
    expect(page.locator("#kpi-count")).to_have_text("You have accepted 2 KPIs.")
    if javascript:
        _still_the_same_page(page, kpis)

    # Rejecting a required KPI needs a reason.
    code, title = REQUIRED
    card = _card(page, code)
    card.get_by_text("Reject this KPI").click()
    _press(
        page,
        card.get_by_role("button", name=f"Reject {title}", exact=True),
        code,
        javascript=javascript,
    )
    _error_shown(page, code, "reason", REASON_ERROR, kpis, javascript=javascript)
    expect(_card(page, code).locator("details")).to_have_attribute("open", "")
    expect(_status(page, code)).to_have_text("Not decided")
    page.locator(f"#reason-{code}").fill(REJECTION)
    _press(
        page,
        _card(page, code).get_by_role("button", name=f"Reject {title}", exact=True),
        code,
        javascript=javascript,
    )
    expect(_status(page, code)).to_have_text("Rejected")
    expect(
        _card(page, code).locator(".govuk-summary-list__row", has_text="Reason for rejecting")
    ).to_contain_text(REJECTION)
    expect(page.locator("#kpi-count")).to_have_text("You have accepted 2 KPIs.")
    if javascript:
        _still_the_same_page(page, kpis)
    else:
        assert page.url == f"{kpis}#kpi-{code}"
    assert_accessible(page)

    # Add a KPI from the library, found by searching.
    with page.expect_navigation():
        page.get_by_role("button", name="Add a KPI from the library").click()
    library = f"{kpis}/library"
    assert page.url == library
    expect(page.locator("#kpi-results-count")).to_contain_text("All ")
    assert_accessible(page, url=library)
    search_box = page.get_by_label("Search the library")
    if javascript:
        page.evaluate(f"{MARKER} = 'kept'")
        search_box.press_sequentially("apprentic", delay=30)
    else:
        search_box.fill("apprentic")
        with page.expect_navigation():
            page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#kpi-results-count")).to_have_text("1 KPI found for “apprentic”")
    results = page.locator("#kpi-results section")
    expect(results).to_have_count(1)
    code, title = LIBRARY
    expect(page.locator(f"#library-{code}-title")).to_have_text(title)
    expect(page).to_have_url(f"{library}?q=apprentic")  # htmx pushes the search to the history
    if javascript:
        assert page.evaluate(MARKER) == "kept", "the search reloaded the page"
    assert_accessible(page, url=f"{library}?q=apprentic")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Add “{title}” to your list", exact=True).click()
    assert page.url == f"{kpis}#kpi-{code}"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The KPI has been added to your list."
    )
    added = page.locator("#own-kpis ~ section.app-kpi")
    expect(added).to_have_count(1)
    expect(added.first).to_have_id(f"kpi-{code}")
    expect(_status(page, code)).to_have_text("Accepted")
    expect(page.locator("#kpi-count")).to_have_text("You have accepted 3 KPIs.")
    assert_accessible(page)

    # Write a KPI of your own: first with nothing filled in.
    with page.expect_navigation():
        page.get_by_role("button", name="Write your own KPI").click()
    own = f"{kpis}/own"
    assert page.url == own
    assert_accessible(page, url=own)
    with page.expect_navigation():
        page.get_by_role("button", name="Save KPI").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    for message, anchor in (
        ("Enter the KPI's title", "#title"),
        ("Enter the evidence the supplier must give", "#evidence"),
        ("Select how often the supplier reports", "#frequency"),
    ):
        expect(summary.get_by_role("link", name=message)).to_have_attribute("href", anchor)
    if javascript:  # GOV.UK Frontend moves focus to the summary
        expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_accessible(page, url=own)
    page.get_by_label("Title", exact=True).fill(OWN["title"])
    page.get_by_label("Unit", exact=True).fill(OWN["unit"])
    page.get_by_label("Target", exact=True).fill(OWN["target"])
    page.get_by_role("group", name="How often does the supplier report?").get_by_label(
        OWN["frequency"]
    ).check()
    page.get_by_label("Evidence", exact=True).fill(OWN["evidence"])
    with page.expect_navigation():
        page.get_by_role("button", name="Save KPI").click()
    assert page.url == f"{kpis}#own-kpis"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your KPI has been saved."
    )
    own_card = page.locator("section.app-kpi", has_text=OWN["title"])
    expect(own_card).to_have_count(1)
    expect(own_card).to_contain_text("Your own KPI")
    expect(own_card).to_contain_text("92 (% of checks)")
    expect(own_card).to_contain_text(OWN["evidence"])
    expect(page.locator("#kpi-count")).to_have_text("You have accepted 4 KPIs.")
    assert_accessible(page)

    # The specification to print: what was accepted, as accepted.
    with page.expect_navigation():
        page.get_by_role("link", name="View the specification to print").click()
    specification = f"{kpis}/specification"
    assert page.url == specification
    assert_accessible(page, url=specification)
    main = page.locator("main")
    schedule = page.locator("table", has=page.locator("caption", has_text="KPI schedule"))
    rows = schedule.locator("tbody tr")
    expect(rows.locator("th")).to_have_text(SCHEDULE)
    expect(rows.nth(0).locator("td").nth(1)).to_have_text("95")
    expect(rows.nth(3).locator("td")).to_have_text(
        [OWN["unit"], OWN["target"], OWN["frequency"], OWN["evidence"]]
    )
    expect(main).to_contain_text(OWN["title"])
    expect(main).to_contain_text("95% of the workforce")  # the edited target, in its clause
    expect(main).not_to_contain_text(REQUIRED[1])

    # The same as a Word document, for the tender pack.
    with page.expect_navigation():
        page.get_by_role("link", name="Back to choosing the KPIs").click()
    assert page.url == kpis
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download the specification (Word document)").click()
    download = downloading.value
    assert download.failure() is None
    assert download.suggested_filename.endswith("-sustainability-specification.docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = docx.Document(str(saved))
    headings = [
        paragraph.text
        for paragraph in document.paragraphs
        if paragraph.style is not None and paragraph.style.name == "Heading 1"
    ]
    assert headings == [
        "About the contract",
        "What the supplier must do",
        "Key performance indicators",
        "KPI schedule",
    ]
    texts = [p.text for p in document.paragraphs]
    assert texts.index("KPI schedule") == len(texts) - 1, "the schedule table is not last"
    table = document.tables[-1]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == ["KPI", "Unit", "Target", "Reported", "Evidence"]
    assert [row[0] for row in cells[1:]] == SCHEDULE
    assert cells[1][2] == "95"
    assert cells[4] == [OWN["title"], OWN["unit"], OWN["target"], OWN["frequency"], OWN["evidence"]]
    everything = "\n".join(texts + [text for row in cells for text in row])
    assert REQUIRED[1] not in everything
    assert "95% of the workforce" in everything  # the edited target, in the KPI's clause

    # Take the KPI added from the library off the list again.
    added_code = LIBRARY[0]
    with page.expect_navigation():
        _card(page, added_code).get_by_role("button", name=re.compile("^Remove")).click()
    assert page.url == f"{kpis}#own-kpis"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The KPI has been taken off your list."
    )
    expect(page.locator(f"#kpi-{added_code}")).to_have_count(0)
    expect(page.locator("#kpi-count")).to_have_text("You have accepted 3 KPIs.")
    assert_accessible(page)

    if javascript:
        assert page.evaluate("document.body.classList.contains('js-enabled')")
    assert not watch.violations(page), watch.violations(page)
    assert not watch.failed_responses, watch.failed_responses
    assert not console_errors, "console errors:\n" + "\n".join(console_errors)


def test_confirming_a_target_and_a_withdrawn_kpi(
    request: pytest.FixtureRequest, live_server: str, any_page: Page, session: Session
) -> None:
    """An edited target whose suggestion has changed is put back to the lead, who confirms it
    by saving it again; a KPI withdrawn from the library after it was accepted is listed with
    the reason. Axe-clean in each state."""
    page = any_page
    client, lead, base_path = lead_with_draft(request.getfixturevalue("app"), session)
    for question, answer in {"new_jobs": "many", "apprenticeships": "yes"}.items():
        autosave(client, base_path, question, {question: answer, f"rev-{question}": "0"})
    code, title = LIBRARY
    form = {"action": "accept", "target": "150", "reason": "", "revision": "0"}
    assert post(client, f"{base_path}/kpis/{code}", form).status_code == 303
    autosave(client, base_path, "training_weeks",
             {"training_weeks": "200", "rev-training_weeks": "0"})  # fmt: skip
    assessment_id = session.exec(select(KpiSelection)).one().assessment_id
    session.add(KpiSelection(assessment_id=assessment_id, kpi_code="performance-rated",
                             status="accepted", updated_by_id=lead.id,
                             updated_at=datetime.now(UTC)))  # fmt: skip
    session.commit()

    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    kpis = f"{live_server}{base_path}/kpis"
    page.goto(kpis)
    warning = page.locator(f"#kpi-{code}-confirm")
    expect(warning).to_contain_text("The suggested target has changed to 200 since you set yours")
    expect(page.locator("#kpi-progress")).to_contain_text(f"Confirm your target for “{title}”")
    expect(page.locator("#withdrawn-performance-rated")).to_contain_text(
        "Contract performance rated against its KPIs: withdrawn"
    )
    assert_accessible(page, url=kpis)
    javascript = page.locator("body.js-enabled").count() == 1
    _press(
        page,
        _card(page, code).get_by_role("button", name=f"Save the target for {title}"),
        code,
        javascript=javascript,
    )
    expect(warning).to_have_count(0)
    expect(page.locator("#kpi-progress")).not_to_contain_text("Confirm your target")
    expect(_card(page, code).locator(f"#target-{code}")).to_have_value("150")
    assert_accessible(page)

    results = f"{live_server}{base_path}/results"
    page.goto(results)
    expect(page.locator("#focus li")).to_have_count(3)
    assert_accessible(page, url=results)
