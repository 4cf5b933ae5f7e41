"""The Modified Progressive Stack: every way of asking to speak, and the one way onto the stack.

A hand in a message, a stack text, a hand reaction, a hand raised in a call, !stack, a direct chat
(`private_stack.py`) and a facilitator's add all go through `StackService.request`, so each is
confirmed the same way: a ✅ on the signal and the board edited in place. Every other meeting
feature (meetings, turns, typed requests, the agenda, the facilitator's overrides in
`stack_controls.py`, asking in private, who leaves) holds the same service as `self.service`.
"""

from __future__ import annotations

from scorebot.config import StackConfig
from scorebot.context import Context
from scorebot.domain import culture_words, keys, limits
from scorebot.domain import meeting_words as words
from scorebot.domain.actions import Edit, React, Send
from scorebot.domain.agenda import board_line
from scorebot.domain.agenda import current as current_item
from scorebot.domain.board import render_board
from scorebot.domain.commands import PersonArg, TextArg, command
from scorebot.domain.reactions import HANDS, reaction
from scorebot.domain.rooms import ORGANIZING, Role, RoomKind
from scorebot.domain.signals import CallMembership, Message, Reaction, Redaction
from scorebot.domain.stack import (
    POINT,
    PROCESS,
    Entry,
    MeetingEvent,
    Person,
    StackRules,
    folded,
    is_hand,
    order,
    position,
    without,
)
from scorebot.domain.text import Text, plain
from scorebot.feature import Feature
from scorebot.features.needs import MEETING
from scorebot.store.agenda import agenda
from scorebot.store.culture import culture
from scorebot.store.marks import marks
from scorebot.store.meetings import MeetingRecord, meetings

CONFIRM = "✅"
TOLD_AGAIN_AFTER_MS = 60_000  # a repeated hand gets at most one notice per person per minute

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

    def request(self, ctx: Context, meeting: MeetingRecord, person: Person, via: str, *, own_signal: bool = True,
                reacted_to: str | None = None, clarification: bool = False, term: str | None = None,
                on_behalf: bool = False, board: bool = True, kind: str = POINT) -> None:
        """Put `person` on the stack, asked `via` the signal. The ✅ goes on the signal, or for a hand
        reaction on the message reacted to (`reacted_to`, where an answer mentions them). With
        `own_signal` the signal is the person's own: taking it back (a redaction) takes them off."""
        waiting = meetings.waiting(meeting.id)
        if any(s.entry.person.key == person.key and s.entry.clarification == clarification and s.entry.kind == kind
               for s in waiting):
            self.repeated(ctx, meeting, person, on_behalf, reacted_to)
            return
        if meeting.closed and not clarification and kind != PROCESS:
            self.answer(ctx, reacted_to, words.STACK_CLOSED)
            return
        source = ctx.signal.event_id if own_signal else None
        meetings.add(meeting.id, person, via, ctx.signal.timestamp, source, clarification, term,
                     target_event_id=reacted_to, kind=kind)
        ctx.do(React(ctx.room.room_id, reacted_to or ctx.signal.event_id, CONFIRM))
        marks.set(keys.told_on_stack(meeting.id, person.key), str(ctx.signal.timestamp))
        if ctx.room.kind is RoomKind.DIRECT:  # the board is in the meeting's room, out of sight here
            spot = position(self.order(ctx, meeting), person.key)
            ctx.reply(words.on_stack_for(meeting.title, spot))
        if board:
            self.update_board(ctx, meeting)

    def repeated(self, ctx: Context, meeting: MeetingRecord, person: Person, on_behalf: bool,
                 reacted_to: str | None) -> None:
        """Someone already waiting asks again. Under a homeserver's rate limits a notice for each
        repeat (a storm of hand reactions) would hold up what matters, so within a minute of the
        last word to them a repeated message gets a ✅, and a repeated reaction nothing more (the ✅
        on their first stands); after that, one notice with their place."""
        told = marks.get(keys.told_on_stack(meeting.id, person.key))
        if not on_behalf and told and ctx.signal.timestamp - int(told) < TOLD_AGAIN_AFTER_MS:
            if reacted_to is None:  # not a reaction: the repeat is a message of its own
                ctx.do(React(ctx.room.room_id, ctx.signal.event_id, CONFIRM))
            return
        marks.set(keys.told_on_stack(meeting.id, person.key), str(ctx.signal.timestamp))
        spot = position(self.order(ctx, meeting), person.key)
        self.answer(ctx, reacted_to, words.already_on_stack(person.name if on_behalf else None, spot))

    def answer(self, ctx: Context, reacted_to: str | None, text: str) -> None:
        if reacted_to is None:
            ctx.reply(text)
        else:
            ctx.do(Send(ctx.room.room_id, ctx.named(ctx.sender, mention=True) + plain(f": {text}"),
                        reply_to=reacted_to))

    def withdraw(self, ctx: Context, meeting: MeetingRecord, key: str, confirm: bool = True) -> None:
        entries = [s.entry for s in meetings.waiting(meeting.id) if s.entry.person.key == key]
        for entry in entries:
            self.take_off(ctx, meeting, entry, "withdrew")
        if entries:
            if confirm:
                ctx.confirm()
            self.update_board(ctx, meeting)
        elif confirm:
            ctx.reply(words.NOT_ON_THE_STACK)

    def take_off(self, ctx: Context, meeting: MeetingRecord, leaving: Entry, how: str) -> None:
        """Take one entry off, moving up the fixed positions that stood behind it."""
        entries = [s.entry for s in meetings.waiting(meeting.id)]
        rest = without(entries, leaving, self.order(ctx, meeting))
        meetings.take_off(leaving.seq, ctx.signal.timestamp, how)
        meetings.set_fixed_positions({e.seq: e.fixed_position for e in rest if e.fixed_position is not None})

    def end_turn(self, ctx: Context, meeting: MeetingRecord, announce: bool = True) -> None:
        """End the current turn, if any; other features hear of it (follow-up reminders)."""
        current = meetings.current_turn(meeting.id)
        if current:
            meetings.end_turn(current.id, ctx.signal.timestamp)
            if announce:
                ctx.announce(MeetingEvent.TURN_ENDED, meeting.id)


