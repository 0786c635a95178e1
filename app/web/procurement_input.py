"""The procurement form as typed, read into the service's typed facts.

`ProcurementInput` holds exactly what the person typed (strings), so a page with errors shows it
back unchanged. `read` turns it into `ProcurementFacts`; what cannot be read (money, months and
dates in the wrong form) is said in the form's own words, and the service's problems with the
facts are put against the form's fields, so the error summary lists every problem at once, in
page order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from sqlmodel import Session

from app.errors import InvalidInput
from app.inputs import (
    InputError,
    clean_text,
    parse_date_parts,
    parse_money,
    parse_whole_number,
    pounds_for_input,
)
from app.models import Procurement
from app.numbers import MONEY_CEILING_PENCE
from app.services.procurement_form import MAX_MONTHS, ProcurementFacts, validate
from app.web.forms import typed_fields

# The form's field for each fact the service names, where they differ.
FIELD_FOR_FACT = {
    "value_pence": "value",
    "planned_tender_date": "tender",
    "expected_start_date": "start",
}
PAGE_ORDER = (
    "title", "description", "directorate", "category", "contract_type", "light_touch",
    "framework", "framework_name", "value", "term_months", "extension_months", "tender",
    "start", "delivery_location",
)  # fmt: skip


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
    def from_form(cls, form: Any, prefix: str = "") -> ProcurementInput:
        """From submitted form data (missing fields are empty); `prefix` reads the copy of the
        starting values an edit form carries (`base-title`, ...)."""
        names = [field.name for field in fields(cls)]
        if not prefix:
            return cls(**typed_fields(names, form))
        # The copy carries each field under its own name (base-tender_day, not base-tender-day).
        copied = {name: form.get(prefix + name, "") for name in names}
        return cls(
            **{name: clean_text(v) if isinstance(v, str) else "" for name, v in copied.items()}
        )

    @classmethod
    def from_procurement(cls, procurement: Procurement, session: Session) -> ProcurementInput:
        """The form filled in from a stored procurement, for editing."""
        facts = ProcurementFacts.of(procurement, session)
        return cls(
            title=facts.title,
            description=facts.description,
            directorate=facts.directorate,
            category=facts.category,
            contract_type=facts.contract_type,
            light_touch="yes" if facts.light_touch else "no",
            framework=facts.framework,
            framework_name=facts.framework_name,
            value=pounds_for_input(procurement.value_pence),
            term_months=str(procurement.term_months),
            extension_months=str(procurement.extension_months),
            delivery_location=facts.delivery_location,
            **date_fields("tender", procurement.planned_tender_date),
            **date_fields("start", procurement.expected_start_date),
        )

    def as_dict(self) -> dict[str, str]:
        """Every field by name."""
        return asdict(self)

    def read(self) -> tuple[ProcurementFacts, dict[str, str]]:
        """The facts, and what could not be read, by form field. An unread fact is None."""
        errors: dict[str, str] = {}

        def attempt(key: str, parse: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return parse(*args, **kwargs)
            except InputError as error:
                errors[key] = str(error)
                return None

        value = attempt("value", parse_money, self.value, label="whole-life value",
                        ceiling_pence=MONEY_CEILING_PENCE)  # fmt: skip
        term = attempt("term_months", parse_whole_number, self.term_months,
                       label="contract term", minimum=1, maximum=MAX_MONTHS,
                       unit="month")  # fmt: skip
        extension = attempt("extension_months", parse_whole_number, self.extension_months or "0",
                            label="optional extensions", minimum=0, maximum=MAX_MONTHS,
                            unit="month")  # fmt: skip
        tender = attempt("tender", parse_date_parts, "Planned tender date", self.tender_day,
                         self.tender_month, self.tender_year, required=True)  # fmt: skip
        start = attempt("start", parse_date_parts, "Expected contract start date",
                        self.start_day, self.start_month, self.start_year,
                        required=True)  # fmt: skip
        facts = ProcurementFacts(
            title=self.title,
            description=self.description,
            directorate=self.directorate,
            category=self.category,
            contract_type=self.contract_type,
            light_touch={"yes": True, "no": False}.get(self.light_touch),
            framework=self.framework,
            framework_name=self.framework_name,
            value_pence=value,
            term_months=term,
            extension_months=extension,
            planned_tender_date=tender,
            expected_start_date=start,
            delivery_location=self.delivery_location,
        )
        return facts, errors

    def facts(self, session: Session) -> ProcurementFacts:
        """The facts, or InvalidInput by form field listing every problem: those reading the
        form and those the service finds with the rest."""
        facts, unread = self.read()
        if not unread:
            return facts
        try:
            validate(session, facts)
        except InvalidInput as invalid:
            raise InvalidInput(page_errors(invalid.errors, unread)) from None
        raise InvalidInput(page_errors({}, unread))

    def started_from(self) -> ProcurementFacts | None:
        """As the values an edit started from: None unless every one of them reads."""
        facts, unread = self.read()
        return None if unread else facts


def page_errors(
    problems: Mapping[str, str], unread: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The service's problems by form field (it names facts: `value_pence` is the form's
    `value`), with what the form could not read in its own words in their place, in the order
    the fields appear on the page."""
    by_field = {FIELD_FOR_FACT.get(key, key): message for key, message in problems.items()}
    by_field.update(unread or {})
    order = {name: index for index, name in enumerate(PAGE_ORDER)}
    return dict(sorted(by_field.items(), key=lambda item: order.get(item[0], len(order))))


def merged(
    yours: ProcurementInput, base: ProcurementInput, theirs: ProcurementInput
) -> ProcurementInput:
    """The editor's entries where they changed a field, the other person's everywhere else."""
    mine, started, saved = yours.as_dict(), base.as_dict(), theirs.as_dict()
    return ProcurementInput(
        **{name: mine[name] if mine[name] != started[name] else saved[name] for name in mine}
    )


def date_fields(name: str, day: date) -> dict[str, str]:
    """A date as the three fields a person types: tender_day, tender_month, tender_year."""
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }
