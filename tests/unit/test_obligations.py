"""The £100k line: a full PRIMAS at or above the threshold in force on the tender date."""

from datetime import date

import pytest

from app.scoring.obligations import primas_requirement
from app.scoring.reference_data import NoValueInForce, ReferenceData, ReferenceEntry

REFERENCE = ReferenceData(
    entries=(
        ReferenceEntry("primas_threshold", date(2018, 1, 1), 10_000_000),
        ReferenceEntry("primas_threshold", date(2028, 4, 1), 15_000_000),
    )
)
TENDER = date(2027, 6, 1)


@pytest.mark.parametrize(
    ("pence", "applies", "title"),
    [
        (9_999_999, False, "Think Local"),  # £99,999.99
        (10_000_000, True, "PRIMAS required"),  # £100,000.00: "and above" includes it
        (10_000_001, True, "PRIMAS required"),
        (1, False, "Think Local"),
    ],
)
def test_the_boundary_is_inclusive(pence: int, applies: bool, title: str) -> None:
    obligation = primas_requirement(pence, TENDER, REFERENCE)
    assert (obligation.applies, obligation.title) == (applies, title)
    assert obligation.threshold is not None and obligation.threshold.amount == 10_000_000


def test_the_reason_names_the_value_threshold_and_date() -> None:
    required = primas_requirement(12_500_000, TENDER, REFERENCE)
    assert "£125,000 is at or above the PRIMAS threshold of £100,000" in required.reason
    assert "1 June 2027" in required.reason
    local = primas_requirement(9_999_999, TENDER, REFERENCE)
    assert "£99,999.99 is below the PRIMAS threshold of £100,000" in local.reason
    assert "local suppliers" in local.reason and "voluntary and community sector" in local.reason
    assert local.source.startswith("https://")


def test_the_threshold_in_force_on_the_tender_date_applies() -> None:
    value = 12_000_000  # £120,000
    assert primas_requirement(value, date(2028, 3, 31), REFERENCE).applies
    later = primas_requirement(value, date(2028, 4, 1), REFERENCE)
    assert not later.applies
    assert "£150,000" in later.reason


def test_no_threshold_recorded_for_the_date() -> None:
    with pytest.raises(NoValueInForce):
        primas_requirement(10_000_000, date(2017, 1, 1), REFERENCE)
