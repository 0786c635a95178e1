"""Scoring rules as data: one file per form version, beside the form (primas-v1.scoring.yaml).

The rules say how answers and the procurement's facts become points for each topic's risk and
scope, how risk and scope make a priority, and which questions the obligations read. They are
checked against their form when loaded, with every problem reported by name, the way form
definitions are: a scored question whose options have no declared risk order, a rule on a
question that does not feed that topic, or risk points that fall as answers get riskier are
refused, so "a riskier answer never lowers a risk score" holds by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from app.forms.definition import FormDefinition, Question
from app.forms.loader import RULES_SUFFIX, DefinitionError, DefinitionInvalid, parse_model
from app.forms.types import question_type
from app.scoring.obligation_codes import OBLIGATION_CODES

PriorityName = Literal["not-applicable", "low", "medium", "high"]
Rating = Literal["low", "medium", "high"]
SCORED_TYPES = frozenset({"yes_no", "single_choice", "multiple_choice", "number"})


class Strict(BaseModel):
    """Rules refuse unknown keys: a misspelt key is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(Strict):
    """For a number question: this many points at or above `at_least`."""

    at_least: Decimal
    points: int = Field(ge=0, le=3)


class AnswerRule(Strict):
    """Points for one question's answer: per option, or per band for numbers."""

    question: str
    points: dict[str, int] = Field(default_factory=dict)
    bands: tuple[Band, ...] = ()


class Factor(Strict):
    """Related rules counted once: the factor is worth its largest contribution."""

    factor: str = Field(min_length=1)
    rules: tuple[AnswerRule, ...] = Field(min_length=1)


def _rule_kind(data: Any) -> str:
    if isinstance(data, dict):
        return "factor" if "factor" in data else "answer"
    return "factor" if isinstance(data, Factor) else "answer"


Rule = Annotated[
    Annotated[AnswerRule, Tag("answer")] | Annotated[Factor, Tag("factor")],
    Discriminator(_rule_kind),
]


class TopicRules(Strict):
    """How one topic's risk and scope are worked out."""

    base: Literal["relevance", "industry"] = "relevance"
    risk: tuple[Rule, ...] = ()
    scope: tuple[Rule, ...] = ()


class Influence(Strict):
    """Scope added to every relevant topic when the spend band is large (buyer influence)."""

    from_spend_band: int = Field(ge=1, le=5)
    points: int = Field(ge=0, le=3)


class LivingWageRules(Strict):
    """Which answers decide whether the London Living Wage applies.

    Later versions ask the Living Wage Foundation's per-worker test directly (`meets_test`)
    and whether care is delivered in people's own homes (`care_in_homes`); in the
    `care_in_homes_categories` that question unanswered reads as "not known yet". Version 1
    asked whether staff work on the premises and their average hours and weeks, and had no
    question about homes: its `care_in_homes_categories` are that work, and in its
    `care_in_homes_possible` some of the work may be.
    """

    meets_test: str | None = None
    care_in_homes: str | None = None
    care_in_homes_categories: tuple[str, ...] = ()
    care_in_homes_possible: tuple[str, ...] = ()
    on_premises: str | None = None
    hours_per_day: str | None = None
    weeks_per_year: str | None = None
    minimum_hours_per_day: Decimal = Decimal(2)
    minimum_weeks: Decimal = Decimal(8)


class ModernSlaveryRules(Strict):
    """The modern slavery level from the topic's risk, and the questions the duty reads."""

    topic: str
    high_from_risk: int = Field(ge=1, le=3)
    medium_from_risk: int = Field(ge=1, le=3)
    mitigation: str
    large_suppliers: str
    msat: str


class PaymentRules(Strict):
    """Paying within 30 days is law down the whole supply chain. `settled_by_law` names
    questions an older version asked about it: their answers are never scored. `reporting` is
    the question whose "yes" asks the supplier to report its payment times."""

    settled_by_law: tuple[str, ...] = ()
    reporting: str | None = None


class ObligationRules(Strict):
    """The questions each answer-dependent obligation reads."""

    london_living_wage: LivingWageRules
    modern_slavery: ModernSlaveryRules
    payment: PaymentRules = PaymentRules()


