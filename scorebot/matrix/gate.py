"""How fast the outbox sends: the rate-limit gate and the spacing of edits, without any Matrix in it.

After the homeserver said "too fast" (a 429), what the limit it came from governs waits as told,
and then goes one at a time for a while (`Gate`); edits of one message are spaced, so that a
storm's board edits coalesce (`EditSpacing`, `outbox.coalesce`).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections import Counter
from collections.abc import Callable

from scorebot.domain.actions import Action, CreateRoom, Invite, Join
from scorebot.matrix.outbox import CONFIRMATION

# The homeserver's rate limits a "too fast" may come from (see `limit_of`).
EVERYTHING, JOINS, INVITES, NEW_ROOMS = "everything", "joins", "invites", "new rooms"
_CAREFUL_FOR = 60.0  # seconds of one-at-a-time sending after the homeserver said "too fast"
EDIT_SPACING_MS = 2_000  # the shortest time between two edits of one message


def limit_of(action: Action) -> str:
    """Which of the homeserver's rate limits a "too fast" on this action may come from, and so what
    it holds up. Synapse counts every event the bot makes under one limit (`rc_message`), and joins,
    invites and new rooms under their own as well (`rc_joins`, `rc_invites`, `rc_room_creation`): a
    429 on one of those may be that one alone, and holds up only its kind; a 429 on anything else
    holds up everything."""
    match action:
        case Join():
            return JOINS
        case Invite():
            return INVITES
        case CreateRoom():
            return NEW_ROOMS
    return EVERYTHING


class Gate:
    """Up to `capacity` requests at once, the most urgent waiting one first (then the oldest).

    `too_fast(seconds, limit)` is the homeserver's 429: nothing that limit governs goes until then
    (everything, or only joins, invites or new rooms: see `limit_of`), and for a while after only one of it goes at a
    time, so that what matters is not sent side by side with what does not. A confirmation never
    goes while something more urgent is under way: it would spend the rate limit's burst on what
    matters least."""

    def __init__(self, capacity: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = capacity
        self._clock = clock
        self._busy: Counter[str] = Counter()  # requests under way, by limit
        self._urgent = 0  # of those, more urgent than a confirmation
        self._waiting: list[tuple[int, int, asyncio.Future, str]] = []
        self._order = itertools.count()
        self._held_until: dict[str, float] = {}  # by limit
        self._careful_until: dict[str, float] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0

    @contextlib.asynccontextmanager
    async def slot(self, urgency: int, give_way: asyncio.Event | None = None, limit: str = EVERYTHING):
        """Yields True once granted; False, holding nothing, if `give_way` was set first (something
        more urgent came for the same lane, and must not wait behind this)."""
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (urgency, next(self._order), future, limit))
        self._grant()
        if not await self._granted(future, urgency, limit, give_way):
            yield False
            return
        try:
            yield True
        finally:
            self._release(urgency, limit)

    async def _granted(self, future: asyncio.Future, urgency: int, limit: str,
                       give_way: asyncio.Event | None) -> bool:
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
                self._release(urgency, limit)  # granted just as it was cancelled
            future.cancel()
            raise

    def too_fast(self, retry_after: float, limit: str = EVERYTHING) -> None:
        now = self._clock()
        self._held_until[limit] = max(self._held_until.get(limit, 0.0), now + retry_after)
        self._careful_until[limit] = max(self._careful_until.get(limit, 0.0), now + retry_after + _CAREFUL_FOR)

    @property
    def careful(self) -> bool:
        """Sending one at a time after a 429 that holds up everything (board edits are spaced longer)."""
        return self._careful(EVERYTHING, self._clock())

    def _careful(self, limit: str, now: float) -> bool:
        return now < self._careful_until.get(limit, 0.0)

    def _release(self, urgency: int, limit: str) -> None:
        self._busy[limit] -= 1
        self._urgent -= urgency < CONFIRMATION
        self._grant()

    def _grant(self) -> None:
        now = self._clock()
        held = {limit for limit, until in self._held_until.items() if now < until}
        room = 1 if self._careful(EVERYTHING, now) else self.capacity
        passed = []  # waiting for a limit of their own: the others go meanwhile
        while self._waiting and self._busy.total() < room and EVERYTHING not in held:
            urgency, _, future, limit = entry = heapq.heappop(self._waiting)
            if future.cancelled():
                continue
            if limit in held or (self._careful(limit, now) and self._busy[limit]):
                passed.append(entry)
                continue
            if urgency >= CONFIRMATION and self._urgent:
                passed.append(entry)
                break  # granted again when the urgent one is through
            self._busy[limit] += 1
            self._urgent += urgency < CONFIRMATION
            future.set_result(None)
        for entry in passed:
            heapq.heappush(self._waiting, entry)
        if self._waiting and held:  # look again when the first hold is over
            when = min(self._held_until[limit] for limit in held)
            if self._timer is None or when < self._timer_at:
                if self._timer is not None:
                    self._timer.cancel()
                self._timer_at = when
                self._timer = asyncio.get_running_loop().call_later(when - now, self._held_over)

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
