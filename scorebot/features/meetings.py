"""Meetings: started, handed over and ended with their minutes."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import limits
from scorebot.domain import meeting_words as words
from scorebot.domain.actions import Edit, Send
from scorebot.domain.commands import TextArg, UserArg, command
from scorebot.domain.minutes import render_minutes
from scorebot.domain.rooms import ORGANIZING, Role, RoomKind
from scorebot.domain.stack import MeetingEvent
from scorebot.feature import Feature
from scorebot.features.agenda import take_agenda
from scorebot.features.needs import MEETING
from scorebot.features.stack import StackService
from scorebot.minutes import minutes_data
from scorebot.store.meetings import MeetingRecord, meetings


class Meetings(Feature):
    def __init__(self, service: StackService):
        self.service = service

    def facilitators(self, ctx: Context) -> list[str]:
        """Who facilitates the meeting in this room; in a direct chat, any running meeting."""
        if ctx.room.kind is RoomKind.DIRECT:
            return [user for meeting in meetings.all_running() for user in meetings.facilitators(meeting.id)]
        meeting = meetings.running(ctx.room.room_id)
        return meetings.facilitators(meeting.id) if meeting else []

    @command("meeting start", TextArg("title", optional=True, max_length=limits.TITLE), rooms=ORGANIZING,
             help="Start a meeting here; you facilitate it. The stack opens and its board appears.")
    def meeting_start(self, ctx: Context, title: str | None) -> None:
        running = meetings.running(ctx.room.room_id)
        if running:
            ctx.reply(words.already_running(running.title))
            return
        first_line = ctx.signal.body.strip().splitlines()[0].split()
        title = ("\n" if len(first_line) <= 2 else "") + (title or "")  # "!meeting start" alone, then lines
        title, _, agenda = title.partition("\n")  # the lines after the title are the agenda
        title = title.strip() or ctx.room.name or "Meeting"
        meeting = meetings.start(ctx.room.room_id, title, ctx.sender, ctx.signal.timestamp, ctx.name_of(ctx.sender))
        ctx.reply(words.started(meeting.title, ctx.named(ctx.sender)))
        take_agenda(ctx, meeting.id, agenda)
        self.service.post_board(ctx, meeting)

    @command("meeting end", role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="End the meeting here and post its minutes.")
    def meeting_end(self, ctx: Context, meeting: MeetingRecord) -> None:
        self.service.end_turn(ctx, meeting, announce=False)
        ctx.announce(MeetingEvent.MEETING_ENDING, meeting.id)
        meetings.end(meeting.id, ctx.signal.timestamp)
        if meeting.board_key:
            ctx.do(Edit(meeting.room_id, meeting.board_key, words.ended_board(meeting.title)))
        minutes = render_minutes(minutes_data(meetings.get(meeting.id), self.service.timezone, ctx.name_of))
        meetings.keep_minutes(meeting.id, minutes)
        ctx.do(*(Send(meeting.room_id, part) for part in limits.split(minutes)))  # long minutes: in parts

    @command("facilitator", UserArg(), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="Hand facilitation of this meeting to someone.")
    def facilitator(self, ctx: Context, user: str, meeting: MeetingRecord) -> None:
        if user not in ctx.room.members:
            ctx.reply(words.not_in_room(user))
            return
        giver = ctx.sender if ctx.sender in meetings.facilitators(meeting.id) else None
        meetings.hand_over(meeting.id, giver, user, ctx.signal.timestamp, ctx.name_of(user))
        ctx.reply(words.facilitates_now(ctx.named(user, mention=True)))
