"""The KPI task over HTTP: the suggested KPIs with their reasons and targets, accepting (with the
suggested or an edited target) and rejecting them, with and without htmx, two pages deciding the
same KPI, the library and the lead's own KPIs, the task's status, the specification (print view
and Word document), the audit log and who may do what."""

from io import BytesIO

import pytest
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, KpiSelection, Procurement, Role, User
from app.services import procurements
from tests.support.auth import csrf_token, signed_in_client
from tests.support.factories import make_user
from tests.support.html import form_values, parse, text_of
from tests.support.primas import autosave, lead_with_draft, post

LLW = "llw-staff-share"
LLW_TITLE = "Contract staff paid at least the London Living Wage"
LLW_UNIT = "% of staff in scope"
DUE_DILIGENCE = "supply-chain-due-diligence"
APPRENTICESHIPS = "apprenticeship-weeks"
APPRENTICESHIPS_UNIT = "weeks of apprenticeship or training"
LOCAL = "local-residents-employed"
FURTHEST = "jobs-for-people-furthest-from-work"
REQUIRED_REASON = "Enter why you are rejecting this KPI: an obligation requires it"
CONFLICT = (
    "Someone else changed this KPI while you were looking at it. Their decision is shown; "
    "what you entered is still in the form and has not been saved: decide again if yours "
    "should replace theirs."
)

# Answers that raise risk and scope (primas-v1.scoring.yaml) on the £2.4m cleaning draft:
# modern slavery becomes high (so due diligence is required), employment and skills and fair
# pay high, nature and pollution medium.
BUSY_ANSWERS = {
    "agency_labour": "yes",
    "low_paid_roles": "yes",
    "subcontracting": "most",
    "new_jobs": "many",
    "apprenticeships": "yes",
    "local_recruitment": "a-lot",
    "fair_work_scope": "a-lot",
    "chemicals_used": "yes",
    "less_harmful_products": "a-lot",
}
# Mandatory first, then those the answers call for (apprenticeships said to be possible on
# services in spend band 3 and above), then one from each medium or high topic (high first;
# within a priority, higher risk first), then a second from each, cut at the policy's 8.
BUSY_SUGGESTIONS = [
    LLW,
    DUE_DILIGENCE,
    APPRENTICESHIPS,
    LOCAL,  # employment and skills: high, risk 3, scope 3
    "secure-contracts",  # fair pay and good work: high, risk 3, scope 2
    "modern-slavery-training",  # modern slavery: medium, risk 3, scope 0
    "less-harmful-products",  # nature and pollution: medium, risk 2, scope 2
    FURTHEST,  # employment and skills' second
]
# A fresh £6m cleaning services draft: the Procurement Act KPI duty applies (3 KPIs), met by
# the Living Wage KPI and one from each medium topic (spend band 4 raises risk).
BIG_SUGGESTIONS = [LLW, LOCAL, DUE_DILIGENCE, "modern-slavery-training"]


def busy_draft(app: FastAPI, session: Session) -> tuple[TestClient, User, str]:
    """The £2.4m cleaning draft with answers that make several topics medium or high."""
    client, lead, base = lead_with_draft(app, session)
    for question, answer in BUSY_ANSWERS.items():
        reply = autosave(client, base, question, {question: answer, f"rev-{question}": "0"})
        assert reply.status_code == 200, question
    return client, lead, base


def big_draft(app: FastAPI, session: Session) -> tuple[TestClient, User, str]:
    """A £6m cleaning services contract, not a framework and not light-touch."""
    return lead_with_draft(app, session, value="6,000,000", contract_type="services",
                           framework="none", light_touch="no")  # fmt: skip


def decide(
    client: TestClient, base: str, code: str, *, htmx: bool = False, on: str = "", **fields: str
):  # type: ignore[no-untyped-def]
    """Post a decision on a KPI as the card's form does (htmx sends the token as a header, and
    the address of the page it is on: `on`, the KPI task by default)."""
    data = {"action": "accept", "target": "", "reason": "", "revision": "0"} | fields
    if not htmx:
        return post(client, f"{base}/kpis/{code}", data)
    current = f"http://testserver{on or f'{base}/kpis'}"
    return client.post(
        f"{base}/kpis/{code}",
        data=data,
        headers={
            "HX-Request": "true",
            "X-CSRF-Token": csrf_token(client),
            "HX-Current-URL": current,
        },  # fmt: skip
        follow_redirects=False,
    )


def stored(session: Session, code: str | None = None) -> list[KpiSelection]:
    """The KPI selections saved (of one library KPI, or all), as the database holds them now."""
    session.expire_all()
    query = select(KpiSelection).order_by(col(KpiSelection.id))
    if code is not None:
        query = query.where(KpiSelection.kpi_code == code)
    return list(session.exec(query).all())


def card_ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [card["id"] for card in page.find_all("section", class_="app-kpi")]


def card_rows(card) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A KPI card's summary list, key to value."""
    return {
        text_of(row.find("dt")): text_of(row.find("dd"))
        for row in card.find_all(class_="govuk-summary-list__row")
    }


def tags(card) -> list[str]:  # type: ignore[no-untyped-def]
    return [text_of(tag) for tag in card.find(class_="govuk-summary-card__title-wrapper")
            .find_all(class_="govuk-tag")]  # fmt: skip


def kpi_task_status(client: TestClient, base: str) -> str:
    """The KPI task's status on the task list."""
    page = parse(client.get(base))
    items = [item for item in page.find_all("li", class_="govuk-task-list__item")
             if "Choose the KPIs" in text_of(item)]  # fmt: skip
    assert len(items) == 1
    return text_of(items[0].find(class_="govuk-task-list__status"))


def tasks_count(client: TestClient, base: str) -> str:
    page = parse(client.get(base))
    found = [p for p in page.find_all("p") if text_of(p).startswith("You have completed")]
    assert len(found) == 1
    return text_of(found[0])


def procurement_of(session: Session, base: str) -> Procurement:
    reference = base.split("/")[2]
    found = session.exec(select(Procurement).where(Procurement.reference == reference)).one()
    return found


