"""Procurement pages over HTTP: the form and its errors, the page, the list and edit conflicts."""

from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role, User
from tests.support.auth import csrf_token, signed_in_client
from tests.support.factories import (
    copy_procurement_in_bulk,
    make_procurement,
    make_user,
    procurement_form_data,
)
from tests.support.html import heading, parse, text_of


def lead_client(app: FastAPI, session: Session) -> tuple[TestClient, User]:
    lead = make_user(session, Role.LEAD, name="Priya Shah")
    return signed_in_client(app, session, lead), lead


def post(client: TestClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data=data | {"csrf_token": csrf_token(client)}, follow_redirects=False)


def form_fields(page, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every field of the form on `page` as the browser would submit it, with `changes`."""
    fields = {
        i["name"]: i.get("value", "")
        for i in page.find("main").find_all("input")
        if i.get("type") not in ("radio", "checkbox")
    }
    fields |= {
        s["name"]: s.find("option", selected=True)["value"]
        for s in page.find("main").find_all("select")
    }
    fields |= {i["name"]: i["value"] for i in page.find("main").find_all("input", checked=True)}
    fields["description"] = text_of(page.find("textarea", id="description"))
    return fields | changes


def test_recording_a_procurement_says_what_it_owes(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    response = post(client, "/procurements/new", procurement_form_data(value="£1,250,000"))
    assert response.status_code == 303
    reference = f"PRC-{date.today().year}-0001"
    assert response.headers["location"] == f"/procurements/{reference}"
    page = parse(client.get(response.headers["location"]))
    assert heading(page) == "Cleaning of council offices"
    assert text_of(page.find(class_="govuk-notification-banner")).endswith("Procurement recorded")
    owes = page.find("section", class_="app-owes")
    assert text_of(owes.find(class_="govuk-tag")) == "PRIMAS required"
    assert "£1,250,000 is at or above the PRIMAS threshold of £100,000" in text_of(owes)
    rows = {
        text_of(r.find("dt")): text_of(r.find("dd"))
        for r in page.find_all(class_="govuk-summary-list__row")
    }
    assert rows["Whole-life value"] == "£1,250,000 including VAT and extensions"
    assert rows["Lead officer"] == f"Priya Shah ({lead.email})"
    history = [text_of(tr) for tr in page.find_all("tbody")[-1].find_all("tr")]
    assert "Recorded the procurement" in history[0]


def test_below_the_line_is_think_local(app: FastAPI, session: Session) -> None:
    client, _ = lead_client(app, session)
    response = post(client, "/procurements/new", procurement_form_data(value="99,999.99"))
    owes = parse(client.get(response.headers["location"])).find("section", class_="app-owes")
    assert text_of(owes.find(class_="govuk-tag")) == "Think Local"
    assert "seek quotes from local suppliers" in text_of(owes)


def test_errors_are_summarised_and_what_was_typed_is_kept(app: FastAPI, session: Session) -> None:
    client, _ = lead_client(app, session)
    typed = procurement_form_data(
        value="12abc", title="Laptops", **{"tender_day": "31", "tender_month": "2"}
    )
    response = post(client, "/procurements/new", typed)
    assert response.status_code == 422
    page = parse(response)
    summary = {a["href"]: text_of(a) for a in page.find(class_="govuk-error-summary").find_all("a")}
    assert summary == {
        "#value": "Enter the whole-life value in pounds, like 1,250,000 or 1250000.50",
        "#tender-day": "Planned tender date must be a real date",
    }
    for anchor in summary:
        assert page.find(id=anchor[1:]) is not None, anchor
    assert page.find("input", id="value")["value"] == "12abc"
    assert page.find("input", id="title")["value"] == "Laptops"
    assert page.find("input", id="tender-day")["value"] == "31"
    assert page.find("select", id="category").find("option", selected=True)["value"] == "cleaning"
    assert page.find("input", attrs={"name": "contract_type", "value": "services"}).has_attr(
        "checked"
    )
    assert text_of(page.find(id="value-error")).endswith("like 1,250,000 or 1250000.50")


@pytest.mark.postgres
def test_editing_and_the_conflict_path(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    procurement = make_procurement(session, lead)
    colleague = make_user(session, Role.ADMIN)
    other = signed_in_client(app, session, colleague)
    # Both open the edit page at version 1.
    mine = parse(client.get(f"/procurements/{procurement.reference}/edit"))
    theirs = parse(other.get(f"/procurements/{procurement.reference}/edit"))
    assert mine.find("input", attrs={"name": "version"})["value"] == "1"

    edit = f"/procurements/{procurement.reference}/edit"
    saved = other.post(edit, data=form_fields(theirs, value="300,000"), follow_redirects=False)
    assert saved.status_code == 303
    response = client.post(edit, data=form_fields(mine, value="275,000"), follow_redirects=False)
    assert response.status_code == 409
    page = parse(response)
    assert "Someone else saved changes" in text_of(page.find(class_="govuk-notification-banner"))
    table = page.find("table")
    rows = [
        [text_of(c) for c in tr.find_all(["th", "td"])] for tr in table.find("tbody").find_all("tr")
    ]
    assert rows == [["Whole-life value", "£250,000", "£300,000", "£275,000 Your change"]]
    assert page.find("input", id="value")["value"] == "275,000"  # your entry is kept
    assert page.find("input", attrs={"name": "version"})["value"] == "2"
    # Saving again applies yours over theirs.
    again = client.post(edit, data=form_fields(page), follow_redirects=False)
    assert again.status_code == 303
    shown = parse(client.get(again.headers["location"]))
    assert "£275,000 including VAT" in text_of(shown.find("main"))


@pytest.mark.postgres
def test_a_conflict_on_different_fields_keeps_both_peoples_changes(
    app: FastAPI, session: Session
) -> None:
    client, lead = lead_client(app, session)
    procurement = make_procurement(session, lead)
    other = signed_in_client(app, session, make_user(session, Role.ADMIN))
    edit = f"/procurements/{procurement.reference}/edit"
    mine, theirs = parse(client.get(edit)), parse(other.get(edit))
    other.post(edit, data=form_fields(theirs, value="300,000"), follow_redirects=False)
    response = client.post(edit, data=form_fields(mine, title="My new title"),
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 409
    page = parse(response)
    rows = [
        [text_of(c) for c in tr.find_all(["th", "td"])] for tr in page.find("tbody").find_all("tr")
    ]
    assert rows == [["Whole-life value", "£250,000", "£300,000", "£300,000"]]
    assert page.find("input", id="title")["value"] == "My new title"
    assert page.find("input", id="value")["value"] == "300,000"  # theirs, not the old value
    again = client.post(edit, data=form_fields(page), follow_redirects=False)
    assert again.status_code == 303
    details = text_of(parse(client.get(again.headers["location"])).find("main"))
    assert "My new title" in details and "£300,000 including VAT" in details


@pytest.mark.postgres
def test_the_list_searches_filters_and_keeps_them_in_the_url(
    app: FastAPI, session: Session
) -> None:
    client, lead = lead_client(app, session)
    make_procurement(session, lead, title="Cleaning of libraries", value="250,000")
    make_procurement(session, title="School meals", category="catering", value="6,800,000",
                     description="Lunches for primary schools.")  # fmt: skip
    make_procurement(session, title="Small cleaning job", value="50,000")

    def titles(query: str) -> list[str]:
        page = parse(client.get("/procurements" + query))
        return [text_of(tr.find("a")) for tr in page.find("tbody").find_all("tr") if tr.find("a")]

    assert titles("") == ["Small cleaning job", "School meals", "Cleaning of libraries"]
    assert titles("?q=CLEANING") == ["Small cleaning job", "Cleaning of libraries"]
    assert titles("?category=catering") == ["School meals"]
    assert titles("?band=under-100k") == ["Small cleaning job"]
    assert titles("?band=5m-plus") == ["School meals"]
    assert titles("?mine=yes") == ["Cleaning of libraries"]
    assert titles(f"?lead={lead.id}&q=libraries") == ["Cleaning of libraries"]
    assert titles("?q=%25") == []  # a % is searched for, not a wildcard
    page = parse(client.get("/procurements?q=cleaning&band=under-100k"))
    assert page.find("input", id="q")["value"] == "cleaning"
    assert page.find("select", id="band").find("option", selected=True)["value"] == "under-100k"


def test_withdrawn_procurements_are_listed_apart_and_cannot_be_changed(
    app: FastAPI, session: Session
) -> None:
    client, lead = lead_client(app, session)
    procurement = make_procurement(session, lead, title="Recorded twice")
    response = post(client, f"/procurements/{procurement.reference}/withdraw", {"reason": ""})
    assert response.status_code == 422
    post(client, f"/procurements/{procurement.reference}/withdraw", {"reason": "Duplicate"})
    assert "Recorded twice" not in text_of(parse(client.get("/procurements")).find("tbody"))
    assert "Recorded twice" in text_of(
        parse(client.get("/procurements?status=withdrawn")).find("tbody")
    )
    page = parse(client.get(f"/procurements/{procurement.reference}"))
    assert "This procurement has been withdrawn: Duplicate" in text_of(page.find("main"))
    assert client.get(f"/procurements/{procurement.reference}/edit").status_code == 409


def test_list_pages(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    for number in range(27):
        make_procurement(session, lead, title=f"Procurement {number:02d}")
    page = parse(client.get("/procurements?q=procurement"))
    assert text_of(page.find("caption")) == "27 procurements, page 1 of 2"
    link = page.find(class_="govuk-pagination__next").find("a")["href"]
    assert link == "/procurements?q=procurement&page=2"
    assert len(parse(client.get(link)).find("tbody").find_all("tr")) == 2


def test_a_search_matching_more_than_a_thousand_says_so(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    template = make_procurement(session, lead, title="Grounds 0")
    copy_procurement_in_bulk(session, template, [f"Grounds {n}" for n in range(1, 1_001)])
    page = parse(client.get("/procurements?q=grounds"))
    assert text_of(page.find("caption")) == "More than 1,000 procurements match, page 1 of 40"
    assert text_of(page.find(class_="govuk-inset-text")) == (
        "Only the newest 1,000 are listed. Add words or filters to find older procurements."
    )
    page = parse(client.get("/procurements"))  # without words, every record is counted
    assert text_of(page.find("caption")) == "1,001 procurements, page 1 of 41"
    assert page.find(class_="govuk-inset-text") is None


def test_a_withdrawn_procurement_refuses_every_change(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    admin = signed_in_client(app, session, make_user(session, Role.ADMIN))
    colleague = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead)
    base = f"/procurements/{procurement.reference}"
    post(client, f"{base}/collaborators", {"collaborator": str(colleague.id)})
    post(client, f"{base}/withdraw", {"reason": "Duplicate"})
    for who in (client, admin):
        for path in ("/edit", "/withdraw", "/lead-officer"):
            assert who.get(base + path).status_code == 409, path
        for path, form in (
            ("/edit", procurement_form_data() | {"version": "2"}),
            ("/withdraw", {"reason": "Again"}),
            ("/lead-officer", {"lead_officer": str(colleague.id)}),
            ("/collaborators", {"collaborator": str(colleague.id)}),
            (f"/collaborators/{colleague.id}/remove", {}),
        ):
            assert post(who, base + path, form).status_code == 409, path
    assert who.get(base).status_code == 200  # still on record, for everyone to read


def test_odd_input_never_breaks_a_page(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    procurement = make_procurement(session, lead)
    admin = signed_in_client(app, session, make_user(session, Role.ADMIN))
    huge = "9" * 5000
    base = f"/procurements/{procurement.reference}"
    for path in (
        f"/procurements?page={huge}",
        "/procurements?page=99999999999",
        f"/procurements?lead={huge}",
        "/procurements?lead=99999999999999999999",
        "/procurements?q=a%00b",
        "/procurements?status=everything&band=priceless&mine=perhaps",
    ):
        assert client.get(path).status_code == 200, path
    assert admin.get(f"/admin/users/{huge[:30]}").status_code in (404, 422)
    assert admin.get(f"/admin/audit?page={huge}&actor=a%00b").status_code == 200
    form = procurement_form_data(term_months=huge, extension_months="3,6", title="A\x00B")
    page = parse(post(client, "/procurements/new", form))
    summary = text_of(page.find(class_="govuk-error-summary"))
    assert "The contract term must be 240 months or fewer" in summary
    assert "optional extensions must be a whole number" in summary
    response = post(client, f"{base}/edit", procurement_form_data() | {"version": huge})
    assert response.status_code == 409  # an impossible version is an out-of-date form
    response = post(client, f"{base}/collaborators/99999999999999999999/remove", {})
    assert response.status_code == 422
    assert post(client, f"{base}/collaborators/{lead.id}/remove", {}).status_code == 404
    created = post(client, "/procurements/new", procurement_form_data(title="Nul\x00 in title"))
    assert created.status_code == 303
    shown = parse(client.get(created.headers["location"]))
    assert heading(shown) == "Nul in title"


def test_the_history_says_what_each_change_was(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    procurement = make_procurement(session, lead, value="600,000")
    edit = f"/procurements/{procurement.reference}/edit"
    form = form_fields(parse(client.get(edit)), value="650,000", term_months="48")
    assert client.post(edit, data=form, follow_redirects=False).status_code == 303
    page = parse(client.get(f"/procurements/{procurement.reference}"))
    last = page.find_all("tbody")[-1].find_all("tr")[-1]
    cells = [text_of(cell) for cell in last.find_all("td")]
    assert cells[1] == lead.name  # a person, not an email address or "User 4"
    assert [text_of(li) for li in last.find_all("li")] == [
        "Contract term changed from 36 months to 48 months",
        "Whole-life value changed from £600,000 to £650,000",
    ]


@pytest.mark.postgres
def test_the_audit_log_names_people_and_records(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    procurement = make_procurement(session, lead)
    admin = make_user(session, Role.ADMIN, name="Sam Taylor")
    log = parse(signed_in_client(app, session, admin).get("/admin/audit"))
    rows = [
        [text_of(cell) for cell in tr.find_all("td")] for tr in log.find("tbody").find_all("tr")
    ]
    recorded = next(row for row in rows if row[2].startswith("Recorded the procurement"))
    assert recorded[1] == f"{lead.name} {lead.email}"
    assert recorded[3] == f"Procurement {procurement.reference}: {procurement.title}"
    assert not any(row[3].startswith("User ") for row in rows)
