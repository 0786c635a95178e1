"""The approval pages: submitting from the check page, the approvers' queue, the decision page,
and what the lead sees of a submission and a return."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import Session, select

from app.models import AuditEvent, Role, User
from app.services import procurements
from tests.support.auth import signed_in_client
from tests.support.factories import complete_draft, make_draft, make_procurement, make_user
from tests.support.html import error_summary_links, heading, parse, text_of
from tests.support.primas import autosave, post


def _lead_of(session: Session, record) -> User:  # type: ignore[no-untyped-def]
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    return lead


def _submit(client, base: str, version: int = 1, **extra: str):  # type: ignore[no-untyped-def]
    return post(client, f"{base}/submit", {"declaration": "yes", "status_version": str(version),
                                           **extra})  # fmt: skip


def test_the_lead_submits_a_complete_primas_from_the_check_page(
    app: FastAPI, session: Session
) -> None:
    record, draft = complete_draft(session)
    client = signed_in_client(app, session, _lead_of(session, record))
    base = f"/procurements/{record.reference}/primas"
    page = parse(client.get(f"{base}/check"))
    form = page.find("form", action=f"{base}/submit")
    assert form is not None and "I confirm the answers are correct" in text_of(form)
    refused = post(client, f"{base}/submit", {"status_version": "1"})  # no declaration
    assert refused.status_code == 422
    assert error_summary_links(parse(refused)) == [
        ("Confirm that the answers are correct to the best of your knowledge", "#declaration")
    ]
    sent = _submit(client, base)
    assert (sent.status_code, sent.headers["location"]) == (303, f"{base}/check")
    page = parse(client.get(f"{base}/check"))
    assert "PRIMAS submitted for approval" in text_of(page.find(class_="govuk-notification-banner"))
    assert "Waiting for a decision" in text_of(page)
    assert page.find("form", action=f"{base}/submit") is None
    assert page.find("form", action=f"{base}/take-back") is not None
    assert "Change" not in [text_of(a) for a in page.select(".govuk-summary-list__actions a")]
    # Read-only while it waits: its task pages and saves say why.
    task = draft.walk.applicable_tasks()[0]
    shown = client.get(f"{base}/tasks/{task.id}")
    assert shown.status_code == 409
    assert "waiting for a decision" in text_of(parse(shown))
    saved = post(client, f"{base}/tasks/{task.id}", {"draft": str(draft.assessment.id)})
    assert saved.status_code == 409
    # Taken back to draft, it can be changed and submitted again.
    back = post(client, f"{base}/take-back", {"status_version": "2"})
    assert back.status_code == 303
    assert client.get(f"{base}/tasks/{task.id}").status_code == 200
    history = text_of(parse(client.get(f"/procurements/{record.reference}")))
    assert "Submitted the PRIMAS for approval (revision 1)" in history
    assert "Took the PRIMAS back to draft (revision 1)" in history


def test_an_incomplete_primas_lists_what_is_missing_with_links(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="1,200,000")
    make_draft(session, record, lead)
    client = signed_in_client(app, session, lead)
    base = f"/procurements/{record.reference}/primas"
    refused = _submit(client, base)
    assert refused.status_code == 422
    page = parse(refused)
    assert "You cannot submit this PRIMAS yet" in text_of(page.find(class_="govuk-error-summary"))
    links = error_summary_links(page)
    assert links[0][1].startswith(f"{base}/tasks/") and "#question-" in links[0][1]
    assert any(href.startswith(f"{base}/kpis#") for _, href in links)


def test_a_collaborator_cannot_submit(app: FastAPI, session: Session) -> None:
    record, _draft = complete_draft(session)
    colleague = make_user(session, Role.LEAD, name="Tom Okafor")
    procurements.add_collaborator(session, _lead_of(session, record), record, colleague.id)
    client = signed_in_client(app, session, colleague)
    base = f"/procurements/{record.reference}/primas"
    page = parse(client.get(f"{base}/check"))
    assert page.find("form", action=f"{base}/submit") is None
    assert "Only its lead officer" in text_of(page)
    assert _submit(client, base).status_code == 403


def test_the_queue_and_the_decision_page(app: FastAPI, session: Session) -> None:
    record, _draft = complete_draft(session, title="Office cleaning")
    lead = _lead_of(session, record)
    base = f"/procurements/{record.reference}/primas"
    assert _submit(signed_in_client(app, session, lead), base).status_code == 303
    listed = parse(signed_in_client(app, session, lead).get("/procurements?primas=submitted"))
    assert [text_of(cell) for cell in listed.select("tbody tr:first-child td")][3] == "Submitted"
    assert listed.find("select", id="primas").find("option", selected=True)["value"] == "submitted"
    approver = make_user(session, Role.APPROVER, name="Alex Approver")
    client = signed_in_client(app, session, approver)
    queue = parse(client.get("/approvals"))
    assert heading(queue) == "PRIMAS waiting for a decision"
    cells = [text_of(cell) for cell in queue.select("tbody tr:first-child td")]
    assert cells[0].startswith("Office cleaning") and record.reference in cells[0]
    assert cells[1] == "£1,200,000"
    assert cells[2] == lead.name
    assert "Modern slavery statement" in cells[5] or "PRIMAS required" in cells[5]
    decision = parse(client.get(f"{base}/decision"))
    for section in ("procurement", "results", "judgements", "answers", "history", "decision"):
        assert decision.find(id=section) is not None, section
    assert decision.find("form", action=f"{base}/decision") is not None
    # Returned without a comment: refused, what was chosen kept.
    refused = post(client, f"{base}/decision", {"outcome": "return", "status_version": "2"})
    assert refused.status_code == 422
    assert error_summary_links(parse(refused)) == [
        ("Enter a comment saying what must change", "#comment")
    ]
    nothing = post(client, f"{base}/decision", {"status_version": "2"})
    assert nothing.status_code == 422
    workforce = _draft.definition.task_of("mitigation_actions")
    returned = post(client, f"{base}/decision", {
        "outcome": "return", "comment": "Add a mitigation action for agency labour",
        "points": [f"task:{workforce.id}", "kpis"], "status_version": "2",
    })  # fmt: skip
    assert (returned.status_code, returned.headers["location"]) == (303, "/approvals")
    lead_client = signed_in_client(app, session, lead)
    check = text_of(parse(lead_client.get(f"{base}/check")))
    assert "Returned with comments" in check
    assert "Add a mitigation action for agency labour" in check
    history = text_of(parse(lead_client.get(f"/procurements/{record.reference}")))
    assert ("Returned the PRIMAS (revision 1): “Add a mitigation action for agency labour”"
            in history)  # fmt: skip
    # Beside the tasks it points at, on the task list and on their pages; not elsewhere.
    tasks = parse(lead_client.get(base))
    hints = {text_of(item.select_one(".govuk-task-list__name-and-hint > :first-child")):
             text_of(hint) for item in tasks.select(".govuk-task-list__item")
             if (hint := item.select_one(".govuk-task-list__hint"))}  # fmt: skip
    comment = "The approver's comment: Add a mitigation action for agency labour"
    assert hints[workforce.title] == comment and hints["Choose the KPIs"] == comment
    assert list(hints.values()).count(comment) == 2
    task_page = parse(lead_client.get(f"{base}/tasks/{workforce.id}"))
    assert "Add a mitigation action" in text_of(task_page.find(id="approver-comment"))
    other = next(t for t in _draft.walk.applicable_tasks() if t.id != workforce.id)
    assert parse(lead_client.get(f"{base}/tasks/{other.id}")).find(id="approver-comment") is None
    assert parse(lead_client.get(f"{base}/kpis")).find(id="approver-comment") is not None
    # The lead changes an answer and submits again: the approver sees the comment they
    # returned it with, and what changed since.
    typed = {"draft": str(_draft.assessment.id), "sites": "13",
             "rev-sites": str(_draft.answers["sites"].revision)}  # fmt: skip
    sites = autosave(lead_client, base, "sites", typed)
    assert sites.status_code == 200
    assert _submit(lead_client, base, version=3).status_code == 303
    again = parse(client.get(f"{base}/decision"))
    assert "Add a mitigation action for agency labour" in text_of(again.select_one(".app-comment"))
    changed = again.find(id="since-return").find_next("table")
    rows = [[text_of(cell) for cell in row.find_all(["th", "td"])]
            for row in changed.select("tbody tr")]  # fmt: skip
    assert [row[1:] for row in rows] == [["12 sites", "13 sites"]]
    compared = parse(client.get(f"{base}/compare"))  # only one revision: nothing to compare
    assert "only one revision" in text_of(compared)
    approved = post(client, f"{base}/decision", {"outcome": "approve", "status_version": "4"})
    assert approved.status_code == 303
    assert "PRIMAS approved" in text_of(parse(client.get("/approvals")))


def test_an_approver_who_had_a_hand_in_it_sees_it_but_cannot_decide(
    app: FastAPI, session: Session
) -> None:
    record, _draft = complete_draft(session)
    lead = _lead_of(session, record)
    helper = make_user(session, Role.LEAD, Role.APPROVER)
    procurements.add_collaborator(session, lead, record, helper.id)
    base = f"/procurements/{record.reference}/primas"
    assert _submit(signed_in_client(app, session, lead), base).status_code == 303
    client = signed_in_client(app, session, helper)
    page = parse(client.get(f"{base}/decision"))
    assert page.find("form", action=f"{base}/decision") is None
    assert "You cannot decide on this PRIMAS: you work on it as a collaborator" in text_of(page)
    refused = post(client, f"{base}/decision", {"outcome": "approve", "status_version": "2"})
    assert refused.status_code == 403
    logged = session.exec(select(AuditEvent).where(AuditEvent.action == "approval.refused")).all()
    assert [event.actor_id for event in logged] == [helper.id]
    # Not an approver at all: the queue and the decision page are refused.
    other_lead = signed_in_client(app, session, make_user(session, Role.LEAD))
    assert other_lead.get("/approvals").status_code == 403
    assert other_lead.get(f"{base}/decision").status_code == 403


def _approved(app: FastAPI, session: Session):  # type: ignore[no-untyped-def]
    record, draft = complete_draft(session, title="Office cleaning")
    lead = _lead_of(session, record)
    base = f"/procurements/{record.reference}/primas"
    assert _submit(signed_in_client(app, session, lead), base).status_code == 303
    approver = signed_in_client(
        app, session, make_user(session, Role.APPROVER, name="Alex Approver")
    )
    decided = post(approver, f"{base}/decision", {"outcome": "approve", "comment": "Thorough.",
                                                  "status_version": "2"})  # fmt: skip
    assert decided.status_code == 303
    return record, draft, lead, base


def test_the_signed_record_is_shown_and_checked(app: FastAPI, session: Session) -> None:
    from app.models import ApprovedRecord

    record, _draft, lead, base = _approved(app, session)
    client = signed_in_client(app, session, lead)
    page = parse(client.get(f"/procurements/{record.reference}"))
    approved = text_of(page.find(id="approved-primas"))
    assert approved.startswith("Revision 1 of its PRIMAS was approved on")
    link = page.find(id="approved-primas").find("a")["href"]
    assert link == f"{base}/revisions/1"
    assert page.find("form", action=f"{base}/amend") is not None
    assert page.find("form", action=f"{base}/start") is None
    shown = parse(client.get(link))
    assert heading(shown) == "Approved PRIMAS, revision 1"
    (frozen,) = session.exec(select(ApprovedRecord)).all()
    assert text_of(shown.find(id="record-hash")) == frozen.sha256
    assert "Alex Approver" in text_of(shown) and "Thorough." in text_of(shown)
    checked = parse(client.get(f"{base}/revisions/1/check"))
    assert text_of(checked.find(id="check-result")) == (
        "This record has not changed since it was approved"
    )
    assert client.get(f"{base}/revisions/2").status_code == 404
    # Under another signing key, the signature no longer matches.
    from app.main import create_app
    from tests.conftest import test_settings
    from tests.support.catalogue import shipped

    url = app.state.settings.database_url
    other = create_app(test_settings(url).model_copy(update={"signing_key": "x" * 40}),
                       catalogue=shipped())  # fmt: skip
    try:
        failed = parse(signed_in_client(other, session, lead).get(f"{base}/revisions/1/check"))
        assert text_of(failed.find(id="check-result")) == (
            "This record does not match what was approved"
        )
    finally:
        other.state.engine.dispose()


def test_amending_keeps_the_approved_revision_in_force(app: FastAPI, session: Session) -> None:
    record, draft, lead, base = _approved(app, session)
    client = signed_in_client(app, session, lead)
    assert post(client, f"{base}/start", {}).status_code == 409  # amended, never started again
    started = post(client, f"{base}/amend", {})
    assert (started.status_code, started.headers["location"]) == (303, base)
    page = parse(client.get(f"/procurements/{record.reference}"))
    assert "Revision 1 of its PRIMAS was approved" in text_of(page.find(id="approved-primas"))
    assert "amendment (revision 2) is in progress" in text_of(page.find(id="primas-standing"))
    assert post(client, f"{base}/amend", {}).status_code == 409  # one at a time
    check = parse(client.get(f"{base}/check"))  # the answers came across
    assert "Needs correcting" not in text_of(check)
    assert check.find("form", action=f"{base}/submit") is not None


def test_what_needs_each_person_when_they_sign_in(app: FastAPI, session: Session) -> None:
    from datetime import UTC, datetime

    from app.models import SignInFailure

    record, draft = complete_draft(session, title="Office cleaning")
    lead = _lead_of(session, record)
    other = make_procurement(session, lead, title="Library cleaning", value="1,200,000")
    make_draft(session, other, lead)
    lead_client = signed_in_client(app, session, lead)
    home = parse(lead_client.get("/"))
    assert "Library cleaning" in text_of(home.find(id="drafts").find_next("ul"))
    in_progress = text_of(home.find(id="drafts").find_next("ul"))
    assert "Office cleaning" in in_progress and "tasks done" in in_progress
    assert home.find(id="waiting") is None and home.find(id="queue-summary") is None
    assert _submit(lead_client, f"/procurements/{record.reference}/primas").status_code == 303
    home = parse(lead_client.get("/"))
    assert "Office cleaning" in text_of(home.find(id="waiting").find_next("ul"))
    approver = make_user(session, Role.APPROVER)
    queue = text_of(
        parse(signed_in_client(app, session, approver).get("/")).find(id="queue-summary")
    )
    assert queue.startswith("1 PRIMAS waiting for a decision")
    assert queue.endswith("the oldest has waited less than a day.")
    # An administrator sees accounts locked after failed sign-ins.
    locked = make_user(session, Role.LEAD, name="Locked Out")
    for _ in range(app.state.settings.sign_in_max_failures):
        session.add(SignInFailure(email=locked.email, failed_at=datetime.now(UTC)))
    session.commit()
    admin_home = parse(signed_in_client(app, session, make_user(session, Role.ADMIN)).get("/"))
    assert "Locked Out" in text_of(admin_home.find(id="locked").find_next("ul"))


def test_comparing_an_approved_revision_with_its_amendment(app: FastAPI, session: Session) -> None:
    record, draft, lead, base = _approved(app, session)
    client = signed_in_client(app, session, lead)
    assert post(client, f"{base}/amend", {}).status_code == 303
    typed = {"sites": "14", "rev-sites": str(draft.answers["sites"].revision)}
    assert autosave(client, base, "sites", typed).status_code == 200
    page = parse(client.get(f"{base}/compare"))
    assert heading(page) == "Compare revisions"
    assert [o["value"] for o in page.find("select", id="from").find_all("option")] == ["1", "2"]
    tables = {text_of(t.find("caption")): [[text_of(c) for c in r.find_all(["th", "td"])]
                                             for r in t.select("tbody tr")]
              for t in page.select("table")}  # fmt: skip
    assert tables["Answers that changed"] == [
        [draft.definition.question("sites").label, "12 sites", "14 sites"]
    ]
    same = client.get(f"{base}/compare?from=2&to=2")
    assert same.status_code == 422
    assert error_summary_links(parse(same)) == [("Choose two different revisions", "#to")]


def test_the_approved_specification_comes_from_the_signed_record(
    app: FastAPI, session: Session
) -> None:
    from datetime import date
    from io import BytesIO

    from docx import Document

    from app.models import ApprovedRecord
    from app.services.reference_data import add_reference_value

    record, _draft, lead, base = _approved(app, session)
    client = signed_in_client(app, session, lead)
    (frozen,) = session.exec(select(ApprovedRecord)).all()
    page = parse(client.get(f"{base}/revisions/1/specification"))
    assert heading(page) == "Sustainability requirements: Office cleaning"
    assert page.find(id="draft-note") is None
    approval = text_of(page.find(id="approval"))
    assert approval.startswith("Approved by Alex Approver on") and frozen.sha256 in approval
    before = text_of(page.find("main"))
    # A new London Living Wage rate after approval changes nothing in the approved one.
    add_reference_value(session, make_user(session, Role.ADMIN), key="llw_pay_by",
                        effective_from=date.today(), amount=1_999)  # fmt: skip
    assert text_of(parse(client.get(f"{base}/revisions/1/specification")).find("main")) == before
    download = client.get(f"{base}/revisions/1/specification.docx")
    assert download.status_code == 200
    assert f"{record.reference}-r1-sustainability" in download.headers["content-disposition"]
    document = Document(BytesIO(download.content))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "Sustainability requirements: Office cleaning"
    assert not any(text.startswith("Draft") for text in texts)
    assert any(text.startswith("Approved by Alex Approver") and frozen.sha256 in text
               for text in texts)  # fmt: skip


def test_a_decision_page_of_an_earlier_revision_never_decides_the_next(
    app: FastAPI, session: Session
) -> None:
    """An approver leaves revision 1's decision page open; it is approved by someone else,
    amended and submitted again, at the same status version: their form is refused."""
    record, draft, lead, base = _approved(app, session)
    lead_client = signed_in_client(app, session, lead)
    assert post(lead_client, f"{base}/amend", {}).status_code == 303
    assert _submit(lead_client, base, version=1).status_code == 303  # revision 2, version 2
    late = signed_in_client(app, session, make_user(session, Role.APPROVER))
    stale = post(late, f"{base}/decision", {"outcome": "approve", "status_version": "2",
                                             "draft": str(draft.assessment.id)})  # fmt: skip
    assert stale.status_code == 409
    assert "earlier revision" in text_of(parse(stale))
    stale_submit = _submit(lead_client, base, version=2, draft=str(draft.assessment.id))
    assert stale_submit.status_code == 409
