"""PRIMAS drafts in the database: one per procurement, answers saved per question without
losing anyone's, follow-ups re-evaluated when the procurement changes, and versions."""

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.errors import InvalidInput
from app.forms.loader import parse_definition
from app.models import Assessment, AssessmentAnswer, AuditEvent, Role, User
from app.scoring.topics import load_topics
from app.services import assessments, procurements
from tests.support.catalogue import primas_definition, shipped
from tests.support.factories import make_draft, make_procurement, make_user, procurement_facts

V1 = primas_definition(1)
V99 = parse_definition(
    Path("tests/fixtures/forms/primas-v99.yaml").read_text(), "v99", load_topics().topic_codes
)
# The shipped catalogue with the test-only version 99 of the questions beside it.
LIBRARY = replace(shipped(), forms={**shipped().forms, (V99.id, V99.version): V99})


def test_starting_pins_the_form_version_and_one_draft_per_procurement(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    draft = assessments.start(session, lead, procurement, V1)
    assert (draft.form_id, draft.form_version, draft.revision) == ("primas", 1, 1)
    assert assessments.start(session, lead, procurement, V1).id == draft.id  # the same draft
    assert draft.context_seen["value_pence"] == procurement.value_pence


def test_the_database_refuses_a_second_open_draft(session: Session) -> None:
    draft = make_draft(session)
    second = Assessment(
        procurement_id=draft.procurement_id,
        revision=2,
        form_id="primas",
        form_version=1,
        context_seen={},
        created_by_id=draft.created_by_id,
    )
    session.add(second)
    with pytest.raises(IntegrityError):
        session.commit()


def test_a_discarded_draft_can_be_followed_by_a_new_one(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    first = assessments.start(session, lead, procurement, V1)
    assessments.discard(session, lead, first)
    assert assessments.open_draft(session, procurement) is None
    second = assessments.start(session, lead, procurement, V1)
    assert second.id != first.id and second.revision == 2


def test_answers_save_as_typed_with_a_revision(session: Session) -> None:
    draft = make_draft(session)
    lead = session.get(User, draft.created_by_id)
    assert lead is not None
    outcome = assessments.save_answer(
        session, lead, draft, V1.question("workforce_size"), "12abc", seen_revision=0
    )
    assert (outcome.revision, outcome.conflict) == (1, None)
    loaded = assessments.load(session, draft, LIBRARY)
    assert loaded.answers["workforce_size"].raw == "12abc"  # kept as typed, even though invalid
    assert "workforce_size" not in loaded.walk.values  # but never counted
    again = assessments.save_answer(
        session, lead, draft, V1.question("workforce_size"), "12", seen_revision=1
    )
    assert again.revision == 2
    assert assessments.load(session, draft, LIBRARY).walk.values["workforce_size"] == "12"
    same = assessments.save_answer(
        session, lead, draft, V1.question("workforce_size"), "12", seen_revision=1
    )
    assert (same.revision, same.conflict) == (2, None)  # nothing changed, nothing to conflict
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "assessment_answer")
    ).all()
    assert [e.action for e in events] == ["assessment_answer.created", "assessment_answer.updated"]


def test_two_pages_editing_one_question_see_each_others_answer(session: Session) -> None:
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    # Both pages opened with no answer (revision 0). The first saves.
    assert (
        assessments.save_answer(
            session, lead, draft, V1.question("lots"), "yes", seen_revision=0
        ).revision
        == 1
    )
    # The second page's save names revision 0: refused, and it is shown the first's answer.
    outcome = assessments.save_answer(
        session, lead, draft, V1.question("lots"), "no", seen_revision=0
    )
    assert outcome.conflict is not None and outcome.conflict.raw == "yes"
    assert assessments.load(session, draft, LIBRARY).answers["lots"].raw == "yes"
    # Having seen it (revision 1), it can replace it deliberately.
    assert (
        assessments.save_answer(
            session, lead, draft, V1.question("lots"), "no", seen_revision=1
        ).revision
        == 2
    )


