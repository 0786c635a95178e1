"""The scoring engine: answers and facts in, topic priorities, obligations and their reasons out.

Pure: (form definition, scoring rules, procurement context, answers, reference data) -> Result.
No database, request, clock or settings: "today" (for the latest London Living Wage) and the
officers' overrides arrive as arguments. Only answers that count are scored: those to questions
that are shown, given and valid (app/forms/journey.py), so answers to hidden questions never
change a result. docs/scoring.md describes the method so a result can be checked by hand.

Speed: rules are compiled against their form once (app/scoring/compiled_rules.py) and show-if
conditions once per form (app/forms/journey.py); benchmarks/scoring.py measures a full
assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from app.forms.conditions import ProcurementContext
from app.forms.definition import FormDefinition, Question
from app.forms.journey import Walk, counted_answers
from app.forms.memo import once_per_object
from app.scoring.compiled_rules import TopicScoring, compiled_rules, contributions
from app.scoring.obligations import Obligation, obligations_for_answers
from app.scoring.reference_data import NoValueInForce, ReferenceData
from app.scoring.results import (
    PRIORITIES,
    PRIORITY_RANKS,
    Contribution,
    OverallRating,
    Override,
    Priority,
    Requirement,
    Result,
    Score,
    SpendBand,
    ThemeSummary,
    TopicResult,
    ranked,
)
from app.scoring.rules import ScoringRules
from app.scoring.topics import Theme, Topic, TopicCatalogue

__all__ = [  # the results are defined in app/scoring/results.py and used from here
    "PRIORITY_RANKS", "Contribution", "OverallRating", "Override", "Priority", "Result", "Score",
    "SpendBand", "ThemeSummary", "TopicResult", "priority_of", "score", "score_walk",
    "spend_band",
]  # fmt: skip

MAXIMUM = 3
SOCIAL_THEMES = ("society", "fair-delivery")
SPEND_BAND_KEYS = ("spend_band_2", "spend_band_3", "spend_band_4", "spend_band_5")


def _cap(total: int) -> int:
    """A sum of points kept within 0 to 3."""
    return 0 if total < 0 else MAXIMUM if total > MAXIMUM else total


RELEVANCE_WORDS = {0: "not relevant", 1: "of low relevance", 2: "of medium relevance",
                   3: "of high relevance"}  # fmt: skip


def _base(
    rules: ScoringRules, topic: Topic, base: str, context: ProcurementContext
) -> Contribution:
    category = context.category_name or context.category
    if base == "industry":
        level = context.industry_risk
        points = rules.industry_points.get(level, 0)  # type: ignore[call-overload]
        return _industry(points, category, level, context.industry_risk_note)
    relevance = int(context.topic_relevance.get(topic.code, 0))
    return _relevance(rules.relevance_points.get(relevance, 0), category, relevance)


# The category's contributions recur from one assessment to the next: made once each.
@lru_cache(maxsize=1024, typed=True)
def _industry(points: int, category: str, level: str, note: str) -> Contribution:
    why = f" ({note})" if note else ""
    return Contribution(
        points, f'Category "{category}" is a {level}-risk industry for modern slavery{why}'
    )


@lru_cache(maxsize=1024, typed=True)
def _relevance(points: int, category: str, relevance: int) -> Contribution:
    words = RELEVANCE_WORDS[relevance]
    return Contribution(points, f'Category "{category}" is usually {words} to this topic')


def spend_band(value_pence: int, on: date | None, reference: ReferenceData) -> SpendBand | None:
    """The spend band of a whole-life value: 1 + the number of band limits it reaches (>=)."""
    if on is None:
        return None
    try:
        limits = [reference.in_force(key, on) for key in SPEND_BAND_KEYS]
    except NoValueInForce:
        return None
    band = 1 + sum(value_pence >= limit.amount for limit in limits)
    lower = limits[band - 2] if band > 1 else None
    upper = limits[band - 1] if band <= len(limits) else None
    return SpendBand(band, value_pence, lower, upper, of=len(limits) + 1)


def _scope_base(rules: ScoringRules, band: SpendBand | None) -> tuple[Contribution, ...]:
    if band is None or band.band < rules.influence.from_spend_band or not rules.influence.points:
        return ()
    reason = (
        f"Spend band {band.band}: a contract this size gives the council influence in the "
        "market to ask for more"
    )
    return (Contribution(rules.influence.points, reason),)


# PPN 009: modern slavery can happen in any supply chain, so every contract owes at least the
# low-risk due diligence, and the topic's priority is at least low to match.
MODERN_SLAVERY_FLOOR = (
    "At least 1: modern slavery can happen in any supply chain (PPN 009), so its risk is never "
    "below low"
)


def _topic(
    rules: ScoringRules,
    scoring: TopicScoring,
    topic: Topic,
    theme: Theme,
    context: ProcurementContext,
    questions: Mapping[str, Question],  # the questions shown
    answers: Mapping[str, Any],  # only questions that are shown, answered and valid
    influence: tuple[Contribution, ...],
    overrides: Mapping[tuple[str, str], Override],
) -> TopicResult:
    base = _base(rules, topic, scoring.base, context)
    risk_parts = [base]
    risk_total = _cap(base.points + contributions(scoring.risk, answers, risk_parts))
    slavery = topic.code == rules.obligations.modern_slavery.topic
    if slavery and risk_total == 0:  # never "not applicable", as its obligation never is
        risk_parts.append(Contribution(1, MODERN_SLAVERY_FLOOR, floor=True))
        risk_total = 1
    risk = Score(risk_total, tuple(risk_parts), overrides.get((topic.code, "risk")))
    scope_parts: list[Contribution] = []
    scope_total = 0
    if risk_total:  # buyer influence, for relevant topics
        scope_parts += influence
        scope_total = sum([part.points for part in influence])
    scope_total = _cap(scope_total + contributions(scoring.scope, answers, scope_parts))
    scope = Score(scope_total, tuple(scope_parts), overrides.get((topic.code, "scope")))
    unanswered = tuple(
        [questions[qid] for qid in scoring.required if qid in questions and qid not in answers]
    )
    priority = priority_of(rules, max(risk.value, 1) if slavery else risk.value, scope.value)
    return TopicResult(topic, theme, risk, scope, priority, unanswered)


@once_per_object(limit=4)
def _themes_by_topic(catalogue: TopicCatalogue) -> dict[str, Theme]:
    """Each topic's theme (TopicCatalogue.theme_of, looked up once)."""
    return {topic.code: catalogue.theme_of(topic.code) for topic in catalogue.topics}


