"""Small factories: a valid record by default, any field overridden by keyword."""

from __future__ import annotations

import itertools
from datetime import date
from functools import cache
from typing import Any

from sqlmodel import Session

from app.models import Category, Directorate, Procurement, ReferenceValue, Role, User
from app.services.procurement_form import ProcurementFacts
from app.web.procurement_input import ProcurementInput
from tests.support.catalogue import primas_definition


def _save(session: Session, record: Any) -> Any:
    session.add(record)
    session.commit()
    session.refresh(record)
    return record


def make_reference_value(session: Session, **overrides: Any) -> ReferenceValue:
    """A new value of the PRIMAS threshold (pass key=... for another setting)."""
    fields: dict[str, Any] = {
        "key": "primas_threshold",
        "effective_from": date(2030, 1, 1),
        "amount": 12_000_000,
        "source": "https://example.org/policy",
    }
    return _save(session, ReferenceValue(**(fields | overrides)))  # type: ignore[no-any-return]


def make_category(session: Session, **overrides: Any) -> Category:
    """A spend category with medium relevance to every topic."""
    from app.scoring.topics import load_topics

    fields: dict[str, Any] = {
        "code": "test-category",
        "name": "Test category",
        "modern_slavery_risk": "medium",
        "topic_relevance": dict.fromkeys(sorted(load_topics().topic_codes), 2),
    }
    return _save(session, Category(**(fields | overrides)))  # type: ignore[no-any-return]


def make_directorate(session: Session, **overrides: Any) -> Directorate:
    """A directorate."""
    fields: dict[str, Any] = {"code": "test-directorate", "name": "Test directorate"}
    return _save(session, Directorate(**(fields | overrides)))  # type: ignore[no-any-return]


TEST_PASSWORD = "correct horse battery staple"


@cache
def _test_password_hash() -> str:
    # Hashing is deliberately slow (argon2id, 64 MiB); hash the shared test password once.
    from app.services.passwords import hash_password

    return hash_password(TEST_PASSWORD)


_emails = itertools.count(1)


def make_user(session: Session, *roles: Role, **overrides: Any) -> User:
    """An active user with the given roles (a category lead by default), password TEST_PASSWORD."""
    number = next(_emails)
    fields: dict[str, Any] = {
        "email": f"user{number}@example.gov.uk",
        "name": f"Test User {number}",
        "password_hash": _test_password_hash(),
        "roles": [role.value for role in roles] or [Role.LEAD.value],
    }
    return _save(session, User(**(fields | overrides)))  # type: ignore[no-any-return]


def procurement_input(**overrides: str) -> ProcurementInput:
    """A valid form for a £250,000 cleaning services contract tendering next year."""
    fields = {
        "title": "Cleaning of council offices",
        "description": "Daily cleaning of the town hall and libraries.",
        "directorate": "finance-corporate-resources",
        "category": "cleaning",
        "contract_type": "services",
        "light_touch": "no",
        "framework": "none",
        "value": "250,000",
        "term_months": "36",
        "extension_months": "24",
        "tender_day": "1",
        "tender_month": "3",
        "tender_year": str(date.today().year + 1),
        "start_day": "1",
        "start_month": "9",
        "start_year": str(date.today().year + 1),
        "delivery_location": "in-borough",
    }
    return ProcurementInput(**(fields | overrides))


def procurement_facts(session: Session, **overrides: str) -> ProcurementFacts:
    """The facts the valid form gives (with `overrides` typed into it), read as the page reads
    them; InvalidInput by form field if they cannot be."""
    return procurement_input(**overrides).facts(session)


def make_procurement(session: Session, lead: User | None = None, **overrides: str) -> Procurement:
    """A procurement recorded through the service by `lead` (a new category lead by default)."""
    from app.services import procurements

    lead = lead or make_user(session, Role.LEAD)
    facts = procurement_facts(session, **overrides)
    return procurements.create(session, lead, facts, today=date.today())


def copy_procurement_in_bulk(session: Session, template: Procurement, titles: list[str]) -> None:
    """Records like `template`, one for each of `titles`, in one insert (the database's
    triggers keep its search index as for any insert; no audit or history rows are written):
    for lists longer than a test would make one by one. References are PRC-2026-9nnnn, so that
    none of their words starts with a title's number."""
    from sqlalchemy import insert

    from app.textsearch import indexed_text

    columns = {name: getattr(template, name) for name in Procurement.model_fields
               if name not in {"id", "reference", "title", "search_text"}}  # fmt: skip
    rows = []
    for number, title in enumerate(titles, start=1):
        reference = f"PRC-2026-{90_000 + number}"
        words = indexed_text(reference, title, template.description)
        rows.append({**columns, "reference": reference, "title": title, "search_text": words})
    session.execute(insert(Procurement), rows)
    session.commit()


def procurement_form_data(**overrides: str) -> dict[str, str]:
    """A valid procurement form as a browser posts it (date parts named like tender-day)."""
    return {
        (name.replace("_", "-") if name.startswith(("tender_", "start_")) else name): value
        for name, value in procurement_input(**overrides).as_dict().items()
    }


def make_draft(  # type: ignore[no-untyped-def]
    session: Session,
    procurement: Procurement | None = None,
    lead: User | None = None,
    *,
    version: int = 1,
):
    """A PRIMAS draft (v1 unless asked) for a procurement above the line, started by its lead
    officer."""
    from app.services import assessments

    lead = lead or make_user(session, Role.LEAD)
    procurement = procurement or make_procurement(session, lead)
    assert procurement.lead_officer_id == lead.id
    return assessments.start(session, lead, procurement, primas_definition(version))


def complete_draft(session: Session, lead: User | None = None, **procurement: str):  # type: ignore[no-untyped-def]
    """A £1.2m cleaning procurement whose PRIMAS draft is complete, made through the services
    as a lead officer would: every question of the shipped form answered as the full cleaning
    case of tests/support/scoring_cases.py answers it (mitigation actions due next year), and
    every suggested KPI accepted at its suggested target (or, without one, at 100). Returns the
    procurement and the loaded draft."""
    from decimal import Decimal

    from app.services import assessments, kpis
    from tests.support.catalogue import shipped
    from tests.support.scoring_cases import CLEANING

    lead = lead or make_user(session, Role.LEAD)
    record = make_procurement(session, lead, **({"value": "1,200,000"} | procurement))
    catalogue = shipped()
    assessment = assessments.start(session, lead, record, catalogue.forms[("primas", 1)])
    draft = assessments.load(session, assessment, catalogue)
    next_year = date.today().year + 1
    for question_id, raw in CLEANING.answers.items():
        if question_id == "mitigation_actions":
            raw = [{**entry, "due": {**entry["due"], "year": str(next_year)}} for entry in raw]
        question = draft.definition.question(question_id)
        assessments.save_answer(session, lead, assessment, question, raw, seen_revision=0)
    draft = assessments.load(session, assessment, catalogue)
    work = kpis.work(session, draft, date.today())
    for row in work.task.suggested_rows:
        target = (
            row.target
            if row.target is not None or row.kpi.target.kind == "baseline"
            else (Decimal("100"))
        )
        decision = kpis.KpiDecision(kpis.KpiAction.ACCEPT, target=target)
        assert kpis.decide(session, lead, draft, work.task, row.kpi.code, decision).saved
        draft = assessments.load(session, assessment, catalogue)
        work = kpis.work(session, draft, date.today())
    return record, assessments.load(session, assessment, catalogue)