class Promise(Strict):
    """An answer that is a promise of what the council will ask for ("Will you ask bidders for
    a carbon reduction plan?"). It never changes a score: the answer `when` adds the
    requirement, addressed to the supplier, to the specification."""

    when: str = "yes"
    title: str = Field(min_length=1, max_length=120)
    requirement: str = Field(min_length=1)
    unless_obligation: str | None = None  # already required when this obligation applies


class ScoringRules(Strict):
    """One form version's scoring rules."""

    form: str
    version: int = Field(ge=1)
    order: dict[str, tuple[str, ...] | Literal["larger"]]
    relevance_points: dict[int, int]
    industry_points: dict[Literal["low", "medium", "high"], int]
    influence: Influence
    priority: dict[Literal[1, 2, 3], tuple[PriorityName, PriorityName, PriorityName, PriorityName]]
    overall: dict[Literal[1, 2, 3, 4, 5], tuple[Rating, Rating, Rating, Rating]]
    obligations: ObligationRules
    topics: dict[str, TopicRules]
    promises: dict[str, Promise] = Field(default_factory=dict)

    @cached_property
    def not_scored(self) -> frozenset[str]:
        """Questions whose answers never change a score: settled by law, or promises."""
        return frozenset(self.obligations.payment.settled_by_law) | frozenset(self.promises)

    @cached_property
    def scored_questions(self) -> dict[str, tuple[str, ...]]:
        """Each topic's scored questions, risk rules first, each once."""
        return {
            code: tuple(dict.fromkeys(r.question for r in answer_rules(t.risk + t.scope)))
            for code, t in self.topics.items()
        }


def answer_rules(rules: tuple[Rule, ...]) -> Iterator[AnswerRule]:
    """Every answer rule, inside factors or not."""
    for rule in rules:
        if isinstance(rule, Factor):
            yield from rule.rules
        else:
            yield rule


def _options(question: Question) -> list[str]:
    return [option.value for option in question_type(question.type).options(question)]


def _check_rule(
    rule: AnswerRule,
    topic: str,
    measure: str,
    rules: ScoringRules,
    questions: Mapping[str, Question],
) -> Iterator[DefinitionError]:
    where = f"topics.{topic}.{measure}: question '{rule.question}'"
    question = questions.get(rule.question)
    if question is None:
        yield DefinitionError("unknown-question", where, "the form has no such question")
        return
    if question.type not in SCORED_TYPES:
        yield DefinitionError("unscorable-question", where, f"a {question.type} cannot be scored")
        return
    if f"score:{topic}" not in question.feeds:
        yield DefinitionError(
            "not-fed", where, f"the question does not declare 'score:{topic}' in its feeds"
        )
    if question.type == "number":
        if rule.points or not rule.bands:
            yield DefinitionError("bad-rule", where, "a number question scores by bands only")
        limits = [band.at_least for band in rule.bands]
        points = [band.points for band in rule.bands]
        if limits != sorted(set(limits)):
            yield DefinitionError("bad-rule", where, "bands must rise, each once")
        if measure == "risk" and points != sorted(points):
            yield DefinitionError("risk-order", where, "a larger number must never score less risk")
        return
    if rule.bands or not rule.points:
        yield DefinitionError("bad-rule", where, "a choice question scores by option points")
        return
    offered = _options(question)
    for option in rule.points:
        if option not in offered:
            yield DefinitionError("unknown-option", where, f"no option '{option}'")
    if any(points < 0 or points > 3 for points in rule.points.values()):
        yield DefinitionError("bad-rule", where, "points are 0 to 3")
    order = rules.order.get(rule.question)
    if measure == "risk" and question.type == "multiple_choice" and question.not_known:
        # "Not known yet" stands alone: it must score at least as much as any other answer.
        unknown = rule.points.get("not-known", 0)
        if any(points > unknown for points in rule.points.values()):
            yield DefinitionError(
                "risk-order", where, "'not-known' must score at least as much as any option"
            )
    if measure == "risk" and question.type != "multiple_choice" and isinstance(order, tuple):
        along = [rule.points.get(option, 0) for option in order]
        if along != sorted(along):
            yield DefinitionError(
                "risk-order",
                where,
                f"risk points {along} fall along the declared order {list(order)}",
            )