def priority_of(rules: ScoringRules, risk: int, scope: int) -> Priority:
    """The priority table: risk 0 is not applicable; otherwise the rules' row and column."""
    if risk == 0:
        return Priority.NOT_APPLICABLE
    name = rules.priority[risk][scope]  # type: ignore[index]
    return _PRIORITY_NAMED.get(name) or Priority(name)  # Priority() only to refuse a bad name


_PRIORITY_NAMED = {priority.value: priority for priority in PRIORITIES}


def _highest(rows: tuple[TopicResult, ...]) -> Priority:
    return PRIORITIES[max([PRIORITY_RANKS[row.priority] for row in rows])]


def _themes(catalogue: TopicCatalogue, rows: tuple[TopicResult, ...]) -> tuple[ThemeSummary, ...]:
    """Each theme's rows (in catalogue order, as `rows` are), their highest priority and how
    many are at each priority."""
    summaries = []
    start = 0
    for theme in catalogue.themes:
        mine = rows[start : start + len(theme.topics)]
        start += len(theme.topics)
        counts = dict.fromkeys(PRIORITIES, 0)
        for row in mine:
            counts[row.priority] += 1
        highest = max([rank for rank, p in enumerate(PRIORITIES) if counts[p]], default=0)
        summaries.append(ThemeSummary(theme, PRIORITIES[highest], counts, mine))
    return tuple(summaries)


def _overall(
    rules: ScoringRules, band: SpendBand | None, rows: tuple[TopicResult, ...]
) -> OverallRating:
    highest = _highest(rows)
    number = band.band if band else 1
    rating = rules.overall[number][highest.rank]  # type: ignore[index]
    at_highest = tuple(row.topic for row in rows if row.priority is highest)
    return OverallRating(rating, number, highest, at_highest)


