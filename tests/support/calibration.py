"""Realistic procurements with the answers an ordinary lead officer would give, written for the
tests (PRIMAS version 3 questions). The calibration test holds how many topics each gets at each
priority; the KPI tests hold what each is offered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

TENDER = date(2026, 3, 1)
ACTION = {
    "action": "Audit the agency supplying drivers",
    "carried_out_by": "council",
    "owner": "Contract manager",
    "due": {"day": "1", "month": "6", "year": "2026"},
}


def facts(value: int, months: int, **more: Any) -> dict[str, Any]:
    """A contract's value in pounds and term in months; the annual value as the service works
    it out (whole-life value x 12 / months, or all of it under 12 months)."""
    annual = value if months < 12 else value * 12 // months
    return {"value_pence": value * 100, "annual_value_pence": annual * 100,
            "term_months": months, "planned_tender_date": TENDER} | more  # fmt: skip


@dataclass(frozen=True)
class Procurement:
    name: str
    category: str
    facts: dict[str, Any]
    answers: dict[str, Any]
    # Topics whose answers justify a high priority, with the reason in words.
    justified_high: dict[str, str] = field(default_factory=dict)


CASES = (
    Procurement(
        "£8m housing repairs", "housing-repairs",
        facts(8_000_000, 60, contract_type="works"),
        {"llw_workers": "yes", "workforce_size": "60", "low_paid_roles": "no",
         "subcontracting": "most", "agency_labour": "yes", "supplies_goods": "yes",
         "sourced_from": ["uk", "europe"],
         "commodities": ["timber-paper", "construction-materials"], "visit_frequency": "daily",
         "sites": "40", "energy_use": "some", "carbon_scope": "some",
         "whole_life_costing": "yes", "carbon_plan_requested": "no", "single_use_packaging": "no",
         "waste_generated": "a-lot", "reuse_repair": "some", "end_of_life": "yes",
         "vehicle_use": "fleet", "fleet_emissions": "combustion", "delivery_consolidation": "yes",
         "sensitive_areas": "yes", "timber_used": "yes", "timber_certified": "some",
         "recycled_content": "some", "chemicals_used": "yes", "less_harmful_products": "some",
         "green_space": "no", "water_use": "little", "noise_dust": "yes", "new_jobs": "some",
         "apprenticeships": "yes", "local_recruitment": "some", "training_weeks": "150",
         "local_suppliers": "many", "lots": "yes", "sme_subcontracting": "some",
         "payment_reporting": "yes", "resident_contact": "yes", "community_benefit": "some",
         "vulnerable_residents": "yes", "staff_wellbeing": "no", "direct_service": "no",
         "under_represented_work": "some", "equality_data": "yes", "llw_in_market": "some",
         "premises_staff_count": "60", "insecure_work": "yes", "fair_work_scope": "some",
         "workforce_risk": ["migrant"], "supplier_locations": "uk", "msat": "yes",
         "large_suppliers": "yes", "mitigation_actions": [ACTION]},
        {"transport-air": "a fleet of petrol and diesel vans travelling near schools daily",
         "modern-slavery": "construction, most of it subcontracted, with agency and migrant "
                           "labour"},
    ),
    Procurement(
        "£30m waste collection", "waste-collection", facts(30_000_000, 96),
        {"llw_workers": "yes", "workforce_size": "150", "low_paid_roles": "yes",
         "subcontracting": "none", "agency_labour": "yes", "supplies_goods": "no",
         "visit_frequency": "daily", "sites": "100", "energy_use": "a-lot",
         "carbon_scope": "a-lot", "carbon_plan_requested": "yes",
         "recycling_rate": "from-30-to-50", "food_waste_collection": "yes",
         "vehicle_use": "fleet",
         "fleet_emissions": "combustion", "delivery_consolidation": "no",
         "sensitive_areas": "yes", "chemicals_used": "no", "green_space": "no",
         "water_use": "some", "noise_dust": "yes", "new_jobs": "some", "apprenticeships": "yes",
         "local_recruitment": "a-lot", "training_weeks": "200", "local_suppliers": "none",
         "lots": "no", "sme_subcontracting": "little", "resident_contact": "yes",
         "community_benefit": "some", "vulnerable_residents": "no", "staff_wellbeing": "yes",
         "direct_service": "yes", "access_barriers": "no", "under_represented_work": "some",
         "equality_data": "yes", "llw_in_market": "some", "premises_staff_count": "150",
         "insecure_work": "yes", "fair_work_scope": "some", "workforce_risk": ["none-of-these"],
         "supplier_locations": "uk", "msat": "yes", "large_suppliers": "yes",
         "mitigation_actions": [ACTION]},
        {"carbon-energy": "a fleet of refuse lorries: a lot of energy, a lot that could be cut",
         "transport-air": "petrol and diesel lorries on every street, near schools",
         "fair-pay-work": "low-paid agency work where insecure terms are common"},
    ),
    Procurement(
        "£12m home care", "home-care", facts(12_000_000, 48, light_touch=True),
        {"llw_workers": "no", "care_in_homes": "yes", "workforce_size": "200",
         "low_paid_roles": "yes", "subcontracting": "some", "agency_labour": "yes",
         "supplies_goods": "no", "visit_frequency": "daily", "energy_use": "little",
         "carbon_scope": "little", "waste_generated": "little", "vehicle_use": "regular",
         "fleet_emissions": "combustion", "delivery_consolidation": "no",
         "sensitive_areas": "no", "chemicals_used": "no", "new_jobs": "many",
         "apprenticeships": "yes", "local_recruitment": "a-lot", "training_weeks": "300",
         "local_suppliers": "some", "lots": "yes", "sme_subcontracting": "some",
         "payment_reporting": "yes", "resident_contact": "yes", "community_benefit": "little",
         "vulnerable_residents": "yes", "staff_wellbeing": "yes", "direct_service": "yes",
         "access_barriers": "yes", "under_represented_work": "some", "equality_data": "yes",
         "llw_in_market": "few", "insecure_work": "yes", "fair_work_scope": "a-lot",
         "workforce_risk": ["migrant"], "supplier_locations": "uk", "msat": "yes",
         "large_suppliers": "not-known", "mitigation_actions": [ACTION]},
        {"fair-pay-work": "low-paid care work, few providers pay the Living Wage, a lot to gain",
         "employment-skills": "200 carers and many new jobs, a lot of local recruitment",
         "modern-slavery": "care, with agency and migrant workers"},
    ),
    Procurement(
        "£2.4m school catering", "catering", facts(2_400_000, 48),
        {"llw_workers": "yes", "workforce_size": "120", "low_paid_roles": "yes",
         "subcontracting": "none", "agency_labour": "yes", "supplies_goods": "yes",
         "sourced_from": ["uk", "europe"], "commodities": ["food"], "visit_frequency": "daily",
         "sites": "42", "energy_use": "some", "carbon_scope": "some",
         "whole_life_costing": "no", "carbon_plan_requested": "no", "waste_generated": "a-lot",
         "single_use_packaging": "yes", "reuse_repair": "little", "end_of_life": "no",
         "vehicle_use": "regular", "fleet_emissions": "mixed", "delivery_consolidation": "yes",
         "sensitive_areas": "yes", "food_provided": "yes",
         "food_standards": ["seasonal", "less-meat", "food-waste"], "recycled_content": "little",
         "chemicals_used": "yes", "less_harmful_products": "some", "green_space": "no",
         "water_use": "a-lot", "new_jobs": "some", "apprenticeships": "yes",
         "local_recruitment": "some", "training_weeks": "60", "local_suppliers": "some",
         "lots": "no", "sme_subcontracting": "some", "payment_reporting": "no",
         "resident_contact": "no", "community_benefit": "some", "vulnerable_residents": "yes",
         "staff_wellbeing": "yes", "direct_service": "yes", "access_barriers": "no",
         "under_represented_work": "some", "equality_data": "no", "llw_in_market": "some",
         "premises_staff_count": "120", "insecure_work": "yes", "fair_work_scope": "some",
         "workforce_risk": ["migrant", "seasonal"], "supplier_locations": "uk", "msat": "no",
         "large_suppliers": "yes", "mitigation_actions": [ACTION]},
        {"fair-pay-work": "low-paid kitchen work with agency staff and insecure terms"},
    ),
    Procurement(
        "£450k laptops", "ict-hardware",
        facts(450_000, 48, contract_type="goods", delivery_location="overseas"),
        {"llw_workers": "no", "workforce_size": "3", "low_paid_roles": "yes",
         "subcontracting": "some", "agency_labour": "yes", "supplies_goods": "yes",
         "sourced_from": ["outside-europe"], "commodities": ["electronics"],
         "supply_chain_mapped": "partly", "visit_frequency": "monthly", "sites": "3",
         "energy_use": "some", "carbon_scope": "some", "whole_life_costing": "yes",
         "carbon_plan_requested": "no", "waste_generated": "some", "single_use_packaging": "yes",
         "reuse_repair": "some", "end_of_life": "yes", "vehicle_use": "occasional",
         "delivery_consolidation": "yes", "recycled_content": "some", "chemicals_used": "no",
         "green_space": "no", "water_use": "little", "new_jobs": "none",
         "apprenticeships": "no", "local_recruitment": "little", "local_suppliers": "none",
         "lots": "no", "sme_subcontracting": "little", "resident_contact": "no",
         "community_benefit": "little", "direct_service": "no",
         "under_represented_work": "little", "llw_in_market": "most", "insecure_work": "no",
         "fair_work_scope": "little", "workforce_risk": ["migrant"],
         "supplier_locations": "uk", "msat": "yes", "large_suppliers": "yes",
         "mitigation_actions": [ACTION]},
        {"modern-slavery": "electronics made outside Europe by low-paid agency and migrant "
                           "workers, in supply chains known only in part"},
    ),
    Procurement(
        "£600k office cleaning", "cleaning", facts(600_000, 36),
        {"llw_workers": "yes", "workforce_size": "25", "low_paid_roles": "yes",
         "subcontracting": "none", "agency_labour": "no", "supplies_goods": "yes",
         "sourced_from": ["uk"], "commodities": ["chemicals"], "visit_frequency": "daily",
         "sites": "9", "energy_use": "little", "carbon_scope": "little",
         "waste_generated": "some", "single_use_packaging": "yes", "reuse_repair": "some",
         "end_of_life": "no", "vehicle_use": "occasional", "delivery_consolidation": "no",
         "recycled_content": "some", "chemicals_used": "yes", "less_harmful_products": "a-lot",
         "green_space": "no", "water_use": "some", "new_jobs": "some", "apprenticeships": "no",
         "local_recruitment": "some", "local_suppliers": "many", "lots": "yes",
         "sme_subcontracting": "little", "resident_contact": "no",
         "community_benefit": "little", "staff_wellbeing": "yes", "direct_service": "no",
         "under_represented_work": "some", "equality_data": "no", "llw_in_market": "some",
         "premises_staff_count": "25", "insecure_work": "yes", "fair_work_scope": "some",
         "workforce_risk": ["migrant"], "supplier_locations": "uk", "msat": "yes",
         "large_suppliers": "no", "mitigation_actions": [ACTION]},
        {"fair-pay-work": "low-paid cleaning where insecure terms are common"},
    ),
    Procurement(
        "£150k consultancy", "professional-services", facts(150_000, 12),
        {"llw_workers": "no", "workforce_size": "4", "low_paid_roles": "no",
         "subcontracting": "none", "agency_labour": "no", "supplies_goods": "no",
         "visit_frequency": "weekly", "sites": "1", "energy_use": "little",
         "carbon_scope": "little", "vehicle_use": "occasional",
         "delivery_consolidation": "no", "new_jobs": "none", "apprenticeships": "no",
         "local_recruitment": "little", "local_suppliers": "some", "lots": "no",
         "sme_subcontracting": "little", "resident_contact": "no", "community_benefit": "some",
         "direct_service": "no", "under_represented_work": "little", "equality_data": "no",
         "llw_in_market": "most", "insecure_work": "no", "fair_work_scope": "little",
         "workforce_risk": ["none-of-these"], "supplier_locations": "uk", "msat": "no",
         "large_suppliers": "not-known"},
        {},
    ),
    Procurement(
        "£3m grounds maintenance", "grounds-maintenance", facts(3_000_000, 60),
        {"llw_workers": "yes", "workforce_size": "45", "low_paid_roles": "yes",
         "subcontracting": "some", "agency_labour": "yes", "supplies_goods": "yes",
         "sourced_from": ["uk"], "commodities": ["chemicals"], "visit_frequency": "daily",
         "sites": "120", "energy_use": "some", "carbon_scope": "some",
         "whole_life_costing": "yes", "carbon_plan_requested": "no", "waste_generated": "some",
         "single_use_packaging": "no", "reuse_repair": "some", "end_of_life": "yes",
         "vehicle_use": "fleet", "fleet_emissions": "combustion", "delivery_consolidation": "no",
         "sensitive_areas": "yes", "timber_used": "no", "recycled_content": "some",
         "chemicals_used": "yes", "less_harmful_products": "a-lot", "green_space": "yes",
         "water_use": "some", "noise_dust": "yes", "new_jobs": "some", "apprenticeships": "yes",
         "local_recruitment": "some", "training_weeks": "80", "local_suppliers": "some",
         "lots": "yes", "sme_subcontracting": "some", "payment_reporting": "yes",
         "resident_contact": "yes", "community_benefit": "some", "vulnerable_residents": "no",
         "staff_wellbeing": "yes", "direct_service": "no", "under_represented_work": "some",
         "equality_data": "no", "llw_in_market": "some", "premises_staff_count": "45",
         "insecure_work": "yes", "fair_work_scope": "some",
         "workforce_risk": ["seasonal", "migrant"], "supplier_locations": "uk", "msat": "yes",
         "large_suppliers": "no", "mitigation_actions": [ACTION]},
        {"nature-pollution": "pesticides and works in parks and green space"},
    ),
)  # fmt: skip
