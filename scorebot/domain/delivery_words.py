"""Who is told of a confidential message that is still waiting for a room the bot lost, and how.

The message itself is kept and goes out once the bot is back in the room; these words only say
that it waits. They never quote it: a report's words stay between the reporter and the IGOs.
"""

from __future__ import annotations

from scorebot.domain import keys
from scorebot.domain.actions import Action, Send, SendDirect
from scorebot.domain.text import plain


def waiting_for(action: Action) -> str:
    """What is waiting, in one key: a report or case (all its messages), else the action itself."""
    for kind in ("report", "case"):
        number = keys.number_in(getattr(action, "remember", None), kind)
        number = number if number is not None else keys.number_in(getattr(action, "thread_key", None), kind)
        if number is not None:
            return f"{kind}:{number}"
    return ""


def still_waiting(action: Action, reporter: str | None, moderators: str | None, igo: str | None) -> list[Action]:
    """The notices for `action`, a message to a room the bot is not in, waiting too long now."""
    room = getattr(action, "room_id", None)
    what = waiting_for(action)
    number = what.split(":")[1] if what else None
    told: list[Action] = []
    if what.startswith("report:") and reporter:
        told.append(SendDirect(reporter, plain(f"Your report #{number} has not reached the grievance officers "
                                               "yet; it is kept, and I will deliver it as soon as I can.")))
    if moderators and room != moderators:
        thing = f"{what.split(':')[0].capitalize()} #{number}" if what else "A confidential message"
        where = "the grievance officers' room" if room == igo else "its room"
        told.append(Send(moderators, plain(f"{thing} has not reached {where} yet: I am not in that room any "
                                           "more. It is kept, and goes out as soon as someone invites me back.")))
    return told
