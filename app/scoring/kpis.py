"""The KPI library (app/scoring/data/kpis.yaml): measures a specification can set, with their
units, evidence, reporting frequency, target rule and clause.

Loaded and checked like the form definitions: every problem is reported at once with a named
code (an unknown topic or obligation, a clause naming a placeholder that is not filled in, a
target rule missing its value, a topic with fewer than two KPIs, an obligation with none), and
the service refuses to start on a bad library. Pure: no database, request or settings.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.forms.loader import DefinitionError, parse_model
from app.scoring.obligations import OBLIGATION_CODES

LIBRARY_FILE = Path(__file__).parent / "data" / "kpis.yaml"
CODE_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
# What a clause may name: filled in from the contract and the accepted KPI.
PLACEHOLDERS = frozenset({"contract_title", "target", "unit", "frequency", "evidence"})
# The obligations (app/scoring/obligations/) that each need at least one KPI to serve them. The
# others (paying within 30 days, the supplier's own modern slavery statement) are met by
# contract terms rather than measured.
OBLIGATIONS = frozenset({
    "primas", "social-value-act", "london-living-wage", "modern-slavery",
    "carbon-reduction-plan", "kpi-duty", "social-value-weighting",
})  # fmt: skip
KNOWN_OBLIGATIONS = frozenset(OBLIGATION_CODES)
KPIS_PER_TOPIC = 2


class Strict(BaseModel):
    """The library refuses unknown keys: a misspelt key is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetRule(Strict):
    """How a suggested target is worked out from the contract's value and term."""

    kind: Literal["fixed", "per_million", "per_year", "workforce_share", "baseline"]
    value: Decimal | None = Field(default=None, ge=0)
    minimum: Decimal | None = Field(default=None, ge=0)


class Kpi(Strict):
    """One measure."""

    code: str = Field(pattern=CODE_PATTERN, max_length=64)
    title: str = Field(min_length=1)
    topic: str
    outcome: int  # the PPN 002 outcome it serves
    unit: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    evidence: str = Field(min_length=1)
    frequency: Literal["monthly", "quarterly", "six-monthly", "annually"]
    target: TargetRule
    clause: str = Field(min_length=1)
    source: str = Field(pattern=r"^https://")
    obligations: tuple[str, ...] = ()  # the obligations it serves, which make it mandatory


class KpiLibrary(Strict):
    """Every KPI, with the PPN 002 outcomes they serve."""

    version: int = Field(ge=1)
    licence: str = Field(min_length=1)
    outcomes: dict[int, str]
    kpis: tuple[Kpi, ...] = Field(min_length=1)

    def kpi(self, code: str) -> Kpi:
        """The KPI with this code; KeyError if there is none."""
        for kpi in self.kpis:
            if kpi.code == code:
                return kpi
        raise KeyError(code)

    def for_topic(self, topic: str) -> tuple[Kpi, ...]:
        """The KPIs of a topic, in library order."""
        return tuple(kpi for kpi in self.kpis if kpi.topic == topic)

    def for_obligation(self, obligation: str) -> tuple[Kpi, ...]:
        """The KPIs that serve an obligation, in library order."""
        return tuple(kpi for kpi in self.kpis if obligation in kpi.obligations)


