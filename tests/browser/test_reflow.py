"""Reflow (WCAG 2.2 SC 1.4.10): at 320 CSS pixels wide no page scrolls sideways. Wide tables
sit in a labelled region that scrolls on its own and can be reached with the keyboard; long
words and email addresses wrap. The audit log and reference data fit a 1024-pixel screen.

Every page a lead, a reader and an administrator use is visited, with JavaScript on, and an
error state of each form."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page
from sqlmodel import Session, select

from app.models import OutboxMessage, Role
from app.services import outbox, procurements
from tests.support.api import make_api_client
from tests.support.browser import assert_accessible, sideways_scroll, sign_in
from tests.support.factories import (
    TEST_PASSWORD,
    make_draft,
    make_procurement,
    make_user,
    procurement_facts,
)
from tests.support.primas import autosave, post

NARROW, DESKTOP = 320, 1024
LONG_EMAIL = "alexandra.featherstonehaugh-montgomery@procurement.example.gov.uk"


def problems(page: Page, url: str, width: int) -> list[str]:
    """What stops the page reflowing at `width`: its sideways scroll, and any scrolling region
    a keyboard cannot reach or a screen reader cannot name."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    found = []
    if (extra := sideways_scroll(page)) > 0:
        found.append(f"{url} scrolls {extra} px sideways at {width} px")
    regions = page.locator(".app-table-scroll")
    for index in range(regions.count()):
        region = regions.nth(index)
        if region.get_attribute("tabindex") != "0" or region.get_attribute("role") != "region":
            found.append(f"{url}: scrolling region {index} cannot be reached with the keyboard")
        if not region.get_attribute("aria-label"):
            found.append(f"{url}: scrolling region {index} has no name")
    return found


@pytest.fixture
def journey(app: FastAPI, session: Session, live_server: str) -> dict[str, object]:
    """A lead with a long email address, a procurement with a changed history and a version 3
    draft with answers, KPI decisions and a judgement; an administrator."""
    from tests.support.auth import signed_in_client

    lead = make_user(session, Role.LEAD, email=LONG_EMAIL, name="Alexandra Featherstonehaugh")
    admin = make_user(session, Role.ADMIN)
    record = make_procurement(session, lead, value="2,400,000")
    make_draft(session, record, lead, version=3)
    more = procurement_facts(session, value="2,600,000")
    procurements.update(session, lead, record, more, version=record.version,
                        base=procurement_facts(session))  # fmt: skip
    client = signed_in_client(app, session, lead)
    base = f"/procurements/{record.reference}/primas"
    for question, answer in {"agency_labour": "yes", "low_paid_roles": "yes",
                             "workforce_size": "40"}.items():  # fmt: skip
        autosave(client, base, question, {question: answer, f"rev-{question}": "0"})
    post(client, f"{base}/kpis/llw-staff-share",
         {"action": "accept", "target": "100", "reason": "", "revision": "0"})  # fmt: skip
    make_api_client(
        session,
        "read",
        "write",
        "outcomes",
        name="Contract management system of the council's commissioning team",
    )
    # An email that failed, to a long address, with a long problem, for the administrators' list.
    outbox.enqueue(session, "primas.returned", [LONG_EMAIL, admin.email],
                   {"reference": record.reference, "title": record.title, "revision": 1,
                    "by": "Grace Mensah", "page": "task list", "comment": ""})  # fmt: skip
    session.commit()
    failed = session.exec(select(OutboxMessage)).one()
    failed.status = "failed"
    failed.last_error = "SMTPRecipientsRefused: " + LONG_EMAIL + ": 550 5.1.1 mailbox unavailable"
    session.add(failed)
    session.commit()
    return {"lead": lead, "admin": admin, "record": record, "base": base, "server": live_server}


def test_every_page_a_lead_uses_reflows_at_320_pixels(
    page: Page, journey: dict[str, object]
) -> None:
    server, base, record = journey["server"], journey["base"], journey["record"]
    sign_in(page, str(server), LONG_EMAIL, TEST_PASSWORD)
    reference = record.reference  # type: ignore[attr-defined]
    paths = [
        "/",
        "/procurements",
        "/procurements/new",
        f"/procurements/{reference}",
        f"/procurements/{reference}/edit",
        f"{base}",
        f"{base}/tasks/workforce",
        f"{base}/tasks/modern-slavery",
        f"{base}/tasks/materials-food",
        f"{base}/check",
        f"{base}/results",
        f"{base}/results/fair-pay-work",
        f"{base}/kpis",
        f"{base}/kpis/library",
        f"{base}/kpis/own",
        f"{base}/kpis/specification",
        "/account",
        "/account/password",
        "/account/reminders",
        "/accessibility",
    ]
    found = []
    for path in paths:
        found += problems(page, f"{server}{path}", NARROW)
        if path.endswith(("/materials-food", "/specification", "/results", "/procurements")):
            assert_accessible(page)  # the new states, axe-clean at 320 px
    assert not found, "\n".join(found)
    # Error states: a procurement form and a task page with mistakes.
    page.goto(f"{server}/procurements/new")
    with page.expect_navigation():
        page.get_by_role("button", name="Record procurement").click()
    assert page.locator(".govuk-error-summary").count() == 1
    assert sideways_scroll(page) <= 0, "the procurement form's errors scroll sideways"
    assert_accessible(page)
    page.goto(f"{server}{base}/tasks/workforce")
    page.get_by_label("About how many people will work on the contract at any one time?").fill(
        "many, many people working on the contract every single day of the week"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").click()
    assert page.locator(".govuk-error-summary").count() == 1
    assert sideways_scroll(page) <= 0, "the task page's errors scroll sideways"


def test_every_administrator_page_reflows_and_fits_a_desktop(
    page: Page, journey: dict[str, object]
) -> None:
    server = str(journey["server"])
    admin = journey["admin"]
    sign_in(page, server, admin.email, TEST_PASSWORD)  # type: ignore[attr-defined]
    narrow = ("/admin/users", "/admin/reference-data", "/admin/audit", "/admin/email",
              "/admin/api-clients", "/admin/api-clients/new",
              "/admin/reference-data/primas_threshold/new")  # fmt: skip
    found = [problem for path in narrow for problem in problems(page, f"{server}{path}", NARROW)]
    assert not found, "\n".join(found)
    for path in ("/admin/audit", "/admin/reference-data", "/admin/email", "/admin/api-clients"):
        assert not problems(page, f"{server}{path}", DESKTOP)
        # At a desktop's width nothing needs its own scrolling either.
        overflowing = page.evaluate(
            "[...document.querySelectorAll('.app-table-scroll')]"
            ".filter((r) => r.scrollWidth > r.clientWidth).length"
        )
        assert overflowing == 0, f"{path} has a table wider than a 1024-pixel screen"
