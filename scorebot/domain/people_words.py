"""What the bot says when a name typed in a command does not point to exactly one member."""

from __future__ import annotations

from scorebot.domain.people import Found
from scorebot.domain.text import Text, join, plain


def which_one(found: Found, members: dict[str, str]) -> Text:
    """One short question when a name fits several people."""
    return (plain(f"“{found.typed.lstrip('@')}” could be several people: ")
            + join([plain(f"{members.get(u, u)} ({u})") for u in found.several], ", ")
            + plain(". Mention the one you mean (type @ and pick them)."))


def nobody_called(found: Found) -> Text:
    return plain(f"I don't know anyone called “{found.typed.lstrip('@')}” here. Mention them (type @ and pick them "
                 "from the list), or write their Matrix ID, like @name:server.")


def answer(found: Found, members: dict[str, str]) -> Text | None:
    """What to say back instead of going on, or None when `found` names one person."""
    if found.several:
        return which_one(found, members)
    return nobody_called(found) if found.nobody else None
