"""`!help`: the commands the asker may use where they ask, and what one of them does."""

from __future__ import annotations

from scorebot.dispatch import Context, Feature
from scorebot.domain.commands import CommandRegistry, TextArg
from scorebot.domain.text import Text, bold, code, lines, plain


class Help(Feature):
    def register(self, registry: CommandRegistry) -> None:
        registry.command(
            "help", TextArg("command", optional=True),
            help="List the commands you can use here, or explain one: !help stack",
        )(self.help)

    def help(self, ctx: Context, command: str | None) -> None:
        prefix = ctx.registry.prefix
        allowed = {c.name: c for c in _allowed(ctx)}
        if command:
            found = ctx.registry.find(command)
            if found is None:
                ctx.reply(plain(f"There is no {prefix}{command.lstrip(prefix)}. ")
                          + plain("Send ") + code(f"{prefix}help") + plain(" for the list."))
                return
            note = "" if found.name in allowed else " (not available to you here)"
            ctx.reply(lines([code(found.usage(prefix)) + plain(note), plain(found.help)]))
            return
        entries: list[Text] = [bold("What I can do for you here:")]
        for found in sorted(allowed.values(), key=lambda c: c.name):
            summary = found.help.split(":")[0].split(".")[0]
            entries.append(code(found.usage(prefix)) + plain(f" — {summary}"))
        entries.append(plain(f"Send {prefix}help COMMAND to learn more about one."))
        ctx.reply(lines(entries))


def _allowed(ctx: Context):
    return [
        command for command in ctx.registry.commands.values()
        if ctx.room.kind in command.rooms and ctx.may(command.role)
    ]
