"""Commands, declared once with their arguments, who may use them, where, and their help.

A feature declares each command on the method that carries it out, with `@command(...)`, as
maubot does; what the command needs before it can run (a running meeting, the current turn) is
declared there too, as `Needs`, and checked in one place before the method is called.

Parsing is pure: text in, an `Invocation`, `UnknownCommand` or `UsageError` out. A bad argument
answers with an example of the command, so a person learns what would have worked.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field

from scorebot.domain.arguments import (
    Arg,
    ArgumentError,
    ChoiceArg,
    NumberArg,
    PersonArg,
    Reader,
    TextArg,
    UserArg,
)
from scorebot.domain.rooms import ANYWHERE, Role, RoomKind

# The argument types live in `domain.arguments`; features take them from here, with the registry.
__all__ = ["ALL_ROOMS", "Arg", "ArgumentError", "ChoiceArg", "Command", "CommandRegistry", "Invocation", "Needs",
           "NumberArg", "PersonArg", "TextArg", "UnknownCommand", "UsageError", "UserArg", "command"]

ALL_ROOMS = ANYWHERE


@dataclass(frozen=True)
class Needs:
    """Something a command needs before it can run (a running meeting, the current turn): found by
    `find(ctx)` before the handler is called, and handed to it as the argument `key`. When it is
    not there, the asker gets `refusal`: the same words wherever the command is."""

    key: str
    find: Callable[[object], object | None]
    refusal: object  # a Text, or a plain string


@dataclass(frozen=True)
class Command:
    name: str
    handler: Callable
    args: tuple[Arg, ...] = ()
    role: Role = Role.MEMBER
    help: str = ""
    rooms: frozenset[RoomKind] = ALL_ROOMS
    # Private words (a report, a declaration): typed in a shared room, they are taken out of it
    # and the command goes on in the sender's direct chat.
    private: bool = False
    needs: tuple[Needs, ...] = ()

    def usage(self, prefix: str) -> str:
        return " ".join([f"{prefix}{self.name}", *(arg.shown() for arg in self.args)])

    def parse_args(self, text: str) -> dict[str, object]:
        reader = Reader(text)
        values: dict[str, object] = {}
        for arg in self.args:
            if reader.at_end():
                if not arg.optional:
                    raise ArgumentError(f"{arg.shown()} is missing")
                values[arg.key] = None
                continue
            value = arg.read(reader)
            if arg.max_length and isinstance(value, str) and len(value) > arg.max_length:
                raise ArgumentError(f"that is longer than I can keep ({len(value)} characters; {arg.max_length} at "
                                    "most). Could you say it more briefly")
            values[arg.key] = value
        if not reader.at_end():
            raise ArgumentError(f"I did not expect {reader.rest()!r}")
        return values


@dataclass(frozen=True)
class Invocation:
    command: Command
    args: dict[str, object]


@dataclass(frozen=True)
class UnknownCommand:
    name: str
    suggestion: str | None
    group: tuple[str, ...] = ()  # "meeting" alone: the commands it starts (meeting start, meeting end)


@dataclass(frozen=True)
class UsageError:
    command: Command
    reason: str


@dataclass
class CommandRegistry:
    prefix: str = "!"
    commands: dict[str, Command] = field(default_factory=dict)

    def add(self, command: Command) -> None:
        if command.name in self.commands:
            raise ValueError(f"command {command.name!r} declared twice")
        self.commands[command.name] = command

    def command(self, name: str, *args: Arg, role: Role = Role.MEMBER, help: str = "",
                rooms: frozenset[RoomKind] = ALL_ROOMS, private: bool = False, needs: tuple[Needs, ...] = ()):
        """Declare a command for a handler: `registry.command("warn", UserArg(), help=...)(handler)`."""

        def declare(handler: Callable) -> Callable:
            self.add(Command(name, handler, args, role, help, rooms, private, tuple(needs)))
            return handler

        return declare

    def declare(self, feature: object) -> None:
        """Every command a feature declared on its methods with `@command`."""
        for attribute in dir(type(feature)):
            for spec in getattr(getattr(type(feature), attribute), _DECLARED, ()):
                self.add(Command(handler=getattr(feature, attribute), **spec))

    def parse(self, text: str) -> Invocation | UnknownCommand | UsageError | None:
        """None when the text is not a command at all (ordinary chat)."""
        text = text.strip()
        if not text.startswith(self.prefix) or len(text) == len(self.prefix):
            return None
        body = text[len(self.prefix) :]
        if body[0].isspace() or not (body[0].isalnum()):
            return None
        words = body.split()
        # The longest declared name wins, so "stack add" is found before "stack".
        for length in range(min(3, len(words)), 0, -1):
            name = " ".join(words[:length]).lower()
            command = self.commands.get(name)
            if command is None:
                continue
            rest = body.split(None, length)[length] if len(words) > length else ""
            try:
                return Invocation(command, command.parse_args(rest))
            except ArgumentError as error:
                return UsageError(command, str(error))
        name = words[0].lower()
        group = tuple(sorted(n for n in self.commands if n.startswith(name + " ")))
        if group:
            return UnknownCommand(name, None, group)
        close = difflib.get_close_matches(name, {n.split()[0] for n in self.commands}, n=1)
        return UnknownCommand(name, close[0] if close else None)

    def find(self, name: str) -> Command | None:
        name = name.strip().lstrip(self.prefix).lower()
        return self.commands.get(name)


_DECLARED = "_scorebot_commands"


def command(name: str, *args: Arg, role: Role = Role.MEMBER, help: str = "", rooms: frozenset[RoomKind] = ALL_ROOMS,
            private: bool = False, needs: tuple[Needs, ...] = ()):
    """Declare a command on the method that carries it out (a method may carry several)."""

    def mark(method: Callable) -> Callable:
        declared = getattr(method, _DECLARED, [])
        setattr(method, _DECLARED, [*declared, {"name": name, "args": args, "role": role, "help": help,
                                                 "rooms": rooms, "private": private, "needs": tuple(needs)}])
        return method

    return mark
