"""What the bot tells the moderators about brigading and floods, in one place: a wave of
newcomers, a flood, a mass mention, and unlocking invitations again. Pure functions, so the words
can be read and reviewed together; nothing here acts: the moderators decide."""

from __future__ import annotations

from scorebot.domain.text import Text, bold, join, lines, plain

STEPS = ("Nothing else was done: you decide. If someone only came to gang up, the usual steps apply "
         "(!warn, 🛑, !remove).")


def wave(room_name: str, minutes: int, joins: list[Text], locked: bool) -> Text:
    """`joins` says, one line each, who joined, who invited them and when."""
    parts = [bold(f"⚠️ A wave of newcomers in {room_name}: {len(joins)} people joined within {minutes} "
                  f"minute{'s' if minutes != 1 else ''}.")]
    parts += [plain("• ") + line for line in joins]
    if locked:
        parts.append(plain(f"I have locked invitations there (only moderators can invite for now). Write !unlock "
                           f"{room_name} when it is over."))
    parts.append(plain(STEPS))
    return lines(parts)


def newcomer(who: Text, inviter: Text | None, at: str) -> Text:
    by = plain(", invited by ") + inviter if inviter else plain(", invited by someone I did not see")
    return who + by + plain(f", at {at}")


def flood(who: Text, messages: int, seconds: int, room_name: str, first_message: Text) -> Text:
    return join([bold("⚠️ A flood: "), who,
                 plain(f" sent more than {messages} messages within {seconds} seconds in {room_name}; "),
                 first_message, plain(". If it is harmful, react 🛑 on one of their messages to ask them to stop.")])


def mass_mention(who: Text, mentioned: int, room_name: str, the_message: Text) -> Text:
    return join([bold("⚠️ A mass mention: "), who,
                 plain(f" mentioned {mentioned} people in one message in {room_name}; "),
                 the_message, plain(". If it is harmful, react 🛑 on it to ask them to stop.")])


def not_locked(room_name: str) -> str:
    return f"Invitations in {room_name} are not locked by me."


def unlocked(room_name: str) -> str:
    return f"Invitations in {room_name} are back as they were."


def which_room(names: list[str]) -> str:
    return f"Which room? Write !unlock followed by one of: {', '.join(names)}."
