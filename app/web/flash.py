"""Confirmations after a change, as flash messages kept on the server-side session.

A handler that changes something and redirects says what it did (`flash.say("Roles updated")`);
the page it redirects to takes the message (`confirmation: Confirmation`) and shows it once in
a success banner. Nothing goes in the URL, so a bookmarked or shared address never claims a
change that was not just made, and reloading the page does not repeat it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session

from app.deps import CurrentSignIn, SessionDep
from app.services import sessions


@dataclass(frozen=True)
class Flash:
    """Leaves a message for the next page this browser opens."""

    session: Session
    signed_in: sessions.SignedIn

    def say(self, message: str, *, new_token: str | None = None) -> None:
        """Leave `message`; `new_token` when the change started a new session (a password
        change does), whose next page shows it."""
        token_hash = (
            sessions.hash_token(new_token) if new_token else self.signed_in.session.token_hash
        )
        sessions.leave_message(self.session, token_hash, message)


async def _flash(session: SessionDep, signed_in: CurrentSignIn) -> Flash:
    return Flash(session, signed_in)


def _confirmation(session: SessionDep, signed_in: CurrentSignIn) -> str | None:
    return sessions.take_message(session, signed_in)


FlashDep = Annotated[Flash, Depends(_flash)]
# The message left by the change that led here, taken (so shown once); None when there is none.
Confirmation = Annotated[str | None, Depends(_confirmation)]
