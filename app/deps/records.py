"""Dependencies for procurement records and their PRIMAS drafts: fetch-or-404 and permission
checks, written once. Those that touch the database are plain functions (one thread hop each),
so a page needing a draft gets procurement, permission and draft in one dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from app.deps.core import (
    ApproverUser,
    CurrentUser,
    PostedForm,
    SessionDep,
    refuse,
    require_sign_in,
    resolve_signed_in,
)
from app.errors import PrimasError
from app.models import Procurement, ProcurementStatus, User
from app.scoring.approval import Action, Refused, State, after
from app.scoring.catalogue import Catalogue
from app.services import approvals, assessments, procurements
from app.services.assessments import Draft


def _find(session: Session, reference: str) -> Procurement:
    procurement = procurements.get_by_reference(session, reference)
    if procurement is None:
        raise PrimasError(404, "Page not found")
    return procurement


def _procurement(reference: str, session: SessionDep, _user: CurrentUser) -> Procurement:
    return _find(session, reference)


ProcurementDep = Annotated[Procurement, Depends(_procurement)]


def _active(procurement: Procurement) -> None:
    if procurement.status != ProcurementStatus.ACTIVE:
        raise PrimasError(
            409,
            "This procurement has been withdrawn",
            "A withdrawn procurement is kept on record but can no longer be changed.",
        )


def _procurement_gate(
    allowed: Callable[[Session, User, Procurement], bool], needs: str, title: str, detail: str
) -> Callable[..., Procurement]:
    """A dependency: the active procurement, if `allowed` lets this user change it; else 403."""

    def gate(
        request: Request, procurement: ProcurementDep, user: CurrentUser, session: SessionDep
    ) -> Procurement:
        _active(procurement)
        if not allowed(session, user, procurement):
            raise refuse(request, session, needs, title, detail)
        return procurement

    return gate


def _check_can_edit(
    request: Request, session: Session, user: User, procurement: Procurement
) -> None:
    _active(procurement)
    if not procurements.can_edit(session, user, procurement):
        raise refuse(request, session, *CAN_EDIT)


CAN_EDIT = (
    "lead officer, collaborator or admin",
    "You cannot change this procurement",
    "Only its lead officer, the collaborators they add and administrators can change it.",
)


EditableProcurement = Annotated[
    Procurement,
    Depends(_procurement_gate(procurements.can_edit, *CAN_EDIT)),
]
LeadOfficerProcurement = Annotated[
    Procurement,
    Depends(
        _procurement_gate(
            lambda _session, user, procurement: procurements.is_lead_officer_or_admin(
                user, procurement
            ),
            "lead officer or admin",
            "Only the lead officer can do this",
            "Only the procurement's lead officer and administrators can choose who works on it "
            "or withdraw it.",
        )
    ),
]
ReassignableProcurement = Annotated[
    Procurement,
    Depends(
        _procurement_gate(
            lambda _session, user, _procurement: procurements.can_reassign(user),
            "approver or admin",
            "You cannot change the lead officer",
            "Approvers and administrators can give a procurement to another lead officer.",
        )
    ),
]


async def _catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


# The topics, forms, rules and KPI library create_app read once (app/scoring/catalogue.py).
CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]


@dataclass(frozen=True)
class DraftAccess:
    """A procurement, its open PRIMAS draft and the signed-in user, loaded together."""

    procurement: Procurement
    draft: Draft
    user: User
    editable: bool  # the user may change it and its status allows changes (not submitted)


def _draft_of(
    request: Request, session: Session, reference: str, catalogue: Catalogue
) -> DraftAccess:
    user = require_sign_in(
        request, resolve_signed_in(request, session, request.app.state.settings)
    ).user
    found = assessments.find_with_draft(session, reference)
    if found is None:
        raise PrimasError(404, "Page not found")
    procurement, category, assessment = found
    if assessment is None:
        raise PrimasError(404, "Page not found", "This procurement has no PRIMAS in progress.")
    draft = assessments.load(session, assessment, catalogue, category)
    changeable = not isinstance(after(State(assessment.status), Action.EDIT), Refused)
    editable = changeable and procurements.can_edit(session, user, procurement)
    return DraftAccess(procurement, draft, user, editable)


# Each is one plain function, so a PRIMAS page makes one trip through the thread pool for
# sign-in, record, permission and draft together (docs/decisions.md, 15).
def _draft_access(
    reference: str, request: Request, session: SessionDep, catalogue: CatalogueDep
) -> DraftAccess:
    return _draft_of(request, session, reference, catalogue)


def _editable_draft_access(
    reference: str,
    request: Request,
    session: SessionDep,
    catalogue: CatalogueDep,
    form: PostedForm,
) -> DraftAccess:
    access = _draft_of(request, session, reference, catalogue)
    _check_can_edit(request, session, access.user, access.procurement)
    # Submitted (or decided) assessments are read-only: 409 says why.
    refused = after(State(access.draft.assessment.status), Action.EDIT)
    if isinstance(refused, Refused):
        raise PrimasError(409, "This PRIMAS cannot be changed", refused.reason)
    _same_revision(access, form)
    return access


def _same_revision(access: DraftAccess, form: FormData) -> None:
    """Every form of a revision's pages names it (`draft`): a page left open on a revision
    since discarded, decided or amended never acts on the procurement's new one (whose status
    version may well be the same number)."""
    named = form.get("draft")
    if isinstance(named, str) and named != str(access.draft.assessment.id):
        raise PrimasError(
            409,
            "This page belongs to an earlier revision of the PRIMAS, since discarded or decided",
            "The procurement has a new revision of its PRIMAS since this page was opened, so "
            "nothing you sent has been saved. Open the PRIMAS again to carry on.",
        )


def _lead_officer_draft_access(
    reference: str,
    request: Request,
    session: SessionDep,
    catalogue: CatalogueDep,
    form: PostedForm,
) -> DraftAccess:
    """The open revision, for its procurement's lead officer alone (who submits it and takes
    it back); 403 for anyone else, recorded."""
    access = _draft_of(request, session, reference, catalogue)
    _active(access.procurement)
    if access.user.id != access.procurement.lead_officer_id:
        raise refuse(request, session, "lead officer", "Only the lead officer can do this",
                     "Only the procurement's lead officer submits its PRIMAS for approval or "
                     "takes it back.")  # fmt: skip
    _same_revision(access, form)
    return access


def _review_access(
    reference: str,
    request: Request,
    session: SessionDep,
    catalogue: CatalogueDep,
    _approver: ApproverUser,
) -> DraftAccess:
    """The open revision, for an approver to review (anyone may look; `_decision_access` says
    who may decide)."""
    access = _draft_of(request, session, reference, catalogue)
    _active(access.procurement)
    return access


def _decision_access(
    reference: str,
    request: Request,
    session: SessionDep,
    catalogue: CatalogueDep,
    _approver: ApproverUser,
    form: PostedForm,
) -> DraftAccess:
    """The open revision, for an approver who had no hand in it: anyone else is refused (403)
    and the refusal written to the audit log, admins included (separation of duties)."""
    access = _draft_of(request, session, reference, catalogue)
    _active(access.procurement)
    _same_revision(access, form)
    action = Action.RETURN if form.get("outcome") == "return" else Action.APPROVE
    approvals.refuse_if_involved(session, access.user, access.draft.assessment, action)
    return access


DraftDep = Annotated[DraftAccess, Depends(_draft_access)]
ReviewDraft = Annotated[DraftAccess, Depends(_review_access)]
LeadOfficerDraft = Annotated[DraftAccess, Depends(_lead_officer_draft_access)]
DecisionDraft = Annotated[DraftAccess, Depends(_decision_access)]
EditableDraft = Annotated[DraftAccess, Depends(_editable_draft_access)]
