"""Suggested targets: each target rule's arithmetic, its rounding at the boundaries of each
step, its minimum, and the formula shown with it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.scoring.kpis import Kpi, TargetRule, sensible, suggested_target
from tests.support.catalogue import shipped
from tests.unit.scoring.inputs import KPI_LIBRARY

LIBRARY = KPI_LIBRARY  # the council defaults as seeded


def with_rule(kind: str, value: str | None = None, minimum: str | None = None) -> Kpi:
    rule = TargetRule(kind=kind, value=None if value is None else Decimal(value),
                      minimum=None if minimum is None else Decimal(minimum))  # fmt: skip
    return LIBRARY.kpi("apprenticeship-weeks").model_copy(update={"target": rule})


@pytest.mark.parametrize(
    ("worked_out", "written"),
    [
        ("0.4", "0"), ("0.5", "1"), ("2.49", "2"), ("2.5", "3"), ("52", "52"), ("124.8", "125"),
        ("199.5", "200"), ("200", "200"), ("200.4", "200"), ("204.99", "200"), ("205", "210"),
        ("624", "620"), ("1234", "1230"), ("1235", "1240"),
    ],
)  # fmt: skip
def test_rounding_steps(worked_out: str, written: str) -> None:
    assert sensible(Decimal(worked_out)) == Decimal(written)


WEEKS = "(weeks of apprenticeship or training)."


@pytest.mark.parametrize(
    ("value_pence", "target", "formula_end"),
    [
        (100_000_000, "52", f"£1 million = 52 {WEEKS}"),
        (240_000_000, "125", f"£2.4 million = 124.8, rounded to 125 {WEEKS}"),
        (50_000_000, "26", f"£0.5 million = 26 {WEEKS}"),
        (49_999_999, "26", f"£0.5 million = 26 {WEEKS}"),  # 25.99999948: rounded, unseen
        (49_000_000, "26", f"£0.49 million = 25.5, raised to the minimum of 26 {WEEKS}"),
        (51_000_000, "27", f"£0.51 million = 26.5, rounded to 27 {WEEKS}"),
        (10_000_000, "26", f"£0.1 million = 5.2, raised to the minimum of 26 {WEEKS}"),
        (1_200_000_000, "620", f"£12 million = 624, rounded to 620 {WEEKS}"),
    ],
)
def test_per_million_of_value(value_pence: int, target: str, formula_end: str) -> None:
    found = suggested_target(LIBRARY.kpi("apprenticeship-weeks"), value_pence, 36)
    assert found.value == Decimal(target)
    assert found.formula.startswith(
        "Council default, to be confirmed: 52 for each £1 million of whole-life value × "
    )
    assert found.formula.endswith(formula_end)


@pytest.mark.parametrize("term_months", [6, 12, 30, 60, 132, 1300])
def test_a_per_year_target_is_each_contract_year_never_multiplied_by_the_term(
    term_months: int,
) -> None:
    found = suggested_target(LIBRARY.kpi("biodiversity-actions"), 100_000_000, term_months)
    assert (found.value, found.formula) == (
        Decimal(2),
        "Council default, to be confirmed: 2 each contract year (actions).",
    )
    assert "each contract year" in LIBRARY.kpi("biodiversity-actions").clause


def test_fixed_share_of_workforce_and_baseline() -> None:
    fixed = suggested_target(LIBRARY.kpi("waste-diverted"), 100_000_000, 36)
    assert (fixed.value, fixed.formula) == (
        Decimal(70),
        "Council default, to be confirmed: 70 (% of waste by weight).",
    )
    share = suggested_target(LIBRARY.kpi("local-residents-employed"), 100_000_000, 36, 42)
    assert share.value == Decimal(25)
    assert share.formula == (
        "Council default, to be confirmed: 25% of the people working on the contract "
        "(about 11 of 42)."
    )
    unknown = suggested_target(LIBRARY.kpi("local-residents-employed"), 100_000_000, 36)
    assert unknown.formula.endswith("25% of the people working on the contract.")
    baseline = suggested_target(LIBRARY.kpi("carbon-emissions-reported"), 100_000_000, 36)
    assert baseline.value is None and "agreed from it" in baseline.formula
    assert baseline.formula.endswith(
        "Until then, the emissions arising from the contract shall be no higher in any contract "
        "year than in the first."
    )


def test_targets_are_sized_from_the_answers_that_feed_them() -> None:
    """The weeks of training the lead thinks realistic, the workforce, and the staff the
    Living Wage covers (answers of questions that declare they feed a KPI)."""
    weeks = LIBRARY.kpi("apprenticeship-weeks")
    answered = suggested_target(weeks, 800_000_000, 60, answers={"training_weeks": Decimal(150)})
    assert (answered.value, answered.formula) == (
        Decimal(150),
        "From your answer: 150 (weeks of apprenticeship or training).",
    )
    # The lead's figure stands as given: never rounded the way worked-out counts are.
    exact = suggested_target(weeks, 800_000_000, 60, answers={"training_weeks": "205"})
    assert exact.value == Decimal(205)
    decimals = suggested_target(weeks, 800_000_000, 60, answers={"training_weeks": "12.345"})
    assert decimals.value == Decimal("12.35")
    unanswered = suggested_target(weeks, 800_000_000, 60, answers={})
    assert unanswered.value == Decimal(420)  # 52 x 8 = 416, rounded to tens above 200
    share = suggested_target(LIBRARY.kpi("secure-contracts"), 100_000_000, 36,
                             answers={"workforce_size": Decimal(60)})  # fmt: skip
    assert share.formula.endswith("(about 54 of 60).")
    llw = suggested_target(LIBRARY.kpi("llw-staff-share"), 100_000_000, 36,
                           answers={"premises_staff_count": Decimal(25)})  # fmt: skip
    assert (llw.value, llw.formula) == (
        Decimal(100),
        "A fixed target: 100 (% of staff in scope), of about 25 people.",
    )


def test_a_council_default_says_so_and_a_figure_from_a_source_does_not() -> None:
    defaults = [k for k in LIBRARY.kpis if k.target.origin == "council-default"
                and k.target.kind != "baseline"]  # fmt: skip
    for kpi in defaults:
        assert suggested_target(kpi, 100_000_000, 36).formula.startswith(
            "Council default, to be confirmed: "
        ), kpi.code
    sourced = suggested_target(LIBRARY.kpi("jobs-for-people-furthest-from-work"), 300_000_000, 36)
    assert sourced.formula.startswith("1 for each £1 million")


def test_every_shipped_kpi_gives_a_target_or_a_baseline() -> None:
    for kpi in LIBRARY.kpis:
        found = suggested_target(kpi, 250_000_000, 48, 30)
        assert (found.value is None) == (kpi.target.kind == "baseline"), kpi.code
        assert found.value is None or found.value >= 0
        assert found.formula.endswith("."), kpi.code


def test_a_rule_without_a_minimum_keeps_small_targets() -> None:
    found = suggested_target(with_rule("per_million", "1"), 40_000_000, 12)
    assert (found.value, found.formula.split(" = ")[1]) == (
        Decimal(0),
        "0.4, rounded to 0 (weeks of apprenticeship or training).",
    )


# The council's own defaults are reference data ------------------------------------------------


def test_the_seeded_council_defaults_are_the_figures_the_library_suggested() -> None:
    """Migration 0013 moved the figures out of the library unchanged."""
    assert LIBRARY.kpi("local-residents-employed").target.value == Decimal(25)
    assert LIBRARY.kpi("secure-contracts").target.value == Decimal(90)
    apprenticeships = LIBRARY.kpi("apprenticeship-weeks").target
    assert (apprenticeships.value, apprenticeships.minimum) == (Decimal(52), Decimal(26))
    assert LIBRARY.kpi("carbon-emissions-reduced").target.value == Decimal(5)  # 500 basis points
    # A figure the cited source sets is written in the library, not reference data.
    assert LIBRARY.kpi("llw-staff-share").target.origin == "source"


def test_a_new_council_default_applies_from_its_date() -> None:
    from datetime import date

    from app.scoring.kpis import with_council_defaults
    from app.scoring.reference_data import ReferenceEntry
    from tests.unit.scoring.inputs import reference

    newer = reference(ReferenceEntry("kpi_target_local_residents_employed", date(2027, 4, 1), 3000))
    before = with_council_defaults(shipped().kpis, newer, date(2027, 3, 31))
    after = with_council_defaults(shipped().kpis, newer, date(2027, 4, 1))
    local = "local-residents-employed"
    assert before.kpi(local).target.value == Decimal(25)
    assert after.kpi(local).target.value == Decimal(30)
    target = suggested_target(after.kpi(local), 240_000_000, 60)
    assert target.formula.startswith("Council default, to be confirmed: 30% of the people")


def test_without_a_council_default_in_force_the_lead_sets_the_target() -> None:
    from app.scoring.kpis import with_council_defaults
    from app.scoring.reference_data import ReferenceData

    bare = with_council_defaults(shipped().kpis, ReferenceData(()), None)
    target = suggested_target(bare.kpi("local-residents-employed"), 240_000_000, 60)
    assert target.value is None
    assert target.formula == (
        "No council default is recorded for the planned tender date: enter the target for "
        "this contract."
    )
    # An answer still gives the target; a source's figure needs no reference data.
    weeks = bare.kpi("apprenticeship-weeks")
    assert suggested_target(weeks, 240_000_000, 60, answers={"training_weeks": "80"}).value == 80
    assert suggested_target(bare.kpi("llw-staff-share"), 240_000_000, 60).value == 100


def test_every_council_default_key_serves_a_kpi_and_is_seeded() -> None:
    from app.scoring.kpis import council_default_keys
    from app.scoring.reference_data import REFERENCE_KEYS
    from tests.unit.scoring.inputs import SEEDED

    library = shipped().kpis
    used = {
        key
        for kpi in library.kpis
        if kpi.target.origin == "council-default" and kpi.target.kind != "baseline"
        for key in council_default_keys(kpi)
        if key
    }
    defined = {key for key in REFERENCE_KEYS if key.startswith("kpi_target_")}
    assert used == defined
    assert defined <= {entry.key for entry in SEEDED}


def test_the_documented_council_defaults_are_the_seeded_ones() -> None:
    """docs/kpis.md is the seeded rows' source: its table must show each figure seeded."""
    from pathlib import Path

    from app.scoring.reference_data import REFERENCE_KEYS, Unit
    from tests.unit.scoring.inputs import SEEDED

    docs = (Path(__file__).resolve().parents[3] / "docs" / "kpis.md").read_text()
    rows = {line.split("`")[1]: line for line in docs.splitlines() if "| `kpi_target_" in line}
    seeded = [entry for entry in SEEDED if entry.key.startswith("kpi_target_")]
    assert seeded
    for entry in seeded:
        percent = REFERENCE_KEYS[entry.key].unit is Unit.BASIS_POINTS
        figure = f"{entry.amount / 100:g}%" if percent else str(entry.amount)
        if entry.key.endswith("_minimum"):
            shown = rows[entry.key.removesuffix("_minimum")].split("|")[3]
            assert f", at least {figure} (" in shown, (entry.key, shown)
        else:
            shown = rows[entry.key].split("|")[3].strip()
            assert shown.startswith((f"{figure} ", f"{figure}%")), (entry.key, shown)


def test_an_answer_can_cap_a_worked_out_target() -> None:
    """1 recruit furthest from work per £1 million, but never more than the new roles the lead
    expects ("Yes, a few": 1 to 10)."""
    jobs = LIBRARY.kpi("jobs-for-people-furthest-from-work")
    capped = suggested_target(jobs, 3_000_000_000, 96, answers={"new_jobs": "some"})
    assert (capped.value, capped.formula) == (
        Decimal(10),
        "1 for each £1 million of whole-life value × £30 million = 30, at most 10 as you expect "
        "1 to 10 new roles (people).",
    )
    assert suggested_target(jobs, 3_000_000_000, 96, answers={"new_jobs": "many"}).value == 30
    assert suggested_target(jobs, 500_000_000, 96, answers={"new_jobs": "some"}).value == 5
