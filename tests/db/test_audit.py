"""The audit log: every create and update recorded with who and digests, and never rewritable."""

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from app.models import AuditEvent, Role, User
from app.services import accounts
from app.services.audit import Actor, act_as, digest, record_event
from app.services.audit_log import AuditFilter, describe_action, history_of, search_audit
from app.timeutil import utcnow
from tests.support.factories import make_reference_value, make_user


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_creating_a_record_is_audited_with_its_actor(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    act_as(session, Actor.of(admin))
    value = make_reference_value(session, effective_from=date(2031, 1, 1))
    [created] = events(session, "reference_value.created")
    assert created.actor_id == admin.id
    assert created.actor_email == admin.email
    assert created.entity_type == "reference_value"
    assert created.entity_id == str(value.id)
    assert created.before_digest is None
    assert created.after_digest and len(created.after_digest) == 64


def test_updates_record_changed_fields_and_before_and_after_digests(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    user = make_user(session)
    created = history_of(session, "user_account", user.id)[-1]
    accounts.change_roles(session, admin, user, ["lead", "approver"])
    [updated] = events(session, "user_account.updated")
    # Each changed field's old and new value: the history can say what it changed from and to.
    assert updated.detail == {
        "changed": ["roles"],
        "values": {"roles": [["lead"], ["lead", "approver"]]},
    }
    assert updated.actor_email == admin.email
    assert updated.before_digest == created.after_digest  # the state it changed from
    assert updated.after_digest != updated.before_digest


def test_secrets_never_reach_the_log_but_their_change_does(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    user = make_user(session)
    accounts.set_one_time_password(session, admin, user)
    [updated] = events(session, "user_account.updated")
    # The hash counts as changed, but its values never reach the log.
    assert updated.detail == {"changed": ["must_change_password", "password_hash"],
                              "values": {"must_change_password": [False, True]}}  # fmt: skip
    stored = session.get(User, user.id)
    assert stored is not None
    columns = stored.model_dump()
    public = {name: value for name, value in columns.items() if name != "password_hash"}
    # The digest covers every column but the secret one, so it cannot be used to test guesses.
    assert updated.after_digest == digest(public)
    assert updated.after_digest != digest(columns)
    for event in session.exec(select(AuditEvent)).all():
        assert stored.password_hash not in str(event.detail)


def test_before_digest_is_right_even_when_nothing_was_loaded(session: Session) -> None:
    user = make_user(session)
    [created] = history_of(session, "user_account", user.id)
    session.expire_all()  # as after any commit: the session holds no values for the user
    stored = session.get(User, user.id)
    assert stored is not None
    session.expire(stored)
    stored.name = "A New Name"  # set without ever loading the old name
    session.commit()
    [updated] = events(session, "user_account.updated")
    assert updated.detail["changed"] == ["name"]
    assert updated.detail["values"]["name"][1] == "A New Name"
    assert updated.before_digest == created.after_digest


def test_bulk_changes_to_audited_records_are_refused(session: Session) -> None:
    from sqlmodel import delete, update

    make_user(session)
    with pytest.raises(RuntimeError, match="bypass the audit log"):
        session.exec(update(User).values(name="Everyone"))  # type: ignore[call-overload]
    with pytest.raises(RuntimeError, match="bypass the audit log"):
        session.exec(delete(User))  # type: ignore[call-overload]


def test_bookkeeping_columns_alone_are_not_an_update(session: Session) -> None:
    user = make_user(session)
    user.last_signed_in_at = utcnow()
    session.commit()
    assert events(session, "user_account.updated") == []


def test_digests_are_canonical() -> None:
    assert digest({"b": 1, "a": date(2026, 1, 1)}) == digest({"a": date(2026, 1, 1), "b": 1})
    assert digest({"a": 1}) != digest({"a": 2})
    assert digest(None) is None


def _raw_change(session: Session, statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        session.exec(text(statement))  # type: ignore[call-overload]
        session.commit()
    session.rollback()


def test_the_log_refuses_update_and_delete_in_the_database(session: Session) -> None:
    record_event(session, "sign_in", actor=Actor(None, "someone@example.gov.uk"))
    session.commit()
    _raw_change(session, "UPDATE audit_event SET actor_email = 'someone-else@example.gov.uk'")
    _raw_change(session, "DELETE FROM audit_event")
    if session.get_bind().dialect.name == "postgresql":
        _raw_change(session, "TRUNCATE audit_event")
    assert session.exec(select(AuditEvent.actor_email)).all() == ["someone@example.gov.uk"]


def test_search_filters_and_pages(session: Session) -> None:
    lead = make_user(session, email="priya@example.gov.uk")
    for _ in range(7):
        record_event(session, "sign_in", actor=Actor.of(lead), entity_type="user_account",
                     entity_id=lead.id)  # fmt: skip
    record_event(session, "sign_in.failed", actor=Actor(None, "stranger@example.com"))
    session.commit()
    everything = search_audit(session, AuditFilter(), per_page=5)
    assert everything.total == 9  # 7 + 1 + the user's creation
    assert (everything.pages, len(everything.events)) == (2, 5)
    assert len(search_audit(session, AuditFilter(), page=2, per_page=5).events) == 4
    assert search_audit(session, AuditFilter(action="sign_in.failed")).total == 1
    assert search_audit(session, AuditFilter(actor="PRIYA")).total == 7
    # "%" and "_" are the characters typed, not SQL wildcards that match everyone.
    assert search_audit(session, AuditFilter(actor="%")).total == 0
    assert search_audit(session, AuditFilter(actor="pr_ya")).total == 0
    assert (
        search_audit(session, AuditFilter(entity_type="user_account", entity_id=str(lead.id))).total
        == 8
    )
    future = utcnow() + timedelta(days=1)
    assert search_audit(session, AuditFilter(occurred_from=future)).total == 0
    assert search_audit(session, AuditFilter(occurred_before=future)).total == 9
    newest_first = [event.id for event in everything.events]
    assert newest_first == sorted(newest_first, reverse=True)


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("sign_in", "Signed in"),
        ("user_account.updated", "Updated user"),
        ("reference_value.created", "Created reference value"),
        ("something_new.deleted", "Deleted something new"),
        ("mystery", "mystery"),
    ],
)
def test_actions_are_described_in_words(action: str, words: str) -> None:
    assert describe_action(action) == words
