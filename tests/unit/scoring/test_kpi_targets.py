"""Suggested targets: each target rule's arithmetic, its rounding at the boundaries of each
step, its minimum, and the formula shown with it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.scoring.kpis import Kpi, TargetRule, load_library, sensible, suggested_target

LIBRARY = load_library()


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
    assert found.formula.startswith("52 for each £1 million of whole-life value × ")
    assert found.formula.endswith(formula_end)


@pytest.mark.parametrize(
    ("term_months", "target", "formula"),
    [
        (12, "2", "2 a year × 1 year = 2 (actions completed)."),
        (6, "2", "2 a year × 0.5 years = 1, raised to the minimum of 2 (actions completed)."),
        (30, "5", "2 a year × 2.5 years = 5 (actions completed)."),
        (60, "10", "2 a year × 5 years = 10 (actions completed)."),
        (132, "22", "2 a year × 11 years = 22 (actions completed)."),
        (1300, "220", "2 a year × 108.3 years = 216.7, rounded to 220 (actions completed)."),
    ],
)
def test_per_contract_year(term_months: int, target: str, formula: str) -> None:
    found = suggested_target(LIBRARY.kpi("biodiversity-actions"), 100_000_000, term_months)
    assert (found.value, found.formula) == (Decimal(target), formula)


def test_fixed_share_of_workforce_and_baseline() -> None:
    fixed = suggested_target(LIBRARY.kpi("waste-diverted"), 100_000_000, 36)
    assert (fixed.value, fixed.formula) == (
        Decimal(70),
        "A fixed target: 70 (% of waste by weight).",
    )
    share = suggested_target(LIBRARY.kpi("local-residents-employed"), 100_000_000, 36, 42)
    assert share.value == Decimal(25)
    assert share.formula == "25% of the people working on the contract (about 11 of 42)."
    unknown = suggested_target(LIBRARY.kpi("local-residents-employed"), 100_000_000, 36)
    assert unknown.formula == "25% of the people working on the contract."
    baseline = suggested_target(LIBRARY.kpi("carbon-emissions-reported"), 100_000_000, 36)
    assert baseline.value is None and "agreed from it" in baseline.formula


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
