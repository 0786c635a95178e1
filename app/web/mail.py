"""How each email reads, with links to the service's pages, and the sender that the app (and
`primas send-mail`) runs, built from the settings (docs/email.md)."""

from __future__ import annotations

from datetime import date, timedelta
from email.headerregistry import Address
from typing import Any

from fastapi import FastAPI
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.engine import Engine

from app.deps.paths import RoutePaths
from app.services.mail import FolderTransport, Letter, Sender, SmtpTransport, Transport
from app.services.outbox import Claimed, RetryPolicy
from app.settings import Settings
from app.timeutil import long_date
from app.web.routes import pages_router
from app.web.templating import TEMPLATES_DIR

SUBJECTS = {
    "primas.submitted": "PRIMAS to decide on",
    "primas.approved": "PRIMAS approved",
    "primas.returned": "PRIMAS returned to you",
    "primas.waiting": "Reminder: PRIMAS waiting for a decision",
}
# Where each message points: the route, and whether it names the revision.
PAGES = {
    "decision": ("show_decision", False),
    "record": ("show_record", True),
    "task list": ("task_list", False),
}


class Letters:
    """Writes each message from its facts: the council's name, and links that start with the
    service's address (`base_url`)."""

    def __init__(self, settings: Settings, paths: RoutePaths) -> None:
        self._base = settings.base_url.rstrip("/")
        self._paths = paths
        self._names = {"council": settings.council_name, "service": settings.service_name}
        environment = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR / "email"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        self._text = environment.get_template("message.txt")
        self._html = environment.get_template("message.html")

    def link(self, name: str, /, **params: Any) -> str:
        """The full address of a page."""
        return self._base + self._paths(name, **{key: str(value) for key, value in params.items()})

    def __call__(self, claimed: Claimed) -> Letter:
        facts = claimed.facts
        route, by_revision = PAGES[facts["page"]]
        params = {"reference": facts["reference"]} | (
            {"revision": facts["revision"]} if by_revision else {}
        )
        subject = f"{SUBJECTS[claimed.kind]}: {facts['reference']} {facts['title']}"
        submitted_on = facts.get("submitted_on")
        context = self._names | {
            "kind": claimed.kind,
            "facts": facts,
            "subject": subject,
            "link": self.link(route, **params),
            "account_link": self.link("account"),
            "submitted_on": long_date(date.fromisoformat(submitted_on)) if submitted_on else "",
        }
        return Letter(subject, self._text.render(context), self._html.render(context))


def site_paths() -> RoutePaths:
    """The pages' paths, for a process that sends mail without serving them (`primas
    send-mail`)."""
    site = FastAPI()
    site.include_router(pages_router())
    return RoutePaths(site)


def transport_for(settings: Settings) -> Transport:
    """The mail server in the settings, or in development (no server set) the outbox folder."""
    if not settings.smtp_host:
        return FolderTransport(settings.mail_dir)
    return SmtpTransport(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password or "",
        starttls=settings.smtp_starttls,
        ca_file=settings.smtp_ca_file,
        timeout=settings.smtp_timeout_seconds,
    )


def sender_for(settings: Settings, engine: Engine, paths: RoutePaths) -> Sender:
    """The sender the settings describe, for the app's database."""
    return Sender(
        engine=engine,
        transport=transport_for(settings),
        render=Letters(settings, paths),
        sender=Address(
            f"{settings.council_name} {settings.service_name}", addr_spec=settings.mail_from
        ),  # fmt: skip
        policy=RetryPolicy(
            max_attempts=settings.mail_max_attempts,
            first_wait=timedelta(seconds=settings.mail_retry_seconds),
            claim_for=timedelta(seconds=settings.mail_claim_seconds),
        ),
        reminder_working_days=settings.reminder_working_days,
    )
