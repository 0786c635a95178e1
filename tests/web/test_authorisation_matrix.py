"""Who may do what, route by route and role by role.

Every route of the app must be in ROUTES, with the exact status each kind of user gets, using
real ids so a 404 cannot pass for a 403. Every state-changing route is also refused (403)
without a CSRF token, whoever asks.

A request that changes nothing (a page, or a change refused before it is made) is sent against
one set of people and records shared by the module; a change that may be made gets a fresh
database of its own, so no case sees another's change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.routing import Mount

from app.db import create_database_engine
from app.main import create_app
from app.models import (
    ContractKpi,
    KpiSelection,
    OutcomeReport,
    OutcomeVersion,
    Procurement,
    Role,
    User,
)
from app.services import procurements
from tests.conftest import test_settings
from tests.support.api import make_api_client
from tests.support.auth import csrf_token, signed_in_client
from tests.support.catalogue import shipped
from tests.support.factories import (
    make_draft,
    make_procurement,
    make_user,
    procurement_form_data,
    procurement_input,
)

# Run again on PostgreSQL (docs/testing.md, the PostgreSQL set).
pytestmark = pytest.mark.postgres

# `lead` leads the procurement the tests use and `collaborator` works on it; `other_lead` is a
# category lead who does neither.
WHO = ("anonymous", "lead", "collaborator", "other_lead", "approver", "admin")


@dataclass(frozen=True)
class Case:
    """One route: the status each kind of user gets, and the form to send with it."""

    method: str
    path: str
    expected: dict[str, int]
    form: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(WHO, status)


def signed_in(status: int) -> dict[str, int]:
    """Anonymous users are sent to sign in; everyone signed in gets `status`."""
    return {"anonymous": 303} | dict.fromkeys(WHO[1:], status)


def only(status: int, *allowed: str) -> dict[str, int]:
    """`status` for the named kinds of user, 403 for other signed-in users, 303 to sign in."""
    return {who: 303 if who == "anonymous" else status if who in allowed else 403 for who in WHO}


def admin_only(status: int) -> dict[str, int]:
    return only(status, "admin")


def buyers(status: int) -> dict[str, int]:
    """Category leads and approvers record procurements; an administrator alone does not."""
    return only(status, "lead", "collaborator", "other_lead", "approver")


def editors(status: int) -> dict[str, int]:
    """The lead officer, collaborators and administrators change a procurement."""
    return only(status, "lead", "collaborator", "admin")


def owners(status: int) -> dict[str, int]:
    """Only the lead officer and administrators choose collaborators or withdraw it."""
    return only(status, "lead", "admin")


def reassigners(status: int) -> dict[str, int]:
    return only(status, "approver", "admin")


def edit_form() -> dict[str, str]:
    """An edit of the people fixture's procurement, made to the version it was recorded at."""
    form = procurement_form_data(title="Retitled")
    form |= {f"base-{name}": value for name, value in procurement_input().as_dict().items()}
    return form | {"version": "1"}


OWN_KPI = {
    "title": "Local residents employed",
    "unit": "people",
    "target": "12",
    "frequency": "quarterly",
    "evidence": "Payroll records with postcodes",
}

