"""Results over HTTP: the summary beside the questions (and its htmx redraw), the results page
with every explanation and obligation, and professional judgement on a topic's scores."""

from datetime import date

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from app.models import AuditEvent, Procurement, Role, ScoreOverride
from app.services import procurements
from app.services.reference_data import add_reference_value
from tests.support.auth import signed_in_client
from tests.support.factories import make_user
from tests.support.html import parse, text_of
from tests.support.primas import autosave, lead_with_draft, post


def summary_rows(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    aside = page.find(id="results-summary")
    return {text_of(row.th): text_of(row.td) for row in aside.tbody.find_all("tr")}


def test_the_summary_beside_the_questions_shows_every_topic_and_what_it_owes(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    page = parse(client.get(f"{base}/tasks/workforce"))
    rows = summary_rows(page)
    assert len(rows) == 11
    # Cleaning is a high-risk industry (+2): medium risk, no scope yet, so low priority.
    assert rows["Modern slavery and human rights"] == "Low"
    owed = text_of(page.find(id="results-summary").find("ul"))
    assert "PRIMAS required" in owed
    assert "Modern slavery due diligence: medium risk" in owed
    assert "London Living Wage (council policy, unless your answers show otherwise)" in owed
    assert "Paying within 30 days, down the supply chain (law)" in owed


def test_saving_an_answer_redraws_the_summary_out_of_band(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    reply = autosave(
        client, base, "agency_labour", {"agency_labour": "yes", "rev-agency_labour": "0"}
    )
    assert reply.status_code == 200
    aside = parse(reply).find(id="results-summary")
    assert aside is not None and aside["hx-swap-oob"] == "true"
    assert "Modern slavery due diligence: high risk" in text_of(aside)
    assert summary_rows(parse(reply))["Modern slavery and human rights"] == "Medium"


def test_the_results_page_explains_every_score(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    autosave(client, base, "agency_labour", {"agency_labour": "yes", "rev-agency_labour": "0"})
    page = parse(client.get(f"{base}/results"))
    row = page.find(id="topic-modern-slavery")
    cells = [text_of(td) for td in row.find_all("td")]
    assert cells == ["3: High", "0: None", "Medium"]
    explained = text_of(row.find("details"))
    assert '+2 Category "Cleaning services" is a high-risk industry for modern slavery' in explained
    assert (
        '+1 PPN 009 indicator: nature of the workforce: You answered "Yes" to "Is the supplier '
        'likely to use agency or temporary workers on the contract?"' in explained
    )
    assert "Total 3, so the computed risk is 3: high." in explained
    assert len(page.find_all("table", class_="app-heatmap")) == 3  # one per theme
    warning = text_of(page.find(class_="govuk-warning-text"))
    assert "The modern slavery risk is high: add at least one mitigation action" in warning


def test_the_results_page_lists_every_obligation_with_its_reason(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    page = parse(client.get(f"{base}/results"))
    cards = {
        card["id"].removeprefix("obligation-"): text_of(card)
        for card in page.find_all(class_="govuk-summary-card")
    }
    # Grouped under their basis: the law, council policy, then recommended practice.
    groups = {
        heading["id"].removeprefix("basis-"): [
            card["id"].removeprefix("obligation-")
            for card in heading.find_next_siblings(class_="govuk-summary-card")
            if card.find_previous_sibling("h3") is heading
        ]
        for heading in page.find_all(
            "h3", id=lambda value: bool(value) and value.startswith("basis-")
        )
    }
    assert groups == {
        "law": ["social-value-act", "kpi-duty", "payment-terms", "modern-slavery-statement"],
        "council-policy": ["primas", "london-living-wage", "carbon-reduction-plan",
                           "social-value-weighting"],
        "practice": ["modern-slavery"],
    }  # fmt: skip
    assert [text_of(h) for h in page.find_all("h3", id=True)] == [
        "Law",
        "Council policy",
        "Recommended practice",
    ]
    assert "Basis Law" in cards["kpi-duty"] and "Basis Council policy" in cards["primas"]
    assert "Applies" in cards["social-value-act"] and "£207,720" in cards["social-value-act"]
    assert "Does not apply" in cards["kpi-duty"] and "not more than £5,000,000" in cards["kpi-duty"]
    assert "Rate employers must pay at the contract start" in cards["london-living-wage"]
    assert "Social value weighting: at least 10%" in cards["social-value-weighting"]


def test_a_new_living_wage_rate_changes_the_results(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    admin = make_user(session, Role.ADMIN)
    start = date(date.today().year + 1, 9, 1)  # the factory's contract start
    add_reference_value(session, admin, key="llw_pay_by", effective_from=start, amount=1999,
                        source="https://www.livingwage.org.uk/calculation")  # fmt: skip
    card = text_of(parse(client.get(f"{base}/results")).find(id="obligation-london-living-wage"))
    assert "£19.99 an hour" in card


def test_professional_judgement_needs_a_reason_and_keeps_what_was_typed(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    response = post(client, f"{base}/results/modern-slavery",
                    {"risk": "3", "scope": "computed", "reason": "  "})  # fmt: skip
    assert response.status_code == 422
    page = parse(response)
    summary = text_of(page.find(class_="govuk-error-summary"))
    assert "Enter the reason for your judgement" in summary
    assert page.find("input", {"name": "risk", "value": "3"}).has_attr("checked")
    assert page.find("title").text.startswith("Error: ")
    bad = parse(post(client, f"{base}/results/modern-slavery", {"risk": "7", "scope": ""}))
    errors = text_of(bad.find(class_="govuk-error-summary"))
    assert "Select the risk to use, or keep the computed risk" in errors
    assert "Select the scope to use, or keep the computed scope" in errors


def test_professional_judgement_shows_the_computed_value_and_the_reason(
    app: FastAPI, session: Session
) -> None:
    client, lead, base = lead_with_draft(app, session)
    reason = "The incumbent's agency staff come through an unlicensed gangmaster."
    response = post(client, f"{base}/results/modern-slavery",
                    {"risk": "3", "scope": "2", "reason": reason})  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"].endswith("/results#topic-modern-slavery")
    page = parse(client.get(response.headers["location"]))
    assert "Your professional judgement has been saved." in text_of(page)
    row = page.find(id="topic-modern-slavery")
    cells = [text_of(td) for td in row.find_all("td")]
    assert cells[0] == "3: High (changed by an officer; computed 2)"
    assert cells[2] == "High"  # risk 3 and scope 2
    explained = text_of(row.find("details"))
    assert f"{lead.name} set the risk to 3 (high) instead of the computed 2." in explained
    assert f"Their reason: {reason}" in explained
    assert "Modern slavery due diligence: high risk" in text_of(
        page.find(id="obligation-modern-slavery")
    )
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "score_override")
    ).all()
    assert len(events) == 2
    form = parse(client.get(f"{base}/results/modern-slavery"))  # the form shows what was saved
    assert form.find("input", {"name": "risk", "value": "3"}).has_attr("checked")
    assert text_of(form.find("textarea")) == reason
    version = form.find("input", {"name": "version"})["value"]
    cleared = post(client, f"{base}/results/modern-slavery",
                   {"risk": "computed", "scope": "computed", "reason": "",
                    "version": version})  # fmt: skip
    assert cleared.status_code == 303
    session.expire_all()
    assert session.exec(select(ScoreOverride)).all() == []


def test_only_people_who_can_edit_use_judgement_but_everyone_sees_results(
    app: FastAPI, session: Session
) -> None:
    _, _, base = lead_with_draft(app, session)
    other = signed_in_client(app, session, make_user(session, Role.LEAD))
    assert other.get(f"{base}/results").status_code == 200
    assert "Use your professional judgement" not in other.get(f"{base}/results").text
    assert other.get(f"{base}/results/modern-slavery").status_code == 403
    approver = signed_in_client(app, session, make_user(session, Role.APPROVER))
    assert approver.get(f"{base}/results").status_code == 200


def test_an_unknown_topic_is_not_found(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    assert client.get(f"{base}/results/no-such-topic").status_code == 404
    assert post(client, f"{base}/results/no-such-topic", {"risk": "1"}).status_code == 404


def test_the_task_list_and_check_page_lead_to_the_results(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    task_list = parse(client.get(base))
    assert task_list.find("a", href=f"{base}/results") is not None
    autosave(client, base, "agency_labour", {"agency_labour": "yes", "rev-agency_labour": "0"})
    check = parse(client.get(f"{base}/check"))
    assert "add at least one mitigation action" in text_of(check.find(class_="govuk-warning-text"))
    assert check.find("a", href=f"{base}/results") is not None


@pytest.mark.postgres
def test_a_judgement_changed_since_the_page_was_drawn_is_not_overwritten(
    app: FastAPI, session: Session
) -> None:
    """Two officers open the same topic; the first saves. The second's save is refused (409):
    the first's judgement and reason stand and are shown, and what the second typed stays on the
    page to save again deliberately."""
    first, lead, base = lead_with_draft(app, session)
    procurement = session.exec(select(Procurement)).one()
    second_officer = make_user(session, Role.LEAD)
    procurements.add_collaborator(session, lead, procurement, second_officer.id)
    second = signed_in_client(app, session, second_officer)
    page = f"{base}/results/modern-slavery"
    seen = {who: parse(who.get(page)).find("input", {"name": "version"})["value"]
            for who in (first, second)}  # fmt: skip
    mine = "The incumbent's agency staff come through an unlicensed gangmaster."
    saved = post(first, page, {"risk": "3", "scope": "computed", "reason": mine,
                               "version": seen[first]})  # fmt: skip
    assert saved.status_code == 303
    theirs = "Their audit found nothing of concern."
    refused = post(second, page, {"risk": "1", "scope": "1", "reason": theirs,
                                  "version": seen[second]})  # fmt: skip
    assert refused.status_code == 409
    shown = parse(refused)
    banner = text_of(shown.find(class_="govuk-notification-banner"))
    assert "Someone else changed this judgement while you were editing it" in banner
    assert "Risk: 3 (high), set by" in banner and f"Their reason: {mine}" in banner
    assert shown.find("input", {"name": "risk", "value": "1"}).has_attr("checked")  # as typed
    assert text_of(shown.find("textarea")) == theirs
    session.expire_all()
    stored = {row.measure: (row.value, row.reason) for row in session.exec(select(ScoreOverride))}
    assert stored == {"risk": (3, mine)}
    # Saving again, deliberately, from the page that now shows theirs, replaces it.
    again = shown.find("input", {"name": "version"})["value"]
    replaced = post(second, page, {"risk": "1", "scope": "1", "reason": theirs, "version": again})
    assert replaced.status_code == 303
