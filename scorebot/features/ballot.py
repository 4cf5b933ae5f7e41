"""The secret ballot on a revision of the code of conduct: one week, in direct chats, counts only.

Every eligible member gets the full text in a direct chat and votes there with `!vote N yes|no`;
the last vote counts. Nothing ever shows who voted how: not a room, not the log, not an export.
At the close the counts are kept and every choice is deleted.
"""

from __future__ import annotations

from scorebot.config import VotingConfig
from scorebot.context import Context
from scorebot.domain import conversation_words, keys
from scorebot.domain import revision_words as words
from scorebot.domain.actions import Send, SendDirect
from scorebot.domain.commands import ChoiceArg, NumberArg, command
from scorebot.domain.conversations import Topic
from scorebot.domain.revision import Proposal, State, ballot_approves, close_due, eligible, remind_due
from scorebot.domain.rooms import DIRECT, RoomKind
from scorebot.feature import Feature
from scorebot.store.brigading import brigading
from scorebot.store.cases import cases
from scorebot.store.revisions import revisions


class Ballot(Feature):
    def __init__(self, config: VotingConfig | None = None):
        self.config = config or VotingConfig()
        self.duration_ms = int(self.config.ballot_duration * 1000)
        self.remind_ms = int(self.config.remind_before * 1000)

    # -- opening --------------------------------------------------------------------------------

    def eligible_rooms(self, ctx: Context) -> list[str]:
        configured = self.config.eligible_rooms
        return [room for room, kind in ctx.rooms.items()
                if (room in configured if configured else kind is RoomKind.ORGANIZING)]

    def voters(self, ctx: Context, opens_at: int) -> list[str]:
        rooms = self.eligible_rooms(ctx)
        members = {user for room in rooms for user in (ctx.views.get(room).members if room in ctx.views else {})}
        members.discard(ctx.bot_user_id)
        return sorted(user for user in members
                      if eligible(brigading.last_joined(user, rooms), opens_at,
                                  self.config.min_membership_days))

    def open(self, ctx: Context, proposal: Proposal) -> int:
        """Open the ballot now; every eligible member gets it in a direct chat. Returns how many."""
        now = ctx.signal.timestamp
        voters = self.voters(ctx, now)
        closes_at = now + self.duration_ms
        revisions.open_ballot(proposal.id, voters, now, closes_at)
        cases.audit(now, ctx.sender, "revision ballot opened", None, proposal=proposal.id,
                              eligible=len(voters))
        for voter in voters:
            ctx.do(SendDirect(voter, words.ballot(proposal, closes_at), remember=keys.ballot_note(proposal.id, voter)))
        return len(voters)

    # -- voting ---------------------------------------------------------------------------------

    @command("vote", NumberArg("proposal"), ChoiceArg("choice", choices=("yes", "no")), rooms=DIRECT, private=True,
             help="Vote on a revision of the code of conduct, secretly: !vote 1 yes. You may change your vote "
                  "until the ballot closes.")
    def vote(self, ctx: Context, proposal: int, choice: str) -> None:
        found = revisions.get(proposal)
        if found is None or found.state not in (State.BALLOT_OPEN, State.APPROVED, State.NOT_APPROVED,
                                                State.RATIFIED):
            ctx.reply(words.no_ballot(proposal))
            return
        if found.state is not State.BALLOT_OPEN:
            ctx.reply(words.ballot_closed(proposal))
            return
        if not revisions.may_vote(proposal, ctx.sender):
            ctx.reply(words.NOT_ON_THE_LIST)
            return
        revisions.vote(proposal, ctx.sender, choice)
        ctx.reply(words.vote_recorded(found.ballot_closes_at))

    # -- what a voter writes in their direct chat (see scorebot.conversations) --------------------

    topic = Topic.BALLOT

    def open_conversations(self, ctx: Context) -> list[int]:
        """A ballot the member may still vote in; once they voted, their words are about something else."""
        return [proposal.id for proposal, _ in revisions.open_ballots()
                if ctx.sender in revisions.not_voted(proposal.id)]

    def carry_on(self, ctx: Context, number: int, said: str) -> None:
        """Never passed on: a ballot's chat holds votes only, and nothing a voter writes leaves it."""
        ctx.reply(conversation_words.about_the_ballot(number, ctx.registry.prefix))

    # -- time passing ---------------------------------------------------------------------------

    def on_tick(self, ctx: Context) -> None:
        now = ctx.signal.timestamp
        for proposal, reminded in revisions.open_ballots():
            if close_due(proposal.state, now, proposal.ballot_closes_at):
                self._close(ctx, proposal)
            elif remind_due(proposal.state, now, proposal.ballot_closes_at, self.remind_ms, reminded):
                revisions.reminded(proposal.id)
                for voter in revisions.not_voted(proposal.id):
                    ctx.do(SendDirect(voter, words.ballot_reminder(proposal),
                                      remember=keys.ballot_note(proposal.id, voter) + ":reminder"))

    def _close(self, ctx: Context, proposal: Proposal) -> None:
        yes, no, voters = revisions.tally(proposal.id)
        approved = ballot_approves(yes, no)
        revisions.close_ballot(proposal.id, State.APPROVED if approved else State.NOT_APPROVED, yes, no, voters)
        cases.audit(ctx.signal.timestamp, "scorebot", "revision ballot closed", None,
                              proposal=proposal.id, yes=yes, no=no, voters=voters)
        text = words.result(proposal.id, approved, yes, no, voters, proposal.eligible or 0)
        for room, kind in ctx.rooms.items():
            if kind in (RoomKind.ORGANIZING, RoomKind.IGO, RoomKind.STEERING):
                ctx.do(Send(room, text))
