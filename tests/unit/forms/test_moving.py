"""Moving a draft's answers to a newer version: nothing typed is quietly turned invalid. Kept as
it is, narrowed (a multiple choice loses options no longer offered), kept to complete (an 'add
another' entry asked for a new field), or dropped and listed."""

from app.forms.moving import plan_move
from tests.support.catalogue import primas_definition

V1, V2, V3 = (primas_definition(version) for version in (1, 2, 3))
ACTION = {"action": "Audit the agency", "owner": "Contract manager",
          "due": {"day": "1", "month": "6", "year": "2027"}}  # fmt: skip


def test_answers_to_unchanged_questions_are_kept_as_they_are() -> None:
    move = plan_move(V2, V3, {"lots": "yes", "workforce_size": "40", "agency_labour": "no"})
    assert sorted(move.kept) == ["agency_labour", "lots", "workforce_size"]
    assert (move.narrowed, move.to_complete, move.dropped) == ([], [], [])


def test_a_multiple_choice_loses_only_the_options_no_longer_offered() -> None:
    # Version 3 asks agency and low-paid work in the workforce task, not again here.
    move = plan_move(V2, V3, {"workforce_risk": ["agency", "migrant"]})
    (narrowed,) = move.narrowed
    assert (narrowed.question.id, narrowed.raw) == ("workforce_risk", ["migrant"])
    assert narrowed.removed == ["Agency or temporary workers"]
    assert move.kept == [] and move.dropped == []


def test_a_multiple_choice_with_nothing_left_is_dropped() -> None:
    move = plan_move(V2, V3, {"workforce_risk": ["agency", "low-skilled"]})
    assert [question.id for question in move.dropped] == ["workforce_risk"]
    assert move.narrowed == []


def test_an_entry_missing_a_new_required_field_is_kept_to_complete() -> None:
    """Version 3 asks who carries out each mitigation action: what was typed stays."""
    move = plan_move(V2, V3, {"mitigation_actions": [ACTION]})
    assert [question.id for question in move.to_complete] == ["mitigation_actions"]
    assert move.dropped == [] and move.kept_count == 1


def test_a_question_gone_or_of_another_type_is_dropped() -> None:
    move = plan_move(V1, V3, {"staff_on_premises": "yes", "prompt_payment": "yes"})
    assert sorted(question.id for question in move.dropped) == [
        "prompt_payment", "staff_on_premises",
    ]  # fmt: skip


def test_an_answer_already_being_corrected_is_kept_as_it_was() -> None:
    """A format error before the move is the lead's to correct, as before."""
    move = plan_move(V2, V3, {"workforce_size": "12abc"})
    assert move.kept == ["workforce_size"]
