"""Reactions, declared like commands: which emoji, in which rooms, and on which of the bot's messages.

A feature declares each reaction it acts on with `@reaction(...)` on the method that handles it, so a
reader finds in one line what a 🛑 or a ✅ does and where; the dispatcher routes each reaction only
to the handlers declared for it. An emoji reaches the bot in several forms (with or without a
variation selector, a skin tone, a gender sign); the Matrix adapter hands over the bare emoji
(`bare`), so a declaration names each emoji once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scorebot.domain import keys as message_keys
from scorebot.domain.rooms import RoomKind

# A variation selector, a skin tone, or a zero-width joiner with a gender sign (and its selector).
_FORMS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]|\u200d[\u2640\u2642]\ufe0f?")

HANDS = frozenset({"✋", "🖐", "🤚", "🙋"})  # a raised hand, in the forms apps send


def bare(emoji: str) -> str:
    """The emoji without its variation selector, skin tone or gender sign: "🙋🏽‍♀️" is "🙋"."""
    return _FORMS.sub("", emoji.strip())


@dataclass(frozen=True)
class ReactionRoute:
    """`on` names a kind of the bot's remembered messages ("proposal", "revision-vote"): only a
    reaction on such a message is routed, and the handler gets the message's number."""

    emojis: frozenset[str]
    rooms: frozenset[RoomKind]
    handler: Callable
    on: str | None = None


_DECLARED = "_scorebot_reactions"


def reaction(*emojis: str, rooms: frozenset[RoomKind], on: str | None = None):
    """Declare that the method handles these emoji (written bare) in these rooms."""

    def mark(method: Callable) -> Callable:
        declared = getattr(method, _DECLARED, [])
        route = {"emojis": frozenset(bare(e) for e in emojis), "rooms": rooms, "on": on}
        setattr(method, _DECLARED, [*declared, route])
        return method

    return mark


class ReactionRegistry:
    def __init__(self) -> None:
        self.routes: list[ReactionRoute] = []

    def declare(self, feature: object) -> None:
        """Every reaction a feature declared on its methods with `@reaction`."""
        for attribute in dir(type(feature)):
            for spec in getattr(getattr(type(feature), attribute), _DECLARED, ()):
                self.routes.append(ReactionRoute(handler=getattr(feature, attribute), **spec))

    def route(self, ctx, emoji: str, target: str, key_of: Callable[[str], str | None]) -> None:
        """Call each handler declared for this emoji in this kind of room (and on this kind of message)."""
        for found in self.routes:
            if emoji not in found.emojis or ctx.room.kind not in found.rooms:
                continue
            if found.on is None:
                found.handler(ctx)
                continue
            number = message_keys.number_in(key_of(target), found.on)
            if number is not None:
                found.handler(ctx, number)
