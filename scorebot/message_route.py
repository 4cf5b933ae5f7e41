"""A member's message, from its way in to its answer: a command is checked and run, a private word
is moved to the sender's direct chat, and a plain message is offered to every feature.

The dispatcher hands each `Message` here (see `Dispatcher.handle` for handled-once and transactions).
"""

from __future__ import annotations

import logging

from scorebot.context import Context
from scorebot.conversations import continue_conversation
from scorebot.domain import command_words, people_words
from scorebot.domain.actions import Redact
from scorebot.domain.commands import CommandRegistry, Invocation, PersonArg, UnknownCommand, UsageError, UserArg
from scorebot.domain.help import usage_answer
from scorebot.domain.people import resolve
from scorebot.domain.privacy import MOVED_HERE, MOVED_REASON, UNVERIFIED_SESSION
from scorebot.domain.rooms import Role, RoomKind
from scorebot.domain.signals import Message
from scorebot.domain.stack import folded
from scorebot.domain.text import Text
from scorebot.domain.unverified import tell_where_readable
from scorebot.feature import Feature
from scorebot.inbound import Inbound

log = logging.getLogger(__name__)


class MessageRoute:
    def __init__(self, registry: CommandRegistry, features: list[Feature], edit_window_ms: int):
        self.registry = registry
        self.features = features
        self.inbound = Inbound(features, edit_window_ms)

    def on_message(self, ctx: Context, message: Message) -> None:
        """Every message takes the same way in (see `inbound`), then is routed."""
        parsed = self.registry.parse(message.command_body)
        private = ctx.room.kind is not RoomKind.DIRECT and self._is_private(parsed, message)
        self.inbound.keep(ctx, message, private)
        watch = self.inbound.watch(ctx)
        if message.is_notice:
            return  # notices are bots talking; answering them makes loops
        if message.replaces and not self.inbound.edit(ctx, message, parsed, private):
            return
        if not message.replaces:
            self.inbound.sent(ctx, message, parsed, private)
        if private:
            self._continue_privately(ctx, parsed)
            return
        decided = len(ctx.actions)
        self._answer(ctx, parsed)
        self.inbound.hold(ctx, watch, parsed, decided)

    def _answer(self, ctx: Context, parsed) -> None:
        if parsed is None:
            self._plain_message(ctx)
            return
        prefix = self.registry.prefix
        if isinstance(parsed, UnknownCommand):
            ctx.reply(command_words.one_more_word(prefix, parsed.name, parsed.group) if parsed.group
                      else command_words.unknown(prefix, parsed.name, parsed.suggestion))
            return
        if isinstance(parsed, UsageError):
            ctx.reply(self._usage(parsed))
            return
        self._invoke(ctx, parsed)

    def _usage(self, error: UsageError) -> Text:
        prefix = self.registry.prefix
        return usage_answer(error.command.name, error.command.usage(prefix), error.reason, prefix)

    def _plain_message(self, ctx: Context) -> None:
        taken = [feature.on_message(ctx) for feature in self.features]
        if ctx.room.kind is not RoomKind.DIRECT or any(taken):
            return
        if not continue_conversation(ctx, self.features) and not any(f.answer_direct(ctx) for f in self.features):
            ctx.reply(command_words.not_sure(self.registry.prefix))

    def _is_private(self, parsed, message: Message) -> bool:
        """A command or text that belongs in a direct chat only (a report, a priority declaration)."""
        if isinstance(parsed, Invocation | UsageError):
            return parsed.command.private
        said = folded(message.body)
        return parsed is None and any(feature.is_private_text(said) for feature in self.features)

    def _continue_privately(self, ctx: Context, parsed) -> None:
        """Take a private word out of a shared room and go on with it in the sender's direct chat."""
        ctx.do(Redact(ctx.room.room_id, ctx.signal.event_id, MOVED_REASON))  # it names no one
        ctx.direct(ctx.sender, MOVED_HERE)
        private = ctx.privately()
        if isinstance(parsed, Invocation):
            self._invoke(private, parsed)
        elif isinstance(parsed, UsageError):
            private.reply(self._usage(parsed))
        else:
            for feature in self.features:
                feature.on_message(private)

    def _invoke(self, ctx: Context, invocation: Invocation) -> None:
        command = invocation.command
        if ctx.room.kind not in command.rooms:
            ctx.reply(command_words.works_in(self.registry.prefix, command.name, command.rooms))
            return
        if not ctx.may(command.role):
            ctx.reply(command_words.only_for(self.registry.prefix, command.name, command.role))
            return
        if ctx.signal.unsigned_device and command.role is not Role.MEMBER:
            ctx.reply(UNVERIFIED_SESSION)
            ctx.do(*tell_where_readable(ctx.sender, ctx.name_of(ctx.sender), ctx.room.kind, ctx.views))
            return
        args = self._find_people(ctx, invocation)
        if args is None:
            return
        for need in command.needs:  # a running meeting, the current turn: checked here, said once
            found = need.find(ctx)
            if found is None:
                ctx.reply(need.refusal)
                return
            args[need.key] = found
        if ctx.room.kind is not RoomKind.DIRECT and not command.private:
            log.info("%s%s by %s in %s", self.registry.prefix, command.name, ctx.sender, ctx.room.room_id)
        command.handler(ctx, **args)

    def _find_people(self, ctx: Context, invocation: Invocation) -> dict[str, object] | None:
        """The command's arguments with each person named as people type them turned into their
        Matrix ID (or, for a "Name" with no account, that name); or None, having asked which one."""
        args = dict(invocation.args)
        members = ctx.known_people()
        for arg in invocation.command.args:
            typed = args.get(arg.key)
            if isinstance(arg, UserArg | PersonArg) and isinstance(typed, str):
                found = resolve(typed, members, quoted_may_be_anyone=isinstance(arg, PersonArg))
                refusal = people_words.answer(found, members)
                if refusal is not None:
                    ctx.reply(refusal)
                    return None
                args[arg.key] = found.user_id or found.name
        return args