ROUTES = [
    Case("GET", "/", everyone(200)),
    Case("GET", "/accessibility", everyone(200)),
    Case("GET", "/healthz", everyone(200)),
    Case("GET", "/readyz", everyone(200)),
    Case("GET", "/api/v1/openapi.json", everyone(200)),
    Case("GET", "/api/v1/docs", everyone(200)),
    # The API answers API clients alone (tests/web/test_api_auth.py): a session is not enough.
    Case("GET", "/api/v1/categories", everyone(401)),
    Case("GET", "/api/v1/directorates", everyone(401)),
    Case("GET", "/api/v1/procurements", everyone(401)),
    Case("GET", "/api/v1/procurements/{reference}", everyone(401)),
    Case("POST", "/api/v1/procurements", everyone(401)),
    Case("PATCH", "/api/v1/procurements/{reference}", everyone(401)),
    Case("GET", "/api/v1/procurements/{reference}/assessments", everyone(401)),
    Case("GET", "/api/v1/procurements/{reference}/kpis", everyone(401)),
    Case("GET", "/api/v1/procurements/{reference}/ocds", everyone(401)),
    Case("GET", "/api/v1/kpis/{kpi_id}", everyone(401)),
    Case("GET", "/api/v1/kpis/{kpi_id}/outcomes", everyone(401)),
    Case("POST", "/api/v1/kpis/{kpi_id}/outcomes", everyone(401)),
    Case("GET", "/api/v1/kpis/{kpi_id}/outcomes/{outcome_id}", everyone(401)),
    Case("POST", "/api/v1/kpis/{kpi_id}/outcomes/{outcome_id}/corrections", everyone(401)),
    Case("GET", "/api/v1/assessments/{assessment_id}", everyone(401)),
    Case("GET", "/api/v1/changes", everyone(401)),
    Case("GET", "/api/v1/forms/{form}/versions/{version}", everyone(401)),
    Case("POST", "/api/v1/forms/{form}/versions/{version}/evaluate", everyone(401)),
    Case("GET", "/static/{path}", everyone(200)),
    Case("GET", "/sign-in", {"anonymous": 200} | dict.fromkeys(WHO[1:], 303)),
    Case("POST", "/sign-in", everyone(422), {"email": "nobody@example.gov.uk", "password": "x"}),
    Case("POST", "/sign-out", everyone(303)),
    Case("GET", "/signed-out", everyone(200)),
    Case("POST", "/session/extend", signed_in(303), {"next": "/"}),
    Case("GET", "/account", signed_in(200)),
    Case("GET", "/account/password", signed_in(200)),
    Case("POST", "/account/password", signed_in(422), {"current_password": "wrong"}),
    Case("GET", "/account/reminders", signed_in(200)),
    Case("POST", "/account/reminders", signed_in(303), {"reminders": "no"}),
    Case("GET", "/admin/users", admin_only(200)),
    Case("GET", "/admin/users/new", admin_only(200)),
    Case(
        "POST",
        "/admin/users/new",
        admin_only(201),
        {"name": "New Person", "email": "new.person@example.gov.uk", "roles": ["lead"]},
    ),
    Case("GET", "/admin/users/{user_id}", admin_only(200)),
    Case("GET", "/admin/users/{user_id}/roles", admin_only(200)),
    Case("POST", "/admin/users/{user_id}/roles", admin_only(303), {"roles": ["lead", "approver"]}),
    Case("POST", "/admin/users/{user_id}/deactivate", admin_only(303)),
    Case("POST", "/admin/users/{user_id}/reactivate", admin_only(303)),
    Case("POST", "/admin/users/{user_id}/unlock", admin_only(303)),
    Case("POST", "/admin/users/{user_id}/one-time-password", admin_only(200)),
    Case("GET", "/admin/audit", admin_only(200)),
    Case("GET", "/admin/email", admin_only(200)),
    Case("GET", "/admin/api-clients", admin_only(200)),
    Case("GET", "/admin/api-clients/new", admin_only(200)),
    Case(
        "POST",
        "/admin/api-clients/new",
        admin_only(201),
        {"name": "New system", "scopes": ["read"]},
    ),
    Case("GET", "/admin/api-clients/{client_id}/revoke", admin_only(200)),
    Case("POST", "/admin/api-clients/{client_id}/revoke", admin_only(303)),
    # No email has been written in this fixture: an administrator is told it is not there.
    Case("POST", "/admin/email/{message_id}/retry", admin_only(404)),
    Case("GET", "/admin/reference-data", admin_only(200)),
    Case("GET", "/admin/reference-data/{key}/new", admin_only(200)),
    Case(
        "POST",
        "/admin/reference-data/{key}/new",
        admin_only(303),
        {
            "effective_from-day": "1",
            "effective_from-month": "4",
            "effective_from-year": "2031",
            "amount": "150,000",
        },
    ),
    Case("GET", "/procurements", signed_in(200)),
    Case("GET", "/procurements/new", buyers(200)),
    Case("POST", "/procurements/new", buyers(303), procurement_form_data()),
    Case("GET", "/procurements/{reference}", signed_in(200)),
    Case("GET", "/procurements/{reference}/edit", editors(200)),
    Case("POST", "/procurements/{reference}/edit", editors(303), edit_form()),
    Case("GET", "/procurements/{reference}/withdraw", owners(200)),
    Case("POST", "/procurements/{reference}/withdraw", owners(303), {"reason": "Duplicate"}),
    Case("GET", "/procurements/{reference}/lead-officer", reassigners(200)),
    Case(
        "POST",
        "/procurements/{reference}/lead-officer",
        reassigners(303),
        {"lead_officer": "{other_lead_id}"},
    ),
    Case(
        "POST",
        "/procurements/{reference}/collaborators",
        owners(303),
        {"collaborator": "{other_lead_id}"},
    ),
    Case("POST", "/procurements/{reference}/collaborators/{collaborator_id}/remove", owners(303)),
    Case("POST", "/procurements/{reference}/primas/start", editors(303)),
    Case("GET", "/procurements/{reference}/primas", signed_in(200)),
    Case("GET", "/procurements/{reference}/primas/tasks/{task_id}", editors(200)),
    Case("POST", "/procurements/{reference}/primas/tasks/{task_id}", editors(422)),
    Case(
        "POST",
        "/procurements/{reference}/primas/answers/{question_id}",
        editors(200),
        {"lots": "yes"},
    ),
    Case("GET", "/procurements/{reference}/primas/check", signed_in(200)),
    Case("GET", "/procurements/{reference}/primas/results", signed_in(200)),
    Case("GET", "/procurements/{reference}/primas/results/{topic}", editors(200)),
    Case(
        "POST",
        "/procurements/{reference}/primas/results/{topic}",
        editors(303),
        {"risk": "3", "scope": "computed", "reason": "Known problems with this market."},
    ),
    Case("GET", "/procurements/{reference}/primas/kpis", editors(200)),
    Case(
        "POST",
        "/procurements/{reference}/primas/kpis/{code}",
        editors(303),
        {"action": "accept", "target": "100", "revision": "0"},
    ),
    Case(
        "POST",
        "/procurements/{reference}/primas/kpis/kpi-duty",
        editors(303),
        {"reason": "Delivery is spot-purchased visit by visit.", "revision": "0"},
    ),
    Case("GET", "/procurements/{reference}/primas/kpis/library", editors(200)),
    Case("GET", "/procurements/{reference}/primas/kpis/own", editors(200)),
    Case(
        "POST",
        "/procurements/{reference}/primas/kpis/own",
        editors(303),
        OWN_KPI | {"title": "Apprentices taken on"},  # a title of its own (the fixture has OWN_KPI)
    ),
    Case("GET", "/procurements/{reference}/primas/kpis/own/{kpi_id}", editors(200)),
    Case(
        "POST",
        "/procurements/{reference}/primas/kpis/own/{kpi_id}",
        editors(303),
        OWN_KPI | {"revision": "1"},
    ),
    Case("GET", "/procurements/{reference}/outcomes", signed_in(200)),
    Case("GET", "/procurements/{reference}/outcomes/{contract_kpi}", signed_in(200)),
    Case("GET", "/procurements/{reference}/outcomes/{contract_kpi}/chart.svg", signed_in(200)),
    Case("GET", "/procurements/{reference}/outcomes/{contract_kpi}/report", editors(200)),
    # The fixture's KPI is not in force (no revision is approved): editors are told so, 409,
    # when they report, correct or rate.
    Case(
        "POST",
        "/procurements/{reference}/outcomes/{contract_kpi}/report",
        editors(409),
        {
            "period_start-day": "1",
            "period_start-month": "1",
            "period_start-year": "2025",
            "period_end-day": "31",
            "period_end-month": "3",
            "period_end-year": "2025",
            "actual": "70",
        },
    ),
    Case(
        "GET",
        "/procurements/{reference}/outcomes/{contract_kpi}/reports/{report}/correct",
        editors(200),
    ),
    Case(
        "POST",
        "/procurements/{reference}/outcomes/{contract_kpi}/reports/{report}/correct",
        editors(409),
        {"actual": "71", "reason": "Recounted", "version": "1"},
    ),
    Case(
        "GET",
        "/procurements/{reference}/outcomes/{contract_kpi}/reports/{report}/rating",
        editors(200),
    ),
    Case(
        "POST",
        "/procurements/{reference}/outcomes/{contract_kpi}/reports/{report}/rating",
        editors(409),
        {"rating": "good", "version": "1"},
    ),
    Case("GET", "/procurements/{reference}/primas/kpis/specification", signed_in(200)),
    Case("GET", "/procurements/{reference}/primas/kpis/specification.docx", signed_in(200)),
    Case("POST", "/procurements/{reference}/primas/acknowledge", editors(303)),
    Case("GET", "/procurements/{reference}/primas/discard", editors(200)),
    Case("POST", "/procurements/{reference}/primas/discard", editors(303)),
    # The draft is on version 1 and version 2 is shipped: editors may move it.
    Case("GET", "/procurements/{reference}/primas/upgrade", editors(200)),
    Case("POST", "/procurements/{reference}/primas/upgrade", editors(200)),
    # Approval: the draft is not complete (its lead is told what is missing), nor submitted
    # (nothing to take back or decide on); only the lead officer submits, only approvers who
    # had no hand in it decide.
    Case(
        "POST",
        "/procurements/{reference}/primas/submit",
        only(422, "lead"),
        {"declaration": "yes", "status_version": "1"},
    ),
    Case(
        "POST",
        "/procurements/{reference}/primas/take-back",
        only(409, "lead"),
        {"status_version": "1"},
    ),
    Case("GET", "/approvals", only(200, "approver")),
    # No revision is approved yet: no record to show, nothing to amend.
    Case("GET", "/procurements/{reference}/primas/revisions/{revision}", signed_in(404)),
    Case("GET", "/procurements/{reference}/primas/revisions/{revision}/check", signed_in(404)),
    Case("POST", "/procurements/{reference}/primas/amend", editors(409)),
    Case("GET", "/procurements/{reference}/primas/compare", signed_in(200)),
    Case(
        "GET", "/procurements/{reference}/primas/revisions/{revision}/specification", signed_in(404)
    ),
    Case(
        "GET",
        "/procurements/{reference}/primas/revisions/{revision}/specification.docx",
        signed_in(404),
    ),
    Case("GET", "/procurements/{reference}/primas/decision", only(409, "approver")),
    Case(
        "POST",
        "/procurements/{reference}/primas/decision",
        only(409, "approver"),
        {"outcome": "approve", "status_version": "1"},
    ),
]


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, HEAD aside."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        # FastAPI keeps included routers as nodes; their effective routes carry the full path.
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for context in contexts():
                methods = getattr(context.original_route, "methods", None) or {"GET"}
                found |= {(method, context.path) for method in methods}
        elif isinstance(route, Mount):
            found.add(("GET", f"{route.path}/{{path}}"))
        else:
            found |= {(method, route.path) for method in getattr(route, "methods", None) or {"GET"}}
    assert found, "no routes found: has FastAPI changed how it keeps them?"
    return {(method, path) for method, path in found if method != "HEAD"}


