"""The code of conduct's revision process, up to the ballot and after it.

A member proposes in writing (in a direct chat); the IGOs (and the Steering Committee's room) hear
of it. In a meeting, members mark attendance; a facilitator opens a show of hands (✅ / ❌ on the
bot's message) and counts it; if it passes, the secret ballot (`features/ballot.py`) opens at once.
An IGO or a steering member ratifies an approved revision; the membership is told, and the bot
keeps the document's history.
"""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import keys, limits
from scorebot.domain import revision_words as words
from scorebot.domain.actions import React, Send
from scorebot.domain.commands import NumberArg, TextArg, command
from scorebot.domain.privacy import UNVERIFIED_SESSION
from scorebot.domain.reactions import reaction
from scorebot.domain.revision import (
    MAY_COUNT,
    MAY_OPEN_VOTE,
    MAY_SHOW,
    Proposal,
    State,
    meeting_vote_passes,
    not_now,
    short_of_quorum,
)
from scorebot.domain.revision_words import NO, YES
from scorebot.domain.rooms import DIRECT, ORGANIZING, Role, RoomKind
from scorebot.domain.signals import Reaction, Redaction
from scorebot.domain.unverified import tell_where_readable
from scorebot.feature import Feature
from scorebot.features.ballot import Ballot
from scorebot.features.needs import MEETING
from scorebot.store.cases import cases
from scorebot.store.meetings import MeetingRecord, meetings
from scorebot.store.revisions import revisions

MAX_TEXT = 8000


