"""Carries out the outbox's actions as Matrix requests, each once (the order is `lanes`').

Every send uses a transaction ID made from the outbox row, so if the bot dies after the
homeserver took a message but before the row was marked done, sending it again returns the same
event instead of a second message. A kick looks at the membership first, so no one is kicked
twice (a second ban changes nothing on the server).

A refusal from the homeserver is `Refused` (failed at once), a 429 is `TooFast` (waited out), a
room the bot is not in is `NotInRoom` (waited for).

Encrypted sends go one at a time: leaving unverified devices out of a confidential room's key
(see `_exclude_unsigned_devices`) marks them for the whole client while it lasts, so no other
room's key may be shared meanwhile.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from nio import (
    AsyncClient,
    AsyncClientConfig,
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
from scorebot.domain.limits import fit
from scorebot.domain.privacy import no_longer_private
from scorebot.domain.text import Text
from scorebot.health import Metrics
from scorebot.matrix.cross_signing import DeviceTrust
from scorebot.matrix.lanes import IN_FLIGHT, MAX_ATTEMPTS, Lanes, _now_ms
from scorebot.matrix.outbox import NotInRoom, NotYet, Refused, TooFast, lane_of
from scorebot.matrix.withheld_keys import withheld_keys
from scorebot.store import Store

__all__ = ["IN_FLIGHT", "MAX_ATTEMPTS", "Executor", "NotYet", "Refused", "lane_of"]

log = logging.getLogger(__name__)


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


class Executor(Lanes):
    """Carries out each action the lanes hand it, as Matrix requests."""

    def __init__(self, client: AsyncClient, store: Store, synced: asyncio.Condition,
                 trust: DeviceTrust | None = None, igo_room: str | None = None, moderators_room: str | None = None,
                 metrics: Metrics | None = None, undeliverable_after: float = 3600.0):
        super().__init__(store, igo_room, moderators_room, metrics, undeliverable_after)
        if isinstance(getattr(client, "config", None), AsyncClientConfig):
            # A 429 comes back here (see `TooFast`), instead of nio sleeping on it inside a request
            # while more urgent actions wait behind it.
            client.config = dataclasses.replace(client.config, max_limit_exceeded=0)
        self.client = client
        # Confidential rooms (the IGO room, direct chats, a report's room) get room keys only for
        # devices their owners cross-signed, as the spec (MSC4153) and Element ask.
        self.trust = trust
        self._synced = synced  # notified after each sync, when client.rooms is fresh
        self._encrypting = asyncio.Lock()  # one encrypted send at a time (see the module's docstring)

    def _in_room(self, room_id: str) -> bool:
        return room_id in self.client.rooms

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
                room_id = action.room_id or await self.store.run(self.store.mark, action.room_key)
                if not room_id:
                    raise NotYet(f"the room {action.room_key} is not made yet")
                return await self._send(room_id, "m.room.message", content, txn)
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
                await self.store.run(self.store.set_mark, action.remember, room_id)
                for person in action.invite:  # seen invited, so the first words' room key reaches them
                    await self._wait_for_room(room_id, member=person)
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
            _too_fast(answer)
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
            raise NotInRoom(f"the bot is not in {room_id} (yet)")
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
        _too_fast(answer)
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
        if await self.store.run(self.store.mark, intent):
            made = await self._room_marked(txn)
            if made:
                return made
        await self.store.run(self.store.set_mark, intent, str(_now_ms()))
        options["initial_state"] = [*options.get("initial_state", ()),
                                    {"type": MADE_FOR, "state_key": "", "content": {"txn": txn}}]
        answer = await self.client.room_create(**options)
        if not isinstance(answer, RoomCreateResponse):
            _too_fast(answer)
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


def _too_fast(answer) -> None:
    if getattr(answer, "status_code", None) in ("M_LIMIT_EXCEEDED", 429):
        raise TooFast((getattr(answer, "retry_after_ms", None) or 1000) / 1000)
