"""Reading what people type: money in pounds, whole numbers and GOV.UK three-part dates.

Pure functions. Each returns the parsed value or raises InputError with a message written for
the person who typed it, naming the field by its label ("Enter the whole-life value").
"""

from __future__ import annotations

import re
from datetime import date

from app.numbers import read_number

DATE_PARTS = ("day", "month", "year")  # a GOV.UK date is typed, and kept, in these three parts
# The largest id or count we ever accept from a person or a URL: a 32-bit database integer.
MAX_INTEGER = 2**31 - 1


class InputError(ValueError):
    """What was typed cannot be read; str(error) is the message to show."""


def parse_money(text: str, *, label: str, ceiling_pence: int) -> int:
    """'£1,250,000' or '1250000.50' as integer pence, more than £0 and at most the ceiling."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        raise InputError(f"Enter the {label}")
    if cleaned.startswith("-") or cleaned.startswith("£-") or cleaned.startswith("-£"):
        raise InputError(f"The {label} must be more than £0")
    typed = read_number(cleaned.removeprefix("£"))
    if typed is None or typed.value < 0:
        raise InputError(f"Enter the {label} in pounds, like 1,250,000 or 1250000.50")
    if typed.places > 2:
        raise InputError(
            f"Enter the {label} to the nearest penny, with no more than 2 decimal places"
        )
    pence = int(typed.value * 100)
    if pence <= 0:
        raise InputError(f"The {label} must be more than £0")
    if pence > ceiling_pence:
        raise InputError(f"The {label} must be {format_pounds(ceiling_pence)} or less")
    return pence


def format_pounds(pence: int) -> str:
    """Integer pence as pounds: 10000000 -> '£100,000', 12345 -> '£123.45'."""
    pounds, remainder = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    if remainder:
        return f"{sign}£{pounds:,}.{remainder:02d}"
    return f"{sign}£{pounds:,}"


def pounds_for_input(pence: int) -> str:
    """Pence as a person would type the amount back: 125000050 -> '1,250,000.50'."""
    return format_pounds(pence).removeprefix("£")


def parse_whole_number(text: str, *, label: str, minimum: int, maximum: int, unit: str = "") -> int:
    """A whole number between minimum and maximum, inclusive; `unit` is singular ('month')."""

    def amount(number: int) -> str:
        if not unit:
            return str(number)
        return f"{number} {unit}{'' if number == 1 else 's'}"

    cleaned = text.strip()
    if not cleaned:
        raise InputError(f"Enter the {label}")
    typed = read_number(cleaned)
    if typed is None or typed.places or typed.value < 0:
        raise InputError(f"The {label} must be a whole number, like 36")
    number = int(typed.value)
    if number < minimum:
        raise InputError(f"The {label} must be {amount(minimum)} or more")
    if number > maximum:
        raise InputError(f"The {label} must be {amount(maximum)} or fewer")
    return number


def parse_date_parts(
    label: str, day: str, month: str, year: str, *, required: bool = False
) -> date | None:
    """A GOV.UK date input's three fields as a date; None when all are empty and not required."""
    day, month, year = day.strip(), month.strip(), year.strip()
    if not (day or month or year):
        if required:
            raise InputError(f"Enter the {label.lower()}")
        return None
    if not (day and month and year):
        parts = (("day", day), ("month", month), ("year", year))
        missing = [name for name, value in parts if not value]
        raise InputError(f"{label} must include a {' and a '.join(missing)}")
    typed = day + month + year  # digits only, and ASCII ones (not another script's)
    if not (typed.isascii() and typed.isdecimal()):
        raise InputError(f"{label} must be a real date")
    if len(year) != 4:
        raise InputError(f"The year of the {label.lower()} must include 4 numbers")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise InputError(f"{label} must be a real date") from None


def parse_id(text: str | None) -> int | None:
    """A positive database id from a form or URL, or None for anything else (never an error)."""
    if not text or not text.isascii() or not text.isdecimal() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_INTEGER else None


# What text may hold, by XML 1.0 (the Word specification is XML, so a character outside it makes
# the document impossible to write): below U+0020 only tab, line feed and carriage return; never
# a lone surrogate, U+FFFE or U+FFFF. https://www.w3.org/TR/xml/#charsets
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")
_CLEANED = str.maketrans(
    {0x0B: "\n", 0x0C: "\n"}  # vertical tab and form feed, pasted from Word: line breaks
    | dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20)], None)
    | dict.fromkeys([*range(0xD800, 0xE000), 0xFFFE, 0xFFFF], None)
)


def clean_text(text: str) -> str:
    """Text as typed, made safe to store and to write into any document: Windows and old Mac
    line ends become line feeds, vertical tabs and form feeds line breaks, and the characters
    XML 1.0 does not allow are removed. Nothing is refused: what cannot be kept is dropped."""
    if _UNWANTED.search(text) is None:  # nearly always: nothing to copy
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CLEANED)
