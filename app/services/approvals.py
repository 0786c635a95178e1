"""Approval: submitting a complete PRIMAS, taking it back, and an approver's decision on it.

Every change of status goes through `_move`, which asks the state table (app/scoring/approval.py)
and refuses what it does not allow (409, with its reason). Of two changes racing on one revision
(approve and return, or a submission and an edit) only one is written: the assessment row's
`status_version` is checked by every UPDATE of it (models/assessments.py). Nobody decides on a
revision they had a hand in (`hand_in_it`), admins included. docs/approval.md has the rules.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, func, select

from app.errors import InvalidInput, PrimasError
from app.forms.journey import TaskStatus
from app.models import (
    OPEN_STATUSES,
    ApprovedRecord,
    Assessment,
    AssessmentAnswer,
    AssessmentContributor,
    AssessmentDecision,
    AuditEvent,
    Category,
    KpiDutyException,
    KpiSelection,
    OutboxMessage,
    Procurement,
    ProcurementCollaborator,
    Role,
    ScoreOverride,
    User,
)
from app.scoring.approval import Action, Refused, State, after
from app.scoring.catalogue import Catalogue
from app.scoring.results import Result
from app.services import assessments, contract_kpis, kpis, outbox, records, scoring
from app.services.assessments import Draft
from app.services.audit import Actor, act_as, current_actor, record_event
from app.timeutil import is_working_day, to_london, utcnow, working_days_after

MAX_COMMENT = 4000
DECLARATION = "I confirm the answers are correct to the best of my knowledge"


@dataclass(frozen=True)
class Missing:
    """Something to do before the assessment can be submitted, and where it is done: a
    question (`task_id` and `question_id`), the KPI task (`kpi_anchor`), or the task list's
    review of the procurement's changes (`review`)."""

    text: str
    task_id: str = ""
    question_id: str = ""
    kpi_anchor: str = ""
    review: bool = False


class Incomplete(Exception):
    """The assessment cannot be submitted yet: what is missing, in task order."""

    def __init__(self, missing: list[Missing]) -> None:
        super().__init__("; ".join(item.text for item in missing))
        self.missing = missing


def missing(session: Session, draft: Draft, today: date) -> list[Missing]:
    """What must be done before the draft can be submitted: the procurement's changes reviewed,
    every shown required question answered and every answer valid, every blocker cleared (a
    mitigation action for a high modern slavery risk), and the KPI task complete."""
    found: list[Missing] = []
    if assessments.context_change(draft) is not None:
        found.append(Missing("Review how the procurement's changes affect the questions",
                             review=True))  # fmt: skip
    work = kpis.work(session, draft, today)
    blocked = dict(work.result.blocked_questions)
    walked = draft.walk
    for task in walked.applicable_tasks():
        errors = walked.errors_in(task, finishing=True)
        for question in walked.questions_in(task):
            message = errors.get(question.id) or next(
                (text for key, text in errors.items() if key.startswith(question.id + ".")), ""
            )
            message = message or blocked.get(question.id, "")
            if message:
                found.append(Missing(f"{task.title}: {message}", task.id, question.id))
    if work.task.status is not TaskStatus.COMPLETED:
        problems = work.task.problems or ()
        found += [Missing(f"KPIs: {problem.message}", kpi_anchor=problem.anchor)
                  for problem in problems]  # fmt: skip
        if not problems:
            found.append(Missing("KPIs: complete the KPI task", kpi_anchor="kpis"))
    return found


def _move(session: Session, assessment: Assessment, action: Action, seen_version: int) -> State:
    """The state `action` moves the assessment to, or a 409: the table refuses it, or the
    assessment changed status since the page that asked was drawn."""
    moved = after(State(assessment.status), action)
    if isinstance(moved, Refused):
        raise PrimasError(409, _REFUSED_TITLE[action], moved.reason)
    if seen_version != assessment.status_version:
        raise PrimasError(
            409,
            "This PRIMAS has changed since the page was opened",
            "Someone submitted, took back or decided on it meanwhile. Nothing you sent has been "
            "saved: look at it again before you carry on.",
        )
    return moved


