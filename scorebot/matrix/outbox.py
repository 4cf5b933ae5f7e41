"""What goes out first, and in which lane: the outbox's order, without any Matrix in it (how fast
is `gate.py`).

A homeserver limits how fast the bot may send (Synapse: 0.2 messages a second after a burst of 10,
unless an admin exempts the bot). So the outbox treats that limit as the normal case:
- each action has an urgency (`urgency_of`): joining first, then confidential deliveries and
  enforcement, then answers, and last what only confirms or refreshes (a ✅, a board edit);
- within a lane (a room, one person's direct chat) actions keep their order unless a more urgent
  one overtakes them; a lane's board edits for one message coalesce to the newest (`coalesce`);
- across lanes, the `Gate` (`gate.py`) lets the most urgent waiting action go first, and after the
  homeserver said "too fast" it waits as told and then sends one at a time for a while; edits of
  one message are spaced (`EditSpacing`), so that a storm's edits coalesce.
The exceptions say how one action went: `Refused`, `NotYet`, `NotInRoom`, `TooFast`.
"""

from __future__ import annotations

from collections.abc import Iterable

from scorebot.domain.actions import (
    Action,
    Ban,
    CreateRoom,
    Edit,
    Invite,
    Join,
    Kick,
    Leave,
    React,
    Redact,
    Send,
    SendDirect,
    SetInviteLevel,
    SetState,
    Unban,
)

JOINING, CONFIDENTIAL, ANSWER, CONFIRMATION = 0, 1, 2, 3


class Refused(Exception):
    """The homeserver said no; trying again would not help."""


class NotYet(Exception):
    """Something needed is not there yet (a new room not synced); try again later."""


class NotInRoom(NotYet):
    """The bot is not in the room (yet, or any more): wait for it, without giving up."""


class TooFast(Exception):
    """The homeserver's rate limit (429): wait `seconds`, then try again; not a failure."""

    def __init__(self, seconds: float):
        super().__init__(f"rate limited for {seconds:.1f} s")
        self.seconds = seconds


def lane_of(action: Action) -> str:
    """Actions in one lane go out in the order they were decided; lanes do not wait for each other.
    Joining and leaving have a lane of their own: a join never waits behind messages parked
    for the room it would let them into."""
    match action:
        case SendDirect():
            return f"direct:{action.user_id}"
        case CreateRoom():
            return f"create:{action.remember}"
        case Send() | Invite() | Kick() if action.room_key:
            return f"create:{action.room_key}"  # after the room it goes to is made, in order there
        case Join() | Leave():
            return f"membership:{action.room_id}"
    return getattr(action, "room_id", "")


def urgency_of(action: Action, confidential_rooms: Iterable[str | None] = ()) -> int:
    """Lower goes first. Confidential deliveries (reports and cases to the IGO room, words in a
    direct chat: answers to reporters, warnings, ballots) and enforcement (a brigading lockdown
    among it) come before answers; a ✅, a board edit or a room setting no one waits for comes last."""
    match action:
        case Join() | Leave():
            return JOINING
        case Kick() if action.room_key:  # out of a room made for the other officers: before any word
            return JOINING               # waiting for it, so none is encrypted for them
        case SetState() if action.event_type != "m.room.join_rules":
            return CONFIRMATION  # a setting the bot keeps (being the room's moderation bot): no one waits
        case (SendDirect() | Kick() | Invite() | Ban() | Unban() | Redact() | CreateRoom() | SetInviteLevel()
              | SetState()):
            return CONFIDENTIAL
        case Send() if action.room_key or action.room_id in set(confidential_rooms):
            return CONFIDENTIAL
        case Edit() | React():
            return CONFIRMATION
    return ANSWER


def coalesce(actions: list[tuple[int, Action]]) -> tuple[list[int], list[int]]:
    """One lane's waiting actions, oldest first: (the IDs to carry out, the IDs made pointless).
    Only the newest edit of each message is worth sending: it holds the whole newest state. A
    second ✅ on the same message (many members raised a hand on it) would only be refused."""
    newest: dict[str, int] = {}
    for action_id, action in actions:
        if isinstance(action, Edit):
            newest[action.key] = action_id
    keep, dropped, reacted = [], [], set()
    for action_id, action in actions:
        if isinstance(action, Edit) and newest[action.key] != action_id:
            dropped.append(action_id)
            continue
        if isinstance(action, React) and action.remember is None:
            same = (action.event_id, action.target_key, action.emoji)
            if same in reacted:
                dropped.append(action_id)
                continue
            reacted.add(same)
        keep.append(action_id)
    return keep, dropped
