"""The facilitator's overrides of the stack: take someone off, move them to a fixed position,
clear, close and open it. Each is confirmed, shown on the board and noted for the minutes."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import meeting_words as words
from scorebot.domain.commands import NumberArg, PersonArg, command
from scorebot.domain.rooms import ORGANIZING, Role
from scorebot.domain.stack import moved
from scorebot.feature import Feature
from scorebot.features.needs import MEETING
from scorebot.features.stack import StackService
from scorebot.store.meetings import MeetingRecord, meetings


class StackControls(Feature):
    def __init__(self, service: StackService):
        self.service = service

    @command("stack remove", PersonArg(), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="Take someone off the stack.")
    def stack_remove(self, ctx: Context, person: str, meeting: MeetingRecord) -> None:
        target = ctx.person(person)
        entries = [s.entry for s in meetings.waiting(meeting.id) if s.entry.person.key == target.key]
        if not entries:
            ctx.reply(words.not_on_stack(target.name))
            return
        for entry in entries:
            self.service.take_off(ctx, meeting, entry, "removed")
        self._override(ctx, meeting, f"took {target.name} off the stack")

    @command("stack move", PersonArg(), NumberArg("position"), role=Role.FACILITATOR, rooms=ORGANIZING,
             needs=(MEETING,), help="Move someone to a position on the stack; it holds as others join.")
    def stack_move(self, ctx: Context, person: str, position: int, meeting: MeetingRecord) -> None:
        target = ctx.person(person)
        entry = next((s.entry for s in meetings.waiting(meeting.id)
                      if s.entry.person.key == target.key and not s.entry.ahead), None)
        if entry is None:
            ctx.reply(words.not_on_stack(target.name))
            return
        meetings.set_fixed_positions(moved(self.service.order(ctx, meeting), entry, position))
        self._override(ctx, meeting, f"moved {target.name} to position {position}")

    @command("stack clear", role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,), help="Empty the stack.")
    def stack_clear(self, ctx: Context, meeting: MeetingRecord) -> None:
        for stacked in meetings.waiting(meeting.id):
            meetings.take_off(stacked.id, ctx.signal.timestamp, "cleared")
        self._override(ctx, meeting, "cleared the stack")

    @command("stack close", role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="Close the stack to new requests (points of clarification and of process still pass).")
    def stack_close(self, ctx: Context, meeting: MeetingRecord) -> None:
        meetings.set_closed(meeting.id, True)
        self._override(ctx, meeting, "closed the stack")

    @command("stack open", role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,), help="Open the stack again.")
    def stack_open(self, ctx: Context, meeting: MeetingRecord) -> None:
        meetings.set_closed(meeting.id, False)
        self._override(ctx, meeting, "opened the stack")

    def _override(self, ctx: Context, meeting: MeetingRecord, what: str) -> None:
        """A facilitator's change: confirmed, shown on the board, and recorded for the minutes."""
        meetings.note(meeting.id, ctx.signal.timestamp, f"{ctx.name_of(ctx.sender)} {what}.")
        ctx.confirm()
        self.service.update_board(ctx, meetings.get(meeting.id))
