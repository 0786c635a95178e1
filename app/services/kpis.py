"""The KPI task of a draft: the suggestions with the lead's decisions, saving each decision as it
is made (with the same revision check as answers, so two pages never overwrite each other), the
lead's own KPIs, and the specification built from what was accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.inputs import clean_text, format_pounds
from app.models import (
    ContractType,
    DeliveryLocation,
    KpiDutyException,
    KpiSelection,
    Procurement,
    User,
)
from app.scoring.engine import Result
from app.scoring.kpi_choices import (
    FREQUENCIES,
    REASON_MAX,
    Choice,
    CustomKpi,
    KpiRow,
    KpiStatus,
    KpiTask,
    kpi_task,
    missing_target,
    suggestion_text,
    target_problem,
    target_text,
)
from app.scoring.kpis import Kpi, KpiLibrary, suggested_target, with_council_defaults
from app.scoring.suggestions import kpi_duty_minimum, suggest
from app.services import contract_kpis, scoring
from app.services.assessments import Draft, still_editable
from app.services.audit import Actor, act_as
from app.specification import Contract, SupplierAction
from app.timeutil import long_date, utcnow

ACCEPTED = (KpiStatus.ACCEPTED.value, KpiStatus.EDITED.value)
CUSTOM_LIMITS = {"title": 200, "unit": 100, "evidence": 1000}


@dataclass(frozen=True)
class KpiWork:
    """A draft's scoring result and its KPI task, worked out together."""

    result: Result
    task: KpiTask
    library: KpiLibrary  # with the council's default targets in force on the tender date


def _stored(session: Session, draft: Draft) -> tuple[dict[str, Choice], list[CustomKpi]]:
    rows = session.exec(
        select(KpiSelection)
        .where(KpiSelection.assessment_id == draft.assessment.id)
        .order_by(col(KpiSelection.id))
    ).all()
    choices: dict[str, Choice] = {}
    custom: list[CustomKpi] = []
    for row in rows:
        target = Decimal(row.target) if row.target is not None else None
        if row.kpi_code is not None:
            choices[row.kpi_code] = Choice(
                KpiStatus(row.status), target, row.reason, row.revision, row.suggested_then
            )
        elif target is not None:
            custom.append(CustomKpi(
                row.id, row.title or "", row.unit or "", row.frequency or "annually",  # type: ignore[arg-type]
                row.evidence or "", target, row.revision, row.better or "higher",
            ))  # fmt: skip
    return choices, custom


def library_for(draft: Draft) -> KpiLibrary:
    """The KPI library with the council's default targets in force on the tender date."""
    on = draft.context.planned_tender_date
    return with_council_defaults(draft.catalogue.kpis, draft.reference, on)


def work(session: Session, draft: Draft, as_of: date) -> KpiWork:
    """The draft's result and KPI task, with the lead's decisions so far."""
    result = scoring.result(draft, as_of)
    library = library_for(draft)
    context = draft.context
    choices, custom = _stored(session, draft)
    answers = draft.walk.values
    task = kpi_task(
        library,
        suggest(library, result, context, draft.reference, answers=answers),
        choices,
        custom,
        value_pence=context.value_pence,
        term_months=context.term_months,
        duty_minimum=kpi_duty_minimum(result, draft.reference, context.planned_tender_date),
        answers=answers,
    )
    return KpiWork(result, task, library)


@dataclass(frozen=True)
class Decided:
    """A decision's save: False when someone else decided the KPI since the page last saw it
    (nothing was saved, and the page shows theirs)."""

    saved: bool


def _library_kpi_row(task: KpiTask, code: str) -> KpiRow | None:
    try:
        return task.row(code)
    except KeyError:
        return None


class KpiAction(StrEnum):
    """What a lead does with a library KPI."""

    ACCEPT = "accept"
    REJECT = "reject"
    ADD = "add"  # from the library search
    REMOVE = "remove"  # a KPI added from the library


@dataclass(frozen=True)
class KpiDecision:
    """A lead's decision on a library KPI, typed. `target` is the target to accept (None: a
    baseline KPI accepted as a baseline); `revision` is the decision's revision the page saw."""

    action: KpiAction
    target: Decimal | None = None
    reason: str = ""
    revision: int = 0


def library_kpi(draft: Draft, code: str) -> Kpi:
    """A KPI of the library the draft is read against; NotFound for any other code."""
    try:
        return library_for(draft).kpi(code)
    except KeyError:
        raise NotFound(f"KPI {code}") from None


