"""What the meeting features share: a running meeting's stack in order, its board, and the one way
in and out of the stack.

Every way of asking to speak (a hand in a message, a stack text, a hand reaction, a raised hand
in a call, !stack, a direct chat, a facilitator's add) goes through `request`, so each is
confirmed the same way: a ✅ on the signal and the board edited in place.
"""

from __future__ import annotations

from scorebot.config import StackConfig
from scorebot.context import Context
from scorebot.domain import meeting_words as words
from scorebot.domain.actions import Edit, React, Send
from scorebot.domain.agenda import board_line
from scorebot.domain.agenda import current as current_item
from scorebot.domain.board import render_board
from scorebot.domain.commands import Needs
from scorebot.domain.rooms import RoomKind
from scorebot.domain.stack import (
    POINT,
    PROCESS,
    Entry,
    MeetingEvent,
    Person,
    StackRules,
    folded,
    order,
    position,
    without,
)
from scorebot.domain.text import Text, bold, pill, plain
from scorebot.store.agenda import agenda
from scorebot.store.marks import marks
from scorebot.store.meetings import MeetingRecord, meetings

CONFIRM = "✅"
TOLD_AGAIN_AFTER_MS = 60_000  # a repeated hand gets at most one notice per person per minute

# What the meeting commands need, found before they run (see `domain.commands.Needs`).
MEETING = Needs("meeting", lambda ctx: meetings.running(ctx.room.room_id), words.NO_MEETING_HERE)


def _current_turn(ctx: Context):
    meeting = meetings.running(ctx.room.room_id)
    return meetings.current_turn(meeting.id) if meeting else None


TURN = Needs("turn", _current_turn, words.NOBODY_HAS_THE_FLOOR)


