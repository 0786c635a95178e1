"""Outcomes through the API, on both databases (issue 21): the contract management system
reads a procurement's KPIs with their ids, reports outcomes (refused as the page's form refuses
them), is told of a second report for the same period with a link to the first, corrects a
report with If-Match, and reads every version and rating."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services import outcome_reports, outcomes
from app.timeutil import london_today
from tests.support.api import bearer, make_api_client
from tests.support.outcome_cases import CASES, IDS, Case
from tests.support.outcomes import Contract, approved_contract


@pytest.fixture
def contract(session: Session) -> Contract:
    return approved_contract(session, starts=london_today() - timedelta(days=400))


@pytest.fixture
def api(client: TestClient, session: Session) -> TestClient:
    _client, token = make_api_client(session, "read", "outcomes", name="Contract system")
    client.headers.update(bearer(token))
    return client


def _waste(api: TestClient, contract: Contract) -> dict:  # type: ignore[type-arg]
    kpis = api.get(f"/api/v1/procurements/{contract.procurement.reference}/kpis").json()
    [waste] = [kpi for kpi in kpis["items"] if kpi["code"] == "waste-diverted"]
    assert waste["id"] == contract.kpis["waste-diverted"].id
    return waste


def test_a_system_reports_an_outcome_and_reads_it_rated(
    api: TestClient, contract: Contract
) -> None:
    waste = _waste(api, contract)
    kpi = api.get(f"/api/v1/kpis/{waste['id']}").json()
    assert (kpi["unit"], kpi["target"], kpi["better"], kpi["in_force"], kpi["frequency"]) == (
        "% of waste by weight",
        70,
        "higher",
        True,
        "quarterly",
    )
    first = kpi["overdue"][0]
    assert first["start"] == contract.procurement.expected_start_date.isoformat()
    answer = api.post(kpi["outcomes"], json={
        "period_start": first["start"], "period_end": first["end"], "actual": 52.5,
        "commentary": "One site closed for works."})  # fmt: skip
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert answer.headers["Location"] == f"{kpi['outcomes']}/{report['id']}"
    assert (report["actual"], report["version"], report["commentary"]) == (
        52.5,
        1,
        "One site closed for works.",
    )
    # 52.5 against at least 70 is 25% short: requires improvement, the band's edge.
    assert report["rating"]["suggested"] == report["rating"]["rating"] == "requires-improvement"
    assert report["rating"]["confirmed"] is None
    assert report["versions"][0]["reported_by"] == "api:Contract system"
    assert report["versions"][0]["target"] == 70
    listed = api.get(kpi["outcomes"]).json()
    assert [item["id"] for item in listed["items"]] == [report["id"]]
    assert listed["kpi"]["overdue"][0] != first  # reported, so no longer overdue
    assert api.get(answer.headers["Location"]).json() == report


def test_a_second_report_for_the_period_is_a_conflict_naming_the_first(
    api: TestClient, contract: Contract
) -> None:
    waste = _waste(api, contract)
    path = f"/api/v1/kpis/{waste['id']}/outcomes"
    body = {"period_start": "2026-01-01", "period_end": "2026-01-31", "actual": "70"}
    made = api.post(path, json=body)
    again = api.post(path, json=body | {"period_start": "2026-01-15", "period_end": "2026-02-15"})
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["existing"] == made.headers["Location"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_api_takes_and_refuses_what_the_form_does(
    api: TestClient, contract: Contract, case: Case
) -> None:
    """The table the service's and the form's tests use too (tests/support/outcome_cases.py);
    the figure goes as the string typed, and where it is a plain number, as a JSON number."""
    body: dict[str, object] = {"actual": case.actual, "commentary": case.commentary}
    body |= {
        name: day.isoformat()
        for name, day in (("period_start", case.start), ("period_end", case.end))
        if day is not None
    }
    path = f"/api/v1/kpis/{_waste(api, contract)['id']}/outcomes"
    answer = api.post(path, json=body)
    if not case.refused:
        assert answer.status_code == 201, answer.text
        return
    assert answer.status_code == 422
    assert {error["location"][1] for error in answer.json()["errors"]} == case.refused


@pytest.mark.parametrize("actual", [5, 12.5, "12.5"])
def test_the_figure_may_be_a_number_or_a_string(
    api: TestClient, contract: Contract, actual: object
) -> None:
    answer = api.post(f"/api/v1/kpis/{_waste(api, contract)['id']}/outcomes", json={
        "period_start": "2026-01-01", "period_end": "2026-01-31", "actual": actual})  # fmt: skip
    assert answer.status_code == 201 and answer.json()["actual"] == float(actual)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period_start": "2026-01-01", "period_end": "2026-01-31", "actual": 1.23456}, "actual"),
        ({"period_start": "2026-01-01", "period_end": "2026-01-31", "actual": 5, "extra": 1},
         "extra"),
        ({"period_start": "2026-02-30", "period_end": "2026-03-31", "actual": 5}, "period_start"),
        ({"period_start": "2026-01-01T00:00:00", "period_end": "2026-01-31", "actual": 5},
         "period_start"),
        ({"period_start": "2026-01-01", "period_end": "2026-01-31", "actual": True}, "actual"),
        ({"period_start": "2026-01-01", "period_end": "2026-01-31", "actual": "7" + " " * 40},
         "actual"),
    ],
)  # fmt: skip
def test_what_only_json_can_get_wrong(
    api: TestClient,
    contract: Contract,
    body: dict,
    field: str,  # type: ignore[type-arg]
) -> None:
    answer = api.post(f"/api/v1/kpis/{_waste(api, contract)['id']}/outcomes", json=body)
    assert answer.status_code == 422
    # (a figure that is none of its kinds is named once for each kind it is not)
    assert {error["location"][1] for error in answer.json()["errors"]} == {field}


def test_a_period_still_running_is_refused(api: TestClient, contract: Contract) -> None:
    tomorrow = (london_today() + timedelta(days=1)).isoformat()
    body = {"period_start": london_today().isoformat(), "period_end": tomorrow, "actual": 1}
    answer = api.post(f"/api/v1/kpis/{_waste(api, contract)['id']}/outcomes", json=body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"].startswith("The period must have ended")


def test_a_correction_needs_if_match_and_keeps_the_first_version(
    api: TestClient, contract: Contract
) -> None:
    waste = _waste(api, contract)
    made = api.post(f"/api/v1/kpis/{waste['id']}/outcomes", json={
        "period_start": "2026-01-01", "period_end": "2026-01-31", "actual": 60})  # fmt: skip
    where = made.headers["Location"] + "/corrections"
    correction = {"actual": "68.25", "commentary": "Added the March skips.", "reason": "Late data"}
    assert api.post(where, json=correction).status_code == 428
    assert api.post(where, json=correction, headers={"If-Match": '"stale"'}).status_code == 412
    fixed = api.post(where, json=correction, headers={"If-Match": made.headers["ETag"]})
    assert fixed.status_code == 200, fixed.text
    report = fixed.json()
    assert [(v["version"], v["actual"], v["correction_reason"]) for v in report["versions"]] == [
        (1, 60, ""),
        (2, 68.25, "Late data"),
    ]
    assert report["actual"] == 68.25 and report["rating"]["suggested"] == "approaching-target"
    # The first ETag is stale now: a second correction from it would hide this one.
    assert api.post(where, json=correction | {"actual": 1},
                    headers={"If-Match": made.headers["ETag"]}).status_code == 412  # fmt: skip
    no_reason = api.post(where, json={"actual": 70}, headers={"If-Match": fixed.headers["ETag"]})
    assert no_reason.status_code == 422


def test_a_rating_an_editor_gave_is_in_the_report(
    api: TestClient, session: Session, contract: Contract
) -> None:
    waste = contract.kpis["waste-diverted"]
    made = api.post(f"/api/v1/kpis/{waste.id}/outcomes", json={
        "period_start": "2026-01-01", "period_end": "2026-01-31", "actual": 30}).json()  # fmt: skip
    report = outcomes.report_of(session, waste, made["id"])
    assert report is not None
    outcome_reports.rate(
        session,
        contract.lead,
        waste,
        report,
        1,
        "requires-improvement",
        "The closure was agreed with us.",
        date(2026, 12, 6),
        seen_rating=None,
    )
    rating = api.get(f"/api/v1/kpis/{waste.id}/outcomes/{made['id']}").json()["rating"]
    assert (rating["suggested"], rating["confirmed"], rating["rating"], rating["rated_by"],
            rating["reason"], rating["rated_version"]) == (
        "inadequate", "requires-improvement", "requires-improvement", contract.lead.email,
        "The closure was agreed with us.", 1)  # fmt: skip


def test_unknown_kpis_and_reports_are_not_found(api: TestClient, contract: Contract) -> None:
    waste = _waste(api, contract)
    assert api.get("/api/v1/kpis/2147483648").status_code == 422  # beyond any stored id
    assert api.get("/api/v1/kpis/999999").status_code == 404
    assert api.get(f"/api/v1/kpis/{waste['id']}/outcomes/999999").status_code == 404
    other = contract.kpis["llw-staff-share"].id
    made = api.post(f"/api/v1/kpis/{waste['id']}/outcomes", json={
        "period_start": "2026-01-01", "period_end": "2026-01-31", "actual": 60}).json()  # fmt: skip
    assert api.get(f"/api/v1/kpis/{other}/outcomes/{made['id']}").status_code == 404


def test_reports_corrections_and_ratings_are_in_the_changes_feed(
    api: TestClient, session: Session, contract: Contract
) -> None:
    """A contract management system keeping in step hears of each report, correction and
    rating, with the report, its KPI and its version then."""
    start = api.get("/api/v1/changes").json()["next_cursor"]
    waste = contract.kpis["waste-diverted"]
    made = api.post(f"/api/v1/kpis/{waste.id}/outcomes", json={
        "period_start": "2026-01-01", "period_end": "2026-01-31", "actual": 60})  # fmt: skip
    api.post(made.headers["Location"] + "/corrections", headers={"If-Match": made.headers["ETag"]},
             json={"actual": 66, "reason": "Late data"})  # fmt: skip
    report = outcomes.report_of(session, waste, made.json()["id"])
    assert report is not None
    outcome_reports.rate(
        session,
        contract.lead,
        waste,
        report,
        2,
        "good",
        "Close enough",
        date.today(),
        seen_rating=None,
    )
    page = api.get("/api/v1/changes", params={"after": start}).json()
    assert [(item["type"], item["procurement"], item["outcome"]) for item in page["items"]] == [
        (kind, contract.procurement.reference, {"kpi": waste.id, "id": report.id, "version": v})
        for kind, v in (("outcome.reported", 1), ("outcome.corrected", 2), ("outcome.rated", 2))
    ]  # fmt: skip


def test_eight_reports_of_one_period_at_once_make_one(
    app: FastAPI, api: TestClient, contract: Contract
) -> None:
    """Reports of a KPI take turns (the write lock on SQLite, an advisory lock on PostgreSQL),
    so of eight racing for one period, one is recorded and seven are told it is taken; and two
    corrections from the same version give one new version and one 412."""
    waste = contract.kpis["waste-diverted"]
    body = {"period_start": "2026-01-01", "period_end": "2026-01-31", "actual": 60}
    answers: list[Any] = []
    start = threading.Barrier(8)

    def send(path: str, payload: dict[str, object], headers: dict[str, str]) -> None:
        with TestClient(app) as own:
            start.wait()
            answers.append(own.post(path, json=payload, headers=dict(api.headers) | headers))

    threads = [threading.Thread(target=send, args=(f"/api/v1/kpis/{waste.id}/outcomes", body, {}))
               for _ in range(8)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answer.status_code for answer in answers) == [201] + [409] * 7
    [made] = [answer for answer in answers if answer.status_code == 201]
    assert {answer.json().get("existing") for answer in answers if answer.status_code == 409} == {
        made.headers["Location"]
    }

    answers.clear()
    start = threading.Barrier(2)
    where = made.headers["Location"] + "/corrections"
    threads = [threading.Thread(target=send, args=(where, {"actual": figure, "reason": "Fix"},
                                                   {"If-Match": made.headers["ETag"]}))
               for figure in (61, 62)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answer.status_code for answer in answers) == [200, 412]
    assert len(api.get(made.headers["Location"]).json()["versions"]) == 2
