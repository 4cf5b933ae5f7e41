"""What the bot says along the revision process, in one place: a proposal, the vote in a meeting,
its count, ratification and the document's history. Pure functions of the proposal, so the words
can be read and reviewed together (the secret ballot's own words are beside it in `ballot.py`)."""

from __future__ import annotations

from scorebot.domain.revision import Proposal, State
from scorebot.domain.text import Text, bold, code, lines, plain, utc_time

YES, NO = "✅", "❌"
NOTHING_PROPOSED = "No revision has been proposed yet. Propose one in a direct chat with me: !revision propose …"
NOTHING_RATIFIED = "No revision has been ratified yet."
NOT_A_RATIFIER = "Only the grievance officers or the Steering Committee can ratify a revision."


def state(proposal: Proposal) -> str:
    if proposal.state is State.BALLOT_OPEN:
        return f"ballot open until {utc_time(proposal.ballot_closes_at)}"
    if proposal.yes is not None:
        return f"{proposal.state.value} (yes {proposal.yes}, no {proposal.no})"
    return proposal.state.value


def too_long(length: int, most: int) -> str:
    return f"That is longer than I can keep ({length} characters, up to {most}). Could you shorten it, or link to a " \
           "longer document?"


def proposed(proposal: Proposal, proposer: str) -> Text:
    """To the grievance officers and the Steering Committee."""
    return lines([bold(f"📜 Revision proposal #{proposal.id} for the code of conduct, from {proposer}"),
                  plain(proposal.text), plain(f"It needs a meeting to discuss it; there a facilitator opens the vote "
                                              f"with !revision vote {proposal.id}.")])


def thanks(proposal: Proposal) -> str:
    return (f"Thank you. Your proposal is #{proposal.id}. The grievance officers and the Steering Committee have it, "
            "and it will be discussed at a meeting.")


def listing(proposals: list[Proposal]) -> str:
    return "\n".join(f"#{p.id} · {state(p)} · {p.text.splitlines()[0][:80]}" for p in proposals)


def whole(proposal: Proposal) -> Text:
    return lines([bold(f"Revision proposal #{proposal.id} · {state(proposal)}"), plain(proposal.text)])


def meeting_vote(proposal: Proposal) -> Text:
    return lines([bold(f"🗳️ Vote in this meeting on revision #{proposal.id} of the code of conduct"),
                  plain(proposal.text),
                  plain(f"Members present: react {YES} for yes or {NO} for no. It passes with yes from more than half "
                        "of the members present; then every member gets a secret ballot, open for a week.")])


def counted(number: int, yes: int, no: int, present: int, ballot_for: int | None, quorum: int | None = None) -> Text:
    """The count of a meeting's vote; `ballot_for` is how many members get the ballot, None if it failed;
    `quorum` when it failed for want of one."""
    summary = bold(f"Revision #{number}: yes {yes}, no {no}, with {present} eligible members present.")
    if quorum is not None:
        return summary + plain(f" The group's quorum for this vote is {quorum} eligible members present, so it does "
                               "not pass now. It may be voted on again at a meeting with more members present.")
    if ballot_for is None:
        return summary + plain(" It needed yes from more than half of them, so it does not go to a ballot. It may "
                               "be revised and proposed again.")
    return summary + plain(f" It passes: the secret ballot is open now, for a week; {ballot_for} members get it in a "
                           "direct chat with me.")


def cannot_ratify(number: int, found: Proposal | None) -> str:
    return f"Only an approved revision can be ratified; #{number} is {state(found) if found else 'not a proposal'}."


def ratified(proposal: Proposal) -> Text:
    """To every organizing room."""
    return lines([bold(f"📜 The code of conduct has changed: revision #{proposal.id} is ratified and now in effect."),
                  plain(proposal.text), plain("Send ") + code("!revision history") + plain(" for every change.")])


def history(ratified_ones: list[Proposal]) -> str:
    return "Document history:\n" + "\n".join(
        f"#{p.id}, ratified {utc_time(p.ratified_at)} (proposed {utc_time(p.submitted_at)}; ballot: yes {p.yes}, "
        f"no {p.no}, {p.voters} of {p.eligible} voted): {p.text.splitlines()[0][:120]}" for p in ratified_ones)


# -- the secret ballot ------------------------------------------------------------------------------

NOT_ON_THE_LIST = ("I'm sorry, you are not on the list of members who may vote on this one. Members of the group's "
                   "rooms vote; someone who joined very recently may have to wait for the next ballot. If you think "
                   "this is a mistake, ask a grievance officer.")


def ballot(proposal: Proposal, closes_at: int) -> Text:
    """To each member who may vote, in a direct chat."""
    return lines([bold(f"🗳️ Secret ballot on revision #{proposal.id} of the code of conduct"), plain(proposal.text),
                  plain("Vote here with ") + code(f"!vote {proposal.id} yes") + plain(" or ")
                  + code(f"!vote {proposal.id} no") + plain(f". You can change your vote until {utc_time(closes_at)}."),
                  plain("Your vote is secret: no one is shown who voted how, and when the ballot closes only the "
                        "counts are kept.")])


def no_ballot(number: int) -> str:
    return f"There is no ballot on proposal #{number} to vote in."


def ballot_closed(number: int) -> str:
    return f"The ballot on proposal #{number} has closed, so I can't take a vote any more."


def vote_recorded(closes_at: int) -> str:
    return f"Thank you, your vote is recorded. You can change it until {utc_time(closes_at)}."


def ballot_reminder(proposal: Proposal) -> Text:
    return plain(f"A reminder: the secret ballot on revision #{proposal.id} of the code of conduct closes at "
                 f"{utc_time(proposal.ballot_closes_at)}. Vote with !vote {proposal.id} yes or !vote {proposal.id} no.")


def result(number: int, approved: bool, yes: int, no: int, voters: int, eligible_count: int) -> Text:
    """Only the counts: who voted how is never kept."""
    outcome = "Approved." if approved else "Not approved."
    return bold(f"🗳️ The ballot on revision #{number} of the code of conduct has closed. {outcome} ") + plain(
        f"Yes: {yes}, no: {no}; {voters} of {eligible_count} eligible members voted.")
