"""A real mail server on loopback (aiosmtpd) for the mail tests: STARTTLS with a certificate
from a test authority, login required, and the messages it accepted, parsed. It can refuse
messages for a while, or hold one mid-send (to stop a sender then)."""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.postgres import free_port

USERNAME = "primas-sender"
PASSWORD = "a mail password for the tests"


@dataclass
class Received:
    """One message the server accepted: the envelope, and the message parsed."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


@dataclass
class MailServer:
    """What the server was told, and how it behaves."""

    host: str
    port: int
    ca_file: Path
    received: list[Received] = field(default_factory=list)
    refuse: int = 0  # refuse this many messages first, with `refusal`
    refusal: str = "451 4.3.0 Mail server busy: try again later"
    refuse_recipients: dict[str, str] = field(default_factory=dict)  # address -> reply to RCPT
    refused: int = 0
    logins: int = 0
    hold: threading.Event = field(default_factory=threading.Event)  # set: hold each message
    holding: threading.Event = field(default_factory=threading.Event)  # set while one is held

    def settings(self) -> dict[str, Any]:
        """The settings that send mail here."""
        return {"smtp_host": self.host, "smtp_port": self.port, "smtp_username": USERNAME,
                "smtp_password": PASSWORD, "smtp_ca_file": self.ca_file}  # fmt: skip

    def environment(self) -> dict[str, str]:
        """The same, as PRIMAS_ environment variables."""
        return {f"PRIMAS_{name.upper()}": str(value) for name, value in self.settings().items()}

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """The messages received, once there are at least `count` (or fail)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} messages arrived, not {count}")
            time.sleep(0.02)
        return list(self.received)


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(  # noqa: N802
        self, _smtp: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        reply = self.server.refuse_recipients.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, _smtp: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        server = self.server
        if server.refuse > server.refused:
            server.refused += 1
            return server.refusal
        while server.hold.is_set():
            server.holding.set()
            await asyncio.sleep(0.02)
        server.holding.clear()
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Accepted"


@contextmanager
def mail_server(directory: Path) -> Iterator[MailServer]:
    """A mail server on a free loopback port until the block ends."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    ca_file = directory / "mail-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    server = MailServer("127.0.0.1", free_port(), ca_file)

    def authenticate(_smtp: Any, _session: Any, _envelope: Any, _mechanism: str,
                     data: Any) -> AuthResult:  # fmt: skip
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USERNAME.encode(), PASSWORD.encode())  # fmt: skip
        server.logins += good
        return AuthResult(success=good, handled=False)  # refused: the server says 535

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(tls)
    controller = Controller(
        _Handler(server),
        hostname=server.host,
        port=server.port,
        tls_context=tls,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticate,
    )
    controller.start()
    try:
        yield server
    finally:
        server.hold.clear()
        controller.stop()