_REFUSED_TITLE = {
    Action.SUBMIT: "This PRIMAS cannot be submitted",
    Action.TAKE_BACK: "This PRIMAS cannot be taken back",
    Action.APPROVE: "This PRIMAS cannot be approved",
    Action.RETURN: "This PRIMAS cannot be returned",
    Action.AMEND: "This PRIMAS cannot be amended",
    Action.DISCARD: "This PRIMAS cannot be discarded",
    Action.EDIT: "This PRIMAS cannot be changed",
    Action.SUPERSEDE: "This PRIMAS cannot be superseded",
}


def _commit_move(session: Session, assessment: Assessment, state: State) -> None:
    assessment.status = state.value
    assessment.status_version += 1  # checked by the UPDATE: of two racing, one is written
    assessment.updated_at = utcnow()
    session.add(assessment)
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise PrimasError(
            409,
            "Someone else got there first",
            "This PRIMAS was submitted, taken back or decided on by someone else at the same "
            "moment, so nothing you sent has been saved. Look at it again before you carry on.",
        ) from None


def _in_history(session: Session, assessment: Assessment, action: str, comment: str = "") -> None:
    """The change of status in the procurement's history, in the same transaction."""
    detail: dict[str, object] = {"revision": assessment.revision, "assessment": assessment.id}
    if comment:
        detail["comment"] = comment
    record_event(session, action, entity_type="procurement", entity_id=assessment.procurement_id,
                 detail=detail)  # fmt: skip


def _lead_only(user: User, procurement: Procurement, doing: str) -> None:
    if user.id != procurement.lead_officer_id:
        raise PrimasError(403, f"Only the lead officer can {doing} this PRIMAS",
                          "Ask the procurement's lead officer to do it.")  # fmt: skip


def submit(
    session: Session,
    user: User,
    procurement: Procurement,
    draft: Draft,
    *,
    declared: bool,
    seen_version: int,
    today: date,
) -> None:
    """The lead officer submits a complete draft (or returned assessment) for a decision, having
    confirmed the declaration (InvalidInput `declaration`); Incomplete lists what is missing."""
    assessment = draft.assessment
    state = _move(session, assessment, Action.SUBMIT, seen_version)
    _lead_only(user, procurement, "submit")
    if not declared:
        raise InvalidInput({"declaration": "Confirm that the answers are correct to the best "
                                           "of your knowledge"})  # fmt: skip
    found = missing(session, draft, today)
    if found:
        raise Incomplete(found)
    act_as(session, Actor.of(user))
    assessment.submitted_by_id = user.id
    assessment.submitted_at = utcnow()
    assessment.submitted_digest = _digest(current_content(session, draft, today))
    _in_history(session, assessment, "primas.submitted")
    outbox.enqueue(session, "primas.submitted", _deciders(session, assessment),
                   _facts(procurement, assessment, user, "decision"))  # fmt: skip
    _commit_move(session, assessment, state)


def take_back(session: Session, user: User, procurement: Procurement, assessment: Assessment,
              *, seen_version: int) -> None:  # fmt: skip
    """The lead officer takes a submission back to draft before it is decided."""
    state = _move(session, assessment, Action.TAKE_BACK, seen_version)
    _lead_only(user, procurement, "take back")
    act_as(session, Actor.of(user))
    _in_history(session, assessment, "primas.taken_back")
    _commit_move(session, assessment, state)


def hand_in_it(session: Session, user: User, assessment: Assessment) -> str | None:
    """Why `user` may not decide on the revision, or None: since it started they were the
    procurement's lead officer or a collaborator (now, or as the audit log records), or they
    changed its answers, overrides, KPI decisions or the procurement's facts."""
    procurement = session.get(Procurement, assessment.procurement_id)
    assert procurement is not None and user.id is not None
    if user.id == procurement.lead_officer_id:
        return "you are its lead officer"
    if session.get(ProcurementCollaborator, (procurement.id, user.id)) is not None:
        return "you work on it as a collaborator"
    if session.get(AssessmentContributor, (assessment.id, user.id)) is not None:
        return "you changed it (its answers, judgements, KPIs or the procurement's details)"
    events = session.exec(
        select(AuditEvent).where(
            col(AuditEvent.occurred_at) >= assessment.created_at,
            (
                (col(AuditEvent.entity_type) == "procurement")
                & (col(AuditEvent.entity_id) == str(procurement.id))
            )
            | (
                (col(AuditEvent.entity_type) == "procurement_collaborator")
                & (col(AuditEvent.entity_id) == f"{procurement.id},{user.id}")
            ),
        )
    ).all()
    for found in events:
        if found.entity_type == "procurement_collaborator":
            return "you worked on it as a collaborator since this revision started"
        leads = found.detail.get("values", {}).get("lead_officer_id", [])
        if user.id in leads:
            return "you were its lead officer since this revision started"
    return None


