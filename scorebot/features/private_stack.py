"""What is said to the bot alone about the stack: asking to speak from a direct chat, and priority.

Priority stays private: it is declared only in a direct chat (or set by a facilitator at the
member's spoken request), it is never logged, and the board and the minutes show only the order.
"""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import meeting_words as words
from scorebot.domain.commands import ChoiceArg, UserArg, command
from scorebot.domain.rooms import DIRECT, ORGANIZING, Role, RoomKind
from scorebot.domain.signals import Message
from scorebot.domain.stack import Person, folded
from scorebot.feature import Feature
from scorebot.features.stack import StackService
from scorebot.store.meetings import MeetingRecord, meetings

PRIVATE_TEXTS = frozenset({"priority on", "priority off"})


class PrivateStack(Feature):
    def __init__(self, service: StackService):
        self.service = service

    def is_private_text(self, said: str) -> bool:
        return said in PRIVATE_TEXTS

    def on_message(self, ctx: Context) -> bool | None:
        if ctx.room.kind is not RoomKind.DIRECT:
            return None
        message: Message = ctx.signal
        return self._direct_message(ctx, folded(message.body.strip()))

    def _direct_message(self, ctx: Context, said: str) -> bool:
        """`stack`, `unstack` and `priority on/off` in a direct chat; say whether it was one of them."""
        parts = said.split()
        texts = self.service.texts
        if said in PRIVATE_TEXTS:
            self.priority(ctx, parts[1])
        elif said in texts or (len(parts) == 2 and parts[0] in texts and parts[1].isdigit()):
            self._request_from_direct_chat(ctx, int(parts[1]) if len(parts) == 2 else None)
        elif said in self.service.leave_texts:
            for meeting in _meetings_of(ctx, ctx.sender):
                self.service.withdraw(ctx, meeting, ctx.sender, confirm=False)
            ctx.confirm()
        else:
            return False
        return True

    def _request_from_direct_chat(self, ctx: Context, choice: int | None) -> None:
        theirs = _meetings_of(ctx, ctx.sender)
        if not theirs:
            ctx.reply(words.NO_MEETING_OF_YOURS)
            return
        if len(theirs) > 1 and choice is None:
            ctx.reply(words.which_meeting([m.title for m in theirs]))
            return
        if choice is not None and not 1 <= choice <= len(theirs):
            ctx.reply(words.choose_a_number(len(theirs)))
            return
        meeting = theirs[(choice or 1) - 1]
        name = ctx.directory.get(meeting.room_id, {}).get(ctx.sender) or ctx.sender
        self.service.request(ctx, meeting, Person(ctx.sender, name), "direct chat", own_signal=False)

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


def _meetings_of(ctx: Context, user_id: str) -> list[MeetingRecord]:
    """The running meetings in rooms this member is in."""
    return [m for m in meetings.all_running() if user_id in ctx.directory.get(m.room_id, {})]