def check_rules(
    rules: ScoringRules, definition: FormDefinition, topics: frozenset[str]
) -> list[DefinitionError]:
    """Every problem with a form's scoring rules, checked against the form itself."""
    errors: list[DefinitionError] = []
    if (rules.form, rules.version) != (definition.id, definition.version):
        errors.append(DefinitionError(
            "wrong-form", "form", f"rules for {rules.form} v{rules.version}, "
            f"beside {definition.id} v{definition.version}",
        ))  # fmt: skip
    questions = {question.id: question for question in definition.questions}
    for qid, question in questions.items():
        fed = [feed for feed in question.feeds if feed.startswith("score:")]
        if not fed:
            continue
        where = f"order.{qid}"
        order = rules.order.get(qid)
        if order is None:
            errors.append(DefinitionError(
                "no-risk-order", where, "a scored question must declare its options' risk order"
            ))  # fmt: skip
        elif question.type == "number":
            if order != "larger":
                errors.append(DefinitionError("bad-order", where, "a number's order is 'larger'"))
        elif order == "larger" or sorted(order) != sorted(_options(question)):
            errors.append(DefinitionError(
                "bad-order", where, f"the order must list every option once: {_options(question)}"
            ))  # fmt: skip
        for feed in fed:
            topic = feed.removeprefix("score:")
            topic_rules = rules.topics.get(topic)
            used = {
                rule.question
                for rule in answer_rules(
                    (topic_rules.risk + topic_rules.scope) if topic_rules else ()
                )
            }
            if qid not in used:
                errors.append(DefinitionError(
                    "unscored-feed", f"question '{qid}'", f"feeds '{feed}' but no rule scores it"
                ))  # fmt: skip
    for qid in rules.order:
        if qid not in questions:
            errors.append(DefinitionError("unknown-question", f"order.{qid}", "no such question"))
    for topic, topic_rules in rules.topics.items():
        if topic not in topics:
            errors.append(DefinitionError("unknown-topic", f"topics.{topic}", "no such topic"))
        for measure in ("risk", "scope"):
            for rule in answer_rules(getattr(topic_rules, measure)):
                errors.extend(_check_rule(rule, topic, measure, rules, questions))
    for topic in sorted(topics - rules.topics.keys()):
        errors.append(DefinitionError("missing-topic", f"topics.{topic}", "no rules for topic"))
    errors.extend(_table_problems(rules))
    errors.extend(_obligation_problems(rules, questions, topics))
    errors.extend(_promise_problems(rules, questions))
    return errors


def _promise_problems(
    rules: ScoringRules, questions: Mapping[str, Question]
) -> Iterator[DefinitionError]:
    """A promise names a question of the form, and an answer that question can give."""
    for qid, promise in rules.promises.items():
        where = f"promises.{qid}"
        question = questions.get(qid)
        if question is None:
            yield DefinitionError("unknown-question", where, f"no question '{qid}'")
        elif question.type not in ("yes_no", "single_choice"):
            yield DefinitionError("wrong-type", where, f"'{qid}' is a {question.type}")
        elif promise.when not in _options(question):
            yield DefinitionError("unknown-option", where, f"no option '{promise.when}'")
        if promise.unless_obligation and promise.unless_obligation not in OBLIGATION_CODES:
            yield DefinitionError(
                "unknown-obligation", where, f"no obligation '{promise.unless_obligation}'"
            )


TABLE_ROWS: dict[str, set[Any]] = {
    "priority": {1, 2, 3},
    "overall": {1, 2, 3, 4, 5},
    "relevance_points": {0, 1, 2, 3},
    "industry_points": {"low", "medium", "high"},
}


def _table_problems(rules: ScoringRules) -> Iterator[DefinitionError]:
    """Every table has every row, so no score can fall through a gap."""
    for name, wanted in TABLE_ROWS.items():
        missing = wanted - set(getattr(rules, name))
        if missing:
            rows = ", ".join(map(str, sorted(missing, key=str)))
            yield DefinitionError("incomplete-table", name, f"has no row for {rows}")


# The type each question an obligation reads must have, so its answer means what it expects.
OBLIGATION_TYPES = {
    "london_living_wage.meets_test": "yes_no",
    "london_living_wage.care_in_homes": "yes_no",
    "london_living_wage.on_premises": "yes_no",
    "london_living_wage.hours_per_day": "number",
    "london_living_wage.weeks_per_year": "number",
    "modern_slavery.mitigation": "group",
    "modern_slavery.large_suppliers": "yes_no",
    "modern_slavery.msat": "yes_no",
    "payment.reporting": "yes_no",
}
VERSION_1_LIVING_WAGE = ("on_premises", "hours_per_day", "weeks_per_year")


