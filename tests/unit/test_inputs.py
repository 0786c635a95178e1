"""Reading money, whole numbers and dates as people type them."""

from datetime import date

import pytest

from app.inputs import (
    InputError,
    clean_text,
    format_pounds,
    parse_date_parts,
    parse_money,
    parse_whole_number,
    pounds_for_input,
)

CEILING = 10_000_000_000 * 100


def money(text: str) -> int:
    return parse_money(text, label="whole-life value", ceiling_pence=CEILING)


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£1,250,000", 125_000_000),
        ("1250000.50", 125_000_050),
        ("1,250,000.5", 125_000_050),
        ("  £ 100,000.00 ", 10_000_000),
        ("99999.99", 9_999_999),
        ("0.01", 1),
        ("£10,000,000,000", CEILING),
        ("007", 700),
    ],
)
def test_money_typed_in_pounds_is_stored_in_pence(typed: str, pence: int) -> None:
    assert money(typed) == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the whole-life value"),
        ("   ", "Enter the whole-life value"),
        ("one million", "in pounds, like 1,250,000"),
        ("1.5m", "in pounds, like 1,250,000"),
        ("12abc", "in pounds, like 1,250,000"),
        ("$100", "in pounds, like 1,250,000"),
        ("1,25,000", "in pounds, like 1,250,000"),  # commas in the wrong places
        ("1e6", "in pounds, like 1,250,000"),
        ("NaN", "in pounds, like 1,250,000"),
        ("１２３", "in pounds, like 1,250,000"),  # full-width digits
        ("100.", "in pounds, like 1,250,000"),
        ("-500", "must be more than £0"),
        ("£-500", "must be more than £0"),
        ("0", "must be more than £0"),
        ("0.00", "must be more than £0"),
        ("100.005", "no more than 2 decimal places"),
        ("10000000000.01", "must be £10,000,000,000 or less"),
        ("9" * 40, "must be £10,000,000,000 or less"),
    ],
)
def test_hostile_money_is_refused_with_a_clear_message(typed: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        money(typed)


def test_pence_round_trip_to_what_a_person_types() -> None:
    assert pounds_for_input(125_000_050) == "1,250,000.50"
    assert money(pounds_for_input(125_000_050)) == 125_000_050
    assert format_pounds(10_000_000) == "£100,000"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the contract term"),
        ("three", "must be a whole number"),
        ("12.5", "must be a whole number"),
        ("-3", "must be a whole number"),
        ("0", "must be 1 month or more"),
        ("241", "must be 240 months or fewer"),
    ],
)
def test_whole_numbers(typed: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_whole_number(typed, label="contract term", minimum=1, maximum=240, unit="month")


def test_whole_numbers_within_bounds() -> None:
    assert parse_whole_number("1", label="x", minimum=1, maximum=240) == 1
    assert parse_whole_number(" 240 ", label="x", minimum=1, maximum=240) == 240


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "", ""), "Enter the planned tender date"),
        (("1", "", "2027"), "must include a month"),
        (("", "", "2027"), "must include a day and a month"),
        (("31", "2", "2027"), "must be a real date"),
        (("29", "2", "2027"), "must be a real date"),
        (("1", "13", "2027"), "must be a real date"),
        (("a", "1", "2027"), "must be a real date"),
        (("1", "1", "27"), "must include 4 numbers"),
    ],
)
def test_dates_must_be_real(parts: tuple[str, str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_date_parts("Planned tender date", *parts, required=True)


def test_real_dates_and_optional_empty_ones() -> None:
    assert parse_date_parts("Date", "29", "2", "2028") == date(2028, 2, 29)
    assert parse_date_parts("Date", " ", "", "") is None


# XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets): below U+0020 only tab, line
# feed and carriage return; never a surrogate, U+FFFE or U+FFFF.
@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Line one\r\nLine two\rthree", "Line one\nLine two\nthree"),
        ("Pasted\vfrom\x0cWord", "Pasted\nfrom\nWord"),  # vertical tab and form feed: line breaks
        ("a\x00b\x01c\x08d\x0ee\x1ff", "abcdef"),  # the other controls XML refuses: removed
        ("lone \ud800surrogate and \ufffe\uffff", "lone surrogate and "),
        ("tab\tstays, as do é, £, – and \u2028", "tab\tstays, as do é, £, – and \u2028"),
    ],
)
def test_pasted_text_is_made_safe_to_store_and_to_write_into_a_document(
    typed: str, kept: str
) -> None:
    assert clean_text(typed) == kept


def test_every_character_xml_refuses_is_cleaned_and_every_other_kept() -> None:
    def xml_allows(code: int) -> bool:
        return (
            code in (0x09, 0x0A, 0x0D)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF
        )

    for code in range(0x10000):
        cleaned = clean_text(chr(code))
        if code == 0x0D:
            assert cleaned == "\n"
        elif xml_allows(code):
            assert cleaned == chr(code), hex(code)
        else:
            assert all(xml_allows(ord(c)) for c in cleaned), hex(code)
