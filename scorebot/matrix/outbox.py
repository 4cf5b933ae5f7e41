"""What goes out first, in which lane, and how fast: the outbox's order, without any Matrix in it.

A homeserver limits how fast the bot may send (Synapse: 0.2 messages a second after a burst of 10,
unless an admin exempts the bot). So the outbox treats that limit as the normal case:
- each action has a priority (`priority_of`): joining first, then confidential deliveries and
  enforcement, then answers, and last what only confirms or refreshes (a ✅, a board edit);
- within a lane (a room, one person's direct chat) actions keep their order unless a more urgent
  one overtakes them; a lane's board edits for one message coalesce to the newest (`coalesce`);
- across lanes, the `Gate` lets the most urgent waiting action go first, and after the homeserver
  said "too fast" it waits as told and then sends one at a time for a while;
- edits of one message are spaced (`EditSpacing`), so that a storm's edits coalesce.
The exceptions say how one action went: `Refused`, `NotYet`, `NotInRoom`, `TooFast`.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable, Iterable

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
_CAREFUL_FOR = 60.0  # seconds of one-at-a-time sending after the homeserver said "too fast"
EDIT_SPACING_MS = 2_000  # the shortest time between two edits of one message


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


def priority_of(action: Action, confidential_rooms: Iterable[str | None] = ()) -> int:
    """Lower goes first. Confidential deliveries (reports and cases to the IGO room, words in a
    direct chat: answers to reporters, warnings, ballots) and enforcement (a brigading lockdown
    among it) come before answers; a ✅, a board edit or a room setting no one waits for comes last."""
    match action:
        case Join() | Leave():
            return JOINING
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
        same = (action.event_id, action.target_key, action.key) if isinstance(action, React) else None
        stale_edit = isinstance(action, Edit) and newest[action.key] != action_id
        repeated_reaction = same is not None and action.remember is None and same in reacted
        if stale_edit or repeated_reaction:
            dropped.append(action_id)
        else:
            reacted.add(same)
            keep.append(action_id)
    return keep, dropped


class Gate:
    """Up to `capacity` requests at once, the most urgent waiting one first (then the oldest).

    `too_fast(seconds)` is the homeserver's 429: no one goes until then, and for a while after
    only one goes at a time, so that what matters is not sent side by side with what does not.
    A confirmation never goes while something more urgent is under way: it would spend the rate
    limit's burst on what matters least."""

    def __init__(self, capacity: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = capacity
        self._clock = clock
        self._busy = 0
        self._urgent = 0  # of those, more urgent than a confirmation
        self._waiting: list[tuple[int, int, asyncio.Future]] = []
        self._order = itertools.count()
        self._held_until = 0.0
        self._careful_until = 0.0
        self._timer: asyncio.TimerHandle | None = None

    @contextlib.asynccontextmanager
    async def slot(self, priority: int, give_way: asyncio.Event | None = None):
        """Yields True once granted; False, holding nothing, if `give_way` was set first (something
        more urgent came for the same lane, and must not wait behind this)."""
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        self._grant()
        if not await self._granted(future, priority, give_way):
            yield False
            return
        try:
            yield True
        finally:
            self._release(priority)

    async def _granted(self, future: asyncio.Future, priority: int, give_way: asyncio.Event | None) -> bool:
        try:
            if give_way is not None and not future.done():
                giving = asyncio.ensure_future(give_way.wait())
                try:
                    await asyncio.wait({future, giving}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    giving.cancel()
                if not future.done():
                    future.cancel()  # left in the queue; `_grant` skips it
                    return False
            await future
            return True
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release(priority)  # granted just as it was cancelled
            future.cancel()
            raise

    def too_fast(self, retry_after: float) -> None:
        now = self._clock()
        self._held_until = max(self._held_until, now + retry_after)
        self._careful_until = max(self._careful_until, now + retry_after + _CAREFUL_FOR)

    @property
    def careful(self) -> bool:
        return self._clock() < self._careful_until

    def _release(self, priority: int) -> None:
        self._busy -= 1
        self._urgent -= priority < CONFIRMATION
        self._grant()

    def _grant(self) -> None:
        now = self._clock()
        limit = 1 if now < self._careful_until else self.capacity
        while self._waiting and self._busy < limit and now >= self._held_until:
            if self._waiting[0][0] >= CONFIRMATION and self._urgent:
                break  # granted again when the urgent one is through
            priority, _, future = heapq.heappop(self._waiting)
            if future.cancelled():
                continue
            self._busy += 1
            self._urgent += priority < CONFIRMATION
            future.set_result(None)
        if self._waiting and now < self._held_until and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._held_until - now, self._held_over)

    def _held_over(self) -> None:
        self._timer = None
        self._grant()


class EditSpacing:
    """When a message edited just before may be edited again: edits of a board in a storm of hands
    wait a moment and coalesce (see `coalesce`), so the rate limit is spent on what matters. Five
    times longer while the homeserver is saying "too fast"."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._edited: dict[str, int] = {}  # milliseconds

    def wait(self, key: str, careful: bool) -> int | None:
        """None: edit now (noted as done now); else the time, in milliseconds, to edit at."""
        now = int(self._clock() * 1000)
        later = self._edited.get(key, 0) + EDIT_SPACING_MS * (5 if careful else 1)
        if later > now:
            return later
        self._edited[key] = now
        return None
