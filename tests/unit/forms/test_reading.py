"""One contract for every question type: read() and counted_value(), the short ways the walk and
scoring take, say exactly what is_empty() and parse() say."""

from typing import Any

import pytest

from app.forms.definition import Option, Question
from app.forms.types import QUESTION_TYPES, Parsed

CHOICES = (Option(value="food", label="Food"), Option(value="none-of-these", label="None"))
PART = {"action": "Audit pay", "owner": "Sam", "due": {"day": "1", "month": "9", "year": "2026"}}
QUESTIONS = {
    "yes_no": Question(id="q", type="yes_no", label="Q", not_known=True),
    "single_choice": Question(id="q", type="single_choice", label="Q", options=CHOICES),
    "multiple_choice": Question(id="q", type="multiple_choice", label="Q", options=CHOICES),
    "number": Question(id="q", type="number", label="Q", minimum=0, maximum=100, unit="days"),
    "money": Question(id="q", type="money", label="Q"),
    "percentage": Question(id="q", type="percentage", label="Q"),
    "short_text": Question(id="q", type="short_text", label="Q", max_length=5),
    "long_text": Question(id="q", type="long_text", label="Q"),
    "date": Question(id="q", type="date", label="Q"),
    "group": Question(
        id="q",
        type="group",
        label="Q",
        fields=(
            Question(id="action", type="short_text", label="Action"),
            Question(id="owner", type="short_text", label="Owner", required=False),
            Question(id="due", type="date", label="Due"),
        ),
        max_items=2,
    ),
}
RAWS: list[Any] = [
    None, "", "  ", "yes", " yes", "no", "not-known", "food", "none-of-these", "maybe",
    "12", "12.5", " 1,200 ", "-3", "101", "abc", "NaN", "£1,000", "10%", "\x00no\r\n",
    "much too long", 5, True, [], ["food"], ["food", "none-of-these"], ["other"], [""], "food ",
    {"day": "1", "month": "2", "year": "2026"}, {"day": "", "month": "", "year": ""},
    {"day": "", "month": "", "year": "", "extra": "x"}, {"day": "31", "month": "2", "year": "x"},
    [PART], [PART, {**PART, "owner": ""}], [{"action": "", "owner": "", "due": {}}],
    [PART, PART, PART], [{**PART, "action": ""}],
]  # fmt: skip


def outcome(call: Any) -> Any:
    try:
        return call()
    except Exception as error:  # the same inputs must fail the same way
        return type(error)


def test_every_registered_type_is_covered() -> None:
    assert set(QUESTIONS) == set(QUESTION_TYPES)


@pytest.mark.parametrize("type_name", sorted(QUESTION_TYPES))
@pytest.mark.parametrize("raw", RAWS, ids=repr)
def test_read_and_counted_value_agree_with_is_empty_and_parse(type_name: str, raw: Any) -> None:
    kind, question = QUESTION_TYPES[type_name], QUESTIONS[type_name]

    def long_way() -> Parsed:
        return Parsed(None) if kind.is_empty(raw) else kind.parse(question, raw)

    expected = outcome(long_way)
    assert outcome(lambda: kind.read(question, raw)) == expected
    if isinstance(expected, Parsed):
        counted = None if expected.errors else expected.value
    else:
        counted = expected  # the same error
    assert outcome(lambda: kind.counted_value(question, raw)) == counted
