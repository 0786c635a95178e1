"""What a procurement owes, as the pages show it: grouped under law, council policy and
recommended practice; frameworks and call-offs; the council's own policy decisions.

Expected wording comes from the sources in docs/scoring.md: the Procurement Act 2023 (s.3
public contracts, s.52 KPIs, s.68, s.73 and s.88 payment), the Public Services (Social Value)
Act 2012 s.1 (considered when a framework is set up, not for each call-off), PPN 006 and PPN
002 (central government's, so council policy only while adopted).
"""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup, Tag
from fastapi import FastAPI
from sqlmodel import Session, select

from app.models import Assessment, Role
from tests.support.auth import csrf_token, signed_in_client
from tests.support.factories import make_procurement, make_user, procurement_form_data
from tests.support.html import error_summary_links, parse, text_of
from tests.support.primas import lead_with_draft, post

NEXT_YEAR = date.today().year + 1


def record_section(page: BeautifulSoup) -> Tag:
    found = page.find("section", class_="app-owed-on-record")
    assert isinstance(found, Tag)
    return found


def owed(page: BeautifulSoup) -> dict[str, dict[str, str]]:
    """Each basis heading with its obligations' titles and statuses, from the record section."""
    section = record_section(page)
    groups: dict[str, dict[str, str]] = {}
    for heading in section.find_all("h3"):
        rows = heading.find_next_sibling("dl").find_all(class_="govuk-summary-list__row")
        groups[text_of(heading)] = {text_of(row.dt): text_of(row.dd.strong) for row in rows}
    return groups


def reason_of(page: BeautifulSoup, code: str) -> str:
    row = record_section(page).find(id=f"owes-{code}")
    assert isinstance(row, Tag), code
    return text_of(row.dd)


def test_the_procurement_page_groups_what_the_record_decides(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="2,400,000")  # services, 5 years in all
    page = parse(signed_in_client(app, session, lead).get(f"/procurements/{record.reference}"))
    assert owed(page) == {
        "Law": {
            "Public Services (Social Value) Act 2012": "Applies",
            "Procurement Act KPIs: at least 3": "Does not apply",
            "Paying within 30 days, down the supply chain": "Applies",
        },
        "Council policy": {
            "PRIMAS required": "Applies",
            "Carbon reduction plan": "Does not apply",
            "Social value weighting: at least 10%": "Applies",
        },
    }
    assert "section 68" in reason_of(page, "payment-terms")
    assert "section 73" in reason_of(page, "payment-terms")
    intro = text_of(record_section(page).find("p"))
    assert "The London Living Wage, modern slavery due diligence" in intro


def test_think_local_still_says_the_living_wage_applies_whatever_the_value(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="99,999.99")
    page = parse(signed_in_client(app, session, lead).get(f"/procurements/{record.reference}"))
    think_local = text_of(page.find(id="owes-reason"))
    assert "Think Local" in think_local
    assert "The London Living Wage still applies, whatever the value" in think_local
    assert "2 or more hours on any day of the week, for 8 or more consecutive weeks" in think_local
    # Below the threshold the council still pays within 30 days, and so does the supply chain.
    assert "section 88(1)" in reason_of(page, "payment-terms")
    assert "section 88(8)" in reason_of(page, "payment-terms")


