"""The PRIMAS questionnaire in a real browser: saved as you go, and completed with the keyboard
alone, with JavaScript on (saves through htmx, no page navigation) and off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, delete, select

from app.models import AssessmentAnswer, Role, UserSession
from tests.support.browser import assert_accessible, close_tab, sign_in
from tests.support.factories import TEST_PASSWORD, make_draft, make_procurement, make_user

# Answers typed into each kind of text box; choices take their first option.
TYPED = {
    "number": "5",
    "money": "1000",
    "percentage": "10",
    "short_text": "Example",
    "long_text": "Example",
}


def open_draft(
    live_server: str, page: Page, session: Session, category: str = "professional-services"
) -> str:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, category=category, value="450,000")
    make_draft(session, procurement, lead, version=3)  # the version a new draft is started on
    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    return f"{live_server}/procurements/{procurement.reference}/primas"


def test_an_answer_is_saved_without_continuing(
    live_server: str, page: Page, session: Session
) -> None:
    base = open_draft(live_server, page, session)
    page.goto(f"{base}/tasks/workforce")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.get_by_label("About how many people will work on the contract at any one time?").fill("40")
    expect(page.locator("#status-workforce_size")).to_have_text("Saved")
    expect(page.locator("#task-announce")).to_have_text("Saved.")
    assert navigations == []  # saved through htmx, not by a page load
    close_tab(page)
    reopened = page.context.new_page()
    reopened.goto(f"{base}/tasks/workforce")
    assert (
        reopened.get_by_label(
            "About how many people will work on the contract at any one time?"
        ).input_value()
        == "40"
    )


def test_follow_ups_appear_and_go_without_a_reload(
    live_server: str, page: Page, session: Session
) -> None:
    base = open_draft(live_server, page, session)
    page.goto(f"{base}/tasks/goods-and-sourcing")
    sourced = page.get_by_role(
        "group", name="Where are the main goods or materials made or sourced?"
    )
    expect(sourced).to_have_count(0)
    announce = page.locator("#task-announce")
    page.locator("#supplies_goods").check()
    expect(sourced).to_be_visible()
    expect(page.locator("#supplies_goods")).to_be_focused()
    # The page's one status region says what changed, for screen readers.
    expect(announce).to_contain_text("Saved.")
    expect(announce).to_contain_text("Where are the main goods or materials made or sourced?")
    page.locator("#supplies_goods-2").check()
    expect(sourced).to_have_count(0)
    expect(announce).to_contain_text("no longer apply")
    assert_accessible(page, url=f"{base}/tasks/goods-and-sourcing")


def test_an_answer_given_after_the_session_ended_stays_on_the_page(
    live_server: str, page: Page, session: Session
) -> None:
    base = open_draft(live_server, page, session)
    page.goto(f"{base}/tasks/workforce")
    session.exec(delete(UserSession))  # type: ignore[call-overload]
    session.commit()
    size = page.get_by_label("About how many people will work on the contract at any one time?")
    size.fill("40")
    banner = page.locator("#page-messages .govuk-notification-banner")
    expect(banner).to_be_visible()
    assert "What you typed is still on this page" in banner.inner_text()
    assert size.input_value() == "40"
    expect(page.locator("#status-workforce_size")).not_to_have_text("Saved")
    assert page.url == f"{base}/tasks/workforce"
    assert not session.exec(select(AssessmentAnswer)).all()  # nothing saved while signed out
    assert_accessible(page, url=f"{base}/tasks/workforce")


def _tab_to(page: Page, element_id: str, limit: int = 400) -> None:
    """Move focus with the Tab key alone until it reaches the element."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def _answer_with_keyboard(page: Page, question: str, kind: str, javascript: bool) -> str:
    """Answer one question with the keyboard; returns the id of the control that was used."""
    if kind in ("yes_no", "single_choice", "multiple_choice"):
        control = question
        _tab_to(page, control)
        page.keyboard.press("Space")
    elif kind == "date":
        control = f"{question}-day"
        _tab_to(page, control)
        page.keyboard.type("1")
        page.keyboard.press("Tab")
        page.keyboard.type("6")
        page.keyboard.press("Tab")
        page.keyboard.type("2027")
        control = f"{question}-year"
    else:
        control = question
        _tab_to(page, control)
        page.keyboard.type(TYPED[kind])
    if javascript:
        expect(page.locator(f"#status-{question}")).to_have_text("Saved")
        # A locator, not wait_for_function: the Content Security Policy refuses the eval it
        # needs when it polls.
        expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)
        # The save redrew the question, and focus is still where the person left it.
        assert page.evaluate("document.activeElement.id") == control
    return control


