"""Question types: how each kind of question reads what was typed, checks it and shows it.

Each type is one small class, registered once in QUESTION_TYPES; an unknown type name is an
error (UnknownQuestionType) wherever it is looked up. Raw input is kept exactly as typed so a
page can show it back; only a `Parsed` value without errors is ever scored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from app.forms.definition import Option, Question
from app.inputs import (
    DATE_PARTS,
    InputError,
    clean_text,
    format_pounds,
    parse_date_parts,
    parse_money,
    pounds_for_input,
)
from app.numbers import MONEY_CEILING_PENCE, read_number

NOT_KNOWN = Option(value="not-known", label="Not known yet")
YES, NO = Option(value="yes", label="Yes"), Option(value="no", label="No")
# Plain decimals, with optional thousands commas: no exponents, no NaN, no other scripts' digits.
SHORT_TEXT_MAX, LONG_TEXT_MAX = 200, 4000


class UnknownQuestionType(KeyError):
    """A question names a type that is not registered."""


class _NoErrors(Mapping[str, str]):
    """The errors of an answer that has none: empty, read-only and shared (so reading an answer
    does not build an empty dict each time)."""

    def __getitem__(self, key: str) -> str:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"


NO_ERRORS: Mapping[str, str] = _NoErrors()


@dataclass(slots=True)
class Parsed:
    """An answer read from raw input: its value, or what is wrong (errors[''] for the question,
    errors['<item>.<field>'] for a part of an 'add another' entry).

    Never changed once made, but not a frozen dataclass: one is made for every answer read on
    every page and every score, and a frozen one costs three times as much to make."""

    value: Any = None
    errors: Mapping[str, str] = NO_ERRORS  # shared and read-only: most answers have none

    @property
    def ok(self) -> bool:
        """True when the answer can be used."""
        return not self.errors


def _name(question: Question) -> str:
    return question.name or "answer"


_CLAUSE_WORDS = ("where ", "who ", "when ", "how ", "what ", "which ", "whether ")


def _the(name: str) -> str:
    """A question's name as the object of "Enter" or "Select": "the amount of subcontracting",
    but "where suppliers operate" and "who carries it out" as they are."""
    return name if name.startswith(_CLAUSE_WORDS) else f"the {name}"


def _text(raw: Any) -> str:
    return clean_text(raw).strip() if isinstance(raw, str) else ""


class QuestionType:
    """The behaviour shared by every type; subclasses override what differs."""

    name: ClassVar[str]
    template: ClassVar[str]
    operators: ClassVar[frozenset[str]] = frozenset({"answered"})

    def options(self, question: Question) -> tuple[Option, ...]:
        """The choices offered (with 'Not known yet' where the question allows it)."""
        return question.options + ((NOT_KNOWN,) if question.not_known else ())

    def fits(self, question: Question, raw: Any) -> bool:
        """Whether `raw` has the shape this type's answers are typed in (here, one text)."""
        return isinstance(raw, str)

    # The most characters an answer of this type may hold as typed: what is kept is bounded
    # when it is saved, not only when it is checked. Text types allow their question's length.
    raw_limit: ClassVar[int] = 100

    def size_problem(self, question: Question, raw: Any) -> str | None:
        """What makes `raw` (which fits) too large to keep, or None."""
        limit = self.raw_limit
        if len(raw) > limit:
            return f"The {_name(question)} must be {limit:,} characters or fewer"
        return None

    def is_empty(self, raw: Any) -> bool:
        """True when nothing was entered."""
        return not _text(raw)

    def parse(self, question: Question, raw: Any) -> Parsed:
        """The value of a non-empty answer, or its format error."""
        return Parsed(_text(raw))

    def read(self, question: Question, raw: Any) -> Parsed:
        """An answer read: empty (None value), its value, or its errors (see read_answer)."""
        if self.is_empty(raw):
            return Parsed(None)
        return self.parse(question, raw)

    def counted_value(self, question: Question, raw: Any) -> Any:
        """The value read() gives when it has no errors, else None: what counts for scoring."""
        parsed = self.read(question, raw)
        return None if parsed.errors else parsed.value

    def required_message(self, question: Question) -> str:
        """The message when a required question has no answer."""
        return f"Enter {_the(question.name)}" if question.name else "Enter an answer"

    def describe(self, question: Question, value: Any) -> str:
        """The answer in words, for 'Check your answers'."""
        return str(value)

    def raw_for(self, question: Question, value: Any) -> Any:
        """Raw input that would give `value` (to fill a form from a stored answer)."""
        return value

    def problems(self, question: Question) -> list[str]:
        """What is wrong with this question's definition for this type."""
        return [] if not question.options else ["only choice questions have options"]