def _stored_decision(session: Session, draft: Draft, code: str) -> KpiSelection | None:
    return session.exec(
        select(KpiSelection).where(
            KpiSelection.assessment_id == draft.assessment.id, KpiSelection.kpi_code == code
        )
    ).first()


def decision_revisions(session: Session, draft: Draft) -> dict[str, int]:
    """The revision of every decision taken on a library KPI, by code (0 for none): what a page
    that offers them carries, so a decision taken since it was drawn is never overturned."""
    rows = session.exec(
        select(KpiSelection.kpi_code, KpiSelection.revision).where(
            KpiSelection.assessment_id == draft.assessment.id,
            col(KpiSelection.kpi_code).is_not(None),
        )
    ).all()
    return {code: revision for code, revision in rows if code is not None}


def changed_since(session: Session, draft: Draft, code: str, revision: int) -> bool:
    """Whether the decision on a library KPI has changed since a page saw it at `revision`
    (then the page is shown the other decision before anything it sent is checked)."""
    stored = _stored_decision(session, draft, code)
    return (stored.revision if stored else 0) != revision


def decide(
    session: Session,
    user: User,
    draft: Draft,
    task: KpiTask,
    code: str,
    decision: KpiDecision,
) -> Decided:
    """Accept (with the suggested or an edited target), reject (a required KPI needs a reason),
    add from the library, or remove an added KPI. InvalidInput names the fact at fault:
    `action`, `target` or `reason`. Decided(saved=False) when the decision was changed on
    another page since this one saw `decision.revision`."""
    action = decision.action
    kpi = library_kpi(draft, code)
    shown = _library_kpi_row(task, code)
    stored = _stored_decision(session, draft, code)
    if action == "add":  # from the library page
        if shown is not None and shown.suggestion is not None:
            raise InvalidInput({"action": "This KPI is already suggested: accept or "
                                "reject it in the list"})  # fmt: skip
        if stored is not None and stored.status in ACCEPTED:
            return Decided(saved=True)  # added twice (two tabs, a double click): already there
    if (stored.revision if stored else 0) != decision.revision:
        return Decided(saved=False)  # decided, or removed, on another page since this one
    if action == "remove":
        if shown is not None and shown.suggestion is not None:
            raise InvalidInput({"action": "Reject a suggested KPI instead of removing"})
        if stored is None:
            return Decided(saved=True)
        act_as(session, Actor.of(user))
        session.delete(stored)
        return _commit(session, draft)
    if shown is None and action == "reject":
        raise InvalidInput({"action": "This KPI is not on your list: add it first"})
    suggested = (
        shown.suggested.value
        if shown is not None
        else suggested_target(
            kpi,
            draft.context.value_pence,
            draft.context.term_months,
            answers=draft.walk.values,
        ).value
    )
    mandatory = shown is not None and shown.mandatory
    status, target, reason = _decision(kpi, suggested, decision, mandatory)
    # An edited target records the suggestion it was set against; saving it again confirms it.
    then = suggestion_text(suggested) if status is KpiStatus.EDITED else None
    if stored is None:
        stored = KpiSelection(
            assessment_id=draft.assessment.id,  # type: ignore[arg-type]
            kpi_code=code,
            updated_by_id=user.id,  # type: ignore[arg-type]
        )
    elif action == "reject":  # a rejection keeps the target and changes only the reason
        target = stored.target
    if action == "reject":
        then = stored.suggested_then
    if (stored.status, stored.target, stored.reason, stored.suggested_then) == (
        status.value,
        target,
        reason,
        then,
    ):
        return Decided(saved=True)  # the same decision again: nothing to save
    act_as(session, Actor.of(user))
    stored.status, stored.target, stored.reason = status.value, target, reason
    stored.suggested_then = then
    stored.updated_by_id = user.id  # type: ignore[assignment]
    stored.updated_at = utcnow()
    session.add(stored)
    return _commit(session, draft)


def _decision(
    kpi: Kpi, suggested: Decimal | None, decision: KpiDecision, mandatory: bool
) -> tuple[KpiStatus, str | None, str]:
    """The status, stored target and reason a decision sets; InvalidInput when it cannot.
    Adding from the library accepts the suggested target; accepting with a target other than
    the suggested one is an edit."""
    if decision.action is KpiAction.REJECT:
        reason = clean_text(decision.reason).strip()
        if mandatory and not reason:
            raise InvalidInput(
                {"reason": "Enter why you are rejecting this KPI: an obligation requires it"}
            )
        if len(reason) > REASON_MAX:
            raise InvalidInput({"reason": f"The reason must be {REASON_MAX} characters or fewer"})
        return KpiStatus.REJECTED, None, reason
    if decision.action is KpiAction.ADD:
        return KpiStatus.ACCEPTED, None, ""
    target = decision.target
    if target is None:
        if kpi.target.kind == "baseline":  # a baseline accepted as a baseline
            return KpiStatus.ACCEPTED, None, ""
        raise InvalidInput({"target": missing_target(kpi.unit)})
    problem = target_problem(target, kpi.unit)
    if problem:
        raise InvalidInput({"target": problem})
    if suggested is not None and target == suggested:
        return KpiStatus.ACCEPTED, None, ""
    return KpiStatus.EDITED, target_text(target), ""


