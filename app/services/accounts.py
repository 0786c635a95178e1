"""Accounts: signing in and out, passwords, and what administrators do to users."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlmodel import Session, col, delete, func, select

from app.errors import InvalidInput
from app.models import Role, SignInFailure, User
from app.services import sessions
from app.services.audit import Actor, act_as, record_event
from app.services.passwords import (
    DUMMY_HASH,
    PasswordRefused,
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failed sign-ins an account may have within a window before it is refused."""

    max_failures: int
    window: timedelta


class SignInOutcome(Enum):
    """How a sign-in attempt ended."""

    SIGNED_IN = "signed in"
    WRONG_DETAILS = "wrong email address or password"
    THROTTLED = "too many failed attempts"
    DEACTIVATED = "account deactivated"


@dataclass(frozen=True)
class SignInResult:
    """The outcome, and the user and cookie token when it succeeded."""

    outcome: SignInOutcome
    user: User | None = None
    token: str | None = None
    retry_after_seconds: int = 0


def normalise_email(email: str) -> str:
    """Email addresses compare without case or surrounding spaces."""
    return email.strip().lower()


def password_context(name: str, email: str) -> list[str]:
    """Words a user's password must not contain: their names, their email's local part, ours."""
    words = re.split(r"[^a-z0-9]+", f"{name} {email.split('@')[0]}".lower())
    return [word for word in words if word] + ["primas"]


