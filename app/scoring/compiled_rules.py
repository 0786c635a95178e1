"""Scoring rules worked out against their form once, so scoring an assessment is mostly lookups.

For each answer rule the question it reads is found, and for a choice question every option
that scores gets its contribution (points and reason) made in advance; a number question's
bands get their limits in words. Rules and forms are frozen, so this is done once per pair
(app/forms/memo.py). docs/scoring.md describes the method these tables follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.forms.definition import FormDefinition, Question
from app.forms.memo import once_per_object
from app.forms.types import question_type
from app.scoring.results import Contribution
from app.scoring.rules import AnswerRule, Factor, Rule, ScoringRules


def _reason(said: str, question: Question) -> str:
    return f'You answered "{said}" to "{question.label}"'


_UNANSWERED = object()


@dataclass(frozen=True)
class AnswerScoring:
    """One answer rule against its question: what each answer to it contributes (as counted,
    and inside its factor if it is in one)."""

    rule: AnswerRule
    question_id: str
    question: Question
    factor: str | None
    by_option: Mapping[str, Contribution]  # choice questions: each option that scores
    bands: tuple[tuple[Decimal, int, str], ...]  # number questions: at least, points, in words
    number: bool  # scored by bands
    # In a factor, each of by_option's contributions as matched but not counted, by its id.
    uncounted: Mapping[int, Contribution]

    @classmethod
    def of(cls, rule: AnswerRule, question: Question, factor: str | None) -> AnswerScoring:
        """The rule's table for this question."""
        labels = {o.value: o.label for o in question_type(question.type).options(question)}
        by_option = {
            option: Contribution(points, _reason(labels.get(option, option), question),
                                 question.id, factor)
            for option, points in rule.points.items()
            if points != 0
        }  # fmt: skip
        unit = f" {question.unit}" if question.unit else ""
        bands = tuple((b.at_least, b.points, f"{b.at_least:,}{unit}") for b in rule.bands)
        uncounted = {id(c): _uncounted(c) for c in by_option.values()} if factor else {}
        number = question.type == "number"
        return cls(rule, rule.question, question, factor, by_option, bands, number, uncounted)

    def contribution_in(
        self, questions: Mapping[str, Question], answers: Mapping[str, Any]
    ) -> Contribution | None:
        """What the answer to the rule's question adds, when it is shown and answered."""
        value = answers.get(self.question_id, _UNANSWERED)
        if value is _UNANSWERED:
            return None
        question = questions[self.question_id]
        if question is not self.question:  # a walk of another copy of the form
            return AnswerScoring.of(self.rule, question, self.factor).contribution(value)
        if self.number or isinstance(value, list):
            return self.contribution(value)
        return self.by_option.get(value)  # the usual case, one choice: looked up directly

    def contribution(self, value: Any) -> Contribution | None:
        """What this answer adds, or None when it adds nothing."""
        if self.number:
            return self._number_contribution(value)
        if not isinstance(value, list):
            return self.by_option.get(value)
        points = [self.rule.points.get(option, 0) for option in value]
        if not points or max(points) == 0:
            return None
        return self.by_option[value[points.index(max(points))]]  # the first of the largest

    def _number_contribution(self, value: Any) -> Contribution | None:
        number = Decimal(value)
        reached = [band for band in self.bands if number >= band[0]]
        if not reached or reached[-1][1] == 0:
            return None
        _, points, limit = reached[-1]
        question = self.question  # describe() gives the number with its unit: "120 people"
        said = f"{question_type(question.type).describe(question, value)} (at least {limit})"
        return Contribution(points, _reason(said, question), question.id, self.factor)


@dataclass(frozen=True)
class FactorScoring:
    """Related answer rules, counted once: the factor is worth its largest contribution."""

    factor: str
    rules: tuple[AnswerScoring, ...]


ScoredRule = AnswerScoring | FactorScoring


@dataclass(frozen=True)
class TopicScoring:
    """One topic's rules, compiled."""

    base: str
    risk: tuple[ScoredRule, ...]
    scope: tuple[ScoredRule, ...]
    required: tuple[str, ...]  # its scored questions that must be answered, risk rules first


def _compiled(rules: tuple[Rule, ...], questions: Mapping[str, Question]) -> tuple[ScoredRule, ...]:
    # A rule on a question the form does not have can never be answered, so never counts.
    def answer(rule: AnswerRule, factor: str | None = None) -> tuple[AnswerScoring, ...]:
        question = questions.get(rule.question)
        return (AnswerScoring.of(rule, question, factor),) if question is not None else ()

    compiled: list[ScoredRule] = []
    for rule in rules:
        if isinstance(rule, Factor):
            parts = tuple(scoring for part in rule.rules for scoring in answer(part, rule.factor))
            compiled.append(FactorScoring(rule.factor, parts))
        else:
            compiled.extend(answer(rule))
    return tuple(compiled)


@once_per_object(limit=16)
def compiled_rules(rules: ScoringRules, definition: FormDefinition) -> dict[str, TopicScoring]:
    """Each topic's rules compiled against the form (worked out once per rules and form)."""
    questions = {question.id: question for question in definition.questions}
    return {
        code: TopicScoring(
            topic.base,
            _compiled(topic.risk, questions),
            _compiled(topic.scope, questions),
            tuple(
                qid
                for qid in rules.scored_questions[code]
                if qid in questions and questions[qid].required
            ),
        )
        for code, topic in rules.topics.items()
    }


def _uncounted(item: Contribution) -> Contribution:
    return Contribution(item.points, item.reason, item.question_id, item.factor, counted=False)


def contributions(
    rules: tuple[ScoredRule, ...], answers: Mapping[str, Any], found: list[Contribution]
) -> int:
    """Add every contribution of these rules to one score to `found`, in rule order, and
    return the sum of the counted points (within a factor, only the first of the largest
    counts). `answers` holds only questions that are shown, from the form the rules were
    compiled against, so an answer found is always to the compiled rule's own question. This
    is the engine's innermost loop, so it reads the one-choice case (most answers) inline."""
    total = 0
    get = answers.get
    for rule in rules:
        if rule.__class__ is FactorScoring:
            best: Contribution | None = None
            matched: list[tuple[AnswerScoring, Contribution]] = []
            for part in rule.rules:
                value = get(part.question_id, _UNANSWERED)
                if value is _UNANSWERED:
                    continue
                item = (
                    part.by_option.get(value)
                    if value.__class__ is str and not part.number
                    else part.contribution(value)
                )
                if item is not None:
                    matched.append((part, item))
                    if best is None or item.points > best.points:
                        best = item  # the first of the largest
            if best is not None:
                total += best.points
                for part, item in matched:
                    found.append(
                        item if item is best else part.uncounted.get(id(item)) or _uncounted(item)
                    )
            continue
        value = get(rule.question_id, _UNANSWERED)  # type: ignore[union-attr]
        if value is _UNANSWERED:
            continue
        item = (
            rule.by_option.get(value)  # type: ignore[union-attr]
            if value.__class__ is str and not rule.number  # type: ignore[union-attr]
            else rule.contribution(value)  # type: ignore[union-attr]
        )
        if item is not None:
            found.append(item)
            total += item.points
    return total
