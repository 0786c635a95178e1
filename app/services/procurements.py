"""Procurements: recording them, editing without losing anyone's changes, and who may do what.

Everyone signed in may read every procurement. Its lead officer, the collaborators they add and
administrators may edit it; approvers and administrators may hand it to another lead officer.
Nothing is deleted: a procurement recorded in error is withdrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, exists, func, select

from app.db import one_at_a_time
from app.errors import InvalidInput
from app.models import (
    KpiDutyException,
    Procurement,
    ProcurementCollaborator,
    ProcurementInvolvement,
    ProcurementStatus,
    Role,
    User,
)
from app.scoring.obligations import Obligation, on_the_record, primas_requirement
from app.services.assessments import open_draft, procurement_context
from app.services.audit import Actor, act_as
from app.services.procurement_form import (
    FIELD_LABELS,
    ProcurementFacts,
    ProcurementValues,
    describe_value,
    validate,
)
from app.services.reference_data import load_reference_data
from app.timeutil import utcnow

REFERENCE_PREFIX = "PRC"
WITHDRAW_REASON_MAX = 500


@dataclass(frozen=True)
class FieldChange:
    """A field someone else changed while this editor had the form open."""

    field: str
    label: str
    was: str  # when the editor opened the form
    theirs: str  # as the other person saved it
    in_form: str  # what the editor's form now holds: theirs, or the editor's own change
    you_changed: bool  # the editor changed it too, so their entry is kept over the other's


class EditConflict(Exception):
    """Someone else saved the procurement after this editor opened it.

    `changes` are the fields the other person changed (empty when we could not tell: the
    values the editor started from were missing or no longer valid). The page shows the
    editor's own changes kept, and the other person's wherever the editor left a field as it
    was, so saving again loses neither.
    """

    def __init__(self, current: Procurement, changes: list[FieldChange]) -> None:
        super().__init__(f"{current.reference} changed since it was opened")
        self.current = current
        self.changes = changes


def get_by_reference(session: Session, reference: str) -> Procurement | None:
    """The procurement with this reference, if any."""
    return session.exec(select(Procurement).where(Procurement.reference == reference)).first()


def collaborator_ids(session: Session, procurement: Procurement) -> set[int]:
    """The users the lead officer has added as collaborators."""
    rows = session.exec(
        select(ProcurementCollaborator.user_id).where(
            ProcurementCollaborator.procurement_id == procurement.id
        )
    ).all()
    return set(rows)


def collaborators(session: Session, procurement: Procurement) -> list[User]:
    """The collaborators, by name."""
    ids = collaborator_ids(session, procurement)
    if not ids:
        return []
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return sorted(users, key=lambda user: user.name.lower())


def can_edit(session: Session, user: User, procurement: Procurement) -> bool:
    """The lead officer, a collaborator or an administrator may edit an active procurement."""
    if procurement.status != ProcurementStatus.ACTIVE:
        return False
    return (
        user.has_role(Role.ADMIN)
        or user.id == procurement.lead_officer_id
        or user.id in collaborator_ids(session, procurement)
    )


def can_reassign(user: User) -> bool:
    """Approvers and administrators may give a procurement to another lead officer."""
    return user.has_role(Role.APPROVER) or user.has_role(Role.ADMIN)


def is_lead_officer_or_admin(user: User, procurement: Procurement) -> bool:
    """The lead officer (and administrators) choose who collaborates, and may withdraw it."""
    return procurement.status == ProcurementStatus.ACTIVE and (
        user.id == procurement.lead_officer_id or user.has_role(Role.ADMIN)
    )


def may_lead(user: User) -> bool:
    """Category leads and approvers (who can do all a lead can) lead procurements."""
    return user.active and (user.has_role(Role.LEAD) or user.has_role(Role.APPROVER))


def lead_officer_choices(session: Session) -> list[User]:
    """Active users who may lead or collaborate on a procurement, by name."""
    users = session.exec(select(User).where(col(User.active).is_(True))).all()
    return sorted((user for user in users if may_lead(user)), key=lambda user: user.name.lower())


def lead_officers_to_filter_by(session: Session) -> list[User]:
    """Everyone who leads a procurement, or may (deactivated lead officers included), by name."""
    # One index probe a person, not a read of every procurement.
    leads = exists().where(col(Procurement.lead_officer_id) == col(User.id))
    users = session.exec(select(User, leads.label("leads"))).all()
    chosen = (user for user, leading in users if leading or may_lead(user))
    return sorted(chosen, key=lambda user: user.name.lower())


def _next_reference(session: Session, year: int) -> str:
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    # Numbers are zero-padded to four digits and grow longer past 9999, so the longest
    # reference, then the highest, is the latest.
    latest = session.exec(
        select(Procurement.reference)
        .where(col(Procurement.reference).startswith(prefix))
        .order_by(func.length(Procurement.reference).desc(), col(Procurement.reference).desc())
        .limit(1)
    ).first()
    number = int(latest.removeprefix(prefix)) + 1 if latest else 1
    return f"{prefix}{number:04d}"


def create(session: Session, author: User, facts: ProcurementFacts, *, today: date) -> Procurement:
    """Record a new procurement led by its author, with the next free reference. InvalidInput
    names each fact at fault."""
    return _record(session, Actor.of(author), author, facts, today)


def record_for(
    session: Session,
    actor: Actor,
    lead_email: str,
    facts: ProcurementFacts,
    *,
    today: date,
    also: Callable[[Procurement], None] | None = None,
) -> Procurement:
    """Record a new procurement for the lead officer named by their email address (the API's
    way: `actor` is the client); `also` writes more in the same transaction (the API names it
    on the request's idempotency key). InvalidInput names each fact at fault, `lead_officer`
    too."""
    lead = _lead_by_email(session, lead_email)
    try:
        values = validate(session, facts)
    except InvalidInput as invalid:
        if lead is None:
            raise InvalidInput(invalid.errors | {"lead_officer": NO_SUCH_LEAD}) from None
        raise
    if lead is None:
        raise InvalidInput({"lead_officer": NO_SUCH_LEAD})
    return _record(session, actor, lead, facts, today, values, also)


NO_SUCH_LEAD = "Give the email address of an active category lead"


def _lead_by_email(session: Session, email: str) -> User | None:
    found = session.exec(
        select(User).where(func.lower(col(User.email)) == email.strip().lower(), col(User.active))
    ).first()
    return found if found is not None and may_lead(found) else None


def _record(session: Session, actor: Actor, lead: User, facts: ProcurementFacts, today: date,
            values: ProcurementValues | None = None,
            also: Callable[[Procurement], None] | None = None) -> Procurement:  # fmt: skip
    values = values or validate(session, facts)
    assert lead.id is not None
    act_as(session, actor)
    for _attempt in range(5):  # two people recording at once may race for a reference
        one_at_a_time(session, "procurement reference")  # they take turns instead
        procurement = Procurement(
            **asdict(values),
            reference=_next_reference(session, today.year),
            lead_officer_id=lead.id,
            created_by_id=lead.id if actor.user_id is None else actor.user_id,
        )
        session.add(procurement)
        try:
            session.flush()
        except IntegrityError as error:
            session.rollback()
            if "reference" not in str(error.orig):
                raise
            continue
        _involve(session, procurement, lead, "lead officer")
        if also is not None:
            also(procurement)
        session.commit()
        session.refresh(procurement)
        return procurement
    raise RuntimeError("could not allocate a procurement reference")


def _involve(session: Session, procurement: Procurement, user: User, role: str) -> None:
    """Record that `user` has a hand in the procurement (once; the first way is kept)."""
    if session.get(ProcurementInvolvement, (procurement.id, user.id)) is None:
        session.add(ProcurementInvolvement(procurement_id=procurement.id, user_id=user.id,  # type: ignore[arg-type]
                                           role=role))  # fmt: skip


def involved_user_ids(session: Session, procurement: Procurement) -> set[int]:
    """Everyone who has had a hand in the procurement, as lead officer or collaborator, now or
    before: the people who may not approve its assessment."""
    rows = session.exec(
        select(ProcurementInvolvement.user_id).where(
            ProcurementInvolvement.procurement_id == procurement.id
        )
    ).all()
    return set(rows)


def _stored(procurement: Procurement) -> dict[str, Any]:
    return {name: getattr(procurement, name) for name in FIELD_LABELS if name != "lead_officer_id"}


def _changes(
    session: Session, base: dict[str, Any], current: Procurement, yours: ProcurementValues
) -> list[FieldChange]:
    """The fields someone else changed since the editor opened the form."""
    theirs, mine = _stored(current), asdict(yours)
    changes = []
    for name in theirs:
        if name not in base or base[name] == theirs[name]:
            continue
        you_changed = mine[name] != base[name]
        changes.append(
            FieldChange(
                field=name,
                label=FIELD_LABELS[name],
                was=describe_value(session, name, base[name]),
                theirs=describe_value(session, name, theirs[name]),
                in_form=describe_value(session, name, mine[name] if you_changed else theirs[name]),
                you_changed=you_changed,
            )
        )
    return changes


def base_values(session: Session, base: ProcurementFacts | None) -> dict[str, Any]:
    """The values the editor started from, where they are still valid."""
    if base is None:
        return {}
    try:
        return asdict(validate(session, base))
    except InvalidInput:
        return {}


def _conflict(
    session: Session, current: Procurement, values: ProcurementValues, started: dict[str, Any]
) -> EditConflict:
    if not started:  # cannot tell what they changed: the page keeps everything the editor typed
        return EditConflict(current, [])
    return EditConflict(current, _changes(session, started, current, values))


def update(
    session: Session,
    editor: User | Actor,
    procurement: Procurement,
    facts: ProcurementFacts,
    *,
    version: int,
    base: ProcurementFacts | None,
) -> Procurement:
    """Save an edit made to `version`, from `base` (the facts the editor started from);
    EditConflict if someone changed a fact meanwhile, InvalidInput naming each fact at fault.

    A newer version that changed none of the form's fields (a new lead officer, say) is no
    conflict: there is nothing of theirs to lose, so the edit is saved.
    """
    values = validate(session, facts)
    if procurement.version != version:
        started = base_values(session, base)
        if not started or _changes(session, started, procurement, values):
            raise _conflict(session, procurement, values, started)
    act_as(session, editor if isinstance(editor, Actor) else Actor.of(editor))
    for name, value in asdict(values).items():
        setattr(procurement, name, value)
    if not session.is_modified(procurement):
        return procurement
    procurement.updated_at = utcnow()
    try:
        session.commit()
    except StaleDataError:  # saved by someone else between our read and our write
        session.rollback()
        current = session.get(Procurement, procurement.id, populate_existing=True)
        assert current is not None
        raise _conflict(session, current, values, base_values(session, base)) from None
    session.refresh(procurement)
    return procurement


def withdraw(session: Session, editor: User, procurement: Procurement, reason: str) -> None:
    """Mark a procurement recorded in error as withdrawn; it stays on record, with the reason."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput({"reason": "Enter why the procurement is being withdrawn"})
    if len(reason) > WITHDRAW_REASON_MAX:
        raise InvalidInput({"reason": f"Reason must be {WITHDRAW_REASON_MAX} characters or fewer"})
    act_as(session, Actor.of(editor))
    procurement.status = ProcurementStatus.WITHDRAWN.value
    procurement.withdrawn_reason = reason
    procurement.updated_at = utcnow()
    session.commit()


def reassign_lead_officer(
    session: Session, approver: User, procurement: Procurement, user_id: int | None
) -> None:
    """Give the procurement to another active category lead (InvalidInput `lead_officer` for
    anyone else, or None)."""
    chosen = next((u for u in lead_officer_choices(session) if u.id == user_id), None)
    if chosen is None:
        raise InvalidInput({"lead_officer": "Select who will lead the procurement"})
    if chosen.id == procurement.lead_officer_id:
        return  # no change, so no new version to trip anyone's edit
    act_as(session, Actor.of(approver))
    procurement.lead_officer_id = chosen.id  # type: ignore[assignment]
    procurement.updated_at = utcnow()
    _involve(session, procurement, chosen, "lead officer")
    # The new lead officer is no longer also a collaborator.
    already = session.get(ProcurementCollaborator, (procurement.id, chosen.id))
    if already is not None:
        session.delete(already)
    session.commit()


def add_collaborator(
    session: Session, lead: User, procurement: Procurement, user_id: int | None
) -> User:
    """Let a colleague edit the procurement too (InvalidInput `collaborator` for anyone who
    cannot, or None)."""
    taken = collaborator_ids(session, procurement) | {procurement.lead_officer_id}
    chosen = next(
        (u for u in lead_officer_choices(session) if u.id == user_id and u.id not in taken),
        None,
    )
    if chosen is None:
        raise InvalidInput(
            {"collaborator": "Select a colleague who is not already working on this procurement"}
        )
    act_as(session, Actor.of(lead))
    session.add(ProcurementCollaborator(procurement_id=procurement.id, user_id=chosen.id))  # type: ignore[arg-type]
    _involve(session, procurement, chosen, "collaborator")
    session.commit()
    return chosen


def remove_collaborator(
    session: Session, lead: User, procurement: Procurement, user_id: int
) -> bool:
    """Stop a colleague editing the procurement; False if they were not a collaborator."""
    row = session.get(ProcurementCollaborator, (procurement.id, user_id))
    if row is None:
        return False
    act_as(session, Actor.of(lead))
    session.delete(row)
    session.commit()
    return True


def what_it_owes(session: Session, procurement: Procurement) -> Obligation:
    """Whether it needs a full PRIMAS or falls under Think Local, and why."""
    return primas_requirement(
        procurement.value_pence, procurement.planned_tender_date, load_reference_data(session)
    )


def owed_on_the_record(session: Session, procurement: Procurement) -> tuple[Obligation, ...]:
    """Every obligation the record alone decides (the others need the PRIMAS answers), with the
    open draft's recorded reason for setting no KPIs, if it has one."""
    reference = load_reference_data(session)
    draft = open_draft(session, procurement)
    recorded = session.get(KpiDutyException, draft.id) if draft is not None else None
    exception = recorded.reason if recorded is not None and recorded.reason else None
    context = procurement_context(session, procurement, reference)
    return on_the_record(context, reference, exception)