def find_user_by_email(session: Session, email: str) -> User | None:
    """The user with this email address, if any."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def _recent_failures(
    session: Session,
    email: str,
    policy: ThrottlePolicy,
    now: datetime,
    *,
    excluding: int | None = None,
) -> list[datetime]:
    """When this address failed within the window, newest first (leaving out one row if asked)."""
    query = select(SignInFailure.failed_at).where(
        SignInFailure.email == email, col(SignInFailure.failed_at) > now - policy.window
    )
    if excluding is not None:
        query = query.where(col(SignInFailure.id) != excluding)
    return list(session.exec(query.order_by(col(SignInFailure.failed_at).desc())).all())


def _wait_after(failures: list[datetime], policy: ThrottlePolicy, now: datetime) -> int:
    """Seconds until fewer than the maximum of these failures (newest first) fall in the window."""
    if len(failures) < policy.max_failures:
        return 0
    oldest_that_counts = failures[policy.max_failures - 1]
    return max(1, math.ceil((oldest_that_counts + policy.window - now).total_seconds()))


def seconds_until_unthrottled(
    session: Session, email: str, policy: ThrottlePolicy, now: datetime
) -> int:
    """0 when the account may try to sign in; otherwise how many seconds until it may."""
    return _wait_after(_recent_failures(session, normalise_email(email), policy, now), policy, now)


def locked_users(session: Session, policy: ThrottlePolicy, now: datetime) -> list[User]:
    """Users whose account is refusing sign-ins now after too many failures (most recent
    failures first)."""
    emails = (
        select(SignInFailure.email)
        .where(col(SignInFailure.failed_at) > now - policy.window)
        .group_by(col(SignInFailure.email))
        .having(func.count() >= policy.max_failures)
    )
    users = session.exec(select(User).where(col(User.email).in_(emails))).all()
    return [user for user in users if seconds_until_unthrottled(session, user.email, policy, now)]


def _claim_attempt(
    session: Session, email: str, policy: ThrottlePolicy, now: datetime
) -> tuple[SignInFailure, int]:
    """Record this attempt as a failure before the password is checked, then count.

    Committing the row first means parallel guesses see each other: at most the maximum number
    of attempts can be checked within a window, however many arrive at once. The row is removed
    again when the password turns out right, or when this attempt is refused unchecked.
    """
    attempt = SignInFailure(email=email, failed_at=now)
    session.add(attempt)
    session.commit()
    earlier = _recent_failures(session, email, policy, now, excluding=attempt.id)
    return attempt, _wait_after(earlier, policy, now)


def audit_address(email: str, user: User | None) -> str:
    """How a sign-in address appears in the audit log: a user's own, or a fingerprint.

    People sometimes type their password into the email field; an address that matches no user
    is never written to the permanent log as typed.
    """
    if user is not None:
        return user.email
    fingerprint = hashlib.sha256(email.encode()).hexdigest()[:12]
    return f"unknown address #{fingerprint}"


def sign_in(
    session: Session,
    email: str,
    password: str,
    *,
    throttle: ThrottlePolicy,
    session_policy: sessions.SessionPolicy,
    now: datetime,
) -> SignInResult:
    """Check the email and password, recording the attempt; start a session when they match."""
    email = normalise_email(email)[:254]  # longer can match no one; keep it within the column
    user = find_user_by_email(session, email)
    actor = Actor(user.id if user else None, audit_address(email, user))
    attempt, wait = _claim_attempt(session, email, throttle, now)
    if wait:
        session.delete(attempt)
        record_event(session, "sign_in.throttled", actor=actor)
        session.commit()
        return SignInResult(SignInOutcome.THROTTLED, retry_after_seconds=wait)
    # Verify against a dummy hash for unknown addresses, so both cases take as long.
    matches = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if user is None or not matches:
        record_event(session, "sign_in.failed", actor=actor)
        session.commit()
        return SignInResult(SignInOutcome.WRONG_DETAILS)
    act_as(session, actor)
    if not user.active:
        session.delete(attempt)
        record_event(session, "sign_in.refused_deactivated", entity_type="user_account",
                     entity_id=user.id)  # fmt: skip
        session.commit()
        return SignInResult(SignInOutcome.DEACTIVATED)
    session.exec(delete(SignInFailure).where(col(SignInFailure.email) == email))
    _prune(session, throttle, session_policy, now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = now
    token = sessions.start_session(session, user, session_policy, now)
    record_event(session, "sign_in", entity_type="user_account", entity_id=user.id)
    session.commit()
    return SignInResult(SignInOutcome.SIGNED_IN, user=user, token=token)


def _prune(
    session: Session,
    throttle: ThrottlePolicy,
    session_policy: sessions.SessionPolicy,
    now: datetime,
) -> None:
    """Housekeeping at each sign-in: forget ended sessions and failures too old to count."""
    sessions.delete_ended_sessions(session, session_policy, now)
    session.exec(delete(SignInFailure).where(col(SignInFailure.failed_at) <= now - throttle.window))


def sign_out(session: Session, signed_in: sessions.SignedIn) -> None:
    """End this session and record it."""
    act_as(session, Actor.of(signed_in.user))
    session.delete(signed_in.session)
    record_event(session, "sign_out", entity_type="user_account", entity_id=signed_in.user.id)
    session.commit()


def change_own_password(
    session: Session,
    signed_in: sessions.SignedIn,
    *,
    current: str,
    new: str,
    confirm: str,
    throttle: ThrottlePolicy,
    session_policy: sessions.SessionPolicy,
    now: datetime,
) -> str:
    """Change the signed-in user's password; returns a new session token (others are ended).

    A wrong current password counts as a failed sign-in for the account, so a borrowed session
    cannot be used to guess the password without limit.
    """
    user = signed_in.user
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = "Enter your current password"
    else:
        problem = _check_current_password(session, user, current, throttle, now)
        if problem:
            errors["current_password"] = problem
    if not new:
        errors["new_password"] = "Enter a new password"
    else:
        try:
            check_password(new, context=password_context(user.name, user.email))
        except PasswordRefused as refused:
            errors["new_password"] = str(refused).replace("Your password", "Your new password")
        if "new_password" not in errors and current and new == current:
            errors["new_password"] = "Your new password must be different from your current one"
    if "new_password" not in errors and new != confirm:
        errors["confirm_password"] = "The passwords do not match"
    if errors:
        raise InvalidInput(errors)
    act_as(session, Actor.of(user))
    user.password_hash = hash_password(new)
    user.must_change_password = False
    sessions.end_all_sessions(session, user.id or 0)
    token = sessions.start_session(session, user, session_policy, now)
    record_event(session, "password.changed", entity_type="user_account", entity_id=user.id)
    session.commit()
    return token


def _check_current_password(
    session: Session, user: User, password: str, throttle: ThrottlePolicy, now: datetime
) -> str | None:
    """None when `password` is the user's; otherwise what to tell them. Throttled and audited."""
    act_as(session, Actor.of(user))
    attempt, wait = _claim_attempt(session, user.email, throttle, now)
    if wait:
        session.delete(attempt)
        record_event(session, "password.change_throttled", entity_type="user_account",
                     entity_id=user.id)  # fmt: skip
        session.commit()
        minutes = -(-wait // 60)
        return (
            "You have entered a wrong password too many times. "
            f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again"
        )
    if not verify_password(user.password_hash, password):
        record_event(session, "password.change_failed", entity_type="user_account",
                     entity_id=user.id)  # fmt: skip
        session.commit()
        return "Your current password is incorrect"
    session.delete(attempt)
    session.commit()
    return None


def generate_one_time_password() -> str:
    """A random password to give a user once, such as 'k7pm-2xqa-9dnw-h4tc'."""
    while True:
        groups = ["".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(4)]
        password = "-".join(groups)
        try:
            check_password(password)
        except PasswordRefused:
            continue
        return password


def _validate_details(
    session: Session, *, name: str, email: str, roles: Iterable[str], user_id: int | None = None
) -> tuple[str, str, list[str]]:
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Enter the user's full name"
    elif len(name) > 120:
        errors["name"] = "Full name must be 120 characters or fewer"
    email = normalise_email(email)
    if not email:
        errors["email"] = "Enter the user's email address"
    elif len(email) > 254 or not EMAIL_PATTERN.match(email):
        errors["email"] = "Enter an email address in the correct format, like name@example.gov.uk"
    else:
        existing = find_user_by_email(session, email)
        if existing is not None and existing.id != user_id:
            errors["email"] = "A user with this email address already exists"
    chosen = _validate_roles(roles, errors)
    if errors:
        raise InvalidInput(errors)
    return name, email, chosen


def _validate_roles(roles: Iterable[str], errors: dict[str, str]) -> list[str]:
    known = {role.value for role in Role}
    chosen: list[str] = [role.value for role in Role if role.value in set(roles)]
    if set(roles) - known:
        errors["roles"] = "Select roles from the list"
    elif not chosen:
        errors["roles"] = "Select at least one role"
    return chosen


def create_user(
    session: Session,
    actor: Actor,
    *,
    name: str,
    email: str,
    roles: Iterable[str],
    password: str | None = None,
    is_demo: bool = False,
) -> tuple[User, str | None]:
    """Create a user. Without a password, returns a one-time password they must change."""
    name, email, chosen = _validate_details(session, name=name, email=email, roles=roles)
    one_time = None
    if password is None:
        one_time = password = generate_one_time_password()
    else:
        try:
            check_password(password, context=password_context(name, email))
        except PasswordRefused as refused:
            raise InvalidInput({"password": str(refused)}) from None
    act_as(session, actor)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        roles=chosen,
        must_change_password=one_time is not None,
        is_demo=is_demo,
    )
    session.add(user)
    session.commit()
    session.refresh(user)
    return user, one_time


