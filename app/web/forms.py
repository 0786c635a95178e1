"""Helpers shared by the HTML forms: reading fields and returning safe redirect targets."""

from __future__ import annotations

from datetime import date

from starlette.datastructures import FormData

from app.forms.inputs import InputError, parse_date_parts


def field(form: FormData, name: str) -> str:
    """A text field's value, '' when absent (never a file or None)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def values(form: FormData, name: str) -> list[str]:
    """Every value of a repeated field, such as checkboxes."""
    return [value for value in form.getlist(name) if isinstance(value, str)]


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
