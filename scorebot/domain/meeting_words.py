"""What the bot says while it runs a meeting, in one place: starting and ending it, asking to
speak, the floor, wrapping up, and private priority. Pure functions, so the words can be read and
reviewed together (the board and the minutes are in `board.py` and `minutes.py`)."""

from __future__ import annotations

from html import escape

from scorebot.domain.stack import Person
from scorebot.domain.text import Text, bold, code, join, pill, plain

NO_MEETING_HERE = plain("No meeting is running here. Start one with ") + code("!meeting start [title]") + plain(".")
NOBODY_HAS_THE_FLOOR = "Nobody has the floor right now."
STACK_EMPTY = "The stack is empty: nobody is waiting to speak."
NOT_ON_THE_STACK = "You're not on the stack."
STACK_CLOSED = ("The stack is closed for now, sorry. You can still use the chat, or a point of clarification "
                "(!clarify).")
ONLY_SPEAKER_OR_FACILITATOR = "Only the speaker or a facilitator can end this turn."
NO_MEETING_OF_YOURS = "No meeting is running in a room you're in right now."
PRIORITY_ON = ("Thank you for telling me. It stays between us: in meetings you'll stand at the front of the stack "
               "until you've contributed significantly, and no one is told why. Write “priority off” any time to "
               "delete it.")
PRIORITY_OFF = "Done: I've deleted it."
NOT_A_FACILITATOR = "Only the facilitator of a running meeting can do that."
SEVERAL_MEETINGS = "You facilitate several meetings; do this in the meeting's room."
RESPONSE_TAKEN = ("Someone is already answering this speaker directly, so you're on the stack with an ordinary hand. "
                  "Thank you for waiting!")
NOBODY_TO_RESPOND_TO = "Nobody has the floor to answer, so you're on the stack with an ordinary hand."
BOARD_OFF = ("The live board for a projector is off here. Whoever runs the bot can turn it on with board.listen "
             "in the config.")
NOBODY_AFTER_YOU = "Nobody is after you on the stack, so there is no one to let go first."


def already_running(title: str) -> Text:
    return plain(f"A meeting is already running here: {title}. End it with ") + code("!meeting end") + plain(" first.")


def started(title: str, facilitator: Text) -> Text:
    return (plain(f"Meeting started: {title}. ") + facilitator
            + plain(" facilitates. Raise a hand ✋ or write “stack” to ask to speak."))


def ended_board(title: str) -> Text:
    return plain(f"📋 {title}: the meeting has ended.")


def facilitates_now(who: Text) -> Text:
    return who + plain(" facilitates now. Thank you!")


def not_in_room(user: str) -> str:
    return f"{user} is not in this room."


def not_on_stack(name: str) -> str:
    return f"{name} is not on the stack."


def already_on_stack(name: str | None, spot: int) -> str:
    """`name` when a facilitator asked for someone else."""
    who = f"{name} is" if name else "You're"
    return f"{who} already on the stack, at position {spot}."


def on_stack_for(title: str, spot: int) -> str:
    return f"You're on the stack for “{title}”, at position {spot}."


def which_meeting(titles: list[str]) -> str:
    return "\n".join([f"You're in {len(titles)} meetings. Which one? Reply with:",
                      *(f"“stack {i}” for {title}" for i, title in enumerate(titles, 1))])


def choose_a_number(count: int) -> str:
    return f"Choose a number from 1 to {count}."


def the_floor(speaker: Text, clarifying: str | None, following: Text | None = None) -> Text:
    """The floor given, and who is next after the speaker: mentioned, so they are ready."""
    about = f" (point of clarification: {clarifying})" if clarifying else ""
    given = plain("🎤 ") + speaker + plain(f", you have the floor{about}.")
    return given + plain(" Next: ") + following + plain(", get ready.") if following else given


def point_of_process(facilitators: list[Text], name: str, about: str | None) -> Text:
    said = f": “{about}”" if about else ""
    return join(facilitators, ", ") + plain(f": {name} has a point of process{said}. It goes ahead of everyone.")


def wrap_up(speaker: Text) -> Text:
    return speaker + plain(", could you start wrapping up? Thank you! Others are waiting to speak.")


def facilitator_left(name: str, others: list[Text]) -> Text:
    """A facilitator left the room mid-meeting: who runs it now."""
    if not others:
        return plain(f"{name} has left the room, so the room's moderators facilitate the meeting now.")
    return plain(f"{name} has left the room; ") + join(others, ", ") + plain(" facilitate the meeting now.")


def left_the_meeting(name: str) -> str:
    """For the minutes: someone who was taking part left the room."""
    return f"{name} left the room, and so the meeting."


def board_link(url: str) -> Text:
    return (plain("📽️ The live board of this meeting, for a projector (no Matrix account needed; it stops working "
                  "when the meeting ends): ") + Text(url, f'<a href="{escape(url)}">{escape(url)}</a>'))


def speaker(person: Person) -> Text:
    """Who has the floor: a pill that tells a member, or a name in bold for someone with no account."""
    return pill(person.user_id, person.name) if person.user_id else bold(person.name)
