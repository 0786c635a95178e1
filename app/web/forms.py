"""Helpers shared by the HTML forms: reading fields and returning safe redirect targets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from starlette.datastructures import FormData

from app.inputs import DATE_PARTS, InputError, clean_text, parse_date_parts, parse_id


def field(form: FormData, name: str) -> str:
    """A text field's value, '' when absent (never a file or None), cleaned for storage."""
    value = form.get(name)
    return clean_text(value) if isinstance(value, str) else ""


def values(form: FormData, name: str) -> list[str]:
    """Every value of a repeated field, such as checkboxes."""
    return [clean_text(value) for value in form.getlist(name) if isinstance(value, str)]


def page_number(query: Mapping[str, str]) -> int:
    """The ?page= number, or 1 when it is missing or not a sensible number."""
    return parse_id(query.get("page")) or 1


def local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default`: never an open redirect."""
    if (
        target
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\n" not in target
        and "\r" not in target
    ):
        return target
    return default


def parse_date_input(label: str, day: str, month: str, year: str) -> tuple[date | None, str | None]:
    """A GOV.UK date input's three fields as a date: (date, None), (None, error) or (None, None)."""
    try:
        return parse_date_parts(label, day, month, year), None
    except InputError as error:
        return None, str(error)


def typed_fields(names: Iterable[str], form: Any) -> dict[str, str]:
    """Each named field as typed (cleaned; "" when missing or not text). A date part such as
    `tender_day` is read from its GOV.UK date input's field, `tender-day`."""
    values = {}
    for name in names:
        stem, _, part = name.rpartition("_")
        value = form.get(f"{stem}-{part}" if stem and part in DATE_PARTS else name, "")
        values[name] = clean_text(value) if isinstance(value, str) else ""
    return values
