"""What the bot says when a command cannot run as typed: unknown, half a name, the wrong room, the
wrong role, or a failure on the bot's side. One family, in one place."""

from __future__ import annotations

from scorebot.domain.rooms import Role, RoomKind
from scorebot.domain.text import Text, code, join, plain

_ROOM_NAMES = {
    RoomKind.ORGANIZING: "organizing rooms",
    RoomKind.MODERATORS: "the moderators' room",
    RoomKind.IGO: "the grievance officers' room",
    RoomKind.DIRECT: "a direct chat with me",
}

_ROLE_NAMES = {
    Role.FACILITATOR: "the meeting's facilitators and moderators",
    Role.MODERATOR: "moderators",
    Role.IGO: "the Internal Grievance Officers",
    Role.STAFF: "moderators and the Internal Grievance Officers",
}


def one_more_word(prefix: str, name: str, group: tuple[str, ...]) -> Text:
    return plain(f"{prefix}{name} needs one more word: ") + join([code(prefix + n) for n in group], ", ") + plain(".")


def unknown(prefix: str, name: str, suggestion: str | None) -> Text:
    hint = f" Did you mean {prefix}{suggestion}?" if suggestion else ""
    return plain(f"I don't know {prefix}{name}.{hint} Send ") + code(f"{prefix}help") + plain(" for the list.")


def works_in(prefix: str, name: str, rooms: frozenset[RoomKind]) -> Text:
    where = " or ".join(_ROOM_NAMES[kind] for kind in sorted(rooms, key=lambda k: k.value))
    return plain(f"{prefix}{name} works in {where}.")


def only_for(prefix: str, name: str, role: Role) -> str:
    return f"Sorry, only {_ROLE_NAMES[role]} can use {prefix}{name}."


def went_wrong(reference: str) -> str:
    return (f"Sorry, something went wrong on my side (reference {reference}). "
            "Nothing you did caused it; please tell the admin.")


def done(emoji: str) -> str:
    """A command's ✅, said in words when its answer went to a direct chat instead of a reaction."""
    return f"{emoji} Done."


def not_sure(prefix: str) -> Text:
    """A plain message in a direct chat that no feature and no open conversation took."""
    return (plain("I'm not sure what you mean, sorry. Here you can write ") + code("stack")
            + plain(" to ask to speak in a meeting you're in, ") + code("priority on")
            + plain(" or ") + code("priority off") + plain(", or ") + code(f"{prefix}report")
            + plain(" to tell the Internal Grievance Officers something in confidence. ")
            + code(f"{prefix}help") + plain(" lists everything."))