def _commit(session: Session, draft: Draft) -> Decided:
    draft.assessment.updated_at = utcnow()
    session.add(draft.assessment)
    try:
        session.commit()
    except (IntegrityError, StaleDataError):  # another page decided it between read and write
        session.rollback()
        still_editable(session, draft.assessment)  # or it was submitted meanwhile
        return Decided(saved=False)
    return Decided(saved=True)


def record_kpi_exception(
    session: Session, user: User, draft: Draft, reason: str, seen_revision: int
) -> Decided:
    """Record why the supplier's performance could not appropriately be assessed by KPIs, so
    the Procurement Act's KPI duty does not apply (s.52(2)); or change the reason recorded at
    `seen_revision`. InvalidInput when the reason is missing or too long."""
    reason = clean_text(reason).strip()
    if not reason:
        raise InvalidInput({"reason": "Enter why performance could not appropriately be "
                            "assessed by KPIs"})  # fmt: skip
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": f"The reason must be {REASON_MAX} characters or fewer"})
    row = session.get(KpiDutyException, draft.assessment.id)
    if (row.revision if row else 0) != seen_revision:
        return Decided(saved=False)  # recorded, changed or withdrawn on another page since
    if row is not None and row.reason == reason:
        return Decided(saved=True)
    act_as(session, Actor.of(user))
    assert draft.assessment.id is not None and user.id is not None
    if row is None:
        row = KpiDutyException(
            assessment_id=draft.assessment.id, reason=reason, updated_by_id=user.id
        )
    row.reason, row.updated_by_id, row.updated_at = reason, user.id, utcnow()
    session.add(row)
    return _commit(session, draft)


def withdraw_kpi_exception(
    session: Session, user: User, draft: Draft, seen_revision: int
) -> Decided:
    """Take the recorded reason away: the KPI duty applies again, with its minimum of KPIs.
    The row stays, with no reason, so its revision only ever goes up and a page that saw an
    older one can never overwrite a reason recorded since."""
    row = session.get(KpiDutyException, draft.assessment.id)
    if row is None or not row.reason:
        return Decided(saved=True)
    if row.revision != seen_revision:
        return Decided(saved=False)
    act_as(session, Actor.of(user))
    row.reason, row.updated_by_id, row.updated_at = "", user.id, utcnow()  # type: ignore[assignment]
    session.add(row)
    return _commit(session, draft)


def custom_kpi(task: KpiTask, custom_id: int) -> CustomKpi:
    """One of the lead's own KPIs on this draft; 404 otherwise."""
    for own in task.custom:
        if own.id == custom_id:
            return own
    raise NotFound(f"own KPI {custom_id}")


@dataclass(frozen=True)
class OwnKpi:
    """A KPI of the lead's own, typed: `target` in `unit` (None when not given)."""

    title: str
    unit: str
    target: Decimal | None
    frequency: str  # one of FREQUENCIES
    evidence: str
    better: str = "higher"  # or "lower": the target is a ceiling, as for emissions

    def cleaned(self) -> OwnKpi:
        """With surrounding white space removed, as it is stored."""
        return OwnKpi(clean_text(self.title).strip(), clean_text(self.unit).strip(),
                      self.target, self.frequency.strip(),
                      clean_text(self.evidence).strip(), self.better.strip())  # fmt: skip


def own_kpi_problems(kpi: OwnKpi) -> dict[str, str]:
    """What is wrong with a KPI of the lead's own, by field, in the order the form lists them."""
    kpi = kpi.cleaned()
    errors: dict[str, str] = {}
    messages = {
        "title": "Enter the KPI's title",
        "unit": "Enter the unit the KPI is measured in, such as “% of staff” or “tonnes”",
        "evidence": "Enter the evidence the supplier must give",
    }
    for name, message in messages.items():
        text = getattr(kpi, name)
        if not text:
            errors[name] = message
        elif len(text) > CUSTOM_LIMITS[name]:
            errors[name] = f"The {name} must be {CUSTOM_LIMITS[name]} characters or fewer"
    unit = kpi.unit or "the KPI's unit"
    if kpi.target is None:
        errors["target"] = missing_target(unit)
    elif problem := target_problem(kpi.target, unit):
        errors["target"] = problem
    if kpi.frequency not in FREQUENCIES:
        errors["frequency"] = "Select how often the supplier reports"
    if kpi.better not in ("higher", "lower"):
        errors["better"] = "Select whether a figure above or below the target is better"
    return errors


