"""PRIMAS drafts: starting one, saving answers one at a time without losing anyone's, and
moving a draft to a newer form version.

Answers are stored exactly as typed, one row per question, each with a revision. A save names
the revision its page last saw: if someone else saved a different answer since, the save is
refused and the page is shown theirs (no silent overwrite); a page's own successive saves
always carry the revision its last save returned, so they never conflict with each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import and_
from sqlalchemy import select as select_rows
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, select

from app.errors import InvalidInput, PrimasError
from app.forms.conditions import ProcurementContext
from app.forms.definition import FormDefinition, Question, Task
from app.forms.journey import TaskStatus, Walk, walk
from app.forms.moving import Move, plan_move
from app.forms.types import answer_fits, answer_size_problem
from app.models import (
    OPEN_STATUSES,
    ApprovedRecord,
    Assessment,
    AssessmentAnswer,
    AssessmentDecision,
    AssessmentStatus,
    Category,
    KpiDutyException,
    Procurement,
    ScoreOverride,
    User,
)
from app.scoring.approval import Action, Refused, State, after
from app.scoring.catalogue import Catalogue
from app.scoring.engine import Override, spend_band
from app.scoring.obligations import OBLIGATION_RULES, RulesRevision, above_threshold
from app.scoring.reference_data import ReferenceData
from app.scoring.results import Result
from app.services.audit import Actor, act_as
from app.services.reference_data import load_reference_data
from app.timeutil import utcnow


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as stored: what was typed, and its revision."""

    raw: Any
    revision: int


@dataclass(frozen=True)
class StoredException:
    """The recorded reason the KPI duty does not apply ("" once taken back), and its revision."""

    reason: str
    revision: int

    @property
    def recorded(self) -> bool:
        """A reason stands: the KPI duty does not apply."""
        return bool(self.reason)


@dataclass(frozen=True)
class Draft:
    """Everything a page needs about a draft: its form, the procurement's facts and the answers."""

    assessment: Assessment
    definition: FormDefinition
    context: ProcurementContext
    answers: dict[str, StoredAnswer]
    catalogue: Catalogue  # what it is read against: topics, its version's rules, the KPIs
    # What scoring needs besides the answers: officers' overrides, the reference data and the
    # lead's record that performance could not be assessed by KPIs (s.52(2)), if any.
    overrides: dict[tuple[str, str], Override] = field(default_factory=dict)
    reference: ReferenceData = field(default_factory=ReferenceData)
    kpi_exception: StoredException | None = None
    # For a revision returned by an approver, their decision: the comment and where it points.
    returned: AssessmentDecision | None = None

    def returned_comment_on(self, *points: str) -> str:
        """The return's comment if it points at any of `points` ("task:..", "question:..",
        "kpis"); "" otherwise, or when the revision is not returned."""
        if self.returned is None or not set(points) & set(self.returned.points):
            return ""
        return self.returned.comment

    def returned_comment_on_task(self, task: Task) -> str:
        """The return's comment if it points at the task or at one of its questions."""
        questions = (f"question:{question.id}" for question in task.questions)
        return self.returned_comment_on(f"task:{task.id}", *questions)

    @cached_property
    def walk(self) -> Walk:
        """Which questions apply and what the answers mean (worked out once)."""
        return walk(self.definition, self.context, self.raw_answers)

    @property
    def raw_answers(self) -> dict[str, Any]:
        """Every stored answer as typed."""
        return {qid: answer.raw for qid, answer in self.answers.items()}

    def revision(self, question_id: str) -> int:
        """The revision of a question's answer (0 before its first save)."""
        stored = self.answers.get(question_id)
        return stored.revision if stored else 0


@dataclass(frozen=True)
class SaveOutcome:
    """A question's save: its new revision, or the other person's answer it ran into."""

    revision: int
    conflict: StoredAnswer | None = None
    conflict_by_you: bool = False  # saved in between by the same person, on another page


