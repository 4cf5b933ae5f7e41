"""Revision proposals, attendance, shows of hands in meetings, and secret ballots.

A ballot keeps who may vote and whether they did. A voter's choice is kept only while the ballot is
open, since a vote may change; at the close only the counts remain and every choice is deleted
(SQLite overwrites deleted rows and empties its WAL: see `store.erasure`).
"""

from __future__ import annotations

from scorebot.domain.revision import Proposal, State, count
from scorebot.store import erasure
from scorebot.store import models as m


def _proposal(row: m.RevisionProposal) -> Proposal:
    return Proposal(row.id, row.proposer, row.text, row.submitted_at, State(row.state), row.meeting_yes,
                    row.meeting_no, row.present, row.ballot_closes_at, row.yes, row.no, row.voters, row.eligible,
                    row.ratified_at)


class Revisions:
    # -- proposals --------------------------------------------------------------------------------

    def propose(self, proposer: str, text: str, at: int) -> Proposal:
        return _proposal(m.RevisionProposal.create(proposer=proposer, text=text, submitted_at=at))

    def get(self, number: int) -> Proposal | None:
        row = m.RevisionProposal.get_or_none(m.RevisionProposal.id == number)
        return _proposal(row) if row else None

    def all(self) -> list[Proposal]:
        return [_proposal(r) for r in m.RevisionProposal.select().order_by(m.RevisionProposal.id)]

    def set_state(self, number: int, state: State, **values) -> None:
        m.RevisionProposal.update(state=state.value, **values).where(m.RevisionProposal.id == number).execute()

    def in_meeting(self, meeting_id: int) -> list[Proposal]:
        rows = m.RevisionProposal.select().where(m.RevisionProposal.vote_meeting_id == meeting_id)
        return [_proposal(r) for r in rows.order_by(m.RevisionProposal.id)]

    def open_ballots(self) -> list[tuple[Proposal, bool]]:
        rows = m.RevisionProposal.select().where(m.RevisionProposal.state == State.BALLOT_OPEN.value)
        return [(_proposal(r), r.reminded) for r in rows.order_by(m.RevisionProposal.id)]

    # -- the show of hands (who is present: `meetings.present`) -----------------------------------

    def hand(self, proposal_id: int, user_id: str, choice: str, event_id: str) -> None:
        m.upsert(m.MeetingVote, proposal_id=proposal_id, user_id=user_id, choice=choice,
                             event_id=event_id)

    def hand_down(self, event_id: str) -> None:
        m.MeetingVote.delete().where(m.MeetingVote.event_id == event_id).execute()

    def forget_hands(self, proposal_id: int) -> None:
        """Counted: only the counts are kept."""
        m.MeetingVote.delete().where(m.MeetingVote.proposal_id == proposal_id).execute()

    def hands(self, proposal_id: int) -> dict[str, str]:
        return {r.user_id: r.choice for r in m.MeetingVote.select().where(m.MeetingVote.proposal_id == proposal_id)}

    # -- the secret ballot ------------------------------------------------------------------------

    def open_ballot(self, number: int, voters: list[str], opened_at: int, closes_at: int) -> None:
        for user_id in voters:
            m.BallotVoter.insert(proposal_id=number, user_id=user_id).on_conflict_ignore().execute()
        self.set_state(number, State.BALLOT_OPEN, ballot_opened_at=opened_at, ballot_closes_at=closes_at,
                       eligible=len(voters))

    def may_vote(self, number: int, user_id: str) -> bool:
        return m.BallotVoter.select().where((m.BallotVoter.proposal_id == number)
                                            & (m.BallotVoter.user_id == user_id)).exists()

    def vote(self, number: int, user_id: str, choice: str) -> None:
        """Record (or change) a choice; only the last one counts."""
        m.upsert(m.BallotChoice, proposal_id=number, user_id=user_id, choice=choice)
        m.BallotVoter.update(voted=True).where((m.BallotVoter.proposal_id == number)
                                               & (m.BallotVoter.user_id == user_id)).execute()

    def not_voted(self, number: int) -> list[str]:
        rows = m.BallotVoter.select().where((m.BallotVoter.proposal_id == number) & ~m.BallotVoter.voted)
        return [r.user_id for r in rows]

    def reminded(self, number: int) -> None:
        m.RevisionProposal.update(reminded=True).where(m.RevisionProposal.id == number).execute()

    def tally(self, number: int) -> tuple[int, int, int]:
        """Yes, no, and how many voted."""
        choices = [r.choice for r in m.BallotChoice.select().where(m.BallotChoice.proposal_id == number)]
        yes, no = count(choices)
        return yes, no, len(choices)

    def close_ballot(self, number: int, state: State, yes: int, no: int, voters: int) -> None:
        """Keep the counts and delete every choice: after this, no one can tell who voted how."""
        m.BallotChoice.delete().where(m.BallotChoice.proposal_id == number).execute()
        self.set_state(number, state, yes=yes, no=no, voters=voters)
        erasure.erase_after_commit()


revisions = Revisions()
