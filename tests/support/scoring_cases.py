"""Whole assessments to score: the shipped form and rules, the seeded reference data and
categories, and answers as stored. Shared by the scoring snapshot test and benchmarks/scoring.py.

The two "full" cases answer every question that is shown for their procurement, follow-ups
included, with valid answers and nothing else: `unanswered_or_extra` checks that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from app.forms.conditions import ProcurementContext
from app.forms.definition import FormDefinition
from app.forms.journey import walk
from app.scoring.engine import Override
from app.scoring.reference_data import ReferenceData, ReferenceEntry
from app.scoring.rules import ScoringRules
from tests.support.catalogue import primas_rules, shipped
from tests.support.categories import context_fields

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_VALUES = ROOT / "migrations" / "data" / "0005_reference_values.yaml"
AS_OF = date(2026, 11, 26)  # "today", fixed so results never depend on the clock


@dataclass(frozen=True)
class Case:
    """One assessment to score: the procurement's facts, the answers as typed, any overrides."""

    name: str
    context: ProcurementContext
    answers: Mapping[str, Any]
    overrides: Mapping[tuple[str, str], Override] = field(default_factory=dict)


@cache
def form_and_rules() -> tuple[FormDefinition, ScoringRules]:
    """PRIMAS v1 and its scoring rules, as shipped."""
    forms = shipped().forms
    return forms[("primas", 1)], primas_rules(1)


@cache
def reference_data() -> ReferenceData:
    """The seeded reference values (migration 0005) and the PRIMAS threshold (migration 0001)."""
    seed = yaml.safe_load(REFERENCE_VALUES.read_text(encoding="utf-8"))["values"]
    entries = [
        ReferenceEntry(v["key"], v["effective_from"], v["amount"], v["source"], v["note"])
        for v in seed
    ]
    primas = ReferenceEntry("primas_threshold", date(2018, 1, 1), 10_000_000, "seed")
    return ReferenceData((*entries, primas))


def context(category: str, **facts: Any) -> ProcurementContext:
    """A procurement in a seeded category; its relevance and industry risk come from the
    migrations' data."""
    fields: dict[str, Any] = {
        "contract_type": "services",
        "light_touch": False,
        "framework": "none",
        "delivery_location": "in-borough",
        **context_fields(category),
        "planned_tender_date": date(2026, 3, 1),
        "expected_start_date": date(2026, 9, 1),
    }
    return ProcurementContext(**(fields | facts))


def _action(action: str, owner: str, due: date) -> dict[str, Any]:
    day = {"day": str(due.day), "month": str(due.month), "year": str(due.year)}
    return {"action": action, "owner": owner, "due": day}


CLEANING = Case(
    "£1.2m cleaning services",
    context("cleaning", value_pence=1_200_000_00, annual_value_pence=400_000_00, term_months=36),
    {
        "staff_on_premises": "yes", "hours_per_day": "3", "weeks_per_year": "52",
        "workforce_size": "45", "low_paid_roles": "yes", "subcontracting": "some",
        "agency_labour": "yes",
        "supplies_goods": "yes", "sourced_from": ["uk", "outside-europe"],
        "commodities": ["textiles", "chemicals"], "supply_chain_mapped": "partly",
        "visit_frequency": "daily", "sites": "12",
        "energy_use": "some", "carbon_scope": "some", "carbon_plan_requested": "no",
        "waste_generated": "some", "single_use_packaging": "yes", "reuse_repair": "some",
        "end_of_life": "yes",
        "vehicle_use": "regular", "fleet_emissions": "mixed",
        "delivery_consolidation": "not-known", "sensitive_areas": "no",
        "recycled_content": "some",
        "chemicals_used": "yes", "less_harmful_products": "a-lot", "green_space": "no",
        "water_use": "some",
        "new_jobs": "some", "apprenticeships": "yes", "local_recruitment": "a-lot",
        "training_weeks": "26",
        "local_suppliers": "some", "lots": "no", "sme_subcontracting": "some",
        "prompt_payment": "yes",
        "resident_contact": "yes", "community_benefit": "some", "staff_wellbeing": "yes",
        "direct_service": "yes", "access_barriers": "no", "under_represented_work": "some",
        "equality_data": "yes",
        "llw_in_market": "some", "premises_staff_count": "40", "insecure_work": "not-known",
        "fair_work_scope": "a-lot",
        "workforce_risk": ["low-skilled", "agency", "migrant"], "supplier_locations": "overseas",
        "msat": "yes", "large_suppliers": "yes",
        "mitigation_actions": [
            _action("Audit agency pay slips each quarter", "Contract manager", date(2026, 10, 1)),
            _action("Map the chemicals supply chain", "Category lead", date(2027, 1, 31)),
        ],
    },
)  # fmt: skip