def _title_taken(session: Session, draft: Draft, row: KpiSelection | None, title: str) -> bool:
    """Whether another of the draft's own KPIs has this title (case and spacing aside): the
    title is how an own KPI is known across revisions, and its outcomes with it."""
    key = contract_kpis.key_of({"code": None, "title": title})
    others = session.exec(select(KpiSelection).where(
        col(KpiSelection.assessment_id) == draft.assessment.id,
        col(KpiSelection.kpi_code).is_(None)))  # fmt: skip
    return any(
        contract_kpis.key_of({"code": None, "title": other.title or ""}) == key
        for other in others
        if row is None or other.id != row.id
    )


def save_custom(
    session: Session,
    user: User,
    draft: Draft,
    own: CustomKpi | None,
    kpi: OwnKpi,
    seen_revision: int,
) -> Decided:
    """Add a KPI of the lead's own, or change one seen at `seen_revision`; InvalidInput names
    every field at fault. A change to a KPI someone else changed since is refused first."""
    row: KpiSelection | None = None
    if own is not None:
        row = session.get(KpiSelection, own.id)
        if row is None or row.revision != seen_revision:
            return Decided(saved=False)
    errors = own_kpi_problems(kpi)
    if "title" not in errors and _title_taken(session, draft, row, kpi.cleaned().title):
        errors = {"title": "You already have a KPI with this title: give this one another, "
                  "so that outcomes can be reported against each"} | errors  # fmt: skip
    if errors:
        raise InvalidInput(errors)
    kpi = kpi.cleaned()
    assert kpi.target is not None
    if row is None:
        row = KpiSelection(
            assessment_id=draft.assessment.id,  # type: ignore[arg-type]
            status=KpiStatus.ACCEPTED.value,
            updated_by_id=user.id,  # type: ignore[arg-type]
        )
    act_as(session, Actor.of(user))
    row.title, row.unit, row.evidence = kpi.title, kpi.unit, kpi.evidence
    row.frequency, row.better = kpi.frequency, kpi.better
    row.target = target_text(kpi.target)
    row.updated_by_id = user.id  # type: ignore[assignment]
    row.updated_at = utcnow()
    session.add(row)
    return _commit(session, draft)


def remove_custom(
    session: Session, user: User, draft: Draft, own: CustomKpi, seen_revision: int
) -> Decided:
    """Take one of the lead's own KPIs off the draft, unless someone changed it since."""
    row = session.get(KpiSelection, own.id)
    if row is None or row.revision != seen_revision:
        return Decided(saved=False)
    act_as(session, Actor.of(user))
    session.delete(row)
    return _commit(session, draft)


def supplier_actions(draft: Draft) -> list[SupplierAction]:
    """The modern slavery mitigation actions the specification asks of the supplier: those the
    lead said the supplier carries out (version 3), and on earlier versions, which did not ask
    who, every action (their guidance made each one a contract requirement)."""
    question = scoring.rules_for(draft).obligations.modern_slavery.mitigation
    entries = draft.walk.values.get(question) or []
    return [
        SupplierAction(entry["action"], _due(entry.get("due")))
        for entry in entries
        if entry.get("action") and entry.get("carried_out_by", "supplier") == "supplier"
    ]


def _due(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def contract(procurement: Procurement, draft: Draft, council: str = "") -> Contract:
    """The procurement's facts, as the specification opens with them, and the council."""
    context = draft.context
    term = f"{procurement.term_months} months"
    if procurement.extension_months:
        term += f", with up to {procurement.extension_months} months' extension"
    facts = (
        ("Category", context.category_name),
        ("Type of contract", ContractType(procurement.contract_type).label),
        ("Estimated whole-life value", format_pounds(procurement.value_pence)),
        ("Term", term),
        ("Planned tender date", long_date(procurement.planned_tender_date)),
        ("Expected contract start", long_date(procurement.expected_start_date)),
        ("Where it is delivered", DeliveryLocation(procurement.delivery_location).label),
    )
    return Contract(
        procurement.reference,
        procurement.title,
        procurement.description,
        facts,
        council=council,
        # Approval (submitting and signing off a PRIMAS) is not built yet: every specification
        # is a draft until an assessment can be approved.
        approved=draft.assessment.status == "approved",
    )