def refuse_if_involved(
    session: Session, user: User, assessment: Assessment, action: Action
) -> None:
    """403, written to the audit log, for anyone who had a hand in the revision (no bypass)."""
    why = hand_in_it(session, user, assessment)
    if why is None:
        return
    record_event(session, "approval.refused", actor=Actor.of(user), entity_type="assessment",
                 entity_id=assessment.id, detail={"action": action.value, "why": why})  # fmt: skip
    session.commit()
    raise PrimasError(
        403,
        "You cannot decide on this PRIMAS",
        f"An approver who had no hand in it must decide: {why}.",
    )


def decide(
    session: Session,
    user: User,
    draft: Draft,
    *,
    approve: bool,
    comment: str,
    points: list[str],
    seen_version: int,
    signing_key: str,
    today: date,
) -> AssessmentDecision:
    """An approver approves the submitted revision (an optional comment) or returns it (a
    comment saying what must change, InvalidInput `comment` without one), the comment pointing at
    `points` (`check_points`). Approval freezes the signed record (records.py) in the same
    transaction, and supersedes the revision approved before it. Refused with 403,
    and written to the audit log, for anyone who had a hand in it (`hand_in_it`)."""
    assessment = draft.assessment
    action = Action.APPROVE if approve else Action.RETURN
    state = _move(session, assessment, action, seen_version)
    if not user.has_role(Role.APPROVER):
        raise PrimasError(403, "Only an approver can decide on a PRIMAS")
    refuse_if_involved(session, user, assessment, action)
    comment = comment.strip()
    if not approve and not comment:
        raise InvalidInput({"comment": "Enter a comment saying what must change"})
    if len(comment) > MAX_COMMENT:
        raise InvalidInput({"comment": f"Comment must be {MAX_COMMENT:,} characters or fewer"})
    points = check_points(draft, points) if not approve else []
    procurement = session.get(Procurement, assessment.procurement_id)
    assert procurement is not None
    if procurement.status != "active":
        raise PrimasError(409, _REFUSED_TITLE[action], "The procurement has been withdrawn.")
    act_as(session, Actor.of(user))
    seen = current_content(session, draft, today)
    if approve and _digest(seen) != assessment.submitted_digest:
        raise PrimasError(
            409,
            "This PRIMAS has changed since it was submitted",
            "The procurement's details, or the rates and thresholds it is worked out with, "
            "changed after its lead officer submitted it, so what you would approve is not what "
            "they submitted. Return it so that they can review it and submit it again.",
        )
    decision = AssessmentDecision(
        assessment_id=assessment.id,  # type: ignore[arg-type]
        outcome="approved" if approve else "returned",
        comment=comment,
        points=points,
        decided_by_id=user.id,  # type: ignore[arg-type]
        seen=records.canonical(seen).decode(),
    )
    session.add(decision)
    if approve:
        _freeze(session, user, draft, seen, comment, signing_key)
    _in_history(session, assessment, f"primas.{decision.outcome}", comment=comment)
    page = "record" if approve else "task list"
    outbox.enqueue(session, f"primas.{decision.outcome}", _people_on(session, procurement),
                   _facts(procurement, assessment, user, page, comment))  # fmt: skip
    _commit_move(session, assessment, state)
    return decision


