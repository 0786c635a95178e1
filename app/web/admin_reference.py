"""Reference data for administrators: every threshold, rate and policy setting with its history,
and the form to add a value from a date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.deps import (
    AdminUser,
    ManagedReferenceKey,
    PostedForm,
    SessionDep,
    TemplatesDep,
)
from app.models import ReferenceValue
from app.scoring.reference_data import NoValueInForce, ReferenceEntry, ReferenceKey
from app.services import reference_data
from app.services.reference_data import KeyHistory
from app.timeutil import london_today, long_date
from app.web.flash import Confirmation, FlashDep
from app.web.form_pages import Done, path_to, submit
from app.web.reference_input import ReferenceValueInput, add_from_form, format_amount

router = APIRouter(prefix="/admin/reference-data", tags=["admin: reference data"])

# The list's headings, by the start of a key's code; other keys are thresholds and duties.
GROUPS: tuple[tuple[str | tuple[str, ...], str], ...] = (
    ("llw_", "London Living Wage"),
    ("spend_band_", "Spend bands"),
    ("sv_weighting_", "Social value weighting"),
    ("suggest_kpis_", "KPI suggestions"),
    ("policy_", "Council policy decisions"),
    (("rating_", "outcome_report_"), "Outcome reports and performance ratings"),
    ("kpi_target_", "Council default KPI targets"),
)
OTHER_GROUP = "Thresholds and duties"


@dataclass
class KeyGroup:
    """A heading of the list and its keys, in catalogue order."""

    title: str
    keys: list[KeyHistory] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The heading's id."""
        return self.title.lower().replace(" ", "-")


def grouped(histories: list[KeyHistory]) -> list[KeyGroup]:
    """Keys under their headings; headings in the order their first key is catalogued."""
    groups: dict[str, KeyGroup] = {}
    for history in histories:
        code = history.key.code
        title = next((title for prefix, title in GROUPS if code.startswith(prefix)), OTHER_GROUP)
        groups.setdefault(title, KeyGroup(title)).keys.append(history)
    return list(groups.values())


def _amount_of(entry: ReferenceEntry) -> str:
    return format_amount(entry.amount, entry.unit)


def _added(key: ReferenceKey, value: ReferenceValue) -> str:
    """The banner after adding a value: what was added, to which key, from when."""
    return (
        f"{key.label}: {format_amount(value.amount, key.unit)} added, "
        f"taking effect on {long_date(value.effective_from)}"
    )


@router.get("", response_class=HTMLResponse)
def list_reference_data(
    request: Request,
    _admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
    confirmation: Confirmation,
) -> HTMLResponse:
    """Every setting in catalogue order: the value in force today (London) and its history."""
    today = london_today()
    context = {
        "groups": grouped(reference_data.key_histories(session, today)),
        "today": today,
        "amount_of": _amount_of,
        "confirmation": confirmation,
    }
    return templates.TemplateResponse(request, "admin/reference_data.html", context)


def _form_page(
    request: Request,
    templates: TemplatesDep,
    session: Session,
    key: ReferenceKey,
    raw: ReferenceValueInput,
    errors: Mapping[str, str],
) -> HTMLResponse:
    try:
        in_force: ReferenceEntry | None = reference_data.value_in_force(
            session, key.code, london_today()
        )
    except NoValueInForce:
        in_force = None
    context: dict[str, Any] = {
        "reference_key": key,
        "in_force": in_force,
        "amount_of": _amount_of,
        "values": raw.as_dict(),
        "errors": errors,
    }
    status = 422 if errors else 200
    return templates.TemplateResponse(
        request, "admin/new_reference_value.html", context, status_code=status
    )


@router.get("/{key}/new", response_class=HTMLResponse)
def new_value_form(
    request: Request, key: ManagedReferenceKey, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    """The form to add a value of one setting from a date."""
    return _form_page(request, templates, session, key, ReferenceValueInput(), {})


@router.post("/{key}/new", response_class=HTMLResponse)
def add_value(
    request: Request,
    key: ManagedReferenceKey,
    admin: AdminUser,
    session: SessionDep,
    templates: TemplatesDep,
    form: PostedForm,
    flash: FlashDep,
) -> Response:
    """Record the value (audited as the admin's change), or show the form again with errors."""
    raw = ReferenceValueInput.from_form(form)

    def add() -> Done:
        value = add_from_form(session, admin, key, raw)
        return Done(path_to(request, "list_reference_data"), _added(key, value))

    return submit(
        request,
        flash,
        add,
        again=lambda errors: _form_page(request, templates, session, key, raw, errors),
    )
