"""PRIMAS version 3 over HTTP: questions worded for what is bought, who carries out each
mitigation action, the topics to focus on, promises that become requirements of the
specification, KPIs withdrawn from the library, and an edited target the lead confirms when the
suggested one changes."""

from datetime import UTC, datetime

from fastapi import FastAPI
from sqlmodel import Session, col, select

from app.models import Assessment, KpiSelection, Role
from app.services import procurements
from tests.support.auth import signed_in_client
from tests.support.factories import make_draft, make_procurement, make_user, procurement_facts
from tests.support.html import form_values, parse, text_of
from tests.support.primas import autosave, lead_with_draft, post

SERVICES_LOW_PAID = "Will much of the work be done in roles that are usually low paid?"
GOODS_LOW_PAID = (
    "Are the goods mostly made, grown, picked or packed in work that is usually low paid?"
)
GOODS_AGENCY = "Are the goods likely to be made or packed by agency or temporary workers?"
APPRENTICESHIPS = "apprenticeship-weeks"
PERFORMANCE_RATED = "performance-rated"


def started(app: FastAPI, session: Session, **procurement: str) -> tuple:  # type: ignore[type-arg]
    """A lead who records a procurement and starts its PRIMAS from the procurement page, as a
    new draft is started: on the newest version."""
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, **({"value": "2,400,000"} | procurement))
    client = signed_in_client(app, session, lead)
    assert post(client, f"/procurements/{record.reference}/primas/start", {}).status_code == 303
    return client, lead, f"/procurements/{record.reference}/primas"


def labels(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The questions on a task page, by their legend or label."""
    return [text_of(item) for item in page.select(".app-task-form legend, .app-task-form label")]


# Questions worded for what is bought --------------------------------------------------------


def test_a_new_draft_is_on_version_3(app: FastAPI, session: Session) -> None:
    started(app, session)
    session.expire_all()
    assert session.exec(select(Assessment)).one().form_version == 3


def test_a_goods_contract_asks_about_the_supply_chain_s_workers(
    app: FastAPI, session: Session
) -> None:
    client, _, base = started(app, session, title="Laptops for staff", category="ict-hardware",
                              contract_type="goods", value="450,000")  # fmt: skip
    page = parse(client.get(f"{base}/tasks/workforce"))
    asked = " ".join(labels(page))
    assert GOODS_LOW_PAID in asked and GOODS_AGENCY in asked
    assert SERVICES_LOW_PAID not in asked
    assert "sometimes called gangmasters: businesses that supply workers to others" in text_of(
        page.find(id="agency_labour-hint")
    )
    # The check page asks the question as the page did.
    autosave(client, base, "low_paid_roles", {"low_paid_roles": "yes", "rev-low_paid_roles": "0"})
    check = text_of(parse(client.get(f"{base}/check")).find("main"))
    assert GOODS_LOW_PAID in check and SERVICES_LOW_PAID not in check


def test_a_services_contract_asks_about_the_people_who_will_work_on_it(
    app: FastAPI, session: Session
) -> None:
    client, _, base = started(app, session)
    asked = " ".join(labels(parse(client.get(f"{base}/tasks/workforce"))))
    assert SERVICES_LOW_PAID in asked and GOODS_LOW_PAID not in asked


# Who carries out a mitigation action --------------------------------------------------------


def test_each_mitigation_action_says_who_carries_it_out(app: FastAPI, session: Session) -> None:
    client, _, base = started(app, session)
    page = parse(client.get(f"{base}/tasks/modern-slavery"))
    radios = page.find_all("input", {"name": "mitigation_actions-0-carried_out_by"})
    assert [radio["value"] for radio in radios] == ["supplier", "council"]
    entry = {
        "mitigation_actions-count": "1",
        "mitigation_actions-0-action": "Audit the agency supplying cleaners",
        "mitigation_actions-0-carried_out_by": "council",
        "mitigation_actions-0-owner": "Contract manager",
        "mitigation_actions-0-due-day": "1",
        "mitigation_actions-0-due-month": "6",
        "mitigation_actions-0-due-year": "2027",
    }
    saved = post(client, f"{base}/tasks/modern-slavery", entry | {"action": "later"})
    assert saved.status_code == 303
    again = parse(client.get(f"{base}/tasks/modern-slavery"))
    chosen = again.find("input", {"name": "mitigation_actions-0-carried_out_by", "checked": True})
    assert chosen is not None and chosen["value"] == "council"
    assert again.find("label", {"for": chosen["id"]}) is not None

    typed = form_values(again.find("form", class_="app-task-form"))
    typed |= {"mitigation_actions-0-carried_out_by": "", "action": "continue"}
    refused = post(client, f"{base}/tasks/modern-slavery", typed)
    assert refused.status_code == 422
    links = [text_of(a) for a in parse(refused).find(class_="govuk-error-summary").find_all("a")]
    assert "Select who carries it out" in links
    assert "Select where suppliers operate" in links  # not "Select the where suppliers operate"


# The topics to focus on ---------------------------------------------------------------------


def test_the_results_name_three_topics_to_focus_on(app: FastAPI, session: Session) -> None:
    client, _, base = started(app, session)
    for question, answer in {"agency_labour": "yes", "low_paid_roles": "yes"}.items():
        autosave(client, base, question, {question: answer, f"rev-{question}": "0"})
    page = parse(client.get(f"{base}/results"))
    focus = page.find(id="focus")
    items = focus.find_all("li")
    assert len(items) == 3
    for item in items:  # each links to its topic's explanation on the same page
        anchor = item.find("a")["href"]
        assert page.find(id=anchor[1:]) is not None, anchor
    # Agency labour and low pay raise modern slavery risk most (primas-v3.scoring.yaml), and
    # its priority leads the list.
    assert text_of(items[0]).startswith("Modern slavery and human rights")
    summary = text_of(parse(client.get(f"{base}/tasks/workforce")).find(id="results-focus"))
    assert summary.startswith("Focus on: Modern slavery and human rights, ")
    assert page.find(id="focus-all-low") is None


def test_with_every_topic_low_the_results_say_so(app: FastAPI, session: Session) -> None:
    """£150k of consultancy, nothing answered: no topic is medium or high, and the results say
    where to look first rather than calling low priorities a focus."""
    client, _, base = started(app, session, title="Policy review", value="150,000",
                              category="professional-services")  # fmt: skip
    page = parse(client.get(f"{base}/results"))
    assert text_of(page.find(id="focus-all-low")) == (
        "No topic is medium or high priority. Look first at:"
    )
    assert len(page.find(id="focus").find_all("li")) == 3
    summary = text_of(parse(client.get(f"{base}/tasks/workforce")).find(id="results-focus"))
    assert summary.startswith("No topic is medium or high priority. Look first at: ")


# Promises become requirements ---------------------------------------------------------------


def test_a_promise_adds_its_requirement_to_the_specification(
    app: FastAPI, session: Session
) -> None:
    client, _, base = started(app, session)
    before = parse(client.get(f"{base}/results"))
    assert autosave(client, base, "msat", {"msat": "yes", "rev-msat": "0"}).status_code == 200
    after = parse(client.get(f"{base}/results"))
    # A promise changes no score: the modern slavery topic reads the same.
    assert text_of(after.find(id="topic-modern-slavery")) == text_of(
        before.find(id="topic-modern-slavery")
    )
    main = parse(client.get(f"{base}/kpis/specification")).find("main")
    must_do = main.find("h2", string="What the supplier must do").find_all_next("h3")
    assert "Modern Slavery Assessment Tool" in [text_of(h) for h in must_do]
    assert "Complete the Modern Slavery Assessment Tool when the contract is awarded" in text_of(
        main
    )
    assert autosave(client, base, "msat", {"msat": "no", "rev-msat": "1"}).status_code == 200
    main = parse(client.get(f"{base}/kpis/specification")).find("main")
    assert "Modern Slavery Assessment Tool" not in text_of(main)


# KPIs withdrawn from the library ------------------------------------------------------------


def test_an_accepted_kpi_since_withdrawn_is_shown_with_the_reason(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="6,000,000")
    draft = make_draft(session, record, lead)
    # Accepted before the library withdrew it, as a draft from before version 2 of the library.
    session.add(KpiSelection(assessment_id=draft.id, kpi_code=PERFORMANCE_RATED,
                             status="accepted", updated_by_id=lead.id,
                             updated_at=datetime.now(UTC)))  # fmt: skip
    session.commit()
    client = signed_in_client(app, session, lead)
    base = f"/procurements/{record.reference}/primas"
    page = parse(client.get(f"{base}/kpis"))
    withdrawn = page.find(id=f"withdrawn-{PERFORMANCE_RATED}")
    assert withdrawn is not None
    assert "Contract performance rated against its KPIs: withdrawn" in text_of(withdrawn)
    assert "section 71" in text_of(withdrawn) or "s.71" in text_of(withdrawn)
    assert page.find(id=f"kpi-{PERFORMANCE_RATED}") is None  # not a card to decide
    assert text_of(page.find(id="kpi-count")).startswith("You have accepted 0 KPIs")
    check = text_of(parse(client.get(f"{base}/check")).find("main"))
    assert "Contract performance rated against its KPIs Withdrawn from the library: " in check
    spec = text_of(parse(client.get(f"{base}/kpis/specification")).find("main"))
    assert "Contract performance rated" not in spec


# An edited target whose suggestion changed --------------------------------------------------


def test_an_edited_target_is_confirmed_when_the_suggestion_changes(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    for question in ("new_jobs", "apprenticeships"):
        answer = {"new_jobs": "many", "apprenticeships": "yes"}[question]
        autosave(client, base, question, {question: answer, f"rev-{question}": "0"})
    form = {"action": "accept", "target": "150", "reason": "", "revision": "0"}
    assert post(client, f"{base}/kpis/{APPRENTICESHIPS}", form).status_code == 303
    card = parse(client.get(f"{base}/kpis")).find(id=f"kpi-{APPRENTICESHIPS}")
    assert card.find(id=f"kpi-{APPRENTICESHIPS}-confirm") is None

    # The lead says 200 weeks are realistic: the suggested target follows the answer (it was
    # £2.4m x 52 weeks per £1m = 125), and the lead's 150 is put back to them to confirm.
    saved = autosave(client, base, "training_weeks",
                     {"training_weeks": "200", "rev-training_weeks": "0"})  # fmt: skip
    assert saved.status_code == 200
    page = parse(client.get(f"{base}/kpis"))
    card = page.find(id=f"kpi-{APPRENTICESHIPS}")
    warning = text_of(card.find(id=f"kpi-{APPRENTICESHIPS}-confirm"))
    assert "The suggested target has changed to 200 since you set yours, 150." in warning
    assert "From your answer: 200" in text_of(card)
    confirm = "Confirm your target for “Weeks of apprenticeships and training”"
    assert confirm in text_of(page.find(id="kpi-progress"))

    form = form_values(card.find("form"))
    assert form["target"] == "150"
    again = post(client, f"{base}/kpis/{APPRENTICESHIPS}", form | {"action": "accept"})
    assert again.status_code == 303
    page = parse(client.get(f"{base}/kpis"))
    assert page.find(id=f"kpi-{APPRENTICESHIPS}-confirm") is None
    assert confirm not in text_of(page.find(id="kpi-progress"))
    session.expire_all()
    row = session.exec(
        select(KpiSelection).where(col(KpiSelection.kpi_code) == APPRENTICESHIPS)
    ).one()
    assert (row.status, row.target, row.suggested_then) == ("edited", "150", "200")


def test_the_value_changing_also_asks_for_confirmation(app: FastAPI, session: Session) -> None:
    client, lead, base = lead_with_draft(app, session)
    for question, answer in {"new_jobs": "many", "apprenticeships": "yes"}.items():
        autosave(client, base, question, {question: answer, f"rev-{question}": "0"})
    form = {"action": "accept", "target": "150", "reason": "", "revision": "0"}
    assert post(client, f"{base}/kpis/{APPRENTICESHIPS}", form).status_code == 303
    record = procurements.get_by_reference(session, base.split("/")[2])
    assert record is not None
    procurements.update(session, lead, record, procurement_facts(session, value="3,000,000"),
                        version=record.version, base=procurement_facts(session))  # fmt: skip
    card = parse(client.get(f"{base}/kpis")).find(id=f"kpi-{APPRENTICESHIPS}")
    assert card.find(id=f"kpi-{APPRENTICESHIPS}-confirm") is not None  # 125 became 156


# Moving a version 2 draft --------------------------------------------------------------------


def test_moving_a_version_2_draft_keeps_what_was_typed(app: FastAPI, session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="2,400,000")
    make_draft(session, record, lead, version=2)
    client = signed_in_client(app, session, lead)
    base = f"/procurements/{record.reference}/primas"
    answers = {
        "workforce_risk": ["agency", "migrant"],
        "mitigation_actions-count": "1",
        "mitigation_actions-0-action": "Audit the agency supplying cleaners",
        "mitigation_actions-0-owner": "Contract manager",
        "mitigation_actions-0-due-day": "1",
        "mitigation_actions-0-due-month": "6",
        "mitigation_actions-0-due-year": "2027",
        "action": "later",
    }
    assert post(client, f"{base}/tasks/modern-slavery", answers).status_code == 303

    preview = text_of(parse(client.get(f"{base}/upgrade")).find("main"))
    assert "without choices the new version no longer offers" in preview
    assert "(without: Agency or temporary workers)" in preview
    assert "the new version asks for more in them" in preview
    assert "No answers would be dropped." in preview

    done = text_of(parse(post(client, f"{base}/upgrade", {})).find("main"))
    assert "2 answers kept." in done
    page = parse(client.get(f"{base}/tasks/modern-slavery"))
    ticked = [box["value"] for box in page.find_all("input", {"name": "workforce_risk"})
              if box.has_attr("checked")]  # fmt: skip
    assert ticked == ["migrant"]
    assert page.find("input", id="mitigation_actions-0-action")["value"] == (
        "Audit the agency supplying cleaners"
    )
    assert (
        page.find("input", {"name": "mitigation_actions-0-carried_out_by", "checked": True}) is None
    )