def test_successive_saves_from_one_page_never_conflict(session: Session) -> None:
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    revision = 0
    for typed in ("1", "12", "120", "1200"):
        outcome = assessments.save_answer(
            session, lead, draft, V1.question("workforce_size"), typed, seen_revision=revision
        )
        assert outcome.conflict is None
        revision = outcome.revision
    assert revision == 4


def _save_racing_in(session: Session, lead: User, assessment: Assessment, typed: str) -> None:
    """Just before `session` next writes, another page saves the same question first."""
    other = Session(session.get_bind(), expire_on_commit=False)
    raced: list[bool] = []

    @event.listens_for(session, "before_flush")
    def race(*_args: object) -> None:
        if not raced:
            raced.append(True)
            mine = other.get(Assessment, assessment.id)
            assert mine is not None
            assessments.save_answer(
                other, lead, mine, V1.question("workforce_size"), typed, seen_revision=1
            )
            other.close()


def test_a_save_overtaken_between_its_read_and_write_is_a_conflict(session: Session) -> None:
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    assessments.save_answer(
        session, lead, draft, V1.question("workforce_size"), "10", seen_revision=0
    )
    _save_racing_in(session, lead, draft, "30")
    outcome = assessments.save_answer(session, lead, draft, V1.question("workforce_size"), "20",
                                      seen_revision=1)  # fmt: skip
    assert outcome.conflict == assessments.StoredAnswer("30", 2)
    session.expire_all()
    stored = session.get(AssessmentAnswer, (draft.id, "workforce_size"))
    assert stored is not None and (stored.raw, stored.revision) == ("30", 2)


def test_save_and_continue_overtaken_by_an_autosave_reports_it_and_loses_nothing(
    session: Session,
) -> None:
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    assessments.save_answer(
        session, lead, draft, V1.question("workforce_size"), "10", seen_revision=0
    )
    task = V1.task_of("workforce_size")
    _save_racing_in(session, lead, draft, "30")
    outcomes = assessments.save_task(session, lead, draft, task,
                                     {"workforce_size": "20", "staff_on_premises": "yes"},
                                     {"workforce_size": 1})  # fmt: skip
    assert outcomes["workforce_size"].conflict == assessments.StoredAnswer("30", 2)
    assert outcomes["staff_on_premises"].conflict is None  # the rest of the page is saved
    session.expire_all()
    rows = {
        row.question_id: (row.raw, row.revision)
        for row in session.exec(
            select(AssessmentAnswer).where(AssessmentAnswer.assessment_id == draft.id)
        )
    }
    assert rows == {"workforce_size": ("30", 2), "staff_on_premises": ("yes", 1)}


def test_an_answer_not_in_the_shape_of_its_question_is_refused_and_nothing_saved(
    session: Session,
) -> None:
    """What any face sends (a page's form, the API's JSON) reaches the service as typed; a list
    for a yes or no question, or a text for a date, is refused by name, not stored."""
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    for question_id, misfit in (("lots", ["yes"]), ("workforce_size", {"day": "1"})):
        with pytest.raises(InvalidInput) as refused:
            assessments.save_answer(session, lead, draft, V1.question(question_id), misfit,
                                    seen_revision=0)  # fmt: skip
        assert set(refused.value.errors) == {question_id}
    assert session.exec(select(AssessmentAnswer)).all() == []


def test_follow_ups_follow_the_answers_and_hidden_answers_are_kept_not_counted(
    session: Session,
) -> None:
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    for question, raw in (("staff_on_premises", "yes"), ("hours_per_day", "3")):
        assessments.save_answer(session, lead, draft, V1.question(question), raw, seen_revision=0)
    assert assessments.load(session, draft, LIBRARY).walk.values["hours_per_day"] == "3"
    assessments.save_answer(
        session, lead, draft, V1.question("staff_on_premises"), "no", seen_revision=1
    )
    loaded = assessments.load(session, draft, LIBRARY)
    assert "hours_per_day" not in loaded.walk.shown_ids
    assert "hours_per_day" not in loaded.walk.values
    assert loaded.answers["hours_per_day"].raw == "3"  # kept, should it apply again


