"""Carries out the outbox, in order, each action once.

Every send uses a transaction ID made from the outbox row, so if the bot dies after the
homeserver took a message but before the row was marked done, sending it again returns the same
event instead of a second message. A kick looks at the membership first, so no one is kicked
twice (a second ban changes nothing on the server). A refusal from the homeserver marks the
action failed and moves on; a network problem leaves it pending for the next round.
"""

from __future__ import annotations

import asyncio
import logging

from nio import (
    AsyncClient,
    ErrorResponse,
    RoomCreateResponse,
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
    Unban,
)
from scorebot.domain.privacy import no_longer_private
from scorebot.domain.text import Text
from scorebot.store import Store

log = logging.getLogger(__name__)


class Refused(Exception):
    """The homeserver said no; trying again would not help."""


class NotYet(Exception):
    """Something needed is not there yet (a new room not synced); try again later."""


ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


def notice_content(text: Text) -> dict:
    return {
        "msgtype": "m.notice",
        "body": text.plain,
        "format": "org.matrix.custom.html",
        "formatted_body": text.html,
        "m.mentions": {"user_ids": list(text.mentions)} if text.mentions else {},
    }


class Executor:
    def __init__(self, client: AsyncClient, store: Store, synced: asyncio.Condition):
        self.client = client
        self.store = store
        self._synced = synced  # notified after each sync, when client.rooms is fresh
        self._wake = asyncio.Event()
        self._instance = ""

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        self._instance = await self.store.run(self.store.instance_id)
        while True:
            self._wake.clear()
            try:
                await self.drain()
            except NotYet:
                await asyncio.sleep(1)
                continue
            await self._wake.wait()

    async def drain(self) -> None:
        for action_id, action in await self.store.run(self.store.pending_actions):
            try:
                result = await self._carry_out(action_id, action)
            except Refused as error:
                log.warning("The homeserver refused %s #%d: %s", type(action).__name__, action_id, error)
                await self.store.run(self.store.action_failed, action_id, str(error))
                continue
            await self.store.run(self._done, action_id, action, result)

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
                answer = await self.client.room_create(
                    name=action.name, invite=list(action.invite), preset=RoomPreset.private_chat,
                    initial_state=[ENCRYPTION] if action.encrypted else [])
                if not isinstance(answer, RoomCreateResponse):
                    raise Refused(f"could not create the room: {answer.message}")
                await self.store.run(self.store.room_joined, answer.room_id, 0)
                await self.store.run(self.store.set_setting, action.remember, answer.room_id)
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
        if room_id not in self.client.rooms:
            await self._wait_for_room(room_id)
        room = self.client.rooms[room_id]
        if room.encrypted and self.client.olm:
            # Someone the bot shares no other encrypted room with (just invited to a direct chat)
            # has no known devices yet. Ask now, even if the sync loop's query is under way: a room
            # key shared before their devices are known never reaches them.
            unknown = {user for user in room.users
                       if user != self.client.user_id and not self.client.device_store[user]}
            if unknown:
                self.client.olm.users_for_key_query.update(unknown)
                await self.client.keys_query()
        answer = await self.client.room_send(room_id, event_type, content, tx_id=txn,
                                             ignore_unverified_devices=True)
        if isinstance(answer, RoomSendResponse):
            return answer.event_id
        if answer.status_code == "M_DUPLICATE_ANNOTATION":
            return None  # the bot had already put this reaction there: the confirmation stands
        raise Refused(f"{answer.status_code}: {answer.message}")

    async def _wait_for_room(self, room_id: str, member: str | None = None, timeout: float = 30) -> None:
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
        answer = await self.client.room_create(
            is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat, initial_state=[ENCRYPTION])
        if not isinstance(answer, RoomCreateResponse):
            raise Refused(f"could not open a direct chat: {answer.message}")
        await self.store.run(self.store.set_direct_chat, user_id, answer.room_id)
        await self.store.run(self.store.room_joined, answer.room_id, 0)
        # A sync can show the new room before its invite: wait for it, so the room key reaches them.
        await self._wait_for_room(answer.room_id, member=user_id)
        return answer.room_id

    async def _abandon_shared_chat(self, room_id: str, txn: str) -> None:
        log.info("The direct chat %s holds other people now; leaving it and opening a new one", room_id)
        await self.store.run(self.store.forget_direct_chat, room_id)
        await self._send(room_id, "m.room.message", notice_content(no_longer_private()),
                         f"{txn}.leave")
        await self.client.room_leave(room_id)
