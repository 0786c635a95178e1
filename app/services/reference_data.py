"""Reference data: values in force on a date, new values, categories and directorates."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy import select as select_rows
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.models import Category, Directorate, ReferenceValue, User
from app.scoring.reference_data import (
    NO,
    REFERENCE_KEYS,
    YES,
    NoValueInForce,
    ReferenceData,
    ReferenceEntry,
    ReferenceKey,
    Unit,
    percent,
    reference_key,
)
from app.services.audit import Actor, act_as
from app.timeutil import long_date

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
SOURCE_MAX = NOTE_MAX = 500
WHOLE_PERCENT = 10_000  # basis points
# A page of this service's own documentation, such as docs/scoring.md or docs/scoring.md#bands.
_DOCS_PATH = re.compile(
    r"^docs/(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_.-]+\.md(?:#[A-Za-z0-9_-]+)?$", re.ASCII
)


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


# Snapshots already read, by database and by how many values it holds and the newest's id:
# values are only ever added (add_reference_value; never changed or removed while the service
# runs), so a database whose count and newest id are unchanged holds the same values.
_SNAPSHOTS: OrderedDict[tuple[str, int, int], ReferenceData] = OrderedDict()
_SNAPSHOTS_LOCK = threading.Lock()
_SNAPSHOTS_KEPT = 16


def load_reference_data(session: Session) -> ReferenceData:
    """Every reference value, as a snapshot for the pure scoring code: read from the database
    once, then again only when a value has been added (one small query a page tells)."""
    connection = session.connection()
    count, newest = connection.execute(
        select_rows(func.count(), func.max(col(ReferenceValue.id)))
    ).one()
    key = (connection.engine.url.render_as_string(hide_password=True), count, newest or 0)
    with _SNAPSHOTS_LOCK:
        known = _SNAPSHOTS.get(key)
    if known is not None:
        return known
    snapshot = _read_reference_data(session)
    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS[key] = snapshot
        while len(_SNAPSHOTS) > _SNAPSHOTS_KEPT:
            _SNAPSHOTS.popitem(last=False)
    return snapshot


def _read_reference_data(session: Session) -> ReferenceData:
    """A snapshot of every reference value, for the pure scoring code. Read as plain rows, not
    as ORM objects: every PRIMAS page reads them all, and making the objects cost about 0.3 ms
    a page (loading a draft in a loop: 1.48 ms with them, 1.19 ms without; issue 17)."""
    rows = (
        session.connection()
        .execute(
            select_rows(
                col(ReferenceValue.key),
                col(ReferenceValue.effective_from),
                col(ReferenceValue.amount),
                col(ReferenceValue.source),
                col(ReferenceValue.note),
            )  # fmt: skip
        )
        .all()
    )
    return ReferenceData(
        entries=tuple(
            ReferenceEntry(
                key=key, effective_from=effective_from, amount=amount, source=source, note=note
            )  # fmt: skip
            for key, effective_from, amount, source, note in rows
        )
    )


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


def source_is_acceptable(source: str) -> bool:
    """An https:// web address, or a path in the service's docs folder like docs/scoring.md."""
    if _DOCS_PATH.match(source):
        return True
    if not source.startswith("https://") or any(c.isspace() or ord(c) < 32 for c in source):
        return False
    try:
        return bool(urlsplit(source).hostname)
    except ValueError:  # such as an unclosed [ in the host
        return False