def procurement_context(
    session: Session,
    procurement: Procurement,
    reference: ReferenceData | None = None,
    category: Category | None = None,
) -> ProcurementContext:
    """The procurement's facts that questions depend on (its category read, unless given)."""
    if category is None or category.id != procurement.category_id:
        category = session.get(Category, procurement.category_id)
    facts = ProcurementContext(
        contract_type=procurement.contract_type,
        category=category.code if category else "",
        value_pence=procurement.value_pence,
        annual_value_pence=procurement.annual_value_pence,
        term_months=procurement.term_months + procurement.extension_months,
        light_touch=procurement.light_touch,
        framework=procurement.framework,
        framework_name=procurement.framework_name,
        delivery_location=procurement.delivery_location,
        topic_relevance=dict(category.topic_relevance) if category else {},
        category_name=category.name if category else "",
        industry_risk=category.modern_slavery_risk if category else "low",
        industry_risk_note=category.modern_slavery_note if category else "",
        planned_tender_date=procurement.planned_tender_date,
        expected_start_date=procurement.expected_start_date,
    )
    return with_threshold(facts, reference or load_reference_data(session))


def with_threshold(context: ProcurementContext, reference: ReferenceData) -> ProcurementContext:
    """The facts with what reference data decides of them: whether the contract is at or
    above its Procurement Act threshold, and its spend band."""
    band = spend_band(context.value_pence, context.planned_tender_date, reference)
    return replace(
        context,
        above_threshold=above_threshold(context, reference),
        spend_band=band.band if band else None,
    )


def _context_facts(context: ProcurementContext) -> dict[str, Any]:
    return {
        "contract_type": context.contract_type,
        "category": context.category,
        "value_pence": context.value_pence,
        "light_touch": context.light_touch,
        "framework": context.framework,
    }


def _seen(context: ProcurementContext) -> dict[str, Any]:
    """What the lead has seen: the procurement's facts and the revision of the rules for what
    it owes."""
    return {**_context_facts(context), RULES_SEEN: OBLIGATION_RULES.marker}


RULES_SEEN = "obligation_rules"


def open_draft(session: Session, procurement: Procurement) -> Assessment | None:
    """The procurement's open revision, if it has one: a draft, or one submitted or returned
    (docs/approval.md). At most one is open at a time."""
    return session.exec(
        select(Assessment).where(
            Assessment.procurement_id == procurement.id,
            col(Assessment.status).in_(OPEN_STATUSES),
        )
    ).first()


def find_with_draft(
    session: Session, reference: str
) -> tuple[Procurement, Category, Assessment | None] | None:
    """A procurement by reference, its category and its open draft, if any, in one query (every
    PRIMAS page starts here). Pass the category on to `load`, so the draft's context needs no
    query of its own: the session holds what it loaded only while something else does."""
    found = session.exec(
        select(Procurement, Category, Assessment)
        .join(Category, col(Category.id) == col(Procurement.category_id))
        .outerjoin(
            Assessment,
            and_(
                col(Assessment.procurement_id) == col(Procurement.id),
                col(Assessment.status).in_(OPEN_STATUSES),
            ),
        )
        .where(col(Procurement.reference) == reference)
    ).first()
    return None if found is None else (found[0], found[1], found[2])


def approved_record(session: Session, procurement: Procurement) -> ApprovedRecord | None:
    """The signed record of the procurement's approved revision in force, if it has one."""
    return session.exec(
        select(ApprovedRecord)
        .join(Assessment, col(Assessment.id) == col(ApprovedRecord.assessment_id))
        .where(
            col(ApprovedRecord.procurement_id) == procurement.id,
            col(Assessment.status) == AssessmentStatus.APPROVED.value,
        )
    ).first()


def start(
    session: Session, user: User, procurement: Procurement, definition: FormDefinition
) -> Assessment:
    """Open the procurement's draft on `definition`, or return the one already open. 409 once
    a revision is approved: it is amended instead (approvals.amend)."""
    existing = open_draft(session, procurement)
    if existing is not None:
        return existing
    if approved_record(session, procurement) is not None:
        raise PrimasError(
            409,
            "This procurement already has an approved PRIMAS",
            "Amend it from the procurement's page to start a new revision.",
        )
    latest = session.exec(
        select(func.max(Assessment.revision)).where(Assessment.procurement_id == procurement.id)
    ).one()
    act_as(session, Actor.of(user))
    draft = Assessment(
        procurement_id=procurement.id,  # type: ignore[arg-type]
        revision=(latest or 0) + 1,
        form_id=definition.id,
        form_version=definition.version,
        context_seen=_seen(procurement_context(session, procurement)),
        created_by_id=user.id,  # type: ignore[arg-type]
    )
    session.add(draft)
    try:
        session.commit()
    except IntegrityError:  # someone else opened it at the same moment: use theirs
        session.rollback()
        racing = open_draft(session, procurement)
        if racing is None:
            raise
        return racing
    session.refresh(draft)
    return draft


