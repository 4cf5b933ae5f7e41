"""A command's argument types, and the reader that takes them from the text left to right.

Kept apart from the registry and its parser (`domain.commands`) because each type is its own small
rule about how people write a thing: a member as a pill, `@bob`, `bob` or "Bob Smith"; someone with
no Matrix account by a "quoted name"; a whole number; one of a few words; the rest of the line. A
bad argument raises `ArgumentError`, whose message the parser turns into a usage answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»"}


class ArgumentError(Exception):
    """One argument was missing or malformed; the message says which and why."""


class Reader:
    """Reads a command's arguments left to right: words, "quoted names", or the rest."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self._skip_space()
        return self.pos >= len(self.text)

    def peek_quoted(self) -> bool:
        self._skip_space()
        return self.pos < len(self.text) and self.text[self.pos] in _QUOTES

    def word(self) -> str:
        self._skip_space()
        if self.peek_quoted():
            closing = _QUOTES[self.text[self.pos]]
            end = self.text.find(closing, self.pos + 1)
            if end == -1:
                raise ArgumentError("a quote is not closed")
            value = self.text[self.pos + 1 : end]
            self.pos = end + 1
            return value.strip()
        start = self.pos
        while self.pos < len(self.text) and not self.text[self.pos].isspace():
            self.pos += 1
        return self.text[start : self.pos]

    def rest(self) -> str:
        self._skip_space()
        value, self.pos = self.text[self.pos :].strip(), len(self.text)
        return value


@dataclass(frozen=True)
class Arg:
    """`key` is the handler's parameter name; `label` is what the usage line shows; `max_length`
    keeps a name or a text within what a reader (and the database) can take."""

    key: str
    optional: bool = False
    label: str = ""
    max_length: int | None = None

    @property
    def name(self) -> str:
        return self.label or self.key

    def shown(self) -> str:
        return f"[{self.name}]" if self.optional else self.name

    def read(self, reader: Reader):
        return reader.word()


@dataclass(frozen=True)
class UserArg(Arg):
    """A member, as people name them: a mention pill (the adapter turns pills into IDs), a Matrix
    ID, `@bob`, `bob` or "Bob Smith". The dispatcher finds who is meant (see `domain.people`)."""

    key: str = "user"
    label: str = "@user"
    max_length: int | None = 255

    def read(self, reader: Reader) -> str:
        quoted = reader.peek_quoted()
        value = reader.word()
        if not value:
            raise ArgumentError("the name is empty")
        if quoted:  # kept in quotes: the dispatcher looks for a member with that display name
            return f'"{value}"'
        return value if value.startswith("@") else "@" + value


@dataclass(frozen=True)
class PersonArg(Arg):
    """A member as a `UserArg` takes them, or someone with no Matrix account by a "quoted name". A
    quoted name stays in quotes: the dispatcher makes it the member of that name, if there is one."""

    key: str = "person"
    label: str = '@user|"Name"'
    max_length: int | None = 80

    def read(self, reader: Reader) -> str:
        quoted = reader.peek_quoted()
        value = reader.word()
        if quoted:
            if not value:
                raise ArgumentError("the name in quotes is empty")
            return f'"{value}"'
        return value if value.startswith("@") else "@" + value  # a member, found like a UserArg


@dataclass(frozen=True)
class NumberArg(Arg):
    minimum: int = 1

    def read(self, reader: Reader) -> int:
        value = reader.word()
        if not re.fullmatch(r"\d+", value) or int(value) < self.minimum:
            raise ArgumentError(f"{self.name} must be a whole number from {self.minimum} up")
        return int(value)


@dataclass(frozen=True)
class ChoiceArg(Arg):
    choices: tuple[str, ...] = ()

    def shown(self) -> str:
        text = "|".join(self.choices)
        return f"[{text}]" if self.optional else text

    def read(self, reader: Reader) -> str:
        value = reader.word().lower()
        if value not in self.choices:
            raise ArgumentError(f"choose one of: {', '.join(self.choices)}")
        return value


@dataclass(frozen=True)
class TextArg(Arg):
    """Everything left on the line."""

    def read(self, reader: Reader) -> str:
        return reader.rest()
