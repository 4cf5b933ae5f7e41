"""The code of conduct's revision process, up to the ballot and after it.

A member proposes in writing (in a direct chat); the IGOs (and the Steering Committee's room) hear
of it. In a meeting, members mark attendance; a facilitator opens a show of hands (✅ / ❌ on the
bot's message) and counts it; if it passes, the secret ballot (`features/ballot.py`) opens at once.
An IGO or a steering member ratifies an approved revision; the membership is told, and the bot
keeps the document's history.
"""

from __future__ import annotations

from scorebot.dispatch import Context, Feature
from scorebot.domain import keys
from scorebot.domain.actions import React, Send
from scorebot.domain.commands import NumberArg, TextArg, command
from scorebot.domain.privacy import UNVERIFIED_SESSION
from scorebot.domain.revision import MAY_COUNT, MAY_OPEN_VOTE, State, meeting_vote_passes, not_now
from scorebot.domain.rooms import DIRECT, ORGANIZING, Role, RoomKind
from scorebot.domain.signals import Reaction, Redaction
from scorebot.domain.text import bold, code, lines, plain, utc_time
from scorebot.features.ballot import Ballot
from scorebot.features.meeting_room import MEETING
from scorebot.store.meetings import MeetingRecord

YES, NO = "✅", "❌"
MAX_TEXT = 8000


