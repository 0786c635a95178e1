"""Properties of the scoring engine over random procurements and random answers to the form.

Procurements use any seeded category, contract type, value (often right at a threshold) and
dates from 2024 to 2028. Answers are generated from the form definition itself: a valid option
(with "Not known yet" where offered), a number within the question's limits, raw text that is
not a valid answer, or nothing at all, in the shapes the web form submits.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.forms.conditions import ProcurementContext
from app.forms.definition import Question
from app.forms.journey import walk
from app.forms.types import question_type
from app.scoring.engine import Priority, Result, score
from app.scoring.rules import answer_rules
from tests.support.catalogue import shipped
from tests.unit.scoring.inputs import CATEGORIES, DEFINITION, REFERENCE, RULES, context

PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    database=None,  # keep the source tree clean; a failure prints the example to reproduce it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
QUESTIONS = {question.id: question for question in DEFINITION.questions}
RISK_QUESTIONS = sorted(
    {rule.question for topic in RULES.topics.values() for rule in answer_rules(topic.risk)}
)
SCORED_QUESTIONS = sorted(
    q.id for q in DEFINITION.questions if any(feed.startswith("score:") for feed in q.feeds)
)
NOT_KNOWN = "not-known"

# Amounts in pence where an obligation, band or weighting changes, and a penny either side.
LINES = (10_000_000, 20_772_000, 21_490_400, 25_000_000, 66_354_000, 100_000_000,
         500_000_000, 2_500_000_000)  # fmt: skip
AT_A_LINE = st.sampled_from([line + step for line in LINES for step in (-1, 0, 1)])
DATES = st.dates(date(2024, 1, 1), date(2028, 12, 31))


@st.composite
def procurements(draw: st.DrawFn) -> ProcurementContext:
    """Any seeded category, contract type, value, dates and flags."""
    category = draw(st.sampled_from(sorted(CATEGORIES)))
    return context(
        category,
        contract_type=draw(st.sampled_from(["goods", "services", "works"])),
        value_pence=draw(st.integers(0, 60_000_000_000) | AT_A_LINE),
        annual_value_pence=draw(st.integers(0, 20_000_000_000) | AT_A_LINE),
        term_months=draw(st.integers(1, 240)),
        light_touch=draw(st.booleans()),
        framework=draw(st.sampled_from(["none", "setting-up", "call-off"])),
        delivery_location=draw(st.sampled_from(["in-borough", "london", "uk", "overseas"])),
        planned_tender_date=draw(st.none() | DATES | DATES | DATES),
        expected_start_date=draw(st.none() | DATES | DATES),
    )


def _options(question: Question) -> list[str]:
    return [option.value for option in question_type(question.type).options(question)]


def _number(question: Question, low: Decimal | None = None) -> st.SearchStrategy[str]:
    low = question.minimum if low is None else low
    assert low is not None and question.maximum is not None
    whole = st.integers(int(low.to_integral_value(rounding="ROUND_CEILING")), int(question.maximum))
    decimal = st.decimals(low, question.maximum, places=2, allow_nan=False, allow_infinity=False)
    return whole.map(str) | decimal.map(lambda number: f"{number:.2f}")


def _entry(complete: bool) -> dict[str, Any]:
    due = {"day": "1", "month": "6", "year": "2026"}
    return {"action": "Audit the supply chain", "owner": "Lead" if complete else "", "due": due}


def valid_answer(question: Question) -> st.SearchStrategy[Any]:
    """A raw answer the question accepts."""
    options = _options(question)
    if question.type in ("yes_no", "single_choice"):
        return st.sampled_from(options)
    if question.type == "multiple_choice":
        plain = [value for value in options if value != NOT_KNOWN]
        chosen = st.lists(st.sampled_from(plain), min_size=1, max_size=len(plain), unique=True)
        return chosen | st.just([NOT_KNOWN]) if question.not_known else chosen
    if question.type == "number":
        return _number(question)
    if question.type == "group":
        return st.lists(st.just(_entry(complete=True)), min_size=1, max_size=3)
    raise AssertionError(f"no answers generated for a {question.type} question")


def invalid_answer(question: Question) -> st.SearchStrategy[Any]:
    """Raw input the question refuses, in the shape the web form submits for it."""
    if question.type in ("yes_no", "single_choice"):
        return st.sampled_from(["maybe", "Yes please", "NOT KNOWN"]) | st.text(max_size=6).filter(
            lambda text: text.strip() not in _options(question)
        )
    if question.type == "multiple_choice":
        mixed = [NOT_KNOWN, question.options[0].value] if question.not_known else ["other"]
        return st.sampled_from([["bogus"], mixed, ["uk ", "elsewhere"]])
    if question.type == "number":
        assert question.maximum is not None
        return st.sampled_from(["-1", str(question.maximum + 1), "lots", "1e3", "12,34", "NaN"])
    return st.just([_entry(complete=False)])


def answer(question: Question) -> st.SearchStrategy[Any]:
    """Mostly a valid answer, sometimes an invalid one."""
    valid = valid_answer(question)
    return valid | valid | valid | invalid_answer(question)


# Any question may be left out (None); most are answered, mostly validly.
ANSWERS = st.fixed_dictionaries(
    {qid: st.none() | answer(question) for qid, question in QUESTIONS.items()}
).map(lambda drawn: {qid: raw for qid, raw in drawn.items() if raw is not None})


def run(procurement: ProcurementContext, answers: dict[str, Any], as_of: date) -> Result:
    return score(
        DEFINITION, RULES, procurement, answers, REFERENCE, topics=shipped().topics, as_of=as_of
    )


def test_every_scored_question_declares_its_risk_order() -> None:
    # The monotonicity property below is only as good as these orders: a scored question
    # without one would escape it.
    assert SCORED_QUESTIONS, "the form has no scored questions"
    missing = [qid for qid in SCORED_QUESTIONS if qid not in RULES.order]
    assert missing == []
    assert set(RISK_QUESTIONS) <= set(SCORED_QUESTIONS)


@PROPERTIES
@given(procurement=procurements(), answers=ANSWERS, as_of=DATES)
def test_results_are_bounded_and_consistent(
    procurement: ProcurementContext, answers: dict[str, Any], as_of: date
) -> None:
    result = run(procurement, answers, as_of)

    assert [row.topic.code for row in result.topics] == list(RULES.topics)
    for row in result.topics:
        for measure in (row.risk, row.scope):
            assert 0 <= measure.computed <= 3
            assert measure.value == measure.computed  # no overrides were given
            assert measure.computed == max(0, min(3, measure.total))
            factors = {c.factor for c in measure.contributions if c.factor}
            for factor in factors:
                parts = [c for c in measure.contributions if c.factor == factor]
                counted = [c for c in parts if c.counted]
                assert len(counted) == 1 and counted[0].points == max(c.points for c in parts)
        expected = (
            Priority.NOT_APPLICABLE
            if row.risk.value == 0
            else Priority(RULES.priority[row.risk.value][row.scope.value])
        )
        assert row.priority is expected

    tender = procurement.planned_tender_date
    band = result.spend_band
    if tender is None:
        assert band is None
    else:
        assert band is not None and 1 <= band.band <= 5
        assert band.lower is None or band.lower.amount <= procurement.value_pence
        assert band.upper is None or procurement.value_pence < band.upper.amount
        assert (band.lower is None) == (band.band == 1)
        assert (band.upper is None) == (band.band == 5)

    highest = max((row.priority for row in result.topics), key=lambda p: p.rank)
    assert result.overall.highest is highest
    assert result.overall.rating == RULES.overall[band.band if band else 1][highest.rank]

    weighting = result.weighting.basis_points
    primas = REFERENCE.in_force("primas_threshold", tender).amount if tender else None
    if primas is None or procurement.value_pence < primas:
        assert weighting is None
    else:
        minimum = REFERENCE.in_force("sv_weighting_minimum", tender).amount
        maximum = REFERENCE.in_force("sv_weighting_maximum", tender).amount
        assert weighting is not None and minimum <= weighting <= maximum

    slavery, lines = result.topic("modern-slavery").risk.value, RULES.obligations.modern_slavery
    expected_level = (
        "high" if slavery >= lines.high_from_risk
        else "medium" if slavery >= lines.medium_from_risk
        else "low"
    )  # fmt: skip
    assert result.modern_slavery_level == expected_level
    assert [(o.code, o.basis.value) for o in result.obligations] == [
        ("primas", "council-policy"), ("social-value-act", "law"), ("kpi-duty", "law"),
        ("payment-terms", "law"), ("london-living-wage", "council-policy"),
        ("modern-slavery", "practice"), ("modern-slavery-statement", "law"),
        ("carbon-reduction-plan", "council-policy"), ("social-value-weighting", "council-policy"),
    ]  # fmt: skip
    assert all(o.reason and o.source.startswith("https://") for o in result.obligations)


@PROPERTIES
@given(procurement=procurements(), answers=ANSWERS, as_of=DATES)
def test_results_are_deterministic(
    procurement: ProcurementContext, answers: dict[str, Any], as_of: date
) -> None:
    kept = repr(answers)
    first = run(procurement, answers, as_of)
    assert repr(answers) == kept, "scoring changed the answers it was given"
    assert run(procurement, dict(answers), as_of) == first


def _riskier(question: Question, value: Any, data: st.DataObject) -> list[Any]:
    """Answers riskier than `value` along the rules' declared order."""
    order = RULES.order[question.id]
    if question.type == "number":
        assert order == "larger"
        number = Decimal(value)
        if question.maximum is None or number >= question.maximum:
            return []
        larger = data.draw(_number(question, low=number).filter(lambda t: Decimal(t) > number))
        return [larger, str(question.maximum)]
    if question.type == "multiple_choice":
        if value == [NOT_KNOWN]:
            return []  # "Not known yet" is an answer on its own: nothing can be added to it
        extra = [o for o in _options(question) if o not in value and o != NOT_KNOWN]
        return [[*value, option] for option in extra]
    assert isinstance(order, tuple)
    return list(order[order.index(value) + 1 :])


