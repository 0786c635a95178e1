"""Moving a draft's answers to a newer version of its form: which answers stay as they are,
which lose options the new version no longer offers, which stay but need something the new
version asks for, and which are dropped.

Pure: the two definitions and the answers as typed arrive as arguments. An answer is never
quietly turned invalid by a move: one the new question would refuse is either narrowed (a
multiple choice keeps the options still offered), kept for the lead to complete (an 'add another'
entry keeps everything typed, and asks for the new field), or dropped and listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.forms.definition import FormDefinition, Question
from app.forms.types import question_type, read_answer


@dataclass(frozen=True)
class Narrowed:
    """A multiple-choice answer kept without the options the new version no longer offers."""

    question: Question  # as the new version asks it
    raw: list[str]
    removed: list[str]  # the labels of the options taken out, as the old version showed them


@dataclass
class Move:
    """What moving the answers to the new version does to each."""

    kept: list[str] = field(default_factory=list)  # question ids, unchanged
    narrowed: list[Narrowed] = field(default_factory=list)
    to_complete: list[Question] = field(default_factory=list)  # kept; the new version asks more
    dropped: list[Question] = field(default_factory=list)  # as the old version asked them

    @property
    def kept_count(self) -> int:
        """Answers that stay in some form."""
        return len(self.kept) + len(self.narrowed) + len(self.to_complete)


def plan_move(old: FormDefinition, new: FormDefinition, answers: Mapping[str, Any]) -> Move:
    """What moving `answers` (question id to the answer as typed) from `old` to `new` does."""
    before = {question.id: question for question in old.questions}
    after = {question.id: question for question in new.questions}
    move = Move()
    for qid, raw in answers.items():
        was, now = before.get(qid), after.get(qid)
        if was is None or question_type(was.type).is_empty(raw):  # nothing to move
            continue
        if now is None or now.type != was.type:
            move.dropped.append(was)
        elif read_answer(was, raw).errors or not read_answer(now, raw).errors:
            move.kept.append(qid)  # still reads the same way (or was already being corrected)
        elif now.type == "group":
            move.to_complete.append(now)
        elif (narrowed := _narrowed(was, now, raw)) is not None:
            move.narrowed.append(narrowed)
        else:
            move.dropped.append(was)
    return move


def _narrowed(was: Question, now: Question, raw: Any) -> Narrowed | None:
    """A multiple choice without the options no longer offered, if any are left."""
    if now.type != "multiple_choice" or not isinstance(raw, list):
        return None
    kind = question_type(now.type)
    offered = [value for value in raw if not kind.read(now, [value]).errors]
    if not offered or kind.read(now, offered).errors:
        return None
    labels = {option.value: option.label for option in question_type(was.type).options(was)}
    removed = [labels.get(value, str(value)) for value in raw if value not in offered]
    return Narrowed(now, offered, removed)
