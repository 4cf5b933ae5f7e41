"""The agenda: items with timeboxes, taken up one after the other. The board shows the item open
now and its time left; when the box runs out the facilitators are told once; closing an item clears
its stack, naming who was still waiting (`!agenda next keep` carries them over)."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import agenda as words
from scorebot.domain.actions import Send
from scorebot.domain.agenda import current, parse_items, runs_over, upcoming
from scorebot.domain.commands import ChoiceArg, TextArg, command
from scorebot.domain.rooms import ORGANIZING, Role
from scorebot.feature import Feature
from scorebot.features.needs import MEETING
from scorebot.features.stack import StackService
from scorebot.store.agenda import agenda
from scorebot.store.meetings import MeetingRecord, meetings


def take_agenda(ctx: Context, meeting_id: int, text: str) -> int:
    """Add the items written one a line in `text`; the first is taken up when nothing was yet."""
    items = parse_items(text)
    for title, timebox in items:
        agenda.add(meeting_id, title, timebox)
    listed = agenda.items(meeting_id)
    if items and all(i.opened_at is None for i in listed):
        agenda.open(listed[0].id, ctx.signal.timestamp)
    return len(items)


class Agenda(Feature):
    def __init__(self, service: StackService):
        self.service = service

    @command("agenda", rooms=ORGANIZING, needs=(MEETING,), help="Show the agenda, with each item's timebox.")
    def agenda(self, ctx: Context, meeting: MeetingRecord) -> None:
        ctx.reply(words.render_agenda(agenda.items(meeting.id), ctx.signal.timestamp))

    @command("agenda add", TextArg("items", label="TITLE [10m]", max_length=2000), role=Role.FACILITATOR,
             rooms=ORGANIZING, needs=(MEETING,),
             help="Add an item to the agenda, with its timebox at the end (“Budget 10m”); one a line adds several.")
    def agenda_add(self, ctx: Context, items: str, meeting: MeetingRecord) -> None:
        count = take_agenda(ctx, meeting.id, items)
        ctx.reply(words.added(count) if count else words.NOTHING_TO_ADD)
        if count:
            self.service.update_board(ctx, meeting)

    @command("agenda next", ChoiceArg("keep", optional=True, choices=("keep",)), role=Role.FACILITATOR,
             rooms=ORGANIZING, needs=(MEETING,),
             help="Close the current item and take up the next. Its stack is cleared, naming who waited; "
                  "“keep” carries the stack over.")
    def agenda_next(self, ctx: Context, keep: str | None, meeting: MeetingRecord) -> None:
        now = ctx.signal.timestamp
        items = agenda.items(meeting.id)
        if not items:
            ctx.reply(words.render_agenda(items, now))
            return
        open_now = current(items)
        waiting = [e.person.name for e in self.service.order(ctx, meeting)]
        if open_now:
            agenda.close(open_now.id, now)
            if not keep:
                for stacked in meetings.waiting(meeting.id):
                    meetings.take_off(stacked.id, now, "item closed")
        following = upcoming(items)
        if not following:
            ctx.reply(words.AGENDA_DONE + words.still_waiting(waiting if open_now else [], bool(keep)))
        else:
            agenda.open(following[0].id, now)
            number = items.index(following[0]) + 1
            ctx.do(Send(meeting.room_id, words.taken_up(following[0], number)
                        + words.still_waiting(waiting if open_now else [], bool(keep))))
        self.service.update_board(ctx, meeting)

    def on_tick(self, ctx: Context) -> None:
        now = ctx.signal.timestamp
        for meeting in meetings.all_running():
            item = current(agenda.items(meeting.id))
            if runs_over(item, now):
                agenda.told_overtime(item.id)
                facilitators = [ctx.named(user, mention=True)
                                for user in meetings.facilitators(meeting.id)]
                ctx.do(Send(meeting.room_id, words.over_time(facilitators, item.title)))
                self.service.update_board(ctx, meeting)