def test_every_route_is_in_the_table(app: FastAPI) -> None:
    listed = [case.key for case in ROUTES]
    assert len(listed) == len(set(listed)), "a route is listed twice"
    assert app_routes(app) == set(listed)


@dataclass
class People:
    """The users the matrix acts as, the user admin actions aim at, and a procurement that
    `lead` leads (so `other_lead` is a lead who does not own it)."""

    users: dict[str, User]
    target: User
    procurement: Procurement
    clients: dict[str, TestClient]
    own_kpi_id: int
    api_client_id: int
    contract_kpi_id: int
    report_id: int


def changes_nothing(case: Case, who: str) -> bool:
    """Whether `who` sending `case` (with its token) changes nothing: a page, or a change
    refused before it is made."""
    return case.method == "GET" or case.expected[who] == 403 or who == "anonymous"


@pytest.fixture
def people(app: FastAPI, session: Session) -> Iterator[People]:
    """The people and records, in this test's own database."""
    yield from _people(app, session)


@pytest.fixture(scope="module")
def _module_people(module_database_url: str) -> Iterator[People]:
    app = create_app(test_settings(module_database_url), catalogue=shipped())
    engine = create_database_engine(module_database_url)
    try:
        with Session(engine) as session:
            yield from _people(app, session)
    finally:
        engine.dispose()
        app.state.engine.dispose()


