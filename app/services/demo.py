"""Demo data so a new machine has something to sign in with. Never loaded in production."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Role, User
from app.services.accounts import create_user, find_user_by_email
from app.services.audit import SYSTEM


@dataclass(frozen=True)
class DemoUser:
    """A demo account whose sign-in details are printed by `make run` and in the README."""

    email: str
    name: str
    roles: tuple[Role, ...]
    password: str


DEMO_USERS = (
    DemoUser("lead@primas.example", "Priya Shah", (Role.LEAD,), "buyer-demo-password"),
    DemoUser("lead2@primas.example", "Tom Okafor", (Role.LEAD,), "second-buyer-demo-pass"),
    DemoUser("approver@primas.example", "Grace Mensah", (Role.APPROVER,), "signoff-demo-password"),
    DemoUser("admin@primas.example", "Sam Taylor", (Role.ADMIN,), "manager-demo-password"),
)


def load_demo_users(session: Session) -> list[tuple[DemoUser, bool]]:
    """Create any demo user that is missing; returns each with whether it was created now."""
    results = []
    for demo in DEMO_USERS:
        created = find_user_by_email(session, demo.email) is None
        if created:
            create_user(
                session,
                SYSTEM,
                name=demo.name,
                email=demo.email,
                roles=[role.value for role in demo.roles],
                password=demo.password,
                is_demo=True,
            )
        results.append((demo, created))
    return results


def demo_users_exist(session: Session) -> bool:
    """True when any demo account is in the database."""
    return session.exec(select(User.id).where(col(User.is_demo).is_(True))).first() is not None
