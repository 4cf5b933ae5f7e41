"""The Modified Progressive Stack: asking to speak in every way there is, leaving, the
facilitator's overrides and private priority. Meetings and turns are in their own modules; what
they share is `meeting_room.StackService`.

Priority stays private: it is declared only in a direct chat (or set by a facilitator at the
member's spoken request), it is never logged, and the board and the minutes show only the order.
"""

from __future__ import annotations

from scorebot.config import BoardConfig, StackConfig
from scorebot.context import Context
from scorebot.domain import culture_words, limits
from scorebot.domain import meeting_words as words
from scorebot.domain.commands import ChoiceArg, NumberArg, PersonArg, TextArg, UserArg, command
from scorebot.domain.reactions import HANDS, reaction
from scorebot.domain.rooms import DIRECT, ORGANIZING, Role, RoomKind
from scorebot.domain.signals import CallMembership, Message, Reaction, Redaction
from scorebot.domain.stack import Person, folded, is_hand, moved
from scorebot.feature import Feature
from scorebot.features.agenda import Agenda
from scorebot.features.board_link import BoardLink
from scorebot.features.departures import Departures
from scorebot.features.meeting_room import MEETING, StackService
from scorebot.features.meetings import Meetings
from scorebot.features.requests import Requests
from scorebot.features.turns import Turns
from scorebot.store.culture import culture
from scorebot.store.meetings import MeetingRecord, meetings

PRIVATE_TEXTS = frozenset({"priority on", "priority off"})


def stack_features(stack: StackConfig | None = None, timezone: str = "UTC",
                   board: BoardConfig | None = None) -> list[Feature]:
    """Meetings, the stack, turns, typed requests, the agenda, the projector's link and who leaves
    them, sharing one set of rules."""
    service = StackService(stack, timezone)
    return [Meetings(service), Stack(service), Turns(service), Requests(service), Agenda(service), BoardLink(board),
            Departures(service)]


