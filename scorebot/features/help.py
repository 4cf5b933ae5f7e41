"""`!help`: what the asker may do where they ask, by task, and one command explained."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import help as words
from scorebot.domain import limits
from scorebot.domain.commands import TextArg, command
from scorebot.domain.rooms import RoomKind
from scorebot.domain.text import Text, code, plain
from scorebot.feature import Feature


class Help(Feature):
    def __init__(self) -> None:
        # The overview, made once for each set of commands someone may use and kind of room: it is
        # the same for everyone who asks with the same roles in the same kind of room.
        self._overviews: dict[tuple[frozenset[str], RoomKind, str], Text] = {}

    @command("help", TextArg("command", optional=True, max_length=limits.TERM),
             help="What you can do here, by task, or one command explained: !help stack")
    def help(self, ctx: Context, command: str | None) -> None:
        prefix = ctx.registry.prefix
        allowed = {c.name: c for c in _allowed(ctx)}
        if command:
            found = ctx.registry.find(command)
            if found is None:
                ctx.reply(plain(f"There is no {prefix}{command.lstrip(prefix)}. ")
                          + plain("Send ") + code(f"{prefix}help") + plain(" for the list."))
                return
            ctx.reply(words.one_command(found.name, found.usage(prefix), found.help, prefix, found.name in allowed))
            return
        key = (frozenset(allowed), ctx.room.kind, prefix)
        if key not in self._overviews:
            summaries = {name: c.help.split(":")[0].split(".")[0] for name, c in allowed.items()}
            self._overviews[key] = words.render_overview(words.overview(set(allowed), ctx.room.kind, prefix,
                                                                       summaries), prefix)
        ctx.reply(self._overviews[key])


def _allowed(ctx: Context):
    return [
        command for command in ctx.registry.commands.values()
        if ctx.room.kind in command.rooms and ctx.may(command.role)
    ]