class Revision(Feature):
    def __init__(self, ballot: Ballot, steering: tuple[str, ...] = ()):
        self.ballot = ballot
        self.steering = frozenset(steering)

    # -- proposals --------------------------------------------------------------------------------

    @command("revision propose", TextArg("text", max_length=limits.PROPOSAL), rooms=DIRECT, private=True,
             help="Propose a revision of the code of conduct, in writing (it may span several lines).")
    def propose(self, ctx: Context, text: str) -> None:
        if len(text) > MAX_TEXT:
            ctx.reply(words.too_long(len(text), MAX_TEXT))
            return
        proposal = revisions.propose(ctx.sender, text, ctx.signal.timestamp)
        cases.audit(proposal.submitted_at, ctx.sender, "revision proposed", None, proposal=proposal.id)
        notice = words.proposed(proposal, ctx.name_of(ctx.sender))
        for kind in (RoomKind.IGO, RoomKind.STEERING):
            room = ctx.room_of(kind)
            if room:
                ctx.do(Send(room, notice))
        ctx.reply(words.thanks(proposal))

    @command("revision list", help="The revision proposals and where each one stands.")
    def list_proposals(self, ctx: Context) -> None:
        proposals = revisions.all()
        if not proposals:
            ctx.reply(words.NOTHING_PROPOSED)
            return
        ctx.reply(words.listing(proposals))

    @command("revision show", NumberArg("proposal"), help="One revision proposal, whole.")
    def show(self, ctx: Context, proposal: int) -> None:
        found = self._proposal(ctx, proposal, "show", MAY_SHOW)
        if found is not None:
            ctx.reply(words.whole(found))

    # -- in the meeting ---------------------------------------------------------------------------

    @command("here", rooms=ORGANIZING, needs=(MEETING,),
             help="In a meeting: mark yourself present (for votes and the minutes).")
    def here(self, ctx: Context, meeting: MeetingRecord) -> None:
        meetings.count_present(meeting.id, ctx.sender, ctx.signal.timestamp, ctx.name_of(ctx.sender))
        ctx.confirm()

    @command("revision vote", NumberArg("proposal"), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="In a meeting: ask the members present to vote on a proposal, with ✅ or ❌.")
    def open_vote(self, ctx: Context, proposal: int, meeting: MeetingRecord) -> None:
        found = self._proposal(ctx, proposal, "open a vote on", MAY_OPEN_VOTE)
        if found is None:
            return
        revisions.set_state(proposal, State.IN_MEETING_VOTE, vote_meeting_id=meeting.id)
        key = keys.revision_vote(proposal)
        ctx.do(Send(ctx.room.room_id, words.meeting_vote(found), remember=key),
               React(ctx.room.room_id, None, YES, target_key=key), React(ctx.room.room_id, None, NO, target_key=key))

    @reaction(YES, NO, rooms=ORGANIZING, on="revision-vote")
    def show_of_hands(self, ctx: Context, number: int) -> None:
        hand: Reaction = ctx.signal
        found = revisions.get(number)
        if found and found.state is State.IN_MEETING_VOTE:
            revisions.hand(found.id, ctx.sender, "yes" if hand.emoji == YES else "no", hand.event_id)

    def on_redaction(self, ctx: Context) -> None:
        redaction: Redaction = ctx.signal
        if ctx.room.kind is RoomKind.ORGANIZING:
            revisions.hand_down(redaction.redacts)

    @command("revision count", NumberArg("proposal"), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="In a meeting: close the show of hands; if it passes, the secret ballot opens.")
    def count(self, ctx: Context, proposal: int, meeting: MeetingRecord) -> None:
        found = self._proposal(ctx, proposal, "count", MAY_COUNT)
        if found is None:
            return
        voters = set(self.ballot.voters(ctx, ctx.signal.timestamp))
        hands = {user: choice for user, choice in revisions.hands(proposal).items() if user in voters}
        for user in hands:  # a hand shown is a member present, for the minutes too
            meetings.count_present(meeting.id, user, ctx.signal.timestamp, ctx.name_of(user))
        present = meetings.present(meeting.id) & voters
        yes, no = sum(c == "yes" for c in hands.values()), sum(c == "no" for c in hands.values())
        quorum = self.ballot.config.meeting_quorum
        passed = meeting_vote_passes(yes, len(present), quorum)
        revisions.forget_hands(proposal)
        revisions.set_state(proposal, State.SUBMITTED, meeting_yes=yes, meeting_no=no, present=len(present))
        cases.audit(ctx.signal.timestamp, ctx.sender, "revision counted in a meeting", None,
                              proposal=proposal, yes=yes, no=no, present=len(present), passed=passed)
        opened = self.ballot.open(ctx, found) if passed else None
        short = quorum if short_of_quorum(len(present), quorum) else None
        ctx.reply(words.counted(proposal, yes, no, len(present), opened, short))

    def _proposal(self, ctx: Context, number: int, doing: str, allowed: frozenset[State]) -> Proposal | None:
        """The proposal, if `doing` it is allowed in its state; else say why not."""
        found = revisions.get(number)
        refusal = not_now(found, number, doing, allowed, found and words.state(found))
        if refusal:
            ctx.reply(refusal)
            return None
        return found

    # -- after the ballot -------------------------------------------------------------------------

    @command("revision ratify", NumberArg("proposal"),
             help="Grievance officers and the Steering Committee: ratify an approved revision.")
    def ratify(self, ctx: Context, proposal: int) -> None:
        if not (ctx.roles.is_igo(ctx.sender) or ctx.sender in self.steering):
            ctx.reply(words.NOT_A_RATIFIER)
            return
        if ctx.signal.unsigned_device:
            ctx.reply(UNVERIFIED_SESSION)
            ctx.do(*tell_where_readable(ctx.sender, ctx.name_of(ctx.sender), ctx.room.kind, ctx.views))
            return
        found = revisions.get(proposal)
        if found is None or found.state is not State.APPROVED:
            ctx.reply(words.cannot_ratify(proposal, found))
            return
        now = ctx.signal.timestamp
        revisions.set_state(proposal, State.RATIFIED, ratified_at=now, ratified_by=ctx.sender)
        cases.audit(now, ctx.sender, "revision ratified", None, proposal=proposal)
        for room, kind in ctx.rooms.items():
            if kind is RoomKind.ORGANIZING:
                ctx.do(Send(room, words.ratified(found)))
        ctx.confirm()

    @command("revision history", help="Every ratified revision of the code of conduct.")
    def history(self, ctx: Context) -> None:
        ratified = [p for p in revisions.all() if p.state is State.RATIFIED]
        if not ratified:
            ctx.reply(words.NOTHING_RATIFIED)
            return
        ctx.reply(words.history(ratified))
