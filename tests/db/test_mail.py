"""Email from the outbox to a real mail server on loopback (aiosmtpd, STARTTLS and login), on
both databases: who is told what, one message per event; a server that refuses for a while;
a message given up on and sent again by an administrator; two senders sharing one outbox; a
sender stopped mid-send, and messages committed while no sender ran; the development folder;
and reminders of submissions left waiting, once a working day, for those who want them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db import create_database_engine
from app.main import create_app
from app.models import AuditEvent, OutboxMessage, Role, User
from app.services import approvals, outbox, procurements
from app.services.mail import FolderTransport, MailWorker, Sender, Tally
from app.settings import Settings
from app.timeutil import LONDON
from app.web.mail import sender_for, site_paths
from tests.conftest import test_settings
from tests.support.catalogue import shipped
from tests.support.factories import complete_draft, make_user
from tests.support.smtp import MailServer, mail_server

KEY = "a signing key for the tests, long enough to be one"
BASE_URL = "https://primas.example.gov.uk"


@pytest.fixture
def server(tmp_path: Path) -> Any:
    with mail_server(tmp_path) as server:
        yield server


def mail_settings(database_url: str, server: MailServer | None, **more: Any) -> Settings:
    """The tests' settings, sending to `server` (or, with none, to a folder)."""
    return test_settings(database_url).model_copy(
        update={"base_url": BASE_URL, "mail_retry_seconds": 60, "mail_claim_seconds": 300}
        | (server.settings() if server else {})
        | more
    )


def a_sender(database_url: str, engine: Engine, server: MailServer | None, **more: Any) -> Sender:
    return sender_for(mail_settings(database_url, server, **more), engine, site_paths())


def today() -> Any:
    return datetime.now(LONDON).date()


def submitted(session: Session, *approvers: User) -> tuple[Any, Any, User]:
    """A complete PRIMAS submitted by its lead officer (with an approver to tell, if none is
    given); returns it, its draft and the lead."""
    if not approvers:
        make_user(session, Role.APPROVER)
    record, draft = complete_draft(session)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=today())  # fmt: skip
    session.refresh(draft.assessment)
    return record, draft, lead


def decide(session: Session, approver: User, draft: Any, approve: bool, comment: str) -> None:
    session.refresh(draft.assessment)
    approvals.decide(session, approver, draft, approve=approve, comment=comment, points=[],
                     seen_version=draft.assessment.status_version, signing_key=KEY,
                     today=today())  # fmt: skip


def queue_messages(session: Session, count: int) -> None:
    """`count` messages about submissions, each to an approver of its own."""
    for number in range(count):
        facts = {"reference": f"PRC-2026-{number:04}", "title": "Cleaning", "revision": 1,
                 "by": "A Lead", "page": "decision", "comment": ""}  # fmt: skip
        outbox.enqueue(session, "primas.submitted", [f"approver{number}@example.gov.uk"], facts)
    session.commit()


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)).all())


def test_each_event_tells_the_right_people_once_with_a_link_to_the_page(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    record, draft = complete_draft(session)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    colleague = make_user(session, Role.LEAD, Role.APPROVER)  # works on it: never decides
    procurements.add_collaborator(session, lead, record, colleague.id)
    approver = make_user(session, Role.APPROVER)
    second = make_user(session, Role.APPROVER)
    make_user(session, Role.LEAD)  # neither told nor able to decide
    make_user(session, Role.APPROVER, active=False)
    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=today())  # fmt: skip
    sender = a_sender(database_url, engine, server)

    assert sender.run_once().sent == 1
    (told,) = server.received
    assert sorted(told.recipients) == sorted([approver.email, second.email])
    message = told.message
    assert message["Subject"] == f"PRIMAS to decide on: {record.reference} {record.title}"
    assert message["From"] == "Hackney Council PRIMAS <primas@hackney.gov.uk>"
    assert message["Auto-Submitted"] == "auto-generated"
    stored = session.exec(select(OutboxMessage)).one()
    assert message["Message-ID"] == stored.message_id
    link = f"{BASE_URL}/procurements/{record.reference}/primas/decision"
    assert link in told.text and f'href="{link}"' in told.html
    assert f"{lead.name} has submitted the PRIMAS for {record.reference}" in told.text
    assert server.logins == 1  # logged in, over STARTTLS (the server refuses login without it)
    # Nothing more to send: one message per event.
    assert sender.run_once().sent == 0

    comment = "Add a mitigation action for agency labour.\nPay rates are in the annex."
    decide(session, approver, draft, approve=False, comment=comment)
    assert sender.run_once().sent == 1
    returned = server.received[1]
    assert sorted(returned.recipients) == sorted([lead.email, colleague.email])
    assert (
        returned.message["Subject"] == f"PRIMAS returned to you: {record.reference} {record.title}"
    )
    assert "Add a mitigation action for agency labour." in returned.text
    assert "annex" not in returned.text and "annex" not in returned.html  # first line only
    assert f"{BASE_URL}/procurements/{record.reference}/primas\n" in returned.text

    session.refresh(draft.assessment)
    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=today())  # fmt: skip
    decide(session, second, draft, approve=True, comment="")
    assert sender.run_once().sent == 2
    again, approved = server.received[2:]
    assert again.message["Subject"].startswith("PRIMAS to decide on:")
    assert approved.message["Subject"] == f"PRIMAS approved: {record.reference} {record.title}"
    assert f"{BASE_URL}/procurements/{record.reference}/primas/revisions/1" in approved.text
    assert "comment" not in approved.text  # none was written
    assert len({r.message["Message-ID"] for r in server.received}) == 4
    sent = events(session, "mail.sent")
    assert len(sent) == 4 and all(event.actor_email == "system" for event in sent)