def _facts(procurement: Procurement, assessment: Assessment, actor: User, page: str,
           comment: str = "") -> dict[str, Any]:  # fmt: skip
    """What a message about the revision says: never its answers, at most a comment's first
    line; `page` is where to look ("decision", "record" or "task list")."""
    return {"reference": procurement.reference, "title": procurement.title,
            "revision": assessment.revision, "by": actor.name, "page": page,
            "comment": outbox.first_line(comment)}  # fmt: skip


def _deciders(session: Session, assessment: Assessment) -> list[str]:
    """The addresses of every active approver who may decide on the revision."""
    return [user.email for user in _deciding(session, assessment)]


def _deciding(session: Session, assessment: Assessment) -> list[User]:
    """Every active approver who may decide on the revision."""
    approvers = session.exec(select(User).where(col(User.active))).all()
    deciding = [user for user in approvers if user.has_role(Role.APPROVER)]
    return [user for user in deciding if hand_in_it(session, user, assessment) is None]


REMINDER_HOUR = 8  # reminders go from 8am London time on working days


def remind_waiting(session: Session, now: datetime, after_working_days: int) -> int:
    """Remind the approvers who may decide on each submission waiting more than
    `after_working_days` working days (and who have not turned reminders off): once a working
    day at most, from 8am London time. A reminder's Message-ID names the revision and the day,
    so however many senders look, each day's is written once. Returns how many were written."""
    local = to_london(now)
    today = local.date()
    if not is_working_day(today) or local.hour < REMINDER_HOUR:
        return 0
    rows = session.exec(
        select(Assessment, Procurement)
        .join(Procurement, col(Procurement.id) == col(Assessment.procurement_id))
        .where(col(Assessment.status) == "submitted", col(Procurement.status) == "active")
        .order_by(col(Assessment.submitted_at), col(Assessment.id))
    ).all()
    written = 0
    for assessment, procurement in rows:
        assert assessment.submitted_at is not None
        submitted_on = to_london(assessment.submitted_at).date()
        waited = working_days_after(submitted_on, today)
        message_id = f"<waiting-{assessment.id}-{today.isoformat()}@primas>"
        if (
            waited <= after_working_days
            or session.exec(
                select(OutboxMessage.id).where(col(OutboxMessage.message_id) == message_id)
            ).first()
        ):
            continue
        submitter = session.get(User, assessment.submitted_by_id)
        assert submitter is not None
        facts = _facts(procurement, assessment, submitter, "decision") | {
            "submitted_on": submitted_on.isoformat(),
            "working_days": waited,
        }
        to = [user.email for user in _deciding(session, assessment) if user.mail_reminders]
        if not outbox.enqueue(session, "primas.waiting", to, facts, message_id=message_id,
                              now=now):  # fmt: skip
            continue
        try:
            session.commit()
            written += 1
        except IntegrityError:  # another sender wrote today's reminder first
            session.rollback()
    return written


def _people_on(session: Session, procurement: Procurement) -> list[str]:
    """The addresses of the procurement's lead officer and collaborators."""
    ids = {procurement.lead_officer_id} | {
        row.user_id for row in session.exec(
            select(ProcurementCollaborator).where(
                col(ProcurementCollaborator.procurement_id) == procurement.id)
        )
    }  # fmt: skip
    people = session.exec(select(User).where(col(User.id).in_(ids), col(User.active))).all()
    return [user.email for user in people]


def _digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(records.canonical(content)).hexdigest()


def current_content(session: Session, draft: Draft, today: date) -> dict[str, Any]:
    """The revision as it stands, in the signed record's layout (without a decision)."""
    procurement = session.get(Procurement, draft.assessment.procurement_id)
    assert procurement is not None
    work = kpis.work(session, draft, today)
    return records.snapshot(session, procurement, draft, work.result, work.task)