@PROPERTIES
@given(procurement=procurements(), answers=ANSWERS, as_of=DATES, data=st.data())
def test_a_riskier_answer_never_lowers_a_risk(
    procurement: ProcurementContext, answers: dict[str, Any], as_of: date, data: st.DataObject
) -> None:
    before = run(procurement, answers, as_of)
    counted = walk(DEFINITION, procurement, answers).values
    risks = {row.topic.code: row.risk.value for row in before.topics}
    for qid in RISK_QUESTIONS:
        if qid not in counted:
            continue  # unanswered, invalid or hidden: nothing to move from
        for riskier in _riskier(QUESTIONS[qid], counted[qid], data):
            after = run(procurement, answers | {qid: riskier}, as_of)
            for row in after.topics:
                assert row.risk.value >= risks[row.topic.code], (
                    f"{row.topic.code} risk fell from {risks[row.topic.code]} to "
                    f"{row.risk.value} when {qid} moved from {counted[qid]!r} to {riskier!r}"
                )


@PROPERTIES
@given(procurement=procurements(), answers=ANSWERS, as_of=DATES, data=st.data())
def test_answers_to_hidden_questions_never_change_the_result(
    procurement: ProcurementContext, answers: dict[str, Any], as_of: date, data: st.DataObject
) -> None:
    shown = walk(DEFINITION, procurement, answers).shown_ids
    hidden = sorted(set(QUESTIONS) - shown)
    before = run(procurement, answers, as_of)
    changed = dict(answers)
    for qid in hidden:
        if data.draw(st.booleans(), label=f"change {qid}"):
            new = data.draw(st.none() | answer(QUESTIONS[qid]), label=qid)
            if new is None:
                changed.pop(qid, None)
            else:
                changed[qid] = new
    assert walk(DEFINITION, procurement, changed).shown_ids == shown
    assert run(procurement, changed, as_of) == before
    # Dropping every hidden answer changes nothing either.
    only_shown = {qid: raw for qid, raw in answers.items() if qid in shown}
    assert run(procurement, only_shown, as_of) == before