def _obligation_problems(
    rules: ScoringRules, questions: Mapping[str, Question], topics: frozenset[str]
) -> Iterator[DefinitionError]:
    for name, qid in _obligation_questions(rules).items():
        where = f"obligations.{name}"
        question = questions.get(qid)
        if question is None:
            yield DefinitionError("unknown-question", where, f"no question '{qid}'")
        elif name in OBLIGATION_TYPES and question.type != OBLIGATION_TYPES[name]:
            yield DefinitionError(
                "wrong-type", where, f"'{qid}' is a {question.type}, not a {OBLIGATION_TYPES[name]}"
            )
    llw = rules.obligations.london_living_wage
    older = [getattr(llw, name) for name in VERSION_1_LIVING_WAGE]
    if bool(llw.meets_test) == any(older) or (any(older) and not all(older)):
        yield DefinitionError(
            "bad-rule", "obligations.london_living_wage",
            "name either the per-worker test question (meets_test) or all of on_premises, "
            "hours_per_day and weeks_per_year",
        )  # fmt: skip
    slavery = rules.obligations.modern_slavery
    if slavery.topic not in topics or slavery.topic not in rules.topics:
        yield DefinitionError(
            "unknown-topic", "obligations.modern_slavery.topic", f"no topic '{slavery.topic}'"
        )
    if slavery.high_from_risk <= slavery.medium_from_risk:
        yield DefinitionError(
            "bad-rule", "obligations.modern_slavery", "high risk must start above medium risk"
        )


def _obligation_questions(rules: ScoringRules) -> dict[str, str]:
    """Every question an obligation reads, by where the rules name it."""
    duties = rules.obligations
    named: dict[str, str | None] = {
        **{f"london_living_wage.{name}": getattr(duties.london_living_wage, name)
           for name in ("meets_test", "care_in_homes", *VERSION_1_LIVING_WAGE)},
        "modern_slavery.mitigation": duties.modern_slavery.mitigation,
        "modern_slavery.large_suppliers": duties.modern_slavery.large_suppliers,
        "modern_slavery.msat": duties.modern_slavery.msat,
        "payment.reporting": duties.payment.reporting,
        **{f"payment.settled_by_law.{qid}": qid for qid in duties.payment.settled_by_law},
    }  # fmt: skip
    return {name: qid for name, qid in named.items() if qid}


def parse_rules(
    text: str, source: str, definition: FormDefinition, topics: frozenset[str]
) -> ScoringRules:
    """Rules from YAML text, checked against their form; DefinitionInvalid lists every problem."""
    return parse_model(
        text, source, ScoringRules, lambda rules: check_rules(rules, definition, topics)
    )


def rules_path(directory: Path, definition: FormDefinition) -> Path:
    """Where a form version's rules file is: beside the form, <form>-v<version>.scoring.yaml."""
    return directory / f"{definition.id}-v{definition.version}{RULES_SUFFIX}"


def load_rules_beside(
    directory: Path, definition: FormDefinition, topics: Iterable[str]
) -> ScoringRules:
    """The rules file beside a form version; DefinitionInvalid when missing or bad."""
    path = rules_path(directory, definition)
    if not path.exists():
        problem = DefinitionError(
            "missing-rules", path.name, f"{definition.id} v{definition.version} has no rules"
        )
        raise DefinitionInvalid(path.name, [problem])
    text = path.read_text(encoding="utf-8")
    return parse_rules(text, path.name, definition, frozenset(topics))


def shipped_rules(
    directory: Path, forms: Iterable[FormDefinition], topics: Iterable[str]
) -> dict[tuple[str, int], ScoringRules]:
    """Each form version's rules; DefinitionInvalid listing every problem in any of them."""
    topics = frozenset(topics)
    library: dict[tuple[str, int], ScoringRules] = {}
    problems: list[DefinitionError] = []
    for definition in forms:
        try:
            library[(definition.id, definition.version)] = load_rules_beside(
                directory, definition, topics
            )
        except DefinitionInvalid as invalid:
            problems.extend(invalid.errors)
    if problems:
        raise DefinitionInvalid(str(directory), problems)
    return library