def _freeze(
    session: Session, approver: User, draft: Draft, seen: dict[str, Any], comment: str, key: str
) -> None:
    """The signed record of the approval (what the approver saw, with their decision), and the
    revision it replaces superseded (the caller commits both with the change of status)."""
    assessment = draft.assessment
    assert approver.id is not None and assessment.id is not None
    now = utcnow()
    content = {**seen, "decision": {
        "approved_by": {"name": approver.name, "email": approver.email},
        "approved_at": now.isoformat(),
        "comment": comment,
    }}  # fmt: skip
    text, digest, signed = records.seal(content, key)
    contract_kpis.record_approved(session, assessment.procurement_id, assessment.revision, content,
                                  draft.catalogue.kpis, to_london(now).date())  # fmt: skip
    session.add(ApprovedRecord(
        assessment_id=assessment.id, procurement_id=assessment.procurement_id,
        revision=assessment.revision,
        approved_by_id=approver.id, approved_at=now, content=text, sha256=digest, signature=signed,
    ))  # fmt: skip
    earlier = session.exec(
        select(Assessment).where(
            col(Assessment.procurement_id) == assessment.procurement_id,
            col(Assessment.status) == "approved",
            col(Assessment.id) != assessment.id,
        )
    ).all()
    for before in earlier:  # in force until now
        moved = after(State(before.status), Action.SUPERSEDE)
        assert not isinstance(moved, Refused)
        before.status = moved.value
        before.status_version += 1
        before.updated_at = now
        session.add(before)


# Who changed a revision: recorded as part of the same flush as the change, whichever service
# made it, so a new way of changing an assessment cannot forget it.
_CONTENT = (AssessmentAnswer, ScoreOverride, KpiSelection, KpiDutyException)
# A procurement's columns that are not facts its PRIMAS depends on.
NOT_FACTS = frozenset({
    "id", "reference", "lead_officer_id", "status", "withdrawn_reason", "version",
    "created_by_id", "created_at", "updated_at", "search_text",
})  # fmt: skip


def _contributions(session: OrmSession, _flush: UOWTransaction) -> None:
    # after_flush, as the audit log's: the session still lists what this flush wrote (and each
    # attribute's history), and nothing is written before the change itself.
    actor = current_actor(session)
    if actor.user_id is None:
        return
    changed: set[int] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, _CONTENT):
            changed.add(instance.assessment_id)
        elif isinstance(instance, Assessment) and instance.id is not None:
            state = inspect(instance)
            # Moved to newer questions, or the procurement's changes reviewed: a hand in it.
            if any(state.attrs[name].history.has_changes()
                   for name in ("form_version", "context_seen")):  # fmt: skip
                changed.add(instance.id)
        elif isinstance(instance, Procurement) and instance.id is not None:
            state = inspect(instance)
            facts = [name for name in state.mapper.column_attrs.keys() if name not in NOT_FACTS]
            if not any(state.attrs[name].history.has_changes() for name in facts):
                continue  # handed to another lead officer, withdrawn: not its facts
            open_ids = (
                session.connection()
                .execute(
                    select(Assessment.id).where(
                        col(Assessment.procurement_id) == instance.id,
                        col(Assessment.status).in_(OPEN_STATUSES),
                    )
                )
                .scalars()
            )
            changed.update(open_ids)
    if not changed:
        return
    dialect = session.get_bind().dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [{"assessment_id": assessment_id, "user_id": actor.user_id, "since": now}
            for assessment_id in sorted(changed)]  # fmt: skip
    statement = insert(AssessmentContributor).values(rows).on_conflict_do_nothing()
    session.connection().execute(statement)


def install_contribution_hooks() -> None:
    """Record who changed each revision on every flush of every session (idempotent)."""
    if not event.contains(OrmSession, "after_flush", _contributions):
        event.listen(OrmSession, "after_flush", _contributions)


@dataclass(frozen=True)
class Standing:
    """Where a revision stands, for the pages: who submitted it and when, and the latest
    decision on it (the comments of a return, for the lead to act on) with who made it."""

    status: str
    submitted_by: str
    submitted_at: datetime | None
    decision: AssessmentDecision | None
    decided_by: str

    def comment_on(self, *points: str) -> str:
        """The return's comment when it points at any of `points` ("task:..", "kpis")."""
        if self.status != "returned" or self.decision is None:
            return ""
        return self.decision.comment if set(points) & set(self.decision.points) else ""