class TextAnswer(QuestionType):
    """A type whose answer is one piece of text, typed or picked: read from the text, trimmed."""

    def parse(self, question: Question, raw: Any) -> Parsed:
        return self.parse_text(question, _text(raw))

    def parse_text(self, question: Question, text: str) -> Parsed:
        """The value of a non-empty answer from its text, or its format error."""
        return Parsed(text)

    def read(self, question: Question, raw: Any) -> Parsed:
        text = _text(raw)  # once, for both "is it empty?" and the parse
        return self.parse_text(question, text) if text else Parsed(None)


class YesNo(TextAnswer):
    name = "yes_no"
    template = "_questions/radios.html"
    operators = frozenset({"equals", "not_equals", "one_of", "answered"})

    def options(self, question: Question) -> tuple[Option, ...]:
        return (YES, NO, NOT_KNOWN) if question.not_known else (YES, NO)

    def offers(self, question: Question, value: str) -> bool:
        """Whether `value` is one of the options: what options() says, without building them."""
        return value in ("yes", "no") or (question.not_known and value == NOT_KNOWN.value)

    def read(self, question: Question, raw: Any) -> Parsed:
        if type(raw) is str and self.offers(question, raw):
            return Parsed(raw)  # an option's value exactly: nothing to clean or trim
        return super().read(question, raw)

    def counted_value(self, question: Question, raw: Any) -> Any:
        if type(raw) is str and self.offers(question, raw):
            return raw  # as read() above
        return super().counted_value(question, raw)

    def parse_text(self, question: Question, choice: str) -> Parsed:
        if not self.offers(question, choice):
            return Parsed(errors={"": "Select one of the answers"})
        return Parsed(choice)

    def required_message(self, question: Question) -> str:
        return f"Select yes{', no or not known yet' if question.not_known else ' or no'}"

    def describe(self, question: Question, value: Any) -> str:
        return next((o.label for o in self.options(question) if o.value == value), str(value))

    def problems(self, question: Question) -> list[str]:
        return ["a yes or no question has no options of its own"] if question.options else []


class SingleChoice(YesNo):
    name = "single_choice"

    def options(self, question: Question) -> tuple[Option, ...]:
        return QuestionType.options(self, question)

    def offers(self, question: Question, value: str) -> bool:
        return value in question.option_values or (question.not_known and value == NOT_KNOWN.value)

    def required_message(self, question: Question) -> str:
        return f"Select {_the(question.name)}" if question.name else "Select an answer"

    def problems(self, question: Question) -> list[str]:
        return [] if len(question.options) >= 2 else ["a choice question needs at least 2 options"]


