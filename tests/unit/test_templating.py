"""How the templates show money, dates and times."""

from datetime import UTC, date, datetime

import pytest

from app.inputs import format_pounds as format_pence
from app.timeutil import long_date
from app.web.templating import format_london_time


@pytest.mark.parametrize(
    ("pence", "shown"),
    [
        (10_000_000, "£100,000"),
        (9_999_999, "£99,999.99"),
        (12_345, "£123.45"),
        (5, "£0.05"),
        (0, "£0"),
        (-150, "-£1.50"),
    ],
)
def test_pence_are_shown_as_pounds(pence: int, shown: str) -> None:
    assert format_pence(pence) == shown


def test_dates_are_shown_the_govuk_way() -> None:
    assert long_date(date(2026, 1, 1)) == "1 January 2026"


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 1, 15, 14, 5, tzinfo=UTC), "15 January 2026 at 2:05pm"),  # GMT
        (datetime(2026, 7, 15, 14, 5, tzinfo=UTC), "15 July 2026 at 3:05pm"),  # BST
        (datetime(2026, 7, 15, 23, 30, tzinfo=UTC), "16 July 2026 at 12:30am"),  # next day
    ],
)
def test_times_are_shown_in_london_time(moment: datetime, shown: str) -> None:
    assert format_london_time(moment) == shown
