"""Reference data with effective dates: which value of a setting is in force on a given day.

Thresholds, rates and policy settings change over time (a new London Living Wage every autumn,
new procurement thresholds every two years). Each value is stored with the date it takes effect,
and a question is always asked for a date: "the PRIMAS threshold in force on the planned tender
date". This module is pure: the service layer loads the values and hands them over.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Unit(StrEnum):
    """How a reference value's integer amount is read."""

    PENCE = "pence"
    BASIS_POINTS = "basis_points"  # hundredths of a percent: 1000 is 10%
    COUNT = "count"
    YES_NO = "yes_no"  # a council policy decision: 1 is yes (adopted), 0 is no


YES, NO = 1, 0


@dataclass(frozen=True)
class ReferenceKey:
    """A named setting that has values over time."""

    code: str
    label: str
    unit: Unit
    description: str


def _keys(*keys: ReferenceKey) -> dict[str, ReferenceKey]:
    return {key.code: key for key in keys}


PENCE, BASIS_POINTS, COUNT, YES_NO = Unit.PENCE, Unit.BASIS_POINTS, Unit.COUNT, Unit.YES_NO

# Every setting scoring reads, in the order the admin screen lists them. docs/scoring.md says
# how each is used; migrations seed the values with their public sources.
REFERENCE_KEYS: Mapping[str, ReferenceKey] = _keys(
    ReferenceKey(
        "primas_threshold", "PRIMAS threshold", PENCE,
        "A full PRIMAS is required for procurements whose estimated whole-life value, "
        "including VAT and extensions, is at or above this amount. Below it, buyers "
        "Think Local.",
    ),
    ReferenceKey(
        "threshold_goods_services", "Procurement Act threshold: goods and services", PENCE,
        "The sub-central (council) threshold for goods and services contracts, including VAT. "
        "Services contracts at or above it must consider social value (Public Services "
        "(Social Value) Act 2012).",
    ),
    ReferenceKey(
        "threshold_light_touch", "Procurement Act threshold: light-touch services", PENCE,
        "The threshold for light-touch services such as social care, including VAT. "
        "Light-touch contracts are measured against it instead of the goods and services one.",
    ),
    ReferenceKey(
        "threshold_works", "Procurement Act threshold: works", PENCE,
        "The sub-central (council) threshold for works contracts, including VAT. A contract "
        "at or above the threshold for its type is a public contract: the council pays it "
        "within 30 days and its subcontracts carry 30-day terms (Procurement Act 2023 sections "
        "68 and 73), and the KPI duty can apply.",
    ),
    ReferenceKey(
        "kpi_duty_threshold", "Procurement Act KPI duty: contract value over", PENCE,
        "Contracts worth more than this (not light-touch, not frameworks) must publish key "
        "performance indicators (Procurement Act 2023 section 52, in force from 24 February "
        "2025).",
    ),
    ReferenceKey(
        "kpi_duty_minimum", "Procurement Act KPI duty: number of KPIs", COUNT,
        "How many KPIs a contract under the KPI duty must have at least.",
    ),
    ReferenceKey(
        "carbon_plan_threshold", "Carbon reduction plan: annual value over", PENCE,
        "Council policy after PPN 006: bidders for contracts whose annual value is over this "
        "amount must provide a carbon reduction plan.",
    ),
    ReferenceKey(
        "llw_announced", "London Living Wage: rate announced", PENCE,
        "The hourly London Living Wage, from the day the Living Wage Foundation announced it.",
    ),
    ReferenceKey(
        "llw_pay_by", "London Living Wage: rate employers must pay", PENCE,
        "The same hourly rates, each from the date by which employers must pay it (about six "
        "months after the announcement).",
    ),
    ReferenceKey(
        "spend_band_2", "Spend band 2 starts at", PENCE,
        "Whole-life values at or above this amount are spend band 2 (below it, band 1).",
    ),
    ReferenceKey(
        "spend_band_3", "Spend band 3 starts at", PENCE,
        "Whole-life values at or above this amount are spend band 3.",
    ),
    ReferenceKey(
        "spend_band_4", "Spend band 4 starts at", PENCE,
        "Whole-life values at or above this amount are spend band 4.",
    ),
    ReferenceKey(
        "spend_band_5", "Spend band 5 starts at", PENCE,
        "Whole-life values at or above this amount are spend band 5.",
    ),
    ReferenceKey(
        "sv_weighting_minimum", "Social value weighting: minimum", BASIS_POINTS,
        "The smallest share of the tender evaluation given to social value for a procurement "
        "at or above the PRIMAS threshold.",
    ),
    ReferenceKey(
        "sv_weighting_high_value_from", "Social value weighting: higher value from", PENCE,
        "Procurements worth this much or more get the higher-value uplift.",
    ),
    ReferenceKey(
        "sv_weighting_high_value_uplift", "Social value weighting: higher-value uplift",
        BASIS_POINTS, "Added to the minimum weighting for higher-value procurements.",
    ),
    ReferenceKey(
        "sv_weighting_priority_topics",
        "Social value weighting: high-priority social topics for the uplift", COUNT,
        "How many topics under Procuring for a Better Society and Procuring for Fair Delivery "
        "must be high priority for the social priorities uplift.",
    ),
    ReferenceKey(
        "sv_weighting_priority_uplift", "Social value weighting: social priorities uplift",
        BASIS_POINTS, "Added when enough social topics are high priority.",
    ),
    ReferenceKey(
        "sv_weighting_maximum", "Social value weighting: most recommended", BASIS_POINTS,
        "The recommendation never goes above this.",
    ),
    ReferenceKey(
        "suggest_kpis_maximum", "KPI suggestions: most suggested", COUNT,
        "At most this many KPIs are suggested, besides those an obligation makes mandatory.",
    ),
    ReferenceKey(
        "suggest_kpis_employment_minimum",
        "KPI suggestions: employment and skills KPIs at least", COUNT,
        "When local employment and skills is a medium or high priority, at least this many of "
        "the suggestions are employment and skills KPIs.",
    ),
    ReferenceKey(
        "policy_carbon_reduction_plan", "Carbon reduction plans (PPN 006): council policy",
        YES_NO,
        "Whether the council has adopted PPN 006 as its own policy. PPN 006 is written for "
        "central government; while the answer is no, no carbon reduction plan is required.",
    ),
    ReferenceKey(
        "policy_llw_home_care", "London Living Wage for care in people's own homes: council "
        "policy", YES_NO,
        "Whether the council requires the London Living Wage for care workers who work in "
        "people's own homes. The Living Wage Foundation's test does not bring them in by "
        "itself: it is the council's choice.",
    ),
    ReferenceKey(
        "policy_social_value_weighting", "Social value weighting (PPN 002): council policy",
        YES_NO,
        "Whether the council has adopted a minimum social value weighting after PPN 002. "
        "PPN 002 is written for central government; while the answer is no, no minimum "
        "weighting is recommended.",
    ),
    ReferenceKey(
        "rating_approaching_within", "Performance rating: approaching target within",
        BASIS_POINTS,
        "An outcome short of its KPI's target by at most this share of the target is suggested "
        "as “approaching target” (Procurement Act 2023 s.71 ratings). Council policy.",
    ),
    ReferenceKey(
        "rating_improvement_within", "Performance rating: requires improvement within",
        BASIS_POINTS,
        "An outcome short of its target by more than the approaching band and at most this "
        "share is suggested as “requires improvement”; further short, "
        "“inadequate”. Council policy.",
    ),
    ReferenceKey(
        "outcome_report_days", "Outcome reports: days to report after a period ends", COUNT,
        "A KPI's report for a period is overdue once this many days have passed since the "
        "period ended. Council policy.",
    ),
    *(ReferenceKey(
        f"kpi_target_{code.replace('-', '_')}", f"KPI target: {title}",
        BASIS_POINTS if measure.startswith("%") else COUNT,
        f"The council's own default target for this KPI ({measure}{per}), suggested to "
        "category leads to confirm for each contract. Not set by law or guidance: the council "
        "decides it.",
    ) for code, title, measure, per in (
        ("carbon-emissions-reduced", "year-on-year cut in the contract's emissions",
         "% on the previous year", ""),
        ("device-eco-labels", "devices with a recognised eco-label", "% of devices", ""),
        ("construction-waste-diverted", "construction site waste kept out of landfill",
         "% of site waste by weight", ""),
        ("waste-diverted", "waste kept out of landfill and incineration",
         "% of waste by weight", ""),
        ("single-use-plastic-removed", "single-use plastic items replaced",
         "% of single-use plastic item types", ""),
        ("food-waste-reduced", "food waste cut", "% less food waste per meal", ""),
        ("ict-take-back", "ICT equipment taken back for reuse or recycling",
         "% of devices at the end of their use", ""),
        ("zero-emission-vehicle-share", "journeys in zero-emission vehicles",
         "% of vehicle miles", ""),
        ("fleet-safety-standards", "lorries meeting FORS Silver and CLOCS",
         "% of goods vehicles over 3.5 tonnes", ""),
        ("certified-timber-paper", "certified timber and paper", "% by value", ""),
        ("sustainable-food", "food meeting the sustainable food standards", "% of food spend",
         ""),
        ("less-harmful-products", "less harmful cleaning and other chemicals",
         "% of chemical products by volume", ""),
        ("biodiversity-actions", "actions for green space and wildlife", "actions",
         " each contract year"),
        ("local-residents-employed", "local residents employed", "% of the workforce", ""),
        ("apprenticeship-weeks", "weeks of apprenticeships and training", "weeks",
         " for each £1 million of whole-life value"),
        ("apprenticeship-weeks-minimum", "weeks of apprenticeships and training, at least",
         "weeks", " whatever the contract's value"),
        ("local-sme-spend", "spend with local small businesses and voluntary organisations",
         "% of contract spend", ""),
        ("volunteering-hours", "hours given to community groups", "hours",
         " each contract year"),
        ("staff-wellbeing-support", "staff with access to wellbeing support",
         "% of the workforce", ""),
        ("positive-action-vacancies", "vacancies reached through positive action",
         "% of vacancies", ""),
        ("service-users-equality-monitoring", "equality monitoring reports on service users",
         "reports", " each contract year"),
        ("care-travel-time-paid", "care workers paid for travel time", "% of care workers", ""),
        ("secure-contracts", "staff on secure contracts", "% of the workforce", ""),
        ("modern-slavery-training", "supervisors and managers trained on modern slavery",
         "% of supervisors and managers", ""),
    )),
)  # fmt: skip