class MultipleChoice(SingleChoice):
    name = "multiple_choice"
    template = "_questions/checkboxes.html"
    operators = frozenset({"contains", "answered"})

    def fits(self, question: Question, raw: Any) -> bool:
        return isinstance(raw, list) and all(isinstance(value, str) for value in raw)

    def size_problem(self, question: Question, raw: Any) -> str | None:
        if len(raw) > len(self.options(question)) or any(len(value) > 100 for value in raw):
            return "Select from the list"
        return None

    def is_empty(self, raw: Any) -> bool:
        return not raw

    # A list of choices, not one text: read the general way, not as a single choice is.
    def read(self, question: Question, raw: Any) -> Parsed:
        return QuestionType.read(self, question, raw)

    def counted_value(self, question: Question, raw: Any) -> Any:
        return QuestionType.counted_value(self, question, raw)

    def parse(self, question: Question, raw: Any) -> Parsed:
        given = set(raw)
        chosen = [option.value for option in self.options(question) if option.value in given]
        if not all(self.offers(question, value) for value in given):
            return Parsed(errors={"": "Select from the list"})
        if NOT_KNOWN.value in chosen and len(chosen) > 1:
            return Parsed(errors={"": "Select ‘Not known yet’ on its own, or choose from the list"})
        return Parsed(chosen)

    def required_message(self, question: Question) -> str:
        return "Select all that apply" + (", or not known yet" if question.not_known else "")

    def describe(self, question: Question, value: Any) -> str:
        labels = {option.value: option.label for option in self.options(question)}
        return ", ".join(labels.get(item, item) for item in value)


class Number(TextAnswer):
    name = "number"
    template = "_questions/input.html"
    operators = frozenset({"equals", "not_equals", "greater_than", "less_than", "answered"})
    # A question without bounds still has some, so no answer is an absurd number.
    default_minimum: ClassVar[Decimal | None] = Decimal(-999_999_999_999)
    default_maximum: ClassVar[Decimal | None] = Decimal(999_999_999_999)

    def _bounds(self, question: Question) -> tuple[Decimal | None, Decimal | None]:
        low = question.minimum if question.minimum is not None else self.default_minimum
        high = question.maximum if question.maximum is not None else self.default_maximum
        return low, high

    def _number(self, text: str) -> Decimal | None:
        typed = read_number(text.strip().removesuffix(self.suffix))
        return None if typed is None else typed.value

    suffix: ClassVar[str] = ""

    def parse_text(self, question: Question, text: str) -> Parsed:
        whole = text.isascii() and text.isdigit() and len(text) <= 30  # the usual "12": quickly
        number: int | Decimal | None = int(text) if whole else self._number(text)
        if number is None:
            return Parsed(errors={"": f"The {_name(question)} must be a number, like 12 or 12.5"})
        low, high = self._bounds(question)
        if low is not None and number < low:
            return Parsed(
                errors={"": f"The {_name(question)} must be {low}{self._unit(question)} or more"}
            )
        if high is not None and number > high:
            return Parsed(
                errors={"": f"The {_name(question)} must be {high}{self._unit(question)} or less"}
            )
        if isinstance(number, int) or number == number.to_integral():
            return Parsed(str(int(number)))
        return Parsed(str(number.normalize()))

    def _unit(self, question: Question) -> str:
        return self.suffix or (f" {question.unit}" if question.unit else "")

    def describe(self, question: Question, value: Any) -> str:
        return f"{value}{self._unit(question)}"


class Percentage(Number):
    name = "percentage"
    suffix = "%"
    default_minimum = Decimal(0)
    default_maximum = Decimal(100)


class Money(TextAnswer):
    name = "money"
    template = "_questions/input.html"
    operators = frozenset({"equals", "not_equals", "greater_than", "less_than", "answered"})

    def parse_text(self, question: Question, text: str) -> Parsed:
        ceiling = (
            int(question.maximum * 100) if question.maximum is not None else MONEY_CEILING_PENCE
        )
        try:
            return Parsed(parse_money(text, label=_name(question), ceiling_pence=ceiling))
        except InputError as error:
            return Parsed(errors={"": str(error)})

    def describe(self, question: Question, value: Any) -> str:
        return format_pounds(int(value))

    def raw_for(self, question: Question, value: Any) -> Any:
        return pounds_for_input(int(value))