def standing(session: Session, assessment: Assessment) -> Standing:
    decision = session.exec(
        select(AssessmentDecision)
        .where(col(AssessmentDecision.assessment_id) == assessment.id)
        .order_by(col(AssessmentDecision.id).desc())
    ).first()
    names = {
        user.id: user.name
        for user in session.exec(
            select(User).where(
                col(User.id).in_(
                    [assessment.submitted_by_id, decision.decided_by_id if decision else None]
                )  # fmt: skip
            )
        )
    }
    return Standing(
        status=assessment.status,
        submitted_by=names.get(assessment.submitted_by_id, ""),
        submitted_at=assessment.submitted_at,
        decision=decision,
        decided_by=names.get(decision.decided_by_id, "") if decision else "",
    )


def check_points(draft: Draft, points: list[str]) -> list[str]:
    """The places a return's comment points at, each a task of the form ("task:<id>"), one
    of its questions ("question:<id>") or the KPI task ("kpis"); InvalidInput `points` for
    anything else."""
    definition = draft.definition
    tasks = {f"task:{task.id}" for task in definition.tasks}
    questions = {f"question:{question.id}" for question in definition.questions}
    unknown = [point for point in points if point not in tasks | questions | {"kpis"}]
    if unknown or len(points) > len(tasks) + len(questions) + 1:
        raise InvalidInput({"points": "Select tasks from the list"})
    return list(dict.fromkeys(points))  # each once, in the order given


@dataclass(frozen=True)
class Waiting:
    """One submitted assessment in the approvers' queue."""

    procurement: Procurement
    assessment: Assessment
    category: str
    lead_officer: str
    result: Result
    overrides: int

    @property
    def applying(self) -> list[str]:
        """The titles of the obligations that apply to it."""
        return [obligation.title for obligation in self.result.obligations if obligation.applies]


def waiting(session: Session, catalogue: Catalogue, today: date) -> list[Waiting]:
    """Every submitted assessment, the longest waiting first, with its result."""
    rows = session.exec(
        select(Assessment, Procurement, Category.name, User.name)
        .join(Procurement, col(Procurement.id) == col(Assessment.procurement_id))
        .join(Category, col(Category.id) == col(Procurement.category_id))
        .join(User, col(User.id) == col(Procurement.lead_officer_id))
        .where(col(Assessment.status) == "submitted", col(Procurement.status) == "active")
        .order_by(col(Assessment.submitted_at), col(Assessment.id))
    ).all()
    found = []
    for assessment, procurement, category, lead in rows:
        draft = assessments.load(session, assessment, catalogue)
        found.append(Waiting(procurement, assessment, category, lead,
                             scoring.result(draft, today), len(draft.overrides)))  # fmt: skip
    return found


def in_force(session: Session, procurement: Procurement) -> Assessment | None:
    """The procurement's approved revision in force, if any."""
    return session.exec(
        select(Assessment).where(
            col(Assessment.procurement_id) == procurement.id,
            col(Assessment.status) == "approved",
        )
    ).first()


def amend(
    session: Session, user: User, procurement: Procurement, approved: Assessment
) -> Assessment:
    """Start revision n+1 from the approved revision n: a draft on n's form version holding
    n's answers, judgements, KPI decisions and KPI duty exception. n stays approved, and in
    force, until n+1 is approved. 409 if n is not the approved revision, or one is open."""
    moved = after(State(approved.status), Action.AMEND)
    if isinstance(moved, Refused):
        raise PrimasError(409, _REFUSED_TITLE[Action.AMEND], moved.reason)
    if assessments.open_draft(session, procurement) is not None:
        raise PrimasError(409, _REFUSED_TITLE[Action.AMEND],
                          "A revision of it is already being worked on or decided.")  # fmt: skip
    act_as(session, Actor.of(user))
    latest = session.exec(
        select(func.max(Assessment.revision)).where(
            col(Assessment.procurement_id) == procurement.id
        )
    ).one()
    revision = Assessment(
        procurement_id=procurement.id,  # type: ignore[arg-type]
        revision=(latest or 0) + 1,
        form_id=approved.form_id,
        form_version=approved.form_version,
        context_seen=approved.context_seen,  # what its lead had seen: changes since are shown
        created_by_id=user.id,  # type: ignore[arg-type]
    )
    session.add(revision)
    session.flush()
    for model in (AssessmentAnswer, ScoreOverride, KpiSelection, KpiDutyException):
        rows = session.exec(select(model).where(col(model.assessment_id) == approved.id)).all()
        for row in rows:
            copied = row.model_dump(exclude={"id", "revision"})
            copied.update(assessment_id=revision.id)  # each still its author's
            session.add(model(**copied))
    _in_history(session, revision, "primas.amended")
    try:
        session.commit()
    except IntegrityError:  # another revision opened at the same moment
        session.rollback()
        raise PrimasError(
            409, _REFUSED_TITLE[Action.AMEND], "A revision of it was started at the same moment."
        ) from None
    session.refresh(revision)
    return revision