def load(
    session: Session, assessment: Assessment, catalogue: Catalogue, category: Category | None = None
) -> Draft:
    """The draft with its form, the procurement's current facts and its answers (`category`:
    the procurement's, when the caller has it already)."""
    procurement = session.get(Procurement, assessment.procurement_id)
    assert procurement is not None
    # Plain rows rather than ORM objects, here and in load_overrides: every PRIMAS page reads
    # them, and nothing changes them through these (benchmarks/README.md, issue 17). Read on
    # the session's connection, so after anything it has yet to send.
    session.flush()
    rows = session.connection().execute(
        select_rows(
            col(AssessmentAnswer.question_id), col(AssessmentAnswer.raw),
            col(AssessmentAnswer.revision),
        ).where(col(AssessmentAnswer.assessment_id) == assessment.id)
    ).all()  # fmt: skip
    reference = load_reference_data(session)
    return Draft(
        assessment=assessment,
        definition=catalogue.definition(assessment.form_id, assessment.form_version),
        context=procurement_context(session, procurement, reference, category),
        answers={question: StoredAnswer(raw, revision) for question, raw, revision in rows},
        overrides=load_overrides(session, assessment),
        reference=reference,
        kpi_exception=_kpi_exception(session, assessment),
        catalogue=catalogue,
        returned=_returned(session, assessment),
    )


def _returned(session: Session, assessment: Assessment) -> AssessmentDecision | None:
    if assessment.status != AssessmentStatus.RETURNED.value:
        return None  # no query for a draft
    return session.exec(
        select(AssessmentDecision)
        .where(col(AssessmentDecision.assessment_id) == assessment.id)
        .order_by(col(AssessmentDecision.id).desc())
    ).first()


def _kpi_exception(session: Session, assessment: Assessment) -> StoredException | None:
    row = session.get(KpiDutyException, assessment.id)
    return None if row is None else StoredException(row.reason, row.revision)


def load_overrides(session: Session, assessment: Assessment) -> dict[tuple[str, str], Override]:
    """The officers' overrides of the draft's topic scores, with who made them."""
    rows = session.connection().execute(
        select_rows(
            col(ScoreOverride.topic), col(ScoreOverride.measure), col(ScoreOverride.value),
            col(ScoreOverride.reason), col(User.name),
        )
        .join(User, col(User.id) == col(ScoreOverride.updated_by_id))
        .where(col(ScoreOverride.assessment_id) == assessment.id)
    ).all()  # fmt: skip
    return {
        (topic, measure): Override(value, reason, name)
        for topic, measure, value, reason, name in rows
    }


SAVE_ATTEMPTS = 3


class BusySaving(Exception):
    """Other saves kept overtaking this page's: nothing of it was saved, and it can be resent
    (the pages answer 409 and say so: app/deps/errors.py)."""


def still_editable(session: Session, assessment: Assessment) -> None:
    """After a write failed on the assessment's status version: 409 if its status changed so
    that it may no longer be edited (submitted, decided or discarded meanwhile); otherwise
    nothing, and the caller may try again. Call after rolling back."""
    session.refresh(assessment)
    refused = after(State(assessment.status), Action.EDIT)
    if isinstance(refused, Refused):
        raise PrimasError(409, "This PRIMAS cannot be changed", refused.reason)


