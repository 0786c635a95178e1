"""Show-if conditions: structured tests over earlier answers and the procurement's own fields.

Conditions are data with a fixed set of operators, never expression strings. A question that
is not answered (or whose answer is invalid, or is on a hidden question) satisfies only
`answered: false`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter, eq, gt, lt, ne
from typing import Any

from app.forms.definition import AllOf, AnyOf, Comparison, Condition


@dataclass(frozen=True)
class ProcurementContext:
    """The facts about the procurement that questions may depend on."""

    contract_type: str
    category: str
    value_pence: int
    annual_value_pence: int
    term_months: int
    light_touch: bool
    framework: str  # "none", "setting-up" (a framework agreement) or "call-off" (from one)
    delivery_location: str
    topic_relevance: Mapping[str, int] = field(default_factory=dict)
    # At or above the Procurement Act threshold for its type (a "public contract"); None when no
    # threshold is recorded for the planned tender date. Worked out from reference data.
    above_threshold: bool | None = None
    spend_band: int | None = None  # 1 to 5 from the fixed value bands (None when not known)
    # Facts scoring also reads (conditions do not offer them).
    category_name: str = ""
    industry_risk: str = "low"  # the category's modern slavery industry risk: low, medium, high
    industry_risk_note: str = ""  # the industry behind that risk, in words
    planned_tender_date: date | None = None
    expected_start_date: date | None = None
    framework_name: str = ""  # the framework a call-off is made from

    def get(self, name: str) -> Any:
        """A field's value as conditions compare it: money in pounds, relevance 0 to 3."""
        return _field_reader(name)(self)


# Each procurement field, and the operators that make sense for it.
CHOICE = frozenset({"equals", "not_equals", "one_of"})
NUMERIC = frozenset({"equals", "not_equals", "greater_than", "less_than"})
CONTEXT_FIELDS: Mapping[str, frozenset[str]] = {
    "contract_type": CHOICE,
    "category": CHOICE,
    "delivery_location": CHOICE,
    "light_touch": frozenset({"equals"}),
    "framework": CHOICE,
    "above_threshold": frozenset({"equals"}),
    "value": NUMERIC,
    "annual_value": NUMERIC,
    "term_months": NUMERIC,
    "spend_band": NUMERIC,
}
CONTEXT_FIELD_VALUES: Mapping[str, frozenset[Any]] = {
    "contract_type": frozenset({"goods", "services", "works"}),
    "delivery_location": frozenset({"in-borough", "london", "uk", "overseas"}),
    "light_touch": frozenset({True, False}),
    "framework": frozenset({"none", "setting-up", "call-off"}),
    "above_threshold": frozenset({True, False}),
}


def field_operators(name: str, topics: frozenset[str]) -> frozenset[str] | None:
    """The operators allowed on a procurement field, or None when there is no such field."""
    if name.startswith("relevance."):
        return NUMERIC if name.removeprefix("relevance.") in topics else None
    return CONTEXT_FIELDS.get(name)


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


# A number against the operand, from their difference. "Equals" is "neither above nor below" so
# that, as always, a difference that is not a number (a "NaN" answer) raises whatever the test.
_BY_DIFFERENCE: Mapping[str, Callable[[Decimal], bool]] = {
    "greater_than": lambda difference: difference > 0,
    "less_than": lambda difference: difference < 0,
    "equals": lambda difference: not (difference > 0 or difference < 0),
    "not_equals": lambda difference: difference > 0 or difference < 0,
}
# The same tests made directly, for whole numbers (relevance, months): exact against a Decimal.
_WHOLE: Mapping[str, Callable[[int, Decimal], bool]] = {
    "greater_than": gt,
    "less_than": lt,
    "equals": eq,
    "not_equals": ne,
}

Test = Callable[[Mapping[str, Any], ProcurementContext], bool]


