"""One contract every question type keeps, then what each type reads and refuses."""

from typing import Any

import pytest
from starlette.datastructures import FormData

from app.forms.definition import Option, Question
from app.forms.types import (
    QUESTION_TYPES,
    Parsed,
    UnknownQuestionType,
    answer_fits,
    answer_size_problem,
    question_type,
    read_answer,
    required_error,
)
from app.web.question_input import answer_from_form

OPTIONS = (Option(value="a", label="A"), Option(value="b", label="B"))
PART_FIELDS = (
    Question(id="action", type="short_text", label="Action", name="action"),
    Question(id="due", type="date", label="Due", name="due date", required=False),
)


def question_of(kind: str, **extra: Any) -> Question:
    base: dict[str, Any] = {"id": "q", "type": kind, "label": "A question", "name": "thing"}
    if kind in ("single_choice", "multiple_choice"):
        base["options"] = OPTIONS
    if kind == "group":
        base |= {"fields": PART_FIELDS, "item_name": "action"}
    return Question(**(base | extra))


# A valid raw answer for each type, the form it is posted as, and the value it reads as.
EXAMPLES: dict[str, tuple[Any, dict[str, Any], Any]] = {
    "yes_no": ("yes", {"q": "yes"}, "yes"),
    "single_choice": ("b", {"q": "b"}, "b"),
    "multiple_choice": (["b", "a"], {"q": ["b", "a"]}, ["a", "b"]),
    "number": ("1,250.50", {"q": "1,250.50"}, "1250.5"),
    "money": ("£1,250,000", {"q": "£1,250,000"}, 125_000_000),
    "percentage": ("12.5%", {"q": "12.5%"}, "12.5"),
    "short_text": (
        "  Ask three local firms ",
        {"q": "  Ask three local firms "},
        "Ask three local firms",
    ),
    "long_text": ("Line one\r\nLine two", {"q": "Line one\r\nLine two"}, "Line one\nLine two"),
    "date": (
        {"day": "1", "month": "3", "year": "2027"},
        {"q-day": "1", "q-month": "3", "q-year": "2027"},
        "2027-03-01",
    ),
    "group": (
        [{"action": "Audit the supply chain", "due": {"day": "", "month": "", "year": ""}}],
        {"q-count": "1", "q-0-action": "Audit the supply chain"},
        [{"action": "Audit the supply chain"}],
    ),
}


def form_of(values: dict[str, Any]) -> FormData:
    items = []
    for key, value in values.items():
        items += [(key, item) for item in value] if isinstance(value, list) else [(key, value)]
    return FormData(items)


def test_every_registered_type_has_an_example() -> None:
    assert set(QUESTION_TYPES) == set(EXAMPLES)


@pytest.mark.parametrize("kind", sorted(QUESTION_TYPES))
class TestEveryQuestionType:
    """The contract: read from a form, parse, show, round-trip, refuse, and a template."""

    def test_a_page_reads_its_form_fields_into_the_answer_as_typed(self, kind: str) -> None:
        question = question_of(kind)
        raw, posted, _ = EXAMPLES[kind]
        read = answer_from_form(question, form_of(posted))
        assert answer_fits(question, read) and answer_fits(question, raw)
        assert read_answer(question, read).value == read_answer(question, raw).value

    def test_an_answer_too_large_to_keep_is_named_and_a_valid_one_is_not(self, kind: str) -> None:
        question = question_of(kind)
        raw, _, _ = EXAMPLES[kind]
        assert answer_size_problem(question, raw) is None
        huge = "9" * 5000
        oversized = {
            "multiple_choice": ["a"] * 10,
            "date": {"day": huge, "month": "1", "year": "2027"},
            "group": [{"action": "x"}] * (question.max_items + 1),
        }.get(kind, huge)
        assert answer_fits(question, oversized)
        assert answer_size_problem(question, oversized)

    def test_an_answer_of_another_shape_does_not_fit(self, kind: str) -> None:
        question = question_of(kind)
        others = [None, 12, {"day": 1}, [{"nonsense": "x"}], ["a", 1], "text"]
        raw, _, _ = EXAMPLES[kind]
        misfits = [other for other in others if type(other) is not type(raw)]
        if kind == "date":
            misfits += [{"day": "1", "hour": "3"}]
        if kind == "group":
            misfits += [[{"action": ["a list"]}], [{"nonsense": "x"}]]
        assert misfits
        for other in misfits:
            assert not answer_fits(question, other), other

    def test_parses_a_valid_answer(self, kind: str) -> None:
        raw, _, value = EXAMPLES[kind]
        parsed = read_answer(question_of(kind), raw)
        assert parsed.ok, parsed.errors
        assert parsed.value == value

    def test_nothing_entered_is_no_answer_and_no_error(self, kind: str) -> None:
        question = question_of(kind)
        empty = answer_from_form(question, FormData([]))
        assert question_type(kind).is_empty(empty)
        assert read_answer(question, empty) == Parsed(None)
        assert read_answer(question, None) == Parsed(None)
        assert required_error(question)  # but says what is needed when it is required

    def test_describes_its_value_and_round_trips(self, kind: str) -> None:
        question = question_of(kind)
        _, _, value = EXAMPLES[kind]
        assert question_type(kind).describe(question, value)
        again = read_answer(question, question_type(kind).raw_for(question, value))
        assert again.value == value

    def test_has_a_template_and_operators(self, kind: str) -> None:
        from pathlib import Path

        template = Path("templates") / question_type(kind).template
        assert template.exists(), template
        assert "answered" in question_type(kind).operators

    def test_refuses_nonsense_with_a_message(self, kind: str) -> None:
        nonsense: dict[str, Any] = {
            "yes_no": "perhaps",
            "single_choice": "c",
            "multiple_choice": ["a", "zzz"],
            "number": "twelve",
            "money": "-5",
            "percentage": "150",
            "short_text": "x" * 201,
            "long_text": "x" * 4001,
            "date": {"day": "31", "month": "2", "year": "2027"},
            "group": [{"action": "", "due": {"day": "1", "month": "", "year": ""}}],
        }
        parsed = read_answer(question_of(kind), nonsense[kind])
        assert not parsed.ok
        assert all(message for message in parsed.errors.values())


