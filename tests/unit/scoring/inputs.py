"""Scoring inputs for tests: the shipped form, its rules, the seeded reference data, and a
procurement built from a seeded category with any field overridden by keyword."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from app.forms.conditions import ProcurementContext
from app.forms.loader import DEFINITIONS_DIR
from app.scoring.engine import Override, Result, score
from app.scoring.kpis import with_council_defaults
from app.scoring.reference_data import ReferenceData, ReferenceEntry
from app.scoring.rules import ScoringRules
from tests.support.catalogue import primas_definition, primas_rules, shipped
from tests.support.categories import categories, context_fields, topic_order

SEEDS = Path(__file__).resolve().parents[3] / "migrations" / "data"
DEFINITION = primas_definition(1)
RULES_FILE = DEFINITIONS_DIR / "primas-v1.scoring.yaml"
RULES = primas_rules(1)

TOPIC_ORDER: list[str] = list(topic_order())
CATEGORIES = categories()

# Migration 0001 seeds the PRIMAS threshold in code; later ones seed the rest from YAML.
PRIMAS_THRESHOLD = ReferenceEntry("primas_threshold", date(2018, 1, 1), 10_000_000)
SEEDED = (PRIMAS_THRESHOLD,) + tuple(
    ReferenceEntry(row["key"], row["effective_from"], row["amount"], row["source"], row["note"])
    for seed in sorted(SEEDS.glob("*_reference_values.yaml"))
    for row in yaml.safe_load(seed.read_text(encoding="utf-8"))["values"]
)
REFERENCE = ReferenceData(SEEDED)

TENDER = date(2026, 3, 1)
START = date(2026, 9, 1)
AS_OF = date(2026, 11, 26)


# The KPI library with the council's default targets as seeded, in force on the tender date.
KPI_LIBRARY = with_council_defaults(shipped().kpis, REFERENCE, TENDER)


def reference(*extra: ReferenceEntry) -> ReferenceData:
    """The seeded reference data with values an administrator has added since."""
    return ReferenceData(SEEDED + extra)


def context(category: str = "cleaning", **overrides: Any) -> ProcurementContext:
    """A £1.2m, three-year services procurement in a seeded category, tendering 1 March 2026."""
    fields: dict[str, Any] = {
        "contract_type": "services",
        "value_pence": 120_000_000,
        "annual_value_pence": 40_000_000,
        "term_months": 36,
        "light_touch": False,
        "framework": "none",
        "delivery_location": "in-borough",
        **context_fields(category),
        "planned_tender_date": TENDER,
        "expected_start_date": START,
    }
    return ProcurementContext(**(fields | overrides))


def run(
    answers: Mapping[str, Any] | None = None,
    *,
    category: str = "cleaning",
    as_of: date = AS_OF,
    overrides: Mapping[tuple[str, str], Override] | None = None,
    rules: ScoringRules = RULES,
    reference_data: ReferenceData = REFERENCE,
    **context_fields: Any,
) -> Result:
    """Score raw answers for a procurement built by `context`."""
    return score(
        DEFINITION,
        rules,
        context(category, **context_fields),
        answers or {},
        reference_data,
        topics=shipped().topics,
        as_of=as_of,
        overrides=overrides,
    )


def mitigation(action: str = "Map the supply chain", owner: str = "Category lead") -> dict:
    """One 'add another' entry for the mitigation actions, as the form submits it."""
    return {"action": action, "owner": owner, "due": {"day": "1", "month": "6", "year": "2026"}}
