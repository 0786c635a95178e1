"""Reference data: values in force on a date, new values, categories and directorates."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models import Category, Directorate, ReferenceValue, User
from app.scoring.reference_data import NoValueInForce, ReferenceData, ReferenceEntry, reference_key
from app.services.audit import Actor, act_as


def _entry(row: ReferenceValue) -> ReferenceEntry:
    return ReferenceEntry(
        key=row.key,
        effective_from=row.effective_from,
        amount=row.amount,
        source=row.source,
        note=row.note,
    )


def value_in_force(session: Session, key: str, on: date) -> ReferenceEntry:
    """The value of `key` in force on `on`; NoValueInForce before its first value."""
    reference_key(key)
    row = session.exec(
        select(ReferenceValue)
        .where(ReferenceValue.key == key, col(ReferenceValue.effective_from) <= on)
        .order_by(col(ReferenceValue.effective_from).desc())
        .limit(1)
    ).first()
    if row is None:
        raise NoValueInForce(key, on)
    return _entry(row)


def load_reference_data(session: Session) -> ReferenceData:
    """A snapshot of every reference value, for the pure scoring code."""
    rows = session.exec(select(ReferenceValue)).all()
    return ReferenceData(entries=tuple(_entry(row) for row in rows))


def list_categories(session: Session, *, include_inactive: bool = False) -> list[Category]:
    """Spend categories in name order."""
    query = select(Category).order_by(col(Category.name))
    if not include_inactive:
        query = query.where(col(Category.active).is_(True))
    return list(session.exec(query).all())


def list_directorates(session: Session, *, include_inactive: bool = False) -> list[Directorate]:
    """Directorates in name order."""
    query = select(Directorate).order_by(col(Directorate.name))
    if not include_inactive:
        query = query.where(col(Directorate.active).is_(True))
    return list(session.exec(query).all())


def add_reference_value(
    session: Session,
    admin: User,
    *,
    key: str,
    effective_from: date,
    amount: int,
    source: str = "",
    note: str = "",
) -> ReferenceValue:
    """Record a new value of a key from a date (an administrator's change, audited)."""
    reference_key(key)
    errors: dict[str, str] = {}
    if amount <= 0:
        errors["amount"] = "The amount must be more than 0"
    taken = session.exec(
        select(ReferenceValue).where(
            ReferenceValue.key == key, ReferenceValue.effective_from == effective_from
        )
    ).first()
    if taken is not None:
        errors["effective_from"] = "There is already a value taking effect on that date"
    if errors:
        raise InvalidInput(errors)
    act_as(session, Actor.of(admin))
    value = ReferenceValue(
        key=key, effective_from=effective_from, amount=amount, source=source, note=note
    )
    session.add(value)
    session.commit()
    session.refresh(value)
    return value