@dataclass(frozen=True)
class Mine:
    """One of the PRIMAS a lead works on, with how far it has got."""

    procurement: Procurement
    assessment: Assessment
    completed: int = 0
    applicable: int = 0


@dataclass(frozen=True)
class NeedsYou:
    """What needs a person's attention when they sign in, by what they do: a lead's PRIMAS
    (drafts, returned, waiting for a decision, approved), the approvers' queue, and for an
    administrator the accounts locked after failed sign-ins and the emails marked failed."""

    drafts: list[Mine]
    returned: list[Mine]
    waiting: list[Mine]
    approved: list[tuple[Procurement, ApprovedRecord]]
    queue: int
    oldest_submitted: datetime | None
    locked: list[User]
    failed_mail: int = 0

    @property
    def anything(self) -> bool:
        return bool(self.drafts or self.returned or self.waiting or self.approved
                    or self.queue or self.locked or self.failed_mail)  # fmt: skip


def needs_you(
    session: Session, user: User, catalogue: Catalogue, today: date, locked: list[User]
) -> NeedsYou:
    """What needs `user`: `locked` is the accounts locked now (for an administrator)."""
    theirs = (
        select(Procurement.id)
        .where(col(Procurement.lead_officer_id) == user.id)
        .union(
            select(ProcurementCollaborator.procurement_id).where(
                col(ProcurementCollaborator.user_id) == user.id
            )
        )
    )
    rows = session.exec(
        select(Assessment, Procurement)
        .join(Procurement, col(Procurement.id) == col(Assessment.procurement_id))
        .where(
            col(Procurement.id).in_(theirs),
            col(Procurement.status) == "active",
            col(Assessment.status).in_(OPEN_STATUSES),
        )  # fmt: skip
        .order_by(col(Procurement.planned_tender_date), col(Procurement.id))
    ).all()
    drafts: list[Mine] = []
    returned: list[Mine] = []
    waiting: list[Mine] = []
    for assessment, procurement in rows:
        if assessment.status == "submitted":
            waiting.append(Mine(procurement, assessment))
            continue
        draft = assessments.load(session, assessment, catalogue)
        work = kpis.work(session, draft, today)
        done = assessments.progress(draft, work.task.status, work.result)
        mine = Mine(procurement, assessment, done.completed, done.applicable)
        (returned if assessment.status == "returned" else drafts).append(mine)
    approved = session.exec(
        select(Procurement, ApprovedRecord)
        .join(ApprovedRecord, col(ApprovedRecord.procurement_id) == col(Procurement.id))
        .join(Assessment, col(Assessment.id) == col(ApprovedRecord.assessment_id))
        .where(col(Procurement.id).in_(theirs), col(Assessment.status) == "approved")
        .order_by(col(ApprovedRecord.approved_at).desc())
        .limit(10)
    ).all()
    queue, oldest = 0, None
    if user.has_role(Role.APPROVER):
        queue, oldest = session.exec(
            select(func.count(), func.min(Assessment.submitted_at))
            .join(Procurement, col(Procurement.id) == col(Assessment.procurement_id))
            .where(col(Assessment.status) == "submitted", col(Procurement.status) == "active")
        ).one()
    admin = user.has_role(Role.ADMIN)
    failed_mail = outbox.failed_count(session) if admin else 0
    return NeedsYou(drafts, returned, waiting, [tuple(row) for row in approved], queue,  # type: ignore[misc]
                    oldest, locked if admin else [], failed_mail)  # fmt: skip
