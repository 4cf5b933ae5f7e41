"""A member who leaves a meeting's room, or is kicked or banned from it, leaves the meeting too.

They are taken off the stack (the board changes at once), their turn ends, a meeting they
facilitated goes to the other facilitators or else to the room's moderators (said in the room),
and they are no longer counted present. Nothing of it waits for them: if they come back, they
start as anyone new (they ask to speak again; a facilitator hands the meeting back if wanted).
"""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import meeting_words as words
from scorebot.domain.actions import Send
from scorebot.domain.rooms import RoomKind
from scorebot.domain.signals import Membership
from scorebot.feature import Feature
from scorebot.features.stack import StackService
from scorebot.store.meetings import meetings

GONE = ("leave", "ban")


class Departures(Feature):
    def __init__(self, service: StackService):
        self.service = service

    def on_membership(self, ctx: Context) -> None:
        change: Membership = ctx.signal
        if ctx.room.kind is not RoomKind.ORGANIZING or change.membership not in GONE:
            return
        meeting = meetings.running(ctx.room.room_id)
        if meeting is None:
            return
        user, now = change.user_id, change.timestamp
        name = meetings.names(meeting.id).get(user) or ctx.name_of(user)
        how = "left the room" if change.sender == user else "removed from the room"
        waiting = [s.entry for s in meetings.waiting(meeting.id) if s.entry.person.key == user]
        for entry in waiting:
            self.service.take_off(ctx, meeting, entry, how)
        turn = meetings.current_turn(meeting.id)
        speaking = turn is not None and turn.person.key == user
        if speaking:
            self.service.end_turn(ctx, meeting)
        facilitated = user in meetings.facilitators(meeting.id)
        if facilitated:
            meetings.hand_over(meeting.id, user, None, now)
            others = [ctx.named(u, mention=True) for u in meetings.facilitators(meeting.id)]
            ctx.do(Send(meeting.room_id, words.facilitator_left(name, others)))
        was_present = user in meetings.present(meeting.id)
        meetings.departed(meeting.id, user, now)
        if waiting or speaking or facilitated or was_present:
            meetings.note(meeting.id, now, words.left_the_meeting(name))
        if waiting or speaking:
            self.service.update_board(ctx, meeting)
