"""Finds, opens and abandons the bot's one-to-one chats, and creates any room at most once.

Kept apart from the table of actions (`executor`) because a private word needs a room that holds
the bot and that one person and no one else: the chat remembered for them is checked to be private
now, a chat someone else has joined is left with a word and never written to, and a new one is
opened as Element opens it (trusted_private_chat, is_direct, encrypted). Creating a room has no
transaction ID, so `_create_once` records the intent and marks the room, and a crash between the two
never makes a second room.
"""

from __future__ import annotations

import asyncio
import logging

from nio import RoomCreateResponse, RoomGetStateEventResponse, RoomPreset

from scorebot.domain.privacy import no_longer_private
from scorebot.matrix.encrypted_send import _too_fast, notice_content
from scorebot.matrix.outbox import NotYet, Refused
from scorebot.matrix.parking import _now_ms

log = logging.getLogger(__name__)


MADE_FOR = "org.scorebot.made_for"  # a marker in each room the bot creates: which action made it
ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


class DirectChats:
    """The executor's part about rooms it opens; it needs `client`, `store`, `_synced` and `_send`."""

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
