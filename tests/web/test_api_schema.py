"""Every /api/ operation against its own OpenAPI description, with schemathesis (issue 20):
at least 100 generated requests each, every check schemathesis has, 0 failures. The requests
carry a token with every scope; a procurement with an approved PRIMAS and a draft one exist, so
that generated references and ids sometimes name real things (and a KPI with a report)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from sqlmodel import Session

from app.main import create_app
from app.models import Role, User
from app.services import approvals, contract_kpis, outcome_reports
from app.services.audit import Actor
from app.settings import Settings
from tests.support.api import make_api_client
from tests.support.catalogue import shipped
from tests.support.factories import complete_draft, make_procurement, make_user

# Facts that the schema allows may still break the rules the web form checks too (a tender
# after the contract starts, a category code there is not), which a JSON schema cannot say:
# 422 is the right answer to them, as it is to the form. A change also needs the ETag it was
# read with (428 without, 412 when stale). Every other check keeps schemathesis's defaults.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"operations": [
    # Reports: 422 as for facts; a correction also needs its ETag (428 without, 412 stale).
    {"include-path-regex": "^/api/v1/kpis/", "include-method": "POST",
     "checks": {"positive_data_acceptance": {
         "expected-statuses": [*ACCEPTED, "412", "422", "428"]}}},
    {"include-path": "/api/v1/procurements", "include-method": "POST",
     "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}}},
    {"include-path": "/api/v1/forms/{form}/versions/{version}/evaluate", "include-method": "POST",
     "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}}},
    {"include-path": "/api/v1/procurements/{reference}", "include-method": "PATCH",
     "checks": {"positive_data_acceptance": {
         "expected-statuses": [*ACCEPTED, "412", "422", "428"]}}},
]})  # fmt: skip


@pytest.fixture
def api_app(settings: Settings, session: Session) -> Iterator[FastAPI]:
    """The app, its rate limit out of the way, with records to find."""
    app = create_app(settings.model_copy(update={"api_requests_per_minute": 10**8}),
                     catalogue=shipped())  # fmt: skip
    record, draft = complete_draft(session)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    approver = make_user(session, Role.APPROVER)
    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=date.today())  # fmt: skip
    session.refresh(draft.assessment)
    approvals.decide(session, approver, draft, approve=True, comment="", points=[],
                     seen_version=draft.assessment.status_version,
                     signing_key=settings.effective_signing_key, today=date.today())  # fmt: skip
    make_procurement(session, lead)
    kpi = contract_kpis.contract_kpis(session, record)[0]
    outcome_reports.report(
        session,
        Actor.of(lead),
        kpi,
        outcome_reports.NewOutcome(
            date.today() - timedelta(days=30), date.today() - timedelta(days=1), "12"
        ),
        date.today(),
    )
    _client, token = make_api_client(session, "read", "write", "outcomes")
    app.state.schemathesis_token = token
    yield app
    app.state.engine.dispose()


# Every operation of the API's description (a test below checks that none is missing).
OPERATIONS = [
    ("GET", "/api/v1/categories"),
    ("GET", "/api/v1/directorates"),
    ("GET", "/api/v1/procurements"),
    ("POST", "/api/v1/procurements"),
    ("GET", "/api/v1/procurements/{reference}"),
    ("PATCH", "/api/v1/procurements/{reference}"),
    ("GET", "/api/v1/procurements/{reference}/assessments"),
    ("GET", "/api/v1/assessments/{assessment_id}"),
    ("GET", "/api/v1/procurements/{reference}/kpis"),
    ("GET", "/api/v1/forms/{form}/versions/{version}"),
    ("POST", "/api/v1/forms/{form}/versions/{version}/evaluate"),
    ("GET", "/api/v1/changes"),
    ("GET", "/api/v1/kpis/{kpi_id}"),
    ("GET", "/api/v1/kpis/{kpi_id}/outcomes"),
    ("POST", "/api/v1/kpis/{kpi_id}/outcomes"),
    ("GET", "/api/v1/kpis/{kpi_id}/outcomes/{outcome_id}"),
    ("POST", "/api/v1/kpis/{kpi_id}/outcomes/{outcome_id}/corrections"),
    ("GET", "/api/v1/procurements/{reference}/ocds"),
]


def test_every_operation_is_tested(api_app: FastAPI) -> None:
    described = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api_app).raw_schema
    listed = {(method.upper(), path) for path, methods in described["paths"].items()
              for method in methods}  # fmt: skip
    assert listed == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=lambda part: part)
def test_every_operation_keeps_to_its_description(api_app: FastAPI, method: str, path: str) -> None:
    """(schemathesis's pytest plugin asks pytest for what pytest 9 no longer has, so each
    operation's strategy is run here with Hypothesis directly.)"""
    described = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api_app, config=CONFIG)
    operation = described[path][method]
    headers = {"Authorization": f"Bearer {api_app.state.schemathesis_token}"}

    @given(case=operation.as_strategy())
    @settings(max_examples=100, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def keeps_to_it(case: Any) -> None:
        case.call_and_validate(headers=headers)

    keeps_to_it()
