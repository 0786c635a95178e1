"""KPIs that fit: realistic procurements (tests/support/calibration.py, version 3 answers) and
the KPIs each must and must never be offered, with their targets.

Expectations follow what each KPI measures: timber KPIs need timber or paper to be bought;
Living Wage KPIs need the London Living Wage to apply (the Living Wage Foundation's test);
apprenticeships need the lead to say they are possible; food standards need food; a works
contract's apprenticeship target is the weeks of training its lead thought realistic.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.forms.journey import counted_answers
from app.scoring.engine import score, spend_band
from app.scoring.reference_data import ReferenceData
from app.scoring.suggestions import Suggestion, fits, suggest
from tests.support.calibration import CASES, Procurement
from tests.support.catalogue import primas_definition, primas_rules, shipped
from tests.unit.scoring.inputs import AS_OF, KPI_LIBRARY, SEEDED, context

LIBRARY = KPI_LIBRARY  # the council defaults as seeded
REFERENCE = ReferenceData(SEEDED)
V3 = primas_definition(3)
RULES = primas_rules(3)
BY_NAME = {case.name: case for case in CASES}


def suggested(case: Procurement, **answers: object) -> dict[str, Suggestion]:
    facts = context(case.category, **case.facts)
    band = spend_band(facts.value_pence, facts.planned_tender_date, REFERENCE)
    facts = replace(facts, spend_band=band.band if band else None)
    given = {**case.answers, **answers}
    result = score(V3, RULES, facts, given, REFERENCE, topics=shipped().topics, as_of=AS_OF)
    _, values = counted_answers(V3, facts, given)
    found = {s.kpi.code: s for s in suggest(LIBRARY, result, facts, REFERENCE, answers=values)}
    applying = frozenset(o.code for o in result.obligations if o.applies)
    for code, suggestion in found.items():  # whatever is offered fits the procurement
        assert fits(suggestion.kpi, values, facts, applying), (case.name, code)
    return found


# name: (must be offered, with their targets; must never be offered)
TABLE = {
    "£8m housing repairs": (
        {"llw-staff-share": "100", "supply-chain-due-diligence": "100",
         "apprenticeship-weeks": "150"},
        {"sustainable-food", "food-standards-met", "care-travel-time-paid", "device-eco-labels"},
    ),
    "£30m waste collection": (
        {"llw-staff-share": "100", "waste-diverted": "70", "apprenticeship-weeks": "200"},
        {"certified-timber-paper", "food-waste-reduced", "ict-take-back", "care-travel-time-paid"},
    ),
    "£12m home care": (
        {"llw-staff-share": "100", "care-travel-time-paid": "100",
         "apprenticeship-weeks": "300"},
        {"certified-timber-paper", "sustainable-food", "fleet-safety-standards",
         "construction-waste-diverted"},
    ),
    "£2.4m school catering": (
        {"llw-staff-share": "100", "food-standards-met": "100"},
        {"certified-timber-paper", "construction-waste-diverted", "ict-take-back",
         "care-travel-time-paid", "fleet-safety-standards"},
    ),
    "£450k laptops": (
        {"supply-chain-due-diligence": "100", "ict-take-back": "100",
         "device-eco-labels": "100"},
        {"llw-staff-share", "secure-contracts", "local-residents-employed",
         "care-travel-time-paid", "sustainable-food"},
    ),
    "£600k office cleaning": (
        {"llw-staff-share": "100", "less-harmful-products": "80", "secure-contracts": "90"},
        {"certified-timber-paper", "apprenticeship-weeks", "food-standards-met",
         "ict-take-back"},
    ),
    "£150k consultancy": (
        {"local-sme-spend": "10"},
        {"llw-staff-share", "certified-timber-paper", "zero-emission-vehicle-share"},
    ),
    "£3m grounds maintenance": (
        {"llw-staff-share": "100", "less-harmful-products": "80", "apprenticeship-weeks": "80"},
        {"sustainable-food", "device-eco-labels", "care-travel-time-paid"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_procurement_is_offered_kpis_that_fit_it(case: Procurement) -> None:
    must, never = TABLE[case.name]
    found = suggested(case)
    assert {code: str(found[code].target.value) for code in must if code in found} == must
    assert not never & set(found), sorted(never & set(found))
    # suggested() has checked that every KPI offered fits the procurement.


def test_a_catering_contract_is_never_offered_a_timber_kpi_even_from_its_topic() -> None:
    catering = BY_NAME["£2.4m school catering"]
    facts = context(catering.category, **catering.facts)
    assert not fits(LIBRARY.kpi("certified-timber-paper"), catering.answers, facts, frozenset())
    assert fits(LIBRARY.kpi("sustainable-food"), catering.answers, facts, frozenset())


def test_a_laptop_contract_is_never_offered_a_living_wage_kpi() -> None:
    laptops = BY_NAME["£450k laptops"]
    found = suggested(laptops)
    assert "llw-staff-share" not in found
    facts = context(laptops.category, **laptops.facts)
    assert not fits(LIBRARY.kpi("llw-staff-share"), laptops.answers, facts, frozenset())


@pytest.mark.parametrize(
    ("name", "weeks"),
    [
        ("£8m housing repairs", "150"),  # works: always, sized from the answer
        ("£12m home care", "300"),  # services in spend band 4
        ("£2.4m school catering", "60"),  # services in spend band 3 (£1m and above)
    ],
)
def test_apprenticeships_said_possible_bring_their_kpi_sized_from_the_answer(
    name: str, weeks: str
) -> None:
    found = suggested(BY_NAME[name])
    assert (found["apprenticeship-weeks"].target.value, found["apprenticeship-weeks"].reason) == (
        Decimal(weeks),
        "You said apprenticeships, placements or training are possible on this contract",
    )
    without_weeks = suggested(BY_NAME[name], training_weeks=None)
    assert without_weeks["apprenticeship-weeks"].target.formula.startswith(
        "Council default, to be confirmed: 52 for each £1 million"
    )


def test_apprenticeships_on_a_small_services_contract_follow_its_priorities() -> None:
    """Services below spend band 3 are not called for by the answer alone."""
    cleaning = BY_NAME["£600k office cleaning"]
    found = suggested(cleaning, apprenticeships="yes", training_weeks="20")
    assert found.get("apprenticeship-weeks") is None or (
        found["apprenticeship-weeks"].reason != "You said apprenticeships, placements or "
        "training are possible on this contract"
    )


def test_apprenticeships_on_small_works_are_called_for_whatever_the_value() -> None:
    """Works in spend band 2 (£600k): the answer alone calls for the KPI."""
    cleaning = BY_NAME["£600k office cleaning"]
    works = replace(cleaning, facts=cleaning.facts | {"contract_type": "works"})
    found = suggested(works, apprenticeships="yes", training_weeks="20")
    assert found["apprenticeship-weeks"].target.value == Decimal(20)
    assert found["apprenticeship-weeks"].reason.startswith("You said apprenticeships")


@pytest.mark.parametrize(
    ("category", "in_homes", "fits_it"),
    [
        ("home-care", None, True),  # home care is care in people's own homes
        ("adult-social-care", "yes", True),
        ("adult-social-care", "no", False),  # a care home: no travel between visits
        ("adult-social-care", None, False),  # a version 1 draft never asks
        ("cleaning", "yes", False),
    ],
)
def test_travel_time_between_visits_fits_care_in_people_s_homes(
    category: str, in_homes: str | None, fits_it: bool
) -> None:
    answers = {} if in_homes is None else {"care_in_homes": in_homes}
    facts = context(category, **BY_NAME["£12m home care"].facts)
    assert fits(LIBRARY.kpi("care-travel-time-paid"), answers, facts, frozenset()) is fits_it
