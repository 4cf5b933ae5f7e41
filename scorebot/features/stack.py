"""Meetings and the Modified Progressive Stack: equal signals, a live board, turns and minutes.

Every way of asking to speak (a hand in a message, a stack text, a hand reaction, a raised hand
in a call, !stack, a direct chat, a facilitator's add) goes through `_request`, so each is
confirmed the same way: a ✅ on the signal and the board edited in place.

Priority stays private: it is declared only in a direct chat (or set by a facilitator at the
member's spoken request), it is never logged, and the board and the minutes show only the order.
"""

from __future__ import annotations

from scorebot.config import StackConfig
from scorebot.dispatch import Context, Feature
from scorebot.domain.actions import Edit, React, Send
from scorebot.domain.board import render_board
from scorebot.domain.commands import ChoiceArg, CommandRegistry, NumberArg, PersonArg, TextArg, UserArg
from scorebot.domain.minutes import MinutesData, SpokenTurn, clock, render_minutes
from scorebot.domain.rooms import Role, RoomKind
from scorebot.domain.signals import CallMembership, Message, Reaction, Redaction
from scorebot.domain.stack import Entry, Person, StackRules, folded, is_hand, order, position, without
from scorebot.domain.text import Text, bold, code, pill, plain
from scorebot.store.meetings import MeetingRecord, TurnRecord

ORGANIZING = frozenset({RoomKind.ORGANIZING})
DIRECT = frozenset({RoomKind.DIRECT})
CONFIRM = "✅"
PRIVATE_TEXTS = frozenset({"priority on", "priority off"})