def _given_test(operator: str, operand: Any) -> Callable[[Any], bool]:
    """The test of a value that is there (not None) against the operand."""
    if operator == "one_of":
        return lambda value: value in operand
    if operator == "contains":
        return lambda value: isinstance(value, list) and operand in value
    if (
        operator in _BY_DIFFERENCE
        and isinstance(operand, int | float | Decimal)
        and not isinstance(operand, bool)
    ):
        limit, decide, whole = Decimal(str(operand)), _BY_DIFFERENCE[operator], _WHOLE[operator]

        def numeric(value: Any) -> bool:
            if type(value) is int:  # not bool, which reads as no number at all
                return whole(value, limit)
            number = _number(value)
            return number is not None and decide(number - limit)

        return numeric
    if operator == "equals":
        return lambda value: bool(value == operand)
    if operator == "not_equals":
        return lambda value: bool(value != operand)
    return lambda value: False


def _value_test(operator: str, operand: Any, *, pence: bool = False) -> Callable[[Any], bool]:
    """The test of a value (None when there is none) against the operand."""
    if operator == "answered":
        wanted = bool(operand)
        return lambda value: (value is not None) == wanted
    test = _given_test(operator, operand)
    if pence:  # money answers are stored in pence; conditions speak in pounds
        return lambda value: value is not None and test(Decimal(value) / 100)
    return lambda value: value is not None and test(value)


def _field_reader(name: str) -> Callable[[ProcurementContext], Any]:
    if name.startswith("relevance."):
        topic = name.removeprefix("relevance.")
        return lambda context: context.topic_relevance.get(topic, 0)
    if name in ("value", "annual_value"):
        pence = f"{name}_pence"
        return lambda context: Decimal(getattr(context, pence)) / 100
    return attrgetter(name)


def _common_test(condition: Comparison, money_questions: frozenset[str]) -> Test | None:
    """The same test as the general path below, as one small function, for the forms most
    conditions take (a choice answer, or a category's relevance, against a constant): these
    run for every question of every walk. None for any other form."""
    operator, operand, question = condition.operator, condition.operand, condition.question
    if question is not None and question not in money_questions:
        if operator == "equals" and type(operand) is str:
            return lambda answers, context: answers.get(question) == operand
        if operator == "one_of" and all(type(item) is str for item in operand):
            return lambda answers, context: answers.get(question) in operand
        if operator == "contains" and type(operand) is str:

            def contains(answers: Mapping[str, Any], context: ProcurementContext) -> bool:
                value = answers.get(question)
                return type(value) is list and operand in value

            return contains
        return None
    field = condition.field or ""
    if field.startswith("relevance.") and operator in ("greater_than", "less_than"):
        limit = Decimal(operand)
        if limit != limit.to_integral_value():
            return None
        topic, whole = field.removeprefix("relevance."), int(limit)
        general = _value_test(operator, operand)
        above = operator == "greater_than"

        def relevance(answers: Mapping[str, Any], context: ProcurementContext) -> bool:
            value = context.topic_relevance.get(topic, 0)
            if type(value) is not int:
                return general(value)
            return value > whole if above else value < whole

        return relevance
    return None


def compile_condition(condition: Condition, money_questions: frozenset[str] = frozenset()) -> Test:
    """The condition as a function of (answers, procurement), for checking many times: what
    `holds` says, with the parsing of operands and the choice of test done once."""
    if isinstance(condition, AllOf):
        every = tuple(compile_condition(part, money_questions) for part in condition.all)
        return lambda answers, context: all(part(answers, context) for part in every)
    if isinstance(condition, AnyOf):
        some = tuple(compile_condition(part, money_questions) for part in condition.any)
        return lambda answers, context: any(part(answers, context) for part in some)
    assert isinstance(condition, Comparison)
    operator = condition.operator
    fast = _common_test(condition, money_questions)
    if fast is not None:
        return fast
    if condition.field is not None:
        read, test = _field_reader(condition.field), _value_test(operator, condition.operand)
        return lambda answers, context: test(read(context))
    question = condition.question
    assert question is not None
    pence = question in money_questions and operator != "answered"
    test = _value_test(operator, condition.operand, pence=pence)
    return lambda answers, context: test(answers.get(question))


def holds(
    condition: Condition,
    answers: Mapping[str, Any],
    context: ProcurementContext,
    money_questions: frozenset[str] = frozenset(),
) -> bool:
    """Whether the condition is true for these (visible, valid) answers and this procurement."""
    return compile_condition(condition, money_questions)(answers, context)
