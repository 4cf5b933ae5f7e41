"""Carries out the outbox's actions as Matrix requests, each once (the order is `lanes`').

Every send uses a transaction ID made from the outbox row, so if the bot dies after the
homeserver took a message but before the row was marked done, sending it again returns the same
event instead of a second message. A kick looks at the membership first, so no one is kicked
twice (a second ban changes nothing on the server).

A refusal from the homeserver is `Refused` (failed at once), a 429 is `TooFast` (waited out), a
room the bot is not in is `NotInRoom` (waited for).

Sending (encrypted where the room is) lives in `encrypted_send`, the direct chats and rooms made
once in `direct_chats`; this module keeps the table from action to Matrix call.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from nio import AsyncClient, AsyncClientConfig, ErrorResponse, RoomGetStateEventResponse, RoomPreset

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
from scorebot.health import Metrics
from scorebot.matrix.device_trust import DeviceTrust
from scorebot.matrix.direct_chats import ENCRYPTION, DirectChats
from scorebot.matrix.encrypted_send import EncryptedSends, _too_fast, notice_content
from scorebot.matrix.lanes import IN_FLIGHT, Lanes
from scorebot.matrix.outbox import NotYet, Refused, lane_of
from scorebot.matrix.parking import MAX_ATTEMPTS
from scorebot.store import Store

log = logging.getLogger(__name__)

__all__ = ["IN_FLIGHT", "MAX_ATTEMPTS", "Executor", "NotYet", "Refused", "lane_of", "notice_content"]


class Executor(DirectChats, EncryptedSends, Lanes):
    """Carries out each action the lanes hand it, as Matrix requests."""

    goodbye_wait = 10.0  # at most, seconds a leave waits for a sync to show a room just joined

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
                content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": action.emoji}}
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
            case Invite():
                if action.room_id not in self.client.rooms:
                    raise NotYet(f"the bot is not in {action.room_id} (yet)")
                if self._membership(action.room_id, action.user_id) is None:
                    self._check(await self.client.room_invite(action.room_id, action.user_id))
                await self._wait_for_room(action.room_id, member=action.user_id)  # so the room key reaches them
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
                if action.text is not None:
                    await self._say_goodbye(action.room_id, action.text, txn)
                self._check(await self.client.room_leave(action.room_id))
                return None
        raise Refused(f"unknown action {type(action).__name__}")

    async def _say_goodbye(self, room_id: str, text, txn: str) -> None:
        """The last word before leaving (the same transaction ID if tried again: said once). A room
        the bot has only just joined (still an invite to nio) shows in the next sync; a room it is
        not in (its join refused, or it was taken out first), or one that will not take the word
        (members may not post there), is left all the same: the leave never waits on its goodbye."""
        try:
            if room_id not in self.client.rooms and room_id not in self.client.invited_rooms:
                raise NotYet(f"the bot is not in {room_id}")
            await self._wait_for_room(room_id, timeout=self.goodbye_wait)
            await self._send(room_id, "m.room.message", notice_content(text), txn)
        except (NotYet, Refused) as reason:
            log.info("Leaving %s without a last word: %s", room_id, reason)

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