class ShortText(TextAnswer):
    name = "short_text"
    template = "_questions/input.html"
    operators = frozenset({"equals", "answered"})
    limit: ClassVar[int] = SHORT_TEXT_MAX

    def size_problem(self, question: Question, raw: Any) -> str | None:
        # Surrounding spaces are not counted, as they are not kept once read.
        limit = question.max_length or self.limit
        if len(raw) > limit and (len(raw.strip()) > limit or len(raw) > 2 * limit + 100):
            return f"The {_name(question)} must be {limit:,} characters or fewer"
        return None

    def parse_text(self, question: Question, text: str) -> Parsed:
        limit = question.max_length or self.limit
        if len(text) > limit:
            return Parsed(
                errors={"": f"The {_name(question)} must be {limit:,} characters or fewer"}
            )
        return Parsed(text)


class LongText(ShortText):
    name = "long_text"
    template = "_questions/textarea.html"
    limit = LONG_TEXT_MAX


class DateAnswer(QuestionType):
    name = "date"
    template = "_questions/date.html"
    operators = frozenset({"answered"})

    def fits(self, question: Question, raw: Any) -> bool:
        return (
            isinstance(raw, Mapping)
            and set(raw) <= set(DATE_PARTS)
            and all(isinstance(value, str) for value in raw.values())
        )

    def size_problem(self, question: Question, raw: Any) -> str | None:
        if any(len(value.strip()) > 10 for value in raw.values()):
            return f"{(question.name or 'date').capitalize()} must be a real date"
        return None

    def is_empty(self, raw: Any) -> bool:
        if type(raw) is not dict and not isinstance(raw, Mapping):  # the plain dict first
            return True
        return not any(str(v).strip() for v in raw.values())

    def parse(self, question: Question, raw: Any) -> Parsed:
        label = (question.name or "date").capitalize()
        parts = [str(raw.get(name, "")) for name in DATE_PARTS]
        try:
            day = parse_date_parts(label, *parts)
        except InputError as error:
            return Parsed(errors={"": str(error)})
        return Parsed(day.isoformat() if day else None)

    def required_message(self, question: Question) -> str:
        return f"Enter {_the(question.name or 'date')}"

    def describe(self, question: Question, value: Any) -> str:
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"

    def raw_for(self, question: Question, value: Any) -> Any:
        day = date.fromisoformat(value)
        return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def _blank(value: Any) -> bool:
    """Whether a part of an 'add another' entry was left blank."""
    if type(value) is str:  # the usual case, first
        return not value.strip()
    if isinstance(value, Mapping):
        return not any(str(v).strip() for v in value.values())
    return not value if isinstance(value, list) else not str(value).strip()


