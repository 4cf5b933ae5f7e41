"""The bot's life on a homeserver: log in, catch up, follow the rooms, act, and keep going.

Three promises are kept here:
- exactly once: each event is handled in one transaction with its "handled" mark, and the sync
  position is saved after the batch, so a crash anywhere replays only what was not finished;
- never from before joining: in a room it has just joined, the bot ignores everything before its
  own join, and on its very first start it acts on no history at all;
- nothing missed: a sync that skipped events (a gap after downtime) is filled from /messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import signal as os_signal
import time

import aiohttp
from nio import (
    AsyncClient,
    Event,
    InviteMemberEvent,
    MegolmEvent,
    MessageDirection,
    RoomMemberEvent,
    RoomMessagesResponse,
    SyncResponse,
)

from scorebot.config import Config
from scorebot.dispatch import Dispatcher, Feature
from scorebot.domain.actions import Join
from scorebot.domain.reports import MODERATED_BY
from scorebot.domain.rooms import Roles, RoomKind, RoomView
from scorebot.domain.signals import Invite
from scorebot.matrix.cross_signing import CrossSigning, DeviceTrust
from scorebot.matrix.events import event_report_signal, to_signal, user_report_signal, withheld_signal
from scorebot.matrix.executor import Executor
from scorebot.matrix.late_keys import LateKeys
from scorebot.matrix.report_reader import NotAdmin, NotOffered, reports_since
from scorebot.matrix.session import connect, keep_keys
from scorebot.store import Store

log = logging.getLogger(__name__)

SYNC_FILTER = {
    "presence": {"types": []},
    "account_data": {"types": []},
    "room": {"timeline": {"limit": 50}, "ephemeral": {"types": []}},
}
_GAP_PAGE = 100
_KEPT_STATE = ("m.room.create", "m.room.power_levels", "m.room.join_rules", MODERATED_BY)


class Runtime:
    def __init__(self, config: Config, features: list[Feature]):
        self.config = config
        self.features = features
        self.store = Store(config.database_url)
        self.client: AsyncClient | None = None
        self.dispatcher: Dispatcher | None = None
        self.executor: Executor | None = None
        self.trust: DeviceTrust | None = None
        self.late_keys: LateKeys | None = None
        self._synced = asyncio.Condition()
        self._room_kinds: dict[str, RoomKind] = {}
        self._state: dict[str, dict[str, dict]] = {}  # room -> event type -> content
        self._invites: dict[str, Invite] = {}  # invites not judged yet (see `_handle_invites`)
        self._stopping = asyncio.Event()
        self.ready = asyncio.Event()

    # -- start and stop ---------------------------------------------------------------------

    async def run(self) -> None:
        """Run until SIGINT or SIGTERM (or `stop()`), then close cleanly."""
        loop = asyncio.get_running_loop()
        for sig in (os_signal.SIGINT, os_signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        applied = await self.store.run(self.store.open)
        for step in applied:
            log.info("Database upgraded to schema %d: %s", step.version, step.description)
        try:
            self.client = await connect(self.config)
            await CrossSigning(self.config.homeserver, self.client.user_id, self.client.device_id,
                               self.client.access_token, self.config.password).ensure(
                self.config.data_path, self.config.cross_signing.reset)
            self._lift_blacklist()
            self.trust = DeviceTrust(self.config.homeserver, self.client.access_token)
            self.late_keys = LateKeys(self.client, self.store, self.config.connection.key_wait)
            await self._resolve_rooms()
            self.dispatcher = Dispatcher(self.store, self.features, self.client.user_id,
                                         self.config.command_prefix, self._room_kinds)
            rooms = {kind: room for room, kind in self._room_kinds.items()}
            self.executor = Executor(self.client, self.store, self._synced, self.trust, rooms.get(RoomKind.IGO),
                                     rooms.get(RoomKind.MODERATORS))
            await self.store.run(self.dispatcher.start)
            await self._first_sync()
            await self._join_configured_rooms()
            tasks = [asyncio.create_task(self._sync_forever(), name="sync"),
                     asyncio.create_task(self.executor.run_forever(), name="outbox"),
                     asyncio.create_task(self._timers(), name="timers"),
                     asyncio.create_task(self._report_button(), name="reports")]
            self.executor.wake()
            log.info("scorebot is ready as %s (device %s)", self.client.user_id, self.client.device_id)
            self.ready.set()
            stopper = asyncio.create_task(self._stopping.wait())
            running = {*tasks, stopper}
            try:
                # A task that ends cleanly (the report reader, for a bot that is no server admin)
                # just ends; a stop request or a task that fails ends the bot.
                while stopper in running:
                    done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        if task is not stopper and task.exception():
                            raise task.exception()
            finally:
                for task in running:
                    task.cancel()
        finally:
            if self.trust:
                await self.trust.close()
            if self.client:
                await self.client.close()
            self.store.close()
            log.info("scorebot stopped")

    def stop(self) -> None:
        self._stopping.set()

    async def _resolve_rooms(self) -> None:
        rooms = self.config.rooms
        wanted = [(ref, RoomKind.ORGANIZING) for ref in rooms.organizing]
        wanted += [(rooms.moderators, RoomKind.MODERATORS), (rooms.igo, RoomKind.IGO),
                   (rooms.steering, RoomKind.STEERING)]
        for ref, kind in wanted:
            if not ref:
                continue
            room_id = ref
            if ref.startswith("#"):
                answer = await self.client.room_resolve_alias(ref)
                if not hasattr(answer, "room_id"):
                    log.error("rooms: cannot find the room %s (%s); skipping it", ref, answer.message)
                    continue
                room_id = answer.room_id
            self._room_kinds[room_id] = kind

    async def _join_configured_rooms(self) -> None:
        for room_id in self._room_kinds:
            if room_id not in self.client.rooms:
                await self.store.run(self.store.enqueue, [Join(room_id)])

    # -- syncing ----------------------------------------------------------------------------

    async def _first_sync(self) -> None:
        """Full state (nio keeps no room state across restarts), and what was missed since."""
        token = await self.store.run(self.store.sync_token)
        answer = await self._sync(since=token, full_state=True, timeout=0)
        if token is None:
            # The very first start: remember where now is, act on none of the history.
            for room_id, info in answer.rooms.join.items():
                self._update_state(room_id, info.state + info.timeline.events)
                await self.store.run(self.store.room_joined, room_id, _last_timestamp(info.timeline.events))
            await self._handle_invites(answer)
            await self.store.run(self.store.set_sync_token, answer.next_batch)
            await self._notify_synced()
            return
        await self._handle(answer, since=token)

    async def _sync_forever(self) -> None:
        timeout_ms = int(self.config.connection.sync_timeout * 1000)
        while True:
            since = self.client.next_batch
            answer = await self._sync(since=since, timeout=timeout_ms)
            await self._handle(answer, since=since)

    async def _sync(self, since: str | None, timeout: int, full_state: bool = False) -> SyncResponse:
        """One sync; waits out errors with a growing pause (nio already retries lost connections)."""
        pause = 1.0
        while True:
            answer = await self.client.sync(timeout=timeout, since=since, full_state=full_state,
                                            sync_filter=SYNC_FILTER)
            if isinstance(answer, SyncResponse):
                if pause > 1.0:
                    log.info("The homeserver answers again")
                return answer
            log.warning("Sync failed (%s: %s); trying again in %.0f s",
                        answer.status_code, answer.message, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.config.connection.max_retry_wait)

    async def _handle(self, answer: SyncResponse, since: str | None) -> None:
        if self.trust:
            self.trust.forget(answer.device_list.changed)
        await self._handle_invites(answer)
        # Every room's state first: a vote in one room is judged by power levels in another.
        for room_id, info in answer.rooms.join.items():
            self._update_state(room_id, info.state + info.timeline.events)
        # nio has applied the whole response already: rooms and roles are the same for every event.
        views = self._views()
        roles = self._roles(views)
        for room_id, info in answer.rooms.join.items():
            events = list(info.timeline.events)
            known = await self.store.run(self.store.joined_at, room_id)
            if info.timeline.limited and since and info.timeline.prev_batch and known is not None:
                events = await self._fill_gap(room_id, info.timeline.prev_batch, since) + events
            for event in await self._after_own_join(room_id, events, known):
                await self._handle_event(room_id, event, views, roles)
        for event in answer.to_device_events:
            withheld = withheld_signal(event, int(time.time() * 1000))
            if withheld is not None:
                await self._dispatch(withheld, views, roles)
        await self.late_keys.retry(lambda room_id, event: self._handle_event(room_id, event, views, roles),
                                   lambda signal: self._dispatch(signal, views, roles))
        for room_id, info in answer.rooms.leave.items():
            for event in info.timeline.events:
                if isinstance(event, RoomMemberEvent) and event.state_key == self.client.user_id:
                    await self._handle_event(room_id, event, views, roles)
            self.client.rooms.pop(room_id, None)
            self._state.pop(room_id, None)
        await keep_keys(self.client)
        await self.store.run(self.store.set_sync_token, answer.next_batch)
        await self._notify_synced()

    async def _notify_synced(self) -> None:
        async with self._synced:
            self._synced.notify_all()

    async def _timers(self) -> None:
        """Let features act on time passing (an automatic wrap-up, reminders); forget, once an hour,
        what the bot no longer needs to remember."""
        keep_ms = int(self.config.connection.keep_handled_days * 24 * 3600 * 1000)
        pruned_at = 0
        while True:
            await asyncio.sleep(self.config.connection.timer_interval)
            now = int(time.time() * 1000)
            actions = await self.store.run(self.dispatcher.tick, now, self._roles(), self._views())
            if actions:
                self.executor.wake()
            if now - pruned_at >= 3_600_000:
                pruned_at = now
                await self.store.run(self.store.prune, now - keep_ms)

    async def _report_button(self) -> None:
        """Reports made with Matrix's own Report button, from Synapse's admin API (admins only).

        Each is handled like any event, marked by its report ID, so a restart takes none in twice.
        """
        base = f"{self.config.homeserver.rstrip('/')}/_synapse/admin/v1"
        token = self.config.reports.admin_token or self.client.access_token
        kinds = {"event_reports": "report_button_seen", "user_reports": "user_report_seen"}
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
            while kinds:
                for key, mark in list(kinds.items()):
                    seen = int(await self.store.run(self.store.setting, mark) or 0)
                    try:
                        new = await reports_since(http, f"{base}/{key}", seen, key)
                    except NotAdmin:
                        log.info("The bot's account is not a server admin: reports made with the Report "
                                 "button are not read (reports by !report, 🚩 and Element's Report dialog work "
                                 "as usual; reports.admin_token can give it an admin's token)")
                        return
                    except NotOffered:
                        kinds.pop(key)
                        continue
                    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                        log.warning("Could not read the homeserver's reports: %s", type(error).__name__)
                        continue
                    for report in new:
                        await self._take_in_report(key, report)
                        await self.store.run(self.store.set_setting, mark, str(report["id"]))
                await asyncio.sleep(self.config.reports.poll_interval)

    async def _take_in_report(self, key: str, report: dict) -> None:
        """A report on a message in an organizing room, or on a person who is in one."""
        if key == "event_reports":
            signal = event_report_signal(report)
        else:
            target = report.get("target_user_id")
            room = next((room_id for room_id, kind in self._room_kinds.items() if kind is RoomKind.ORGANIZING
                         and room_id in self.client.rooms and target in self.client.rooms[room_id].users), None)
            signal = user_report_signal(report, room) if room else None
        if signal is not None and self._room_kinds.get(signal.room_id) is RoomKind.ORGANIZING:
            views = self._views()
            await self._dispatch(signal, views, self._roles(views))

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

    async def _handle_event(self, room_id: str, event: Event, views: dict[str, RoomView], roles: Roles) -> None:
        if getattr(event, "sender", None) == self.client.user_id and not isinstance(event, RoomMemberEvent):
            return
        if isinstance(event, MegolmEvent):
            await self.late_keys.keep(room_id, event)
            return
        signal = to_signal(event, room_id, self.client.user_id)
        if signal is None:
            return
        view = views.get(room_id) or self._view(room_id)
        if not await self._from_verified_session(event, view.encrypted):
            signal = dataclasses.replace(signal, unsigned_device=True)
        await self._dispatch(signal, views, roles, view)

    async def _dispatch(self, signal, views: dict[str, RoomView], roles: Roles, view: RoomView | None = None) -> None:
        view = view or views.get(signal.room_id) or self._view(signal.room_id)
        actions = await self.store.run(self.dispatcher.handle, signal, view, roles, views)
        if actions:
            self.executor.wake()

    async def _handle_invites(self, answer: SyncResponse) -> None:
        """Judge invites: configured rooms, and direct chats from members of the organization.

        An invite from someone not known as a member waits while the bot has not joined every
        configured room yet (at its very first start it may be invited everywhere at once), and is
        judged again after each sync until then."""
        for room_id, info in answer.rooms.invite.items():
            invite = next((e for e in info.invite_state if isinstance(e, InviteMemberEvent)
                           and e.state_key == self.client.user_id and e.membership == "invite"), None)
            if invite is not None:
                is_direct = bool((invite.content or {}).get("is_direct"))
                self._invites[room_id] = Invite(room_id, invite.sender, is_direct)
        if not self._invites:
            return
        members = self._organization_members()
        settled = all(room_id in self.client.rooms for room_id in self._room_kinds)
        for room_id, invite in list(self._invites.items()):
            if room_id not in self.client.invited_rooms:
                self._invites.pop(room_id)  # joined, declined or taken back meanwhile
                continue
            if not (settled or room_id in self._room_kinds or invite.inviter in members):
                continue
            self._invites.pop(room_id)
            actions = await self.store.run(self.dispatcher.on_invite, invite, set(self._room_kinds), members)
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

    def _lift_blacklist(self) -> None:
        """The bot blacklists a device only for the length of one send (see the executor); a crash
        in between must not leave it out of every other room."""
        for devices in self.client.device_store.values():
            for device in devices.values():
                if device.blacklisted:
                    self.client.unblacklist_device(device)

    # -- what the bot knows of its rooms ------------------------------------------------------

    def _update_state(self, room_id: str, events: list[Event]) -> None:
        for event in events:
            source = getattr(event, "source", None) or {}
            if source.get("type") in _KEPT_STATE and source.get("state_key") == "":
                self._state.setdefault(room_id, {})[source["type"]] = source

    def _view(self, room_id: str) -> RoomView:
        room = self.client.rooms.get(room_id)
        state = self._state.get(room_id, {})
        members, invited = {}, frozenset()
        if room is not None:
            members = {user_id: user.display_name or user_id for user_id, user in room.users.items()
                       if user_id not in room.invited_users}
            invited = frozenset(room.invited_users)
        levels = state.get("m.room.power_levels", {}).get("content")
        return RoomView.from_state(
            room_id, self._room_kinds.get(room_id, RoomKind.OTHER), state.get("m.room.create"), levels,
            members=members, invited=invited, encrypted=bool(room and room.encrypted),
            join_rule=str((state.get("m.room.join_rules", {}).get("content") or {}).get("join_rule", "invite")),
            moderation_bot=(state.get(MODERATED_BY, {}).get("content") or {}).get("user_id"),
            name=room.display_name if room else None,
        )

    def _views(self) -> dict[str, RoomView]:
        """How the bot sees each configured room it is in."""
        return {room_id: self._view(room_id) for room_id in self._room_kinds if room_id in self.client.rooms}

    def _joined(self, kind: RoomKind) -> set[str]:
        members: set[str] = set()
        for room_id, room_kind in self._room_kinds.items():
            room = self.client.rooms.get(room_id)
            if room_kind is kind and room is not None:
                members.update(u for u in room.users if u not in room.invited_users)
        members.discard(self.client.user_id)
        return members

    def _roles(self, views: dict[str, RoomView] | None = None) -> Roles:
        """Roles as the organization's configured rooms give them (see `Roles`)."""
        roles = self.config.roles
        views = self._views() if views is None else views
        return Roles.of_organization(views.values(), self.client.user_id, roles.moderator_level,
                                     roles.moderators, roles.igos)

    def _organization_members(self) -> set[str]:
        """Who may open a direct chat with the bot: anyone in one of the configured rooms."""
        return self._joined(RoomKind.ORGANIZING) | self._joined(RoomKind.MODERATORS) | self._joined(RoomKind.IGO)


def _last_timestamp(events: list[Event]) -> int:
    stamps = [getattr(e, "server_timestamp", 0) or 0 for e in events]
    return max(stamps, default=int(time.time() * 1000))
