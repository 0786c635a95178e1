"""The form for a new reference value: what an administrator typed, read in the key's unit.

`ReferenceValueInput` holds exactly what was typed (strings), so a page with errors shows it back
unchanged. Amounts are typed as people think of them (pounds, a percentage, a count) and stored
as integers in the key's unit: pence, basis points or a plain count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from sqlmodel import Session

from app.errors import InvalidInput
from app.inputs import (
    InputError,
    format_pounds,
    parse_date_parts,
    parse_money,
    parse_whole_number,
)
from app.models import ReferenceValue, User
from app.numbers import MONEY_CEILING_PENCE, read_number
from app.scoring.reference_data import NO, YES, ReferenceKey, Unit, percent
from app.services.reference_data import add_reference_value, reference_value_problems
from app.web.forms import typed_fields

AMOUNT_LABEL = "amount"
DATE_LABEL = "Date it takes effect"
COUNT_MAXIMUM = 1_000  # far above any count a policy sets (KPIs, topics)
FIELDS = ("effective_from", "amount", "source", "note")  # in page order


@dataclass
class ReferenceValueInput:
    """The form's fields exactly as typed. The date is a GOV.UK date input: effective_from-day."""

    effective_from_day: str = ""
    effective_from_month: str = ""
    effective_from_year: str = ""
    amount: str = ""
    source: str = ""
    note: str = ""

    @classmethod
    def from_form(cls, form: Any) -> ReferenceValueInput:
        """From submitted form data (missing fields are empty)."""
        return cls(**typed_fields((field.name for field in fields(cls)), form))

    def as_dict(self) -> dict[str, str]:
        """Every field by name."""
        return asdict(self)


def parse_percentage(text: str, *, label: str) -> int:
    """'12.5' or '12.5%' as basis points (1250): more than 0%, at most 100%, 2 decimals."""
    cleaned = text.strip().replace(" ", "").removesuffix("%")
    if not cleaned:
        raise InputError(f"Enter the {label}")
    if cleaned.startswith("-"):
        raise InputError(f"The {label} must be more than 0%")
    typed = read_number(cleaned)
    if typed is None:
        raise InputError(f"Enter the {label} as a percentage, like 10 or 12.5")
    percent = typed.value
    if typed.places > 2:
        raise InputError(f"Enter the {label} with no more than 2 decimal places, like 12.5")
    if percent <= 0:
        raise InputError(f"The {label} must be more than 0%")
    if percent > 100:
        raise InputError(f"The {label} must be 100% or less")
    return int(percent * 100)


def parse_amount(text: str, unit: Unit) -> int:
    """What was typed as an integer amount in `unit`; InputError says what is wrong."""
    if unit is Unit.YES_NO:
        choice = text.strip().lower()
        if choice not in ("yes", "no"):
            raise InputError("Select yes if it is council policy from this date, or no if not")
        return YES if choice == "yes" else NO
    if unit is Unit.PENCE:
        return parse_money(text, label=AMOUNT_LABEL, ceiling_pence=MONEY_CEILING_PENCE)
    if unit is Unit.BASIS_POINTS:
        return parse_percentage(text, label=AMOUNT_LABEL)
    return parse_whole_number(text, label=AMOUNT_LABEL, minimum=1, maximum=COUNT_MAXIMUM)


def format_amount(amount: int, unit: Unit) -> str:
    """An amount for people: pence '£207,720' or '£14.80', basis points '12.5%', counts '3',
    a policy decision 'Yes' or 'No'."""
    if unit is Unit.YES_NO:
        return "Yes" if amount == YES else "No"
    if unit is Unit.PENCE:
        return format_pounds(amount)
    if unit is Unit.BASIS_POINTS:
        return percent(amount)
    return f"{amount:,}"


def add_from_form(
    session: Session, admin: User, key: ReferenceKey, raw: ReferenceValueInput
) -> ReferenceValue:
    """Check every field, then record the value; InvalidInput lists each problem in page order."""
    errors: dict[str, str] = {}
    effective_from: date | None = None
    amount: int | None = None
    try:
        effective_from = parse_date_parts(
            DATE_LABEL,
            raw.effective_from_day,
            raw.effective_from_month,
            raw.effective_from_year,
            required=True,
        )
    except InputError as error:
        errors["effective_from"] = str(error)
    try:
        amount = parse_amount(raw.amount, key.unit)
    except InputError as error:
        errors["amount"] = str(error)
    source, note = raw.source.strip(), raw.note.strip()
    problems = reference_value_problems(
        session, key.code, effective_from=effective_from, amount=amount, source=source, note=note
    )
    for name, message in problems.items():
        errors.setdefault(name, message)  # a field that cannot be read has that error alone
    errors = {name: errors[name] for name in FIELDS if name in errors}
    if errors:
        raise InvalidInput(errors)
    assert effective_from is not None and amount is not None
    return add_reference_value(
        session,
        admin,
        key=key.code,
        effective_from=effective_from,
        amount=amount,
        source=source,
        note=note,
    )