def _placeholders(clause: str) -> set[str] | None:
    """The names a clause fills in, or None when its braces do not parse."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(clause) if name is not None}
    except ValueError:
        return None


def _target_problems(kpi: Kpi, where: str) -> Iterable[DefinitionError]:
    rule = kpi.target
    if rule.kind == "baseline":
        if rule.value is not None or rule.minimum is not None:
            yield DefinitionError("bad-target", where, "a baseline has no value or minimum")
        return
    if rule.value is None:
        yield DefinitionError("bad-target", where, f"a '{rule.kind}' target needs a value")
    elif rule.value == 0:
        yield DefinitionError("bad-target", where, "a target must be more than 0")
    if rule.kind in ("fixed", "workforce_share") and rule.minimum is not None:
        yield DefinitionError("bad-target", where, f"a '{rule.kind}' target has no minimum")
    if rule.kind in ("per_million", "per_year") and not rule.minimum:
        yield DefinitionError(
            "bad-target", where, f"a '{rule.kind}' target needs a minimum of more than 0, so "
            "a small contract's target never rounds down to nothing",
        )  # fmt: skip
    if rule.kind == "fixed" and kpi.unit.startswith("%") and (rule.value or 0) > 100:
        yield DefinitionError("bad-target", where, "a percentage target is at most 100")
    if rule.kind == "workforce_share" and rule.value is not None and rule.value > 100:
        yield DefinitionError("bad-target", where, "a share of the workforce is at most 100%")


def check_library(library: KpiLibrary, topics: frozenset[str]) -> list[DefinitionError]:
    """Every problem with a parsed library's meaning, in library order."""
    errors: list[DefinitionError] = []
    seen: set[str] = set()
    for kpi in library.kpis:
        where = f"kpi '{kpi.code}'"
        if kpi.code in seen:
            errors.append(DefinitionError("duplicate-code", where, "the code is used twice"))
        seen.add(kpi.code)
        if kpi.topic not in topics:
            errors.append(DefinitionError("unknown-topic", where, f"no topic '{kpi.topic}'"))
        if kpi.outcome not in library.outcomes:
            errors.append(
                DefinitionError("unknown-outcome", where, f"no PPN 002 outcome {kpi.outcome}")
            )
        for obligation in kpi.obligations:
            if obligation not in KNOWN_OBLIGATIONS:
                errors.append(
                    DefinitionError("unknown-obligation", where, f"no obligation '{obligation}'")
                )
        names = _placeholders(kpi.clause)
        if names is None:
            errors.append(DefinitionError("bad-clause", where, "the clause's braces do not match"))
        else:
            for name in sorted(names - PLACEHOLDERS):
                errors.append(DefinitionError(
                    "unknown-placeholder", where, f"the clause names '{{{name}}}', which is "
                    f"never filled in (use {', '.join(sorted(PLACEHOLDERS))})",
                ))  # fmt: skip
        errors.extend(_target_problems(kpi, where))
    for topic in sorted(topics):
        count = sum(kpi.topic == topic for kpi in library.kpis)
        if count < KPIS_PER_TOPIC:
            errors.append(DefinitionError(
                "too-few-kpis", f"topic '{topic}'",
                f"has {count} KPI(s); every topic needs at least {KPIS_PER_TOPIC}",
            ))  # fmt: skip
    served = {obligation for kpi in library.kpis for obligation in kpi.obligations}
    for obligation in sorted(OBLIGATIONS - served):
        errors.append(DefinitionError(
            "no-kpi-for-obligation", f"obligation '{obligation}'", "no KPI serves it"
        ))  # fmt: skip
    return errors


def parse_library(text: str, source: str, topics: frozenset[str]) -> KpiLibrary:
    """A library from YAML text, fully checked; DefinitionInvalid lists every problem."""
    return parse_model(text, source, KpiLibrary, lambda library: check_library(library, topics))


@cache
def load_library() -> KpiLibrary:
    """The shipped KPI library, read and checked once."""
    from app.scoring.topics import load_topics

    text = LIBRARY_FILE.read_text(encoding="utf-8")
    return parse_library(text, LIBRARY_FILE.name, load_topics().topic_codes)


@dataclass(frozen=True)
class Target:
    """A suggested target in the KPI's unit (None for a baseline), and how it was worked out."""

    value: Decimal | None
    formula: str


def sensible(number: Decimal) -> Decimal:
    """A worked-out count rounded the way people write targets: to a whole number up to 200,
    then to the nearest 10 (halves round up)."""
    step = Decimal(1) if number <= 200 else Decimal(10)
    return (number / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _plain(number: Decimal) -> str:
    """'2.4', '125', '1,250': no trailing zeros."""
    return f"{number.normalize():,f}"


def suggested_target(
    kpi: Kpi, value_pence: int, term_months: int, workforce: int | None = None
) -> Target:
    """The target the KPI's rule gives for a contract of this whole-life value and total term
    (extensions included), with the formula in words."""
    rule = kpi.target
    if rule.kind == "baseline" or rule.value is None:
        return Target(None, "Reported in the first year; the target is then agreed from it.")
    unit = f"({kpi.unit})"
    if rule.kind == "fixed":
        return Target(rule.value, f"A fixed target: {_plain(rule.value)} {unit}.")
    if rule.kind == "workforce_share":
        formula = f"{_plain(rule.value)}% of the people working on the contract"
        if workforce:
            people = sensible(rule.value * workforce / 100)
            formula += f" (about {_plain(people)} of {workforce:,})"
        return Target(rule.value, formula + ".")
    if rule.kind == "per_million":
        millions = Decimal(value_pence) / 100_000_000
        raw = rule.value * millions
        worked = (
            f"{_plain(rule.value)} for each £1 million of whole-life value × "
            f"£{_plain(millions.quantize(Decimal('0.01')))} million = "
            f"{_plain(raw.quantize(Decimal('0.1')))}"
        )
    else:  # per_year
        years = Decimal(term_months) / 12
        raw = rule.value * years
        worked = (
            f"{_plain(rule.value)} a year × {_plain(years.quantize(Decimal('0.1')))} "
            f"year{'' if years == 1 else 's'} = "
            f"{_plain(raw.quantize(Decimal('0.1')))}"
        )
    rounded = sensible(raw)
    if rule.minimum is not None and rounded < rule.minimum:
        return Target(
            rule.minimum, f"{worked}, raised to the minimum of {_plain(rule.minimum)} {unit}."
        )
    if worked.rsplit(" = ", 1)[1] != _plain(rounded):  # say so only where it shows
        return Target(rounded, f"{worked}, rounded to {_plain(rounded)} {unit}.")
    return Target(rounded, f"{worked} {unit}.")