def test_unknown_types_are_refused_not_ignored() -> None:
    with pytest.raises(UnknownQuestionType):
        question_type("slider")


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("number", "1e400", "must be a number"),
        ("number", "NaN", "must be a number"),
        ("number", "9" * 50, "must be 999999999999 or less"),
        ("number", "9" * 10_001, "must be a number"),
        ("percentage", "-1", "must be 0% or more"),
        ("percentage", "100.5%", "must be 100% or less"),
        ("money", "12.345", "no more than 2 decimal places"),
        ("date", {"day": "1", "month": "", "year": "2027"}, "must include a month"),
    ],
)
def test_format_errors(kind: str, raw: Any, message: str) -> None:
    parsed = read_answer(question_of(kind), raw)
    assert message in parsed.errors[""]


def test_numbers_respect_the_questions_bounds() -> None:
    question = question_of("number", minimum=0, maximum=24, unit="hours")
    assert read_answer(question, "8").value == "8"
    assert read_answer(question, "25").errors[""] == "The thing must be 24 hours or less"


def test_not_known_yet_is_offered_and_exclusive() -> None:
    yes_no = question_of("yes_no", not_known=True)
    assert read_answer(yes_no, "not-known").value == "not-known"
    assert required_error(yes_no) == "Select yes, no or not known yet"
    many = question_of("multiple_choice", not_known=True)
    assert read_answer(many, ["not-known"]).value == ["not-known"]
    assert "on its own" in read_answer(many, ["a", "not-known"]).errors[""]


def test_group_entries_report_each_part() -> None:
    question = question_of("group")
    parsed = read_answer(question, [
        {"action": "", "due": {"day": "1", "month": "13", "year": "2027"}},
        {"action": "Train buyers", "due": {"day": "", "month": "", "year": ""}},
    ])  # fmt: skip
    assert parsed.errors == {
        "0.action": "Enter the action",
        "0.due": "Due date must be a real date",
    }
    many = [{"action": f"Action {n}", "due": {}} for n in range(21)]
    assert "up to 20 actions" in read_answer(question, many).errors[""]


def test_text_limits_can_be_set_per_question() -> None:
    question = question_of("short_text", max_length=10)
    assert "10 characters or fewer" in read_answer(question, "x" * 11).errors[""]


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        ("single_choice", "amount of subcontracting", "Select the amount of subcontracting"),
        ("single_choice", "where suppliers operate", "Select where suppliers operate"),
        ("single_choice", "who carries it out", "Select who carries it out"),
        ("short_text", "action", "Enter the action"),
        ("short_text", "what is bought", "Enter what is bought"),
        ("date", "when it will be done", "Enter when it will be done"),
    ],
)
def test_a_required_message_names_the_answer_as_a_sentence_reads(
    kind: str, name: str, message: str
) -> None:
    """GOV.UK error messages: "Select where…", never "Select the where…"."""
    assert question_type(kind).required_message(question_of(kind, name=name)) == message