def reference_value_problems(
    session: Session,
    key: str,
    *,
    effective_from: date | None,
    amount: int | None,
    source: str,
    note: str,
) -> dict[str, str]:
    """What is wrong with a new value of `key`, field by field; None skips a field's checks."""
    unit = reference_key(key).unit
    errors: dict[str, str] = {}
    if effective_from is not None:
        if not EARLIEST_YEAR <= effective_from.year <= LATEST_YEAR:
            errors["effective_from"] = (
                f"The date it takes effect must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
            )
        elif _taken(session, key, effective_from):
            errors["effective_from"] = _date_taken(effective_from)
    if unit is Unit.YES_NO:
        if amount is not None and amount not in (YES, NO):
            errors["amount"] = "Select yes if it is council policy from this date, or no if not"
        if not note.strip():
            errors["note"] = (
                "Enter the decision this records, such as the name and date of the cabinet "
                "report or officer decision"
            )
    elif amount is not None:
        if amount <= 0:
            errors["amount"] = "The amount must be more than 0"
        elif unit is Unit.BASIS_POINTS and amount > WHOLE_PERCENT:
            errors["amount"] = "The amount must be 100% or less"
    if "amount" not in errors and amount is not None and effective_from is not None:
        if crossed := _bands_crossed(session, key, effective_from, amount):
            errors["amount"] = crossed
    if source and not source_is_acceptable(source):
        errors["source"] = (
            "Enter the source as a web address starting with https://, or as a page of the "
            "service's documentation like docs/scoring.md"
        )
    elif len(source) > SOURCE_MAX:
        errors["source"] = f"The source must be {SOURCE_MAX} characters or fewer"
    if len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX} characters or fewer"
    return errors


# The performance rating bands nest: "approaching target" is the narrower (scoring/performance.py).
_BANDS = ("rating_approaching_within", "rating_improvement_within")


def _bands_crossed(session: Session, key: str, effective_from: date, amount: int) -> str | None:
    """For a rating band, what is wrong if the new value would cross the other band on its date
    or on any later value's."""
    if key not in _BANDS:
        return None
    other = _BANDS[1 - _BANDS.index(key)]
    later = select(col(ReferenceValue.effective_from)).where(
        ReferenceValue.key == other, col(ReferenceValue.effective_from) > effective_from
    )
    dates = [effective_from, *session.exec(later)]
    for day in dates:
        try:
            theirs = value_in_force(session, other, day).amount
        except NoValueInForce:
            continue
        approaching, improvement = (amount, theirs) if key == _BANDS[0] else (theirs, amount)
        if approaching > improvement:
            return (f"The approaching-target band must be no wider than the requires-improvement "
                    f"band ({percent(improvement)} from {long_date(day)})"
                    if key == _BANDS[0] else
                    f"The requires-improvement band must be at least as wide as the "
                    f"approaching-target band ({percent(approaching)} from "
                    f"{long_date(day)})")  # fmt: skip
    return None


def _date_taken(effective_from: date) -> str:
    return f"There is already a value taking effect on {long_date(effective_from)}"


def _taken(session: Session, key: str, effective_from: date) -> bool:
    return (
        session.exec(
            select(ReferenceValue.id).where(
                ReferenceValue.key == key, ReferenceValue.effective_from == effective_from
            )
        ).first()
        is not None
    )


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
    """Record a new value of a key from a date (an administrator's change, audited).

    Refused (InvalidInput) unless the amount is positive (at most 100% for a percentage), the
    date is between 2000 and 2100 and no other value of the key takes effect that day, and the
    source, if given, is an https:// address or a docs/ page.
    """
    errors = reference_value_problems(
        session, key, effective_from=effective_from, amount=amount, source=source, note=note
    )
    if errors:
        raise InvalidInput(errors)
    act_as(session, Actor.of(admin))
    value = ReferenceValue(
        key=key, effective_from=effective_from, amount=amount, source=source, note=note
    )
    session.add(value)
    try:
        session.commit()
    except IntegrityError:
        # Another administrator added a value for the same day since the check above.
        session.rollback()
        raise InvalidInput({"effective_from": _date_taken(effective_from)}) from None
    session.refresh(value)
    return value


@dataclass(frozen=True)
class KeyHistory:
    """One reference key with the value in force on a day and every value, newest first."""

    key: ReferenceKey
    in_force: ReferenceEntry | None
    history: list[ReferenceEntry]


def key_histories(session: Session, on: date) -> list[KeyHistory]:
    """Every catalogued key in catalogue order, with its value in force `on` and its history."""
    snapshot = load_reference_data(session)
    histories = []
    for key in REFERENCE_KEYS.values():
        try:
            in_force: ReferenceEntry | None = snapshot.in_force(key.code, on)
        except NoValueInForce:
            in_force = None
        histories.append(KeyHistory(key, in_force, snapshot.history(key.code)[::-1]))
    return histories