def percent(basis_points: int) -> str:
    """A share in basis points as people write it: 1000 is "10%", 1250 "12.5%"."""
    written = f"{Decimal(basis_points) / 100:f}"
    return (written.rstrip("0").rstrip(".") if "." in written else written) + "%"


class UnknownReferenceKey(KeyError):
    """A reference key that is not in the catalogue."""


class NoValueInForce(LookupError):
    """No value of the key takes effect on or before the date asked about."""

    def __init__(self, key: str, on: date) -> None:
        super().__init__(f"no value of {key} is in force on {on.isoformat()}")
        self.key = key
        self.on = on


@dataclass(frozen=True)
class ReferenceEntry:
    """One value of a key, in force from its effective date until the next value's."""

    key: str
    effective_from: date
    amount: int
    source: str = ""
    note: str = ""

    @property
    def unit(self) -> Unit:
        """The unit of the amount, from the key catalogue."""
        return reference_key(self.key).unit


def reference_key(code: str) -> ReferenceKey:
    """The catalogue entry for a key, or UnknownReferenceKey."""
    try:
        return REFERENCE_KEYS[code]
    except KeyError:
        raise UnknownReferenceKey(code) from None


@dataclass(frozen=True)
class ReferenceData:
    """An immutable snapshot of every reference value, for pure code to ask questions of."""

    entries: tuple[ReferenceEntry, ...] = ()
    _by_key: dict[str, list[ReferenceEntry]] = field(init=False, repr=False, compare=False)
    _dates: dict[str, list[date]] = field(init=False, repr=False, compare=False)  # for bisect

    def __post_init__(self) -> None:
        by_key: dict[str, list[ReferenceEntry]] = {}
        for entry in sorted(self.entries, key=lambda e: (e.key, e.effective_from)):
            reference_key(entry.key)
            by_key.setdefault(entry.key, []).append(entry)
        object.__setattr__(self, "_by_key", by_key)
        dates = {key: [entry.effective_from for entry in values] for key, values in by_key.items()}
        object.__setattr__(self, "_dates", dates)

    def history(self, key: str) -> list[ReferenceEntry]:
        """Every value of the key, oldest first."""
        reference_key(key)
        return list(self._by_key.get(key, []))

    def in_force(self, key: str, on: date) -> ReferenceEntry:
        """The value of `key` in force on `on`; NoValueInForce before its first value (and
        UnknownReferenceKey for a key not in the catalogue)."""
        dates = self._dates.get(key)
        if dates is None:  # no values at all: say which, after checking the key is real
            reference_key(key)
            raise NoValueInForce(key, on)
        position = bisect.bisect_right(dates, on)
        if position == 0:
            raise NoValueInForce(key, on)
        return self._by_key[key][position - 1]