def test_changing_the_procurement_says_what_changed(session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, category="cleaning")
    draft = assessments.start(session, lead, procurement, V1)
    loaded = assessments.load(session, draft, LIBRARY)
    assert assessments.context_change(loaded) is None
    works = procurement_facts(session, category="construction-works", contract_type="works")
    procurements.update(session, lead, procurement, works, version=1,
                        base=procurement_facts(session))  # fmt: skip
    loaded = assessments.load(session, draft, LIBRARY)
    change = assessments.context_change(loaded)
    assert change is not None
    assert change.facts == ["type of contract", "category"]
    assert "noise_dust" in {q.id for q in change.now_asked}
    assessments.acknowledge_change(session, loaded)
    assert assessments.context_change(assessments.load(session, draft, LIBRARY)) is None


def test_moving_a_draft_to_a_newer_version_keeps_matching_answers(session: Session) -> None:
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    for question, raw in (("staff_on_premises", "yes"), ("workforce_size", "40"),
                          ("agency_labour", "no"), ("lots", "yes")):  # fmt: skip
        assessments.save_answer(session, lead, draft, V1.question(question), raw, seen_revision=0)
    loaded = assessments.load(session, draft, LIBRARY)
    result = assessments.upgrade(session, lead, loaded, V99)
    assert sorted(result.kept) == ["lots", "staff_on_premises"]
    assert sorted(q.id for q in result.dropped) == ["agency_labour", "workforce_size"]
    moved = assessments.load(session, draft, LIBRARY)
    assert moved.definition.version == 99
    assert set(moved.answers) == {"lots", "staff_on_premises"}
    with pytest.raises(InvalidInput):
        assessments.upgrade(session, lead, moved, V99)


def test_a_new_version_never_changes_an_existing_assessment(session: Session) -> None:
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    assessments.save_answer(
        session, lead, draft, V1.question("agency_labour"), "no", seen_revision=0
    )
    # A library that now also holds v2 still loads the draft on v1, with all its answers.
    loaded = assessments.load(session, draft, LIBRARY)
    assert loaded.definition is V1
    assert loaded.answers["agency_labour"].raw == "no"
    rows = session.exec(select(AssessmentAnswer)).all()
    assert len(rows) == 1


def test_moving_a_version_1_draft_to_version_2_asks_the_living_wage_test_afresh(
    session: Session,
) -> None:
    """Version 2 asks the Living Wage Foundation's per-worker test instead of an average, and
    no longer asks whether subcontractors are paid within 30 days (the law requires it)."""
    draft = make_draft(session)
    lead = make_user(session, Role.LEAD)
    for question, raw in (("staff_on_premises", "yes"), ("hours_per_day", "1.5"),
                          ("weeks_per_year", "52"), ("prompt_payment", "no"),
                          ("lots", "yes"), ("msat", "yes")):  # fmt: skip
        assessments.save_answer(session, lead, draft, V1.question(question), raw, seen_revision=0)
    loaded = assessments.load(session, draft, shipped())
    result = assessments.upgrade(session, lead, loaded, primas_definition(2))
    assert sorted(result.kept) == ["lots", "msat"]
    assert sorted(q.id for q in result.dropped) == [
        "hours_per_day", "prompt_payment", "staff_on_premises", "weeks_per_year",
    ]  # fmt: skip
    moved = assessments.load(session, draft, shipped())
    assert moved.definition.version == 2
    assert {"llw_workers", "payment_reporting"} <= {q.id for q in moved.definition.questions}