def change_roles(session: Session, admin: User, user: User, roles: Iterable[str]) -> None:
    """Give a user exactly these roles. An admin cannot remove their own admin role."""
    errors: dict[str, str] = {}
    chosen = _validate_roles(roles, errors)
    if not errors and user.id == admin.id and Role.ADMIN.value not in chosen:
        errors["roles"] = "You cannot remove your own administrator role"
    if errors:
        raise InvalidInput(errors)
    act_as(session, Actor.of(admin))
    user.roles = chosen
    session.commit()


def deactivate(session: Session, admin: User, user: User) -> None:
    """Deactivate a user and end their sessions at once. Not yourself."""
    if user.id == admin.id:
        raise InvalidInput({"user": "You cannot deactivate your own account"})
    act_as(session, Actor.of(admin))
    user.active = False
    sessions.end_all_sessions(session, user.id or 0)
    session.commit()


def reactivate(session: Session, admin: User, user: User) -> None:
    """Let a deactivated user sign in again."""
    act_as(session, Actor.of(admin))
    user.active = True
    session.commit()


def unlock(session: Session, admin: User, user: User) -> None:
    """Clear a user's failed sign-ins so they may try again now."""
    act_as(session, Actor.of(admin))
    session.exec(delete(SignInFailure).where(col(SignInFailure.email) == user.email))
    record_event(session, "user.unlocked", entity_type="user_account", entity_id=user.id)
    session.commit()


def set_one_time_password(session: Session, admin: User, user: User) -> str:
    """Replace a user's password with a one-time one they must change; ends their sessions."""
    password = generate_one_time_password()
    act_as(session, Actor.of(admin))
    user.password_hash = hash_password(password)
    user.must_change_password = True
    sessions.end_all_sessions(session, user.id or 0)
    session.commit()
    return password


def list_users(session: Session) -> list[User]:
    """Every user, active first, then by name."""
    users = session.exec(select(User)).all()
    return sorted(users, key=lambda user: (not user.active, user.name.lower()))


def set_mail_reminders(session: Session, user: User, choice: str) -> None:
    """The user turns reminder emails on ("yes") or off ("no") for themselves; the emails about
    decisions on their own procurements are always sent."""
    if choice not in ("yes", "no"):
        raise InvalidInput({"reminders": "Select yes if you want reminder emails"})
    act_as(session, Actor.of(user))
    user.mail_reminders = choice == "yes"
    session.commit()