def test_a_server_that_refuses_at_first_is_tried_again_later_until_it_accepts(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    submitted(session)
    server.refuse = 2
    sender = a_sender(database_url, engine, server)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)

    assert sender.run_once(start).retrying == 1
    row = session.exec(select(OutboxMessage)).one()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error == "451 4.3.0 Mail server busy: try again later"
    assert row.next_attempt_at == start + timedelta(seconds=60)
    # Not tried again before then; then after twice as long.
    assert sender.run_once(start + timedelta(seconds=59)) == Tally()
    assert sender.run_once(start + timedelta(seconds=60)).retrying == 1
    session.refresh(row)
    assert row.next_attempt_at == start + timedelta(seconds=180)
    assert sender.run_once(start + timedelta(seconds=180)).sent == 1
    session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert row.sent_at == start + timedelta(seconds=180)
    assert len(server.received) == 1 and server.refused == 2
    failures = events(session, "mail.failed")
    assert [event.detail["attempt"] for event in failures] == [1, 2]
    assert failures[0].detail["retry_at"] == (start + timedelta(seconds=60)).isoformat()


def test_a_message_is_failed_after_its_last_try_and_an_administrator_sends_it_again(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    submitted(session)
    admin = make_user(session, Role.ADMIN)
    server.refuse = 100
    sender = a_sender(database_url, engine, server, mail_max_attempts=2)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    assert sender.run_once(start).retrying == 1
    assert sender.run_once(start + timedelta(minutes=5)).failed == 1
    row = session.exec(select(OutboxMessage)).one()
    assert (row.status, row.attempts) == ("failed", 2)
    assert sender.run_once(start + timedelta(days=1)).sent == 0  # given up: left for an admin
    assert events(session, "mail.failed")[-1].detail["retry_at"] is None

    assert outbox.retry(session, admin, row.id or 0)
    assert not outbox.retry(session, admin, row.id or 0)  # no longer failed
    server.refuse = 0
    assert sender.run_once().sent == 1
    session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 1)
    assert [event.actor_email for event in events(session, "mail.retried")] == [admin.email]


def test_a_message_refused_for_good_is_failed_at_once(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    submitted(session)
    server.refuse, server.refusal = 1, "554 5.6.0 Message refused"
    assert a_sender(database_url, engine, server).run_once().failed == 1
    row = session.exec(select(OutboxMessage)).one()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "554 5.6.0 Message refused")


