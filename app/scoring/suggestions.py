"""KPI suggestions from a scored assessment: which KPIs to put in the specification, each with
why, whether an obligation makes it mandatory, and a target worked out from the contract and
the answers.

Pure: the KPI library, the scoring Result, the procurement's facts, the answers that count and
the reference data (the suggestion policy) arrive as arguments. Only KPIs that fit are offered:
each declares, in the questionnaire's own conditions, what makes it relevant (a catering
contract is never offered a timber KPI, goods never a Living Wage one). The rules, in order:

1. Mandatory: the KPIs serving the London Living Wage and the carbon reduction plan when those
   apply, and supply-chain due diligence when the modern slavery risk is high.
2. Called for by the answers: a KPI whose `suggest_if` holds (apprenticeships said to be
   possible on works, or on services in spend band 3 and above; food provided), with its reason.
3. Then, up to the policy's most suggested, one KPI from each high- or medium-priority topic in
   rank order (results.ranked: priority, risk, scope, the category's relevance), then a second
   from each, and so on. With none, one from the three topics the results name to focus on.
4. Where local employment and skills is a medium or high priority, at least the policy's
   minimum of employment and skills KPIs, replacing the last optional suggestions if needed.
5. Where the Procurement Act KPI duty applies, at least its minimum number of KPIs in all,
   taking KPIs of low-priority topics if need be. Topics that are not applicable are never
   suggested.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.forms.conditions import ProcurementContext, holds
from app.scoring.kpis import Kpi, KpiLibrary, Target, suggested_target
from app.scoring.reference_data import NoValueInForce, ReferenceData
from app.scoring.results import Priority, Result, TopicResult, ranked

EMPLOYMENT = "employment-skills"

# The obligations that make their KPIs mandatory, and when.
MANDATORY: tuple[tuple[str, Callable[[Result], bool], str], ...] = (
    ("london-living-wage", lambda r: r.obligation("london-living-wage").applies,
     "Required: the London Living Wage applies"),
    ("modern-slavery", lambda r: r.modern_slavery_level == "high",
     "Required: the modern slavery risk is high"),
    ("carbon-reduction-plan", lambda r: r.obligation("carbon-reduction-plan").applies,
     "Required: a carbon reduction plan is needed"),
)  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    """A suggested KPI, why, whether it may be rejected without a reason, and its target."""

    kpi: Kpi
    reason: str
    mandatory: bool
    target: Target


@dataclass(frozen=True)
class Policy:
    """The suggestion policy in force (reference data); None means no limit was recorded."""

    maximum: int | None
    employment_minimum: int


def policy_on(reference: ReferenceData, on: date | None) -> Policy:
    """The policy in force on `on`: no cap and no employment minimum when none is recorded."""

    def amount(key: str) -> int | None:
        try:
            return reference.in_force(key, on).amount if on else None
        except NoValueInForce:
            return None

    return Policy(amount("suggest_kpis_maximum"), amount("suggest_kpis_employment_minimum") or 0)


def kpi_duty_minimum(result: Result, reference: ReferenceData, on: date | None) -> int:
    """How many KPIs the Procurement Act duty needs (0 when it does not apply)."""
    if not result.obligation("kpi-duty").applies or on is None:
        return 0
    try:
        return reference.in_force("kpi_duty_minimum", on).amount
    except NoValueInForce:
        return 0


def fits(
    kpi: Kpi, answers: Mapping[str, Any], context: ProcurementContext, applying: frozenset[str]
) -> bool:
    """Whether the KPI fits this procurement: its obligations apply and its condition holds."""
    if any(code not in applying for code in kpi.needs_obligations):
        return False
    return kpi.relevant_if is None or holds(kpi.relevant_if, answers, context)


def _why(row: TopicResult) -> str:
    return (
        f"{row.topic.name} is {row.priority.label.lower()} priority "
        f"(risk {row.risk.value}, scope to improve {row.scope.value})"
    )


def suggest(
    library: KpiLibrary,
    result: Result,
    context: ProcurementContext,
    reference: ReferenceData,
    *,
    answers: Mapping[str, Any] | None = None,
) -> tuple[Suggestion, ...]:
    """The ranked suggestions for a scored assessment (see the module's rules). `answers` are
    the answers that count: they decide which KPIs fit and size their targets."""
    answers = answers or {}
    on = context.planned_tender_date
    policy = policy_on(reference, on)
    term = context.term_months
    applying = frozenset(o.code for o in result.obligations if o.applies)

    def suggestion(kpi: Kpi, reason: str, mandatory: bool) -> Suggestion:
        target = suggested_target(kpi, context.value_pence, term, answers=answers)
        return Suggestion(kpi, reason, mandatory, target)

    chosen: dict[str, Suggestion] = {}
    for obligation, applies, reason in MANDATORY:
        if applies(result):
            for kpi in library.for_obligation(obligation):
                chosen.setdefault(kpi.code, suggestion(kpi, reason, True))
    fitting = [kpi for kpi in library.kpis if fits(kpi, answers, context, applying)]
    for kpi in fitting:  # the answers call for these: first, whatever their topic's priority
        if kpi.suggest_if is not None and holds(kpi.suggest_if, answers, context):
            chosen.setdefault(kpi.code, suggestion(kpi, kpi.suggest_reason, False))
    called = len(chosen)

    fitting_library = library.model_copy(update={"kpis": tuple(fitting)})
    order = ranked(result.topics, context.topic_relevance)
    prioritised = [row for row in order if row.priority in (Priority.MEDIUM, Priority.HIGH)]
    candidates = _round_robin(fitting_library, prioritised, set(chosen))
    room = len(candidates) if policy.maximum is None else max(0, policy.maximum - called)
    optional = candidates[:room]
    employment_row = next(row for row in result.topics if row.topic.code == EMPLOYMENT)
    if employment_row.priority in (Priority.MEDIUM, Priority.HIGH):
        optional = _with_employment(
            optional, candidates, policy.employment_minimum, list(chosen.values())
        )
    if not prioritised and result.focus and room > 0:  # one from the topics to focus on
        focus = _round_robin(fitting_library, list(result.focus), set(chosen))
        optional = [(kpi, f"{why}: one of the three topics to focus on") for kpi, why in focus[:1]]
    needed = kpi_duty_minimum(result, reference, on) - called - len(optional)
    if needed > 0:  # the duty's minimum beats the cap, and reaches low-priority topics
        everything = _round_robin(fitting_library, order, set(chosen))
        optional += [c for c in everything if c[0] not in {k for k, _ in optional}][:needed]
    for kpi, reason in optional:
        chosen.setdefault(kpi.code, suggestion(kpi, reason, False))
    return tuple(chosen.values())


def _round_robin(
    library: KpiLibrary, order: list[TopicResult], taken: set[str]
) -> list[tuple[Kpi, str]]:
    """Each topic's first KPI in topic order, then each one's second, and so on."""
    queues = [
        ([kpi for kpi in library.for_topic(row.topic.code) if kpi.code not in taken], _why(row))
        for row in order
    ]
    found: list[tuple[Kpi, str]] = []
    depth = 0
    while any(depth < len(kpis) for kpis, _ in queues):
        found += [(kpis[depth], why) for kpis, why in queues if depth < len(kpis)]
        depth += 1
    return found


def _with_employment(
    optional: list[tuple[Kpi, str]],
    candidates: list[tuple[Kpi, str]],
    minimum: int,
    required: list[Suggestion],
) -> list[tuple[Kpi, str]]:
    """At least `minimum` employment and skills KPIs. Every candidate fits under the cap unless
    the cap cut some off, so one left out replaces the last optional KPI of another topic."""
    have = sum(s.kpi.topic == EMPLOYMENT for s in required)
    have += sum(kpi.topic == EMPLOYMENT for kpi, _ in optional)
    left_out = [c for c in candidates if c[0].topic == EMPLOYMENT and c not in optional]
    result = list(optional)
    while have < minimum and left_out:
        others = [i for i, (kpi, _) in enumerate(result) if kpi.topic != EMPLOYMENT]
        if others:
            result[others[-1]] = left_out.pop(0)
        else:
            result.append(left_out.pop(0))
        have += 1
    return result
