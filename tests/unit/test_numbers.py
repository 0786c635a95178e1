"""One set of rules for every number a person types (app/numbers.py), whatever the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.inputs import InputError, parse_money, parse_whole_number
from app.numbers import MONEY_CEILING_PENCE, TypedNumber, read_number
from app.scoring.kpi_choices import InvalidTarget, parse_target
from app.web.reference_input import parse_percentage


@pytest.mark.parametrize(
    ("text", "value", "places"),
    [
        ("0", "0", 0),
        ("36", "36", 0),
        ("1,250,000", "1250000", 0),
        ("1250000.50", "1250000.50", 2),
        ("1.230", "1.230", 3),
        ("-12.5", "-12.5", 1),
        (" 12 \n", "12", 0),
        ("0036", "36", 0),
    ],
)
def test_a_number_is_read_with_the_places_typed(text: str, value: str, places: int) -> None:
    assert read_number(text) == TypedNumber(Decimal(value), places)


@pytest.mark.parametrize(
    "text",
    ["", " ", "12,50", "1,2345", ",125", "1.", ".5", "+5", "1.2.3", "1e3", "NaN", "Infinity",
     "１２", "٣", "12 000", "£12", "12%", "1" * 10_001],
)  # fmt: skip
def test_anything_else_is_not_a_number(text: str) -> None:
    assert read_number(text) is None


@pytest.mark.parametrize("text", ["1.230", "0.001", "12.345"])
def test_more_places_than_a_field_allows_are_refused_in_every_field(text: str) -> None:
    # "1.230" may be 1,230 written the European way: money, targets and percentages alike
    # refuse it rather than read it as 1.23.
    with pytest.raises(InputError, match="no more than 2 decimal places"):
        parse_money(text, label="value", ceiling_pence=MONEY_CEILING_PENCE)
    with pytest.raises(InvalidTarget, match="up to 2 decimal places"):
        parse_target(text, "weeks")
    with pytest.raises(InputError, match="no more than 2 decimal places"):
        parse_percentage(text, label="weighting")


@pytest.mark.parametrize("text", ["12,50", "١٢", "+5", "5.", "1e3"])
def test_what_one_field_cannot_read_no_field_reads(text: str) -> None:
    with pytest.raises(InputError):
        parse_money(text, label="value", ceiling_pence=MONEY_CEILING_PENCE)
    with pytest.raises(InvalidTarget):
        parse_target(text, "weeks")
    with pytest.raises(InputError):
        parse_percentage(text, label="weighting")
    with pytest.raises(InputError):
        parse_whole_number(text, label="term", minimum=1, maximum=600)


def test_the_money_ceiling_is_ten_billion_pounds() -> None:
    assert parse_money("10,000,000,000", label="value", ceiling_pence=MONEY_CEILING_PENCE) == (
        1_000_000_000_000
    )
    with pytest.raises(InputError, match="£10,000,000,000 or less"):
        parse_money("10,000,000,000.01", label="value", ceiling_pence=MONEY_CEILING_PENCE)
