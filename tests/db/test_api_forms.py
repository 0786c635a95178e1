"""The questionnaire through the API, on both databases (issue 20): a form version's
definition, and what a PRIMAS would say for given facts and answers, stored nowhere, the same as
a draft with those facts and answers says."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import Assessment, Procurement
from tests.support.api import bearer, make_api_client
from tests.support.factories import complete_draft


@pytest.fixture
def api(client: TestClient, session: Session) -> TestClient:
    _client, token = make_api_client(session)
    client.headers.update(bearer(token))
    return client


def facts_of(record: Procurement, category: str, directorate: str) -> dict[str, Any]:
    return {
        "title": record.title, "description": record.description,
        "directorate": directorate, "category": category,
        "contract_type": record.contract_type, "light_touch": record.light_touch,
        "framework": {"role": record.framework, "name": record.framework_name or None},
        "whole_life_value_pence": record.value_pence, "term_months": record.term_months,
        "extension_months": record.extension_months,
        "planned_tender_date": record.planned_tender_date.isoformat(),
        "expected_start_date": record.expected_start_date.isoformat(),
        "delivery_location": record.delivery_location,
    }  # fmt: skip


def test_a_form_versions_definition(api: TestClient) -> None:
    response = api.get("/api/v1/forms/primas/versions/3")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["version"]) == ("primas", 3)
    questions = [q for s in body["sections"] for t in s["tasks"] for q in t["questions"]]
    assert any(question["id"] == "agency_labour" for question in questions)
    assert api.get("/api/v1/forms/primas/versions/99").status_code == 404
    assert api.get("/api/v1/forms/nothing/versions/1").status_code == 404
    assert api.get("/api/v1/forms/Not%20a%20form/versions/1").status_code == 422


def test_an_evaluation_says_what_the_draft_says_and_stores_nothing(
    api: TestClient, session: Session
) -> None:
    record, draft = complete_draft(session)
    procurement = api.get(f"/api/v1/procurements/{record.reference}").json()
    answers = {question: stored.raw for question, stored in draft.answers.items()}
    sent = {"procurement": facts_of(record, procurement["category"], procurement["directorate"]),
            "answers": answers}  # fmt: skip

    def counted() -> tuple[int, int]:
        return (session.exec(select(func.count()).select_from(Procurement)).one(),
                session.exec(select(func.count()).select_from(Assessment)).one())  # fmt: skip

    before = counted()
    form, version = draft.definition.id, draft.definition.version
    response = api.post(f"/api/v1/forms/{form}/versions/{version}/evaluate", json=sent)
    assert response.status_code == 200, response.text
    evaluated = response.json()
    as_drafted = api.get(f"/api/v1/assessments/{draft.assessment.id}").json()["content"]["result"]
    assert (evaluated["form"], evaluated["version"]) == (form, version)
    for field in ("overall", "spend_band", "modern_slavery_level", "social_value_weighting",
                  "topics"):  # fmt: skip
        assert evaluated[field] == as_drafted[field], field
    assert [(o["code"], o["status"], o["reason"]) for o in evaluated["obligations"]] == [
        (o["code"], o["status"], o["reason"]) for o in as_drafted["obligations"]]  # fmt: skip
    assert evaluated["obligations"] == procurement["obligations"]  # as the procurement owes
    assert counted() == before
    # Without answers, what rests on them applies until they are given.
    bare = api.post(f"/api/v1/forms/{form}/versions/{version}/evaluate",
                    json={"procurement": sent["procurement"]}).json()  # fmt: skip
    wage = next(o for o in bare["obligations"] if o["code"] == "london-living-wage")
    assert wage["status"] == "applies-unless-answers-show-otherwise"


def test_an_evaluation_names_each_fact_and_answer_at_fault(
    api: TestClient, session: Session
) -> None:
    record, draft = complete_draft(session)
    procurement = api.get(f"/api/v1/procurements/{record.reference}").json()
    facts = facts_of(record, procurement["category"], procurement["directorate"])
    sent = {"procurement": facts | {"title": "", "whole_life_value_pence": 0},
            "answers": {"no_such_question": "yes", "agency_labour": ["yes", "no"]}}  # fmt: skip
    response = api.post("/api/v1/forms/primas/versions/3/evaluate", json=sent)
    assert response.status_code == 422
    assert [error["location"] for error in response.json()["errors"]] == [
        ["body", "procurement", "title"],
        ["body", "procurement", "whole_life_value_pence"],
        ["body", "answers", "no_such_question"],
        ["body", "answers", "agency_labour"],
    ]