def error_links(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    summary = page.find(class_="govuk-error-summary")
    assert summary is not None, "no error summary"
    return [(text_of(link), link["href"]) for link in summary.find_all("a")]


# The suggestions ---------------------------------------------------------------------------


def test_a_fresh_cleaning_draft_suggests_the_living_wage_kpi_as_required(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    response = client.get(f"{base}/kpis")
    assert response.status_code == 200
    page = parse(response)
    assert text_of(page.find("h1")) == "Choose the KPIs"
    # The Living Wage applies; nothing is medium or high yet, so one KPI comes from the topics
    # the results name to focus on.
    assert card_ids(page) == [f"kpi-{LLW}", f"kpi-{LOCAL}"]
    assert card_rows(page.find(id=f"kpi-{LOCAL}"))["Why it is here"] == (
        "Local employment and skills is low priority (risk 2, scope to improve 0): "
        "one of the three topics to focus on"
    )
    card = page.find(id=f"kpi-{LLW}")
    assert text_of(card.find("h3")) == LLW_TITLE
    assert tags(card) == ["Not decided", "Required"]
    rows = card_rows(card)
    assert rows["Why it is here"] == "Required: the London Living Wage applies"
    assert rows["Measured in"] == LLW_UNIT
    assert rows["Suggested target"] == (f"100 ({LLW_UNIT}) A fixed target: 100 ({LLW_UNIT}).")
    assert rows["Reported"] == "Every quarter"
    assert rows["Specification clause"].startswith(
        f"The Supplier shall pay 100{LLW_UNIT} on Cleaning of council offices (those the London "
        "Living Wage requirement covers, subcontractors' staff included) no less than the London "
        "Living Wage"
    )
    assert card.find("input", {"name": "target"})["value"] == "100"
    assert card.find("input", {"name": "revision"})["value"] == "0"
    assert "Why are you rejecting it?" in text_of(card.find("details"))  # required: no "optional"
    assert "(optional)" not in text_of(card.find("details"))
    progress = text_of(page.find(id="kpi-progress"))
    assert f"Accept or reject “{LLW_TITLE}”" in progress
    assert "Accept at least one KPI" in progress
    assert "You have accepted 0 KPIs." in progress
    assert "Accept or reject “Local residents employed on the contract”" in progress
    assert "You have not added any KPIs." in text_of(page)


def test_answers_that_raise_priorities_bring_more_suggestions_ranked_mandatory_first(
    app: FastAPI, session: Session
) -> None:
    client, _, base = busy_draft(app, session)
    page = parse(client.get(f"{base}/kpis"))
    ids = card_ids(page)
    assert ids == [f"kpi-{code}" for code in BUSY_SUGGESTIONS]
    assert len(ids) <= 8
    required = [card["id"] for card in page.find_all("section", class_="app-kpi")
                if "Required" in tags(card)]  # fmt: skip
    assert required == [f"kpi-{LLW}", f"kpi-{DUE_DILIGENCE}"]
    reasons = {
        card["id"]: card_rows(card)["Why it is here"]
        for card in page.find_all("section", class_="app-kpi")
    }
    assert reasons[f"kpi-{DUE_DILIGENCE}"] == "Required: the modern slavery risk is high"
    assert reasons[f"kpi-{APPRENTICESHIPS}"] == (
        "You said apprenticeships, placements or training are possible on this contract"
    )
    assert reasons[f"kpi-{LOCAL}"] == (
        "Local employment and skills is high priority (risk 3, scope to improve 3)"
    )
    assert reasons["kpi-secure-contracts"] == (
        "Fair pay and good work is high priority (risk 3, scope to improve 2)"
    )
    assert reasons["kpi-less-harmful-products"] == (
        "Nature, water and pollution is medium priority (risk 2, scope to improve 2)"
    )
    apprenticeships = card_rows(page.find(id=f"kpi-{APPRENTICESHIPS}"))
    assert apprenticeships["Measured in"] == APPRENTICESHIPS_UNIT
    assert apprenticeships["Suggested target"].startswith(f"125 ({APPRENTICESHIPS_UNIT})")
    assert apprenticeships["Suggested target"].endswith(
        "Council default, to be confirmed: 52 for each £1 million of whole-life value "
        f"× £2.4 million = 124.8, rounded to 125 ({APPRENTICESHIPS_UNIT})."
    )
    local = card_rows(page.find(id=f"kpi-{LOCAL}"))
    assert "full home postcode" in local["Evidence"]  # not the postcode district
    assert local["Suggested target"].startswith("25 (% of the workforce) Council default")
    progress = text_of(page.find(id="kpi-progress"))
    assert progress.count("Accept or reject") == 8


# Accepting ---------------------------------------------------------------------------------


def test_accepting_with_the_suggested_target(app: FastAPI, session: Session) -> None:
    client, lead, base = lead_with_draft(app, session)
    response = decide(client, base, LLW, target="100")
    assert response.status_code == 303
    assert response.headers["location"] == f"{base}/kpis#kpi-{LLW}"
    (row,) = stored(session)
    assert (row.kpi_code, row.status, row.target, row.reason) == (LLW, "accepted", None, "")
    assert row.revision == 1 and row.updated_by_id == lead.id
    card = parse(client.get(f"{base}/kpis")).find(id=f"kpi-{LLW}")
    assert tags(card) == ["Accepted", "Required"]
    assert card_rows(card)["Accepted target"] == f"100 ({LLW_UNIT})"
    assert card.find("input", {"name": "revision"})["value"] == "1"
    assert "Save the target" in text_of(card.find("button", {"value": "accept"}))


def test_accepting_with_an_edited_target(app: FastAPI, session: Session) -> None:
    client, _, base = busy_draft(app, session)
    response = decide(client, base, APPRENTICESHIPS, target="150")
    assert response.status_code == 303
    (row,) = stored(session, APPRENTICESHIPS)
    assert (row.status, row.target) == ("edited", "150")
    card = parse(client.get(f"{base}/kpis")).find(id=f"kpi-{APPRENTICESHIPS}")
    assert tags(card) == ["Accepted, target changed"]
    rows = card_rows(card)
    assert rows["Accepted target"] == f"150 ({APPRENTICESHIPS_UNIT})"
    assert rows["Suggested target"].startswith("125 ")  # the suggestion is still shown
    assert rows["Specification clause"].startswith(
        f"The Supplier shall provide at least 150 {APPRENTICESHIPS_UNIT} over the life of "
        "Cleaning of council offices"
    )
    assert card.find("input", {"name": "target"})["value"] == "150"
    back = decide(client, base, APPRENTICESHIPS, target="125", revision="1")  # the suggestion
    assert back.status_code == 303
    (row,) = stored(session, APPRENTICESHIPS)
    assert (row.status, row.target, row.revision) == ("accepted", None, 2)


def test_a_target_with_thousands_separators_is_accepted(app: FastAPI, session: Session) -> None:
    client, _, base = busy_draft(app, session)
    response = decide(client, base, APPRENTICESHIPS, target="1,250")
    assert response.status_code == 303
    (row,) = stored(session, APPRENTICESHIPS)
    assert (row.status, row.target) == ("edited", "1250")
    card = parse(client.get(f"{base}/kpis")).find(id=f"kpi-{APPRENTICESHIPS}")
    assert card_rows(card)["Accepted target"] == f"1,250 ({APPRENTICESHIPS_UNIT})"


@pytest.mark.parametrize(
    ("code", "typed", "message"),
    [
        (LLW, "", f"Enter the target, as a number in {LLW_UNIT}"),
        (LLW, "abc", f"The target must be a number in {LLW_UNIT}, like 25"),
        (LLW, "0", f"The target must be a positive number in {LLW_UNIT} (more than 0)"),
        (LLW, "-5", f"The target must be a positive number in {LLW_UNIT} (more than 0)"),
        (LLW, "1.234", "The target can have up to 2 decimal places"),
        (LLW, "101", "The target must be 100 or less, as it is a percentage"),
        (FURTHEST, "", "Enter the target, as a number in people"),
        (FURTHEST, "abc", "The target must be a number in people, like 25"),
        (FURTHEST, "0", "The target must be a positive number in people (more than 0)"),
        (FURTHEST, "-5", "The target must be a positive number in people (more than 0)"),
        (FURTHEST, "1.234", "The target can have up to 2 decimal places"),
        (FURTHEST, "1,000,000,000", "The target must be less than 1,000,000,000"),
    ],
)
def test_an_invalid_target_is_refused_with_the_reason(
    app: FastAPI, session: Session, code: str, typed: str, message: str
) -> None:
    client, _, base = (busy_draft if code == FURTHEST else lead_with_draft)(app, session)
    response = decide(client, base, code, target=typed)
    assert response.status_code == 422
    page = parse(response)
    assert page.find("title").text.startswith("Error: ")
    assert error_links(page) == [(message, f"#target-{code}")]
    card = page.find(id=f"kpi-{code}")
    field = card.find("input", id=f"target-{code}")
    assert field is not None and field["value"] == typed  # what was typed stays
    assert message in text_of(card.find(class_="govuk-error-message"))
    assert tags(card)[0] == "Not decided"
    assert stored(session) == []


# Rejecting ---------------------------------------------------------------------------------


def test_rejecting_a_required_kpi_needs_a_reason(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    response = decide(client, base, LLW, action="reject", target="100", reason="   ")
    assert response.status_code == 422
    page = parse(response)
    assert error_links(page) == [(REQUIRED_REASON, f"#reason-{LLW}")]
    card = page.find(id=f"kpi-{LLW}")
    assert card.find("details").has_attr("open")
    assert REQUIRED_REASON in text_of(card.find(class_="govuk-error-message"))
    assert stored(session) == []


def test_a_rejected_kpi_shows_its_reason_on_the_page_and_the_check_page(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    reason = "Staff work at the depot, never on council premises."
    response = decide(client, base, LLW, action="reject", target="100", reason=reason)
    assert response.status_code == 303
    (row,) = stored(session)
    assert (row.status, row.reason, row.target) == ("rejected", reason, None)
    card = parse(client.get(f"{base}/kpis")).find(id=f"kpi-{LLW}")
    assert tags(card) == ["Rejected", "Required"]
    assert card_rows(card)["Reason for rejecting"] == reason
    assert text_of(card.find("textarea")) == reason
    check = parse(client.get(f"{base}/check"))
    kpis = text_of(check.find("h2", string="KPIs").find_next(class_="govuk-summary-card"))
    assert f"{LLW_TITLE} Rejected: {reason}" in kpis
    assert "Accept at least one KPI" in text_of(check.find_all(class_="govuk-warning-text")[-1])


def test_an_optional_kpi_may_be_rejected_without_a_reason(app: FastAPI, session: Session) -> None:
    client, _, base = busy_draft(app, session)
    response = decide(client, base, "secure-contracts", action="reject", target="90")
    assert response.status_code == 303
    (row,) = stored(session)
    assert (row.kpi_code, row.status, row.reason) == ("secure-contracts", "rejected", "")
    card = parse(client.get(f"{base}/kpis")).find(id="kpi-secure-contracts")
    assert card_rows(card)["Reason for rejecting"] == "None given"


# htmx --------------------------------------------------------------------------------------


def test_with_htmx_a_decision_returns_the_card_and_the_progress(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    assert decide(client, base, LOCAL, action="reject").status_code == 303
    response = decide(client, base, LLW, htmx=True, target="100")
    assert response.status_code == 200
    fragment = parse(response)
    assert fragment.find("html") is None and fragment.find("h1") is None
    card = fragment.find("section", id=f"kpi-{LLW}")
    assert card is not None and tags(card) == ["Accepted", "Required"]
    assert card.find("h3").has_attr("autofocus")
    progress = fragment.find(id="kpi-progress")
    assert progress["hx-swap-oob"] == "true"
    assert "Completed" in text_of(progress)
    assert "You have accepted 1 KPI." in text_of(progress)
    announce = fragment.find(id="kpi-announce")
    assert announce["hx-swap-oob"] == "innerHTML"
    assert text_of(announce) == f"{LLW_TITLE}: accepted. You have accepted 1."
    assert stored(session, LLW)[0].status == "accepted"


def test_with_htmx_an_edited_target_is_announced(app: FastAPI, session: Session) -> None:
    client, _, base = busy_draft(app, session)
    response = decide(client, base, APPRENTICESHIPS, htmx=True, target="7")
    assert response.status_code == 200
    fragment = parse(response)
    assert text_of(fragment.find(id="kpi-announce")) == (
        "Weeks of apprenticeships and training: accepted, target changed. You have accepted 1."
    )
    assert "You have accepted 1 KPI." in text_of(fragment.find(id="kpi-progress"))
    assert (stored(session)[0].status, stored(session)[0].target) == ("edited", "7")


def test_with_htmx_an_error_is_shown_inside_the_card(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    response = decide(client, base, LLW, htmx=True, action="reject", reason="")
    assert response.status_code == 422
    fragment = parse(response)
    assert fragment.find(class_="govuk-error-summary") is None
    card = fragment.find("section", id=f"kpi-{LLW}")
    assert REQUIRED_REASON in text_of(card.find(class_="govuk-error-message"))
    assert card.find("textarea", id=f"reason-{LLW}").has_attr("autofocus")
    assert fragment.find(id="kpi-progress")["hx-swap-oob"] == "true"
    assert text_of(fragment.find(id="kpi-announce")) == (
        f"{LLW_TITLE}: not saved. {REQUIRED_REASON}"
    )
    bad_target = parse(decide(client, base, LLW, htmx=True, target="101"))
    field = bad_target.find("input", id=f"target-{LLW}")
    assert field["value"] == "101" and field.has_attr("autofocus")
    assert "100 or less" in text_of(bad_target.find(id=f"kpi-{LLW}"))
    assert stored(session) == []


# Two pages deciding the same KPI -----------------------------------------------------------


def two_pages(app: FastAPI, session: Session) -> tuple[TestClient, TestClient, User, str]:
    """A lead and a collaborator on the same draft."""
    lead_client, lead, base = lead_with_draft(app, session)
    colleague = make_user(session, Role.LEAD)
    procurements.add_collaborator(session, lead, procurement_of(session, base), colleague.id)
    return lead_client, signed_in_client(app, session, colleague), colleague, base


def test_a_decision_on_a_kpi_someone_else_decided_first_is_not_saved(
    app: FastAPI, session: Session
) -> None:
    page_a, page_b, colleague, base = two_pages(app, session)
    seen = parse(page_a.get(f"{base}/kpis")).find(id=f"kpi-{LLW}")
    form = form_values(seen.find("form"))
    assert form["revision"] == "0"
    assert decide(page_b, base, LLW, target="100").status_code == 303  # B accepts first
    response = post(page_a, f"{base}/kpis/{LLW}",
                    form | {"action": "reject", "reason": "Not needed"})  # fmt: skip
    assert response.status_code == 409
    card = parse(response).find(id=f"kpi-{LLW}")
    assert text_of(card.find(id=f"kpi-{LLW}-notice")) == CONFLICT
    assert tags(card)[0] == "Accepted"  # B's decision is shown
    assert card.find("textarea", {"name": "reason"}).text.strip() == "Not needed"  # A's kept
    assert card.find("input", {"name": "revision"})["value"] == "1"
    (row,) = stored(session)
    assert (row.status, row.reason, row.updated_by_id) == ("accepted", "", colleague.id)


@pytest.mark.postgres
def test_a_stale_page_is_shown_the_other_decision_before_its_unreadable_target(
    app: FastAPI, session: Session
) -> None:
    page_a, page_b, colleague, base = two_pages(app, session)
    assert decide(page_b, base, LLW, target="100").status_code == 303  # B accepts first
    response = decide(page_a, base, LLW, target="abc", revision="0")
    assert response.status_code == 409  # not 422 for "abc" on a card that is out of date
    card = parse(response).find(id=f"kpi-{LLW}")
    assert text_of(card.find(id=f"kpi-{LLW}-notice")) == CONFLICT
    unread = decide(page_a, base, LLW, target="abc", revision="1")  # now up to date
    assert unread.status_code == 422
    (row,) = stored(session)
    assert (row.status, row.updated_by_id) == ("accepted", colleague.id)


def test_with_htmx_the_conflict_notice_is_inside_the_card(app: FastAPI, session: Session) -> None:
    page_a, page_b, colleague, base = two_pages(app, session)
    assert decide(page_b, base, LLW, target="100").status_code == 303
    response = decide(page_a, base, LLW, htmx=True, action="reject", reason="Not needed",
                      revision="0")  # fmt: skip
    fragment = parse(response)
    card = fragment.find("section", id=f"kpi-{LLW}")
    assert text_of(card.find(id=f"kpi-{LLW}-notice")) == CONFLICT
    assert tags(card)[0] == "Accepted"
    assert text_of(fragment.find(id="kpi-announce")) == f"{LLW_TITLE}: {CONFLICT}"
    (row,) = stored(session)
    assert (row.status, row.updated_by_id, row.revision) == ("accepted", colleague.id, 1)
    again = decide(
        page_a, base, LLW, htmx=True, action="reject", reason="Not needed", revision="1"
    )  # deciding again on what is now shown works
    assert again.status_code == 200
    assert stored(session)[0].status == "rejected"


def test_removing_a_kpi_someone_else_changed_is_refused(app: FastAPI, session: Session) -> None:
    page_a, page_b, _, base = two_pages(app, session)
    assert decide(page_a, base, APPRENTICESHIPS, action="add").status_code == 303
    seen = parse(page_a.get(f"{base}/kpis")).find(id=f"kpi-{APPRENTICESHIPS}")
    form = form_values(seen.find("form"))
    assert form["revision"] == "1"
    assert decide(page_b, base, APPRENTICESHIPS, target="200", revision="1").status_code == 303
    response = post(page_a, f"{base}/kpis/{APPRENTICESHIPS}", form | {"action": "remove"})
    (row,) = stored(session, APPRENTICESHIPS)  # B's target stands, so A must not be told
    assert (row.status, row.target) == ("edited", "200")  # that the KPI was taken off
    assert response.status_code == 409
    assert CONFLICT in text_of(parse(response).find(id=f"kpi-{APPRENTICESHIPS}"))


# The library -------------------------------------------------------------------------------


@pytest.mark.postgres
def test_searching_the_library(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    response = client.get(f"{base}/kpis/library", params={"q": "apprentic"})
    assert response.status_code == 200
    page = parse(response)
    found = [card["id"] for card in page.find(id="kpi-results").find_all("section")]
    assert found == [f"library-{APPRENTICESHIPS}"]
    assert text_of(page.find(id="kpi-results-count")) == "1 KPI found for “apprentic”"
    card = page.find(id=f"library-{APPRENTICESHIPS}")
    assert card_rows(card)["Target for this contract"] == f"125 ({APPRENTICESHIPS_UNIT})"
    assert card.find("button", {"value": "add"}) is not None
    everything = parse(client.get(f"{base}/kpis/library", params={"q": ""}))
    # Every KPI in the library, those that do not fit included: the lead may know better.
    # Withdrawn KPIs are not offered.
    listed = [card["id"] for card in everything.find(id="kpi-results").find_all("section")]
    assert len(listed) == 32
    assert text_of(everything.find(id="kpi-results-count")) == "All 32 KPIs in the library"
    assert "library-performance-rated" not in listed
    assert "library-certified-timber-paper" in listed
    several = parse(client.get(f"{base}/kpis/library", params={"q": "WAGE london"}))
    assert [c["id"] for c in several.find(id="kpi-results").find_all("section")] == [
        f"library-{LLW}"
    ]
    nothing = parse(client.get(f"{base}/kpis/library", params={"q": "zzzz"}))
    assert "No KPIs match." in text_of(nothing.find(id="kpi-results"))


def test_adding_and_removing_a_library_kpi(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    response = decide(client, base, APPRENTICESHIPS, action="add")
    assert response.status_code == 303
    assert response.headers["location"] == f"{base}/kpis#kpi-{APPRENTICESHIPS}"
    page = parse(client.get(response.headers["location"]))
    assert "The KPI has been added to your list." in text_of(
        page.find(class_="govuk-notification-banner")
    )
    card = page.find(id=f"kpi-{APPRENTICESHIPS}")
    assert card.find_previous("h2")["id"] == "own-kpis"  # under "KPIs you added"
    assert text_of(page.find(id="own-kpis")) == "KPIs you added"
    assert tags(card) == ["Accepted"]
    assert card_rows(card)["Why it is here"] == "Added from the library"
    assert "Remove" in text_of(card.find("button", {"value": "remove"}))
    assert card.find("details") is None  # no rejecting what you added: remove it
    (row,) = stored(session)
    assert (row.kpi_code, row.status, row.target) == (APPRENTICESHIPS, "accepted", None)
    library = parse(client.get(f"{base}/kpis/library", params={"q": "apprentic"}))
    listed = library.find(id=f"library-{APPRENTICESHIPS}")
    assert "On your list" in text_of(listed) and listed.find("button") is None

    again = decide(client, base, APPRENTICESHIPS, action="add")  # a second tab, a double click
    assert again.status_code == 303
    assert len(stored(session)) == 1

    form = form_values(card.find("form"))
    removed = post(client, f"{base}/kpis/{APPRENTICESHIPS}", form | {"action": "remove"})
    assert removed.status_code == 303
    assert removed.headers["location"] == f"{base}/kpis#own-kpis"
    assert stored(session) == []
    page = parse(client.get(removed.headers["location"]))
    assert "The KPI has been taken off your list." in text_of(page)
    assert page.find(id=f"kpi-{APPRENTICESHIPS}") is None
    assert "You have not added any KPIs." in text_of(page)


def test_with_htmx_removing_a_kpi_moves_to_the_whole_page(app: FastAPI, session: Session) -> None:
    # A redirect would be followed inside the card; htmx is told to navigate instead.
    client, _, base = lead_with_draft(app, session)
    assert decide(client, base, APPRENTICESHIPS, action="add").status_code == 303
    (row,) = stored(session)
    reply = decide(client, base, APPRENTICESHIPS, htmx=True, action="remove",
                   revision=str(row.revision), on=f"{base}/kpis#own-kpis")  # fmt: skip
    assert reply.status_code == 200
    assert reply.headers["HX-Redirect"] == f"{base}/kpis#own-kpis"
    # Already on that page (only the anchor differs), so setting the address alone would only
    # scroll: htmx is told to load it afresh, to show the list without it and the confirmation.
    assert reply.headers["HX-Refresh"] == "true"
    assert reply.text == ""
    assert stored(session) == []
    page = parse(client.get(f"{base}/kpis"))
    assert "The KPI has been taken off your list." in text_of(page)


def test_with_htmx_adding_from_the_library_goes_to_the_kpi_task(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    reply = decide(client, base, APPRENTICESHIPS, htmx=True, action="add",
                   on=f"{base}/kpis/library?q=apprentic")  # fmt: skip
    assert reply.headers["HX-Redirect"] == f"{base}/kpis#kpi-{APPRENTICESHIPS}"
    assert "HX-Refresh" not in reply.headers  # another page: setting the address loads it


def test_a_suggested_kpi_is_rejected_not_removed(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    response = decide(client, base, LLW, action="remove")
    assert response.status_code == 422
    assert error_links(parse(response)) == [
        ("Reject a suggested KPI instead of removing", f"#decision-{LLW}")
    ]
    assert stored(session) == []


def test_an_unknown_kpi_or_action(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    assert decide(client, base, "no-such-kpi", action="add").status_code == 404
    assert decide(client, base, "no-such-kpi", action="accept").status_code == 404
    wrong = decide(client, base, LLW, action="delete-everything")
    assert wrong.status_code == 422
    assert error_links(parse(wrong)) == [("Choose accept or reject", f"#decision-{LLW}")]
    assert stored(session) == []


# The lead's own KPIs -----------------------------------------------------------------------

OWN = {
    "title": "Window cleaning rounds completed",
    "unit": "% of scheduled rounds",
    "target": "95",
    "frequency": "monthly",
    "evidence": "The round sheets signed by each site manager.",
}


def test_writing_your_own_kpi_checks_every_field(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    assert client.get(f"{base}/kpis/own").status_code == 200
    empty = post(client, f"{base}/kpis/own", dict.fromkeys(OWN, ""))
    assert empty.status_code == 422
    assert sorted(error_links(parse(empty)), key=lambda link: link[1]) == [
        ("Enter the evidence the supplier must give", "#evidence"),
        ("Select how often the supplier reports", "#frequency"),
        ("Enter the target, as a number in the KPI's unit", "#target"),
        ("Enter the KPI's title", "#title"),
        ("Enter the unit the KPI is measured in, such as “% of staff” or “tonnes”", "#unit"),
    ]
    assert parse(empty).find(id="frequency") is not None  # the summary's link has a target
    over = post(client, f"{base}/kpis/own", OWN | {"target": "120", "frequency": "weekly"})
    assert over.status_code == 422
    page = parse(over)
    assert error_links(page) == [
        ("The target must be 100 or less, as it is a percentage", "#target"),
        ("Select how often the supplier reports", "#frequency"),
    ]
    assert page.find("input", id="title")["value"] == OWN["title"]  # what was typed stays
    assert page.find("input", id="unit")["value"] == OWN["unit"]
    assert page.find("input", id="target")["value"] == "120"
    assert text_of(page.find("textarea", id="evidence")) == OWN["evidence"]
    zero = parse(post(client, f"{base}/kpis/own", OWN | {"target": "0"}))
    assert error_links(zero) == [
        ("The target must be a positive number in % of scheduled rounds (more than 0)", "#target")
    ]
    assert zero.find("input", {"name": "frequency", "value": "monthly"}).has_attr("checked")
    assert stored(session) == []


def test_your_own_kpi_is_saved_changed_and_removed(app: FastAPI, session: Session) -> None:
    client, lead, base = lead_with_draft(app, session)
    saved = post(client, f"{base}/kpis/own", OWN | {"target": "95%"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{base}/kpis#own-kpis"
    (row,) = stored(session)
    assert (row.kpi_code, row.status, row.title, row.unit, row.target, row.frequency) == (
        None, "accepted", OWN["title"], OWN["unit"], "95", "monthly"
    )  # fmt: skip
    assert row.evidence == OWN["evidence"] and row.updated_by_id == lead.id
    page = parse(client.get(saved.headers["location"]))
    assert "Your KPI has been saved." in text_of(page)
    card = page.find(id=f"own-{row.id}")
    assert card.find_previous("h2")["id"] == "own-kpis"
    rows = card_rows(card)
    assert rows["Why it is here"] == "Your own KPI"
    assert rows["Target"] == "95 (% of scheduled rounds)"
    assert rows["Reported"] == "Every month"
    assert rows["Specification clause"] == (
        "The Supplier shall achieve 95% of scheduled rounds for “Window cleaning rounds "
        "completed” in delivering Cleaning of council offices, reported every month with the "
        "round sheets signed by each site manager."
    )
    assert "You have accepted 1 KPI." in text_of(page.find(id="kpi-progress"))

    form = parse(client.get(f"{base}/kpis/own/{row.id}"))
    assert text_of(form.find("h1")) == "Change your KPI"
    values = form_values(form.find("form", action=f"{base}/kpis/own/{row.id}"))
    assert values["title"] == OWN["title"] and values["target"] == "95"
    assert values["frequency"] == "monthly" and values["revision"] == "1"
    changed = post(client, f"{base}/kpis/own/{row.id}",
                   values | {"target": "98", "frequency": "quarterly"})  # fmt: skip
    assert changed.status_code == 303
    assert changed.headers["location"] == f"{base}/kpis#own-{row.id}"
    (row,) = stored(session)
    assert (row.target, row.frequency, row.revision) == ("98", "quarterly", 2)
    stale = post(client, f"{base}/kpis/own/{row.id}", values | {"target": "50"})  # revision 1
    assert stale.status_code == 409
    notice = text_of(parse(stale).find(id="notice"))
    assert notice.startswith("Someone else changed this KPI while you were editing it.")
    assert "target 98" in notice  # theirs, in words
    assert parse(stale).find("input", {"name": "target"})["value"] == "50"  # what was typed
    assert stored(session)[0].target == "98"
    stale_and_invalid = post(client, f"{base}/kpis/own/{row.id}", values | {"title": ""})
    assert stale_and_invalid.status_code == 409  # the conflict is news before any typo
    stale_target = post(client, f"{base}/kpis/own/{row.id}", values | {"target": "lots"})
    assert stale_target.status_code == 409  # an unreadable target too
    invalid = post(client, f"{base}/kpis/own/{row.id}", values | {"title": "", "revision": "2"})
    assert invalid.status_code == 422
    assert error_links(parse(invalid)) == [("Enter the KPI's title", "#title")]
    # The form comes back at the revision it was drawn from, not the database's latest.
    assert (
        form_values(parse(invalid).find("form", action=f"{base}/kpis/own/{row.id}"))["revision"]
        == "2"
    )
    stale_remove = post(client, f"{base}/kpis/own/{row.id}", {"action": "remove", "revision": "1"})
    assert stale_remove.status_code == 409
    assert len(stored(session)) == 1

    own_id = row.id
    removed = post(client, f"{base}/kpis/own/{own_id}", {"action": "remove", "revision": "2"})
    assert removed.status_code == 303
    assert removed.headers["location"] == f"{base}/kpis#own-kpis"
    assert stored(session) == []
    page = parse(client.get(removed.headers["location"]))
    assert page.find(id=f"own-{own_id}") is None
    assert "The KPI has been taken off your list." in text_of(page)
    assert client.get(f"{base}/kpis/own/{own_id}").status_code == 404


def test_another_drafts_own_kpi_is_not_found(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    other_client, _, other_base = lead_with_draft(app, session)
    assert post(other_client, f"{other_base}/kpis/own", OWN).status_code == 303
    (theirs,) = stored(session)
    assert client.get(f"{base}/kpis/own/{theirs.id}").status_code == 404
    assert post(client, f"{base}/kpis/own/{theirs.id}", OWN).status_code == 404
    assert post(client, f"{base}/kpis/own/{theirs.id}", {"action": "remove"}).status_code == 404
    (still,) = stored(session)
    assert (still.id, still.target) == (theirs.id, "95")


# The task's status -------------------------------------------------------------------------


def test_the_task_is_completed_once_every_suggestion_is_decided(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    assert kpi_task_status(client, base) == "Not yet started"
    assert decide(client, base, LOCAL, action="reject").status_code == 303
    rejected = decide(client, base, LLW, action="reject", reason="Nobody works on premises.")
    assert rejected.status_code == 303
    assert kpi_task_status(client, base) == "In progress"  # nothing accepted yet
    assert decide(client, base, LLW, target="100", revision="1").status_code == 303
    assert kpi_task_status(client, base) == "Completed"
    page = parse(client.get(f"{base}/kpis"))
    assert "Completed Your selection meets the minimums." in text_of(page.find(id="kpi-progress"))


def test_over_5m_the_kpi_duty_needs_three_accepted_kpis(app: FastAPI, session: Session) -> None:
    client, _, base = big_draft(app, session)
    page = parse(client.get(f"{base}/kpis"))
    assert card_ids(page) == [f"kpi-{code}" for code in BIG_SUGGESTIONS]
    assert [card["id"] for card in page.find_all("section", class_="app-kpi")
            if "Required" in tags(card)] == [f"kpi-{LLW}"]  # fmt: skip
    assert "Accept at least 3 KPIs: the Procurement Act KPI duty applies" in text_of(
        page.find(id="kpi-progress")
    )
    assert kpi_task_status(client, base) == "Not yet started"
    assert tasks_count(client, base) == (
        "You have completed 0 of 13 tasks. 1 other task has no questions for this procurement. "
        "Your answers are saved as you go."
    )
    assert decide(client, base, LLW, target="100").status_code == 303
    assert kpi_task_status(client, base) == "In progress"
    assert decide(client, base, LOCAL, target="30").status_code == 303
    for code in BIG_SUGGESTIONS[2:]:
        rejected = decide(client, base, code, action="reject", reason="Not for this contract")
        assert rejected.status_code == 303, code
    progress = text_of(parse(client.get(f"{base}/kpis")).find(id="kpi-progress"))
    assert "Accept or reject" not in progress
    assert (
        "Accept at least 3 KPIs: the Procurement Act KPI duty applies (you have accepted 2)"
        in progress
    )
    assert "You have accepted 2 KPIs; the Procurement Act KPI duty needs at least 3." in progress
    assert kpi_task_status(client, base) == "In progress"
    assert tasks_count(client, base).startswith("You have completed 0 of 13 tasks.")
    check = parse(client.get(f"{base}/check"))
    assert any("Accept at least 3 KPIs" in text_of(warning)
               for warning in check.find_all(class_="govuk-warning-text"))  # fmt: skip

    third = decide(client, base, "modern-slavery-training", target="100", revision="1")
    assert third.status_code == 303
    assert kpi_task_status(client, base) == "Completed"
    assert tasks_count(client, base).startswith("You have completed 1 of 13 tasks.")
    progress = text_of(parse(client.get(f"{base}/kpis")).find(id="kpi-progress"))
    assert "Completed" in progress and "You have accepted 3 KPIs" in progress


@pytest.mark.parametrize(
    "answers",
    [
        BUSY_ANSWERS,
        # Much waste and single-use packaging make waste and circular economy a high priority.
        {"waste_generated": "a-lot", "single_use_packaging": "yes"},
    ],
    ids=["busy", "waste"],
)
def test_every_suggested_kpi_can_be_accepted_with_the_target_its_card_offers(
    app: FastAPI, session: Session, answers: dict[str, str]
) -> None:
    client, _, base = lead_with_draft(app, session)
    for question, answer in answers.items():
        autosave(client, base, question, {question: answer, f"rev-{question}": "0"})
    page = parse(client.get(f"{base}/kpis"))
    codes = [card["id"].removeprefix("kpi-") for card in page.find_all("section", class_="app-kpi")]
    assert len(codes) > 2
    for code in codes:
        form = form_values(page.find(id=f"kpi-{code}").find("form"))
        response = post(client, f"{base}/kpis/{code}", form | {"action": "accept"})
        if response.status_code != 303:
            errors = text_of(parse(response).find(class_="govuk-error-summary"))
            pytest.fail(f"{code} gave {response.status_code}: {errors}")
        (row,) = stored(session, code)
        assert (row.status, row.target) == ("accepted", None), code
    assert kpi_task_status(client, base) == "Completed"


# The specification -------------------------------------------------------------------------


def decided_busy_draft(app: FastAPI, session: Session) -> tuple[TestClient, User, str]:
    """The busy draft with the Living Wage KPI accepted, apprenticeships accepted at 150 (not
    the suggested 125), the rest rejected, and an own KPI."""
    client, lead, base = busy_draft(app, session)
    assert decide(client, base, LLW, target="100").status_code == 303
    assert decide(client, base, APPRENTICESHIPS, target="150").status_code == 303
    for code in BUSY_SUGGESTIONS:
        if code not in (LLW, APPRENTICESHIPS):
            reply = decide(client, base, code, action="reject", reason="Covered elsewhere")
            assert reply.status_code == 303
    assert post(client, f"{base}/kpis/own", OWN).status_code == 303
    return client, lead, base


ACCEPTED_TITLES = [LLW_TITLE, "Weeks of apprenticeships and training", OWN["title"]]
REJECTED_TITLES = [
    "High-risk supply chains mapped and checked for modern slavery",
    "Local residents employed on the contract",
    "Staff on secure contracts",
    "Staff trained to spot and report modern slavery",
    "Cleaning and other chemicals replaced with less harmful ones",
    "Jobs for people furthest from work",
]


def test_the_specification_to_print(app: FastAPI, session: Session) -> None:
    client, _, base = decided_busy_draft(app, session)
    assert kpi_task_status(client, base) == "Completed"
    response = client.get(f"{base}/kpis/specification")
    assert response.status_code == 200
    page = parse(response)
    main = page.find("main")
    assert text_of(page.find("h1")) == (
        "Draft: Sustainability requirements: Cleaning of council offices"
    )
    reference = procurement_of(session, base).reference
    assert text_of(page.find(id="specification-issuer")) == f"Hackney Council: {reference}"
    assert text_of(page.find(id="draft-note")).startswith("Draft: the Procurement Impact")
    assert "Why:" not in text_of(page.find("main"))
    assert [text_of(h) for h in main.find_all("h2")] == [
        "About the contract", "What the supplier must do", "Key performance indicators",
    ]  # fmt: skip
    must_do = main.find("h2", string="What the supplier must do")
    kpi_heading = main.find("h2", string="Key performance indicators")
    requirements = [text_of(h) for h in must_do.find_all_next("h3") if h in
                    kpi_heading.find_all_previous("h3")]  # fmt: skip
    assert "London Living Wage" in requirements
    assert "Modern slavery due diligence: high risk" in requirements
    assert "Pay at least the London Living Wage to everyone who works on the contract" in text_of(
        main
    )
    assert "Apprentices, interns and volunteers are outside this requirement." in text_of(main)
    assert [text_of(h) for h in kpi_heading.find_all_next("h3")] == ACCEPTED_TITLES
    assert (
        f"The Supplier shall provide at least 150 {APPRENTICESHIPS_UNIT} over the life of "
        "Cleaning of council offices" in text_of(main)
    )
    table = main.find("table")
    assert text_of(table.find("caption")) == "KPI schedule"
    rows = [[text_of(cell) for cell in row.find_all(["th", "td"])]
            for row in table.tbody.find_all("tr")]  # fmt: skip
    assert [row[:4] for row in rows] == [
        [LLW_TITLE, LLW_UNIT, "100", "Every quarter"],
        ["Weeks of apprenticeships and training", APPRENTICESHIPS_UNIT, "150", "Every six months"],
        [OWN["title"], OWN["unit"], "95", "Every month"],
    ]
    for title in REJECTED_TITLES:
        assert title not in text_of(main)


def test_the_specification_as_a_word_document(app: FastAPI, session: Session) -> None:
    client, _, base = decided_busy_draft(app, session)
    reference = procurement_of(session, base).reference
    response = client.get(f"{base}/kpis/specification.docx")
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{reference}-sustainability-specification.docx"'
    )
    document = Document(BytesIO(response.content))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith(("Heading", "Title"))]  # fmt: skip
    assert headings[0] == (
        "Title", "Draft: Sustainability requirements: Cleaning of council offices"
    )  # fmt: skip
    assert document.core_properties.author == "Hackney Council"
    assert [text for style, text in headings if style == "Heading 1"] == [
        "About the contract", "What the supplier must do", "Key performance indicators",
        "KPI schedule",
    ]  # fmt: skip
    kpis_at = headings.index(("Heading 1", "Key performance indicators"))
    assert [text for _, text in headings[kpis_at + 1 : -1]] == ACCEPTED_TITLES
    requirements = [text for style, text in headings[:kpis_at] if style == "Heading 2"]
    assert "London Living Wage" in requirements
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        f"The Supplier shall provide at least 150 {APPRENTICESHIPS_UNIT} over the life of "
        "Cleaning of council offices" in text
    )
    assert f"Reference: {reference}" in text
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["KPI", "Unit", "Target", "Reported", "Evidence"]
    assert [row[:3] for row in rows[1:]] == [
        [LLW_TITLE, LLW_UNIT, "100"],
        ["Weeks of apprenticeships and training", APPRENTICESHIPS_UNIT, "150"],
        [OWN["title"], OWN["unit"], "95"],
    ]
    everything = text + "\n".join(cell.text for row in table.rows for cell in row.cells)
    for title in REJECTED_TITLES:
        assert title not in everything


def test_with_nothing_accepted_the_specification_says_so(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    main = parse(client.get(f"{base}/kpis/specification")).find("main")
    assert "No key performance indicators have been accepted yet." in text_of(main)
    assert text_of(main.find("table").tbody) == "No KPIs accepted yet."
    document = Document(BytesIO(client.get(f"{base}/kpis/specification.docx").content))
    assert len(document.tables[0].rows) == 1  # the header row alone


# The audit log -----------------------------------------------------------------------------


@pytest.mark.postgres
def test_each_decision_is_audited(app: FastAPI, session: Session) -> None:
    client, lead, base = busy_draft(app, session)

    def events() -> list[AuditEvent]:
        session.expire_all()
        return list(session.exec(
            select(AuditEvent).where(AuditEvent.entity_type == "kpi_selection")
            .order_by(col(AuditEvent.id))
        ).all())  # fmt: skip

    assert events() == []
    assert decide(client, base, APPRENTICESHIPS, target="125").status_code == 303
    (row,) = stored(session)
    (created,) = events()
    assert (created.action, created.entity_id, created.actor_id, created.actor_email) == (
        "kpi_selection.created", str(row.id), lead.id, lead.email
    )  # fmt: skip
    assert decide(client, base, APPRENTICESHIPS, target="150", revision="1").status_code == 303
    updated = events()[-1]
    assert updated.action == "kpi_selection.updated" and updated.entity_id == str(row.id)
    assert "target" in updated.detail["changed"] and "status" in updated.detail["changed"]
    assert updated.before_digest != updated.after_digest
    bad = decide(client, base, APPRENTICESHIPS, target="abc", revision="2")
    assert bad.status_code == 422
    assert len(events()) == 2  # nothing saved, nothing logged


# Who may do what ---------------------------------------------------------------------------


def test_only_people_who_can_edit_choose_kpis(app: FastAPI, session: Session) -> None:
    _, _, base = lead_with_draft(app, session)
    other = signed_in_client(app, session, make_user(session, Role.LEAD))
    assert other.get(f"{base}/kpis").status_code == 403
    assert other.get(f"{base}/kpis/library").status_code == 403
    assert other.get(f"{base}/kpis/own").status_code == 403
    assert decide(other, base, LLW, target="100").status_code == 403
    assert decide(other, base, LLW, htmx=True, target="100").status_code == 403
    assert post(other, f"{base}/kpis/own", OWN).status_code == 403
    assert stored(session) == []
    assert other.get(f"{base}/kpis/specification").status_code == 200  # everyone reads


def test_an_approver_reads_the_specification_but_does_not_choose(
    app: FastAPI, session: Session
) -> None:
    lead_client, _, base = lead_with_draft(app, session)
    assert decide(lead_client, base, LLW, target="100").status_code == 303
    approver = signed_in_client(app, session, make_user(session, Role.APPROVER))
    assert approver.get(f"{base}/kpis").status_code == 403
    assert decide(approver, base, LLW, action="reject", reason="No").status_code == 403
    response = approver.get(f"{base}/kpis/specification")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("a", class_="govuk-back-link")["href"] == base  # not to the task
    assert LLW_TITLE in text_of(page.find("table"))
    document = approver.get(f"{base}/kpis/specification.docx")
    assert document.status_code == 200
    assert len(Document(BytesIO(document.content)).tables[0].rows) == 2
    task_list = parse(approver.get(base))
    assert task_list.find("a", href=f"{base}/kpis") is None
    assert task_list.find("a", href=f"{base}/kpis/specification") is not None
    assert stored(session)[0].status == "accepted"


def test_signed_out_people_are_sent_to_sign_in(app: FastAPI, session: Session) -> None:
    _, _, base = lead_with_draft(app, session)
    anonymous = TestClient(app)
    for path in ("/kpis", "/kpis/library", "/kpis/specification", "/kpis/specification.docx"):
        response = anonymous.get(f"{base}{path}", follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/sign-in?next="), path


def test_a_suggested_kpi_cannot_be_added_again_from_the_library(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    reply = decide(client, base, LLW, action="reject", reason="Staff are council employees")
    assert reply.status_code == 303
    library = parse(client.get(f"{base}/kpis/library", params={"q": "living wage"}))
    listed = library.find(id=f"library-{LLW}")
    assert "Suggested" in tags(listed)
    assert listed.find("button") is None  # decided on the list, never overturned from here
    assert listed.find("a", href=f"{base}/kpis#kpi-{LLW}") is not None
    # A crafted or stale "add" does not turn the rejection into an acceptance.
    reply = decide(client, base, LLW, action="add")
    assert reply.status_code == 422
    page = parse(reply)
    assert error_links(page) == [
        ("This KPI is already suggested: accept or reject it in the list", f"#decision-{LLW}")
    ]
    assert page.find(id=f"decision-{LLW}") is not None
    (row,) = stored(session)
    assert row.status == "rejected"


def test_a_decision_on_a_kpi_removed_elsewhere_does_not_bring_it_back(
    app: FastAPI, session: Session
) -> None:
    page_a, page_b, _, base = two_pages(app, session)
    assert decide(page_a, base, APPRENTICESHIPS, action="add").status_code == 303
    (row,) = stored(session)
    assert decide(page_b, base, APPRENTICESHIPS, action="remove", revision="1").status_code == 303
    stale = decide(page_a, base, APPRENTICESHIPS, target="300", revision="1")
    assert stale.status_code == 409
    assert stored(session) == []
    with_htmx = decide(page_a, base, APPRENTICESHIPS, htmx=True, target="300", revision="1")
    assert with_htmx.headers["HX-Redirect"] == f"{base}/kpis"  # the card is gone: reload
    assert stored(session) == []


def test_the_same_decision_again_is_not_a_new_revision(app: FastAPI, session: Session) -> None:
    page_a, page_b, _, base = two_pages(app, session)
    assert decide(page_a, base, LLW, target="90", revision="0").status_code == 303
    # The other page makes the very same decision from what it saw: no conflict, no change.
    assert decide(page_b, base, LLW, target="90", revision="1").status_code == 303
    assert decide(page_a, base, LLW, target="90", revision="1").status_code == 303
    (row,) = stored(session)
    assert (row.status, row.target, row.revision) == ("edited", "90", 1)


@pytest.mark.postgres
@pytest.mark.parametrize("revision", ["1" * 5000, "٣", "-1", "1.5", ""])
def test_an_odd_revision_is_a_conflict_not_an_error(
    app: FastAPI, session: Session, revision: str
) -> None:
    client, _, base = lead_with_draft(app, session)
    assert decide(client, base, LLW, target="90").status_code == 303
    reply = decide(client, base, LLW, target="80", revision=revision)
    assert reply.status_code == 409
    assert stored(session)[0].target == "90"
    banner = parse(reply).find(class_="govuk-notification-banner")
    assert "Your decision was not saved" in text_of(banner)
    assert banner.find("a", href=f"#kpi-{LLW}") is not None


def test_your_own_kpi_may_have_a_ceiling_for_a_target(app: FastAPI, session: Session) -> None:
    """An own KPI in tonnes of CO2 is better below its target: the lead says so, the clause
    says "no more than", and a choice that is neither is refused."""
    client, _, base = lead_with_draft(app, session)
    form = parse(client.get(f"{base}/kpis/own"))
    assert form.find("input", {"name": "better", "value": "higher"}).has_attr("checked")
    odd = post(client, f"{base}/kpis/own", OWN | {"better": "sideways"})
    assert odd.status_code == 422
    assert error_links(parse(odd)) == [
        ("Select whether a figure above or below the target is better", "#better")
    ]
    emissions = OWN | {"title": "Emissions from deliveries", "unit": "tonnes of CO2 equivalent",
                       "target": "12", "better": "lower"}  # fmt: skip
    assert post(client, f"{base}/kpis/own", emissions).status_code == 303
    (row,) = stored(session)
    assert row.better == "lower"
    page = parse(client.get(f"{base}/kpis"))
    assert card_rows(page.find(id=f"own-{row.id}"))["Specification clause"] == (
        "The Supplier shall keep “Emissions from deliveries” to no more than 12 tonnes of CO2 "
        "equivalent in delivering Cleaning of council offices, reported every month with the "
        "round sheets signed by each site manager."
    )
    again = parse(client.get(f"{base}/kpis/own/{row.id}"))
    assert again.find("input", {"name": "better", "value": "lower"}).has_attr("checked")
