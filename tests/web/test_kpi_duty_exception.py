"""The Procurement Act 2023 s.52(2): the KPI duty does not apply if the council considers that
the supplier's performance could not appropriately be assessed by KPIs; the lead records why.
https://www.legislation.gov.uk/ukpga/2023/54/section/52
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from app.models import AuditEvent, KpiDutyException
from tests.support.html import error_summary_links, parse, text_of
from tests.support.primas import lead_with_draft, post

REASON = "Care is bought visit by visit from a dynamic list; each visit is checked on the day."


def big_draft(app: FastAPI, session: Session):  # type: ignore[no-untyped-def]
    """A £6m cleaning services contract: a public contract over £5m, so s.52 applies."""
    return lead_with_draft(app, session, value="6,000,000")


def duty(client, base: str) -> str:  # type: ignore[no-untyped-def]
    card = parse(client.get(f"{base}/results")).find(id="obligation-kpi-duty")
    return text_of(card)


def test_recording_why_sets_the_kpi_duty_aside_and_taking_it_back_restores_it(
    app: FastAPI, session: Session
) -> None:
    client, _, base = big_draft(app, session)
    page = parse(client.get(f"{base}/kpis"))
    assert text_of(page.find(id="s52-duty")) == "The Procurement Act's KPI duty"
    assert "Procurement Act KPI duty needs at least 3" in text_of(page.find(id="kpi-progress"))
    assert "Applies" in duty(client, base)

    refused = post(client, f"{base}/kpis/kpi-duty", {"reason": "  ", "revision": "0"})
    assert refused.status_code == 422
    page = parse(refused)
    assert error_summary_links(page) == [
        ("Enter why performance could not appropriately be assessed by KPIs",
         "#s52-reason")
    ]  # fmt: skip
    assert page.find("details", open=True) is not None  # the form is open at the error
    assert session.exec(select(KpiDutyException)).first() is None

    recorded = post(client, f"{base}/kpis/kpi-duty", {"reason": REASON, "revision": "0"})
    assert recorded.status_code == 303
    assert recorded.headers["location"] == f"{base}/kpis#s52-duty"
    page = parse(client.get(f"{base}/kpis"))
    assert text_of(page.find(class_="govuk-notification-banner")).endswith(
        "Your reason has been recorded: the KPI duty does not apply."
    )
    assert f"Your reason: {REASON}" in text_of(page.find(id="s52-recorded"))
    assert "needs at least 3" not in text_of(page.find(id="kpi-progress"))
    card = duty(client, base)
    assert "Does not apply" in card and f"The reason recorded: {REASON}" in card
    events = session.exec(select(AuditEvent).where(
        AuditEvent.entity_type == "kpi_duty_exception")).all()  # fmt: skip
    assert [event.action for event in events] == ["kpi_duty_exception.created"]

    taken_back = post(client, f"{base}/kpis/kpi-duty", {"action": "withdraw", "revision": "1"})
    assert taken_back.status_code == 303
    assert "Applies" in duty(client, base)
    row = session.exec(select(KpiDutyException)).one()  # kept, with no reason: see below
    session.refresh(row)
    assert (row.reason, row.revision) == ("", 2)
    page = parse(client.get(f"{base}/kpis"))
    assert page.find(id="s52-recorded") is None
    assert "needs at least 3" in text_of(page.find(id="kpi-progress"))


def test_a_page_from_before_a_reason_was_taken_back_and_recorded_again_is_refused(
    app: FastAPI, session: Session
) -> None:
    """Page X saw reason A (revision 1); Y took it back and recorded B; X's change must not
    land, so taking a reason back keeps the row and its revision keeps rising."""
    client, _, base = big_draft(app, session)
    assert (
        post(client, f"{base}/kpis/kpi-duty", {"reason": "A", "revision": "0"}).status_code == 303
    )
    assert (
        post(client, f"{base}/kpis/kpi-duty", {"action": "withdraw", "revision": "1"}).status_code
        == 303
    )
    assert (
        post(client, f"{base}/kpis/kpi-duty", {"reason": "B", "revision": "2"}).status_code == 303
    )
    assert (
        post(client, f"{base}/kpis/kpi-duty", {"reason": "C", "revision": "1"}).status_code == 409
    )
    assert (
        post(client, f"{base}/kpis/kpi-duty", {"action": "withdraw", "revision": "1"}).status_code
        == 409
    )
    row = session.exec(select(KpiDutyException)).one()
    session.refresh(row)
    assert (row.reason, row.revision) == ("B", 3)


@pytest.mark.postgres
def test_a_stale_page_never_overwrites_another_person_s_reason(
    app: FastAPI, session: Session
) -> None:
    client, _, base = big_draft(app, session)
    assert (
        post(client, f"{base}/kpis/kpi-duty", {"reason": REASON, "revision": "0"}).status_code
        == 303
    )
    # A second page, opened before that was saved, still says revision 0.
    stale = post(client, f"{base}/kpis/kpi-duty", {"reason": "Mine instead", "revision": "0"})
    assert stale.status_code == 409
    page = parse(stale)
    assert "Someone else changed the reason" in text_of(page.find(id="s52-duty").find_next(
        class_="govuk-notification-banner"))  # fmt: skip
    assert page.find("textarea", id="s52-reason").string.strip() == "Mine instead"
    row = session.exec(select(KpiDutyException)).one()
    assert (row.reason, row.revision) == (REASON, 1)
    # Taking it back from a stale page is refused too.
    assert (
        post(client, f"{base}/kpis/kpi-duty", {"action": "withdraw", "revision": "7"}).status_code
        == 409
    )
    assert session.exec(select(KpiDutyException)).one().reason == REASON


def test_the_reason_has_a_size_limit(app: FastAPI, session: Session) -> None:
    client, _, base = big_draft(app, session)
    refused = post(client, f"{base}/kpis/kpi-duty", {"reason": "x" * 1001, "revision": "0"})
    assert refused.status_code == 422
    assert error_summary_links(parse(refused)) == [
        ("The reason must be 1000 characters or fewer", "#s52-reason")
    ]


def test_no_kpi_duty_section_where_the_duty_does_not_apply(app: FastAPI, session: Session) -> None:
    client, _, base = lead_with_draft(app, session)  # £2.4m: not over £5m
    assert parse(client.get(f"{base}/kpis")).find(id="s52-duty") is None