def score_walk(
    rules: ScoringRules,
    context: ProcurementContext,
    current: Walk,
    reference: ReferenceData,
    *,
    as_of: date,
    topics: TopicCatalogue,
    overrides: Mapping[tuple[str, str], Override] | None = None,
    kpi_exception: str | None = None,
) -> Result:
    """Score an already-walked form (the web pages have walked it once for display)."""
    return _score(
        rules,
        context,
        current.definition,
        current.shown_by_id,
        current.values,
        reference,
        as_of=as_of,
        overrides=overrides,
        catalogue=topics,
        kpi_exception=kpi_exception,
    )


def _score(
    rules: ScoringRules,
    context: ProcurementContext,
    definition: FormDefinition,
    questions: Mapping[str, Question],
    answers: dict[str, Any],
    reference: ReferenceData,
    *,
    as_of: date,
    overrides: Mapping[tuple[str, str], Override] | None,
    catalogue: TopicCatalogue,
    kpi_exception: str | None = None,
) -> Result:
    """What score and score_walk share: all they need are the questions shown and the answers
    that count."""
    band = spend_band(context.value_pence, context.planned_tender_date, reference)
    all_answers = answers
    not_scored = rules.not_scored  # settled by law, or promises: never change a score
    if any(qid in questions for qid in not_scored):
        questions = {qid: q for qid, q in questions.items() if qid not in not_scored}
        answers = {qid: value for qid, value in answers.items() if qid not in not_scored}
    compiled, themes = compiled_rules(rules, definition), _themes_by_topic(catalogue)
    influence, overrides = _scope_base(rules, band), overrides or {}
    rows = tuple(
        _topic(rules, compiled[topic.code], topic, themes[topic.code], context, questions,
               answers, influence, overrides)
        for topic in catalogue.topics
    )  # fmt: skip
    slavery = _slavery(rules)
    found = obligations_for_answers(
        rules,
        context,
        all_answers,
        reference,
        as_of=as_of,
        kpi_exception=kpi_exception,
        slavery_risk=next(r.risk.value for r in rows if r.topic.code == slavery),
        high_priority_social=tuple(
            row.topic.name
            for row in rows
            if row.theme.code in SOCIAL_THEMES and row.priority is Priority.HIGH
        ),
    )
    return Result(
        topics=rows,
        themes=_themes(catalogue, rows),
        spend_band=band,
        overall=_overall(rules, band, rows),
        obligations=found.obligations,
        weighting=found.weighting,
        modern_slavery_level=found.modern_slavery_level,
        blockers=found.blockers,
        blocked_questions=found.blocked_questions,
        requirements=_requirements(rules, all_answers, found.obligations),
        focus=focus_of(rows, context),
    )


FOCUS = 3  # how many topics the results name to focus on


def focus_of(rows: tuple[TopicResult, ...], context: ProcurementContext) -> tuple[TopicResult, ...]:
    """The topics to focus on: the first three in rank order (results.ranked)."""
    return tuple(ranked(rows, context.topic_relevance)[:FOCUS])


def _requirements(
    rules: ScoringRules, answers: Mapping[str, Any], obligations: tuple[Obligation, ...]
) -> tuple[Requirement, ...]:
    """What the answers that are promises add to the specification, in the rules' order: not
    where an obligation that applies already requires the same."""
    applying = {obligation.code for obligation in obligations if obligation.applies}
    return tuple(
        Requirement(qid, promise.title, promise.requirement)
        for qid, promise in rules.promises.items()
        if answers.get(qid) == promise.when and promise.unless_obligation not in applying
    )


def _slavery(rules: ScoringRules) -> str:
    return rules.obligations.modern_slavery.topic


def score(
    definition: FormDefinition,
    rules: ScoringRules,
    context: ProcurementContext,
    answers: Mapping[str, Any],
    reference: ReferenceData,
    *,
    as_of: date,
    topics: TopicCatalogue,
    overrides: Mapping[tuple[str, str], Override] | None = None,
    kpi_exception: str | None = None,
) -> Result:
    """Score raw answers (as stored) for a procurement: the whole engine in one call.
    `kpi_exception` is the reason recorded for setting no KPIs (Procurement Act s.52(2))."""
    # Scoring needs which questions show and which answers count, not each answer's reading.
    shown, values = counted_answers(definition, context, answers)
    return _score(
        rules,
        context,
        definition,
        shown,
        values,
        reference,
        as_of=as_of,
        overrides=overrides,
        catalogue=topics,
        kpi_exception=kpi_exception,
    )