def test_a_call_off_names_its_framework_and_owes_kpis_but_not_the_social_value_act(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    client = signed_in_client(app, session, lead)
    form = procurement_form_data(value="6,000,000", framework="call-off", framework_name="")
    refused = client.post("/procurements/new", data=form | {"csrf_token": csrf_token(client)})
    assert refused.status_code == 422
    page = parse(refused)
    assert error_summary_links(page) == [
        ("Enter the name of the framework it calls off from", "#framework_name")
    ]
    radio = page.find("input", attrs={"name": "framework", "value": "call-off"})
    assert radio.has_attr("checked")  # what was chosen is kept
    form["framework_name"] = "Facilities management and workplace services"
    created = client.post("/procurements/new", data=form | {"csrf_token": csrf_token(client)},
                          follow_redirects=True)  # fmt: skip
    page = parse(created)
    details = text_of(page.find("h2", string="Details").find_next("dl"))
    assert "Framework Calls off from Facilities management and workplace services" in details
    groups = owed(page)
    assert groups["Law"]["Public Services (Social Value) Act 2012"] == "Does not apply"
    assert "social value is considered when a framework is set up" in reason_of(
        page, "social-value-act"
    )
    assert groups["Law"]["Procurement Act KPIs: at least 3"] == "Applies"
    assert "(a call-off's value is its own)" in reason_of(page, "kpi-duty")


def test_setting_up_a_framework_owes_the_social_value_act_but_not_kpis(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    record = make_procurement(session, lead, value="6,000,000", framework="setting-up")
    page = parse(signed_in_client(app, session, lead).get(f"/procurements/{record.reference}"))
    groups = owed(page)
    assert groups["Law"]["Public Services (Social Value) Act 2012"] == "Applies"
    assert groups["Law"]["Procurement Act KPIs: at least 3"] == "Does not apply"
    assert "does not apply to setting up a framework" in reason_of(page, "kpi-duty")
    details = text_of(page.find("h2", string="Details").find_next("dl"))
    assert "Framework Sets up a framework agreement" in details


def test_a_dated_no_makes_the_carbon_reduction_plan_not_council_policy(
    app: FastAPI, session: Session
) -> None:
    lead = make_user(session, Role.LEAD)
    # £30m over 5 years: £6m a year, over PPN 006's £5m a year.
    record = make_procurement(session, lead, value="30,000,000", term_months="60",
                              extension_months="0")  # fmt: skip
    lead_client = signed_in_client(app, session, lead)
    path = f"/procurements/{record.reference}"
    assert (
        owed(parse(lead_client.get(path)))["Council policy"]["Carbon reduction plan"] == "Applies"
    )
    admin = signed_in_client(app, session, make_user(session, Role.ADMIN))
    form = "/admin/reference-data/policy_carbon_reduction_plan/new"
    # From after the planned tender date (1 March next year): it still applies to this one.
    later = {"effective_from-day": "2", "effective_from-month": "3",
             "effective_from-year": str(NEXT_YEAR)}  # fmt: skip
    note = "Cabinet, 12 January: carbon reduction plans are not council policy"
    assert post(admin, form, later | {"amount": "no", "note": note}).status_code == 303
    assert (
        owed(parse(lead_client.get(path)))["Council policy"]["Carbon reduction plan"] == "Applies"
    )
    # In force on the planned tender date: it does not apply, and says whose decision it was.
    earlier = later | {"effective_from-month": "1", "effective_from-day": "1"}
    assert post(admin, form, earlier | {"amount": "no", "note": note}).status_code == 303
    page = parse(lead_client.get(path))
    status = owed(page)["Council policy"]["Carbon reduction plan"]
    assert status == "Does not apply: not council policy"
    assert f"not council policy from 1 January {NEXT_YEAR} ({note})" in reason_of(
        page, "carbon-reduction-plan"
    )


def test_a_policy_decision_is_a_yes_or_no_with_the_decision_named(
    app: FastAPI, session: Session
) -> None:
    admin = signed_in_client(app, session, make_user(session, Role.ADMIN))
    form = "/admin/reference-data/policy_social_value_weighting/new"
    page = parse(admin.get(form))
    choices = [i["value"] for i in page.find_all("input", attrs={"name": "amount"})]
    assert choices == ["yes", "no"]
    day = {"effective_from-day": "1", "effective_from-month": "4",
           "effective_from-year": str(NEXT_YEAR)}  # fmt: skip
    refused = post(admin, form, day | {"amount": "maybe", "note": ""})
    assert refused.status_code == 422
    assert error_summary_links(parse(refused)) == [
        ("Select yes if it is council policy from this date, or no if not", "#amount"),
        ("Enter the decision this records, such as the name and date of the cabinet report or "
         "officer decision", "#note"),
    ]  # fmt: skip
    done = post(admin, form, day | {"amount": "no", "note": "Officer decision OD-2027-04"})
    assert done.status_code == 303
    listing = parse(admin.get("/admin/reference-data"))
    card = listing.find("div", id="policy_social_value_weighting")
    assert f"1 April {NEXT_YEAR} No Future" in text_of(card.find("tbody"))
    assert "Yes, since 1 January 2018" in text_of(card)


def test_the_check_page_groups_what_the_procurement_owes(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)
    page = parse(client.get(f"{base}/check"))
    headings = [
        text_of(h) for h in page.find_all("h3", id=lambda v: bool(v) and v.startswith("owes-"))
    ]
    assert headings == ["Law", "Council policy", "Recommended practice"]
    practice = page.find(id="owes-modern-slavery")
    # Cleaning, a high-risk industry (+2) with nothing answered yet: risk 2, medium.
    assert text_of(practice.dt) == "Modern slavery due diligence: medium risk"
    assert practice.dt.a["href"] == f"{base}/results#obligation-modern-slavery"


def test_a_draft_from_before_the_rules_were_revised_says_its_results_changed(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session)
    assert parse(client.get(base)).find(id="rules-revised") is None  # a new draft: up to date
    draft = session.exec(select(Assessment)).one()
    # As migration 0009 leaves a draft started before the revision: the facts, no marker.
    draft.context_seen = {k: v for k, v in draft.context_seen.items() if k != "obligation_rules"}
    session.add(draft)
    session.commit()
    page = parse(client.get(base))
    banner = page.find(class_="govuk-notification-banner")
    assert text_of(page.find(id="rules-revised")) == (
        "The rules for what a procurement owes were revised on 5 December 2026, so this "
        "PRIMAS's results have changed"
    )
    assert "has changed since you last looked" not in text_of(banner)  # the facts did not
    owed_now = [text_of(li) for li in page.find(id="owed-now").find_all("li")]
    assert "Paying within 30 days, down the supply chain (law)" in owed_now
    assert "Public Services (Social Value) Act 2012 (law)" in owed_now
    assert post(client, f"{base}/acknowledge", {}).status_code == 303
    assert parse(client.get(base)).find(id="rules-revised") is None


def test_the_procurement_page_shows_a_recorded_reason_for_setting_no_kpis(
    app: FastAPI, session: Session
) -> None:
    client, _, base = lead_with_draft(app, session, value="6,000,000")
    reason = "Each visit is bought and checked on its own."
    assert (
        post(client, f"{base}/kpis/kpi-duty", {"reason": reason, "revision": "0"}).status_code
        == 303
    )
    page = parse(client.get(base.removesuffix("/primas")))
    assert owed(page)["Law"]["Procurement Act KPIs: at least 3"] == "Does not apply"
    assert f"The reason recorded: {reason}" in reason_of(page, "kpi-duty")
