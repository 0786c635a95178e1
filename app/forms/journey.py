"""Walking a form: which questions apply, which answers count, and how far each task has got.

Questions are visited in definition order. A question is shown when its task's questions are
reached and its show-if condition holds for the answers to the questions shown before it; the
loader guarantees conditions only look backwards, so one pass settles everything and no loop
is possible. An answer counts (for later conditions, the check page and scoring) only when its
question is shown and the answer is valid; answers to hidden questions are kept, not counted.
Conditions are compiled once per definition (app/forms/memo.py): pages and scoring walk the
same definition many times.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from app.forms.conditions import ProcurementContext, Test, compile_condition
from app.forms.definition import FormDefinition, Question, Task
from app.forms.memo import once_per_object
from app.forms.types import (
    QUESTION_TYPES,
    Parsed,
    counted_answer,
    read_answer,
    required_error,
)


class TaskStatus(StrEnum):
    """A task's place on the task list."""

    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    NOT_APPLICABLE = "not-applicable"

    @property
    def label(self) -> str:
        """The status for people."""
        return {
            TaskStatus.NOT_STARTED: "Not yet started",
            TaskStatus.IN_PROGRESS: "In progress",
            TaskStatus.COMPLETED: "Completed",
            TaskStatus.NOT_APPLICABLE: "No questions for this procurement",
        }[self]


@dataclass(frozen=True)
class Walk:
    """The result of walking a form for one procurement and one set of raw answers."""

    definition: FormDefinition
    shown: tuple[Question, ...]
    parsed: Mapping[str, Parsed]  # every shown question's answer, read

    @cached_property
    def shown_ids(self) -> frozenset[str]:
        """Ids of the questions that apply."""
        return frozenset(question.id for question in self.shown)

    @cached_property
    def shown_by_id(self) -> dict[str, Question]:
        """The questions that apply, by id."""
        return {question.id: question for question in self.shown}

    @cached_property
    def values(self) -> dict[str, Any]:
        """The answers that count: shown, given and valid."""
        return {
            qid: parsed.value
            for qid, parsed in self.parsed.items()
            if parsed.ok and parsed.value is not None
        }

    def questions_in(self, task: Task) -> list[Question]:
        """The task's questions that apply, in order, worded for this procurement."""
        shown = self.shown_by_id
        return [shown[question.id] for question in task.questions if question.id in shown]

    def errors_in(self, task: Task, *, finishing: bool) -> dict[str, str]:
        """Problems on the task's page: format errors always, 'required' ones when finishing."""
        errors: dict[str, str] = {}
        for question in self.questions_in(task):
            parsed = self.parsed[question.id]
            for key, message in parsed.errors.items():
                errors[question.id if not key else f"{question.id}.{key}"] = message
            if finishing and parsed.ok and parsed.value is None and question.required:
                errors[question.id] = required_error(question)
        return errors

    def status(self, task: Task) -> TaskStatus:
        """Not started, in progress, completed, or no questions for this procurement."""
        questions = self.questions_in(task)
        if not questions:
            return TaskStatus.NOT_APPLICABLE
        answered = [
            q for q in questions if self.parsed[q.id].value is not None or self.parsed[q.id].errors
        ]
        if not answered:
            return TaskStatus.NOT_STARTED
        if self.errors_in(task, finishing=True):
            return TaskStatus.IN_PROGRESS
        return TaskStatus.COMPLETED

    def applicable_tasks(self) -> list[Task]:
        """The tasks with at least one question that applies."""
        return [task for task in self.definition.tasks if self.questions_in(task)]

    def complete(self) -> bool:
        """True when every applicable task is completed."""
        return all(self.status(task) is TaskStatus.COMPLETED for task in self.applicable_tasks())


Step = tuple[
    str,
    Question,
    Test | None,
    Callable[[Question, Any], Parsed],  # its type's read
    Callable[[Question, Any], Any],  # its type's counted_value
    frozenset[str],  # a one-choice question's option values: an answer that is one counts as is
    tuple[tuple[Test, Question], ...],  # its variants: when each holds, the question so worded
]


def worded(question: Question, variants: tuple[tuple[Test, Question], ...],
           counted: Mapping[str, Any], context: ProcurementContext) -> Question:  # fmt: skip
    """The question as this procurement sees it: the first variant that holds, or as written."""
    for holds, words in variants:
        if holds(counted, context):
            return words
    return question


def _variants(question: Question, money: frozenset[str]) -> tuple[tuple[Test, Question], ...]:
    return tuple(
        (compile_condition(variant.when, money),
         question.model_copy(update={
             key: value for key, value in (("label", variant.label), ("hint", variant.hint))
             if value is not None
         }))
        for variant in question.variants
    )  # fmt: skip


@once_per_object(limit=32)
def _steps(definition: FormDefinition) -> tuple[Step, ...]:
    """Each question with its show-if condition compiled and its type's readers: worked out once
    per definition. A type that is not registered raises when an answer is read, as ever."""
    money = frozenset(q.id for q in definition.questions if q.type == "money")
    steps: list[Step] = []
    for question in definition.questions:
        condition = question.show_if
        shows = compile_condition(condition, money) if condition is not None else None
        kind = QUESTION_TYPES.get(question.type)
        variants = _variants(question, money)
        if kind is None:
            steps.append((question.id, question, shows, read_answer, counted_answer, frozenset(),
                          variants))  # fmt: skip
            continue
        one_choice = question.type in ("yes_no", "single_choice")
        choices = frozenset(o.value for o in kind.options(question)) if one_choice else frozenset()
        steps.append((question.id, question, shows, kind.read, kind.counted_value, choices,
                      variants))  # fmt: skip
    return tuple(steps)


def walk(
    definition: FormDefinition, context: ProcurementContext, raw_answers: Mapping[str, Any]
) -> Walk:
    """Decide which questions apply and read their answers."""
    counted: dict[str, Any] = {}
    shown: list[Question] = []
    parsed: dict[str, Parsed] = {}
    for qid, question, shows, read, _, _, variants in _steps(definition):
        if shows is not None and not shows(counted, context):
            continue
        shown.append(worded(question, variants, counted, context) if variants else question)
        answer = read(question, raw_answers.get(qid))
        parsed[qid] = answer
        if answer.value is not None and not answer.errors:  # answer.ok, without the call
            counted[qid] = answer.value
    current = Walk(definition, tuple(shown), parsed)
    current.__dict__["values"] = counted  # Walk.values, already worked out on the way
    return current


def counted_answers(
    definition: FormDefinition, context: ProcurementContext, raw_answers: Mapping[str, Any]
) -> tuple[dict[str, Question], dict[str, Any]]:
    """What walk() says of which questions apply and which answers count (Walk.shown_by_id and
    Walk.values), without keeping each answer as read: all that scoring needs."""
    counted: dict[str, Any] = {}
    shown: dict[str, Question] = {}
    for qid, question, shows, _, counted_value, choices, variants in _steps(definition):
        if shows is not None and not shows(counted, context):
            continue
        shown[qid] = worded(question, variants, counted, context) if variants else question
        raw = raw_answers.get(qid)
        if raw.__class__ is str and raw in choices:  # exactly one of its options: counts as is
            counted[qid] = raw
            continue
        value = counted_value(question, raw)
        if value is not None:
            counted[qid] = value
    return shown, counted