def test_without_the_mail_servers_authority_nothing_is_sent_and_the_problem_is_shown(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    """The server's certificate is checked: with the system's authorities alone (not the test
    one), STARTTLS fails and the message waits, saying why."""
    submitted(session)
    assert a_sender(database_url, engine, server, smtp_ca_file=None).run_once().retrying == 1
    row = session.exec(select(OutboxMessage)).one()
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
    assert server.received == [] and server.logins == 0


def test_two_senders_share_one_outbox_and_send_each_message_once(
    session: Session, database_url: str, server: MailServer
) -> None:
    queue_messages(session, 40)
    engines = [create_database_engine(database_url) for _ in range(2)]
    tallies: list[Any] = []
    ready = threading.Barrier(2)

    def run(engine: Engine) -> None:
        ready.wait()
        tallies.append(a_sender(database_url, engine, server).run_once())

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    assert sum(tally.sent for tally in tallies) == 40
    assert all(tally.sent for tally in tallies)  # both took part
    ids = [received.message["Message-ID"] for received in server.received]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert all(row.status == "sent" and row.attempts == 1
               for row in session.exec(select(OutboxMessage)).all())  # fmt: skip


def test_messages_committed_while_no_sender_ran_are_sent_when_the_app_starts(
    session: Session, database_url: str, server: MailServer
) -> None:
    """The service stopped after the decision's commit, before sending: when it starts again
    its own sender finds the message; and one committed while it runs goes at once."""
    approver = make_user(session, Role.APPROVER)
    record, draft, _lead = submitted(session, approver)
    settings = mail_settings(database_url, server, send_mail=True, mail_poll_seconds=3600)
    with TestClient(create_app(settings, catalogue=shipped())):
        (told,) = server.wait_for(1)
        assert told.recipients == [approver.email]
        decide(session, approver, draft, approve=True, comment="Good")  # woken by the commit
        approved = server.wait_for(2)[1]
        assert approved.message["Subject"].startswith("PRIMAS approved:")
    statuses = session.exec(select(OutboxMessage.status)).all()
    assert statuses == ["sent", "sent"]


def test_a_sender_stopped_mid_send_leaves_the_message_to_be_sent_again_with_its_message_id(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    """`primas send-mail` killed while the mail server holds the message: the message is still
    queued (its try counted), and once the claim lapses a sender started again sends it, with
    the Message-ID it was written with, so a copy that reached the server before the stop is
    recognisably the same one."""
    submitted(session)
    environment = {**os.environ, "PRIMAS_DATABASE_URL": database_url, "PRIMAS_ENV": "test",
                   "PRIMAS_BASE_URL": BASE_URL, **server.environment()}  # fmt: skip
    server.hold.set()
    stopped = subprocess.Popen([sys.executable, "-m", "app", "send-mail"], env=environment,
                               stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        assert server.holding.wait(30), "the message did not reach the mail server"
        stopped.send_signal(signal.SIGKILL)
        stopped.wait(10)
    finally:
        stopped.kill()
    row = session.exec(select(OutboxMessage)).one()
    assert (row.status, row.attempts) == ("queued", 1)
    server.hold.clear()
    sender = a_sender(database_url, engine, server)
    claimed_until = row.next_attempt_at
    assert sender.run_once(claimed_until - timedelta(seconds=1)).sent == 0  # still claimed
    assert sender.run_once(claimed_until).sent == 1
    session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 2)
    assert {received.message["Message-ID"] for received in server.received} == {row.message_id}


def test_primas_send_mail_sends_what_is_due_and_says_so(
    session: Session, database_url: str, server: MailServer
) -> None:
    submitted(session)
    environment = {**os.environ, "PRIMAS_DATABASE_URL": database_url, "PRIMAS_ENV": "test",
                   "PRIMAS_BASE_URL": BASE_URL, **server.environment()}  # fmt: skip
    finished = subprocess.run([sys.executable, "-m", "app", "send-mail"], env=environment,
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == (
        "Reminders written: 0. Sent: 1. To try again later: 0. Failed: 0."
    )
    assert len(server.received) == 1


def test_a_claim_that_lapsed_cannot_settle_the_claim_after_it(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    """A sender slower than its claim: the message is claimed again, by another sender or
    after an administrator sent it again, and the slow one's failure changes nothing."""
    submitted(session)
    policy = outbox.RetryPolicy(max_attempts=8, first_wait=timedelta(seconds=60),
                                claim_for=timedelta(seconds=300))  # fmt: skip
    now = datetime.now(UTC)
    slow = outbox.claim(session, now, policy)
    assert slow is not None and outbox.claim(session, now, policy) is None  # claimed
    later = now + timedelta(seconds=300)
    fresh = outbox.claim(session, later, policy)
    assert fresh is not None and fresh.attempt == 2 and fresh.token != slow.token
    assert outbox.mark_failed(session, slow, later, policy, "timed out") == "lapsed"
    row = session.exec(select(OutboxMessage)).one()
    assert (row.status, row.attempts, row.last_error) == ("queued", 2, "")
    assert outbox.mark_failed(session, fresh, later, policy, "451 busy") == "retrying"
    session.refresh(row)
    assert row.last_error == "451 busy"


class Slow:
    """A transport that takes its time over each message, counting what it sends."""

    def __init__(self, folder: Path, seconds: float) -> None:
        self.inner, self.seconds, self.sent = FolderTransport(folder), seconds, Counter[str]()

    def send(self, message: Any, recipients: list[str]) -> dict[str, tuple[int, str]]:
        time.sleep(self.seconds)
        self.sent[str(message["Message-ID"])] += 1
        return self.inner.send(message, recipients)


def test_senders_slower_than_a_claim_of_many_messages_still_send_each_once(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    """Claims are one message at a time, so a claim has to outlast one send, not a batch: six
    messages at 0.3 seconds each, claims of one second, two senders."""
    queue_messages(session, 6)
    slow = Slow(tmp_path / "outbox", 0.3)
    engines = [create_database_engine(database_url) for _ in range(2)]
    senders = [replace(a_sender(database_url, engine, None), transport=slow,
                       policy=outbox.RetryPolicy(8, timedelta(seconds=60),
                                                 claim_for=timedelta(seconds=1)))
               for engine in engines]  # fmt: skip
    tallies: list[Any] = []
    threads = [threading.Thread(target=lambda s=sender: tallies.append(s.run_once()))
               for sender in senders]  # fmt: skip
    for thread in threads:
        thread.start()
        time.sleep(0.5)  # the second starts with the first one's claims under way
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    assert sorted(slow.sent.values()) == [1] * 6
    assert sum(tally.sent for tally in tallies) == 6 and all(tally.sent for tally in tallies)


def test_a_recipient_refused_for_now_gets_a_message_of_their_own_later(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    """The server takes the message for some recipients: those refused for now (4xx) are sent
    a message of their own, tried again as any other; one refused for good (5xx) is recorded as
    the message's last problem."""
    away, gone, here = (make_user(session, Role.APPROVER) for _ in range(3))
    submitted(session, away, gone, here)
    server.refuse_recipients = {away.email: "450 4.2.1 Mailbox busy, try later",
                                gone.email: "550 5.1.1 No such mailbox"}  # fmt: skip
    sender = a_sender(database_url, engine, server)
    assert sender.run_once().sent == 1
    assert server.received[0].recipients == [here.email]
    first, again = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert first.status == "sent"
    assert first.last_error == f"Refused for {gone.email}: 550 5.1.1 No such mailbox"
    assert (again.status, again.recipients, again.facts) == ("queued", [away.email], first.facts)
    assert again.next_attempt_at == first.sent_at + timedelta(seconds=60)  # as after a failure
    server.refuse_recipients = {}
    assert sender.run_once(again.next_attempt_at).sent == 1
    assert server.received[1].recipients == [away.email]
    assert server.received[1].message["Subject"] == server.received[0].message["Subject"]
    sent = events(session, "mail.sent")[0]
    assert sent.detail["later"] == [away.email] and list(sent.detail["refused"]) == [gone.email]


def test_what_people_typed_is_escaped_in_the_html_and_kept_to_one_line_in_the_subject(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    title = 'Cleaning <script>alert("x")</script> & grounds'
    approver = make_user(session, Role.APPROVER, name="Ann <b>Bold</b> O'Neil")
    record, draft = complete_draft(session, title=title)
    lead = session.get(User, record.lead_officer_id)
    assert lead is not None
    approvals.submit(session, lead, record, draft, declared=True,
                     seen_version=draft.assessment.status_version, today=today())  # fmt: skip
    decide(session, approver, draft, approve=False, comment="Use <em>plain</em> words & numbers")
    sender = a_sender(database_url, engine, server)
    assert sender.run_once().sent == 2
    returned = server.received[1]
    assert "<script>" not in returned.html and "<b>" not in returned.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; grounds" in returned.html
    assert "Ann &lt;b&gt;Bold&lt;/b&gt; O&#39;Neil" in returned.html
    assert "Use &lt;em&gt;plain&lt;/em&gt; words &amp; numbers" in returned.html
    assert returned.message["Subject"] == f"PRIMAS returned to you: {record.reference} {title}"
    assert title in returned.text  # plain text is as typed


def test_a_problem_writing_reminders_never_holds_up_the_rest(
    session: Session, engine: Engine, database_url: str, server: MailServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    submitted(session)

    def broken(*_args: object) -> int:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(approvals, "remind_waiting", broken)
    tally = a_sender(database_url, engine, server).run_once()
    assert (tally.sent, tally.reminders) == (1, 0)


def test_the_apps_sender_stops_between_messages_and_leaves_the_rest_unclaimed(
    session: Session, database_url: str, tmp_path: Path
) -> None:
    queue_messages(session, 5)
    slow = Slow(tmp_path / "outbox", 0.3)
    engine = create_database_engine(database_url)
    worker = MailWorker(replace(a_sender(database_url, engine, None), transport=slow), 3600)
    worker.start()
    deadline = time.monotonic() + 10
    while not slow.sent and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.stop()
    engine.dispose()
    rows = session.exec(select(OutboxMessage)).all()
    sent = [row for row in rows if row.status == "sent"]
    assert 1 <= len(sent) < 5 and len(sent) == sum(slow.sent.values())
    assert all(row.attempts == 0 for row in rows if row.status == "queued")


def test_in_development_messages_are_written_to_the_outbox_folder(
    session: Session, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    approver = make_user(session, Role.APPROVER)
    record, _draft, lead = submitted(session, approver)
    folder = tmp_path / "outbox"
    sender = a_sender(database_url, engine, None, mail_dir=folder)
    assert isinstance(sender.transport, FolderTransport)
    assert sender.run_once().sent == 1
    (written,) = folder.iterdir()
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    row = session.exec(select(OutboxMessage)).one()
    assert written.name == row.message_id.strip("<>") + ".eml"
    assert message["To"] == approver.email
    assert message["Subject"] == f"PRIMAS to decide on: {record.reference} {record.title}"
    assert message.get_content_type() == "multipart/alternative"
    body = message.get_body(("plain",))
    assert body is not None and lead.name in body.get_content()  # type: ignore[attr-defined]
    # Sent again (as after a stop mid-send), it replaces itself.
    row.status, row.next_attempt_at = "queued", datetime.now(UTC)
    session.add(row)
    session.commit()
    assert sender.run_once().sent == 1
    assert [path.name for path in folder.iterdir()] == [written.name]


def set_submitted_at(session: Session, draft: Any, moment: datetime) -> None:
    draft.assessment.submitted_at = moment
    session.add(draft.assessment)
    session.commit()


def london(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=LONDON)


def test_approvers_are_reminded_once_a_working_day_of_a_submission_left_waiting(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    """Submitted on Friday 4 December 2026; after 3 working days (Monday to Wednesday) it has
    not waited more than 3, so the first reminder is on Thursday from 8am, one a working day."""
    keen = make_user(session, Role.APPROVER)
    quiet = make_user(session, Role.APPROVER, mail_reminders=False)
    record, draft, lead = submitted(session, keen, quiet)
    set_submitted_at(session, draft, london("2026-12-04", 16))
    sender = a_sender(database_url, engine, server, reminder_working_days=3)
    sender.run_once()  # the submission's own message
    assert len(server.received) == 1

    def reminders_at(moment: datetime) -> int:
        return sender.run_once(moment).reminders

    assert reminders_at(london("2026-12-09", 17)) == 0  # Wednesday: waited 3
    assert reminders_at(london("2026-12-10", 7, 59)) == 0  # Thursday, before 8am
    assert reminders_at(london("2026-12-10", 8)) == 1
    assert reminders_at(london("2026-12-10", 15)) == 0  # once a day
    assert reminders_at(london("2026-12-12", 9)) == 0  # Saturday
    assert reminders_at(london("2026-12-14", 9)) == 1  # Monday
    reminders = server.received[1:]
    assert len(reminders) == 2
    assert all(received.recipients == [keen.email] for received in reminders)
    first = reminders[0]
    assert first.message["Subject"] == (
        f"Reminder: PRIMAS waiting for a decision: {record.reference} {record.title}"
    )
    assert (f"was submitted by {lead.name} on 4 December 2026 and has waited 4 working days"
            in first.text)  # fmt: skip
    assert f"{BASE_URL}/procurements/{record.reference}/primas/decision" in first.text
    assert f"{BASE_URL}/account" in first.text
    assert quiet.email in server.received[0].recipients  # told of the submission itself
    # Nobody who wants reminders: none is written.
    keen.mail_reminders = False
    session.add(keen)
    session.commit()
    assert reminders_at(london("2026-12-15", 9)) == 0
    # Decided: no more reminders.
    keen.mail_reminders = True
    session.add(keen)
    session.commit()
    decide(session, keen, draft, approve=True, comment="")
    assert reminders_at(london("2026-12-16", 9)) == 0


def test_reminders_count_working_days_across_bank_holidays(
    session: Session, engine: Engine, database_url: str, server: MailServer
) -> None:
    """Submitted on Thursday 24 December 2026: Christmas Day, the weekend and the substitute
    Boxing Day (Monday 28th) are not working days, nor New Year's Day 2027 (gov.uk/bank-holidays),
    so 29, 30 and 31 December make 3 and the first reminder is on Monday 4 January."""
    _record, draft, _lead = submitted(session)
    set_submitted_at(session, draft, london("2026-12-24", 11))
    sender = a_sender(database_url, engine, server, reminder_working_days=3)
    assert sender.run_once(london("2026-12-31", 12)).reminders == 0
    assert sender.run_once(london("2027-01-01", 12)).reminders == 0
    assert sender.run_once(london("2027-01-04", 9)).reminders == 1
