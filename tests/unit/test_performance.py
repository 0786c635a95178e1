"""Performance ratings (Procurement Act 2023 s.71) and reporting periods, worked by hand.

The five ratings and their meanings are the Cabinet Office's (guidance on contract performance
notices); the bands are the council defaults seeded by migration 0026 (10% short of the target
is still approaching it, 25% short requires improvement, beyond that inadequate)."""

from datetime import date
from decimal import Decimal

import pytest

from app.scoring.performance import (
    Bands,
    Period,
    Rating,
    add_months,
    overdue,
    periods,
    shortfall,
    suggest,
)

BANDS = Bands(approaching_within=1000, improvement_within=2500)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("95", Rating.GOOD),  # beaten
        ("80", Rating.GOOD),  # met exactly
        ("72", Rating.APPROACHING),  # 10% short of 80: the band's edge is in it
        ("71.99", Rating.REQUIRES_IMPROVEMENT),  # just past 10%
        ("60", Rating.REQUIRES_IMPROVEMENT),  # 25% short: the edge
        ("59.99", Rating.INADEQUATE),
        ("0", Rating.INADEQUATE),
    ],
)
def test_higher_is_better_bands_at_each_boundary(actual: str, expected: Rating) -> None:
    assert suggest(Decimal(80), Decimal(actual), "higher", BANDS).rating == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("90", Rating.GOOD),  # under the ceiling
        ("100", Rating.GOOD),
        ("110", Rating.APPROACHING),  # 10% over a ceiling of 100
        ("110.01", Rating.REQUIRES_IMPROVEMENT),
        ("125", Rating.REQUIRES_IMPROVEMENT),
        ("125.01", Rating.INADEQUATE),
    ],
)
def test_lower_is_better_bands_at_each_boundary(actual: str, expected: Rating) -> None:
    assert suggest(Decimal(100), Decimal(actual), "lower", BANDS).rating == expected


def test_other_when_nothing_is_reported_or_the_period_sets_the_baseline() -> None:
    nothing = suggest(Decimal(80), None, "higher", BANDS)
    baseline = suggest(None, Decimal(412), "lower", BANDS)
    assert (nothing.rating, baseline.rating) == (Rating.OTHER, Rating.OTHER)
    assert "Nothing was reported" in nothing.why
    assert "baseline" in baseline.why


def test_a_zero_target() -> None:
    assert suggest(Decimal(0), Decimal(0), "lower", BANDS).rating == Rating.GOOD
    assert suggest(Decimal(0), Decimal("0.1"), "lower", BANDS).rating == Rating.INADEQUATE
    assert suggest(Decimal(0), Decimal(5), "higher", BANDS).rating == Rating.GOOD
    assert shortfall(Decimal(0), Decimal(1), "lower") == Decimal("Infinity")


def test_the_reason_says_how_far_short() -> None:
    assert suggest(Decimal(80), Decimal(75), "higher", BANDS).why == (
        "Within 10% below the target of at least 80."
    )
    assert suggest(Decimal(100), Decimal(120), "lower", BANDS).why == (
        "More than 10% and at most 25% above the target of at most 100."
    )
    assert Rating.APPROACHING.words == "Approaching target"


def test_bands_must_nest() -> None:
    with pytest.raises(ValueError, match="no wider"):
        Bands(approaching_within=3000, improvement_within=2000)


def test_months_are_added_to_the_same_day_or_the_month_end() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 11, 15), 3) == date(2028, 2, 15)


D = date


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ("annually", [(D(2027, 4, 1), D(2028, 3, 31)), (D(2028, 4, 1), D(2029, 3, 31))]),
        ("six-monthly", [(D(2027, 4, 1), D(2027, 9, 30)), (D(2027, 10, 1), D(2028, 3, 31)),
                         (D(2028, 4, 1), D(2028, 9, 30)), (D(2028, 10, 1), D(2029, 3, 31))]),
    ],
)  # fmt: skip
def test_periods_run_from_the_contract_start(frequency: str, expected: list[tuple[D, D]]) -> None:
    assert periods(D(2027, 4, 1), 24, frequency) == [Period(*pair) for pair in expected]


def test_quarters_and_months_and_a_short_last_period() -> None:
    quarters = periods(date(2027, 1, 1), 12, "quarterly")
    assert [p.end for p in quarters] == [date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30),
                                         date(2027, 12, 31)]  # fmt: skip
    assert len(periods(date(2027, 1, 15), 12, "monthly")) == 12
    # A 7-month term reported quarterly: two quarters and a month.
    short = periods(date(2027, 1, 1), 7, "quarterly")
    assert short[-1] == Period(date(2027, 7, 1), date(2027, 7, 31))


def test_overdue_once_the_days_to_report_have_passed_and_nothing_covers_the_period() -> None:
    quarters = periods(date(2026, 1, 1), 12, "quarterly")
    # Q1 ends 31 March: with 30 days to report it is due by 30 April, overdue from 1 May.
    assert overdue(quarters, [], date(2026, 4, 30), 30) == []
    assert overdue(quarters, [], date(2026, 5, 1), 30) == [quarters[0]]
    # A report for part of Q1 leaves it overdue; reports that between them cover every day
    # of it do not. Q2 (ends 30 June) is overdue from 31 July.
    part = [Period(date(2026, 2, 1), date(2026, 2, 28))]
    assert overdue(quarters, part, date(2026, 5, 1), 30) == [quarters[0]]
    whole = [*part, Period(date(2026, 1, 1), date(2026, 1, 31)),
             Period(date(2026, 3, 1), date(2026, 4, 15))]  # fmt: skip
    assert overdue(quarters, whole, date(2026, 7, 31), 30) == [quarters[1]]
    assert overdue(quarters, whole, date(2026, 7, 30), 30) == []
    gap = [Period(date(2026, 1, 1), date(2026, 2, 27)), Period(date(2026, 3, 1), date(2026, 3, 31))]
    assert overdue(quarters, gap, date(2026, 5, 1), 30) == [quarters[0]]  # 28 February missing
