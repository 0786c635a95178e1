"""Time: stored in UTC, shown and reasoned about in London time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

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


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday in England (the Banking and Financial Dealings
    Act 1971, schedule 1, and the dates proclaimed under it, as gov.uk/bank-holidays lists them;
    the `holidays` package holds them, substitute days included)."""
    return day.weekday() < 5 and day not in _ENGLAND_BANK_HOLIDAYS


def working_days_after(start: date, end: date) -> int:
    """How many working days follow `start`, up to and including `end` (0 when `end` is not
    after it): submitted on a Friday, by the Wednesday it has waited 3."""
    days = (end - start).days
    return sum(1 for offset in range(1, days + 1) if is_working_day(start + timedelta(offset)))


_ENGLAND_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")