class Stack(Feature):
    """Asking to speak in a meeting's room, and leaving the stack."""

    def __init__(self, service: StackService):
        self.service = service

    @command("stack", rooms=ORGANIZING, needs=(MEETING,),
             help="Put yourself on the stack, and show the board again. A ✋ or 'stack' does the same.")
    def stack(self, ctx: Context, meeting: MeetingRecord) -> None:
        self.service.request(ctx, meeting, ctx.person(ctx.sender), "command", board=False)
        self.service.post_board(ctx, meetings.get(meeting.id))

    @command("stack add", PersonArg(), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help='Put someone on the stack for them: a member, or "Name" for someone with no account.')
    def stack_add(self, ctx: Context, person: str, meeting: MeetingRecord) -> None:
        self.service.request(ctx, meeting, ctx.person(person), "facilitator", own_signal=False,
                             on_behalf=True)

    @command("clarify", TextArg("term", optional=True, max_length=limits.TERM), rooms=ORGANIZING, needs=(MEETING,),
             help="A point of clarification: you go first, for a brief explanation.")
    def clarify(self, ctx: Context, term: str | None, meeting: MeetingRecord) -> None:
        self.service.request(ctx, meeting, ctx.person(ctx.sender), "clarify", clarification=True,
                             term=term)
        known = culture.define(term) if term else None
        if known:  # a known term is explained at once; the point of clarification stays for questions
            culture.term_explained(meeting.id, known.term, ctx.signal.timestamp)
            ctx.reply(culture_words.definition(known.term, known.explanation))

    def on_message(self, ctx: Context) -> bool | None:
        message: Message = ctx.signal
        text = message.body.strip()
        said = folded(text)
        if ctx.room.kind is not RoomKind.ORGANIZING:
            return None
        meeting = meetings.running(ctx.room.room_id)
        if meeting is None:
            return None  # outside a meeting, hands and stack texts are ordinary chat
        if is_hand(text) or said in self.service.texts:
            via = "hand" if is_hand(text) else "text"
            self.service.request(ctx, meeting, ctx.person(ctx.sender), via)
        elif said in self.service.leave_texts:
            self.service.withdraw(ctx, meeting, ctx.sender)
        return None

    @reaction(*HANDS, rooms=ORGANIZING)
    def hand(self, ctx: Context) -> None:
        hand: Reaction = ctx.signal
        meeting = meetings.running(ctx.room.room_id)
        if meeting:
            # The ✅ goes on what was reacted to: Element does not show reactions to reactions.
            self.service.request(ctx, meeting, ctx.person(ctx.sender), "reaction",
                                 reacted_to=hand.target_event_id)

    def on_meeting_event(self, ctx: Context, event: MeetingEvent, meeting_id: int) -> None:
        if event is MeetingEvent.MEETING_ENDING:  # who was told they are on the stack, and when
            marks.forget_all(keys.told_on_stack(meeting_id))

    def on_redaction(self, ctx: Context) -> None:
        redaction: Redaction = ctx.signal
        meeting = meetings.running(ctx.room.room_id)
        stacked = meetings.from_signal(meeting.id, redaction.redacts) if meeting else None
        if stacked and stacked.entry.person.key == redaction.sender:
            self.service.take_off(ctx, meeting, stacked.entry, "withdrew")
            self.service.update_board(ctx, meeting)

    def on_call_membership(self, ctx: Context) -> None:
        """A hand raised in Element Call goes down when the call membership it was on ends or is
        replaced: Element Call lowers it so, without removing the reaction."""
        change: CallMembership = ctx.signal
        meeting = meetings.running(ctx.room.room_id) if change.replaces else None
        if meeting is None:
            return
        raised = [s for s in meetings.raised_on(meeting.id, change.replaces)
                  if s.entry.person.key == change.sender]
        how = "left the call" if change.ended else "lowered their hand"
        for stacked in raised:
            self.service.take_off(ctx, meeting, stacked.entry, how)
        if raised:
            self.service.update_board(ctx, meeting)

    @command("unstack", rooms=ORGANIZING, needs=(MEETING,),
             help="Take yourself off the stack. 'unstack' does the same.")
    def unstack(self, ctx: Context, meeting: MeetingRecord) -> None:
        self.service.withdraw(ctx, meeting, ctx.sender)
