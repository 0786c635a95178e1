"""Pages that read right: one word for each state on the task list, results and obligations; a
task never completed while a blocker stands; the count of tasks explained; spend bands in words;
a planned tender date in the past; error titles; what read-only readers are told."""

from datetime import date

from fastapi import FastAPI
from sqlmodel import Session

from app.models import Role
from app.services import procurements
from tests.support.auth import signed_in_client
from tests.support.factories import make_draft, make_procurement, make_user
from tests.support.html import form_values, parse, text_of
from tests.support.primas import autosave, lead_with_draft, post

NO_QUESTIONS = "No questions for this procurement"


def statuses(client, base: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each task's status on the task list, by title."""
    page = parse(client.get(base))
    return {
        text_of(item.find(class_="govuk-task-list__name-and-hint").find(["a", "div"])): text_of(
            item.find(class_="govuk-task-list__status")
        )
        for item in page.find_all("li", class_="govuk-task-list__item")
    }


def test_a_task_with_no_questions_says_so_and_its_topic_keeps_its_priority(
    app: FastAPI, session: Session
) -> None:
    """Cleaning asks nothing about materials and food unless goods are supplied; the topic
    still has a priority from the category, and the words agree."""
    client, _, base = lead_with_draft(app, session)
    found = statuses(client, base)
    assert found["Materials, timber and food"] == NO_QUESTIONS
    assert "Does not apply" not in found.values()
    count = text_of(parse(client.get(base)).find(id="tasks-count"))
    assert count == (
        "You have completed 0 of 13 tasks. 1 other task has no questions for this procurement. "
        "Your answers are saved as you go."
    )
    results = parse(client.get(f"{base}/results"))
    row = results.find(id="topic-materials-food")
    assert row is not None and "Not applicable" not in text_of(row)
    # Opened by its address, the task says why there is nothing to answer.
    page = parse(client.get(f"{base}/tasks/materials-food"))
    assert page.find("form", class_="app-task-form") is None
    why = text_of(page.find(id="no-questions"))
    assert why.startswith("There are no questions in this task for this procurement.")
    assert "The topic still has a priority, low" in why


def test_modern_slavery_is_low_not_not_applicable_where_nothing_raises_it(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session, category="ict-services")
    results = parse(client.get(f"{base}/results"))
    row = text_of(results.find(id="topic-modern-slavery"))
    assert "Low" in row and "Not applicable" not in row
    assert "never below low" in row
    card = text_of(results.find(id="obligation-modern-slavery"))
    assert "Modern slavery due diligence: low risk" in card


def test_a_high_modern_slavery_risk_without_an_action_keeps_the_task_in_progress(
    app: FastAPI, session: Session
) -> None:
    """Version 3's modern slavery task, every question answered, agency labour making the
    risk high: not completed until a mitigation action is added, and Save and continue says
    why."""
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="2,400,000")
    make_draft(session, record, lead, version=3)
    client = signed_in_client(app, session, lead)
    base = f"/procurements/{record.reference}/primas"
    agency = {"agency_labour": "yes", "rev-agency_labour": "0"}
    assert autosave(client, base, "agency_labour", agency).status_code == 200
    answers = {"workforce_risk": "migrant", "supplier_locations": "uk", "msat": "yes",
               "large_suppliers": "yes", "action": "continue"}  # fmt: skip
    refused = post(client, f"{base}/tasks/modern-slavery", answers)
    assert refused.status_code == 422
    summary = text_of(parse(refused).find(class_="govuk-error-summary"))
    assert "Add at least one mitigation action: the modern slavery risk is high" in summary
    assert statuses(client, base)["Modern slavery and human rights"] == "In progress"

    action = {
        "mitigation_actions-count": "1",
        "mitigation_actions-0-action": "Audit the agency supplying cleaners",
        "mitigation_actions-0-carried_out_by": "supplier",
        "mitigation_actions-0-owner": "Contract manager",
        "mitigation_actions-0-due-day": "1",
        "mitigation_actions-0-due-month": "6",
        "mitigation_actions-0-due-year": str(date.today().year + 1),
    }
    typed = form_values(parse(refused).find("form", class_="app-task-form"))
    done = post(client, f"{base}/tasks/modern-slavery", typed | action | {"action": "continue"})
    assert done.status_code == 303
    assert statuses(client, base)["Modern slavery and human rights"] == "Completed"


def test_the_spend_band_reads_naturally(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session, value="150,000")
    results = parse(client.get(f"{base}/results"))
    rows = {
        text_of(row.find("dt")): text_of(row.find("dd"))
        for row in results.find_all(class_="govuk-summary-list__row")
    }
    assert rows["Spend band"] == "£150,000: band 1 of 5, under £250,000"


def test_a_planned_tender_date_in_the_past_is_accepted_with_a_warning(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    past = make_procurement(session, lead, tender_year=str(date.today().year - 1))
    future = make_procurement(session, lead)
    client = signed_in_client(app, session, lead)
    warning = parse(client.get(f"/procurements/{past.reference}")).find(id="tender-in-past")
    assert warning is not None
    assert f"The planned tender date, 1 March {date.today().year - 1}, is in the past." in (
        text_of(warning)
    )
    assert warning.find("a")["href"] == f"/procurements/{past.reference}/edit#tender-day"
    assert parse(client.get(f"/procurements/{future.reference}")).find(id="tender-in-past") is None


def test_error_pages_say_error_once_in_their_title(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    pages = [
        post(client, f"{base}/kpis/llw-staff-share",
             {"action": "accept", "target": "abc", "reason": "", "revision": "0"}),
        post(client, f"{base}/kpis/own", {"title": ""}),
        post(client, f"{base}/results/fair-pay-work",
             {"measure": "risk", "value": "3", "reason": ""}),
        post(client, f"{base}/tasks/workforce", {"workforce_size": "12abc"}),
    ]  # fmt: skip
    for response in pages:
        assert response.status_code == 422, response.request.url
        title = parse(response).find("title").text
        assert title.startswith("Error: ") and title.count("Error:") == 1, title


def test_readers_are_not_told_their_answers_are_saved(app: FastAPI, session: Session) -> None:
    """An approver or other reader sees the task list read-only: whose tasks, no "your
    answers are saved as you go"."""
    _, lead, base = lead_with_draft(app, session)
    reader = signed_in_client(app, session, make_user(session, Role.APPROVER))
    count = text_of(parse(reader.get(base)).find(id="tasks-count"))
    assert count.startswith("The lead has completed 0 of 13 tasks.")
    assert "saved as you go" not in count
    record = procurements.get_by_reference(session, base.split("/")[2])
    assert record is not None and record.lead_officer_id == lead.id


def test_a_version_1_average_of_0_hours_on_premises_applies_until_confirmed(
    app: FastAPI, session: Session
) -> None:
    """ "Yes, they will work on our premises" then 0 hours a day: an average cannot show that
    no one works 2 hours on some day, so the Living Wage applies unless the answers show
    otherwise, and the reason says why."""
    client, _, base = lead_with_draft(app, session)
    for question, answer in {"staff_on_premises": "yes", "hours_per_day": "0",
                             "weeks_per_year": "52"}.items():  # fmt: skip
        autosave(client, base, question, {question: answer, f"rev-{question}": "0"})
    card = text_of(parse(client.get(f"{base}/results")).find(id="obligation-london-living-wage"))
    assert "Applies unless your answers show otherwise" in card
    assert "0 hours a day" in card and "the test is per worker" in card
