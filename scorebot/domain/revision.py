"""The code of conduct's PROCESS FOR REVISION, as pure rules.

Any member proposes in writing; a meeting discusses it and votes, and it passes when the yes votes
are more than half of the voting-eligible members in attendance (not of those who voted); then
every eligible member gets a secret ballot, open one week, and a simple majority of the votes cast
approves it; an IGO or the Steering Committee ratifies it and the membership is told. Nothing
here talks to Matrix or a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

DAY_MS = 24 * 3600 * 1000


class State(Enum):
    SUBMITTED = "submitted"
    IN_MEETING_VOTE = "in-meeting vote"
    BALLOT_OPEN = "ballot open"
    APPROVED = "approved"
    NOT_APPROVED = "not approved"
    RATIFIED = "ratified"


@dataclass(frozen=True)
class Proposal:
    id: int
    proposer: str
    text: str
    submitted_at: int
    state: State = State.SUBMITTED
    meeting_yes: int | None = None
    meeting_no: int | None = None
    present: int | None = None
    ballot_closes_at: int | None = None
    yes: int | None = None
    no: int | None = None
    voters: int | None = None
    eligible: int | None = None
    ratified_at: int | None = None


# What may be done with a proposal, by the state it is in.
MAY_SHOW = frozenset(State)
MAY_OPEN_VOTE = frozenset({State.SUBMITTED, State.NOT_APPROVED})  # again, after a revision
MAY_COUNT = frozenset({State.IN_MEETING_VOTE})


def not_now(found: Proposal | None, number: int, doing: str, allowed: frozenset[State], state_shown: str = "") -> \
        str | None:
    """Why no one can `doing` proposal `number` now (it does not exist, or its state does not
    allow it), or None when it can; `state_shown` says its state in words."""
    if found is None:
        return f"There is no proposal #{number}."
    if found.state not in allowed:
        return f"I can't {doing} proposal #{number} now: it is {state_shown or found.state.value}."
    return None


def meeting_vote_passes(yes: int, eligible_present: int, quorum: int | None = None) -> bool:
    """More than half of the eligible members in attendance said yes, and they were at least the
    quorum, when the group has set one."""
    return eligible_present > 0 and 2 * yes > eligible_present and not short_of_quorum(eligible_present, quorum)


def short_of_quorum(eligible_present: int, quorum: int | None) -> bool:
    return quorum is not None and eligible_present < quorum


def ballot_approves(yes: int, no: int) -> bool:
    """A simple majority of the votes cast."""
    return yes > no


def eligible(joined_at: int | None, ballot_opens_at: int, min_membership_days: float) -> bool:
    """Whether a member of the eligible rooms may vote: joined at least `min_membership_days`
    before the ballot opened (a guard against brigading). A join the bot never saw is older."""
    return joined_at is None or ballot_opens_at - joined_at >= min_membership_days * DAY_MS


def count(choices: list[str]) -> tuple[int, int]:
    """Yes and no among the last choice of each voter."""
    return choices.count("yes"), choices.count("no")


def remind_due(state: State, now: int, closes_at: int | None, remind_before_ms: int, reminded: bool) -> bool:
    return (state is State.BALLOT_OPEN and not reminded and closes_at is not None
            and now >= closes_at - remind_before_ms)


def close_due(state: State, now: int, closes_at: int | None) -> bool:
    return state is State.BALLOT_OPEN and closes_at is not None and now >= closes_at
