"""Following the rooms: sync, catch up after downtime, and hand every event to the dispatcher.

Three promises are kept:
- exactly once: what each event leads to is committed in the same transaction as its "handled"
  mark, and the sync position is saved after the batch, so a crash anywhere replays only what was
  not finished;
- never from before joining: on its very first start the bot acts on no history at all, and in a
  room it has just joined it ignores everything before its own join (see `timelines`);
- nothing missed: a sync that skipped events (a gap after downtime) is filled from /messages
  (see `timelines`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import logging
import time
from collections.abc import Iterable

from nio import (
    AsyncClient,
    Event,
    MegolmEvent,
    SyncResponse,
)

from scorebot.config import ConnectionConfig
from scorebot.dispatch import Dispatcher
from scorebot.domain.rooms import Roles, RoomKind, RoomView
from scorebot.domain.signals import Invite, Signal
from scorebot.health import Metrics
from scorebot.matrix.device_trust import DeviceTrust
from scorebot.matrix.events import (
    event_report_signal,
    invite_signal,
    to_signal,
    user_report_signal,
    withheld_signal,
)
from scorebot.matrix.executor import Executor
from scorebot.matrix.late_keys import LateKeys
from scorebot.matrix.room_views import RoomViews
from scorebot.matrix.session import keep_keys, request_sync
from scorebot.matrix.state_events import is_own_membership
from scorebot.matrix.timelines import Timelines, by_the_bot, last_timestamp
from scorebot.store import Store

log = logging.getLogger(__name__)

_CHUNK = 32  # events decided in one transaction (see `handle_events`)


class SyncLoop:
    def __init__(self, client: AsyncClient, store: Store, dispatcher: Dispatcher, executor: Executor,
                 rooms: RoomViews, connection: ConnectionConfig, synced: asyncio.Condition,
                 trust: DeviceTrust | None = None, late_keys: LateKeys | None = None,
                 metrics: Metrics | None = None):
        self.client = client
        self.store = store
        self.dispatcher = dispatcher
        self.executor = executor
        self.rooms = rooms
        self.connection = connection
        self.trust = trust
        self.late_keys = late_keys
        self.metrics = metrics or Metrics()
        self._synced = synced  # notified after each sync, when client.rooms is fresh
        self.timelines = Timelines(client, store)
        self._invites: dict[str, Invite] = {}  # invites not judged yet (see `_handle_invites`)

    async def first_sync(self, token: str | None, answer: SyncResponse) -> None:
        """The first sync since `token` (asked for with full state: nio keeps no room state across
        restarts), and what was missed since."""
        self.executor.rooms_known.set()  # nio knows the rooms now: answers go out during the catch-up
        if token is None:
            # The very first start: remember where now is, act on none of the history.
            for room_id, info in answer.rooms.join.items():
                self.rooms.update(room_id, info.state + info.timeline.events)
                await self.store.run(self.store.room_joined, room_id, last_timestamp(info.timeline.events))
            await self._handle_invites(answer)
            await self.store.run(self.store.set_sync_token, answer.next_batch)
            await self._notify_synced()
            return
        await self.handle(answer, since=token)

    async def forever(self) -> None:
        timeout_ms = int(self.connection.sync_timeout * 1000)
        while True:
            since = self.client.next_batch
            answer = await request_sync(self.client, since, timeout_ms, self.connection.max_retry_wait)
            await self.handle(answer, since=since)

    async def handle(self, answer: SyncResponse, since: str | None) -> None:
        if self.trust:
            self.trust.forget(answer.device_list.changed)
        await self._handle_invites(answer)
        # Every room's state first: a vote in one room is judged by power levels in another.
        for room_id, info in answer.rooms.join.items():
            self.rooms.update(room_id, info.state + info.timeline.events)
        # nio has applied the whole response already: rooms and roles are the same for every event.
        views = self.rooms.views()
        roles = self.rooms.roles(views)
        # The events of all rooms are handled in the order they were sent (each room's in its own
        # order): after downtime every room gets its first answers early, and the outbox sends to
        # all of them side by side.
        rooms = await self.timelines.to_act_on(answer, since)
        await self.handle_events(heapq.merge(*rooms, key=lambda item: item[1].server_timestamp), views, roles)
        for event in answer.to_device_events:
            withheld = withheld_signal(event, int(time.time() * 1000))
            if withheld is not None:
                await self.dispatch(withheld, views, roles)
        if self.late_keys:
            await self.late_keys.retry(lambda room_id, event: self.handle_event(room_id, event, views, roles),
                                       lambda signal: self.dispatch(signal, views, roles))
        for room_id, info in answer.rooms.leave.items():
            for event in info.timeline.events:
                if is_own_membership(event, self.client.user_id):
                    await self.handle_event(room_id, event, views, roles)
            self.client.rooms.pop(room_id, None)
            self.rooms.forget(room_id)
        await keep_keys(self.client)
        await self.executor.rooms_back(answer.rooms.join)  # what waited for a room lost and joined again
        # Saved after what this sync led to (the store's thread keeps the order), without waiting.
        self.store.later(self.store.set_sync_token, answer.next_batch)
        await self._notify_synced()

    async def _notify_synced(self) -> None:
        self.metrics.synced()
        async with self._synced:
            self._synced.notify_all()

    async def handle_events(self, events: Iterable[tuple[str, Event]], views: dict[str, RoomView],
                            roles: Roles) -> None:
        """Decide on `events` in the order given, up to `_CHUNK` of them in one transaction.

        After downtime, the answers to the first chunk go out together, early, while later events
        are still being read. The homeserver copes far better with a wave of answers than with a
        trickle of them: with each answer sent a few milliseconds after the last, every client in
        those rooms syncs once per answer or two, instead of once per wave."""
        chunk: list[tuple[Signal, RoomView]] = []
        for room_id, event in events:
            decided = await self._signal_of(room_id, event, views)
            if decided is not None:
                chunk.append(decided)
            if len(chunk) == _CHUNK:
                await self._decide(chunk, views, roles)
                chunk = []
        if chunk:
            await self._decide(chunk, views, roles)

    async def handle_event(self, room_id: str, event: Event, views: dict[str, RoomView], roles: Roles) -> None:
        await self.handle_events([(room_id, event)], views, roles)

    async def _signal_of(self, room_id: str, event: Event,
                         views: dict[str, RoomView]) -> tuple[Signal, RoomView] | None:
        """What the event means to the bot, and the room as the bot sees it; None if nothing."""
        if by_the_bot(event, self.client.user_id):
            return None
        if isinstance(event, MegolmEvent):
            if self.late_keys:
                await self.late_keys.keep(room_id, event)
            return None
        signal = to_signal(event, room_id, self.client.user_id)
        if signal is None:
            return None
        view = views.get(room_id) or self.rooms.view(room_id)
        if not await self._from_verified_session(event, view.encrypted):
            signal = dataclasses.replace(signal, unsigned_device=True)
        return signal, view

    async def dispatch(self, signal: Signal, views: dict[str, RoomView], roles: Roles) -> None:
        await self._decide([(signal, views.get(signal.room_id) or self.rooms.view(signal.room_id))], views, roles)

    async def _decide(self, chunk: list[tuple[Signal, RoomView]], views: dict[str, RoomView], roles: Roles) -> None:
        started = time.perf_counter()
        actions = await self.store.run(self.dispatcher.handle_all, chunk, roles, views)
        each = (time.perf_counter() - started) / len(chunk)
        for signal, _view in chunk:
            self.metrics.handling.observe(each)
            self.metrics.events.labels(kind=type(signal).__name__).inc()
        if actions:
            self.executor.wake(actions)

    async def take_in_report(self, key: str, report: dict) -> None:
        """A report read from the homeserver (see `report_reader`): on a message in an organizing
        room, or on a person who is in one."""
        if key == "event_reports":
            signal = event_report_signal(report)
        else:
            signal = user_report_signal(report, self.rooms.where_is)
        if signal is not None and self.rooms.kinds.get(signal.room_id) is RoomKind.ORGANIZING:
            views = self.rooms.views()
            await self.dispatch(signal, views, self.rooms.roles(views))

    async def _handle_invites(self, answer: SyncResponse) -> None:
        """Judge invites: configured rooms, and direct chats from members of the organization.

        An invite from someone not known as a member waits while the bot has not joined every
        configured room yet (at its very first start it may be invited everywhere at once), and is
        judged again after each sync until then."""
        for room_id, info in answer.rooms.invite.items():
            invite = invite_signal(room_id, info.invite_state, self.client.user_id)
            if invite is not None:
                self._invites[room_id] = invite
        if not self._invites:
            return
        members = self.rooms.organization_members()
        configured = set(self.rooms.kinds)
        settled = all(room_id in self.client.rooms for room_id in configured)
        for room_id, invite in list(self._invites.items()):
            if room_id not in self.client.invited_rooms:
                self._invites.pop(room_id)  # joined, declined or taken back meanwhile
                continue
            if not (settled or room_id in configured or invite.inviter in members):
                continue
            self._invites.pop(room_id)
            actions = await self.store.run(self.dispatcher.on_invite, invite, configured, members)
            if actions:
                self.executor.wake()

    async def _from_verified_session(self, event: Event, encrypted_room: bool) -> bool:
        """Whether `event` comes from a session its owner cross-signed (MSC4153).

        An encrypted event names its device, which must be cross-signed. Element sends reactions in
        the clear even in encrypted rooms, so a ✅ or 🛑 names no device: there the sender's account
        must at least have a cross-signed session. In a room without encryption nothing is asked."""
        if self.trust is None or not (encrypted_room or getattr(event, "decrypted", False)):
            return True
        signed = (await self.trust.signed_devices([event.sender]))[event.sender]
        if not getattr(event, "decrypted", False):
            return bool(signed)
        device = self.client.device_store.device_from_sender_key(event.sender, getattr(event, "sender_key", ""))
        return device is not None and device.id in signed
