"""Working days for reminders: Monday to Friday, less bank holidays in England. The dates are
gov.uk/bank-holidays's list for England and Wales (2026 and 2027), substitute days included."""

from datetime import date, timedelta

import pytest

from app.timeutil import is_working_day, working_days_after

ENGLAND_BANK_HOLIDAYS = [
    # 2026
    date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
    date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    # 2027: Christmas Day and Boxing Day fall at a weekend, so Monday and Tuesday are holidays
    date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31),
    date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28),
]  # fmt: skip


@pytest.mark.parametrize("holiday", ENGLAND_BANK_HOLIDAYS, ids=str)
def test_bank_holidays_in_england_are_not_working_days(holiday: date) -> None:
    assert not is_working_day(holiday)


def test_every_other_weekday_of_2026_and_2027_is_a_working_day() -> None:
    day, working = date(2026, 1, 1), []
    while day.year < 2028:
        if day.weekday() < 5 and day not in ENGLAND_BANK_HOLIDAYS:
            working.append(day)
        day += timedelta(days=1)
    assert all(is_working_day(each) for each in working)
    assert len(working) == 2 * 261 - 16  # 261 weekdays in 2026 and 2027 alike


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 12, 4), date(2026, 12, 4), 0),  # the same day
        (date(2026, 12, 4), date(2026, 12, 6), 0),  # Friday to Sunday
        (date(2026, 12, 4), date(2026, 12, 9), 3),  # Friday to Wednesday
        (date(2026, 12, 24), date(2026, 12, 31), 3),  # over Christmas: 29, 30 and 31
        (date(2026, 12, 24), date(2027, 1, 4), 4),  # and New Year's Day
        (date(2026, 12, 9), date(2026, 12, 4), 0),  # an end before the start
    ],
)
def test_working_days_after_a_day_are_counted_up_to_and_including_the_end(
    start: date, end: date, days: int
) -> None:
    assert working_days_after(start, end) == days
