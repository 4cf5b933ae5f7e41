"""Following the rooms: sync, catch up after downtime, and hand every event to the dispatcher.

Three promises are kept here:
- exactly once: what each event leads to is committed in the same transaction as its "handled"
  mark, and the sync position is saved after the batch, so a crash anywhere replays only what was
  not finished;
- never from before joining: in a room it has just joined, the bot ignores everything before its
  own join, and on its very first start it acts on no history at all;
- nothing missed: a sync that skipped events (a gap after downtime) is filled from /messages.
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
    MessageDirection,
    RoomMemberEvent,
    RoomMessagesResponse,
    SyncResponse,
)

from scorebot.config import ConnectionConfig
from scorebot.dispatch import Dispatcher
from scorebot.domain.rooms import Roles, RoomKind, RoomView
from scorebot.domain.signals import Invite, Signal
from scorebot.health import Metrics
from scorebot.matrix.cross_signing import DeviceTrust
from scorebot.matrix.events import (
    event_report_signal,
    invite_signal,
    to_signal,
    user_report_signal,
    withheld_signal,
)
from scorebot.matrix.executor import IN_FLIGHT, Executor
from scorebot.matrix.late_keys import LateKeys
from scorebot.matrix.room_views import RoomViews
from scorebot.matrix.session import keep_keys, request_sync
from scorebot.store import Store

log = logging.getLogger(__name__)

_GAP_PAGE = 100
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
        self._invites: dict[str, Invite] = {}  # invites not judged yet (see `_handle_invites`)

    async def first_sync(self, token: str | None, answer: SyncResponse) -> None:
        """The first sync since `token` (asked for with full state: nio keeps no room state across
        restarts), and what was missed since."""
        self.executor.rooms_known.set()  # nio knows the rooms now: answers go out during the catch-up
        if token is None:
            # The very first start: remember where now is, act on none of the history.
            for room_id, info in answer.rooms.join.items():
                self.rooms.update(room_id, info.state + info.timeline.events)
                await self.store.run(self.store.room_joined, room_id, _last_timestamp(info.timeline.events))
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
        # A room whose new events are all the bot's own answers (most syncs while it is busy
        # answering) has nothing to act on, and needs no look at when the bot joined it.
        news = {room_id: info for room_id, info in answer.rooms.join.items() if _has_news(info, self.client.user_id)}
        joined_times = await self.store.run(self.store.joined_times, list(news)) if news else {}
        fetching = asyncio.Semaphore(IN_FLIGHT)  # as many requests at once as the outbox makes

        async def timeline(room_id: str, info) -> list[tuple[str, Event]]:
            events = list(info.timeline.events)
            # The gap reaches back to our last position, so it also holds the bot's own join when
            # the bot stopped before it saw that join: what came after the join is acted on, what
            # came before is not.
            if info.timeline.limited and since and info.timeline.prev_batch:
                async with fetching:
                    events = await self._fill_gap(room_id, info.timeline.prev_batch, since) + events
            return [(room_id, event) for event in await self._after_own_join(room_id, events,
                                                                               joined_times.get(room_id))]

        # The rooms' gaps are fetched side by side, and the events of all rooms are handled in the order
        # they were sent (each room's in its own order): after downtime every room gets its first
        # answers early, and the outbox sends to all of them side by side.
        rooms = await asyncio.gather(*(timeline(room_id, info) for room_id, info in news.items()))
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
                if isinstance(event, RoomMemberEvent) and event.state_key == self.client.user_id:
                    await self.handle_event(room_id, event, views, roles)
            self.client.rooms.pop(room_id, None)
            self.rooms.forget(room_id)
        await keep_keys(self.client)
        # Saved after what this sync led to (the store's thread keeps the order), without waiting.
        self.store.later(self.store.set_sync_token, answer.next_batch)
        await self._notify_synced()

    async def _notify_synced(self) -> None:
        self.metrics.synced()
        async with self._synced:
            self._synced.notify_all()

    async def _fill_gap(self, room_id: str, prev_batch: str, since: str) -> list[Event]:
        """The events a limited sync left out, oldest first, fetched back to our last position."""
        missed: list[Event] = []
        start = prev_batch
        while start:
            answer = await self.client.room_messages(room_id, start=start, end=since,
                                                     direction=MessageDirection.back, limit=_GAP_PAGE)
            if not isinstance(answer, RoomMessagesResponse):
                log.warning("Could not fetch missed events in %s: %s", room_id, answer.message)
                break
            missed.extend(answer.chunk)
            if not answer.chunk or not answer.end or answer.end == start:
                break
            start = answer.end
        if missed:
            log.info("Caught up %d missed events in %s", len(missed), room_id)
        return list(reversed(missed))

    async def _after_own_join(self, room_id: str, events: list[Event], known: int | None) -> list[Event]:
        """Drop what came before the bot's own join: history it was never asked to act on."""
        me = self.client.user_id
        joined_at = None
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if (isinstance(event, RoomMemberEvent) and event.state_key == me
                    and event.membership == "join" and event.prev_membership != "join"):
                joined_at = event.server_timestamp
                events = events[index + 1:]
                break
        if joined_at is not None:
            await self.store.run(self.store.room_joined, room_id, joined_at)
            return events
        if known is None:
            await self.store.run(self.store.room_joined, room_id, _last_timestamp(events))
            return []
        return [event for event in events if event.server_timestamp >= known]

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
        if getattr(event, "sender", None) == self.client.user_id and not isinstance(event, RoomMemberEvent):
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
            room = self.rooms.where_is(report.get("target_user_id"))
            signal = user_report_signal(report, room) if room else None
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


def _has_news(info, me: str) -> bool:
    """Whether a room's part of a sync holds anything but the bot's own messages and reactions."""
    return info.timeline.limited or any(getattr(event, "sender", None) != me or isinstance(event, RoomMemberEvent)
                                        for event in info.timeline.events)


def _last_timestamp(events: list[Event]) -> int:
    stamps = [getattr(e, "server_timestamp", 0) or 0 for e in events]
    return max(stamps, default=int(time.time() * 1000))
