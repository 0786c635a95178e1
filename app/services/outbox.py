"""Writing email to the outbox, in the transaction of the change that causes it (issue 19).

Messages hold only what a notification needs (the reference, the title, what happened, who did
it, where to look, and at most the first line of a comment), never answers. Sending comes after
commit, by the service itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from app.models import OutboxMessage

FIRST_LINE = 200  # at most this much of a comment's first line goes in a message


def first_line(text: str) -> str:
    """A comment's first line, shortened: the rest is read in the service, not in email."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= FIRST_LINE else line[: FIRST_LINE - 1].rstrip() + "…"


def enqueue(session: Session, kind: str, recipients: Iterable[str], facts: dict[str, Any]) -> None:
    """Add a message to the session's transaction (the caller commits it with the change); none
    when nobody is to be told."""
    to = sorted({address for address in recipients if address})
    if not to:
        return
    session.add(OutboxMessage(message_id=f"<{uuid.uuid4()}@primas>", kind=kind, recipients=to,
                              facts=facts))  # fmt: skip
