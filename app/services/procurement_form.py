"""The procurement form: what was typed, checked field by field into values to store.

`ProcurementInput` holds exactly what the person typed (strings), so a page with errors shows it
back unchanged. `validate` turns it into `ProcurementValues` or raises InvalidInput with one
plain-English message per field, in the order the fields appear on the page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.errors import InvalidInput
from app.forms.inputs import (
    InputError,
    format_pounds,
    parse_date_parts,
    parse_money,
    parse_whole_number,
    pounds_for_input,
    typed_fields,
)
from app.models import (
    Category,
    ContractType,
    DeliveryLocation,
    Directorate,
    FrameworkRole,
    Procurement,
    User,
)
from app.numbers import MONEY_CEILING_PENCE

TITLE_MAX = 200
FRAMEWORK_NAME_MAX = 200
DESCRIPTION_MAX = 4000
MAX_MONTHS = 240  # 20 years
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


@dataclass
class ProcurementInput:
    """The form's fields exactly as typed."""

    title: str = ""
    description: str = ""
    directorate: str = ""
    category: str = ""
    contract_type: str = ""
    light_touch: str = ""
    framework: str = ""
    framework_name: str = ""
    value: str = ""
    term_months: str = ""
    extension_months: str = ""
    tender_day: str = ""
    tender_month: str = ""
    tender_year: str = ""
    start_day: str = ""
    start_month: str = ""
    start_year: str = ""
    delivery_location: str = ""

    @classmethod
    def from_form(cls, form: Any) -> ProcurementInput:
        """From submitted form data (missing fields are empty)."""
        return cls(**typed_fields((field.name for field in fields(cls)), form))

    @classmethod
    def from_procurement(cls, procurement: Procurement, session: Session) -> ProcurementInput:
        """The form filled in from a stored procurement, for editing."""
        directorate = session.get(Directorate, procurement.directorate_id)
        category = session.get(Category, procurement.category_id)
        tender, start = procurement.planned_tender_date, procurement.expected_start_date
        return cls(
            title=procurement.title,
            description=procurement.description,
            directorate=directorate.code if directorate else "",
            category=category.code if category else "",
            contract_type=procurement.contract_type,
            light_touch="yes" if procurement.light_touch else "no",
            framework=procurement.framework,
            framework_name=procurement.framework_name,
            value=pounds_for_input(procurement.value_pence),
            term_months=str(procurement.term_months),
            extension_months=str(procurement.extension_months),
            delivery_location=procurement.delivery_location,
            **date_fields("tender", tender),
            **date_fields("start", start),
        )

    def as_dict(self) -> dict[str, str]:
        """Every field by name."""
        return asdict(self)


def date_fields(name: str, day: date) -> dict[str, str]:
    """A date as the three fields a person types: tender_day, tender_month, tender_year."""
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


@dataclass(frozen=True)
class ProcurementValues:
    """Checked values, ready to store."""

    title: str
    description: str
    directorate_id: int
    category_id: int
    contract_type: str
    light_touch: bool
    framework: str
    framework_name: str
    value_pence: int
    term_months: int
    extension_months: int
    planned_tender_date: date
    expected_start_date: date
    delivery_location: str


def _choice(value: str, allowed: set[str], message: str, errors: dict[str, str], key: str) -> str:
    if value not in allowed:
        errors[key] = message
    return value


def _yes_no(value: str, message: str, errors: dict[str, str], key: str) -> bool:
    if value not in ("yes", "no"):
        errors[key] = message
    return value == "yes"


def _date(label: str, key: str, raw: ProcurementInput, errors: dict[str, str]) -> date | None:
    parts = [getattr(raw, f"{key}_{part}") for part in ("day", "month", "year")]
    try:
        value = parse_date_parts(label, *parts, required=True)
    except InputError as error:
        errors[key] = str(error)
        return None
    assert value is not None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        errors[key] = f"{label} must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
        return None
    return value


