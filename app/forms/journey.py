"""Walking a form: which questions apply, which answers count, and how far each task has got.

Questions are visited in definition order. A question is shown when its task's questions are
reached and its show-if condition holds for the answers to the questions shown before it; the
loader guarantees conditions only look backwards, so one pass settles everything and no loop
is possible. An answer counts (for later conditions, the check page and scoring) only when its
question is shown and the answer is valid; answers to hidden questions are kept, not counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.forms.conditions import ProcurementContext, holds
from app.forms.definition import FormDefinition, Question, Task
from app.forms.types import Parsed, read_answer, required_error


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
            TaskStatus.NOT_APPLICABLE: "Does not apply",
        }[self]


@dataclass(frozen=True)
class Walk:
    """The result of walking a form for one procurement and one set of raw answers."""

    definition: FormDefinition
    shown: tuple[Question, ...]
    parsed: Mapping[str, Parsed]  # every shown question's answer, read

    @property
    def shown_ids(self) -> frozenset[str]:
        """Ids of the questions that apply."""
        return frozenset(question.id for question in self.shown)

    @property
    def values(self) -> dict[str, Any]:
        """The answers that count: shown, given and valid."""
        return {
            qid: parsed.value
            for qid, parsed in self.parsed.items()
            if parsed.ok and parsed.value is not None
        }

    def questions_in(self, task: Task) -> list[Question]:
        """The task's questions that apply, in order."""
        return [question for question in task.questions if question.id in self.shown_ids]

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
        """Not started, in progress, completed, or does not apply to this procurement."""
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


def walk(
    definition: FormDefinition, context: ProcurementContext, raw_answers: Mapping[str, Any]
) -> Walk:
    """Decide which questions apply and read their answers."""
    money = frozenset(q.id for q in definition.questions if q.type == "money")
    counted: dict[str, Any] = {}
    shown: list[Question] = []
    parsed: dict[str, Parsed] = {}
    for question in definition.questions:
        if question.show_if is not None and not holds(question.show_if, counted, context, money):
            continue
        shown.append(question)
        answer = read_answer(question, raw_answers.get(question.id))
        parsed[question.id] = answer
        if answer.ok and answer.value is not None:
            counted[question.id] = answer.value
    return Walk(definition, tuple(shown), parsed)
