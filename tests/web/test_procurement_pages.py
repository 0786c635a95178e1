"""Procurement pages over HTTP: the form and its errors, the page, the list and edit conflicts."""

from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role, User
from tests.support.auth import csrf_token, signed_in_client
from tests.support.factories import make_procurement, make_user, procurement_input
from tests.support.html import heading, parse, text_of


def form_data(**overrides: str) -> dict[str, str]:
    raw = procurement_input(**overrides).as_dict()
    return {
        (name.replace("_", "-") if name.startswith(("tender_", "start_")) else name): value
        for name, value in raw.items()
    }


def lead_client(app: FastAPI, session: Session) -> tuple[TestClient, User]:
    lead = make_user(session, Role.LEAD, name="Priya Shah")
    return signed_in_client(app, session, lead), lead


def post(client: TestClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data=data | {"csrf_token": csrf_token(client)}, follow_redirects=False)


def test_recording_a_procurement_says_what_it_owes(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    response = post(client, "/procurements/new", form_data(value="£1,250,000"))
    assert response.status_code == 303
    reference = f"PRC-{date.today().year}-0001"
    assert response.headers["location"] == f"/procurements/{reference}?updated=created"
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
    response = post(client, "/procurements/new", form_data(value="99,999.99"))
    owes = parse(client.get(response.headers["location"])).find("section", class_="app-owes")
    assert text_of(owes.find(class_="govuk-tag")) == "Think Local"
    assert "seek quotes from local suppliers" in text_of(owes)


def test_errors_are_summarised_and_what_was_typed_is_kept(app: FastAPI, session: Session) -> None:
    client, _ = lead_client(app, session)
    typed = form_data(value="12abc", title="Laptops", **{"tender_day": "31", "tender_month": "2"})
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


def test_editing_and_the_conflict_path(app: FastAPI, session: Session) -> None:
    client, lead = lead_client(app, session)
    procurement = make_procurement(session, lead)
    colleague = make_user(session, Role.ADMIN)
    other = signed_in_client(app, session, colleague)
    # Both open the edit page at version 1.
    mine = parse(client.get(f"/procurements/{procurement.reference}/edit"))
    theirs = parse(other.get(f"/procurements/{procurement.reference}/edit"))
    assert mine.find("input", attrs={"name": "version"})["value"] == "1"

    def submitted(page, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
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

    edit = f"/procurements/{procurement.reference}/edit"
    saved = other.post(edit, data=submitted(theirs, value="300,000"), follow_redirects=False)
    assert saved.status_code == 303
    response = client.post(edit, data=submitted(mine, value="275,000"), follow_redirects=False)
    assert response.status_code == 409
    page = parse(response)
    assert "Someone else saved changes" in text_of(page.find(class_="govuk-notification-banner"))
    table = page.find("table")
    rows = [
        [text_of(c) for c in tr.find_all(["th", "td"])] for tr in table.find("tbody").find_all("tr")
    ]
    assert rows == [["Whole-life value", "£250,000", "£300,000", "£275,000"]]
    assert page.find("input", id="value")["value"] == "275,000"  # your entry is kept
    assert page.find("input", attrs={"name": "version"})["value"] == "2"
    # Saving again applies yours over theirs.
    again = client.post(edit, data=submitted(page), follow_redirects=False)
    assert again.status_code == 303
    shown = parse(client.get(again.headers["location"]))
    assert "£275,000 including VAT" in text_of(shown.find("main"))


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
