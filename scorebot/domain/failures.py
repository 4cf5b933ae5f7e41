"""Who must hear of an action the bot could not carry out, and in which words.

Most actions fail unseen (a ✅, a board edit): the log says so once. Where someone waits for one
(a removal, a proposal, a word to a reporter or to a member asked to stop), the people who can do
something about it are told, plainly, in their own room.
"""

from __future__ import annotations

from scorebot.domain import keys
from scorebot.domain.actions import Action, Ban, Kick, Send, SendDirect, Unban
from scorebot.domain.text import plain


def tell_about(action: Action, moderators: str | None, igo: str | None) -> list[Action]:
    """What to send about `action`, which could not be carried out: nothing, or one notice."""
    match action:
        case Kick() if action.room_key:  # a room for the other grievance officers: said there, never elsewhere
            return [Send("", plain(f"I could not take {action.user_id} out of this room. Please ask someone who "
                                   "can to do it, and check that I still may."), room_key=action.room_key)]
        case Kick() | Ban():
            return _to(moderators, f"I could not remove {action.user_id} from {action.room_id}. Please do it by "
                                   "hand, and check that I still have the power to remove people there.")
        case Unban():
            return _to(moderators, f"I could not lift the ban of {action.user_id} in {action.room_id}. Please "
                                   "lift it by hand.")
        case SendDirect() if (number := keys.number_in(action.remember, "report-dm")) is not None:
            return _to(igo, f"I could not deliver a message to the reporter of report #{number}: I can't reach "
                            "them in a direct chat right now.")
        case SendDirect():
            return _to(moderators, f"I could not write to {action.user_id} in a direct chat, so they may not "
                                   "have heard from us. Please reach them another way if it matters.")
        case Send() if keys.number_in(action.remember, "proposal") is not None and action.room_id != igo:
            return _to(igo, "I could not post a removal proposal in the moderators' room. Please check that "
                            "I am still in it.")
    return []


def _to(room_id: str | None, text: str) -> list[Action]:
    return [Send(room_id, plain(text))] if room_id else []
