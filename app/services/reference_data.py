"""Reading reference data: values in force on a date, categories and directorates."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app.models import Category, Directorate, ReferenceValue
from app.scoring.reference_data import NoValueInForce, ReferenceData, ReferenceEntry, reference_key


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
