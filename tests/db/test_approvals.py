"""Submitting a PRIMAS and deciding on it, through the services, on both databases: what a
submission needs, who may decide (separation of duties), and racing changes of status."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import Session, col, select

from app.errors import InvalidInput, PrimasError
from app.models import AssessmentDecision, AuditEvent, Role, User
from app.services import approvals, assessments, procurements
from app.services.approvals import Incomplete
from tests.support.catalogue import shipped
from tests.support.factories import (
    complete_draft,
    make_draft,
    make_procurement,
    make_user,
    procurement_facts,
)

TODAY = date.today()
KEY = "a signing key for the tests, long enough to be one"


def decide(session: Session, user: User, draft, **decision: object):  # type: ignore[no-untyped-def]
    """An approver's decision, signed with the tests' key."""
    return approvals.decide(session, user, draft, signing_key=KEY, today=TODAY, **decision)  # type: ignore[arg-type]


def reload(session: Session, draft):  # type: ignore[no-untyped-def]
    session.refresh(draft.assessment)
    return assessments.load(session, draft.assessment, shipped())


def submitted(session: Session, lead: User | None = None):  # type: ignore[no-untyped-def]
    record, draft = complete_draft(session, lead)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=TODAY)  # fmt: skip
    return record, reload(session, draft), lead


def test_a_complete_draft_is_submitted_with_the_declaration(session: Session) -> None:
    record, draft = complete_draft(session)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    assert approvals.missing(session, draft, TODAY) == []
    version = draft.assessment.status_version
    with pytest.raises(InvalidInput) as refused:
        approvals.submit(session, lead, record, draft, declared=False, seen_version=version,
                         today=TODAY)  # fmt: skip
    assert list(refused.value.errors) == ["declaration"]
    colleague = make_user(session, Role.LEAD)
    procurements.add_collaborator(session, lead, record, colleague.id)
    with pytest.raises(PrimasError) as not_lead:
        approvals.submit(session, colleague, record, draft, declared=True, seen_version=version,
                         today=TODAY)  # fmt: skip
    assert not_lead.value.status == 403
    approvals.submit(session, lead, record, draft, declared=True, seen_version=version,
                     today=TODAY)  # fmt: skip
    session.refresh(draft.assessment)
    assert draft.assessment.status == "submitted"
    assert draft.assessment.status_version == version + 1
    assert draft.assessment.submitted_by_id == lead.id
    assert draft.assessment.submitted_at is not None


def test_an_incomplete_draft_lists_what_is_missing_and_where(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="1,200,000")
    assessment = make_draft(session, record, lead)
    draft = assessments.load(session, assessment, shipped())
    with pytest.raises(Incomplete) as incomplete:
        approvals.submit(session, lead, record, draft, declared=True,
                         seen_version=assessment.status_version, today=TODAY)  # fmt: skip
    missing = incomplete.value.missing
    first_task = draft.walk.applicable_tasks()[0]
    first_question = draft.walk.questions_in(first_task)[0]
    assert (missing[0].task_id, missing[0].question_id) == (first_task.id, first_question.id)
    assert missing[0].text.startswith(first_task.title + ": ")
    assert any(item.kpi_anchor for item in missing)  # the KPI task is not complete
    session.refresh(assessment)
    assert assessment.status == "draft"


def test_a_blocker_and_changed_facts_are_missing_too(session: Session) -> None:
    record, draft = complete_draft(session)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    # No mitigation action for a high modern slavery risk: the blocker stands.
    question = draft.definition.question("mitigation_actions")
    stored = draft.answers["mitigation_actions"].revision
    assessments.save_answer(session, lead, draft.assessment, question, [], seen_revision=stored)
    draft = reload(session, draft)
    blocked = [item for item in approvals.missing(session, draft, TODAY)
               if item.question_id == "mitigation_actions"]  # fmt: skip
    assert len(blocked) == 1 and blocked[0].task_id
    # The procurement's facts changed since the lead last reviewed them.
    facts = procurement_facts(session, value="1,300,000")
    procurements.update(session, lead, record, facts, version=record.version, base=None)
    draft = reload(session, draft)
    assert approvals.missing(session, draft, TODAY)[0].review


def test_only_an_approver_who_had_no_hand_in_it_may_decide(session: Session) -> None:
    record, draft, lead = submitted(session)
    assessment = draft.assessment
    version = assessment.status_version
    other_lead = make_user(session, Role.LEAD)
    admin = make_user(session, Role.ADMIN)
    for nobody in (other_lead, admin):  # not approvers (an admin is not one either)
        with pytest.raises(PrimasError) as refused:
            decide(session, nobody, draft, approve=True, comment="",
                             points=[], seen_version=version)  # fmt: skip
        assert refused.value.status == 403
    author = make_user(session, Role.LEAD, Role.APPROVER)
    approvals.take_back(session, lead, record, assessment, seen_version=version)
    session.refresh(assessment)
    question = draft.definition.question("sites")
    stored = reload(session, draft).answers["sites"].revision
    assessments.save_answer(session, author, assessment, question, "13", seen_revision=stored)
    approvals.submit(session, lead, record, reload(session, draft), declared=True,
                     seen_version=assessment.status_version, today=TODAY)  # fmt: skip
    session.refresh(assessment)
    with pytest.raises(PrimasError) as refused:
        decide(session, author, draft, approve=True, comment="", points=[],
                         seen_version=assessment.status_version)  # fmt: skip
    assert refused.value.status == 403
    assert "you changed it" in refused.value.detail
    logged = session.exec(select(AuditEvent).where(AuditEvent.action == "approval.refused")).all()
    assert [(event.actor_id, event.entity_id) for event in logged] == [
        (author.id, str(assessment.id))
    ]
    assert approvals.hand_in_it(session, make_user(session, Role.APPROVER), assessment) is None


def test_an_approver_who_made_themselves_lead_officer_may_not_decide(session: Session) -> None:
    record, draft, lead = submitted(session)
    assessment = draft.assessment
    approver = make_user(session, Role.LEAD, Role.APPROVER)
    procurements.reassign_lead_officer(session, approver, record, approver.id)
    assert approvals.hand_in_it(session, approver, assessment) == "you are its lead officer"
    procurements.reassign_lead_officer(session, approver, record, lead.id)  # and gave it back
    why = approvals.hand_in_it(session, approver, assessment)
    assert why == "you were its lead officer since this revision started"
    with pytest.raises(PrimasError) as refused:
        decide(session, approver, draft, approve=False, comment="No",
                         points=[], seen_version=assessment.status_version)  # fmt: skip
    assert refused.value.status == 403
    # Handing it to someone else is not a hand in its content: another approver who did so
    # may still decide.
    other = make_user(session, Role.LEAD)
    reassigning = make_user(session, Role.APPROVER)
    procurements.reassign_lead_officer(session, reassigning, record, other.id)
    assert approvals.hand_in_it(session, reassigning, assessment) is None


def test_a_return_needs_a_comment_and_an_approval_does_not(session: Session) -> None:
    record, draft, lead = submitted(session)
    assessment = draft.assessment
    approver = make_user(session, Role.APPROVER)
    with pytest.raises(InvalidInput) as refused:
        decide(session, approver, draft, approve=False, comment="  ",
                         points=[], seen_version=assessment.status_version)  # fmt: skip
    assert list(refused.value.errors) == ["comment"]
    decide(session, approver, draft, approve=False,
                     comment="Add a mitigation action for agency labour",
                     points=["question:mitigation_actions"],
                     seen_version=assessment.status_version)  # fmt: skip
    session.refresh(assessment)
    assert assessment.status == "returned"
    # Returned: the lead changes it and submits it again; then it is approved.
    approvals.submit(session, lead, record, reload(session, draft), declared=True,
                     seen_version=assessment.status_version, today=TODAY)  # fmt: skip
    session.refresh(assessment)
    decide(session, approver, draft, approve=True, comment="", points=[],
                     seen_version=assessment.status_version)  # fmt: skip
    session.refresh(assessment)
    assert assessment.status == "approved"
    decisions = session.exec(select(AssessmentDecision).order_by(col(AssessmentDecision.id))).all()
    assert [(d.outcome, d.comment, d.points) for d in decisions] == [
        ("returned", "Add a mitigation action for agency labour",
         ["question:mitigation_actions"]),
        ("approved", "", []),
    ]  # fmt: skip


def test_read_only_once_submitted_and_any_other_move_is_refused(session: Session) -> None:
    record, draft, lead = submitted(session)
    assessment = draft.assessment
    with pytest.raises(PrimasError) as refused:
        assessments.discard(session, lead, assessment)
    assert refused.value.status == 409
    assert "waiting for a decision" in refused.value.detail
    with pytest.raises(PrimasError) as again:
        approvals.submit(session, lead, record, draft, declared=True,
                         seen_version=assessment.status_version, today=TODAY)  # fmt: skip
    assert again.value.status == 409
    stale = assessment.status_version - 1
    approver = make_user(session, Role.APPROVER)
    with pytest.raises(PrimasError) as old_page:
        decide(session, approver, draft, approve=True, comment="", points=[],
                         seen_version=stale)  # fmt: skip
    assert old_page.value.status == 409 and "changed since the page" in old_page.value.title


def test_approve_and_return_racing_exactly_one_wins(session: Session, database_url: str) -> None:
    """Two approvers decide at once, each on its own session (a request each) having read the
    same submitted revision: one decision is written, the other is refused with 409."""
    from app.db import create_database_engine

    record, draft, _lead = submitted(session)
    first, second = make_user(session, Role.APPROVER), make_user(session, Role.APPROVER)
    engine = create_database_engine(database_url)
    try:
        with Session(engine) as one, Session(engine) as two:
            mine = one.get(type(draft.assessment), draft.assessment.id)
            theirs = two.get(type(draft.assessment), draft.assessment.id)
            assert mine is not None and theirs is not None
            version = mine.status_version
            deciding, other = one.get(User, first.id), two.get(User, second.id)
            assert deciding is not None and other is not None
            decide(one, deciding, replace(draft, assessment=mine), approve=True,
                             comment="", points=[], seen_version=version)  # fmt: skip
            with pytest.raises(PrimasError) as lost:
                decide(two, other, replace(draft, assessment=theirs),
                                 approve=False,
                                 comment="Fix it", points=[], seen_version=version)  # fmt: skip
            assert lost.value.status == 409
    finally:
        engine.dispose()
    session.expire_all()
    decisions = session.exec(select(AssessmentDecision)).all()
    assert [(d.outcome, d.decided_by_id) for d in decisions] == [("approved", first.id)]


def approved(session: Session):  # type: ignore[no-untyped-def]
    return approved_by(session, None)


def approved_by(session: Session, lead: User | None):  # type: ignore[no-untyped-def]
    record, draft, lead = submitted(session, lead)
    approver = make_user(session, Role.APPROVER, name="Alex Approver")
    decide(session, approver, draft, approve=True, comment="Good work", points=[],
           seen_version=draft.assessment.status_version)  # fmt: skip
    session.refresh(draft.assessment)
    return record, draft, lead, approver


def test_approval_freezes_a_signed_record_of_what_was_approved(session: Session) -> None:
    import hashlib
    import json

    from app.models import ApprovedRecord
    from app.services import records

    record, draft, lead, approver = approved(session)
    (frozen,) = session.exec(select(ApprovedRecord)).all()
    assert (frozen.assessment_id, frozen.revision, frozen.approved_by_id) == (
        draft.assessment.id, 1, approver.id
    )  # fmt: skip
    # Canonical JSON (RFC 8785: sorted keys, no spaces), its SHA-256, an HMAC of the hash.
    content = json.loads(frozen.content)
    assert frozen.content == json.dumps(content, sort_keys=True, separators=(",", ":"),
                                        ensure_ascii=False)  # fmt: skip
    assert frozen.sha256 == hashlib.sha256(frozen.content.encode()).hexdigest()
    import hmac

    assert frozen.signature == hmac.new(KEY.encode(), frozen.sha256.encode(),
                                        hashlib.sha256).hexdigest()  # fmt: skip
    assert records.check(frozen, KEY).intact
    assert not records.check(frozen, "another key entirely, as long as the first").intact
    # What it holds: the facts, the answers as asked, the result, the KPIs, the decision.
    assert content["procurement"]["reference"] == record.reference
    assert content["procurement"]["whole_life_value_pence"] == 120_000_000
    assert content["procurement"]["lead_officer"]["email"] == lead.email
    assert (content["assessment"]["form"], content["assessment"]["form_version"]) == ("primas", 1)
    agency = next(row for row in content["answers"] if row["question"] == "agency_labour")
    assert agency["answer"] == "yes" and agency["asked"]
    codes = [row["code"] for row in content["result"]["obligations"]]
    assert "london-living-wage" in codes and "modern-slavery" in codes
    statuses = {"applies", "applies-unless-answers-show-otherwise", "does-not-apply"}
    assert all(row["status"] in statuses for row in content["result"]["obligations"])
    assert {row["topic"] for row in content["result"]["topics"]} >= {"fair-pay-work"}
    accepted = [row for row in content["kpis"] if row["decision"] == "accepted"]
    assert accepted and all(isinstance(row["target"], int | float) or row["baseline"]
                            for row in accepted)  # fmt: skip
    assert content["decision"]["approved_by"]["name"] == "Alex Approver"
    assert content["decision"]["comment"] == "Good work"


def test_the_database_refuses_to_change_or_delete_a_record(session: Session) -> None:
    from sqlalchemy import text

    approved(session)
    for statement in ("UPDATE approved_record SET content = '{}'", "DELETE FROM approved_record"):
        with pytest.raises(Exception, match="never changes"):
            session.connection().execute(text(statement))
        session.rollback()
    count = session.connection().execute(text("SELECT count(*) FROM approved_record"))
    assert count.scalar_one() == 1


def test_a_failure_between_the_record_and_the_status_leaves_neither(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.models import ApprovedRecord

    record, draft, lead = submitted(session)
    approver = make_user(session, Role.APPROVER)
    history = approvals._in_history

    def fail_after_writing(session: Session, *args: object, **kwargs: object) -> None:
        history(session, *args, **kwargs)  # type: ignore[arg-type]
        session.flush()  # the record is written...
        assert session.exec(select(ApprovedRecord)).all()
        raise RuntimeError("the server stopped")  # ...and the status never changes

    monkeypatch.setattr(approvals, "_in_history", fail_after_writing)
    with pytest.raises(RuntimeError):
        decide(session, approver, draft, approve=True, comment="", points=[],
               seen_version=draft.assessment.status_version)  # fmt: skip
    session.rollback()
    session.expire_all()
    assert session.exec(select(ApprovedRecord)).all() == []
    assert session.exec(select(AssessmentDecision)).all() == []
    session.refresh(draft.assessment)
    assert draft.assessment.status == "submitted"


def test_amending_starts_the_next_revision_and_its_approval_supersedes_the_first(
    session: Session,
) -> None:
    from app.models import ApprovedRecord, Assessment, AssessmentAnswer
    from app.services import records

    record, draft, lead, approver = approved(session)
    first = draft.assessment
    with pytest.raises(PrimasError) as refused:  # an approved revision never changes
        assessments.discard(session, lead, first)
    assert refused.value.status == 409
    second = approvals.amend(session, lead, record, first)
    assert (second.revision, second.status, first.status) == (2, "draft", "approved")
    copied = session.exec(select(AssessmentAnswer).where(
        AssessmentAnswer.assessment_id == second.id)).all()  # fmt: skip
    originals = session.exec(select(AssessmentAnswer).where(
        AssessmentAnswer.assessment_id == first.id)).all()  # fmt: skip
    assert {a.question_id: a.raw for a in copied} == {a.question_id: a.raw for a in originals}
    with pytest.raises(PrimasError):  # one open revision at a time
        approvals.amend(session, lead, record, first)
    amended = assessments.load(session, second, shipped())
    question = amended.definition.question("sites")
    assessments.save_answer(session, lead, second, question, "14",
                            seen_revision=amended.answers["sites"].revision)  # fmt: skip
    amended = reload(session, amended)
    approvals.submit(session, lead, record, amended, declared=True,
                     seen_version=second.status_version, today=TODAY)  # fmt: skip
    session.refresh(second)
    other = make_user(session, Role.APPROVER)
    decide(session, other, amended, approve=True, comment="", points=[],
           seen_version=second.status_version)  # fmt: skip
    session.expire_all()
    statuses = {a.revision: a.status for a in session.exec(select(Assessment)).all()}
    assert statuses == {1: "superseded", 2: "approved"}
    frozen = {r.revision: records.content_of(r) for r in session.exec(select(ApprovedRecord))}
    sites = {n: next(a["answer"] for a in c["answers"] if a["question"] == "sites")
             for n, c in frozen.items()}  # fmt: skip
    assert sites == {1: "12", 2: "14"}  # revision 1's record is as it was approved


def test_new_rates_and_thresholds_never_change_an_approved_record(session: Session) -> None:
    """After approval an administrator records a new London Living Wage rate and a new PRIMAS
    threshold: the approved record is byte for byte what was approved, and still checks; the
    amendment started afterwards is worked out with the new values."""
    from app.models import ApprovedRecord
    from app.services import records, scoring
    from app.services.reference_data import add_reference_value

    record, draft, lead, approver = approved(session)
    (frozen,) = session.exec(select(ApprovedRecord)).all()
    before = frozen.content
    admin = make_user(session, Role.ADMIN)
    add_reference_value(session, admin, key="llw_announced", effective_from=TODAY, amount=1_999)
    add_reference_value(session, admin, key="llw_pay_by", effective_from=TODAY, amount=1_999)
    add_reference_value(session, admin, key="primas_threshold", effective_from=TODAY,
                        amount=20_000_000)  # fmt: skip
    session.expire_all()
    (still,) = session.exec(select(ApprovedRecord)).all()
    assert still.content == before and records.check(still, KEY).intact
    assert "£19.99" not in before and "£200,000" not in before
    amendment = approvals.amend(session, lead, record, draft.assessment)
    result = scoring.result(assessments.load(session, amendment, shipped()), TODAY)
    owed = {obligation.code: obligation for obligation in result.obligations}
    assert "£200,000" in owed["primas"].reason
    assert any("£19.99" in value for _, value in owed["london-living-wage"].facts)


def test_the_list_shows_and_filters_by_where_each_primas_has_got_to(session: Session) -> None:
    """One procurement at each PRIMAS status; the list's column says which, and its filter
    finds each alone, with and without search words."""
    from app.services.procurement_search import (
        PRIMAS_STATUSES,
        ProcurementFilter,
        search_procurements,
    )

    lead = make_user(session, Role.LEAD)
    small = make_procurement(session, lead, title="Zeta small", value="99,999.99")
    unstarted = make_procurement(session, lead, title="Zeta unstarted", value="100,000")
    drafted = make_procurement(session, lead, title="Zeta drafted", value="150,000")
    make_draft(session, drafted, lead)
    waiting, _, _ = submitted(session, lead)
    returned, returned_draft, _ = submitted(session, lead)
    approver = make_user(session, Role.APPROVER)
    decide(session, approver, returned_draft, approve=False, comment="Fix", points=[],
           seen_version=returned_draft.assessment.status_version)  # fmt: skip
    done, _, _, _ = approved_by(session, lead)
    amending, amended_draft, _, _ = approved_by(session, lead)
    approvals.amend(session, lead, amending, amended_draft.assessment)
    expected = {
        "not-needed": small, "not-started": unstarted, "draft": drafted, "submitted": waiting,
        "returned": returned, "approved": done, "amending": amending,
    }  # fmt: skip
    assert set(expected) == set(PRIMAS_STATUSES)
    listed = search_procurements(session, ProcurementFilter(), lead)
    column = {row.procurement.id: row.primas for row in listed.rows}
    assert {code: column[p.id] for code, p in expected.items()} == {c: c for c in expected}
    for code, procurement in expected.items():
        alone = search_procurements(session, ProcurementFilter(primas=code), lead)
        assert [row.procurement.id for row in alone.rows] == [procurement.id], code
        searched = search_procurements(session, ProcurementFilter(primas=code, q="zeta"),
                                       lead)  # fmt: skip
        titled = "Zeta" in procurement.title
        assert [row.procurement.id for row in searched.rows] == ([procurement.id] if titled
                                                                 else []), code  # fmt: skip


@pytest.mark.parametrize(
    "changed", [{"value": "1,300,000"}, {"term_months": "120"}, {"delivery_location": "overseas"}]
)
def test_any_fact_changed_after_submission_stops_the_approval(
    session: Session, changed: dict[str, str]
) -> None:
    """A fact changed after submission (even one the questions' review does not track, such as
    the term or where it is delivered) changes what would be approved: the approval is refused
    and the revision can only be returned, for its lead to review."""
    from tests.support.factories import procurement_facts

    record, draft, lead = submitted(session)
    facts = procurement_facts(session, **({"value": "1,200,000"} | changed))
    procurements.update(session, lead, record, facts, version=record.version, base=None)
    approver = make_user(session, Role.APPROVER)
    now = reload(session, draft)
    with pytest.raises(PrimasError) as refused:
        decide(session, approver, now, approve=True, comment="", points=[],
               seen_version=now.assessment.status_version)  # fmt: skip
    assert refused.value.status == 409 and "changed since" in refused.value.title
    decide(session, approver, now, approve=False, comment="Review the change", points=[],
           seen_version=now.assessment.status_version)  # fmt: skip
    session.refresh(now.assessment)
    assert now.assessment.status == "returned"


def test_a_withdrawn_procurement_leaves_the_queue_and_cannot_be_approved(
    session: Session,
) -> None:
    from tests.support.catalogue import shipped as catalogue

    record, draft, lead = submitted(session)
    procurements.withdraw(session, lead, record, "Not going ahead")
    assert approvals.waiting(session, catalogue(), TODAY) == []
    with pytest.raises(PrimasError) as refused:
        decide(session, make_user(session, Role.APPROVER), draft, approve=True, comment="",
               points=[], seen_version=draft.assessment.status_version)  # fmt: skip
    assert refused.value.status == 409 and "withdrawn" in refused.value.detail


def test_submissions_and_decisions_write_their_email_to_the_outbox_in_the_same_transaction(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19's first step: on submit, every approver who may decide is told; on a decision,
    the lead officer and collaborators; a message holds at most a comment's first line; and a
    change that fails writes no message."""
    from app.models import OutboxMessage

    record, draft = complete_draft(session)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    colleague = make_user(session, Role.LEAD, Role.APPROVER)
    procurements.add_collaborator(session, lead, record, colleague.id)
    free = make_user(session, Role.APPROVER)
    make_user(session, Role.LEAD)  # not an approver: not told
    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=TODAY)  # fmt: skip
    (told,) = session.exec(select(OutboxMessage)).all()
    assert (told.kind, told.recipients) == ("primas.submitted", [free.email])
    assert told.facts == {"reference": record.reference, "title": record.title, "revision": 1,
                          "by": lead.name, "page": "decision", "comment": ""}  # fmt: skip
    session.refresh(draft.assessment)
    # A decision that fails after writing leaves no message.
    history = approvals._in_history

    def fail(session: Session, *args: object, **kwargs: object) -> None:
        history(session, *args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("the server stopped")

    monkeypatch.setattr(approvals, "_in_history", fail)
    with pytest.raises(RuntimeError):
        decide(session, free, draft, approve=False, comment="No", points=[],
               seen_version=draft.assessment.status_version)  # fmt: skip
    session.rollback()
    monkeypatch.setattr(approvals, "_in_history", history)
    assert len(session.exec(select(OutboxMessage)).all()) == 1
    session.refresh(draft.assessment)
    decide(session, free, draft, approve=False, points=[],
           comment="Add a mitigation action for agency labour.\nThe second line is private.",
           seen_version=draft.assessment.status_version)  # fmt: skip
    returned = session.exec(select(OutboxMessage).where(
        OutboxMessage.kind == "primas.returned")).one()  # fmt: skip
    assert returned.recipients == sorted([lead.email, colleague.email])
    assert returned.facts["comment"] == "Add a mitigation action for agency labour."
    assert returned.message_id != told.message_id