class Stack(Feature):
    def __init__(self, stack: StackConfig | None = None, timezone: str = "UTC"):
        stack = stack or StackConfig()
        self.texts = {folded(text) for text in stack.texts}
        self.leave_texts = {folded(text) for text in stack.leave_texts}
        self.rules = StackRules(stack.significant_turns, stack.significant_seconds)
        self.wrapup_after_ms = int(stack.wrapup_after * 1000) if stack.wrapup_after else None
        self.timezone = timezone

    def register(self, registry: CommandRegistry) -> None:
        def add(name, *args, role=Role.MEMBER, rooms=ORGANIZING, help="", private=False):
            registry.command(name, *args, role=role, rooms=rooms, help=help, private=private)(
                getattr(self, name.replace(" ", "_")))

        add("meeting start", TextArg("title", optional=True),
            help="Start a meeting here; you facilitate it. The stack opens and its board appears.")
        add("meeting end", role=Role.FACILITATOR, help="End the meeting here and post its minutes.")
        add("facilitator", UserArg(), role=Role.FACILITATOR, help="Hand facilitation of this meeting to someone.")
        add("stack", help="Put yourself on the stack, and show the board again. A ✋ or 'stack' does the same.")
        add("stack add", PersonArg(), role=Role.FACILITATOR,
            help='Put someone on the stack for them: a member, or "Name" for someone with no account.')
        add("stack remove", PersonArg(), role=Role.FACILITATOR, help="Take someone off the stack.")
        add("stack move", PersonArg(), NumberArg("position"), role=Role.FACILITATOR,
            help="Move someone to a position on the stack; it holds as others join.")
        add("stack clear", role=Role.FACILITATOR, help="Empty the stack.")
        add("stack close", role=Role.FACILITATOR, help="Close the stack to new requests (clarifications still pass).")
        add("stack open", role=Role.FACILITATOR, help="Open the stack again.")
        add("stack priority", UserArg(), role=Role.FACILITATOR, rooms=ORGANIZING | DIRECT,
            help="Give someone priority for this meeting, at their spoken request. "
                 "Works in a direct chat with me too, so no one else sees it.")
        add("unstack", help="Take yourself off the stack. 'unstack' does the same.")
        add("clarify", TextArg("term", optional=True),
            help="A point of clarification: you go first, for a brief explanation.")
        add("next", role=Role.FACILITATOR, help="Give the floor to the next person on the stack.")
        add("done", help="End the current turn (the speaker or a facilitator).")
        add("wrapup", role=Role.FACILITATOR, help="Kindly ask the speaker to wrap up.")
        add("priority", ChoiceArg("state", choices=("on", "off")), rooms=DIRECT, private=True,
            help="Declare, privately, that you belong to a marginalized group: you go to the front of the "
                 "stack until you have contributed significantly. 'off' deletes it.")

    def facilitators(self, ctx: Context) -> list[str]:
        """Who facilitates the meeting in this room; in a direct chat, any running meeting."""
        meetings = ctx.store.meetings
        if ctx.room.kind is RoomKind.DIRECT:
            return [user for meeting in meetings.all_running() for user in meetings.facilitators(meeting.id)]
        meeting = meetings.running(ctx.room.room_id)
        return meetings.facilitators(meeting.id) if meeting else []

    def is_private_text(self, said: str) -> bool:
        return said in PRIVATE_TEXTS

    # -- meetings ---------------------------------------------------------------------------

    def meeting_start(self, ctx: Context, title: str | None) -> None:
        meetings = ctx.store.meetings
        running = meetings.running(ctx.room.room_id)
        if running:
            ctx.reply(plain(f"A meeting is already running here: {running.title}. End it with ")
                      + code("!meeting end") + plain(" first."))
            return
        title = title or ctx.room.name or "Meeting"
        meeting = meetings.start(ctx.room.room_id, title, ctx.sender, ctx.signal.timestamp)
        ctx.reply(plain(f"Meeting started: {meeting.title}. ") + self._name(ctx, ctx.sender)
                  + plain(" facilitates. Raise a hand ✋ or write “stack” to ask to speak."))
        self._post_board(ctx, meeting)

    def meeting_end(self, ctx: Context) -> None:
        meeting = self._meeting_or_say(ctx)
        if not meeting:
            return
        now = ctx.signal.timestamp
        meetings = ctx.store.meetings
        self._end_turn(ctx, meeting, announce=False)
        ctx.announce("meeting ending", meeting.id)
        meetings.end(meeting.id, now)
        ended = meetings.get(meeting.id)
        if meeting.board_key:
            ctx.do(Edit(meeting.room_id, meeting.board_key, plain(f"📋 {meeting.title}: the meeting has ended.")))
        minutes = render_minutes(self.minutes_data(ctx, ended))
        meetings.keep_minutes(meeting.id, minutes)
        ctx.do(Send(meeting.room_id, minutes))

    def minutes_data(self, ctx: Context, meeting: MeetingRecord) -> MinutesData:
        return minutes_data(ctx.store, meeting, self.timezone, ctx.features, ctx.name_of)

    def facilitator(self, ctx: Context, user: str) -> None:
        meeting = self._meeting_or_say(ctx)
        if not meeting:
            return
        if user not in ctx.room.members:
            ctx.reply(f"{user} is not in this room.")
            return
        meetings = ctx.store.meetings
        giver = ctx.sender if ctx.sender in meetings.facilitators(meeting.id) else None
        meetings.hand_over(meeting.id, giver, user, ctx.signal.timestamp)
        ctx.reply(self._name(ctx, user, mention=True) + plain(" facilitates now. Thank you!"))

    # -- asking to speak --------------------------------------------------------------------

    def stack(self, ctx: Context) -> None:
        meeting = self._meeting_or_say(ctx)
        if not meeting:
            return
        self._request(ctx, meeting, self._person(ctx, ctx.sender), "command", ctx.signal.event_id,
                      ctx.room.room_id, ctx.signal.event_id, board=False)
        self._post_board(ctx, ctx.store.meetings.get(meeting.id))

    def stack_add(self, ctx: Context, person: str) -> None:
        meeting = self._meeting_or_say(ctx)
        if meeting:
            self._request(ctx, meeting, self._person(ctx, person), "facilitator", None,
                          ctx.room.room_id, ctx.signal.event_id, on_behalf=True)

    def clarify(self, ctx: Context, term: str | None) -> None:
        meeting = self._meeting_or_say(ctx)
        if not meeting:
            return
        self._request(ctx, meeting, self._person(ctx, ctx.sender), "clarify", ctx.signal.event_id,
                      ctx.room.room_id, ctx.signal.event_id, clarification=True, term=term)
        known = ctx.store.culture.define(term) if term else None
        if known:  # a known term is explained at once; the point of clarification stays for questions
            ctx.store.culture.term_explained(meeting.id, known.term, ctx.signal.timestamp)
            ctx.reply(bold(known.term) + plain(f": {known.explanation}"))

    def on_message(self, ctx: Context) -> bool | None:
        message: Message = ctx.signal
        text = message.body.strip()
        said = folded(text)
        if ctx.room.kind is RoomKind.DIRECT:
            return self._direct_message(ctx, said)
        if ctx.room.kind is not RoomKind.ORGANIZING:
            return None
        meeting = ctx.store.meetings.running(ctx.room.room_id)
        if meeting is None:
            return  # outside a meeting, hands and stack texts are ordinary chat
        if is_hand(text) or said in self.texts:
            self._request(ctx, meeting, self._person(ctx, ctx.sender), "hand" if is_hand(text) else "text",
                          message.event_id, ctx.room.room_id, message.event_id)
        elif said in self.leave_texts:
            self._withdraw(ctx, meeting, ctx.sender)

    def on_reaction(self, ctx: Context) -> None:
        reaction: Reaction = ctx.signal
        if ctx.room.kind is not RoomKind.ORGANIZING or not is_hand(reaction.key):
            return
        meeting = ctx.store.meetings.running(ctx.room.room_id)
        if meeting:
            # The ✅ goes on what was reacted to: Element does not show reactions to reactions.
            self._request(ctx, meeting, self._person(ctx, ctx.sender), "reaction", reaction.event_id,
                          ctx.room.room_id, reaction.target_event_id, reply_to=reaction.target_event_id)

    def on_redaction(self, ctx: Context) -> None:
        redaction: Redaction = ctx.signal
        meeting = ctx.store.meetings.running(ctx.room.room_id)
        if meeting is None:
            return
        stacked = ctx.store.meetings.from_signal(meeting.id, redaction.redacts)
        if stacked and stacked.entry.person.key == redaction.sender:
            self._leave(ctx, meeting, stacked.entry, "withdrew")
            self._update_board(ctx, meeting)

    def on_call_membership(self, ctx: Context) -> None:
        """A hand raised in Element Call goes down when the call membership it was on ends or is
        replaced: Element Call lowers it so, without removing the reaction."""
        change: CallMembership = ctx.signal
        meeting = ctx.store.meetings.running(ctx.room.room_id) if change.replaces else None
        if meeting is None:
            return
        raised = [s for s in ctx.store.meetings.raised_on(meeting.id, change.replaces)
                  if s.entry.person.key == change.sender]
        for stacked in raised:
            self._leave(ctx, meeting, stacked.entry, "left the call" if change.ended else "lowered their hand")
        if raised:
            self._update_board(ctx, meeting)

    def _direct_message(self, ctx: Context, said: str) -> bool:
        """`stack`, `unstack` and `priority on/off` in a direct chat; say whether it was one of them."""
        words = said.split()
        if said in PRIVATE_TEXTS:
            self.priority(ctx, words[1])
        elif said in self.texts or (len(words) == 2 and words[0] in self.texts and words[1].isdigit()):
            choice = int(words[1]) if len(words) == 2 else None
            self._request_from_direct_chat(ctx, choice)
        elif said in self.leave_texts:
            for meeting in self._meetings_of(ctx, ctx.sender):
                self._withdraw(ctx, meeting, ctx.sender, confirm=False)
            ctx.confirm()
        else:
            return False
        return True

    def _request_from_direct_chat(self, ctx: Context, choice: int | None) -> None:
        meetings = self._meetings_of(ctx, ctx.sender)
        if not meetings:
            ctx.reply("No meeting is running in a room you're in right now.")
            return
        if len(meetings) > 1 and choice is None:
            lines = [f"You're in {len(meetings)} meetings. Which one? Reply with:"]
            lines += [f"“stack {i}” for {m.title}" for i, m in enumerate(meetings, 1)]
            ctx.reply("\n".join(lines))
            return
        if choice is not None and not 1 <= choice <= len(meetings):
            ctx.reply(f"Choose a number from 1 to {len(meetings)}.")
            return
        meeting = meetings[(choice or 1) - 1]
        name = ctx.directory.get(meeting.room_id, {}).get(ctx.sender) or ctx.sender
        self._request(ctx, meeting, Person(ctx.sender, name), "direct chat", None,
                      ctx.room.room_id, ctx.signal.event_id)

    def _request(self, ctx: Context, meeting: MeetingRecord, person: Person, via: str, source: str | None,
                 confirm_room: str, confirm_event: str, *, clarification: bool = False, term: str | None = None,
                 on_behalf: bool = False, board: bool = True, reply_to: str | None = None) -> None:
        meetings = ctx.store.meetings
        waiting = meetings.waiting(meeting.id)
        if any(s.entry.person.key == person.key and s.entry.clarification == clarification for s in waiting):
            spot = position(self._order(ctx, meeting), person.key)
            who = f"{person.name} is" if on_behalf else "You're"
            self._answer(ctx, confirm_room, reply_to, f"{who} already on the stack, at position {spot}.")
            return
        if meeting.closed and not clarification:
            self._answer(ctx, confirm_room, reply_to, "The stack is closed for now, sorry. You can still use "
                         "the chat, or a point of clarification (!clarify).")
            return
        meetings.add(meeting.id, person, via, ctx.signal.timestamp, source, clarification, term,
                     target_event_id=reply_to)
        ctx.do(React(confirm_room, confirm_event, CONFIRM))
        if ctx.room.kind is RoomKind.DIRECT:  # the board is in the meeting's room, out of sight here
            spot = position(self._order(ctx, meeting), person.key)
            ctx.reply(f"You're on the stack for “{meeting.title}”, at position {spot}.")
        if board:
            self._update_board(ctx, meeting)

    def _answer(self, ctx: Context, room_id: str, reply_to: str | None, text: str) -> None:
        if reply_to is None:
            ctx.reply(text)
        else:
            ctx.do(Send(room_id, self._name(ctx, ctx.sender, mention=True) + plain(f": {text}"), reply_to=reply_to))

    # -- leaving and the facilitator's overrides ------------------------------------------------

    def unstack(self, ctx: Context) -> None:
        meeting = self._meeting_or_say(ctx)
        if meeting:
            self._withdraw(ctx, meeting, ctx.sender)

    def _withdraw(self, ctx: Context, meeting: MeetingRecord, key: str, confirm: bool = True) -> None:
        entries = [s.entry for s in ctx.store.meetings.waiting(meeting.id) if s.entry.person.key == key]
        for entry in entries:
            self._leave(ctx, meeting, entry, "withdrew")
        if entries:
            if confirm:
                ctx.confirm()
            self._update_board(ctx, meeting)
        elif confirm:
            ctx.reply("You're not on the stack.")

    def _leave(self, ctx: Context, meeting: MeetingRecord, leaving: Entry, how: str) -> None:
        """Take one entry off, moving up the facilitator's pins that stood behind it."""
        meetings = ctx.store.meetings
        entries = [s.entry for s in meetings.waiting(meeting.id)]
        rest = without(entries, leaving, self._order(ctx, meeting))
        meetings.leave(leaving.seq, ctx.signal.timestamp, how)
        meetings.set_pins({e.seq: e.pinned for e in rest if e.pinned is not None})

    def stack_remove(self, ctx: Context, person: str) -> None:
        meeting = self._meeting_or_say(ctx)
        if not meeting:
            return
        target = self._person(ctx, person)
        entries = [s.entry for s in ctx.store.meetings.waiting(meeting.id) if s.entry.person.key == target.key]
        if not entries:
            ctx.reply(f"{target.name} is not on the stack.")
            return
        for entry in entries:
            self._leave(ctx, meeting, entry, "removed")
        self._override(ctx, meeting, f"took {target.name} off the stack")

    def stack_move(self, ctx: Context, person: str, position: int) -> None:
        meeting = self._meeting_or_say(ctx)
        if not meeting:
            return
        target = self._person(ctx, person)
        meetings = ctx.store.meetings
        entry = next((s.entry for s in meetings.waiting(meeting.id)
                      if s.entry.person.key == target.key and not s.entry.clarification), None)
        if entry is None:
            ctx.reply(f"{target.name} is not on the stack.")
            return
        # Pins already standing at or after the new place make room for it.
        ordered = [e for e in self._order(ctx, meeting) if not e.clarification and e != entry]
        pins = {e.seq: e.pinned + 1 for e in ordered if e.pinned is not None and e.pinned >= position}
        pins[entry.seq] = position
        meetings.set_pins(pins)
        self._override(ctx, meeting, f"moved {target.name} to position {position}")

    def stack_clear(self, ctx: Context) -> None:
        meeting = self._meeting_or_say(ctx)
        if meeting:
            for stacked in ctx.store.meetings.waiting(meeting.id):
                ctx.store.meetings.leave(stacked.id, ctx.signal.timestamp, "cleared")
            self._override(ctx, meeting, "cleared the stack")

    def stack_close(self, ctx: Context) -> None:
        self._open_or_close(ctx, closed=True)

    def stack_open(self, ctx: Context) -> None:
        self._open_or_close(ctx, closed=False)

    def _open_or_close(self, ctx: Context, closed: bool) -> None:
        meeting = self._meeting_or_say(ctx)
        if meeting:
            ctx.store.meetings.set_closed(meeting.id, closed)
            self._override(ctx, meeting, "closed the stack" if closed else "opened the stack")

    def _override(self, ctx: Context, meeting: MeetingRecord, what: str) -> None:
        """A facilitator's change: confirmed, shown on the board, and recorded for the minutes."""
        ctx.store.meetings.note(meeting.id, ctx.signal.timestamp, f"{ctx.name_of(ctx.sender)} {what}.")
        ctx.confirm()
        self._update_board(ctx, ctx.store.meetings.get(meeting.id))

    # -- priority (private) -------------------------------------------------------------------

    def priority(self, ctx: Context, state: str) -> None:
        meetings = ctx.store.meetings
        if state == "on":
            meetings.declare_priority(ctx.sender, ctx.signal.timestamp)
            ctx.reply("Thank you for telling me. It stays between us: in meetings you'll stand at the front "
                      "of the stack until you've contributed significantly, and no one is told why. "
                      "Write “priority off” any time to delete it.")
        else:
            meetings.withdraw_priority(ctx.sender)
            ctx.reply("Done: I've deleted it.")
        # No board edit now: a board that changes right after someone wrote to the bot, with no
        # visible signal, would tell the room who just declared priority. The next update shows it.

    def stack_priority(self, ctx: Context, user: str) -> None:
        meetings = ctx.store.meetings
        if ctx.room.kind is RoomKind.DIRECT:
            candidates = [m for m in meetings.all_running() if ctx.sender in meetings.facilitators(m.id)]
        else:
            running = meetings.running(ctx.room.room_id)
            candidates = [running] if running and ctx.may(Role.FACILITATOR) else []
        if len(candidates) != 1:
            ctx.reply("Only the facilitator of a running meeting can do that." if not candidates
                      else "You facilitate several meetings; do this in the meeting's room.")
            return
        meetings.set_meeting_priority(candidates[0].id, user)
        ctx.confirm()
        if ctx.room.kind is not RoomKind.DIRECT:
            # From a direct chat, as with a declaration, the next ordinary change shows the new order:
            # an edit now would tell the room who was just given priority.
            self._update_board(ctx, candidates[0])

    # -- turns --------------------------------------------------------------------------------

    def next(self, ctx: Context) -> None:
        meeting = self._meeting_or_say(ctx)
        if not meeting:
            return
        meetings = ctx.store.meetings
        now = ctx.signal.timestamp
        self._end_turn(ctx, meeting)
        ordered = self._order(ctx, meeting)
        if not ordered:
            ctx.reply("The stack is empty: nobody is waiting to speak.")
            self._update_board(ctx, meeting)
            return
        first = ordered[0]
        self._leave(ctx, meeting, first, "called")
        meetings.start_turn(meeting.id, first.person, now, clarification=first.clarification)
        about = f" (point of clarification: {first.term})" if first.clarification and first.term else ""
        floor = plain("🎤 ") + self._speaker(first.person) + plain(f", you have the floor{about}.")
        ctx.do(Send(meeting.room_id, floor))
        self._update_board(ctx, meeting)

    def done(self, ctx: Context) -> None:
        found = self._turn_or_say(ctx)
        if not found:
            return
        meeting, current = found
        if ctx.sender != current.person.key and not ctx.may(Role.FACILITATOR):
            ctx.reply("Only the speaker or a facilitator can end this turn.")
            return
        self._end_turn(ctx, meeting)
        ctx.confirm()
        self._update_board(ctx, meeting)

    def wrapup(self, ctx: Context) -> None:
        found = self._turn_or_say(ctx)
        if found:
            self._ask_to_wrap_up(ctx, *found)

    def _end_turn(self, ctx: Context, meeting: MeetingRecord, announce: bool = True) -> None:
        """End the current turn, if any; other features hear of it (follow-up reminders)."""
        current = ctx.store.meetings.current_turn(meeting.id)
        if current:
            ctx.store.meetings.end_turn(current.id, ctx.signal.timestamp)
            if announce:
                ctx.announce("turn ended", meeting.id)

    def _turn_or_say(self, ctx: Context) -> tuple[MeetingRecord, TurnRecord] | None:
        meeting = self._meeting_or_say(ctx)
        if not meeting:
            return None
        current = ctx.store.meetings.current_turn(meeting.id)
        if current is None:
            ctx.reply("Nobody has the floor right now.")
            return None
        return meeting, current

    def _ask_to_wrap_up(self, ctx: Context, meeting: MeetingRecord, turn: TurnRecord) -> None:
        ctx.store.meetings.mark_wrapup_asked(turn.id)
        ctx.do(Send(meeting.room_id, self._speaker(turn.person)
                    + plain(", could you start wrapping up? Thank you! Others are waiting to speak.")))

    def on_tick(self, ctx: Context) -> None:
        if self.wrapup_after_ms is None:
            return
        now = ctx.signal.timestamp
        for meeting in ctx.store.meetings.all_running():
            turn = ctx.store.meetings.current_turn(meeting.id)
            if turn and not turn.wrapup_asked and now - turn.started_at >= self.wrapup_after_ms:
                self._ask_to_wrap_up(ctx, meeting, turn)

    # -- the board ----------------------------------------------------------------------------

    def _order(self, ctx: Context, meeting: MeetingRecord) -> list[Entry]:
        meetings = ctx.store.meetings
        entries = [s.entry for s in meetings.waiting(meeting.id)]
        return order(entries, meetings.contributions(meeting.id, ctx.signal.timestamp),
                     meetings.priority(meeting.id), self.rules)

    def _board(self, ctx: Context, meeting: MeetingRecord) -> Text:
        current = ctx.store.meetings.current_turn(meeting.id)
        return render_board(meeting.title, current.person.name if current else None,
                            self._order(ctx, meeting), meeting.closed)

    def _post_board(self, ctx: Context, meeting: MeetingRecord) -> None:
        key = ctx.store.meetings.next_board_key(meeting.id)
        ctx.do(Send(meeting.room_id, self._board(ctx, meeting), remember=key))

    def _update_board(self, ctx: Context, meeting: MeetingRecord) -> None:
        meeting = ctx.store.meetings.get(meeting.id)
        if meeting.board_key:
            ctx.do(Edit(meeting.room_id, meeting.board_key, self._board(ctx, meeting)))
        else:
            self._post_board(ctx, meeting)

    # -- small helpers --------------------------------------------------------------------------

    def _meeting_or_say(self, ctx: Context) -> MeetingRecord | None:
        meeting = ctx.store.meetings.running(ctx.room.room_id)
        if meeting is None:
            ctx.reply(plain("No meeting is running here. Start one with ") + code("!meeting start [title]")
                      + plain("."))
        return meeting

    def _meetings_of(self, ctx: Context, user_id: str) -> list[MeetingRecord]:
        return [m for m in ctx.store.meetings.all_running() if user_id in ctx.directory.get(m.room_id, {})]

    def _person(self, ctx: Context, who: str) -> Person:
        return Person(who, ctx.name_of(who)) if who.startswith("@") else Person.named(who)

    def _name(self, ctx: Context, user_id: str, mention: bool = False) -> Text:
        return pill(user_id, ctx.name_of(user_id)) if mention else bold(ctx.name_of(user_id))

    def _speaker(self, person: Person) -> Text:
        return pill(person.user_id, person.name) if person.user_id else bold(person.name)


def minutes_data(store, meeting: MeetingRecord, timezone: str, features: list[Feature],
                 display=lambda user: user) -> MinutesData:
    """What the minutes of `meeting` say, from the store (used by the bot and the command line)."""
    meetings = store.meetings
    end = meeting.ended_at or meeting.started_at
    turns = [SpokenTurn(t.person.name, t.started_at, t.ended_at or end) for t in meetings.turns(meeting.id)]
    sections = [section for feature in features
                for section in feature.minutes_sections(store, meeting.id, lambda ms: clock(ms, timezone), display)]
    return MinutesData(meeting.title, [display(u) for u in meetings.everyone_who_facilitated(meeting.id)],
                       meeting.started_at, end, turns, meetings.notes(meeting.id), timezone, sections)

