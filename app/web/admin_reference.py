"""Reference data for administrators: every threshold, rate and policy setting with its history,
and the form to add a value from a date."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.deps import (
    AdminUser,
    ManagedReferenceKey,
    PostedForm,
    SessionDep,
    TemplatesDep,
)
from app.errors import InvalidInput
from app.inputs import parse_id
from app.models import ReferenceValue
from app.scoring.reference_data import REFERENCE_KEYS, NoValueInForce, ReferenceEntry, ReferenceKey
from app.services import reference_data
from app.services.reference_data import KeyHistory
from app.timeutil import london_today, long_date
from app.web.reference_input import ReferenceValueInput, add_from_form, format_amount

router = APIRouter(prefix="/admin/reference-data", tags=["admin: reference data"])

# The list's headings, by the start of a key's code; other keys are thresholds and duties.
GROUPS = (
    ("llw_", "London Living Wage"),
    ("spend_band_", "Spend bands"),
    ("sv_weighting_", "Social value weighting"),
    ("suggest_kpis_", "KPI suggestions"),
    ("policy_", "Council policy decisions"),
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


def _added(session: Session, added: str) -> str | None:
    """The banner after adding a value: what was added, to which key, from when."""
    value_id = parse_id(added)
    value = session.get(ReferenceValue, value_id) if value_id else None
    if value is None:
        return None
    key = REFERENCE_KEYS.get(value.key)
    if key is None:
        return None
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
    added: str = "",
) -> HTMLResponse:
    """Every setting in catalogue order: the value in force today (London) and its history."""
    today = london_today()
    context = {
        "groups": grouped(reference_data.key_histories(session, today)),
        "today": today,
        "amount_of": _amount_of,
        "confirmation": _added(session, added),
    }
    return templates.TemplateResponse(request, "admin/reference_data.html", context)


def _form_page(
    request: Request,
    templates: TemplatesDep,
    session: Session,
    key: ReferenceKey,
    raw: ReferenceValueInput,
    errors: dict[str, str],
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
) -> Response:
    """Record the value (audited as the admin's change), or show the form again with errors."""
    raw = ReferenceValueInput.from_form(form)
    try:
        value = add_from_form(session, admin, key, raw)
    except InvalidInput as invalid:
        return _form_page(request, templates, session, key, raw, invalid.errors)
    return RedirectResponse(f"/admin/reference-data?added={value.id}", status_code=303)
