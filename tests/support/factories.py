"""Small factories: a valid record by default, any field overridden by keyword."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import Category, Directorate, ReferenceValue


def _save(session: Session, record: Any) -> Any:
    session.add(record)
    session.commit()
    session.refresh(record)
    return record


def make_reference_value(session: Session, **overrides: Any) -> ReferenceValue:
    """A new value of the PRIMAS threshold (pass key=... for another setting)."""
    fields: dict[str, Any] = {
        "key": "primas_threshold",
        "effective_from": date(2030, 1, 1),
        "amount": 12_000_000,
        "source": "https://example.org/policy",
    }
    return _save(session, ReferenceValue(**(fields | overrides)))  # type: ignore[no-any-return]


def make_category(session: Session, **overrides: Any) -> Category:
    """A spend category with medium relevance to every topic."""
    from app.scoring.topics import load_topics

    fields: dict[str, Any] = {
        "code": "test-category",
        "name": "Test category",
        "modern_slavery_risk": "medium",
        "topic_relevance": dict.fromkeys(sorted(load_topics().topic_codes), 2),
    }
    return _save(session, Category(**(fields | overrides)))  # type: ignore[no-any-return]


def make_directorate(session: Session, **overrides: Any) -> Directorate:
    """A directorate."""
    fields: dict[str, Any] = {"code": "test-directorate", "name": "Test directorate"}
    return _save(session, Directorate(**(fields | overrides)))  # type: ignore[no-any-return]
