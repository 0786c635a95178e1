"""The KPI task: the lead's decisions on the suggested KPIs, the library KPIs they added and the
KPIs of their own, the target each accepted KPI carries, and whether the selection meets the
minimums.

The task is complete when every suggested KPI has been accepted or rejected, every rejected
mandatory KPI has a reason, at least one KPI is accepted, and, where the Procurement Act KPI duty
applies, at least its minimum number are. Pure: decisions arrive as arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.forms.journey import TaskStatus
from app.numbers import read_number
from app.scoring.kpis import Kpi, KpiLibrary, Target, WithdrawnKpi, suggested_target
from app.scoring.suggestions import Suggestion

FREQUENCIES = ("monthly", "quarterly", "six-monthly", "annually")
TARGET_LIMIT = Decimal(1_000_000_000)
TARGET_PLACES = 2
REASON_MAX = 1000


class KpiStatus(StrEnum):
    """What the lead decided about a KPI: `suggested` is not decided yet; `edited` is accepted
    with the lead's own target instead of the suggested one."""

    SUGGESTED = "suggested"
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """The status for people."""
        return {
            KpiStatus.SUGGESTED: "Not decided",
            KpiStatus.ACCEPTED: "Accepted",
            KpiStatus.EDITED: "Accepted, target changed",
            KpiStatus.REJECTED: "Rejected",
        }[self]


class InvalidTarget(ValueError):
    """A target that is not a positive number in the KPI's unit; the message says why."""


def is_percentage(unit: str) -> bool:
    """Whether a unit is a percentage ("% of waste by weight"), so at most 100."""
    return unit.lstrip().startswith("%")


def parse_target(raw: str, unit: str) -> Decimal:
    """A typed target ("1,250", "12.5", "85%") as a number in `unit`; InvalidTarget otherwise."""
    text = raw.strip()
    if is_percentage(unit):
        text = text.removesuffix("%").rstrip()
    if not text:
        raise InvalidTarget(missing_target(unit))
    typed = read_number(text)  # app/numbers.py: the rules every number field shares
    if typed is None:
        raise InvalidTarget(f"The target must be a number in {unit}, like 25")
    problem = target_problem(typed.value, unit, places=typed.places)
    if problem:
        raise InvalidTarget(problem)
    return typed.value


def missing_target(unit: str) -> str:
    """What to say when no target is given for a KPI that needs one."""
    return f"Enter the target, as a number in {unit}"


def target_problem(number: Decimal, unit: str, *, places: int | None = None) -> str | None:
    """Why `number` cannot be a target in `unit` (None if it can): positive, at most two
    decimal places (as typed, or as the Decimal holds them), at most 100 for a percentage, and
    under TARGET_LIMIT. The same rules for a typed target and one the API sends."""
    if not number.is_finite():
        return f"The target must be a number in {unit}, like 25"
    if places is None:
        exponent = number.as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
    if number <= 0:
        return f"The target must be a positive number in {unit} (more than 0)"
    if places > TARGET_PLACES:
        return f"The target can have up to {TARGET_PLACES} decimal places"
    if is_percentage(unit) and number > 100:
        return "The target must be 100 or less, as it is a percentage"
    if number >= TARGET_LIMIT:
        return f"The target must be less than {TARGET_LIMIT:,}"
    return None


def target_text(number: Decimal) -> str:
    """A target as stored and shown: "125", "12.5", never "1.25E+2"."""
    return f"{number.normalize():f}"


def suggestion_text(value: Decimal | None) -> str:
    """A suggested target as recorded beside an edited one: its number, or "baseline"."""
    return "baseline" if value is None else target_text(value)


@dataclass(frozen=True)
class Choice:
    """The lead's decision on a library KPI, as stored."""

    status: KpiStatus
    target: Decimal | None  # the lead's own target; None: the suggested one
    reason: str
    revision: int
    # For an edited target, the suggested one when the lead set theirs ("baseline" for a
    # baseline; "unknown" for targets edited before December 2026, when it was not recorded).
    suggested_then: str | None = None


@dataclass(frozen=True)
class CustomKpi:
    """A KPI the lead wrote: always accepted, with their own target."""

    id: int
    title: str
    unit: str
    frequency: str
    evidence: str
    target: Decimal
    revision: int
    better: str = "higher"  # or "lower": the target is a ceiling


@dataclass(frozen=True)
class KpiRow:
    """A library KPI on the task: suggested, or added from the library, and what was decided."""

    kpi: Kpi
    suggested: Target  # what the KPI's target rule gives this contract
    suggestion: Suggestion | None
    choice: Choice | None

    @property
    def mandatory(self) -> bool:
        """An obligation requires it: rejecting it needs a reason."""
        return self.suggestion is not None and self.suggestion.mandatory

    @property
    def status(self) -> KpiStatus:
        return self.choice.status if self.choice else KpiStatus.SUGGESTED

    @property
    def accepted(self) -> bool:
        return self.status in (KpiStatus.ACCEPTED, KpiStatus.EDITED)

    @property
    def target(self) -> Decimal | None:
        """The target it carries: the lead's own, else the suggested one (None: a baseline)."""
        if self.choice is not None and self.choice.target is not None:
            return self.choice.target
        return self.suggested.value

    @property
    def target_to_confirm(self) -> bool:
        """An edited target whose suggested target has changed since the lead set theirs (or
        was set before suggestions were recorded): the lead confirms it still fits."""
        if self.choice is None or self.choice.status is not KpiStatus.EDITED:
            return False
        then = self.choice.suggested_then
        return then is not None and then != suggestion_text(self.suggested.value)

    @property
    def reason(self) -> str:
        """Why it is on the list."""
        return self.suggestion.reason if self.suggestion else "Added from the library"

    @property
    def rejection(self) -> str:
        """The lead's reason for rejecting it ("" when none was given)."""
        return self.choice.reason if self.choice else ""

    @property
    def revision(self) -> int:
        return self.choice.revision if self.choice else 0