class Stack(Feature):
    def __init__(self, service: StackService):
        self.service = service

    def is_private_text(self, said: str) -> bool:
        return said in PRIVATE_TEXTS

    # -- asking to speak --------------------------------------------------------------------

    @command("stack", rooms=ORGANIZING, needs=(MEETING,),
             help="Put yourself on the stack, and show the board again. A ✋ or 'stack' does the same.")
    def stack(self, ctx: Context, meeting: MeetingRecord) -> None:
        self.service.request(ctx, meeting, self.service.person(ctx, ctx.sender), "command", ctx.signal.event_id,
                             ctx.room.room_id, ctx.signal.event_id, board=False)
        self.service.post_board(ctx, meetings.get(meeting.id))

    @command("stack add", PersonArg(), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help='Put someone on the stack for them: a member, or "Name" for someone with no account.')
    def stack_add(self, ctx: Context, person: str, meeting: MeetingRecord) -> None:
        self.service.request(ctx, meeting, self.service.person(ctx, person), "facilitator", None,
                             ctx.room.room_id, ctx.signal.event_id, on_behalf=True)

    @command("clarify", TextArg("term", optional=True, max_length=limits.TERM), rooms=ORGANIZING, needs=(MEETING,),
             help="A point of clarification: you go first, for a brief explanation.")
    def clarify(self, ctx: Context, term: str | None, meeting: MeetingRecord) -> None:
        self.service.request(ctx, meeting, self.service.person(ctx, ctx.sender), "clarify", ctx.signal.event_id,
                             ctx.room.room_id, ctx.signal.event_id, clarification=True, term=term)
        known = culture.define(term) if term else None
        if known:  # a known term is explained at once; the point of clarification stays for questions
            culture.term_explained(meeting.id, known.term, ctx.signal.timestamp)
            ctx.reply(culture_words.definition(known.term, known.explanation))

    def on_message(self, ctx: Context) -> bool | None:
        message: Message = ctx.signal
        text = message.body.strip()
        said = folded(text)
        if ctx.room.kind is RoomKind.DIRECT:
            return self._direct_message(ctx, said)
        if ctx.room.kind is not RoomKind.ORGANIZING:
            return None
        meeting = meetings.running(ctx.room.room_id)
        if meeting is None:
            return None  # outside a meeting, hands and stack texts are ordinary chat
        if is_hand(text) or said in self.service.texts:
            via = "hand" if is_hand(text) else "text"
            self.service.request(ctx, meeting, self.service.person(ctx, ctx.sender), via,
                                 message.event_id, ctx.room.room_id, message.event_id)
        elif said in self.service.leave_texts:
            self.service.withdraw(ctx, meeting, ctx.sender)
        return None

    @reaction(*HANDS, rooms=ORGANIZING)
    def hand(self, ctx: Context) -> None:
        hand: Reaction = ctx.signal
        meeting = meetings.running(ctx.room.room_id)
        if meeting:
            # The ✅ goes on what was reacted to: Element does not show reactions to reactions.
            self.service.request(ctx, meeting, self.service.person(ctx, ctx.sender), "reaction", hand.event_id,
                                 ctx.room.room_id, hand.target_event_id, reply_to=hand.target_event_id)

    def on_redaction(self, ctx: Context) -> None:
        redaction: Redaction = ctx.signal
        meeting = meetings.running(ctx.room.room_id)
        stacked = meetings.from_signal(meeting.id, redaction.redacts) if meeting else None
        if stacked and stacked.entry.person.key == redaction.sender:
            self.service.leave(ctx, meeting, stacked.entry, "withdrew")
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
        for stacked in raised:
            self.service.leave(ctx, meeting, stacked.entry, "left the call" if change.ended else "lowered their hand")
        if raised:
            self.service.update_board(ctx, meeting)

    def _direct_message(self, ctx: Context, said: str) -> bool:
        """`stack`, `unstack` and `priority on/off` in a direct chat; say whether it was one of them."""
        words = said.split()
        texts = self.service.texts
        if said in PRIVATE_TEXTS:
            self.priority(ctx, words[1])
        elif said in texts or (len(words) == 2 and words[0] in texts and words[1].isdigit()):
            self._request_from_direct_chat(ctx, int(words[1]) if len(words) == 2 else None)
        elif said in self.service.leave_texts:
            for meeting in self.service.meetings_of(ctx, ctx.sender):
                self.service.withdraw(ctx, meeting, ctx.sender, confirm=False)
            ctx.confirm()
        else:
            return False
        return True

    def _request_from_direct_chat(self, ctx: Context, choice: int | None) -> None:
        meetings = self.service.meetings_of(ctx, ctx.sender)
        if not meetings:
            ctx.reply(words.NO_MEETING_OF_YOURS)
            return
        if len(meetings) > 1 and choice is None:
            ctx.reply(words.which_meeting([m.title for m in meetings]))
            return
        if choice is not None and not 1 <= choice <= len(meetings):
            ctx.reply(words.choose_a_number(len(meetings)))
            return
        meeting = meetings[(choice or 1) - 1]
        name = ctx.directory.get(meeting.room_id, {}).get(ctx.sender) or ctx.sender
        self.service.request(ctx, meeting, Person(ctx.sender, name), "direct chat", None,
                             ctx.room.room_id, ctx.signal.event_id)

    # -- leaving and the facilitator's overrides ------------------------------------------------

    @command("unstack", rooms=ORGANIZING, needs=(MEETING,),
             help="Take yourself off the stack. 'unstack' does the same.")
    def unstack(self, ctx: Context, meeting: MeetingRecord) -> None:
        self.service.withdraw(ctx, meeting, ctx.sender)

    @command("stack remove", PersonArg(), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="Take someone off the stack.")
    def stack_remove(self, ctx: Context, person: str, meeting: MeetingRecord) -> None:
        target = self.service.person(ctx, person)
        entries = [s.entry for s in meetings.waiting(meeting.id) if s.entry.person.key == target.key]
        if not entries:
            ctx.reply(words.not_on_stack(target.name))
            return
        for entry in entries:
            self.service.leave(ctx, meeting, entry, "removed")
        self._override(ctx, meeting, f"took {target.name} off the stack")

    @command("stack move", PersonArg(), NumberArg("position"), role=Role.FACILITATOR, rooms=ORGANIZING,
             needs=(MEETING,), help="Move someone to a position on the stack; it holds as others join.")
    def stack_move(self, ctx: Context, person: str, position: int, meeting: MeetingRecord) -> None:
        target = self.service.person(ctx, person)
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
            meetings.leave(stacked.id, ctx.signal.timestamp, "cleared")
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

    # -- priority (private) -------------------------------------------------------------------

    @command("priority", ChoiceArg("state", choices=("on", "off")), rooms=DIRECT, private=True,
             help="Declare, privately, that you belong to a marginalized group: you go to the front of the "
                  "stack until you have contributed significantly. 'off' deletes it.")
    def priority(self, ctx: Context, state: str) -> None:
        if state == "on":
            meetings.declare_priority(ctx.sender, ctx.signal.timestamp)
            ctx.reply(words.PRIORITY_ON)
        else:
            meetings.withdraw_priority(ctx.sender)
            ctx.reply(words.PRIORITY_OFF)
        # No board edit now: a board that changes right after someone wrote to the bot, with no
        # visible signal, would tell the room who just declared priority. The next update shows it.

    @command("stack priority", UserArg(), role=Role.FACILITATOR, rooms=ORGANIZING | DIRECT,
             help="Give someone priority for this meeting, at their spoken request. "
                  "Works in a direct chat with me too, so no one else sees it.")
    def stack_priority(self, ctx: Context, user: str) -> None:
        if ctx.room.kind is RoomKind.DIRECT:
            candidates = [m for m in meetings.all_running() if ctx.sender in meetings.facilitators(m.id)]
        else:
            running = meetings.running(ctx.room.room_id)
            candidates = [running] if running and ctx.may(Role.FACILITATOR) else []
        if len(candidates) != 1:
            ctx.reply(words.NOT_A_FACILITATOR if not candidates else words.SEVERAL_MEETINGS)
            return
        meetings.set_meeting_priority(candidates[0].id, user)
        ctx.confirm()
        if ctx.room.kind is not RoomKind.DIRECT:
            # From a direct chat, as with a declaration, the next ordinary change shows the new order:
            # an edit now would tell the room who was just given priority.
            self.service.update_board(ctx, candidates[0])