def commit_edit(session: Session, assessment: Assessment) -> None:
    """Commit an edit of the assessment; 409 if its status changed meanwhile."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        still_editable(session, assessment)
        raise BusySaving() from None


def save_answer(
    session: Session,
    user: User,
    assessment: Assessment,
    question: Question,
    raw: Any,
    *,
    seen_revision: int,
    page: str = "",
    commit: bool = True,
) -> SaveOutcome:
    """Save one answer, as typed, made on a page that last saw `seen_revision` of it. `page` is
    the page's token: a revision saved since by the same person from the same page (its own
    earlier save, whose reply had not reached it yet) is no conflict; one saved by anyone else,
    or from another page, is. An answer not in the shape the question takes (`answer_fits`) is
    InvalidInput naming the question; one that is in shape is kept whatever it says, so what was
    typed is never lost, and its format errors are shown where it is asked. One too large to
    keep (`answer_size_problem`) is InvalidInput too, and nothing is saved."""
    _check_size(question, raw)
    question_id = question.id
    row = session.get(AssessmentAnswer, (assessment.id, question_id))
    if row is not None and row.raw == raw:
        return SaveOutcome(row.revision)  # nothing changed
    own_save = (
        bool(page)
        and row is not None
        and (row.saved_from, row.updated_by_id)
        == (
            page,
            user.id,
        )
    )
    if row is not None and row.revision != seen_revision and not own_save:
        return SaveOutcome(
            row.revision, StoredAnswer(row.raw, row.revision), row.updated_by_id == user.id
        )
    act_as(session, Actor.of(user))
    now = utcnow()
    if row is None:
        row = AssessmentAnswer(
            assessment_id=assessment.id,  # type: ignore[arg-type]
            question_id=question_id,
            raw=raw,
            updated_by_id=user.id,  # type: ignore[arg-type]
            updated_at=now,
            saved_from=page or None,
        )
        session.add(row)
    else:
        row.raw = raw  # the revision goes up with the UPDATE (version_id_col)
        row.updated_by_id = user.id  # type: ignore[assignment]
        row.updated_at = now
        row.saved_from = page or None
    assessment.updated_at = now
    if not commit:
        session.flush()
        return SaveOutcome(row.revision)
    try:
        session.commit()
    except (IntegrityError, StaleDataError):  # another page saved it between our read and write
        session.rollback()
        still_editable(session, assessment)  # or submitted, decided or discarded meanwhile
        stored = session.get(AssessmentAnswer, (assessment.id, question_id))
        if stored is None:
            raise BusySaving() from None
        return SaveOutcome(stored.revision, StoredAnswer(stored.raw, stored.revision))
    return SaveOutcome(row.revision)


def _check_size(question: Question, raw: Any) -> None:
    if not answer_fits(question, raw):
        raise InvalidInput({question.id: "The answer is not in the form this question takes"})
    if problem := answer_size_problem(question, raw):
        raise InvalidInput({question.id: problem})


def save_task(
    session: Session,
    user: User,
    assessment: Assessment,
    task: Task,
    raws: Mapping[str, Any],
    revisions: Mapping[str, int],
    page: str = "",
) -> dict[str, SaveOutcome]:
    """Save every answer on a task's page in one transaction ('Save and continue').

    If another page saves one of them between our reads and our writes (an autosave sent as the
    page was submitted, say), the transaction is tried again: the answers read afresh, and a
    question saved in between comes back as a conflict, not as an error. If any answer is too
    large to keep, InvalidInput names each such question and nothing is saved.
    """
    problems: dict[str, str] = {}
    for question in task.questions:
        if question.id in raws:
            try:
                _check_size(question, raws[question.id])
            except InvalidInput as invalid:
                problems |= invalid.errors
    if problems:
        raise InvalidInput(problems)
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            outcomes = {
                question.id: save_answer(session, user, assessment, question,
                                         raws[question.id],
                                         seen_revision=revisions.get(question.id, 0),
                                         page=page, commit=False)
                for question in task.questions
                if question.id in raws
            }  # fmt: skip
            session.commit()
            return outcomes
        except (IntegrityError, StaleDataError):
            session.rollback()
            still_editable(session, assessment)  # never written into a submitted one
            if attempt == SAVE_ATTEMPTS:
                raise BusySaving() from None
    raise AssertionError("unreachable")


def discard(session: Session, user: User, assessment: Assessment) -> None:
    """Throw the draft (or a returned assessment) away: it stays on record as discarded, and a
    new one can be started. 409 for one submitted or decided (app/scoring/approval.py)."""
    refused = after(State(assessment.status), Action.DISCARD)
    if isinstance(refused, Refused):
        raise PrimasError(409, "This PRIMAS cannot be discarded", refused.reason)
    act_as(session, Actor.of(user))
    assessment.status = AssessmentStatus.DISCARDED.value
    assessment.status_version += 1
    assessment.updated_at = utcnow()
    try:
        session.commit()
    except StaleDataError:  # submitted at the same moment
        session.rollback()
        raise PrimasError(
            409, "This PRIMAS cannot be discarded", "It was submitted at the same moment."
        ) from None


@dataclass(frozen=True)
class ContextChange:
    """How the procurement changed since the lead last looked, and what that did to the form;
    or that the rules for what it owes were revised since (`revision`)."""

    facts: list[str]
    now_asked: list[Question]
    no_longer_asked: list[Question]
    revision: RulesRevision | None = None


FACT_LABELS = {
    "contract_type": "type of contract",
    "category": "category",
    "value_pence": "whole-life value",
    "light_touch": "light-touch regime",
    "framework": "framework",
}


def context_change(draft: Draft) -> ContextChange | None:
    """What changed since the task list was last reviewed; None when nothing did."""
    seen = draft.assessment.context_seen
    now = _context_facts(draft.context)
    facts = [FACT_LABELS[name] for name in now if seen.get(name) != now[name]]
    revision = OBLIGATION_RULES if seen.get(RULES_SEEN) != OBLIGATION_RULES.marker else None
    if not facts:
        return None if revision is None else ContextChange([], [], [], revision)
    before_context = replace(draft.context, **{k: v for k, v in seen.items() if k in now})
    if seen.get("category") != now["category"]:
        before_context = replace(before_context, topic_relevance={})
    before_context = with_threshold(before_context, draft.reference)
    before = walk(draft.definition, before_context, draft.raw_answers).shown_ids
    after = draft.walk.shown_ids
    questions = draft.definition.questions
    return ContextChange(
        facts=facts,
        now_asked=[q for q in questions if q.id in after - before],
        no_longer_asked=[q for q in questions if q.id in before - after],
        revision=revision,
    )


def acknowledge_change(session: Session, draft: Draft) -> None:
    """The lead has seen what changed: stop showing it."""
    draft.assessment.context_seen = _seen(draft.context)
    commit_edit(session, draft.assessment)


def upgrade(session: Session, user: User, draft: Draft, newer: FormDefinition) -> Move:
    """Move the draft to a newer form version (app/forms/moving.py says what happens to each
    answer): dropped answers are deleted, narrowed ones saved without the options gone."""
    if (newer.id, newer.version) == (draft.definition.id, draft.definition.version):
        raise InvalidInput({"version": "The draft already uses this version"})
    move = plan_move(draft.definition, newer, draft.raw_answers)
    act_as(session, Actor.of(user))
    for question in move.dropped:
        row = session.get(AssessmentAnswer, (draft.assessment.id, question.id))
        if row is not None:
            session.delete(row)
    for narrowed in move.narrowed:
        row = session.get(AssessmentAnswer, (draft.assessment.id, narrowed.question.id))
        if row is not None:
            row.raw = narrowed.raw
            row.updated_at = utcnow()
    draft.assessment.form_version = newer.version
    draft.assessment.updated_at = utcnow()
    commit_edit(session, draft.assessment)
    return move


@dataclass(frozen=True)
class Progress:
    """Each question task's status and the KPI task's, counted as the task list counts them."""

    statuses: dict[str, TaskStatus]
    kpis: TaskStatus

    @property
    def applicable(self) -> int:
        every = [*self.statuses.values(), self.kpis]
        return sum(status is not TaskStatus.NOT_APPLICABLE for status in every)

    @property
    def completed(self) -> int:
        return sum(
            status is TaskStatus.COMPLETED for status in [*self.statuses.values(), self.kpis]
        )


def progress(draft: Draft, kpi_status: TaskStatus, result: Result) -> Progress:
    """How far the draft has got: every task, the KPI task included. A task holding a question
    that a blocker waits on (a high modern slavery risk with no mitigation action) is never
    completed while the blocker stands."""
    walked = draft.walk
    blocked = frozenset(qid for qid, _ in result.blocked_questions)
    statuses = {}
    for task in draft.definition.tasks:
        status = walked.status(task)
        if status is TaskStatus.COMPLETED and any(q.id in blocked for q in task.questions):
            status = TaskStatus.IN_PROGRESS
        statuses[task.id] = status
    return Progress(statuses, kpi_status)
