"""What a template needs to draw one question: its type's partial, options, what was typed,
its errors, its revision and whether someone else's answer was just shown instead."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.forms.definition import Option, Question, Task
from app.forms.journey import Walk
from app.forms.types import question_type
from app.services.assessments import Draft


@dataclass(frozen=True)
class QuestionView:
    """One question on a task page."""

    question: Question
    raw: Any
    errors: dict[str, str] = field(default_factory=dict)
    revision: int = 0
    shown: bool = True
    conflict: str = ""  # who changed it meanwhile, when a save ran into their change
    saved: bool = False

    @property
    def template(self) -> str:
        """The type's partial."""
        return question_type(self.question.type).template

    @property
    def options(self) -> tuple[Option, ...]:
        """The choices offered, 'Not known yet' included where allowed."""
        return question_type(self.question.type).options(self.question)

    @property
    def error(self) -> str:
        """The question's own error message, if any."""
        return self.errors.get("", "")

    def part_error(self, index: int, part_id: str) -> str:
        """The error for one part of an 'add another' entry."""
        return self.errors.get(f"{index}.{part_id}", "")

    @property
    def entries(self) -> list[dict[str, Any]]:
        """An 'add another' group's entries (at least one, empty, to fill in)."""
        entries = list(self.raw) if isinstance(self.raw, list) else []
        return entries or [{part.id: "" for part in self.question.fields}]


def question_views(
    draft: Draft,
    task: Task,
    current: Walk,
    *,
    raws: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflicts: Mapping[str, str] | None = None,
    saved: frozenset[str] = frozenset(),
    only: str | None = None,
) -> list[QuestionView]:
    """Every question of the task (or `only` the one with that id), shown or hidden, with what
    was typed and its errors."""
    raws = raws if raws is not None else draft.raw_answers
    errors = errors or {}
    conflicts = conflicts or {}
    views = []
    shown = current.shown_by_id
    for written in task.questions:
        if only is not None and written.id != only:
            continue
        question = shown.get(written.id, written)  # worded for this procurement where shown
        mine = {
            key.removeprefix(question.id).removeprefix("."): message
            for key, message in errors.items()
            if key == question.id or key.startswith(question.id + ".")
        }
        views.append(
            QuestionView(
                question=question,
                raw=raws.get(question.id),
                errors=mine,
                revision=draft.revision(question.id),
                shown=question.id in current.shown_ids,
                conflict=conflicts.get(question.id, ""),
                saved=question.id in saved,
            )
        )
    return views


def _field_id(question: Question, name: str) -> str:
    """The id of the first control of a field called `name` (what an error links to)."""
    if question.type == "date":
        return f"{name}-day"
    if question.type == "group":
        first = question.fields[0]
        return _field_id(first, f"{name}-0-{first.id}")
    return name


def error_anchors(task: Task, errors: dict[str, str]) -> dict[str, str]:
    """For each error key ('q' or 'q.0.part'), the id of the control it should link to."""
    anchors = {}
    for key in errors:
        question_id, _, rest = key.partition(".")
        question = next((q for q in task.questions if q.id == question_id), None)
        if question is None:
            continue
        if not rest:
            anchors[key] = _field_id(question, question_id)
            continue
        index, _, part_id = rest.partition(".")
        part = next((p for p in question.fields if p.id == part_id), None)
        if part is not None:
            anchors[key] = _field_id(part, f"{question_id}-{index}-{part_id}")
    return anchors


def save_announcement(
    errors: Mapping[str, str],
    conflict: str,
    revealed: list[Question],
    hidden: list[Question],
) -> str:
    """What the task page's status region says after an answer is saved: that it was saved (or
    the error to correct, or whose change it ran into), and the questions it brought or took
    away, so that a screen reader hears what a sighted person sees change."""
    if conflict:
        said = conflict
    elif errors:
        said = f"Saved, but check the answer: {next(iter(errors.values()))}"
    else:
        said = "Saved."
    if revealed:
        count = len(revealed)
        labels = "; ".join(question.label for question in revealed)
        said += f" {count} more question{' now applies' if count == 1 else 's now apply'}: {labels}"
    if hidden:
        count = len(hidden)
        said += f" {count} question{' no longer applies' if count == 1 else 's no longer apply'}."
    return said