class Group(QuestionType):
    """'Add another': a list of entries, each answering the group's own `fields`."""

    name = "group"
    template = "_questions/group.html"

    def fits(self, question: Question, raw: Any) -> bool:
        if not isinstance(raw, list):
            return False
        parts = {part.id: part for part in question.fields}
        return all(
            isinstance(entry, Mapping)
            and set(entry) <= set(parts)
            and all(question_type(parts[name].type).fits(parts[name], value)
                    for name, value in entry.items())
            for entry in raw
        )  # fmt: skip

    def size_problem(self, question: Question, raw: Any) -> str | None:
        if len(raw) > question.max_items:
            return f"You can add up to {question.max_items} {question.item_name}s"
        parts = {part.id: part for part in question.fields}
        for entry in raw:
            for name, value in entry.items():
                problem = question_type(parts[name].type).size_problem(parts[name], value)
                if problem:
                    return problem
        return None

    def is_empty(self, raw: Any) -> bool:
        return not raw or all(self._entry_empty(entry) for entry in raw)

    @staticmethod
    def _entry_empty(entry: Mapping[str, Any]) -> bool:
        return all(map(_blank, entry.values()))

    def read(self, question: Question, raw: Any) -> Parsed:
        entries = self._entries(raw) if raw else []  # sorted out once, not for each check
        return self._parse_entries(question, entries) if entries else Parsed(None)

    def parse(self, question: Question, raw: Any) -> Parsed:
        return self._parse_entries(question, self._entries(raw))

    def _entries(self, raw: Any) -> list[Mapping[str, Any]]:
        return [entry for entry in raw if not self._entry_empty(entry)]

    def _parse_entries(self, question: Question, entries: list[Mapping[str, Any]]) -> Parsed:
        values, errors = [], {}
        parts = [(part, question_type(part.type)) for part in question.fields] if entries else []
        for index, entry in enumerate(entries):
            value = {}
            for part, kind in parts:
                parsed = kind.read(part, entry.get(part.id))  # empty: no value, no errors
                if parsed.errors:
                    errors[f"{index}.{part.id}"] = parsed.errors[""]
                elif parsed.value is not None:
                    value[part.id] = parsed.value
                elif part.required:
                    errors[f"{index}.{part.id}"] = kind.required_message(part)
            values.append(value)
        if len(entries) > question.max_items:
            errors[""] = f"You can add up to {question.max_items} {question.item_name}s"
        return Parsed(values, errors) if not errors else Parsed(errors=errors)

    def required_message(self, question: Question) -> str:
        return f"Add at least one {question.item_name}"

    def describe(self, question: Question, value: Any) -> str:
        return f"{len(value)} {question.item_name}{'' if len(value) == 1 else 's'}"

    def raw_for(self, question: Question, value: Any) -> Any:
        def part_raw(part: Question, entry: Mapping[str, Any]) -> Any:
            if part.id not in entry:
                return ""
            return question_type(part.type).raw_for(part, entry[part.id])

        return [{part.id: part_raw(part, entry) for part in question.fields} for entry in value]

    def problems(self, question: Question) -> list[str]:
        problems = super().problems(question)
        if not question.fields:
            problems.append("an 'add another' group needs fields")
        if any(part.type == self.name for part in question.fields):
            problems.append("an 'add another' group cannot hold another group")
        return problems


QUESTION_TYPES: Mapping[str, QuestionType] = {
    kind.name: kind
    for kind in (
        YesNo(), SingleChoice(), MultipleChoice(), Number(), Money(), Percentage(),
        ShortText(), LongText(), DateAnswer(), Group(),
    )
}  # fmt: skip


def question_type(name: str) -> QuestionType:
    """The registered type called `name`; UnknownQuestionType otherwise."""
    try:
        return QUESTION_TYPES[name]
    except KeyError:
        raise UnknownQuestionType(name) from None


def read_answer(question: Question, raw: Any) -> Parsed:
    """Check one answer: empty (None value), a value, or its errors. 'Required' is not checked
    here: a missing answer is only an error when the person says they have finished."""
    return question_type(question.type).read(question, raw)


def counted_answer(question: Question, raw: Any) -> Any:
    """The value of an answer that counts: read_answer's value when valid, else None."""
    return question_type(question.type).counted_value(question, raw)


def answer_fits(question: Question, raw: Any) -> bool:
    """Whether `raw` has the shape of an answer to `question`, as typed: one text, a list of
    chosen values, a date's day, month and year, or a list of 'add another' entries. Whatever
    reads an answer (a page's form, the API's JSON) gives it in this shape."""
    return question_type(question.type).fits(question, raw)


def answer_size_problem(question: Question, raw: Any) -> str | None:
    """What makes an answer that fits (`answer_fits`) too large to keep, or None: a text longer
    than its question allows, more entries than an 'add another' group takes, and so on."""
    return question_type(question.type).size_problem(question, raw)


def required_error(question: Question) -> str:
    """What to say when a required question is left unanswered."""
    return question_type(question.type).required_message(question)


def ordered(values: Sequence[str], options: Sequence[Option]) -> list[str]:
    """Option values in the order the options are defined."""
    return [option.value for option in options if option.value in set(values)]
