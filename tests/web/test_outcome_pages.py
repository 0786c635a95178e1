"""The outcome pages (issue 21): an editor reports an outcome with the form, is refused as the
API refuses, is sent to the report that already covers a period, corrects a report (both
versions shown) and rates it; the chart is an SVG image without script, its table gives the
same figures, and the signed record's page shows it too."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from app.timeutil import london_today
from tests.support.auth import signed_in_client
from tests.support.factories import make_user
from tests.support.html import error_summary_links, form_values, heading, parse, text_of
from tests.support.outcome_cases import CASES, IDS, Case
from tests.support.outcomes import Contract, approved_contract
from tests.support.primas import post


@pytest.fixture
def contract(session: Session) -> Contract:
    return approved_contract(session, starts=date(2025, 1, 1))


@pytest.fixture
def lead(app: FastAPI, session: Session, contract: Contract) -> TestClient:
    return signed_in_client(app, session, contract.lead)


def _page(contract: Contract) -> str:
    waste = contract.kpis["waste-diverted"]
    return f"/procurements/{contract.procurement.reference}/outcomes/{waste.id}"


def _form(start: date, end: date, actual: str, commentary: str = "") -> dict[str, object]:
    return {"period_start-day": str(start.day), "period_start-month": str(start.month),
            "period_start-year": str(start.year), "period_end-day": str(end.day),
            "period_end-month": str(end.month), "period_end-year": str(end.year),
            "actual": actual, "commentary": commentary}  # fmt: skip


def test_an_editor_reports_an_outcome_and_sees_it_rated_and_charted(
    lead: TestClient, contract: Contract
) -> None:
    page = _page(contract)
    form = parse(lead.get(f"{page}/report"))
    # The form starts at the first period due and not reported: the first quarter.
    assert form.select_one("#period_start-day")["value"] == "1"  # type: ignore[index]
    assert form.select_one("#period_end-month")["value"] == "3"  # type: ignore[index]
    saved = post(lead, f"{page}/report",
                 _form(date(2025, 1, 1), date(2025, 3, 31), "64.5", "Two sites late."))  # fmt: skip
    assert saved.status_code == 303
    shown = parse(lead.get(saved.headers["location"]))
    assert "Your report has been saved." in text_of(shown)
    report = shown.select_one("section.app-outcome-report")
    assert report is not None
    assert "64.5 (% of waste by weight)" in text_of(report)
    assert "Approaching target (suggested" in text_of(report)
    row = [
        text_of(cell) for cell in shown.select("table[id^=figures-] tbody tr")[0].select("th, td")
    ]
    assert row == ["Jan to Mar 2025", "70", "64.5", "Approaching target"]
    image = shown.select_one("img.app-chart__image")
    assert image is not None and "64.5" not in image["alt"]  # type: ignore[operator]
    # The quarters since are overdue: in the table as "Other", in the chart as gaps.
    periods = len(shown.select("table[id^=figures-] tbody tr"))  # as many as today makes due
    alt = str(image["alt"])
    assert f"{periods} periods from Jan to Mar 2025 to " in alt
    assert f"with a gap for each of {periods - 1} overdue" in alt
    overdue = [text_of(cell) for cell in shown.select("table[id^=figures-] tbody tr")[1].select(
        "th, td")]  # fmt: skip
    assert overdue == ["Apr to Jun 2025", "70", "Not reported", "Other (nothing reported)"]
    chart = lead.get(str(image["src"]))
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert "script" not in chart.headers["content-security-policy"]
    assert "<script" not in chart.text
    # The chart draws what the table says: the period, the target and the figure, rated.
    for shown_text in ("Jan to Mar 2025", "Approaching target", "Target", "Reported"):
        assert shown_text in chart.text
    # It is no longer overdue: the next quarter is the first overdue.
    assert "1 January 2025 to 31 March 2025" not in text_of(shown.select_one("#overdue-periods"))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_form_takes_and_refuses_what_the_api_does(
    lead: TestClient, contract: Contract, case: Case
) -> None:
    """The table the service's and the API's tests use too (tests/support/outcome_cases.py)."""
    data: dict[str, object] = {"actual": case.actual, "commentary": case.commentary}
    for name, day in (("period_start", case.start), ("period_end", case.end)):
        parts = (day.day, day.month, day.year) if day else ("", "", "")
        data |= {f"{name}-{part}": str(value)
                 for part, value in zip(("day", "month", "year"), parts, strict=True)}  # fmt: skip
    answer = post(lead, f"{_page(contract)}/report", data)
    if not case.refused:
        assert answer.status_code == 303
        return
    assert answer.status_code == 422
    anchors = {"period_start": "#period_start-day", "period_end": "#period_end-day"}
    assert {href for _text, href in error_summary_links(parse(answer))} == {
        anchors.get(name, f"#{name}") for name in case.refused
    }
    assert parse(answer).select_one("#actual")["value"] == case.actual  # type: ignore[index]


def test_a_date_that_is_not_one_is_explained(lead: TestClient, contract: Contract) -> None:
    data = _form(date(2025, 1, 1), date(2025, 3, 31), "5") | {"period_start-day": "32"}
    refused = post(lead, f"{_page(contract)}/report", data)
    assert refused.status_code == 422
    assert [text for text, _href in error_summary_links(parse(refused))] == [
        "Start of the period must be a real date"
    ]


def test_a_period_in_the_future_is_refused(lead: TestClient, contract: Contract) -> None:
    today = london_today()
    refused = post(lead, f"{_page(contract)}/report",
                   _form(today, today + timedelta(days=1), "1"))  # fmt: skip
    assert refused.status_code == 422
    assert "The period must have ended" in text_of(parse(refused))


def test_a_second_report_for_a_period_links_to_the_first(
    lead: TestClient, contract: Contract
) -> None:
    page = _page(contract)
    first = post(lead, f"{page}/report", _form(date(2025, 1, 1), date(2025, 3, 31), "70"))
    again = post(lead, f"{page}/report", _form(date(2025, 2, 1), date(2025, 2, 28), "71"))
    assert again.status_code == 409
    [(message, href)] = error_summary_links(parse(again))
    assert message.startswith("There is already a report for 1 January 2025 to 31 March 2025")
    assert href == "#period_start-day"
    link = parse(again).select_one("#period-taken a")
    assert link is not None and link["href"] == first.headers["location"]


def test_a_correction_keeps_the_first_version_and_a_stale_one_is_refused(
    lead: TestClient, contract: Contract
) -> None:
    page = _page(contract)
    saved = post(lead, f"{page}/report", _form(date(2025, 1, 1), date(2025, 3, 31), "50"))
    report = saved.headers["location"].rsplit("#report-", 1)[1]
    correct = f"{page}/reports/{report}/correct"
    form = parse(lead.get(correct))
    assert form.select_one("#actual")["value"] == "50"  # type: ignore[index]
    no_reason = post(
        lead, correct, {"actual": "69", "commentary": "", "reason": "", "version": "1"}
    )
    assert no_reason.status_code == 422
    assert [href for _t, href in error_summary_links(parse(no_reason))] == ["#reason"]
    done = post(lead, correct, {"actual": "69", "commentary": "", "reason": "Late tonnage",
                                "version": "1"})  # fmt: skip
    assert done.status_code == 303
    shown = parse(lead.get(page))
    versions = [[text_of(c) for c in row.select("td")] for row in
                shown.select(f"#report-{report} table tbody tr")]  # fmt: skip
    assert [row[:3] for row in versions] == [["2 (in force)", "69", "Late tonnage"],
                                            ["1", "50", "First reported"]]  # fmt: skip
    stale = post(lead, correct, {"actual": "10", "commentary": "", "reason": "Typo",
                                 "version": "1"})  # fmt: skip
    assert stale.status_code == 409
    assert "Someone else corrected this report" in text_of(parse(stale).select_one("#notice"))
    assert parse(stale).select_one("#actual")["value"] == "10"  # type: ignore[index]


def test_an_editor_confirms_or_changes_the_rating(lead: TestClient, contract: Contract) -> None:
    page = _page(contract)
    saved = post(lead, f"{page}/report", _form(date(2025, 1, 1), date(2025, 3, 31), "56"))
    report = saved.headers["location"].rsplit("#report-", 1)[1]
    rating = f"{page}/reports/{report}/rating"
    form = parse(lead.get(rating))
    assert "Requires improvement (suggested)" in text_of(form.select_one("fieldset"))
    changed = post(lead, rating, {"rating": "inadequate", "reason": "", "version": "1"})
    assert changed.status_code == 422
    assert post(lead, rating, {"rating": "inadequate", "reason": "Third poor quarter",
                               "version": "1"}).status_code == 303  # fmt: skip
    shown = text_of(parse(lead.get(page)).select_one(f"#report-{report}"))
    assert "Inadequate (confirmed: Third poor quarter)" in shown


def test_others_may_read_but_not_report(app: FastAPI, session: Session, contract: Contract) -> None:
    approver = signed_in_client(app, session, contract.approver)
    other = signed_in_client(app, session, make_user(session, Role.LEAD))
    page = _page(contract)
    assert heading(parse(approver.get(page))) == "Waste kept out of landfill and incineration"
    assert parse(approver.get(page)).select_one("a[href$='/report']") is None
    assert other.get(f"{page}/report").status_code == 403
    assert post(other, f"{page}/report",
                _form(date(2025, 1, 1), date(2025, 3, 31), "70")).status_code == 403  # fmt: skip


def test_the_signed_record_shows_the_outcomes_so_far(lead: TestClient, contract: Contract) -> None:
    record = f"/procurements/{contract.procurement.reference}/primas/revisions/1"
    assert parse(lead.get(record)).select_one("#outcomes") is None  # nothing reported yet
    post(lead, f"{_page(contract)}/report", _form(date(2025, 1, 1), date(2025, 3, 31), "70"))
    shown = parse(lead.get(record))
    assert shown.select_one("#outcomes") is not None
    assert shown.select_one("img.app-chart__image") is not None
    listing = parse(lead.get(f"/procurements/{contract.procurement.reference}/outcomes"))
    assert "Waste kept out of landfill" in text_of(listing.select_one("#kpis"))


def test_the_chart_draws_what_its_table_says(lead: TestClient, contract: Contract) -> None:
    """Each reported point of the SVG (pygal's description of it: period, figure, rating) is a
    row of the table beside it, in the same order."""
    page = _page(contract)
    for start, end, actual in [(date(2025, 1, 1), date(2025, 3, 31), "70"),
                               (date(2025, 4, 1), date(2025, 6, 30), "64.5"),
                               (date(2025, 7, 1), date(2025, 9, 30), "40")]:  # fmt: skip
        assert post(lead, f"{page}/report", _form(start, end, actual)).status_code == 303
    shown = parse(lead.get(page))
    table = [[text_of(cell) for cell in row.select("th, td")]
             for row in shown.select("table[id^=figures-] tbody tr")]  # fmt: skip
    table = [row for row in table if row[2] != "Not reported"]  # the overdue quarters since
    assert table == [["Jan to Mar 2025", "70", "70", "Good"],
                     ["Apr to Jun 2025", "70", "64.5", "Approaching target"],
                     ["Jul to Sep 2025", "70", "40", "Inadequate"]]  # fmt: skip
    image = shown.select_one("img.app-chart__image")
    assert image is not None
    svg = ElementTree.fromstring(lead.get(str(image["src"])).content)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    drawn = []
    for dot in svg.iterfind(".//svg:g[@class='dots']", ns):  # each point pygal drew
        desc = {d.get("class"): d.text for d in dot.iterfind("svg:desc", ns)}
        drawn.append([desc["x_label"], "70", desc["value"], desc["label"]])
    assert drawn == table
    # The target is a line of its own, named in the legend beside the reported figures.
    legend = [text.text for text in svg.iterfind(".//svg:g[@class='legends']//svg:text", ns)]
    assert legend == ["Target", "Reported"]


def test_the_procurements_history_says_who_reported_and_rated(
    lead: TestClient, contract: Contract
) -> None:
    page = _page(contract)
    saved = post(lead, f"{page}/report", _form(date(2025, 1, 1), date(2025, 3, 31), "56"))
    report = saved.headers["location"].rsplit("#report-", 1)[1]
    post(lead, f"{page}/reports/{report}/rating", {"rating": "inadequate", "reason": "Poor",
                                                   "version": "1"})  # fmt: skip
    history = text_of(parse(lead.get(f"/procurements/{contract.procurement.reference}")))
    assert (
        "Reported an outcome: Waste kept out of landfill and incineration, 1 January 2025 "
        "to 31 March 2025"
    ) in history
    assert "Rated an outcome: Waste kept out of landfill and incineration, 1 January 2025 to " \
        "31 March 2025, inadequate" in history  # fmt: skip


def test_a_rating_made_meanwhile_is_not_overwritten(
    app: FastAPI, session: Session, lead: TestClient, contract: Contract
) -> None:
    """Two editors open the rating page; the second to save is told of the first's rating,
    and keeps what they chose to save again."""
    page = _page(contract)
    saved = post(lead, f"{page}/report", _form(date(2025, 1, 1), date(2025, 3, 31), "56"))
    report = saved.headers["location"].rsplit("#report-", 1)[1]
    rating = f"{page}/reports/{report}/rating"
    admin = signed_in_client(app, session, make_user(session, Role.ADMIN))
    theirs = form_values(parse(admin.get(rating)).find("form", action=rating))  # type: ignore[arg-type]
    mine = form_values(parse(lead.get(rating)).find("form", action=rating))  # type: ignore[arg-type]
    assert (
        post(admin, rating, theirs | {"rating": "good", "reason": "Agreed closure"}).status_code
        == 303
    )
    late = post(lead, rating, mine | {"rating": "inadequate", "reason": "Poor quarter"})
    assert late.status_code == 409
    shown = parse(late)
    assert "their rating, “Good”, is saved" in text_of(shown.select_one("#notice"))
    assert text_of(shown.select_one("#reason")) == "Poor quarter"
    again = form_values(shown.find("form", action=rating))  # type: ignore[arg-type]
    assert post(lead, rating, again).status_code == 303
    assert "Inadequate (confirmed: Poor quarter)" in text_of(parse(lead.get(page)))
