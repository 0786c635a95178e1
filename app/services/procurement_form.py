"""A procurement's facts, checked field by field into values to store.

`ProcurementFacts` are typed (pence, dates, codes), as a page or the API gives them; each face
reads its own input into them (app/web/procurement_input.py for the form). `validate` turns them
into `ProcurementValues` or raises InvalidInput with one plain-English message per field of the
domain (`value_pence`, `planned_tender_date`, ...), in the order the fields appear on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.errors import InvalidInput
from app.inputs import format_pounds
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


@dataclass(frozen=True)
class ProcurementFacts:
    """A procurement's facts as a page or the API gives them, typed. A value the caller could
    not read is None, and `validate` says it is missing; the caller says why it could not read
    it (its own words for its own input) and its message wins for that field."""

    title: str = ""
    description: str = ""
    directorate: str = ""  # a directorate's code
    category: str = ""  # a category's code
    contract_type: str = ""  # a ContractType value
    light_touch: bool | None = None
    framework: str = ""  # a FrameworkRole value
    framework_name: str = ""
    value_pence: int | None = None
    term_months: int | None = None
    extension_months: int | None = 0
    planned_tender_date: date | None = None
    expected_start_date: date | None = None
    delivery_location: str = ""  # a DeliveryLocation value

    @classmethod
    def of(cls, procurement: Procurement, session: Session) -> ProcurementFacts:
        """A stored procurement's facts, as the form or the API would give them."""
        directorate = session.get(Directorate, procurement.directorate_id)
        category = session.get(Category, procurement.category_id)
        return cls(
            title=procurement.title,
            description=procurement.description,
            directorate=directorate.code if directorate else "",
            category=category.code if category else "",
            contract_type=procurement.contract_type,
            light_touch=procurement.light_touch,
            framework=procurement.framework,
            framework_name=procurement.framework_name,
            value_pence=procurement.value_pence,
            term_months=procurement.term_months,
            extension_months=procurement.extension_months,
            planned_tender_date=procurement.planned_tender_date,
            expected_start_date=procurement.expected_start_date,
            delivery_location=procurement.delivery_location,
        )


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


def _date(label: str, key: str, value: date | None, errors: dict[str, str]) -> date | None:
    if value is None:
        errors[key] = f"Enter the {label.lower()}"
    elif not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        errors[key] = f"{label} must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
        return None
    return value


def _months(value: int | None, label: str, minimum: int, errors: dict[str, str], key: str) -> int:
    def months(number: int) -> str:
        return f"{number} month{'' if number == 1 else 's'}"

    if value is None:
        errors[key] = f"Enter the {label}"
    elif value < minimum:
        errors[key] = f"The {label} must be {months(minimum)} or more"
    elif value > MAX_MONTHS:
        errors[key] = f"The {label} must be {months(MAX_MONTHS)} or fewer"
    return value or 0


def validate(session: Session, facts: ProcurementFacts) -> ProcurementValues:
    """Check every fact; InvalidInput lists each problem against its field (the names of
    ProcurementValues, with `directorate` and `category` for their codes), in page order."""
    errors: dict[str, str] = {}
    title = " ".join(facts.title.split())
    if not title:
        errors["title"] = "Enter a title"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Title must be {TITLE_MAX} characters or fewer"
    description = facts.description.strip()
    if not description:
        errors["description"] = "Enter a description of what is being bought"
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Description must be {DESCRIPTION_MAX:,} characters or fewer"
    directorate = session.exec(
        select(Directorate).where(Directorate.code == facts.directorate, Directorate.active)
    ).first()
    if directorate is None:
        errors["directorate"] = "Select the directorate"
    category = session.exec(
        select(Category).where(Category.code == facts.category, Category.active)
    ).first()
    if category is None:
        errors["category"] = "Select the category of spend"
    contract_type = _choice(
        facts.contract_type,
        {t.value for t in ContractType},
        "Select the type of contract",
        errors,
        "contract_type",
    )
    if facts.light_touch is None:
        errors["light_touch"] = "Select yes if the light-touch regime applies"
    elif facts.light_touch and contract_type in (ContractType.GOODS, ContractType.WORKS):
        errors["light_touch"] = "The light-touch regime applies only to services contracts"
    framework = _choice(
        facts.framework,
        {role.value for role in FrameworkRole},
        "Select whether it sets up a framework agreement, calls off from one, or neither",
        errors,
        "framework",
    )
    framework_name = " ".join(facts.framework_name.split())
    if framework != FrameworkRole.CALL_OFF:
        framework_name = ""  # a name belongs only to a call-off
    elif not framework_name:
        errors["framework_name"] = "Enter the name of the framework it calls off from"
    elif len(framework_name) > FRAMEWORK_NAME_MAX:
        errors["framework_name"] = (
            f"The framework's name must be {FRAMEWORK_NAME_MAX} characters or fewer"
        )
    value_pence = facts.value_pence or 0
    if facts.value_pence is None:
        errors["value_pence"] = "Enter the whole-life value"
    elif value_pence <= 0:
        errors["value_pence"] = "The whole-life value must be more than £0"
    elif value_pence > MONEY_CEILING_PENCE:
        errors["value_pence"] = (
            f"The whole-life value must be {format_pounds(MONEY_CEILING_PENCE)} or less"
        )
    term = _months(facts.term_months, "contract term", 1, errors, "term_months")
    extension = _months(
        facts.extension_months, "optional extensions", 0, errors, "extension_months"
    )
    tender = _date("Planned tender date", "planned_tender_date", facts.planned_tender_date, errors)
    start = _date(
        "Expected contract start date", "expected_start_date", facts.expected_start_date, errors
    )
    if tender and start and tender > start:
        errors["expected_start_date"] = (
            "Expected contract start date must be the same as or after the planned tender date"
        )
    locations = {location.value for location in DeliveryLocation}
    location = _choice(
        facts.delivery_location,
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
        light_touch=bool(facts.light_touch),
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
