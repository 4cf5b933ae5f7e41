"""Turns: the floor given to the front of the stack, ended, and a kind word when it runs long."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import meeting_words as words
from scorebot.domain.actions import Send
from scorebot.domain.commands import command
from scorebot.domain.rooms import ORGANIZING, Role
from scorebot.domain.stack import PROCESS
from scorebot.feature import Feature
from scorebot.features.needs import MEETING, TURN
from scorebot.features.stack import StackService
from scorebot.store.meetings import MeetingRecord, TurnRecord, meetings


class Turns(Feature):
    def __init__(self, service: StackService):
        self.service = service

    @command("next", role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="Give the floor to the next person on the stack.")
    def next(self, ctx: Context, meeting: MeetingRecord) -> None:
        self.service.end_turn(ctx, meeting)
        ordered = self.service.order(ctx, meeting)
        if not ordered:
            ctx.reply(words.STACK_EMPTY)
            self.service.update_board(ctx, meeting)
            return
        first = ordered[0]
        self.service.take_off(ctx, meeting, first, "called")
        brief = first.clarification or first.kind == PROCESS  # a brief point is not a turn that costs a place
        meetings.start_turn(meeting.id, first.person, ctx.signal.timestamp, clarification=brief)
        clarifying = first.term if first.clarification else None
        after = self.service.order(ctx, meeting)
        following = words.speaker(after[0].person) if after else None
        ctx.do(Send(meeting.room_id, words.the_floor(words.speaker(first.person), clarifying, following)))
        self.service.update_board(ctx, meeting)

    @command("done", rooms=ORGANIZING, needs=(MEETING, TURN),
             help="End the current turn (the speaker or a facilitator).")
    def done(self, ctx: Context, meeting: MeetingRecord, turn: TurnRecord) -> None:
        if ctx.sender != turn.person.key and not ctx.may(Role.FACILITATOR):
            ctx.reply(words.ONLY_SPEAKER_OR_FACILITATOR)
            return
        self.service.end_turn(ctx, meeting)
        ctx.confirm()
        self.service.update_board(ctx, meeting)

    @command("wrapup", role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING, TURN),
             help="Kindly ask the speaker to wrap up.")
    def wrapup(self, ctx: Context, meeting: MeetingRecord, turn: TurnRecord) -> None:
        self._ask_to_wrap_up(ctx, meeting, turn)

    def on_tick(self, ctx: Context) -> None:
        if self.service.wrapup_after_ms is None:
            return
        now = ctx.signal.timestamp
        for meeting in meetings.all_running():
            turn = meetings.current_turn(meeting.id)
            if turn and not turn.wrapup_asked and now - turn.started_at >= self.service.wrapup_after_ms:
                self._ask_to_wrap_up(ctx, meeting, turn)

    def _ask_to_wrap_up(self, ctx: Context, meeting: MeetingRecord, turn: TurnRecord) -> None:
        meetings.mark_wrapup_asked(turn.id)
        ctx.do(Send(meeting.room_id, words.wrap_up(words.speaker(turn.person))))
