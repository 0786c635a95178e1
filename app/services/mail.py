"""Sending the outbox (issue 19, docs/email.md): each claimed message is written out, handed to
a mail server (SMTP with STARTTLS and login) or, in development, to a folder of .eml files, and
settled. A background thread started with the app sends as messages are committed and every few
seconds; `primas send-mail` sends what is due once.

Nothing here decides who is told what (approvals.py does, in the change's own transaction) or
how a message reads (the web layer renders it, with links to the pages, as `Render`).
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.services import approvals, outbox
from app.services.outbox import Claimed, RetryPolicy
from app.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Letter:
    """What a message says: its subject, and its body as plain text and as HTML."""

    subject: str
    text: str
    html: str


Render = Callable[[Claimed], Letter]


class MailRefused(Exception):
    """The mail server would not take the message: `permanent` when trying again cannot help
    (it refused every recipient, or the message itself, with a 5xx reply)."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Transport(Protocol):
    """Where messages go. `send` returns the recipients the server refused, each with its reply
    code and text (the rest took it), or raises MailRefused, or OSError when it could not be
    reached."""

    def send(self, message: EmailMessage, recipients: list[str]) -> dict[str, tuple[int, str]]: ...


@dataclass(frozen=True)
class SmtpTransport:
    """A mail server: STARTTLS (the certificate checked against the system's authorities, or
    `ca_file`), then login when a username is set. One connection per message."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    ca_file: Path | None = None
    timeout: float = 30

    def send(self, message: EmailMessage, recipients: list[str]) -> dict[str, tuple[int, str]]:
        smtp = None
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.starttls:
                cafile = str(self.ca_file) if self.ca_file else None
                smtp.starttls(context=ssl.create_default_context(cafile=cafile))
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
            refused = smtp.send_message(message, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise MailRefused(_refusals(error.recipients),
                              permanent=all(code >= 500 for code in codes)) from error  # fmt: skip
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise MailRefused(_reply(error.smtp_code, error.smtp_error),
                              permanent=error.smtp_code >= 500) from error  # fmt: skip
        except smtplib.SMTPResponseException as error:  # login refused, and the like
            raise MailRefused(_reply(error.smtp_code, error.smtp_error), permanent=False) from error
        except smtplib.SMTPException as error:
            raise MailRefused(str(error) or type(error).__name__, permanent=False) from error
        finally:
            if smtp is not None:
                _quit(smtp)
        return {to: (code, _reply(code, text)) for to, (code, text) in refused.items()}


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye; a server that answers QUIT badly has already taken the message."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    said = text.decode(errors="replace") if isinstance(text, bytes) else text
    return f"{code} {said}".strip()


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{to}: {_reply(code, text)}" for to, (code, text) in sorted(refused.items()))


@dataclass(frozen=True)
class FolderTransport:
    """Development: each message is written to `folder` as an .eml file named by its
    Message-ID, so one sent again replaces itself rather than appearing twice."""

    folder: Path

    def send(self, message: EmailMessage, recipients: list[str]) -> dict[str, tuple[int, str]]:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9.@-]", "_", str(message["Message-ID"]).strip("<>"))
        path = self.folder / f"{name}.eml"
        partial = path.with_suffix(".partial")
        partial.write_bytes(bytes(message))
        os.replace(partial, path)  # whole or not at all
        return {}


def letter_to_message(claimed: Claimed, letter: Letter, sender: Address) -> EmailMessage:
    """The email for a claimed message: its own Message-ID and date (the same every try), to all
    its recipients, marked as sent automatically so that out-of-office replies stay away."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = [Address(addr_spec=address) for address in claimed.recipients]
    message["Subject"] = " ".join(letter.subject.split())  # one line, whatever a title holds
    message["Date"] = format_datetime(claimed.created_at)
    message["Message-ID"] = claimed.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(letter.text)
    message.add_alternative(letter.html, subtype="html")
    return message


@dataclass(frozen=True)
class Tally:
    """What one pass of the sender did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    reminders: int = 0


@dataclass(frozen=True)
class Sender:
    """Sends what is due from the outbox on `engine` through `transport`."""

    engine: Engine
    transport: Transport
    render: Render
    sender: Address
    policy: RetryPolicy
    reminder_working_days: int | None = None  # None: no reminders from this sender

    def run_once(
        self, now: datetime | None = None, stopping: Callable[[], bool] = lambda: False
    ) -> Tally:
        """Write today's reminders, then send every message due, one at a time, until none is
        due or `stopping()` says to stop. A problem with reminders never holds up the rest."""
        reminders = 0
        if self.reminder_working_days is not None:
            try:
                with Session(self.engine) as session:
                    reminders = approvals.remind_waiting(
                        session, now or utcnow(), self.reminder_working_days
                    )
            except Exception:
                log.exception("could not write the reminders")
        outcomes: dict[str, int] = {}
        while not stopping():
            with Session(self.engine) as session:
                claimed = outbox.claim(session, now or utcnow(), self.policy)
                if claimed is None:
                    break
                outcome = self._send(session, claimed, now)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return Tally(outcomes.get("sent", 0), outcomes.get("retrying", 0),
                     outcomes.get("failed", 0), reminders)  # fmt: skip

    def _send(self, session: Session, claimed: Claimed, now: datetime | None) -> str:
        permanent = False
        try:
            message = letter_to_message(claimed, self.render(claimed), self.sender)
            refused = self.transport.send(message, claimed.recipients)
        except MailRefused as refusal:
            problem, permanent = str(refusal), refusal.permanent
        except OSError as error:  # could not reach the server, or TLS failed
            problem = f"{type(error).__name__}: {error}"
        except Exception as error:  # a message that cannot be written must not stop the rest
            log.exception("could not send outbox message %s", claimed.id)
            problem = f"{type(error).__name__}: {error}"
        else:
            sent_at = now or utcnow()
            outbox.mark_sent(
                session, claimed, sent_at,
                refused={to: reply for to, (code, reply) in refused.items() if code >= 500},
                later=sorted(to for to, (code, _) in refused.items() if code < 500),
                later_at=sent_at + self.policy.wait_after(1),
            )  # fmt: skip
            return "sent"
        log.warning("outbox message %s, try %s: %s", claimed.id, claimed.attempt, problem)
        return outbox.mark_failed(session, claimed, now or utcnow(), self.policy, problem,
                                  permanent=permanent)  # fmt: skip


class MailWorker:
    """The sender in the app's process: a daemon thread that runs a pass when a message is
    committed here, and every `poll_seconds` (for messages written by other processes, retries
    that come due, and reminders)."""

    def __init__(self, sender: Sender, poll_seconds: float) -> None:
        self._sender = sender
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="primas-mail", daemon=True)
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Start sending, beginning with anything left from before (a stop mid-send)."""
        self._unsubscribe = outbox.when_written(self._wake.set)
        self._thread.start()

    def stop(self, timeout: float = 60) -> None:
        """Stop after the message being sent, if any (the others stay queued, unclaimed)."""
        if self._unsubscribe:
            self._unsubscribe()
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self._sender.run_once(stopping=self._stop.is_set)
            except Exception:  # the database was away: look again at the next poll
                log.exception("the mail sender's pass failed")
            self._wake.wait(self._poll)