@pytest.fixture
def shared_people(shared_database_url: str, _module_people: People) -> People:
    """The people and records in the module's shared database: for requests that change
    nothing."""
    return _module_people


def _people(app: FastAPI, session: Session) -> Iterator[People]:
    users = {
        "lead": make_user(session, Role.LEAD),
        "other_lead": make_user(session, Role.LEAD),
        "approver": make_user(session, Role.APPROVER),
        "admin": make_user(session, Role.ADMIN),
        "collaborator": make_user(session, Role.LEAD),
    }
    target = make_user(session, Role.LEAD, name="Target User")
    procurement = make_procurement(session, users["lead"])
    procurements.add_collaborator(session, users["lead"], procurement, users["collaborator"].id)
    draft = make_draft(session, procurement, users["lead"])
    own_kpi = KpiSelection(
        assessment_id=draft.id, status="accepted", target="12", updated_by_id=users["lead"].id,
        **{name: OWN_KPI[name] for name in ("title", "unit", "frequency", "evidence")},
    )  # fmt: skip
    session.add(own_kpi)
    session.commit()
    api_client, _token = make_api_client(session)
    kpi = ContractKpi(procurement_id=procurement.id, key="waste-diverted", code="waste-diverted",
                      title="Waste kept out of landfill", unit="% of waste by weight",
                      frequency="quarterly", target="70", revision=1)  # fmt: skip
    session.add(kpi)
    session.flush()
    report = OutcomeReport(contract_kpi_id=kpi.id, period_start=date(2025, 1, 1),
                           period_end=date(2025, 3, 31))  # fmt: skip
    session.add(report)
    session.flush()
    session.add(OutcomeVersion(report_id=report.id, version=1, actual="70", target="70",
                               reported_by=users["lead"].email))  # fmt: skip
    session.commit()
    clients = {"anonymous": TestClient(app)} | {
        who: signed_in_client(app, session, user) for who, user in users.items()
    }
    yield People(
        users,
        target,
        procurement,
        clients,
        own_kpi.id,
        api_client.id,  # type: ignore[arg-type]
        kpi.id,
        report.id,
    )  # type: ignore[arg-type]
    for client in clients.values():
        client.close()