CONSTRUCTION = Case(
    "£12m construction works",
    context(
        "construction-works",
        contract_type="works",
        value_pence=12_000_000_00,
        annual_value_pence=6_000_000_00,
        term_months=24,
    ),
    {
        "staff_on_premises": "yes", "hours_per_day": "8", "weeks_per_year": "40",
        "workforce_size": "120", "low_paid_roles": "no", "subcontracting": "most",
        "agency_labour": "yes",
        "supplies_goods": "yes", "sourced_from": ["uk", "europe", "outside-europe"],
        "commodities": ["timber-paper", "construction-materials", "solar-batteries"],
        "supply_chain_mapped": "unmapped", "visit_frequency": "daily", "sites": "1",
        "energy_use": "a-lot", "carbon_scope": "a-lot", "whole_life_costing": "no",
        "carbon_plan_requested": "yes",
        "waste_generated": "a-lot", "single_use_packaging": "not-known", "reuse_repair": "a-lot",
        "end_of_life": "yes",
        "vehicle_use": "fleet", "fleet_emissions": "combustion", "delivery_consolidation": "yes",
        "sensitive_areas": "yes",
        "timber_used": "yes", "timber_certified": "some", "recycled_content": "a-lot",
        "chemicals_used": "yes", "less_harmful_products": "some", "green_space": "yes",
        "water_use": "a-lot", "noise_dust": "yes",
        "new_jobs": "many", "apprenticeships": "yes", "local_recruitment": "a-lot",
        "training_weeks": "520",
        "local_suppliers": "many", "lots": "yes", "sme_subcontracting": "a-lot",
        "prompt_payment": "no",
        "resident_contact": "yes", "community_benefit": "a-lot",
        "vulnerable_residents": "not-known", "staff_wellbeing": "yes",
        "direct_service": "no", "under_represented_work": "a-lot", "equality_data": "no",
        "llw_in_market": "few", "premises_staff_count": "80", "insecure_work": "yes",
        "fair_work_scope": "some",
        "workforce_risk": ["low-skilled", "agency", "migrant", "seasonal"],
        "supplier_locations": "high-risk-countries", "msat": "yes", "large_suppliers": "not-known",
        "mitigation_actions": [
            _action("Site induction on workers' rights, in five languages", "Site manager",
                    date(2026, 9, 1)),
            _action("Trace the solar panels to their factories", "Sustainability lead",
                    date(2027, 3, 31)),
            _action("Check every subcontractor's right-to-work records", "Contract manager",
                    date(2026, 12, 1)),
        ],
    },
)  # fmt: skip

# Not full: "not known yet", answers to questions that are hidden, answers that do not read,
# no expected start date, a framework, and officers' overrides.
CATERING_PARTLY = Case(
    "£450k catering framework, partly answered, with overrides",
    context(
        "catering",
        value_pence=450_000_00,
        annual_value_pence=150_000_00,
        term_months=36,
        framework="setting-up",
        light_touch=True,
        expected_start_date=None,
    ),
    {
        "staff_on_premises": "not-known", "hours_per_day": "6", "weeks_per_year": "40",
        "workforce_size": "lots", "low_paid_roles": "not-known", "subcontracting": "not-known",
        "supplies_goods": "no", "sourced_from": ["outside-europe"],
        "visit_frequency": "weekly", "sites": "0",
        "energy_use": "not-known", "carbon_scope": "a-lot",
        "waste_generated": "a-lot", "single_use_packaging": "yes",
        "food_provided": "yes", "food_standards": ["seasonal", "fairtrade"],
        "new_jobs": "not-known", "apprenticeships": "not-known",
        "llw_in_market": "not-known", "insecure_work": "yes",
        "workforce_risk": ["not-known"], "supplier_locations": "not-known",
        "large_suppliers": "no", "mitigation_actions": [],
    },
    {
        ("fair-pay-work", "risk"): Override(1, "Every role is on a permanent contract", "Sam"),
        ("carbon-energy", "scope"): Override(0, "The menu is fixed by the schools' contract"),
    },
)  # fmt: skip

# Below the PRIMAS threshold, no tender date yet, hardly started.
CONSULTANCY_STARTED = Case(
    "£80k consultancy, no tender date, hardly started",
    context(
        "professional-services",
        value_pence=80_000_00,
        annual_value_pence=80_000_00,
        term_months=12,
        delivery_location="london",
        planned_tender_date=None,
        expected_start_date=date(2016, 4, 1),
    ),
    {"staff_on_premises": "no", "workforce_size": "3", "supplies_goods": "no"},
)

FULL_CASES = (CLEANING, CONSTRUCTION)
CASES = (CLEANING, CONSTRUCTION, CATERING_PARTLY, CONSULTANCY_STARTED)


def unanswered_or_extra(case: Case) -> tuple[list[str], list[str]]:
    """Shown questions without a valid answer, and answers to questions that are not shown."""
    definition, _ = form_and_rules()
    current = walk(definition, case.context, case.answers)
    unanswered = [q.id for q in current.shown if q.id not in current.values]
    extra = [qid for qid in case.answers if qid not in current.shown_ids]
    return unanswered, extra
