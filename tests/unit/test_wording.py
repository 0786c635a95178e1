"""Wording helpers: what the task page's status region says after a save."""

from app.forms.definition import Question
from app.web.question_views import save_announcement


def question(label: str) -> Question:
    return Question(id="q", type="yes_no", label=label)


def test_a_plain_save() -> None:
    assert save_announcement({}, "", [], []) == "Saved."


def test_an_answer_to_correct_gives_the_error_itself() -> None:
    said = save_announcement({"": "Enter a number, like 12"}, "", [], [])
    assert said == "Saved, but check the answer: Enter a number, like 12"


def test_someone_else_s_change_is_said_instead() -> None:
    assert save_announcement({}, "Someone else changed this answer.", [], []) == (
        "Someone else changed this answer."
    )


def test_questions_brought_and_taken_away_are_counted_and_named() -> None:
    one = save_announcement({}, "", [question("How many hours?")], [])
    assert one == "Saved. 1 more question now applies: How many hours?"
    two = save_announcement({}, "", [question("A?"), question("B?")], [question("C?")])
    assert two == "Saved. 2 more questions now apply: A?; B? 1 question no longer applies."
    gone = save_announcement({}, "", [], [question("A?"), question("B?")])
    assert gone == "Saved. 2 questions no longer apply."
