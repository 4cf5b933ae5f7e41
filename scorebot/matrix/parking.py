"""What the outbox does with an action that did not go: park it for a later try, or give it up.

Kept apart from the lanes' order (`lanes`) because the rules for trouble are their own: an error
that may pass parks the action with a growing pause, and after `MAX_ATTEMPTS` it is given up and
whoever waited for it is told (see `tell_about`). A message for a room the bot is not in waits for
it without end, and a confidential one waiting longer than `undeliverable_after` is made known once,
without its words (see `delivery_words`).
"""

from __future__ import annotations

import logging
import time

from scorebot.domain.actions import Send
from scorebot.domain.delivery_words import still_waiting, waiting_for
from scorebot.domain.failures import tell_about
from scorebot.matrix.outbox import CONFIDENTIAL, NotInRoom, NotYet
from scorebot.store import PendingAction

log = logging.getLogger(__name__)


MAX_ATTEMPTS = 12  # with the pauses below, about twenty minutes of trying
_FIRST_PAUSE_MS, _LONGEST_PAUSE_MS = 1_000, 300_000


def _now_ms() -> int:
    return int(time.time() * 1000)


class Parking:
    """The lanes' part about trouble; it needs `store`, `metrics`, the rooms, `_lost`, `_urgency` and `wake`."""

    async def _park(self, row: PendingAction, error: Exception) -> int | None:
        """Try it again later, with a growing pause; give up after `MAX_ATTEMPTS`. Returns the next try."""
        attempts = row.attempts + 1
        reason = f"{type(error).__name__}: {error}"
        name = type(row.action).__name__
        if isinstance(error, NotInRoom) and hasattr(row.action, "room_id"):
            return await self._park_for_room(row, attempts, reason)
        if attempts >= MAX_ATTEMPTS:
            log.warning("Giving up on %s #%d after %d attempts: %s", name, row.id, attempts, reason)
            await self._failed(row, reason)
            return None
        if not isinstance(error, NotYet):
            log.warning("%s #%d failed (%s); trying again later", name, row.id, reason, exc_info=error)
        self.metrics.actions.labels(outcome="parked").inc()
        retry_at = _now_ms() + min(_FIRST_PAUSE_MS * 2 ** row.attempts, _LONGEST_PAUSE_MS)
        await self.store.run(self.store.action_parked, row.id, attempts, retry_at, reason)
        return retry_at

    async def _park_for_room(self, row: PendingAction, attempts: int, reason: str) -> int:
        """Park a message for a room the bot is not in until it is back there (`rooms_back`);
        a confidential one waiting too long is made known once, without its words."""
        room_id = row.action.room_id
        self._lost.setdefault(room_id, set()).add(row.id)
        self.metrics.actions.labels(outcome="parked").inc()
        retry_at = _now_ms() + min(_FIRST_PAUSE_MS * 2 ** min(row.attempts, 20), _LONGEST_PAUSE_MS)
        deadline = row.created_at + self.undeliverable_after_ms
        confidential = isinstance(row.action, Send) and self._urgency(row.action) == CONFIDENTIAL
        told_key = f"undelivered:{waiting_for(row.action) or row.id}"
        if confidential and _now_ms() < deadline:
            retry_at = min(retry_at, deadline)
        elif confidential and not await self.store.run(self.store.mark, told_key):
            await self._tell_still_waiting(row, told_key)
        await self.store.run(self.store.action_parked, row.id, attempts, retry_at, reason)
        return retry_at

    async def _tell_still_waiting(self, row: PendingAction, told_key: str) -> None:
        what = waiting_for(row.action)
        number = int(what.split(":")[1]) if what.startswith("report:") else None
        log.warning("%s for %s has waited too long: the bot is not in that room", what or "A message",
                    row.action.room_id)

        def record() -> None:
            report = self.store.reports.get(number) if number is not None else None
            self.store.enqueue(still_waiting(row.action, report.reporter if report else None,
                                             self.moderators_room, self.igo_room))
            self.store.set_mark(told_key, str(_now_ms()))

        await self.store.run(record)
        self.wake()

    async def _failed(self, row: PendingAction, reason: str) -> None:
        """Record the failure, and tell whoever waited for it (see `tell_about`), in one step."""
        notices = tell_about(row.action, self.moderators_room, self.igo_room)
        self.metrics.actions.labels(outcome="failed").inc()

        def record() -> None:
            self.store.action_failed(row.id, reason)
            self.store.enqueue(notices)

        await self.store.run(record)
        if notices:
            self.wake()