class Revision(Feature):
    def __init__(self, ballot: Ballot, steering: tuple[str, ...] = ()):
        self.ballot = ballot
        self.steering = frozenset(steering)

    # -- proposals --------------------------------------------------------------------------------

    @command("revision propose", TextArg("text"), rooms=DIRECT, private=True,
             help="Propose a revision of the code of conduct, in writing (it may span several lines).")
    def propose(self, ctx: Context, text: str) -> None:
        if len(text) > MAX_TEXT:
            ctx.reply(f"That is longer than I can keep ({len(text)} characters, up to {MAX_TEXT}). Could you "
                      "shorten it, or link to a longer document?")
            return
        proposal = ctx.store.revisions.propose(ctx.sender, text, ctx.signal.timestamp)
        ctx.store.cases.audit(proposal.submitted_at, ctx.sender, "revision proposed", None, proposal=proposal.id)
        notice = lines([bold(f"📜 Revision proposal #{proposal.id} for the code of conduct, from "
                             f"{ctx.name_of(ctx.sender)}"), plain(text),
                        plain(f"It needs a meeting to discuss it; there a facilitator opens the vote with "
                              f"!revision vote {proposal.id}.")])
        for kind in (RoomKind.IGO, RoomKind.STEERING):
            room = ctx.room_of(kind)
            if room:
                ctx.do(Send(room, notice))
        ctx.reply(f"Thank you. Your proposal is #{proposal.id}. The grievance officers and the Steering "
                  "Committee have it, and it will be discussed at a meeting.")

    @command("revision list", help="The revision proposals and where each one stands.")
    def list_proposals(self, ctx: Context) -> None:
        proposals = ctx.store.revisions.all()
        if not proposals:
            ctx.reply("No revision has been proposed yet. Propose one in a direct chat with me: !revision propose …")
            return
        ctx.reply("\n".join(f"#{p.id} · {self._state(p)} · {p.text.splitlines()[0][:80]}" for p in proposals))

    @command("revision show", NumberArg("proposal"), help="One revision proposal, whole.")
    def show(self, ctx: Context, proposal: int) -> None:
        found = ctx.store.revisions.get(proposal)
        if found is None:
            ctx.reply(f"There is no proposal #{proposal}.")
            return
        ctx.reply(lines([bold(f"Revision proposal #{found.id} · {self._state(found)}"), plain(found.text)]))

    def _state(self, proposal) -> str:
        if proposal.state is State.BALLOT_OPEN:
            return f"ballot open until {utc_time(proposal.ballot_closes_at)}"
        if proposal.yes is not None:
            return f"{proposal.state.value} (yes {proposal.yes}, no {proposal.no})"
        return proposal.state.value

    # -- in the meeting ---------------------------------------------------------------------------

    @command("here", rooms=ORGANIZING, needs=(MEETING,),
             help="In a meeting: mark yourself present (for votes and the minutes).")
    def here(self, ctx: Context, meeting: MeetingRecord) -> None:
        ctx.store.revisions.here(meeting.id, ctx.sender, ctx.signal.timestamp)
        ctx.confirm()

    @command("revision vote", NumberArg("proposal"), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="In a meeting: ask the members present to vote on a proposal, with ✅ or ❌.")
    def open_vote(self, ctx: Context, proposal: int, meeting: MeetingRecord) -> None:
        found = ctx.store.revisions.get(proposal)
        refusal = not_now(found, proposal, "open a vote on", MAY_OPEN_VOTE, found and self._state(found))
        if refusal:
            ctx.reply(refusal)
            return
        ctx.store.revisions.set_state(proposal, State.IN_MEETING_VOTE, vote_meeting_id=meeting.id)
        key = keys.revision_vote(proposal)
        ctx.do(Send(ctx.room.room_id, lines([
            bold(f"🗳️ Vote in this meeting on revision #{proposal} of the code of conduct"), plain(found.text),
            plain(f"Members present: react {YES} for yes or {NO} for no. It passes with yes from more than half "
                  f"of the members present; then every member gets a secret ballot, open for a week.")]),
            remember=key), React(ctx.room.room_id, None, YES, target_key=key),
            React(ctx.room.room_id, None, NO, target_key=key))

    def on_reaction(self, ctx: Context) -> None:
        reaction: Reaction = ctx.signal
        key = reaction.key.replace("\ufe0f", "")
        if ctx.room.kind is not RoomKind.ORGANIZING or key not in (YES, NO):
            return
        number = keys.number_in(ctx.store.key_of(reaction.target_event_id), "revision-vote")
        if number is not None:
            found = ctx.store.revisions.get(number)
            if found and found.state is State.IN_MEETING_VOTE:
                ctx.store.revisions.hand(found.id, ctx.sender, "yes" if key == YES else "no", reaction.event_id)

    def on_redaction(self, ctx: Context) -> None:
        redaction: Redaction = ctx.signal
        if ctx.room.kind is RoomKind.ORGANIZING:
            ctx.store.revisions.hand_down(redaction.redacts)

    @command("revision count", NumberArg("proposal"), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="In a meeting: close the show of hands; if it passes, the secret ballot opens.")
    def count(self, ctx: Context, proposal: int, meeting: MeetingRecord) -> None:
        found = ctx.store.revisions.get(proposal)
        refusal = not_now(found, proposal, "count", MAY_COUNT, found and self._state(found))
        if refusal:
            ctx.reply(refusal)
            return
        voters = set(self.ballot.voters(ctx, ctx.signal.timestamp))
        hands = {user: choice for user, choice in ctx.store.revisions.hands(proposal).items() if user in voters}
        present = (self.present(ctx, meeting.id) | set(hands)) & voters
        yes, no = sum(c == "yes" for c in hands.values()), sum(c == "no" for c in hands.values())
        passed = meeting_vote_passes(yes, len(present))
        ctx.store.revisions.forget_hands(proposal)
        ctx.store.revisions.set_state(proposal, State.SUBMITTED, meeting_yes=yes, meeting_no=no, present=len(present))
        ctx.store.cases.audit(ctx.signal.timestamp, ctx.sender, "revision counted in a meeting", None,
                              proposal=proposal, yes=yes, no=no, present=len(present), passed=passed)
        summary = f"Revision #{proposal}: yes {yes}, no {no}, with {len(present)} eligible members present."
        if not passed:
            ctx.reply(bold(summary) + plain(" It needed yes from more than half of them, so it does not go to a "
                                            "ballot. It may be revised and proposed again."))
            return
        opened = self.ballot.open(ctx, found)
        ctx.reply(bold(summary) + plain(f" It passes: the secret ballot is open now, for a week; {opened} members "
                                        "get it in a direct chat with me."))

    def present(self, ctx: Context, meeting_id: int) -> set[str]:
        """Who attended: marked with !here, asked to speak, or spoke."""
        return ctx.store.revisions.marked_present(meeting_id) | ctx.store.meetings.asked(meeting_id)

    # -- after the ballot -------------------------------------------------------------------------

    @command("revision ratify", NumberArg("proposal"),
             help="Grievance officers and the Steering Committee: ratify an approved revision.")
    def ratify(self, ctx: Context, proposal: int) -> None:
        if not (ctx.roles.is_igo(ctx.sender) or ctx.sender in self.steering):
            ctx.reply("Only the grievance officers or the Steering Committee can ratify a revision.")
            return
        if ctx.signal.unsigned_device:
            ctx.reply(UNVERIFIED_SESSION)
            return
        found = ctx.store.revisions.get(proposal)
        if found is None or found.state is not State.APPROVED:
            ctx.reply(f"Only an approved revision can be ratified; #{proposal} is "
                      f"{self._state(found) if found else 'not a proposal'}.")
            return
        now = ctx.signal.timestamp
        ctx.store.revisions.set_state(proposal, State.RATIFIED, ratified_at=now, ratified_by=ctx.sender)
        ctx.store.cases.audit(now, ctx.sender, "revision ratified", None, proposal=proposal)
        for room, kind in ctx.rooms.items():
            if kind is RoomKind.ORGANIZING:
                ctx.do(Send(room, lines([bold(f"📜 The code of conduct has changed: revision #{proposal} is "
                                              "ratified and now in effect."), plain(found.text),
                                         plain("Send ") + code("!revision history") + plain(" for every change.")])))
        ctx.confirm()

    @command("revision history", help="Every ratified revision of the code of conduct.")
    def history(self, ctx: Context) -> None:
        ratified = [p for p in ctx.store.revisions.all() if p.state is State.RATIFIED]
        if not ratified:
            ctx.reply("No revision has been ratified yet.")
            return
        ctx.reply("Document history:\n" + "\n".join(
            f"#{p.id}, ratified {utc_time(p.ratified_at)} (proposed {utc_time(p.submitted_at)}; ballot: yes {p.yes}, "
            f"no {p.no}, {p.voters} of {p.eligible} voted): {p.text.splitlines()[0][:120]}" for p in ratified))
