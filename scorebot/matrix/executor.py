"""Carries out the outbox, each action once, without letting one stuck action hold up the rest.

Every send uses a transaction ID made from the outbox row, so if the bot dies after the
homeserver took a message but before the row was marked done, sending it again returns the same
event instead of a second message. A kick looks at the membership first, so no one is kicked
twice (a second ban changes nothing on the server).

Actions go out in order within a lane (a room, or one person's direct chat), so an answer never
overtakes the one before it; lanes go out side by side, up to `IN_FLIGHT` requests at once, so a
removal from a hundred rooms or a catch-up over many rooms does not go one request at a time. An
action that cannot go now (a room not joined yet, an error that may pass) is parked with a growing
pause, and only its own lane waits; after `MAX_ATTEMPTS` it is given up, logged once. A refusal
from the homeserver marks the action failed at once.

Encrypted sends go one at a time: leaving unverified devices out of a confidential room's key
(see `_exclude_unsigned_devices`) marks them for the whole client while it lasts, so no other
room's key may be shared meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable

from nio import (
    AsyncClient,
    ErrorResponse,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomPreset,
    RoomSendResponse,
)

from scorebot.domain.actions import (
    Action,
    Ban,
    CreateRoom,
    Edit,
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
from scorebot.domain.failures import tell_about
from scorebot.domain.limits import fit
from scorebot.domain.privacy import no_longer_private
from scorebot.domain.text import Text
from scorebot.health import Metrics
from scorebot.matrix.cross_signing import DeviceTrust
from scorebot.matrix.withheld_keys import withheld_keys
from scorebot.store import PendingAction, Store

log = logging.getLogger(__name__)


class Refused(Exception):
    """The homeserver said no; trying again would not help."""


class NotYet(Exception):
    """Something needed is not there yet (a new room not synced); try again later."""


MAX_ATTEMPTS = 12  # with the pauses below, about twenty minutes of trying
IN_FLIGHT = 8  # requests at once, across lanes: well within a homeserver's rate limits for a bot
_FIRST_PAUSE_MS, _LONGEST_PAUSE_MS = 1_000, 300_000


def lane_of(action: Action) -> str:
    """Actions in one lane go out in the order they were decided; lanes do not wait for each other."""
    match action:
        case SendDirect():
            return f"direct:{action.user_id}"
        case CreateRoom():
            return f"create:{action.remember}"
    return getattr(action, "room_id", "")


def _now_ms() -> int:
    return int(time.time() * 1000)


MADE_FOR = "org.scorebot.made_for"  # a marker in each room the bot creates: which action made it
ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


def notice_content(text: Text) -> dict:
    """A notice that fits one event (see `domain.limits`): a text too long is shortened, never refused."""
    text = fit(text)
    return {
        "msgtype": "m.notice",
        "body": text.plain,
        "format": "org.matrix.custom.html",
        "formatted_body": text.html,
        "m.mentions": {"user_ids": list(text.mentions)} if text.mentions else {},
    }


class Executor:
    def __init__(self, client: AsyncClient, store: Store, synced: asyncio.Condition,
                 trust: DeviceTrust | None = None, igo_room: str | None = None, moderators_room: str | None = None,
                 metrics: Metrics | None = None):
        self.client = client
        self.store = store
        # Confidential rooms (the IGO room, direct chats, a report's room) get room keys only for
        # devices their owners cross-signed, as the spec (MSC4153) and Element ask.
        self.trust = trust
        self.igo_room = igo_room
        self.moderators_room = moderators_room  # told, with the IGO room, of what could not be done
        self.metrics = metrics or Metrics()
        self._synced = synced  # notified after each sync, when client.rooms is fresh
        self._wake = asyncio.Event()
        self._instance = ""
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)
        self._lanes: dict[str, asyncio.Task] = {}  # the lanes being carried out now
        self._read: dict[int, Action] = {}  # the waiting actions already read, by ID (see `pending_rows`)
        self._marking: set[int] = set()  # carried out; their "done" mark is on its way to the store
        self._encrypting = asyncio.Lock()  # one encrypted send at a time (see the module's docstring)
        # Set once the first sync has given nio the rooms: the outbox starts then, while the
        # rest of that sync (a catch-up after downtime) is still being handled.
        self.rooms_known = asyncio.Event()

    def wake(self, actions: Iterable[Action] | None = None) -> None:
        """Look at the outbox again, for new `actions` or (None) for anything. New actions for
        lanes that are running need no look now: each lane looks again when it is done."""
        if actions is not None and all(lane_of(action) in self._lanes for action in actions):
            return
        self._wake.set()

    async def run_forever(self) -> None:
        """Start each lane that has something due as its own task, without waiting for the others:
        an action that takes long (a room being made, a slow homeserver) keeps only its own lane
        waiting, and new work for other rooms goes out at once."""
        self._instance = await self.store.run(self.store.instance_id)
        await self.rooms_known.wait()
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
            if rows[0].next_try_at > now:
                next_due = min(next_due or rows[0].next_try_at, rows[0].next_try_at)
                continue
            task = asyncio.create_task(self._drain_lane(rows, now), name=f"lane {lane}")
            self._lanes[lane] = task
            task.add_done_callback(lambda _task, lane=lane: self._lane_ended(lane))
        return next_due

    def _lane_ended(self, lane: str) -> None:
        self._lanes.pop(lane, None)
        self.wake()  # what came for this lane meanwhile, or its parked action, is looked at again

    async def _drain_lane(self, rows: list[PendingAction], now: int) -> int | None:
        """One lane, in order; a parked action holds up what follows it here. Returns its next try."""
        for row in rows:
            if row.next_try_at > now:
                return row.next_try_at
            async with self._in_flight:
                retry_at = await self._attempt(row)
            if retry_at is not None:
                return retry_at
        return None

    async def _attempt(self, row: PendingAction) -> int | None:
        """Carry out one action and record how it went; the time of its next try if it was parked."""
        try:
            result = await self._carry_out(row.id, row.action)
        except Refused as error:
            log.warning("The homeserver refused %s #%d: %s", type(row.action).__name__, row.id, error)
            await self._failed(row, str(error))
            return None
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

    async def _park(self, row: PendingAction, error: Exception) -> int | None:
        """Try it again later, with a growing pause; give up after `MAX_ATTEMPTS`. Returns the next try."""
        attempts = row.attempts + 1
        reason = f"{type(error).__name__}: {error}"
        name = type(row.action).__name__
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

    def _done(self, action_id: int, action: Action, event_id: str | None) -> None:
        self.store.action_done(action_id, event_id)
        remember = getattr(action, "remember", None)
        if remember and event_id:
            room_id = getattr(action, "room_id", None) or self.store.direct_chat(action.user_id)
            self.store.remember(remember, room_id, event_id)

    # -- one action -------------------------------------------------------------------------

    async def _carry_out(self, action_id: int, action: Action) -> str | None:
        txn = f"scorebot.{self._instance}.{action_id}"
        match action:
            case Send():
                content = notice_content(action.text)
                relation = {}
                thread_root = action.thread_root or (await self._recall(action.thread_key) if action.thread_key
                                                     else None)
                if thread_root:
                    relation = {"rel_type": "m.thread", "event_id": thread_root,
                                "is_falling_back": action.reply_to is None,
                                "m.in_reply_to": {"event_id": action.reply_to or thread_root}}
                elif action.reply_to:
                    relation = {"m.in_reply_to": {"event_id": action.reply_to}}
                if relation:
                    content["m.relates_to"] = relation
                return await self._send(action.room_id, "m.room.message", content, txn)
            case SendDirect():
                room_id = await self._direct_room(action.user_id, txn)
                content = notice_content(action.text)
                if action.reply_to and room_id == action.reply_in:
                    content["m.relates_to"] = {"m.in_reply_to": {"event_id": action.reply_to}}
                return await self._send(room_id, "m.room.message", content, txn)
            case React():
                target = action.event_id or await self._recall(action.target_key)
                content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": action.key}}
                return await self._send(action.room_id, "m.reaction", content, txn)
            case Edit():
                original = await self._recall(action.key)
                new = notice_content(action.text)
                content = {**new, "body": "* " + new["body"], "formatted_body": "* " + new["formatted_body"],
                           "m.mentions": {}, "m.new_content": new,
                           "m.relates_to": {"rel_type": "m.replace", "event_id": original}}
                return await self._send(action.room_id, "m.room.message", content, txn)
            case Redact():
                return self._check(await self.client.room_redact(
                    action.room_id, action.event_id, action.reason, tx_id=txn))
            case Kick():
                if action.room_id not in self.client.rooms:
                    raise NotYet(f"the bot is not in {action.room_id} (yet)")
                if self._membership(action.room_id, action.user_id) not in ("join", "invite", "knock"):
                    return None
                self._check(await self.client.room_kick(action.room_id, action.user_id, action.reason))
                return None
            case Ban():
                # nio keeps no record of bans; banning the banned again changes nothing on the server.
                self._check(await self.client.room_ban(action.room_id, action.user_id, action.reason))
                return None
            case Unban():
                self._check(await self.client.room_unban(action.room_id, action.user_id))
                return None
            case CreateRoom():
                room_id = await self._create_once(txn, name=action.name, invite=list(action.invite),
                                                  preset=RoomPreset.private_chat,
                                                  initial_state=[ENCRYPTION] if action.encrypted else [])
                await self.store.run(self.store.room_joined, room_id, 0)
                await self.store.run(self.store.set_setting, action.remember, room_id)
                return None
            case SetInviteLevel():
                current = await self.client.room_get_state_event(action.room_id, "m.room.power_levels")
                if not isinstance(current, RoomGetStateEventResponse):
                    raise NotYet(f"could not read the power levels of {action.room_id}")
                content = {**current.content, "invite": action.level}
                self._check(await self.client.room_put_state(action.room_id, "m.room.power_levels", content))
                return None
            case SetState():
                self._check(await self.client.room_put_state(action.room_id, action.event_type, action.content,
                                                             state_key=action.state_key))
                return None
            case Join():
                self._check(await self.client.join(action.room_id))
                return None
            case Leave():
                self._check(await self.client.room_leave(action.room_id))
                return None
        raise Refused(f"unknown action {type(action).__name__}")

    async def _recall(self, key: str) -> str:
        event_id = await self.store.run(self.store.recall, key)
        if event_id is None:
            raise Refused(f"no message remembered as {key}")
        return event_id

    @staticmethod
    def _check(answer):
        if isinstance(answer, ErrorResponse):
            raise Refused(f"{answer.status_code}: {answer.message}")
        return getattr(answer, "event_id", None)

    def _membership(self, room_id: str, user_id: str) -> str | None:
        room = self.client.rooms.get(room_id)
        if room is None:
            return None
        if user_id in room.invited_users:
            return "invite"
        return "join" if user_id in room.users else None

    async def _send(self, room_id: str, event_type: str, content: dict, txn: str) -> str:
        room = self.client.rooms.get(room_id)
        if room is None:
            raise NotYet(f"the bot is not in {room_id} (yet)")
        if not (room.encrypted and self.client.olm):
            return self._sent(await self.client.room_send(room_id, event_type, content, tx_id=txn))
        async with self._encrypting:
            return self._sent(await self._send_encrypted(room_id, room, event_type, content, txn))

    async def _send_encrypted(self, room_id: str, room, event_type: str, content: dict, txn: str):
        # Someone the bot shares no other encrypted room with (just invited to a direct chat)
        # has no known devices yet. Ask now, even if the sync loop's query is under way: a room
        # key shared before their devices are known never reaches them.
        unknown = {user for user in room.users
                   if user != self.client.user_id and not self.client.device_store[user]}
        if unknown:
            self.client.olm.users_for_key_query.update(unknown)
            await self.client.keys_query()
        excluded = await self._exclude_unsigned_devices(room_id, room)
        try:
            sent = await self.client.room_send(room_id, event_type, content, tx_id=txn,
                                               ignore_unverified_devices=True)
            await withheld_keys.tell(self.client, room_id, excluded)  # before lifting: that drops the key
            return sent
        finally:
            for device in excluded:
                self.client.unblacklist_device(device)

    @staticmethod
    def _sent(answer) -> str | None:
        if isinstance(answer, RoomSendResponse):
            return answer.event_id
        if answer.status_code == "M_DUPLICATE_ANNOTATION":
            return None  # the bot had already put this reaction there: the confirmation stands
        raise Refused(f"{answer.status_code}: {answer.message}")

    async def _exclude_unsigned_devices(self, room_id: str, room) -> list:
        """In a confidential room, leave out (for this send) every device its owner has not
        cross-signed. nio's blacklist does it: it also drops a room key such a device already
        holds. The blacklist is lifted right after sending, so other rooms are not touched."""
        if self.trust is None:
            return []
        if room_id != self.igo_room and not await self.store.run(self.store.is_confidential_room, room_id):
            return []
        others = [user for user in room.users if user != self.client.user_id]
        signed = await self.trust.signed_devices(others)
        excluded = []
        for user in others:
            for device in self.client.device_store.active_user_devices(user):
                if device.id not in signed.get(user, ()) and not device.blacklisted:
                    self.client.blacklist_device(device)
                    excluded.append(device)
        return excluded

    async def _wait_for_room(self, room_id: str, member: str | None = None, timeout: float = 10) -> None:
        """Until a sync has shown the room (and `member` in it, joined or invited)."""

        def there() -> bool:
            room = self.client.rooms.get(room_id)
            return room is not None and (member is None or member in room.users)

        async with self._synced:
            try:
                await asyncio.wait_for(self._synced.wait_for(there), timeout)
            except TimeoutError:
                raise NotYet(f"room {room_id} has not appeared in a sync yet") from None

    def _is_private(self, room_id: str, user_id: str) -> bool:
        """The room holds the bot and `user_id` (joined or invited), and no one else."""
        room = self.client.rooms.get(room_id)
        return room is not None and user_id in room.users and set(room.users) <= {user_id, self.client.user_id}

    async def _direct_room(self, user_id: str, txn: str) -> str:
        """The direct chat with `user_id`, checked to be private now, or opened now (encrypted, as
        Element does). A chat someone else has joined is left, with a word, and never written to."""
        room_id = await self.store.run(self.store.direct_chat, user_id)
        if room_id and self._is_private(room_id, user_id):
            return room_id
        if room_id and room_id in self.client.rooms:
            await self._abandon_shared_chat(room_id, txn)
        elif room_id and await self.store.run(self.store.joined_at, room_id) is not None:
            # Made (or joined) by the bot, and no sync has shown it yet: wait, never open a second one.
            raise NotYet(f"the direct chat {room_id} has not appeared in a sync yet")
        room_id = await self._create_once(txn, is_direct=True, invite=[user_id],
                                          preset=RoomPreset.trusted_private_chat, initial_state=[ENCRYPTION])
        await self.store.run(self.store.set_direct_chat, user_id, room_id)
        await self.store.run(self.store.room_joined, room_id, 0)
        # A sync can show the new room before its invite: wait for it, so the room key reaches them.
        await self._wait_for_room(room_id, member=user_id)
        return room_id

    async def _create_once(self, txn: str, **options) -> str:
        """Create a room at most once for this action, even across a crash.

        Creating a room has no transaction ID, so the intent is recorded first and the room carries
        a marker in its state. If a try was under way before (the bot died between creating the
        room and recording it), the room it made is found by its marker instead of making another."""
        intent = f"creating:{txn}"
        if await self.store.run(self.store.setting, intent):
            made = await self._room_marked(txn)
            if made:
                return made
        await self.store.run(self.store.set_setting, intent, str(_now_ms()))
        options["initial_state"] = [*options.get("initial_state", ()),
                                    {"type": MADE_FOR, "state_key": "", "content": {"txn": txn}}]
        answer = await self.client.room_create(**options)
        if not isinstance(answer, RoomCreateResponse):
            raise Refused(f"could not create the room: {answer.message}")
        return answer.room_id

    async def _room_marked(self, txn: str) -> str | None:
        for room_id in list(self.client.rooms):
            answer = await self.client.room_get_state_event(room_id, MADE_FOR)
            if isinstance(answer, RoomGetStateEventResponse) and answer.content.get("txn") == txn:
                return room_id
        return None

    async def _abandon_shared_chat(self, room_id: str, txn: str) -> None:
        log.info("The direct chat %s holds other people now; leaving it and opening a new one", room_id)
        await self.store.run(self.store.forget_direct_chat, room_id)
        await self._send(room_id, "m.room.message", notice_content(no_longer_private()),
                         f"{txn}.leave")
        await self.client.room_leave(room_id)