class StackService:
    """The stack's rules from the config, and what every meeting feature does with them (each holds
    it as `self.service`; `ctx.room` is the room a signal came from)."""

    def __init__(self, stack: StackConfig | None = None, timezone: str = "UTC"):
        stack = stack or StackConfig()
        self.texts = {folded(text) for text in stack.texts}
        self.leave_texts = {folded(text) for text in stack.leave_texts}
        self.rules = StackRules(stack.significant_turns, stack.significant_seconds)
        self.wrapup_after_ms = int(stack.wrapup_after * 1000) if stack.wrapup_after else None
        self.timezone = timezone

    # -- the stack in order, and its board ------------------------------------------------------

    def order(self, ctx: Context, meeting: MeetingRecord) -> list[Entry]:
        entries = [s.entry for s in meetings.waiting(meeting.id)]
        return order(entries, meetings.contributions(meeting.id, ctx.signal.timestamp),
                     meetings.priority(meeting.id), self.rules)

    def board(self, ctx: Context, meeting: MeetingRecord) -> Text:
        current = meetings.current_turn(meeting.id)
        item = board_line(current_item(agenda.items(meeting.id)), ctx.signal.timestamp)
        return render_board(meeting.title, current.person.name if current else None,
                            self.order(ctx, meeting), meeting.closed, item)

    def post_board(self, ctx: Context, meeting: MeetingRecord) -> None:
        key = meetings.next_board_key(meeting.id)
        ctx.do(Send(meeting.room_id, self.board(ctx, meeting), remember=key))

    def update_board(self, ctx: Context, meeting: MeetingRecord) -> None:
        meeting = meetings.get(meeting.id)
        if meeting.board_key:
            ctx.do(Edit(meeting.room_id, meeting.board_key, self.board(ctx, meeting)))
        else:
            self.post_board(ctx, meeting)

    # -- in and out of the stack ------------------------------------------------------------------

    def request(self, ctx: Context, meeting: MeetingRecord, person: Person, via: str, source: str | None,
                confirm_room: str, confirm_event: str, *, clarification: bool = False, term: str | None = None,
                on_behalf: bool = False, board: bool = True, reply_to: str | None = None, kind: str = POINT) -> None:
        waiting = meetings.waiting(meeting.id)
        if any(s.entry.person.key == person.key and s.entry.clarification == clarification and s.entry.kind == kind
               for s in waiting):
            self.repeated(ctx, meeting, person, confirm_room, confirm_event, on_behalf, reply_to)
            return
        if meeting.closed and not clarification and kind != PROCESS:
            self.answer(ctx, confirm_room, reply_to, words.STACK_CLOSED)
            return
        meetings.add(meeting.id, person, via, ctx.signal.timestamp, source, clarification, term,
                     target_event_id=reply_to, kind=kind)
        ctx.do(React(confirm_room, confirm_event, CONFIRM))
        marks.set(_told_key(meeting, person), str(ctx.signal.timestamp))
        if ctx.room.kind is RoomKind.DIRECT:  # the board is in the meeting's room, out of sight here
            spot = position(self.order(ctx, meeting), person.key)
            ctx.reply(words.on_stack_for(meeting.title, spot))
        if board:
            self.update_board(ctx, meeting)

    def repeated(self, ctx: Context, meeting: MeetingRecord, person: Person, confirm_room: str,
                 confirm_event: str, on_behalf: bool, reply_to: str | None) -> None:
        """Someone already waiting asks again. Under a homeserver's rate limits a notice for each
        repeat (a storm of hand reactions) would hold up what matters, so within a minute of the
        last word to them a repeated message gets a ✅, and a repeated reaction nothing more (the ✅
        on their first stands); after that, one notice with their place."""
        told = marks.get(_told_key(meeting, person))
        if not on_behalf and told and ctx.signal.timestamp - int(told) < TOLD_AGAIN_AFTER_MS:
            if reply_to is None:  # not a reaction: the repeat is a message of its own
                ctx.do(React(confirm_room, confirm_event, CONFIRM))
            return
        marks.set(_told_key(meeting, person), str(ctx.signal.timestamp))
        spot = position(self.order(ctx, meeting), person.key)
        self.answer(ctx, confirm_room, reply_to, words.already_on_stack(person.name if on_behalf else None, spot))

    def answer(self, ctx: Context, room_id: str, reply_to: str | None, text: str) -> None:
        if reply_to is None:
            ctx.reply(text)
        else:
            ctx.do(Send(room_id, self.name(ctx, ctx.sender, mention=True) + plain(f": {text}"), reply_to=reply_to))

    def withdraw(self, ctx: Context, meeting: MeetingRecord, key: str, confirm: bool = True) -> None:
        entries = [s.entry for s in meetings.waiting(meeting.id) if s.entry.person.key == key]
        for entry in entries:
            self.leave(ctx, meeting, entry, "withdrew")
        if entries:
            if confirm:
                ctx.confirm()
            self.update_board(ctx, meeting)
        elif confirm:
            ctx.reply(words.NOT_ON_THE_STACK)

    def leave(self, ctx: Context, meeting: MeetingRecord, leaving: Entry, how: str) -> None:
        """Take one entry off, moving up the fixed positions that stood behind it."""
        entries = [s.entry for s in meetings.waiting(meeting.id)]
        rest = without(entries, leaving, self.order(ctx, meeting))
        meetings.leave(leaving.seq, ctx.signal.timestamp, how)
        meetings.set_fixed_positions({e.seq: e.fixed_position for e in rest if e.fixed_position is not None})

    def end_turn(self, ctx: Context, meeting: MeetingRecord, announce: bool = True) -> None:
        """End the current turn, if any; other features hear of it (follow-up reminders)."""
        current = meetings.current_turn(meeting.id)
        if current:
            meetings.end_turn(current.id, ctx.signal.timestamp)
            if announce:
                ctx.announce(MeetingEvent.TURN_ENDED, meeting.id)

    # -- people as the room sees them -----------------------------------------------------------------

    def meetings_of(self, ctx: Context, user_id: str) -> list[MeetingRecord]:
        return [m for m in meetings.all_running() if user_id in ctx.directory.get(m.room_id, {})]

    @staticmethod
    def person(ctx: Context, who: str) -> Person:
        return Person(who, ctx.name_of(who)) if who.startswith("@") else Person.named(who)

    @staticmethod
    def name(ctx: Context, user_id: str, mention: bool = False) -> Text:
        return pill(user_id, ctx.name_of(user_id)) if mention else bold(ctx.name_of(user_id))

    @staticmethod
    def speaker(person: Person) -> Text:
        return pill(person.user_id, person.name) if person.user_id else bold(person.name)


def _told_key(meeting: MeetingRecord, person: Person) -> str:
    """When `person` was last confirmed or told they are on this meeting's stack."""
    return f"stack-told:{meeting.id}:{person.key}"