def _submit(page: Page) -> None:
    """Save and continue, with the keyboard."""
    _tab_to(page, "save-continue")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _unanswered_questions(page: Page) -> list[tuple[str, str]]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.app-question[data-question]'))
             .filter((q) => !q.hidden)
             .map((q) => [q.dataset.question, q.dataset.type, q.dataset.answered])
             .filter((q) => q[2] !== 'yes' && q[1] !== 'group')
             .map((q) => [q[0], q[1]])"""
    )


def _complete_every_task(page: Page, base: str, *, javascript: bool) -> int:
    """Walk the task list with the keyboard, answering every question that applies."""
    tasks_done = 0
    page.goto(base)
    while True:
        pending = page.evaluate(
            """() => Array.from(document.querySelectorAll('.govuk-task-list__item'))
                 .filter((item) => !item.innerText.includes('Completed'))
                 .map((item) => item.querySelector('a.govuk-task-list__link'))
                 .filter((link) => link && link.getAttribute('href').includes('/tasks/'))
                 .map((link) => link.getAttribute('href'))"""
        )
        if not pending:
            return tasks_done
        page.goto(live_base(page) + pending[0])
        task_url = page.url
        assert_accessible(page, url=task_url)
        # Its error state first: Save and continue with nothing answered.
        if not page.locator(".govuk-error-summary").count():
            _submit(page)
        if page.locator(".govuk-error-summary").count():
            if javascript:  # GOV.UK Frontend moves focus to the summary
                expect(page.locator(".govuk-error-summary")).to_be_focused()
            else:  # a new page: focus starts at the top, as for any page load
                assert page.evaluate("document.activeElement === document.body")
            assert_accessible(page, url=task_url)
        navigations_before = len(NAVIGATIONS)
        while questions := _unanswered_questions(page):
            for question, kind in questions:
                _answer_with_keyboard(page, question, kind, javascript)
            if not javascript:
                _submit(page)
                if page.url != task_url:
                    break
        if javascript:
            assert len(NAVIGATIONS) == navigations_before, "answers saved by reloading the page"
        if page.url == task_url:
            _submit(page)
        assert page.url != task_url, page.locator(".govuk-error-summary").inner_text()
        tasks_done += 1
        page.goto(base)


NAVIGATIONS: list[str] = []


def live_base(page: Page) -> str:
    return page.url.split("/procurements/")[0]


def test_completing_the_questionnaire_with_the_keyboard_and_javascript(
    live_server: str, page: Page, session: Session
) -> None:
    base = open_draft(live_server, page, session)
    NAVIGATIONS.clear()
    page.on("framenavigated", lambda frame: NAVIGATIONS.append(frame.url))
    assert page.evaluate("document.body.classList.contains('js-enabled')")
    done = _complete_every_task(page, base, javascript=True)
    assert done >= 8
    page.goto(base)
    assert_accessible(page, url=base)
    assert "You have completed" in page.locator("main").inner_text()
    page.goto(f"{base}/check")
    assert_accessible(page, url=f"{base}/check")
    assert "Needs correcting" not in page.locator("main").inner_text()


@pytest.mark.postgres
def test_completing_the_questionnaire_with_the_keyboard_and_no_javascript(
    live_server: str, page_without_js: Page, session: Session
) -> None:
    page = page_without_js
    base = open_draft(live_server, page, session)
    NAVIGATIONS.clear()
    assert page.locator("body.js-enabled").count() == 0
    done = _complete_every_task(page, base, javascript=False)
    assert done >= 8
    page.goto(base)
    assert page.locator("body.js-enabled").count() == 0
    assert_accessible(page, url=base)
    page.goto(f"{base}/check")
    assert_accessible(page, url=f"{base}/check")
