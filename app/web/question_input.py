"""Reading a question page's posted form into answers as typed, in the shape the questionnaire
keeps them (app/forms/types.py `answer_fits`): the form's field names are this page's business,
not the questionnaire's.

A question's field is named by its id; a date's three fields `<id>-day`, `<id>-month` and
`<id>-year`; the entries of an 'add another' group `<id>-<n>-<part id>`, with `<id>-count`
saying how many the page showed.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from app.forms.definition import Question, Task
from app.inputs import DATE_PARTS, clean_text, parse_id


def answer_from_form(question: Question, form: FormData, prefix: str = "") -> Any:
    """What was posted for `question`, as typed; nothing posted reads as nothing entered."""
    name = prefix + question.id
    if question.type == "multiple_choice":
        return [clean_text(value) for value in form.getlist(name) if isinstance(value, str)]
    if question.type == "date":
        return {part: _text(form.get(f"{name}-{part}")) for part in DATE_PARTS}
    if question.type == "group":
        count = parse_id(_text(form.get(f"{name}-count"))) or 0
        return [
            {
                part.id: answer_from_form(part, form, prefix=f"{name}-{index}-")
                for part in question.fields
            }
            for index in range(min(count, question.max_items))
        ]
    return _text(form.get(name))


def answers_from_form(task: Task, form: FormData) -> dict[str, Any]:
    """Every answer on a task's page, by question id."""
    return {question.id: answer_from_form(question, form) for question in task.questions}


def _text(value: object) -> str:
    return clean_text(value) if isinstance(value, str) else ""
