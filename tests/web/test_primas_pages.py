"""The PRIMAS journey over HTTP: starting, saving as you go (htmx), Save and continue without
JavaScript, follow-up questions, errors, the check page, discarding and moving versions."""

import shutil
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.main import create_app
from app.models import Assessment, AssessmentAnswer, Role
from app.services import procurements
from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.support.auth import signed_in_client
from tests.support.factories import make_draft, make_procurement, make_user
from tests.support.html import form_values, heading, parse, text_of
from tests.support.primas import autosave, lead_with_draft, post


def test_starting_from_the_procurement_page(app: FastAPI, session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, value="2,400,000")
    client = signed_in_client(app, session, lead)
    page = parse(client.get(f"/procurements/{procurement.reference}"))
    assert page.find("form", action=f"/procurements/{procurement.reference}/primas/start")
    response = post(client, f"/procurements/{procurement.reference}/primas/start", {})
    assert response.headers["location"] == f"/procurements/{procurement.reference}/primas"
    task_list = parse(client.get(response.headers["location"]))
    assert heading(task_list) == "Procurement Impact Assessment"
    sections = [text_of(h2) for h2 in task_list.find("main").find_all("h2")]
    assert sections[:4] == [
        "About the procurement",
        "Procuring Green",
        "Procuring for a Better Society",
        "Procuring for Fair Delivery",
    ]
    statuses = [text_of(s) for s in task_list.select(".govuk-task-list__status")]
    assert "Not yet started" in statuses


def test_below_the_line_there_is_nothing_to_start(app: FastAPI, session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, value="99,999.99")
    client = signed_in_client(app, session, lead)
    assert not parse(client.get(f"/procurements/{procurement.reference}")).find(
        "form", action=f"/procurements/{procurement.reference}/primas/start"
    )
    response = post(client, f"/procurements/{procurement.reference}/primas/start", {})
    assert response.status_code == 409


