"""Accounts: sign-in and its throttling, sessions, passwords and user administration."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.errors import InvalidInput
from app.models import AuditEvent, Role, SignInFailure, User, UserSession
from app.services import accounts, sessions
from app.services.audit import SYSTEM, Actor
from app.services.passwords import verify_password
from app.timeutil import utcnow
from tests.support.factories import TEST_PASSWORD, make_user

THROTTLE = accounts.ThrottlePolicy(max_failures=10, window=timedelta(minutes=15))
POLICY = sessions.SessionPolicy(idle_timeout=timedelta(minutes=30), max_age=timedelta(hours=12))


def sign_in(session: Session, email: str, password: str, now=None) -> accounts.SignInResult:  # type: ignore[no-untyped-def]
    return accounts.sign_in(
        session, email, password, throttle=THROTTLE, session_policy=POLICY, now=now or utcnow()
    )


def actions(session: Session) -> list[str]:
    return [event.action for event in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_in_starts_a_session_and_is_audited(session: Session) -> None:
    user = make_user(session, email="Priya.Shah@example.gov.uk".lower())
    result = sign_in(session, "  PRIYA.SHAH@example.gov.uk ", TEST_PASSWORD)
    assert result.outcome is accounts.SignInOutcome.SIGNED_IN
    assert result.token and result.user is not None and result.user.id == user.id
    stored = session.get(UserSession, sessions.hash_token(result.token))
    assert stored is not None and stored.user_id == user.id
    assert result.token not in {stored.token_hash}  # only the hash is stored
    assert "sign_in" in actions(session)
    assert session.get(User, user.id).last_signed_in_at is not None  # type: ignore[union-attr]


@pytest.mark.parametrize("email", ["user-unknown@example.gov.uk", None])
def test_wrong_details_fail_the_same_way_for_known_and_unknown_addresses(
    session: Session, email: str | None
) -> None:
    user = make_user(session)
    result = sign_in(session, email or user.email, "not the right password")
    assert result.outcome is accounts.SignInOutcome.WRONG_DETAILS
    assert result.token is None
    assert actions(session)[-1] == "sign_in.failed"
    assert len(session.exec(select(SignInFailure)).all()) == 1


def test_deactivated_users_cannot_sign_in(session: Session) -> None:
    user = make_user(session, active=False)
    result = sign_in(session, user.email, TEST_PASSWORD)
    assert result.outcome is accounts.SignInOutcome.DEACTIVATED
    assert result.token is None
    assert actions(session)[-1] == "sign_in.refused_deactivated"


def test_ten_failures_in_fifteen_minutes_throttle_that_account_only(session: Session) -> None:
    user = make_user(session)
    other = make_user(session)
    start = utcnow()
    for attempt in range(10):
        result = sign_in(session, user.email, "wrong password", start + timedelta(seconds=attempt))
        assert result.outcome is accounts.SignInOutcome.WRONG_DETAILS
    # Even the right password is refused now, for about 15 minutes.
    now = start + timedelta(seconds=30)
    result = sign_in(session, user.email, TEST_PASSWORD, now)
    assert result.outcome is accounts.SignInOutcome.THROTTLED
    assert 14 * 60 < result.retry_after_seconds <= 15 * 60
    assert actions(session)[-1] == "sign_in.throttled"
    # Another account is unaffected.
    assert sign_in(session, other.email, TEST_PASSWORD, now).token
    # Once the first failures are older than the window, the account may try again.
    later = start + timedelta(minutes=15, seconds=1)
    assert sign_in(session, user.email, TEST_PASSWORD, later).outcome is (
        accounts.SignInOutcome.SIGNED_IN
    )


def test_nine_failures_do_not_throttle_and_success_clears_them(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    for _ in range(9):
        sign_in(session, user.email, "wrong password", now)
    assert sign_in(session, user.email, TEST_PASSWORD, now).token
    assert session.exec(select(SignInFailure)).all() == []


def test_failures_outside_the_window_do_not_count(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    for _ in range(10):
        sign_in(session, user.email, "wrong password", now - timedelta(minutes=16))
    assert sign_in(session, user.email, TEST_PASSWORD, now).token


def test_an_admin_can_unlock_a_throttled_user(session: Session) -> None:
    user = make_user(session)
    admin = make_user(session, Role.ADMIN)
    now = utcnow()
    for _ in range(10):
        sign_in(session, user.email, "wrong password", now)
    assert accounts.seconds_until_unthrottled(session, user.email, THROTTLE, now) > 0
    accounts.unlock(session, admin, user)
    assert accounts.seconds_until_unthrottled(session, user.email, THROTTLE, now) == 0
    assert sign_in(session, user.email, TEST_PASSWORD, now).token
    unlocked = session.exec(select(AuditEvent).where(AuditEvent.action == "user.unlocked")).one()
    assert unlocked.actor_email == admin.email


def test_sessions_end_after_the_idle_timeout(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    token = sessions.start_session(session, user, POLICY, now)
    session.commit()
    almost = now + timedelta(minutes=29, seconds=59)
    signed_in = sessions.resolve_session(session, token, POLICY, almost)
    assert signed_in is not None
    assert signed_in.expires_at == almost + timedelta(minutes=30)  # touched: the clock restarted
    assert sessions.resolve_session(session, token, POLICY, almost + timedelta(minutes=30)) is None
    assert session.get(UserSession, sessions.hash_token(token)) is None


def test_a_confirmation_is_left_for_one_session_and_shown_once(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    mine, other = (sessions.start_session(session, user, POLICY, now) for _ in range(2))
    session.commit()
    sessions.leave_message(session, sessions.hash_token(mine), "Roles updated")
    sessions.leave_message(session, sessions.hash_token(mine), "Collaborator added")  # the latest
    elsewhere = sessions.resolve_session(session, other, POLICY, now)
    assert elsewhere is not None and sessions.take_message(session, elsewhere) is None
    signed_in = sessions.resolve_session(session, mine, POLICY, now)
    assert signed_in is not None
    assert sessions.take_message(session, signed_in) == "Collaborator added"
    session.expire_all()
    again = sessions.resolve_session(session, mine, POLICY, now)
    assert again is not None and sessions.take_message(session, again) is None
    with pytest.raises(ValueError):
        sessions.leave_message(session, sessions.hash_token(mine), "x" * 301)


def test_sessions_end_at_their_absolute_lifetime_however_active(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    token = sessions.start_session(session, user, POLICY, now)
    session.commit()
    moment = now
    while moment + timedelta(minutes=20) < now + timedelta(hours=12):
        moment += timedelta(minutes=20)
        assert sessions.resolve_session(session, token, POLICY, moment) is not None
    assert sessions.resolve_session(session, token, POLICY, now + timedelta(hours=12)) is None


def test_stay_signed_in_restarts_the_idle_clock(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    token = sessions.start_session(session, user, POLICY, now)
    session.commit()
    signed_in = sessions.resolve_session(session, token, POLICY, now + timedelta(seconds=5))
    assert signed_in is not None
    extended = sessions.extend_session(session, signed_in, POLICY, now + timedelta(minutes=25))
    assert extended.expires_at == now + timedelta(minutes=55)
    assert sessions.resolve_session(session, token, POLICY, now + timedelta(minutes=54)) is not None


def test_deactivation_ends_every_session_at_once(session: Session) -> None:
    user = make_user(session)
    admin = make_user(session, Role.ADMIN)
    now = utcnow()
    tokens = [sessions.start_session(session, user, POLICY, now) for _ in range(2)]
    session.commit()
    accounts.deactivate(session, admin, user)
    for token in tokens:
        assert sessions.resolve_session(session, token, POLICY, now) is None
    with pytest.raises(InvalidInput, match="your own account"):
        accounts.deactivate(session, admin, admin)
    accounts.reactivate(session, admin, user)
    assert sign_in(session, user.email, TEST_PASSWORD).token


def test_changing_your_password(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    old_token = sessions.start_session(session, user, POLICY, now)
    other_token = sessions.start_session(session, user, POLICY, now)
    session.commit()
    signed_in = sessions.resolve_session(session, old_token, POLICY, now)
    assert signed_in is not None
    with pytest.raises(InvalidInput) as refused:
        accounts.change_own_password(
            session, signed_in, current="wrong", new="short", confirm="other",
            throttle=THROTTLE, session_policy=POLICY, now=now,
        )  # fmt: skip
    assert refused.value.errors == {
        "current_password": "Your current password is incorrect",
        "new_password": "Your new password must be 12 characters or more",
    }
    with pytest.raises(InvalidInput) as refused:
        accounts.change_own_password(
            session, signed_in, current=TEST_PASSWORD, new="meadowlark piano train",
            confirm="meadowlark piano tram", throttle=THROTTLE, session_policy=POLICY, now=now,
        )  # fmt: skip
    assert refused.value.errors == {"confirm_password": "The passwords do not match"}
    new_token = accounts.change_own_password(
        session, signed_in, current=TEST_PASSWORD, new="meadowlark piano train",
        confirm="meadowlark piano train", throttle=THROTTLE, session_policy=POLICY, now=now,
    )  # fmt: skip
    assert verify_password(session.get(User, user.id).password_hash, "meadowlark piano train")  # type: ignore[union-attr]
    # Every earlier session has ended; the new one works.
    assert sessions.resolve_session(session, old_token, POLICY, now) is None
    assert sessions.resolve_session(session, other_token, POLICY, now) is None
    assert sessions.resolve_session(session, new_token, POLICY, now) is not None


def test_create_user_with_a_one_time_password(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    user, one_time = accounts.create_user(
        session, Actor.of(admin), name="  Grace   Mensah ", email="Grace@Example.gov.uk",
        roles=["approver", "lead"],
    )  # fmt: skip
    assert one_time is not None
    assert user.name == "Grace Mensah"
    assert user.email == "grace@example.gov.uk"
    assert user.roles == ["lead", "approver"]
    assert user.must_change_password
    result = sign_in(session, "grace@example.gov.uk", one_time)
    assert result.token and result.user is not None and result.user.must_change_password


@pytest.mark.parametrize(
    ("details", "errors"),
    [
        (
            {"name": "", "email": "", "roles": []},
            {
                "name": "Enter the user's full name",
                "email": "Enter the user's email address",
                "roles": "Select at least one role",
            },
        ),
        (
            {"name": "x" * 121, "email": "not-an-email", "roles": ["superuser"]},
            {
                "name": "Full name must be 120 characters or fewer",
                "email": "Enter an email address in the correct format, like name@example.gov.uk",
                "roles": "Select roles from the list",
            },
        ),
    ],
)
def test_create_user_validation(session: Session, details: dict, errors: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(session, SYSTEM, **details)
    assert refused.value.errors == errors


def test_email_addresses_are_unique_whatever_their_case(session: Session) -> None:
    make_user(session, email="taken@example.gov.uk")
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(
            session, SYSTEM, name="A", email="TAKEN@example.gov.uk", roles=["lead"]
        )
    assert refused.value.errors == {"email": "A user with this email address already exists"}


def test_create_user_refuses_a_weak_chosen_password(session: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(
            session, SYSTEM, name="A Person", email="a@example.gov.uk", roles=["lead"],
            password="password1234",
        )  # fmt: skip
    assert "too common" in refused.value.errors["password"]


def test_roles_change_and_admins_keep_their_own(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    user = make_user(session)
    accounts.change_roles(session, admin, user, ["approver", "lead"])
    assert session.get(User, user.id).roles == ["lead", "approver"]  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="your own administrator role"):
        accounts.change_roles(session, admin, admin, ["lead"])
    with pytest.raises(InvalidInput, match="at least one role"):
        accounts.change_roles(session, admin, user, [])


def test_one_time_password_replaces_the_old_and_ends_sessions(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    user = make_user(session)
    token = sessions.start_session(session, user, POLICY, utcnow())
    session.commit()
    password = accounts.set_one_time_password(session, admin, user)
    assert sessions.resolve_session(session, token, POLICY, utcnow()) is None
    assert sign_in(session, user.email, TEST_PASSWORD).token is None
    result = sign_in(session, user.email, password)
    assert result.user is not None and result.user.must_change_password


def test_signing_in_clears_away_ended_sessions_and_old_failures(session: Session) -> None:
    user = make_user(session)
    other = make_user(session)
    now = utcnow()
    stale = sessions.start_session(session, other, POLICY, now - timedelta(hours=1))
    live = sessions.start_session(session, other, POLICY, now)
    session.add(SignInFailure(email="someone@example.gov.uk", failed_at=now - timedelta(hours=1)))
    session.add(SignInFailure(email="someone@example.gov.uk", failed_at=now))
    session.commit()
    assert sign_in(session, user.email, TEST_PASSWORD, now).token
    remaining = {row.token_hash for row in session.exec(select(UserSession)).all()}
    assert sessions.hash_token(stale) not in remaining
    assert sessions.hash_token(live) in remaining
    assert [f.failed_at for f in session.exec(select(SignInFailure)).all()] == [now]


def test_parallel_guesses_cannot_beat_the_throttle(session: Session, engine) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    user = make_user(session)
    now = utcnow()

    def guess(number: int) -> accounts.SignInOutcome:
        with Session(engine) as own:
            return sign_in(own, user.email, f"wrong guess number {number}", now).outcome

    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(guess, range(30)))
    checked = outcomes.count(accounts.SignInOutcome.WRONG_DETAILS)
    assert checked <= THROTTLE.max_failures
    assert outcomes.count(accounts.SignInOutcome.THROTTLED) == 30 - checked


def test_a_wrong_current_password_counts_as_a_failed_sign_in(session: Session) -> None:
    user = make_user(session)
    now = utcnow()
    token = sessions.start_session(session, user, POLICY, now)
    session.commit()
    signed_in = sessions.resolve_session(session, token, POLICY, now)
    assert signed_in is not None

    def attempt() -> str:
        with pytest.raises(InvalidInput) as refused:
            accounts.change_own_password(
                session, signed_in, current="a wrong guess", new="", confirm="",
                throttle=THROTTLE, session_policy=POLICY, now=now,
            )  # fmt: skip
        return refused.value.errors["current_password"]

    for _ in range(THROTTLE.max_failures):
        assert attempt() == "Your current password is incorrect"
    assert attempt().startswith("You have entered a wrong password too many times. Wait 15")
    assert actions(session).count("password.change_failed") == THROTTLE.max_failures
    assert actions(session)[-1] == "password.change_throttled"
    # Signing in is refused too: it is the same account's count.
    assert sign_in(session, user.email, TEST_PASSWORD, now).outcome is (
        accounts.SignInOutcome.THROTTLED
    )


def test_an_address_that_matches_no_one_is_not_logged_as_typed(session: Session) -> None:
    typed = "my-secret-password-typed-in-the-wrong-box"
    sign_in(session, typed, "whatever")
    [failed] = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in.failed")).all()
    assert failed.actor_email.startswith("unknown address #")
    assert typed not in failed.actor_email and typed not in str(failed.detail)
    # Repeated attempts on one address share a fingerprint, so admins can still see a pattern.
    sign_in(session, typed, "whatever again")
    emails = session.exec(
        select(AuditEvent.actor_email).where(AuditEvent.action == "sign_in.failed")
    ).all()
    assert len(set(emails)) == 1


def test_an_overlong_address_is_just_wrong(session: Session) -> None:
    result = sign_in(session, "x" * 300 + "@example.gov.uk", "whatever")
    assert result.outcome is accounts.SignInOutcome.WRONG_DETAILS
    [failure] = session.exec(select(SignInFailure)).all()
    assert len(failure.email) == 254
