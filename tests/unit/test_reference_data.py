"""The pure reference-data lookup: which value is in force on a date."""

from datetime import date

import pytest

from app.scoring.reference_data import (
    REFERENCE_KEYS,
    NoValueInForce,
    ReferenceData,
    ReferenceEntry,
    Unit,
    UnknownReferenceKey,
)


def threshold(effective_from: date, pounds: int) -> ReferenceEntry:
    return ReferenceEntry("primas_threshold", effective_from, pounds * 100)


REFERENCE = ReferenceData(
    entries=(
        threshold(date(2027, 4, 1), 120_000),
        threshold(date(2018, 1, 1), 100_000),
    )
)


@pytest.mark.parametrize(
    ("on", "expected_pounds"),
    [
        (date(2018, 1, 1), 100_000),  # on the first effective date
        (date(2018, 1, 2), 100_000),  # the day after
        (date(2027, 3, 31), 100_000),  # the day before the next value
        (date(2027, 4, 1), 120_000),  # on the next value's effective date
        (date(2027, 4, 2), 120_000),
        (date(2040, 1, 1), 120_000),  # the latest value stays in force
    ],
)
def test_value_in_force_at_and_either_side_of_effective_dates(
    on: date, expected_pounds: int
) -> None:
    assert REFERENCE.in_force("primas_threshold", on).amount == expected_pounds * 100


def test_no_value_before_the_first_effective_date() -> None:
    with pytest.raises(NoValueInForce) as raised:
        REFERENCE.in_force("primas_threshold", date(2017, 12, 31))
    assert raised.value.key == "primas_threshold"
    assert "2017-12-31" in str(raised.value)


def test_history_is_oldest_first_whatever_the_input_order() -> None:
    history = REFERENCE.history("primas_threshold")
    assert [entry.effective_from for entry in history] == [date(2018, 1, 1), date(2027, 4, 1)]


def test_unknown_keys_are_refused_not_answered_with_nothing() -> None:
    with pytest.raises(UnknownReferenceKey):
        REFERENCE.in_force("no_such_setting", date(2026, 1, 1))
    with pytest.raises(UnknownReferenceKey):
        ReferenceData(entries=(ReferenceEntry("no_such_setting", date(2026, 1, 1), 1),))


def test_primas_threshold_is_catalogued_in_pence() -> None:
    key = REFERENCE_KEYS["primas_threshold"]
    assert key.unit is Unit.PENCE
    assert threshold(date(2018, 1, 1), 1).unit is Unit.PENCE
