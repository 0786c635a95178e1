"""Every approval state against every action (issue 18, point 1): what the table allows leads
where the issue says, and everything else is refused with a reason that names the state."""

from __future__ import annotations

import itertools

from app.scoring.approval import OPEN, READ_ONLY, Action, Refused, State, after

# From the issue, by hand: draft -> submitted -> approved or returned; returned -> (edited) ->
# submitted; submitted -> draft (taken back by its lead); approved -> amend (n stays approved,
# n+1 starts as a draft) and, once n+1 is approved, superseded; a draft can be discarded (and a
# returned one, which is a draft with comments).
ALLOWED = {
    ("draft", "edit"): "draft",
    ("draft", "submit"): "submitted",
    ("draft", "discard"): "discarded",
    ("submitted", "take-back"): "draft",
    ("submitted", "approve"): "approved",
    ("submitted", "return"): "returned",
    ("returned", "edit"): "returned",
    ("returned", "submit"): "submitted",
    ("returned", "discard"): "discarded",
    ("approved", "amend"): "approved",
    ("approved", "supersede"): "superseded",
}


def test_every_state_and_action() -> None:
    for state, action in itertools.product(State, Action):
        moved = after(state, action)
        if (state.value, action.value) in ALLOWED:
            assert moved == State(ALLOWED[state.value, action.value]), (state, action)
        else:
            assert isinstance(moved, Refused), (state, action)
            assert moved.reason, (state, action)


def test_refusals_say_why_in_words_about_the_state() -> None:
    assert "waiting for a decision" in after(State.SUBMITTED, Action.EDIT).reason  # type: ignore[union-attr]
    assert "take it back" in after(State.SUBMITTED, Action.DISCARD).reason  # type: ignore[union-attr]
    assert "never changes" in after(State.APPROVED, Action.EDIT).reason  # type: ignore[union-attr]
    assert "Amend it" in after(State.APPROVED, Action.SUBMIT).reason  # type: ignore[union-attr]
    assert "later revision" in after(State.SUPERSEDED, Action.AMEND).reason  # type: ignore[union-attr]
    assert "discarded" in after(State.DISCARDED, Action.SUBMIT).reason  # type: ignore[union-attr]


def test_submitted_and_approved_are_read_only_and_one_revision_is_open() -> None:
    for state in State:
        editable = not isinstance(after(state, Action.EDIT), Refused)
        assert editable == (state not in READ_ONLY), state
    assert OPEN == {State.DRAFT, State.SUBMITTED, State.RETURNED}
