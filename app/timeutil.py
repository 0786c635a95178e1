"""Time: stored in UTC, shown and reasoned about in London time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def london_today() -> date:
    """Today's date in London, which is what a council officer means by 'today'."""
    return datetime.now(LONDON).date()


def to_london(moment: datetime) -> datetime:
    """An aware datetime converted to London time for display."""
    return moment.astimezone(LONDON)


def long_date(day: date) -> str:
    """A date the GOV.UK way: '1 January 2026'."""
    return f"{day.day} {day:%B %Y}"
