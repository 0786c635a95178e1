"""Reference data as an administrator uses it: the list, adding a value, its checks and effect."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.errors import InvalidInput
from app.models import ReferenceValue, Role, User
from app.scoring.reference_data import REFERENCE_KEYS
from app.services import reference_data
from app.timeutil import london_today
from tests.support.auth import csrf_token, signed_in_client
from tests.support.factories import make_procurement, make_reference_value, make_user
from tests.support.html import heading, parse, text_of
from tests.support.primas import lead_with_draft

NEXT_YEAR = date.today().year + 1
LIST = "/admin/reference-data"
THRESHOLD_FORM = "/admin/reference-data/primas_threshold/new"


def admin_client(app: FastAPI, session: Session) -> tuple[TestClient, User]:
    admin = make_user(session, Role.ADMIN, name="Sam Taylor")
    return signed_in_client(app, session, admin), admin


def post(client: TestClient, path: str, **form: str):  # type: ignore[no-untyped-def]
    return client.post(
        path, data={"csrf_token": csrf_token(client), **form}, follow_redirects=False
    )


def dated(day: date | tuple[str, str, str]) -> dict[str, str]:
    """A date as the form's three boxes."""
    parts = (str(day.day), str(day.month), str(day.year)) if isinstance(day, date) else day
    names = ("effective_from-day", "effective_from-month", "effective_from-year")
    return dict(zip(names, parts, strict=True))


def card(page: BeautifulSoup, key: str) -> Tag:
    found = page.find("div", class_="govuk-summary-card", id=key)
    assert isinstance(found, Tag), f"no card for {key}"
    return found


def in_force(page: BeautifulSoup, key: str) -> str:
    return text_of(card(page, key).find(class_="app-reference-in-force").find("dd"))


def history(page: BeautifulSoup, key: str) -> list[list[str]]:
    rows = card(page, key).find("tbody").find_all("tr")
    return [[text_of(cell) for cell in row.find_all("td")] for row in rows]


def test_every_key_is_listed_in_catalogue_order_with_its_value_today(
    app: FastAPI, session: Session
) -> None:
    client, _ = admin_client(app, session)
    make_reference_value(session, effective_from=date(2099, 4, 1), amount=15_000_000, note="")
    page = parse(client.get(LIST))
    assert heading(page) == "Reference data"
    cards = page.find_all("div", class_="govuk-summary-card")
    assert [c["id"] for c in cards] == list(REFERENCE_KEYS)
    assert [text_of(h) for h in page.find("main").find_all("h2")][1:] == [
        "Thresholds and duties",
        "London Living Wage",
        "Spend bands",
        "Social value weighting",
        "KPI suggestions",
        "Council policy decisions",
        "Outcome reports and performance ratings",
        "Council default KPI targets",
    ]
    threshold = card(page, "primas_threshold")
    assert text_of(threshold.find("h3")) == "PRIMAS threshold"
    assert "Think Local" in text_of(threshold.find("dl"))  # the catalogue's description
    assert in_force(page, "primas_threshold") == "£100,000, since 1 January 2018"
    rows = history(page, "primas_threshold")
    assert rows[0] == ["1 April 2099", "£150,000", "Future", "https://example.org/policy", "None"]
    assert rows[-1][:3] == ["1 January 2018", "£100,000", "In force"]
    seeded_source = threshold.find("tbody").find_all("tr")[-1].find("a")
    assert seeded_source["href"] == "https://hackney.gov.uk/procurement-strategy"
    action = threshold.find(class_="govuk-summary-card__actions").find("a")
    assert action["href"] == THRESHOLD_FORM
    assert text_of(action) == "Add a value (PRIMAS threshold)"