@dataclass(frozen=True)
class Problem:
    """Something that stops the task being complete, and the KPI (anchor) it is about."""

    anchor: str
    message: str


@dataclass(frozen=True)
class KpiTask:
    """Everything on the KPI task and how far it has got."""

    rows: tuple[KpiRow, ...]  # suggestions in rank order, then KPIs added from the library
    custom: tuple[CustomKpi, ...]
    duty_minimum: int
    # KPIs the lead accepted that have since been taken out of the library, and why: shown,
    # never counted or written into the specification.
    withdrawn: tuple[WithdrawnKpi, ...] = ()

    def row(self, code: str) -> KpiRow:
        """The row of a KPI on the task; KeyError if it is not on it."""
        for row in self.rows:
            if row.kpi.code == code:
                return row
        raise KeyError(code)

    @property
    def suggested_rows(self) -> tuple[KpiRow, ...]:
        return tuple(row for row in self.rows if row.suggestion is not None)

    @property
    def added_rows(self) -> tuple[KpiRow, ...]:
        return tuple(row for row in self.rows if row.suggestion is None)

    @property
    def accepted_count(self) -> int:
        return sum(row.accepted for row in self.rows) + len(self.custom)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """What is left before the selection meets the minimums, in page order."""
        found: list[Problem] = []
        for row in self.suggested_rows:
            anchor = f"kpi-{row.kpi.code}"
            if row.status is KpiStatus.SUGGESTED:
                found.append(Problem(anchor, f"Accept or reject “{row.kpi.title}”"))
            elif row.status is KpiStatus.REJECTED and row.mandatory and not row.rejection:
                found.append(Problem(
                    anchor, f"Give a reason for rejecting “{row.kpi.title}”: it is required"
                ))  # fmt: skip
        for row in self.rows:
            if row.accepted and row.target is None and row.kpi.target.kind != "baseline":
                found.append(Problem(  # no council default in force, and none of the lead's
                    f"target-{row.kpi.code}", f"Enter a target for “{row.kpi.title}”"
                ))  # fmt: skip
            if row.target_to_confirm:
                found.append(Problem(
                    f"kpi-{row.kpi.code}",
                    f"Confirm your target for “{row.kpi.title}”: the suggested target has changed",
                ))  # fmt: skip
        accepted = self.accepted_count
        if self.duty_minimum and accepted < self.duty_minimum:
            found.append(Problem(
                "kpi-count",
                f"Accept at least {self.duty_minimum} KPI{'' if self.duty_minimum == 1 else 's'}: "
                "the Procurement Act KPI duty "
                f"applies (you have accepted {accepted})",
            ))  # fmt: skip
        elif accepted == 0:
            found.append(Problem("kpi-count", "Accept at least one KPI"))
        return tuple(found)

    @property
    def status(self) -> TaskStatus:
        """Not started until the lead decides something; complete once nothing is left."""
        if not self.problems:
            return TaskStatus.COMPLETED
        if any(row.choice is not None for row in self.rows) or self.custom:
            return TaskStatus.IN_PROGRESS
        return TaskStatus.NOT_STARTED


def kpi_task(
    library: KpiLibrary,
    suggestions: Iterable[Suggestion],
    choices: Mapping[str, Choice],
    custom: Iterable[CustomKpi],
    *,
    value_pence: int,
    term_months: int,
    duty_minimum: int,
    answers: Mapping[str, Any] | None = None,
) -> KpiTask:
    """The task from the suggestions and the lead's choices. A choice on a KPI that is neither
    suggested nor in the library any more is left out; one that is not suggested any more
    stays as an added KPI only if it was accepted; one accepted and since withdrawn from the
    library is listed as withdrawn, with the library's reason."""
    rows: list[KpiRow] = []
    suggested_codes: set[str] = set()
    for suggestion in suggestions:
        suggested_codes.add(suggestion.kpi.code)
        rows.append(
            KpiRow(suggestion.kpi, suggestion.target, suggestion, choices.get(suggestion.kpi.code))
        )
    withdrawn: list[WithdrawnKpi] = []
    for code, choice in choices.items():
        if code in suggested_codes or choice.status not in (KpiStatus.ACCEPTED, KpiStatus.EDITED):
            continue
        try:
            kpi = library.kpi(code)
        except KeyError:
            taken_out = library.withdrawn_kpi(code)
            if taken_out is not None:
                withdrawn.append(taken_out)
            continue
        target = suggested_target(kpi, value_pence, term_months, answers=answers)
        rows.append(KpiRow(kpi, target, None, choice))
    return KpiTask(tuple(rows), tuple(custom), duty_minimum, tuple(withdrawn))


def search(library: KpiLibrary, query: str, topic_names: Mapping[str, str]) -> tuple[Kpi, ...]:
    """Library KPIs whose title, definition, unit or topic contain every word of `query`
    (case-insensitive); every KPI when the query is empty."""
    words = query.casefold().split()
    found = []
    for kpi in library.kpis:
        haystack = " ".join(
            (kpi.title, kpi.definition, kpi.unit, topic_names.get(kpi.topic, ""))
        ).casefold()
        if all(word in haystack for word in words):
            found.append(kpi)
    return tuple(found)
