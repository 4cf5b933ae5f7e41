"""Typed requests to speak, as TCQ and Zakim have them: a direct response to the speaker, a point
of process, and a member's step back to let the next person go first. The order they take is
`domain.stack.order`; the way in is `StackService.request`, like every other request."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import meeting_words as words
from scorebot.domain.actions import Send
from scorebot.domain.commands import TextArg, command
from scorebot.domain.rooms import ORGANIZING
from scorebot.domain.stack import POINT, PROCESS, RESPOND, stepped_back
from scorebot.feature import Feature
from scorebot.features.needs import MEETING
from scorebot.features.stack import StackService
from scorebot.store.meetings import MeetingRecord, meetings


class Requests(Feature):
    def __init__(self, service: StackService):
        self.service = service

    @command("respond", rooms=ORGANIZING, needs=(MEETING,),
             help="Answer the current speaker directly: you go right after them. One direct response a turn; "
                  "a second one waits as an ordinary hand.")
    def respond(self, ctx: Context, meeting: MeetingRecord) -> None:
        turn = meetings.current_turn(meeting.id)
        taken = turn is not None and any(s.entry.kind == RESPOND and s.asked_at >= turn.started_at
                                         for s in meetings.waiting(meeting.id))
        kind = RESPOND if turn is not None and not taken else POINT
        if kind == POINT:
            ctx.reply(words.RESPONSE_TAKEN if turn else words.NOBODY_TO_RESPOND_TO)
        self.service.request(ctx, meeting, ctx.person(ctx.sender), "respond", kind=kind)

    @command("process", TextArg("about", optional=True, max_length=200), rooms=ORGANIZING, needs=(MEETING,),
             help="A point of process (we are over time, can we take a break): you go ahead of everyone, "
                  "and the facilitator is told.")
    def process(self, ctx: Context, about: str | None, meeting: MeetingRecord) -> None:
        before = len(meetings.waiting(meeting.id))
        self.service.request(ctx, meeting, ctx.person(ctx.sender), "process", kind=PROCESS, term=about)
        if len(meetings.waiting(meeting.id)) > before:
            facilitators = [ctx.named(user, mention=True)
                            for user in meetings.facilitators(meeting.id)]
            ctx.do(Send(meeting.room_id, words.point_of_process(facilitators, ctx.name_of(ctx.sender), about)))

    @command("stack step-back", rooms=ORGANIZING, needs=(MEETING,),
             help="Let the person right after you on the stack go first. It only ever moves you down.")
    def step_back(self, ctx: Context, meeting: MeetingRecord) -> None:
        ordered = self.service.order(ctx, meeting)
        if not any(e.person.key == ctx.sender and e.kind == POINT and not e.clarification for e in ordered):
            ctx.reply(words.NOT_ON_THE_STACK)
            return
        fixed = stepped_back(ordered, ctx.sender)
        if fixed is None:
            ctx.reply(words.NOBODY_AFTER_YOU)
            return
        meetings.set_fixed_positions(fixed)
        ctx.confirm()
        self.service.update_board(ctx, meeting)
