"""The outbox's lanes: each action once, the most urgent first, without one stuck action holding
up the rest. No Matrix here: `Executor` (executor.py) carries out one action at a time for it.

Actions go out in order within a lane (a room, or one person's direct chat), unless a more urgent
one overtakes (see `outbox`); lanes go out side by side, up to `IN_FLIGHT` requests at once, the
most urgent first, so a removal from a hundred rooms or a catch-up over many rooms does not go one
request at a time. "Too fast" (429) from the homeserver is waited out by what its limit governs
(see `limit_of`), never counted as a failure.
An action that cannot go now (an error that may pass) is parked with a growing pause, and only its
own lane waits; after `MAX_ATTEMPTS` it is given up, logged once (see `parking`). A message for a room the bot is
not in waits for it without end: it goes out when the bot is back (see `rooms_back`; after a
restart, `_parked_before`), and a confidential one waiting longer than `undeliverable_after` is
made known (see `delivery_words`).
A refusal from the homeserver marks the action failed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from scorebot.domain.actions import Action, Edit
from scorebot.health import Metrics
from scorebot.matrix.gate import EditSpacing, Gate, limit_of
from scorebot.matrix.outbox import Refused, TooFast, coalesce, lane_of, urgency_of
from scorebot.matrix.parking import Parking, _now_ms
from scorebot.store import PendingAction, Store

log = logging.getLogger(__name__)


IN_FLIGHT = 8  # requests at once, across lanes: well within a homeserver's rate limits for a bot


class Lanes(Parking):
    """The outbox's order and retries; `_carry_out` and `_in_room` are the Matrix side's."""

    def __init__(self, store: Store, igo_room: str | None = None, moderators_room: str | None = None,
                 metrics: Metrics | None = None, undeliverable_after: float = 3600.0):
        self.store = store
        self.igo_room = igo_room
        self.moderators_room = moderators_room  # told, with the IGO room, of what could not be done
        self.metrics = metrics or Metrics()
        self.undeliverable_after_ms = int(undeliverable_after * 1000)
        self._wake = asyncio.Event()
        self._instance = ""
        self.gate = Gate(IN_FLIGHT)
        self._news: dict[str, int] = {}  # lanes running, and the most urgent action decided for each since
        self._at_gate: dict[str, tuple[int, asyncio.Event]] = {}  # lanes waiting at the gate: urgency, give way
        self._lost: dict[str, set[int]] = {}  # rooms the bot is not in: the actions waiting for each
        self._lanes: dict[str, asyncio.Task] = {}  # the lanes being carried out now
        self._read: dict[int, Action] = {}  # the waiting actions already read, by ID (see `pending_rows`)
        self._marking: set[int] = set()  # carried out; their "done" mark is on its way to the store
        self._edited = EditSpacing()
        # Set once the first sync has given nio the rooms: the outbox starts then, while the
        # rest of that sync (a catch-up after downtime) is still being handled.
        self.rooms_known = asyncio.Event()

    async def _carry_out(self, action_id: int, action: Action) -> str | None:
        raise NotImplementedError

    def _in_room(self, room_id: str) -> bool:
        raise NotImplementedError

    def wake(self, actions: Iterable[Action] | None = None) -> None:
        """Look at the outbox again, for new `actions` or (None) for anything. New actions for
        lanes that are running need no look now: each lane looks again when it is done."""
        if actions is not None:
            for action in actions:
                lane, urgency = lane_of(action), self._urgency(action)
                if lane in self._lanes:
                    self._news[lane] = min(self._news.get(lane, urgency), urgency)
                    if (waiting := self._at_gate.get(lane)) and urgency < waiting[0]:
                        waiting[1].set()  # the lane's action waiting at the gate gives way
            if all(lane_of(action) in self._lanes for action in actions):
                return
        self._wake.set()

    def _urgency(self, action: Action) -> int:
        return urgency_of(action, (self.igo_room, self.moderators_room))

    async def rooms_back(self, room_ids: Iterable[str]) -> None:
        """The bot is in these rooms (again): what waited for them goes now, in its order."""
        waiting = [action_id for room_id in room_ids if self._in_room(room_id)
                   for action_id in self._lost.pop(room_id, ())]
        if waiting:
            await self.store.run(self.store.actions_due_now, waiting)
            self.wake()

    async def _parked_before(self) -> None:
        """At a start, which rooms were lost is not known (it is kept while the bot runs): what was
        parked for a room goes now if the bot is in that room, else as soon as it is (`rooms_back`),
        not at its next try, minutes away after many tries. Kept in `_read`: read once."""
        now = _now_ms()
        rows = await self.store.run(self.store.pending_rows, self._read)
        self._read = {row.id: row.action for row in rows}
        for row in rows:
            if row.next_try_at > now and (room_id := getattr(row.action, "room_id", None)):
                self._lost.setdefault(room_id, set()).add(row.id)
        await self.rooms_back(list(self._lost))

    async def run_forever(self) -> None:
        """Start each lane that has something due as its own task, without waiting for the others:
        an action that takes long (a room being made, a slow homeserver) keeps only its own lane
        waiting, and new work for other rooms goes out at once."""
        self._instance = await self.store.run(self.store.instance_id)
        await self.rooms_known.wait()
        await self._parked_before()
        try:
            while True:
                self._wake.clear()
                next_due = await self._start_lanes()
                pause = None if next_due is None else max(0.0, (next_due - _now_ms()) / 1000)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)
        finally:
            # Stopping: the lanes stop with the outbox, before the client closes under them. An
            # action cut off mid-request goes out again at the next start, under the same
            # transaction ID, as after a crash.
            lanes = list(self._lanes.values())
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)

    async def drain(self) -> int | None:
        """Carry out every action that is due now and wait for it (for tests and one-off use);
        return when the next parked one is due, if any."""
        next_due = await self._start_lanes()
        dues = await asyncio.gather(*self._lanes.values())
        await self.store.run(lambda: None)  # every mark asked for before is written
        return min((due for due in [next_due, *dues] if due is not None), default=None)

    async def _start_lanes(self) -> int | None:
        """A task for each lane with something due that has none running; when the earliest parked
        action of the others is due."""
        now = _now_ms()
        lanes: dict[str, list[PendingAction]] = {}
        rows = [row for row in await self.store.run(self.store.pending_rows, self._read)
                if row.id not in self._marking]
        self._read = {row.id: row.action for row in rows}
        for row in rows:
            lanes.setdefault(lane_of(row.action), []).append(row)
        next_due = None
        for lane, rows in lanes.items():
            if lane in self._lanes:
                continue  # already going: it reads its new actions when it is done
            keep, dropped = coalesce([(row.id, row.action) for row in rows])
            if dropped:  # board edits made pointless by a newer one, ✅s repeating one waiting
                await self.store.run(lambda ids=dropped: [self.store.action_done(i) for i in ids])
                rows = [row for row in rows if row.id in set(keep)]
            rows.sort(key=lambda row: (self._urgency(row.action), row.id))
            # A board edit waiting only to be spaced holds up nothing: the first other row decides.
            first = next((row for row in rows if row.next_try_at <= now or not _only_spaced(row)), None)
            if first is None or first.next_try_at > now:
                soonest = min(row.next_try_at for row in rows)
                next_due = min(next_due or soonest, soonest)
                continue
            task = asyncio.create_task(self._drain_lane(lane, rows, now), name=f"lane {lane}")
            self._lanes[lane] = task
            self._news.pop(lane, None)
            task.add_done_callback(lambda _task, lane=lane: self._lane_ended(lane))
        return next_due

    def _lane_ended(self, lane: str) -> None:
        self._lanes.pop(lane, None)
        self._at_gate.pop(lane, None)
        self.wake()  # what came for this lane meanwhile, or its parked action, is looked at again

    async def _drain_lane(self, lane: str, rows: list[PendingAction], now: int) -> int | None:
        """One lane, in order; a parked action holds up what follows it here. Returns its next try.
        A more urgent action decided for this lane meanwhile ends it early: it is read again, and
        the urgent one goes first."""
        spaced: int | None = None  # the next spaced edit's time: it holds up nothing behind it
        for row in rows:
            if row.next_try_at > now:
                if _only_spaced(row):
                    spaced = min(spaced or row.next_try_at, row.next_try_at)
                    continue
                return min(spaced or row.next_try_at, row.next_try_at)
            urgency = self._urgency(row.action)
            if self._news.get(lane, urgency) < urgency:
                return None
            if isinstance(row.action, Edit) and (later := self._edited.wait(row.action.key, self.gate.careful)):
                # A board edit waiting to be spaced holds up no ✅ or answer after it in this room.
                await self.store.run(self.store.action_parked, row.id, row.attempts, later, "edited just before")
                spaced = min(spaced or later, later)
                continue
            while True:
                self._at_gate[lane] = (urgency, give_way := asyncio.Event())
                async with self.gate.slot(urgency, give_way, limit_of(row.action)) as granted:
                    self._at_gate.pop(lane, None)
                    if not granted:
                        return None  # something more urgent came for this lane: read it again
                    try:
                        retry_at = await self._attempt(row)
                        break
                    except TooFast as too_fast:
                        self.gate.too_fast(too_fast.seconds, limit_of(row.action))
            if retry_at is not None:
                return min(spaced or retry_at, retry_at)
        return spaced

    async def _attempt(self, row: PendingAction) -> int | None:
        """Carry out one action and record how it went; the time of its next try if it was parked."""
        try:
            result = await self._carry_out(row.id, row.action)
        except Refused as error:
            log.warning("The homeserver refused %s #%d: %s", type(row.action).__name__, row.id, error)
            await self._failed(row, str(error))
            return None
        except TooFast:
            self.metrics.actions.labels(outcome="rate limited").inc()
            raise
        except Exception as error:  # one action's trouble must never stop the others
            return await self._park(row, error)
        # The lane goes on without waiting for this mark: the store keeps the order of what it is
        # asked, so a later look at the outbox, or at a remembered message, sees it. A look asked
        # for before it may still list the action: `_marking` keeps it from going out twice.
        self._marking.add(row.id)
        marked = self.store.later(self._done, row.id, row.action, result)
        marked.add_done_callback(lambda _marked: self._marking.discard(row.id))
        self.metrics.actions.labels(outcome="sent").inc()
        return None

    def _done(self, action_id: int, action: Action, event_id: str | None) -> None:
        self.store.action_done(action_id, event_id)
        remember = getattr(action, "remember", None)
        if remember and event_id:
            room_id = getattr(action, "room_id", None) or self.store.direct_chat(action.user_id)
            self.store.remember(remember, room_id, event_id)


def _only_spaced(row: PendingAction) -> bool:
    """An edit parked only to space it from the last edit of its message, never for a failure."""
    return isinstance(row.action, Edit) and row.attempts == 0