def concrete(text: str, people: People) -> str:
    """A path or form value with real ids in place of its placeholders."""
    return (
        text.replace("{user_id}", str(people.target.id))
        .replace("{path}", "css/primas.css")
        .replace("{reference}", people.procurement.reference)
        .replace("{revision}", "1")
        .replace("{message_id}", "1")
        .replace("{client_id}", str(people.api_client_id))
        .replace("{assessment_id}", "1")
        .replace("{form}", "primas")
        .replace("{version}", "3")
        .replace("{other_lead_id}", str(people.users["other_lead"].id))
        .replace("{collaborator_id}", str(people.users["collaborator"].id))
        .replace("{task_id}", "workforce")
        .replace("{question_id}", "lots")
        .replace("{key}", "primas_threshold")
        .replace("{topic}", "modern-slavery")
        .replace("{code}", "llw-staff-share")
        .replace("{kpi_id}", str(people.own_kpi_id))
        .replace("{contract_kpi}", str(people.contract_kpi_id))
        .replace("{report}", str(people.report_id))
        .replace("{outcome_id}", str(people.report_id))
    )


def send(client: TestClient, case: Case, people: People, *, with_token: bool) -> int:
    path = concrete(case.path, people)
    if case.method == "GET":
        return client.get(path, follow_redirects=False).status_code
    form = {
        name: concrete(value, people) if isinstance(value, str) else value
        for name, value in case.form.items()
    }
    if with_token:
        form["csrf_token"] = csrf_token(client)
    response = client.request(case.method, path, data=form, follow_redirects=False)
    return response.status_code


READING = [(case, who) for case in ROUTES for who in WHO if changes_nothing(case, who)]
CHANGING = [(case, who) for case in ROUTES for who in WHO if not changes_nothing(case, who)]


def _id(value: object) -> str:
    return f"{value.method} {value.path}" if isinstance(value, Case) else str(value)


@pytest.mark.parametrize(("case", "who"), READING, ids=_id)
def test_status_for_each_role_reading(case: Case, who: str, shared_people: People) -> None:
    status = send(shared_people.clients[who], case, shared_people, with_token=True)
    assert status == case.expected[who], f"{who}: {case.method} {case.path} gave {status}"


@pytest.mark.parametrize(("case", "who"), CHANGING, ids=_id)
def test_status_for_each_role_changing(case: Case, who: str, people: People) -> None:
    status = send(people.clients[who], case, people, with_token=True)
    assert status == case.expected[who], f"{who}: {case.method} {case.path} gave {status}"


@pytest.mark.parametrize(
    "case",
    # The API's changes carry a bearer token, which a browser never sends by itself: no CSRF
    # token is asked for, and without the bearer token they are 401 (ROUTES).
    [c for c in ROUTES if c.method != "GET" and not c.path.startswith("/api/")],
    ids=lambda c: f"{c.method} {c.path}",
)
@pytest.mark.parametrize("who", WHO)
def test_state_changes_need_a_csrf_token(case: Case, who: str, shared_people: People) -> None:
    status = send(shared_people.clients[who], case, shared_people, with_token=False)
    assert status == 403, f"{who}: {case.method} {case.path} without a token gave {status}"


def test_a_wrong_csrf_token_is_refused_too(people: People) -> None:
    client = people.clients["admin"]
    response = client.post(
        f"/admin/users/{people.target.id}/deactivate",
        data={"csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    other = csrf_token(people.clients["lead"])  # another user's valid token
    response = client.post(
        f"/admin/users/{people.target.id}/deactivate",
        data={"csrf_token": other},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_unknown_user_is_404_for_admins_and_403_for_others(people: People) -> None:
    for who, expected in (("admin", 404), ("lead", 403), ("approver", 403)):
        response = people.clients[who].get("/admin/users/999999", follow_redirects=False)
        assert response.status_code == expected, who
