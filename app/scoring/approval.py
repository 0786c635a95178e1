"""Where an assessment can go from where it is: the approval states and what each action does.

Pure: the service that changes an assessment asks `after` what its action leads to, and refuses
it (409, with the reason given here) when the table has no such move. docs/approval.md shows the
table; tests/unit/test_approval_states.py checks every state against every action.

A draft is submitted; a submission is approved, returned with comments, or taken back to draft
by its lead officer; a returned assessment is changed and submitted again. An approved revision
never changes: amending it starts revision n+1 as a draft, and n stays in force until n+1 is
approved, when n is superseded. A draft (or a returned assessment) can be discarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    """Where one revision of an assessment has got to."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    DISCARDED = "discarded"


class Action(StrEnum):
    """What a person (or, for `supersede`, the approval of the next revision) does to it."""

    EDIT = "edit"  # change an answer, override, KPI decision or the KPI duty's exception
    SUBMIT = "submit"
    TAKE_BACK = "take-back"  # the lead takes a submission back to draft before a decision
    APPROVE = "approve"
    RETURN = "return"
    AMEND = "amend"  # start revision n+1 from an approved n (which stays in force)
    DISCARD = "discard"
    SUPERSEDE = "supersede"  # revision n+1 approved: n is no longer in force


# An open revision is one still being worked on or decided: at most one per procurement.
OPEN = frozenset({State.DRAFT, State.SUBMITTED, State.RETURNED})
READ_ONLY = frozenset({State.SUBMITTED, State.APPROVED, State.SUPERSEDED, State.DISCARDED})

MOVES: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.EDIT): State.DRAFT,
    (State.DRAFT, Action.SUBMIT): State.SUBMITTED,
    (State.DRAFT, Action.DISCARD): State.DISCARDED,
    (State.SUBMITTED, Action.TAKE_BACK): State.DRAFT,
    (State.SUBMITTED, Action.APPROVE): State.APPROVED,
    (State.SUBMITTED, Action.RETURN): State.RETURNED,
    (State.RETURNED, Action.EDIT): State.RETURNED,
    (State.RETURNED, Action.SUBMIT): State.SUBMITTED,
    (State.RETURNED, Action.DISCARD): State.DISCARDED,
    # Amending leaves n approved (in force) and starts n+1 as a draft beside it.
    (State.APPROVED, Action.AMEND): State.APPROVED,
    (State.APPROVED, Action.SUPERSEDE): State.SUPERSEDED,
}

# Why each state refuses what it does not allow, in the words the page and API give.
_WHY_NOT: dict[State, str] = {
    State.DRAFT: "It is a draft: it has not been submitted for a decision.",
    State.SUBMITTED: (
        "It has been submitted and is waiting for a decision, so it cannot be changed. "
        "Its lead officer can take it back to draft to change it."
    ),
    State.RETURNED: (
        "It was returned with comments: change it and submit it again. Only an approved "
        "assessment can be amended."
    ),
    State.APPROVED: (
        "It has been approved, and an approved assessment never changes. "
        "Amend it to start a new revision."
    ),
    State.SUPERSEDED: "A later revision has been approved in its place, so it cannot change.",
    State.DISCARDED: "It was discarded, so it cannot change.",
}


@dataclass(frozen=True)
class Refused:
    """An action the state does not allow, and why (for the 409 page or problem+json)."""

    state: State
    action: Action

    @property
    def reason(self) -> str:
        return _WHY_NOT[self.state]


def after(state: State, action: Action) -> State | Refused:
    """The state `action` leads to from `state`, or why it is refused."""
    return MOVES.get((state, action), Refused(state, action))