def test_an_answer_saved_by_htmx_redraws_its_question_and_reveals_follow_ups(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    response = autosave(
        client,
        base,
        "staff_on_premises",
        {"staff_on_premises": "yes", "rev-staff_on_premises": "0"},
    )
    assert response.status_code == 200
    fragment = parse(response)
    redrawn = {div["id"]: div for div in fragment.find_all("div", class_="app-question")}
    assert set(redrawn) == {
        "question-staff_on_premises",
        "question-hours_per_day",
        "question-weeks_per_year",
    }
    assert all(div["hx-swap-oob"] == "true" for div in redrawn.values())
    mine = redrawn["question-staff_on_premises"]
    assert mine.find("input", attrs={"name": "rev-staff_on_premises"})["value"] == "1"
    assert mine.find("input", attrs={"value": "yes"}).has_attr("checked")
    assert text_of(mine.find(class_="app-question__status")) == "Saved"
    assert redrawn["question-hours_per_day"].find("input", id="hours_per_day") is not None
    # And 'no' hides them again (kept, but no longer asked).
    response = autosave(
        client, base, "staff_on_premises", {"staff_on_premises": "no", "rev-staff_on_premises": "1"}
    )
    hidden = parse(response).find("div", id="question-hours_per_day")
    assert hidden.has_attr("hidden") and not hidden.find("input")


def test_a_format_error_shows_at_once_and_what_was_typed_stays(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    response = autosave(
        client,
        base,
        "workforce_size",
        {"workforce_size": "about twelve", "rev-workforce_size": "0"},
    )
    question = parse(response).find("div", id="question-workforce_size")
    assert "must be a number" in text_of(question.find(class_="govuk-error-message"))
    assert question.find("input", id="workforce_size")["value"] == "about twelve"
    page = parse(client.get(f"{base}/tasks/workforce"))  # and still there on a new visit
    assert page.find("input", id="workforce_size")["value"] == "about twelve"
    assert page.find(class_="govuk-error-summary") is not None


def test_a_second_page_saving_the_same_question_is_shown_the_first_ones_answer(
    app: FastAPI, session: Session
) -> None:
    client, lead, base = lead_with_draft(app, session)
    other = signed_in_client(app, session, lead)  # the same person, another tab
    autosave(client, base, "lots", {"lots": "yes", "rev-lots": "0"})
    response = autosave(other, base, "lots", {"lots": "no", "rev-lots": "0"})
    question = parse(response).find("div", id="question-lots")
    assert "You changed this answer on another page while this one was open" in text_of(question)
    assert "That answer: Yes." in text_of(question)  # the other page's answer, in words
    assert question.find("input", attrs={"value": "no"}).has_attr("checked")  # this one's kept
    assert question.find("input", attrs={"name": "rev-lots"})["value"] == "1"
    response = autosave(other, base, "lots", {"lots": "no", "rev-lots": "1"})  # now deliberate
    assert "Someone else" not in text_of(parse(response))


@pytest.mark.postgres
def test_one_page_changing_an_answer_twice_quickly_is_no_conflict(
    app: FastAPI, session: Session
) -> None:
    """Yes, then "not known yet", then no, each sent before the page had the last one's reply
    (htmx queues the next save on the question it is about to redraw): all from one page, so
    the last one stands and nobody is told someone else changed it."""
    client, _, base = lead_with_draft(app, session)
    page = parse(client.get(f"{base}/tasks/workforce"))
    token = page.find("div", id="question-agency_labour").find("input", {"name": "page"})["value"]
    for answer in ("yes", "not-known", "no"):
        sent = {"agency_labour": answer, "rev-agency_labour": "0", "page": token}
        reply = autosave(client, base, "agency_labour", sent)
        question = parse(reply).find("div", id="question-agency_labour")
        assert "changed this answer" not in text_of(question), answer
        assert text_of(question.find(id="status-agency_labour")) == "Saved"
    again = parse(client.get(f"{base}/tasks/workforce"))
    assert again.find("input", {"name": "agency_labour", "value": "no"}).has_attr("checked")


def _lead_and_colleague(app: FastAPI, session: Session) -> tuple[TestClient, TestClient, str]:
    """The lead's client, a collaborating colleague's, and the draft's base path."""
    client, lead, base = lead_with_draft(app, session)
    colleague = make_user(session, Role.LEAD)
    record = procurements.get_by_reference(session, base.split("/")[2])
    assert record is not None
    procurements.add_collaborator(session, lead, record, colleague.id)
    return client, signed_in_client(app, session, colleague), base


@pytest.mark.postgres
def test_someone_else_saving_in_between_is_a_conflict_whatever_the_page(
    app: FastAPI, session: Session
) -> None:
    client, theirs, base = _lead_and_colleague(app, session)
    token = "a-page-token"
    autosave(client, base, "lots", {"lots": "yes", "rev-lots": "0", "page": token})
    # The colleague's page saw revision 0 and sends the lead's page token: still a conflict.
    reply = autosave(theirs, base, "lots", {"lots": "no", "rev-lots": "0", "page": token})
    question = parse(reply).find("div", id="question-lots")
    assert "Someone else changed this answer while you were editing it" in text_of(question)
    assert "Their answer: Yes. Yours, below, has not been saved" in text_of(question)
    assert question.find("input", attrs={"value": "no"}).has_attr("checked")


def test_each_save_is_announced_in_the_page_s_one_status_region(
    app: FastAPI, session: Session
) -> None:
    """The region stays on the page (the reply fills it out of band): "Saved.", the error to
    correct, and the questions an answer brings or takes away."""
    client, _, base = lead_with_draft(app, session)
    page = parse(client.get(f"{base}/tasks/workforce"))
    region = page.find(id="task-announce")
    assert (region["role"], region["aria-live"]) == ("status", "polite")
    assert page.find(id="status-workforce_size").get("role") is None  # one region, not many

    def announced(question: str, answer: str, revision: str) -> str:
        reply = parse(autosave(client, base, question,
                               {question: answer, f"rev-{question}": revision}))  # fmt: skip
        found = reply.find(id="task-announce")
        assert found["hx-swap-oob"] == "innerHTML"
        return text_of(found)

    assert announced("workforce_size", "40", "0") == "Saved."
    assert announced("workforce_size", "12abc", "1") == (
        "Saved, but check the answer: The number of people must be a number, like 12 or 12.5"
    )
    assert announced("staff_on_premises", "yes", "0") == (
        "Saved. 2 more questions now apply: On a typical working day, how many hours will each "
        "member of staff work there?; For how many weeks in a row, in a year, will they work "
        "there?"
    )
    assert announced("staff_on_premises", "no", "1") == "Saved. 2 questions no longer apply."


def test_save_and_continue_checks_the_page(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    response = post(client, f"{base}/tasks/workforce", {"workforce_size": "12abc"})
    assert response.status_code == 422
    page = parse(response)
    summary = {a["href"]: text_of(a) for a in page.find(class_="govuk-error-summary").find_all("a")}
    assert summary["#staff_on_premises"] == "Select yes, no or not known yet"
    assert summary["#workforce_size"] == "The number of people must be a number, like 12 or 12.5"
    for anchor in summary:
        assert page.find(id=anchor[1:]) is not None, anchor
    assert text_of(page.title).startswith("Error: ")


def test_without_javascript_follow_ups_appear_after_save_and_continue(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    answers = {"staff_on_premises": "yes", "workforce_size": "40", "low_paid_roles": "yes",
               "subcontracting": "some", "agency_labour": "not-known"}  # fmt: skip
    response = post(client, f"{base}/tasks/workforce", answers)
    assert response.status_code == 200
    page = parse(response)
    assert "more questions apply" in text_of(page.find(id="notice"))
    assert page.find("input", id="hours_per_day") is not None
    assert page.find(class_="govuk-error-summary") is None  # new questions are not errors yet
    typed = form_values(page.find("form", class_="app-task-form"))
    done = post(
        client, f"{base}/tasks/workforce", typed | {"hours_per_day": "3", "weeks_per_year": "52"}
    )
    assert done.headers["location"] == f"{base}/tasks/goods-and-sourcing"
    statuses = parse(client.get(base)).select(".govuk-task-list__item")
    assert "Completed" in text_of(statuses[0])


def test_save_and_come_back_later_does_not_check(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    response = post(client, f"{base}/tasks/workforce", {"workforce_size": "40", "action": "later"})
    assert response.headers["location"] == base
    page = parse(client.get(response.headers["location"]))
    assert text_of(page.find(class_="govuk-notification-banner--success")) == (
        "Success Your answers have been saved. You can come back to them at any time."
    )
    item = page.select(".govuk-task-list__item")[0]
    assert "In progress" in text_of(item)


def test_add_another_works_without_javascript(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    page = parse(client.get(f"{base}/tasks/modern-slavery"))
    assert page.find("input", id="mitigation_actions-0-action") is not None
    entry = {"mitigation_actions-count": "1", "mitigation_actions-0-action": "Map the supply chain",
             "mitigation_actions-0-owner": "Priya Shah"}  # fmt: skip
    added = parse(
        post(client, f"{base}/tasks/modern-slavery", entry | {"action": "add:mitigation_actions"})
    )
    assert added.find("input", id="mitigation_actions-0-action")["value"] == "Map the supply chain"
    assert added.find("input", id="mitigation_actions-1-action") is not None
    removed = parse(
        post(
            client,
            f"{base}/tasks/modern-slavery",
            entry | {"action": "remove:mitigation_actions:0"},
        )
    )
    assert removed.find("input", id="mitigation_actions-0-action")["value"] == ""


def test_check_your_answers_lists_only_answers_that_count(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    autosave(
        client,
        base,
        "staff_on_premises",
        {"staff_on_premises": "yes", "rev-staff_on_premises": "0"},
    )
    autosave(client, base, "hours_per_day", {"hours_per_day": "3", "rev-hours_per_day": "0"})
    autosave(
        client, base, "staff_on_premises", {"staff_on_premises": "no", "rev-staff_on_premises": "1"}
    )
    autosave(client, base, "workforce_size", {"workforce_size": "lots", "rev-workforce_size": "0"})
    page = parse(client.get(f"{base}/check"))
    rows = {text_of(r.find("dt")): r for r in page.find_all(class_="govuk-summary-list__row")}

    def row(start: str):  # type: ignore[no-untyped-def]
        return next(found for key, found in rows.items() if key.startswith(start))

    assert text_of(row("Will the supplier's staff work on council").find("dd")) == "No"
    assert not any(key.startswith("On a typical working day") for key in rows)  # hidden
    assert "Needs correcting" in text_of(row("About how many people will work"))
    change = row("About how many people will work").find("a")
    assert change["href"] == f"{base}/tasks/workforce#question-workforce_size"


@pytest.mark.postgres
def test_discarding_a_draft(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    assert (
        heading(parse(client.get(f"{base}/discard")))
        == "Are you sure you want to discard this draft?"
    )
    response = post(client, f"{base}/discard", {})
    assert response.headers["location"] == base.removesuffix("/primas")
    banner = parse(client.get(response.headers["location"])).find(
        class_="govuk-notification-banner"
    )
    assert text_of(banner).endswith("PRIMAS draft discarded")
    assert client.get(base).status_code == 404


def test_moving_a_draft_to_a_newer_version(
    database_url: str, session: Session, tmp_path: Path
) -> None:
    shutil.copy("app/forms/definitions/primas-v1.yaml", tmp_path)
    shutil.copy("tests/fixtures/forms/primas-v99.yaml", tmp_path)
    shutil.copy("app/forms/definitions/primas-v1.scoring.yaml", tmp_path)
    shutil.copy("tests/fixtures/forms/primas-v99.scoring.yaml", tmp_path)
    settings = Settings(env="test", database_url=database_url, secret_key=TEST_SECRET_KEY,
                        forms_dir=tmp_path)  # fmt: skip
    app = create_app(settings)
    client, _, base = lead_with_draft(app, session)
    autosave(client, base, "agency_labour", {"agency_labour": "no", "rev-agency_labour": "0"})
    autosave(client, base, "lots", {"lots": "yes", "rev-lots": "0"})
    task_list = parse(client.get(base))
    assert "(version 99)" in text_of(task_list.find(class_="govuk-inset-text"))
    preview = parse(client.get(f"{base}/upgrade"))
    assert [text_of(li) for li in preview.find("main").find_all("li")] == [
        "Is the supplier likely to use agency or temporary workers on the contract?"
    ]
    done = parse(post(client, f"{base}/upgrade", {}))
    assert "1 answer kept." in text_of(done.find("main"))
    assert client.get(f"{base}/upgrade").status_code == 409


def test_changing_the_procurement_is_reported_on_the_task_list(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, category="cleaning")
    make_draft(session, procurement, lead)
    client = signed_in_client(app, session, lead)
    base = f"/procurements/{procurement.reference}/primas"
    assert "has changed" not in text_of(parse(client.get(base)).find("main"))

    edit = f"/procurements/{procurement.reference}/edit"
    fields = form_values(parse(client.get(edit)).find("main").find("form"))
    saved = post(
        client, edit, fields | {"category": "construction-works", "contract_type": "works"}
    )
    assert saved.status_code == 303

    banner = parse(client.get(base)).find(class_="govuk-notification-banner")
    message = text_of(banner)
    assert "The procurement has changed since you last looked: its type of contract, category" in (
        message
    )
    assert "Will the work create noise, dust or disruption for residents?" in message
    acknowledged = post(client, f"{base}/acknowledge", {})
    assert acknowledged.status_code == 303
    assert "has changed" not in text_of(parse(client.get(base)).find("main"))


@pytest.mark.postgres
def test_a_page_of_a_discarded_draft_never_writes_into_the_new_one(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    stale = parse(client.get(f"{base}/tasks/workforce"))
    old = stale.find("input", {"name": "draft"})["value"]
    assert post(client, f"{base}/discard", {"draft": old}).status_code == 303
    assert post(client, f"{base}/start", {}).status_code == 303  # a new draft
    new = parse(client.get(f"{base}/tasks/workforce")).find("input", {"name": "draft"})["value"]
    assert new != old
    typed = {"workforce_size": "40", "draft": old}
    refused = post(client, f"{base}/tasks/workforce", typed)
    assert refused.status_code == 409
    assert "discarded" in heading(parse(refused))
    autosaved = autosave(client, base, "workforce_size", typed)
    assert autosaved.status_code == 409
    assert session.exec(select(AssessmentAnswer)).all() == []
    saved = post(client, f"{base}/tasks/workforce", typed | {"draft": new, "action": "later"})
    assert saved.status_code == 303


def row_of(session: Session) -> int:
    """The id of the only draft."""
    (assessment_id,) = session.exec(select(Assessment.id)).all()
    assert assessment_id is not None
    return assessment_id


@pytest.mark.postgres
def test_a_refused_page_save_keeps_what_was_typed_and_says_what_the_other_person_saved(
    app: FastAPI, session: Session
) -> None:
    client, theirs, base = _lead_and_colleague(app, session)
    autosave(theirs, base, "workforce_size", {"workforce_size": "20", "rev-workforce_size": "0"})
    refused = post(client, f"{base}/tasks/workforce",
                   {"workforce_size": "40", "rev-workforce_size": "0"})  # fmt: skip
    assert refused.status_code == 409
    page = parse(refused)
    question = page.find("div", id="question-workforce_size")
    assert "Their answer: 20 people. Yours, below, has not been saved" in text_of(question)
    assert page.find("input", {"name": "workforce_size"})["value"] == "40"  # as typed
    assert question.find("input", {"name": "rev-workforce_size"})["value"] == "1"
    session.expire_all()
    stored = session.get(AssessmentAnswer, (row_of(session), "workforce_size"))
    assert stored is not None and stored.raw == "20"  # theirs stands
