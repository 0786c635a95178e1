"""The pages about email: each person's reminder setting on their account, and the
administrators' list of every email with how sending it went, where a failed one is sent again."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlmodel import Session, col, select

from app.models import AuditEvent, OutboxMessage, Role, User
from app.services import outbox
from app.timeutil import utcnow
from tests.support.auth import signed_in_client
from tests.support.factories import make_user
from tests.support.html import error_summary_links, heading, parse, text_of
from tests.support.primas import post


def facts(reference: str) -> dict[str, object]:
    return {"reference": reference, "title": "Cleaning of council offices", "revision": 1,
            "by": "Priya Shah", "page": "decision", "comment": ""}  # fmt: skip


def message(session: Session, reference: str, status: str, **more: object) -> OutboxMessage:
    outbox.enqueue(session, "primas.submitted", ["grace@example.gov.uk"], facts(reference))
    session.commit()
    row = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc())).first()
    assert row is not None
    row.status = status
    for name, value in more.items():
        setattr(row, name, value)
    session.add(row)
    session.commit()
    return row


def test_a_user_turns_reminder_emails_off_and_on(app: FastAPI, session: Session) -> None:
    user = make_user(session, Role.APPROVER)
    client = signed_in_client(app, session, user)
    account = parse(client.get("/account"))
    assert "Reminder emails On" in text_of(account.find(class_="govuk-summary-list"))
    form = parse(client.get("/account/reminders"))
    assert heading(form) == "Do you want reminder emails?"
    assert form.find("input", {"value": "yes"}).has_attr("checked")
    assert "more than 3 working days" in text_of(form.find(class_="govuk-hint"))

    response = post(client, "/account/reminders", {"reminders": "no"})
    assert (response.status_code, response.headers["location"]) == (303, "/account")
    session.refresh(user)
    assert user.mail_reminders is False
    account = parse(client.get("/account"))
    assert "Reminder emails are now off" in text_of(
        account.find(class_="govuk-notification-banner")
    )
    assert "Reminder emails Off" in text_of(account.find(class_="govuk-summary-list"))
    assert (
        parse(client.get("/account/reminders")).find("input", {"value": "no"}).has_attr("checked")
    )
    changed = session.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "user_account.updated")
    ).all()
    assert changed[-1].detail["changed"] == ["mail_reminders"]
    assert changed[-1].actor_email == user.email

    post(client, "/account/reminders", {"reminders": "yes"})
    session.refresh(user)
    assert user.mail_reminders is True


def test_a_reminder_choice_that_is_neither_yes_nor_no_is_refused(
    app: FastAPI, session: Session
) -> None:
    user = make_user(session, Role.APPROVER)
    client = signed_in_client(app, session, user)
    for sent in ({}, {"reminders": "sometimes"}):
        response = post(client, "/account/reminders", sent)
        assert response.status_code == 422
        page = parse(response)
        assert error_summary_links(page) == [
            ("Select yes if you want reminder emails", "#reminders")
        ]
    session.refresh(user)
    assert user.mail_reminders is True


def test_administrators_see_every_email_with_its_status_tries_and_problem(
    app: FastAPI, session: Session
) -> None:
    admin = make_user(session, Role.ADMIN)
    client = signed_in_client(app, session, admin)
    message(session, "PRC-2026-0001", "sent", attempts=1, sent_at=utcnow())
    message(session, "PRC-2026-0002", "failed", attempts=8,
            last_error="451 4.3.0 Mail server busy: try again later")  # fmt: skip
    message(session, "PRC-2026-0003", "queued", attempts=2, last_error="ConnectionRefusedError",
            next_attempt_at=utcnow() + timedelta(minutes=4))  # fmt: skip
    page = parse(client.get("/admin/email"))
    assert heading(page) == "Email"
    assert text_of(page.find("caption")) == "3 emails"
    rows = [
        [text_of(cell) for cell in row.find_all("td")] for row in page.find("tbody").find_all("tr")
    ]
    newest, failed, sent = rows
    assert newest[1].startswith(
        "Submitted for a decision PRC-2026-0003: Cleaning of council offices"
    )
    assert newest[3].startswith("Waiting to send Next try")
    assert (newest[4], newest[5]) == ("2", "ConnectionRefusedError")
    assert failed[3].startswith("Failed Send again")
    assert failed[5] == "451 4.3.0 Mail server busy: try again later"
    assert sent[3].startswith("Sent") and sent[5] == "None"
    assert sent[2] == "grace@example.gov.uk"
    filters = [
        text_of(link) for link in page.find("nav", {"aria-label": "Emails by status"}).find_all("a")
    ]
    assert filters == ["All (3)", "Waiting to send (1)", "Sent (1)", "Failed (1)"]

    only_failed = parse(client.get("/admin/email?status=failed"))
    assert text_of(only_failed.find("caption")) == "1 failed email"
    assert only_failed.find("a", {"aria-current": "page"}).get_text() == "Failed (1)"
    assert len(only_failed.find("tbody").find_all("tr")) == 1
    # A status that is not one lists them all.
    assert text_of(parse(client.get("/admin/email?status=lost")).find("caption")) == "3 emails"
    none_sent = parse(client.get("/admin/email?status=sent&page=9"))
    assert text_of(none_sent.find("caption")) == "1 sent email"


def test_an_administrator_sends_a_failed_email_again(app: FastAPI, session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    client = signed_in_client(app, session, admin)
    failed = message(session, "PRC-2026-0002", "failed", attempts=8, last_error="Refused")
    sent = message(session, "PRC-2026-0001", "sent", attempts=1)
    page = parse(client.get("/admin/email?status=failed"))
    form = page.find("form", {"action": f"/admin/email/{failed.id}/retry"})
    assert form is not None and "Send again" in text_of(form.find("button"))

    response = post(client, f"/admin/email/{failed.id}/retry", {})
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/admin/email?status=failed",
    )
    banner = parse(client.get(response.headers["location"])).find(
        class_="govuk-notification-banner"
    )
    assert "The email will be sent again" in text_of(banner)
    session.refresh(failed)
    assert (failed.status, failed.attempts, failed.last_error) == ("queued", 0, "Refused")
    retried = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "mail.retried")).one()
    assert (retried.actor_email, retried.entity_id) == (admin.email, str(failed.id))

    # One not failed is left alone, and says so; one that is not there is not found.
    post(client, f"/admin/email/{sent.id}/retry", {})
    banner = parse(client.get("/admin/email?status=failed")).find(
        class_="govuk-notification-banner"
    )
    assert "That email had not failed" in text_of(banner)
    session.refresh(sent)
    assert sent.status == "sent"
    assert post(client, "/admin/email/999999/retry", {}).status_code == 404


def test_the_email_list_is_for_administrators_only(app: FastAPI, session: Session) -> None:
    approver: User = make_user(session, Role.APPROVER, Role.LEAD)
    client = signed_in_client(app, session, approver)
    assert client.get("/admin/email").status_code == 403
    assert "Email" not in [
        text_of(a) for a in parse(client.get("/")).select(".govuk-service-navigation__link")
    ]


def test_an_administrators_home_page_says_when_email_could_not_be_sent(
    app: FastAPI, session: Session
) -> None:
    admin = make_user(session, Role.ADMIN)
    client = signed_in_client(app, session, admin)
    assert parse(client.get("/")).find(id="failed-mail") is None
    message(session, "PRC-2026-0001", "failed", attempts=8)
    message(session, "PRC-2026-0002", "failed", attempts=8)
    message(session, "PRC-2026-0003", "sent", attempts=1)
    page = parse(client.get("/"))
    assert text_of(page.find(id="failed-mail")) == "Email that could not be sent"
    link = page.find(id="failed-mail").find_next("a")
    assert (text_of(link), link["href"]) == (
        "2 emails could not be sent",
        "/admin/email?status=failed",
    )
    # Nobody else is told: they cannot send it again.
    approver = signed_in_client(app, session, make_user(session, Role.APPROVER))
    assert parse(approver.get("/")).find(id="failed-mail") is None