def validate(session: Session, raw: ProcurementInput) -> ProcurementValues:
    """Check every field; InvalidInput lists each problem against its field, in page order."""
    errors: dict[str, str] = {}
    title = " ".join(raw.title.split())
    if not title:
        errors["title"] = "Enter a title"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Title must be {TITLE_MAX} characters or fewer"
    description = raw.description.strip()
    if not description:
        errors["description"] = "Enter a description of what is being bought"
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Description must be {DESCRIPTION_MAX:,} characters or fewer"
    directorate = session.exec(
        select(Directorate).where(Directorate.code == raw.directorate, Directorate.active)
    ).first()
    if directorate is None:
        errors["directorate"] = "Select the directorate"
    category = session.exec(
        select(Category).where(Category.code == raw.category, Category.active)
    ).first()
    if category is None:
        errors["category"] = "Select the category of spend"
    contract_type = _choice(
        raw.contract_type,
        {t.value for t in ContractType},
        "Select the type of contract",
        errors,
        "contract_type",
    )
    light_touch = _yes_no(
        raw.light_touch, "Select yes if the light-touch regime applies", errors, "light_touch"
    )
    if light_touch and contract_type in (ContractType.GOODS, ContractType.WORKS):
        errors["light_touch"] = "The light-touch regime applies only to services contracts"
    framework = _choice(
        raw.framework,
        {role.value for role in FrameworkRole},
        "Select whether it sets up a framework agreement, calls off from one, or neither",
        errors,
        "framework",
    )
    framework_name = " ".join(raw.framework_name.split())
    if framework != FrameworkRole.CALL_OFF:
        framework_name = ""  # a name belongs only to a call-off
    elif not framework_name:
        errors["framework_name"] = "Enter the name of the framework it calls off from"
    elif len(framework_name) > FRAMEWORK_NAME_MAX:
        errors["framework_name"] = (
            f"The framework's name must be {FRAMEWORK_NAME_MAX} characters or fewer"
        )
    value_pence = term = extension = 0
    try:
        value_pence = parse_money(
            raw.value, label="whole-life value", ceiling_pence=MONEY_CEILING_PENCE
        )
    except InputError as error:
        errors["value"] = str(error)
    try:
        term = parse_whole_number(
            raw.term_months, label="contract term", minimum=1, maximum=MAX_MONTHS, unit="month"
        )
    except InputError as error:
        errors["term_months"] = str(error)
    try:
        extension = parse_whole_number(
            raw.extension_months or "0",
            label="optional extensions",
            minimum=0,
            maximum=MAX_MONTHS,
            unit="month",
        )
    except InputError as error:
        errors["extension_months"] = str(error)
    tender = _date("Planned tender date", "tender", raw, errors)
    start = _date("Expected contract start date", "start", raw, errors)
    if tender and start and tender > start:
        errors["start"] = (
            "Expected contract start date must be the same as or after the planned tender date"
        )
    locations = {location.value for location in DeliveryLocation}
    location = _choice(
        raw.delivery_location,
        locations,
        "Select where the contract will be delivered",
        errors,
        "delivery_location",
    )
    if errors:
        raise InvalidInput(errors)
    assert directorate and category and directorate.id and category.id and tender and start
    return ProcurementValues(
        title=title,
        description=description,
        directorate_id=directorate.id,
        category_id=category.id,
        contract_type=contract_type,
        light_touch=light_touch,
        framework=framework,
        framework_name=framework_name,
        value_pence=value_pence,
        term_months=term,
        extension_months=extension,
        planned_tender_date=tender,
        expected_start_date=start,
        delivery_location=location,
    )


FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "directorate_id": "Directorate",
    "category_id": "Category",
    "contract_type": "Type of contract",
    "light_touch": "Light-touch regime",
    "framework": "Framework",
    "framework_name": "Framework called off from",
    "value_pence": "Whole-life value",
    "term_months": "Contract term",
    "extension_months": "Optional extensions",
    "planned_tender_date": "Planned tender date",
    "expected_start_date": "Expected contract start",
    "delivery_location": "Where it is delivered",
    "lead_officer_id": "Lead officer",
}


def describe_value(session: Session, field: str, value: Any) -> str:
    """A stored field value in words, for conflicts and summaries."""
    if field == "directorate_id":
        directorate = session.get(Directorate, value)
        return directorate.name if directorate else "Unknown"
    if field == "category_id":
        category = session.get(Category, value)
        return category.name if category else "Unknown"
    if field == "lead_officer_id":
        user = session.get(User, value)
        return user.name if user else "Unknown"
    if field == "value_pence":
        return format_pounds(value)
    if field in ("term_months", "extension_months"):
        return f"{value} month{'s' if value != 1 else ''}"
    if field == "light_touch":
        return "Yes" if value else "No"
    if field == "framework":
        return FrameworkRole(value).label
    if field == "framework_name":
        return value or "None"
    if field == "contract_type":
        return ContractType(value).label
    if field == "delivery_location":
        return DeliveryLocation(value).label
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)
