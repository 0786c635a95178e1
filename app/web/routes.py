"""Every HTML route under one router, which declares the CSRF check once: every
state-changing request from a page carries the token (app/deps/csrf.py). The JSON API
authenticates differently and has its own routers (app/api/)."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import CsrfProtected
from app.web import (
    account,
    admin_api_clients,
    admin_audit,
    admin_mail,
    admin_reference,
    admin_users,
    approvals,
    assessment_drafts,
    assessment_kpis,
    assessment_own_kpis,
    assessment_results,
    assessments,
    outcomes,
    pages,
    procurement_changes,
    procurements,
    sign_in,
)

AREAS = (
    pages, sign_in, account, procurements, procurement_changes, assessments, assessment_drafts,
    assessment_results, assessment_own_kpis, assessment_kpis, admin_users, admin_reference,
    admin_audit, admin_mail, admin_api_clients, approvals, outcomes,
)  # fmt: skip


def pages_router() -> APIRouter:
    """Every HTML route, with the CSRF check on each."""
    router = APIRouter(dependencies=[CsrfProtected])
    for area in AREAS:
        router.include_router(area.router)
    return router