def test_amounts_are_shown_in_their_units(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    today = london_today()
    for key, amount in (
        ("threshold_goods_services", 20_772_000),
        ("llw_pay_by", 1480),
        ("sv_weighting_minimum", 1250),
        ("sv_weighting_maximum", 2000),
        ("kpi_duty_minimum", 4),
    ):
        make_reference_value(session, key=key, effective_from=today, amount=amount,
                             source="docs/scoring.md")  # fmt: skip
    page = parse(client.get(LIST))
    since = f"since {today.day} {today:%B %Y}"
    assert in_force(page, "threshold_goods_services") == f"£207,720, {since}"
    assert in_force(page, "llw_pay_by") == f"£14.80, {since}"
    assert in_force(page, "sv_weighting_minimum") == f"12.5%, {since}"
    assert in_force(page, "sv_weighting_maximum") == f"20%, {since}"
    assert in_force(page, "kpi_duty_minimum") == f"4, {since}"
    # A docs page is named, not linked: the service does not serve its docs.
    assert history(page, "kpi_duty_minimum")[0][3] == "docs/scoring.md (service documentation)"
    assert card(page, "kpi_duty_minimum").find("tbody").find("tr").find("a") is None


def test_a_key_with_no_value_says_so(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    key = "spend_band_5"
    for row in session.exec(select(ReferenceValue).where(ReferenceValue.key == key)).all():
        session.delete(row)  # whatever a migration seeded
    session.commit()
    make_reference_value(session, key=key, effective_from=date(2099, 1, 1), amount=100)
    page = parse(client.get(LIST))
    assert in_force(page, key) == "No value is in force today"
    assert history(page, key)[0][2] == "Future"


def test_the_form_shows_the_value_in_force_and_the_unit(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    page = parse(client.get(THRESHOLD_FORM))
    assert heading(page) == "Add a value: PRIMAS threshold"
    assert "£100,000, since 1 January 2018" in text_of(page.find(class_="govuk-inset-text"))
    assert text_of(page.find(class_="govuk-input__prefix")) == "£"
    assert page.find("input", id="effective_from-day")["name"] == "effective_from-day"
    percentage = parse(client.get("/admin/reference-data/sv_weighting_minimum/new"))
    assert text_of(percentage.find(class_="govuk-input__suffix")) == "%"
    count = parse(client.get("/admin/reference-data/kpi_duty_minimum/new"))
    assert count.find("input", id="amount")["inputmode"] == "numeric"


LATER = dated(date(NEXT_YEAR, 4, 1))
TOO_LONG = "a" * 501


@pytest.mark.parametrize(
    ("key", "form", "expected"),
    [
        ("primas_threshold", {}, {"#effective_from-day": "Enter the date it takes effect",
                                  "#amount": "Enter the amount"}),
        ("primas_threshold", dated(("31", "2", "2027")) | {"amount": "150000"},
         {"#effective_from-day": "Date it takes effect must be a real date"}),
        ("primas_threshold", dated(("1", "", "2027")) | {"amount": "150000"},
         {"#effective_from-day": "Date it takes effect must include a month"}),
        ("primas_threshold", dated(("1", "4", "27")) | {"amount": "150000"},
         {"#effective_from-day": "The year of the date it takes effect must include 4 numbers"}),
        ("primas_threshold", dated(("1", "4", "1999")) | {"amount": "150000"},
         {"#effective_from-day": "The date it takes effect must be between 2000 and 2100"}),
        ("primas_threshold", dated(("1", "4", "2101")) | {"amount": "150000"},
         {"#effective_from-day": "The date it takes effect must be between 2000 and 2100"}),
        ("primas_threshold", dated(date(2018, 1, 1)) | {"amount": "150000"},
         {"#effective_from-day": "There is already a value taking effect on 1 January 2018"}),
        ("primas_threshold", LATER | {"amount": "12abc"},
         {"#amount": "Enter the amount in pounds, like 1,250,000 or 1250000.50"}),
        ("primas_threshold", LATER | {"amount": "0"},
         {"#amount": "The amount must be more than £0"}),
        ("primas_threshold", LATER | {"amount": "-150,000"},
         {"#amount": "The amount must be more than £0"}),
        ("primas_threshold", LATER | {"amount": "150000.123"},
         {"#amount": "Enter the amount to the nearest penny, with no more than 2 decimal places"}),
        ("sv_weighting_minimum", LATER | {"amount": "0%"},
         {"#amount": "The amount must be more than 0%"}),
        ("sv_weighting_minimum", LATER | {"amount": "100.5"},
         {"#amount": "The amount must be 100% or less"}),
        ("sv_weighting_minimum", LATER | {"amount": "12.345"},
         {"#amount": "Enter the amount with no more than 2 decimal places, like 12.5"}),
        ("sv_weighting_minimum", LATER | {"amount": "ten"},
         {"#amount": "Enter the amount as a percentage, like 10 or 12.5"}),
        ("kpi_duty_minimum", LATER | {"amount": "0"}, {"#amount": "The amount must be 1 or more"}),
        ("kpi_duty_minimum", LATER | {"amount": "2.5"},
         {"#amount": "The amount must be a whole number, like 36"}),
        ("primas_threshold", LATER | {"amount": "150000", "source": "http://example.org/x"},
         {"#source": "Enter the source as a web address starting with https://, or as a page "
                     "of the service's documentation like docs/scoring.md"}),
        ("primas_threshold", LATER | {"amount": "150000", "source": "javascript:alert(1)"},
         {"#source": "Enter the source as a web address starting with https://, or as a page "
                     "of the service's documentation like docs/scoring.md"}),
        ("primas_threshold",
         LATER | {"amount": "150000", "source": "https://example.org/" + TOO_LONG},
         {"#source": "The source must be 500 characters or fewer"}),
        ("primas_threshold", LATER | {"amount": "150000", "note": TOO_LONG},
         {"#note": "The note must be 500 characters or fewer"}),
        ("primas_threshold", dated(date(2018, 1, 1)) | {"amount": "0", "note": TOO_LONG},
         {"#effective_from-day": "There is already a value taking effect on 1 January 2018",
          "#amount": "The amount must be more than £0",
          "#note": "The note must be 500 characters or fewer"}),
    ],
)  # fmt: skip
def test_each_problem_is_summarised_and_what_was_typed_is_kept(
    app: FastAPI, session: Session, key: str, form: dict[str, str], expected: dict[str, str]
) -> None:
    client, _ = admin_client(app, session)
    response = post(client, f"/admin/reference-data/{key}/new", **form)
    assert response.status_code == 422
    page = parse(response)
    assert page.find("title").get_text().startswith("Error: ")
    summary = page.find(class_="govuk-error-summary")
    assert {a["href"]: text_of(a) for a in summary.find_all("a")} == expected
    for anchor, message in expected.items():
        field = page.find(id=anchor[1:])
        assert field is not None, anchor
        group = field.find_parent(class_="govuk-form-group--error")
        assert group is not None and message in text_of(group.find(class_="govuk-error-message"))
    for name, typed in form.items():
        box = page.find(attrs={"name": name})
        shown = box.get_text() if box.name == "textarea" else box["value"]
        assert shown == typed, name
    added = select(ReferenceValue).where(
        ReferenceValue.key == key, ReferenceValue.effective_from == date(NEXT_YEAR, 4, 1)
    )
    assert session.exec(added).first() is None


@pytest.mark.parametrize(
    ("key", "typed", "stored", "shown"),
    [
        ("primas_threshold", "£150,000", 15_000_000, "£150,000"),
        ("llw_pay_by", "£14.80", 1480, "£14.80"),
        ("threshold_goods_services", "207720", 20_772_000, "£207,720"),
        ("sv_weighting_minimum", "12.5%", 1250, "12.5%"),
        ("sv_weighting_maximum", " 20 ", 2000, "20%"),
        ("kpi_duty_minimum", "4", 4, "4"),
    ],
)
def test_adding_a_value(
    app: FastAPI, session: Session, key: str, typed: str, stored: int, shown: str
) -> None:
    client, admin = admin_client(app, session)
    source = "https://www.example.gov.uk/policy?year=2027#rates"
    response = post(client, f"/admin/reference-data/{key}/new", **dated(date(2099, 1, 1)),
                    amount=typed, source=f" {source} ", note="Agreed by cabinet")  # fmt: skip
    assert response.status_code == 303
    value = session.exec(select(ReferenceValue).where(ReferenceValue.key == key)
                         .order_by(ReferenceValue.id.desc())).first()  # type: ignore[union-attr]  # fmt: skip
    assert value is not None
    assert (value.effective_from, value.amount, value.source, value.note) == (
        date(2099, 1, 1),
        stored,
        source,
        "Agreed by cabinet",
    )
    assert response.headers["location"] == LIST
    page = parse(client.get(response.headers["location"]))
    label = REFERENCE_KEYS[key].label
    banner = text_of(page.find(class_="govuk-notification-banner"))
    assert banner.endswith(f"{label}: {shown} added, taking effect on 1 January 2099")
    assert history(page, key)[0] == ["1 January 2099", shown, "Future", source, "Agreed by cabinet"]
    # The change is in the audit log as the administrator's.
    audit = parse(client.get("/admin/audit", params={"action": "reference_value.created"}))
    rows = [[text_of(td) for td in tr.find_all("td")] for tr in audit.find("tbody").find_all("tr")]
    assert len(rows) == 1
    assert rows[0][1] == f"{admin.name} {admin.email}"
    assert rows[0][2].startswith("Created reference value")
    assert rows[0][3] == f"{key} from 2099-01-01"  # the record named, not "Reference value 4"


def test_a_source_may_be_a_docs_page_or_left_out(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    for year, source in ((2098, "docs/scoring.md#spend-bands"), (2099, "")):
        response = post(client, THRESHOLD_FORM, **dated(date(year, 1, 1)), amount="1",
                        source=source)  # fmt: skip
        assert response.status_code == 303, source
    rows = history(parse(client.get(LIST)), "primas_threshold")
    assert rows[0][3] == "None"
    assert rows[1][3] == "docs/scoring.md#spend-bands (service documentation)"


def test_a_new_threshold_changes_what_a_procurement_owes(app: FastAPI, session: Session) -> None:
    lead = make_user(session, Role.LEAD)
    procurement = make_procurement(session, lead, value="120,000")  # tenders 1 March next year
    lead_client = signed_in_client(app, session, lead)
    page = f"/procurements/{procurement.reference}"

    def owes() -> Tag:
        found = parse(lead_client.get(page)).find("section", class_="app-owes")
        assert isinstance(found, Tag)
        return found

    assert text_of(owes().find(class_="govuk-tag")) == "PRIMAS required"
    client, _ = admin_client(app, session)
    # A value taking effect after the planned tender date does not matter to it...
    post(client, THRESHOLD_FORM, **dated(date(NEXT_YEAR, 3, 2)), amount="£150,000")
    assert text_of(owes().find(class_="govuk-tag")) == "PRIMAS required"
    # ...one in force on that date does.
    response = post(client, THRESHOLD_FORM, **dated(date(NEXT_YEAR, 1, 1)), amount="£150,000")
    assert response.status_code == 303
    after = owes()
    assert text_of(after.find(class_="govuk-tag")) == "Think Local"
    assert "below the PRIMAS threshold of £150,000" in text_of(after)


def test_a_value_added_by_someone_else_meanwhile_is_refused_not_a_500(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = make_user(session, Role.ADMIN)
    # The check found the date free, then another administrator's value for it landed first.
    monkeypatch.setattr(reference_data, "_taken", lambda *_args: False)
    with pytest.raises(InvalidInput) as refused:
        reference_data.add_reference_value(
            session, admin, key="primas_threshold", effective_from=date(2018, 1, 1), amount=1
        )
    assert refused.value.errors == {
        "effective_from": "There is already a value taking effect on 1 January 2018"
    }
    assert len(session.exec(select(ReferenceValue).where(
        ReferenceValue.key == "primas_threshold")).all()) == 1  # fmt: skip


def test_unknown_keys_are_not_found(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    for path in ("/admin/reference-data/no_such_key/new", "/admin/reference-data/%00/new"):
        assert client.get(path).status_code == 404, path
        assert post(client, path, amount="1").status_code == 404, path


def test_only_administrators_see_or_change_reference_data(app: FastAPI, session: Session) -> None:
    for role in (Role.LEAD, Role.APPROVER):
        client = signed_in_client(app, session, make_user(session, role))
        assert client.get(LIST).status_code == 403
        assert client.get(THRESHOLD_FORM).status_code == 403
        assert client.get("/admin/reference-data/no_such_key/new").status_code == 403
        response = post(client, THRESHOLD_FORM, **LATER, amount="150000")
        assert response.status_code == 403
        navigation = parse(client.get("/")).find(class_="govuk-service-navigation")
        assert "Reference data" not in text_of(navigation)
    anonymous = TestClient(app)
    for path in (LIST, THRESHOLD_FORM):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=")
    assert len(session.exec(select(ReferenceValue).where(
        ReferenceValue.key == "primas_threshold")).all()) == 1  # fmt: skip


def test_administrators_reach_it_from_the_navigation(app: FastAPI, session: Session) -> None:
    client, _ = admin_client(app, session)
    navigation = parse(client.get(LIST)).find(class_="govuk-service-navigation")
    links = {text_of(a): a for a in navigation.find_all("a")}
    assert links["Reference data"]["href"] == LIST
    assert links["Reference data"].get("aria-current") == "true"  # the section we are in
    assert list(links).index("Users") < list(links).index("Reference data")


def test_a_new_council_default_kpi_target_changes_the_suggested_target(
    app: FastAPI, session: Session
) -> None:
    lead_client, _, base = lead_with_draft(app, session)  # tenders 1 March next year
    key = "kpi_target_local_residents_employed"

    def local_target() -> str:
        card = parse(lead_client.get(f"{base}/kpis")).find(id="kpi-local-residents-employed")
        row = next(row for row in card.find_all(class_="govuk-summary-list__row")
                   if text_of(row.find("dt")) == "Suggested target")  # fmt: skip
        return text_of(row.find("dd"))

    assert local_target().startswith("25 (% of the workforce) Council default, to be confirmed")
    client, _ = admin_client(app, session)
    listed = parse(client.get(LIST))
    assert in_force(listed, key).startswith("25%")
    response = post(client, f"/admin/reference-data/{key}/new", **dated(date(NEXT_YEAR, 1, 1)),
                    amount="30%", source="docs/kpis.md",
                    note="Cabinet report on local employment, January")  # fmt: skip
    assert response.status_code == 303
    assert local_target().startswith("30 (% of the workforce) Council default, to be confirmed")
