"""The one way in for a member's message, whatever its form: text, emote, notice, command, reply,
thread reply or edit. The dispatcher runs these checks in this order before it routes the message:

1. keep it (organizing rooms; private words are never kept);
2. watch it: every feature that counts messages (floods, mass mentions) sees every one;
3. an edit by the message's author changes what the kept message says, and runs as the command it
   now reads, once, or takes its private words out of the room; anyone else's "edit" is ignored;
4. after routing, hold back the answers a flooding member would be fed.

Handled once, and a direct chat that is no longer private, are checked before, in `Dispatcher.handle`.
"""

from __future__ import annotations

import dataclasses

from scorebot.domain import edit_words
from scorebot.domain.actions import Action, React, Redact, Send
from scorebot.domain.brigading import Watch, hold_answer
from scorebot.domain.commands import Invocation, UnknownCommand, UsageError
from scorebot.domain.edits import EditStep, digest, on_edit
from scorebot.domain.rooms import RoomKind
from scorebot.domain.signals import Message
from scorebot.store.commands import sent_commands
from scorebot.store.culture import culture


class Inbound:
    def __init__(self, features: list, edit_window_ms: int):
        self.features = features
        self.edit_window_ms = edit_window_ms

    def keep(self, ctx, message: Message, private: bool) -> None:
        """Organizing-room messages are kept a few days, so a pin or a piece of evidence can quote
        what was said, and floods are counted on them; notices and commands too."""
        if ctx.room.kind is RoomKind.ORGANIZING and not private and not message.replaces:  # edits: see `edit`
            culture.keep_message(message.room_id, message.event_id, message.sender, message.body,
                                           message.timestamp)

    def watch(self, ctx) -> Watch | None:
        """Every feature that counts messages sees this one; a flood watch says how to answer."""
        found = [feature.watch(ctx) for feature in self.features]
        return next((watch for watch in found if watch is not None), None)

    def sent(self, ctx, message: Message, parsed, private: bool) -> None:
        """A command (or private words) as first sent: its digest, so an edit runs it at most once."""
        if parsed is None and not private:
            return
        ran = private or isinstance(parsed, Invocation)
        sent_commands.sent(message.event_id, message.room_id, message.sender, digest(message.command_body),
                                ran, message.timestamp)

    def edit(self, ctx, message: Message, parsed, private: bool) -> bool:
        """An edit: True when it goes on as the command (or private words) it now reads, in which
        case `ctx.signal` becomes the message edited, so answers and records point at it."""
        sent = sent_commands.get(message.replaces)
        kept = culture.message(message.replaces)
        author = sent.sender if sent else kept.sender if kept else None
        if author is not None and author != message.sender:
            return False  # an "edit" of someone else's message: Matrix ignores it, and so does the bot
        if kept and private:
            culture.forget_message(message.replaces, message.sender)
        elif kept:
            culture.edited(message.replaces, message.sender, message.body)
        said = digest(message.command_body)
        ran_now = private or isinstance(parsed, Invocation)
        step = on_edit(sent, message.timestamp, self.edit_window_ms, parsed is not None, ran_now, said, private)
        room = ctx.room.room_id
        if author is None and step is EditStep.MOVE:  # whose the edited message is, the bot cannot tell:
            sent_commands.sent(message.replaces, message.room_id, message.sender, said, True, message.timestamp)
            return True  # only this edit leaves the room
        if step in (EditStep.HIDE, EditStep.MOVE):
            ctx.do(Redact(room, message.event_id))  # the edit's words; the original goes with the move
        if step is EditStep.HIDE:
            ctx.do(Redact(room, message.replaces))
            if said != sent.digest:
                ctx.direct(ctx.sender, edit_words.NOT_AGAIN)
        if step not in (EditStep.RUN, EditStep.MOVE, EditStep.ALREADY_RAN):
            return False
        ctx.signal = dataclasses.replace(message, event_id=message.replaces, replaces=None)
        if step is EditStep.ALREADY_RAN:
            ctx.reply(edit_words.NOT_AGAIN)
            return False
        sent_commands.sent(message.replaces, message.room_id, message.sender, said, ran_now, message.timestamp)
        return True

    def hold(self, ctx, watch: Watch | None, parsed, actions_before: int) -> None:
        """Leave out the answers (in the room, to this message) that would feed a flood: anything
        while the member floods, and the same unknown command answered again (see `hold_answer`)."""
        if watch is None:
            return
        decided = ctx.actions[actions_before:]
        answers = [action for action in decided if _answers(action, ctx)]
        if not answers:
            return
        name = parsed.command.name if isinstance(parsed, Invocation | UsageError) else getattr(parsed, "name", "")
        said = digest(" ".join([name, *(_words(action) for action in answers)]))
        commands = sent_commands
        now = ctx.signal.timestamp
        last = commands.last_answer(ctx.room.room_id, ctx.sender)
        if hold_answer(watch, now, last, said, isinstance(parsed, UnknownCommand)):
            ctx.actions[actions_before:] = [action for action in decided if not _answers(action, ctx)]
        else:
            commands.answered(ctx.room.room_id, ctx.sender, said, now)


def _answers(action: Action, ctx) -> bool:
    """An answer to the message in its room: a reply to it, or a reaction on it."""
    if isinstance(action, Send):
        return action.room_id == ctx.room.room_id and action.reply_to == ctx.signal.event_id
    return isinstance(action, React) and action.room_id == ctx.room.room_id and action.event_id == ctx.signal.event_id


def _words(action: Action) -> str:
    return action.text.plain if isinstance(action, Send) else getattr(action, "key", "")
