"""The questionnaire as data: form, section, task, question and condition models.

A definition file (YAML, one per form version) is parsed into these models. They check shape
only; app/forms/loader.py checks meaning (known types, earlier questions, real options) and
reports every problem at once.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

ID_PATTERN = r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$"
OPERATORS = ("equals", "not_equals", "one_of", "contains", "greater_than", "less_than", "answered")


class Strict(BaseModel):
    """Definition models refuse unknown keys: a misspelt key is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(Strict):
    """A public source for guidance."""

    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://")


class Guidance(Strict):
    """What sits beside a question: why it matters, good practice, the specification, sources."""

    why: str = Field(min_length=1)
    good_practice: str = Field(min_length=1)
    specification: str = ""
    sources: tuple[Link, ...] = ()


class Option(Strict):
    """One answer to a choice question."""

    value: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1)
    hint: str = ""


class Comparison(Strict):
    """One test: an earlier question's answer, or a procurement field, against a value."""

    question: str | None = None
    field: str | None = None
    equals: Any = None
    not_equals: Any = None
    one_of: tuple[Any, ...] | None = None
    contains: Any = None
    greater_than: Decimal | None = None
    less_than: Decimal | None = None
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_subject_one_operator(self) -> Comparison:
        if (self.question is None) == (self.field is None):
            raise ValueError("a condition names exactly one of 'question' or 'field'")
        used = [name for name in OPERATORS if getattr(self, name) is not None]
        if len(used) != 1:
            raise ValueError(f"a condition has exactly one operator, one of {', '.join(OPERATORS)}")
        return self

    @cached_property
    def operator(self) -> str:
        """The comparison's operator."""
        return next(name for name in OPERATORS if getattr(self, name) is not None)

    @cached_property
    def operand(self) -> Any:
        """What the answer or field is compared with."""
        return getattr(self, self.operator)


class AllOf(Strict):
    """True when every condition is."""

    all: tuple[Condition, ...] = Field(min_length=1)


class AnyOf(Strict):
    """True when at least one condition is."""

    any: tuple[Condition, ...] = Field(min_length=1)


def _condition_kind(data: Any) -> str:
    if isinstance(data, dict):
        return "all" if "all" in data else "any" if "any" in data else "comparison"
    kinds: dict[type, str] = {AllOf: "all", AnyOf: "any"}
    return kinds.get(type(data), "comparison")


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Comparison, Tag("comparison")],
    Discriminator(_condition_kind),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


class Variant(Strict):
    """Other words for a question where a condition holds, such as a goods contract: the first
    variant whose condition holds gives the label and hint shown (and the answer is the same)."""

    when: Condition
    label: str | None = Field(default=None, min_length=1)
    hint: str | None = None


class Question(Strict):
    """One question. `type` names a question type in app/forms/types.py."""

    id: str = Field(pattern=ID_PATTERN)
    type: str
    label: str = Field(min_length=1)
    name: str = ""  # a short noun for messages: "Enter the number of staff"
    hint: str = ""
    guidance: Guidance | None = None
    required: bool = True
    options: tuple[Option, ...] = ()
    not_known: bool = False  # offer "Not known yet", scored as the riskier case
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str = ""
    max_length: int | None = Field(default=None, gt=0)
    show_if: Condition | None = None
    fields: tuple[Question, ...] = ()  # the parts of an "add another" group
    item_name: str = "item"  # an "add another" group's word for one entry
    max_items: int = Field(default=20, gt=0)
    feeds: tuple[
        str, ...
    ] = ()  # what the answer is used for: score:<topic>, obligation:..., kpi, specification
    variants: tuple[Variant, ...] = ()  # its wording where a condition holds

    @cached_property
    def option_values(self) -> frozenset[str]:
        """The values of the question's own options."""
        return frozenset(option.value for option in self.options)


class Task(Strict):
    """A page of questions: a sustainability topic, or part of 'About the procurement'."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    summary: str = ""
    topic: str | None = None
    questions: tuple[Question, ...] = ()


class Section(Strict):
    """A group of tasks on the task list, such as 'Procuring Green'."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    tasks: tuple[Task, ...] = ()


class FormDefinition(Strict):
    """One version of a form."""

    id: str = Field(pattern=ID_PATTERN)
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    # Named sources, written once and used by YAML anchor (&name / *name) in the guidance.
    references: dict[str, Link] = Field(default_factory=dict)
    sections: tuple[Section, ...] = Field(min_length=1)

    @property
    def tasks(self) -> tuple[Task, ...]:
        """Every task, in order."""
        return tuple(task for section in self.sections for task in section.tasks)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every top-level question, in order."""
        return tuple(question for task in self.tasks for question in task.questions)

    def task(self, task_id: str) -> Task:
        """The task with this id; KeyError if there is none."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def question(self, question_id: str) -> Question:
        """The top-level question with this id; KeyError if there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def task_of(self, question_id: str) -> Task:
        """The task a question is on."""
        for task in self.tasks:
            if any(question.id == question_id for question in task.questions):
                return task
        raise KeyError(question_id)
