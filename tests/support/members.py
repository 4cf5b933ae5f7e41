"""Test members: real Matrix accounts on the test homeserver, with real end-to-end encryption.

A member syncs in the background and keeps every event it sees, decrypted where it can, so a test
can send, react and redact as a person would and then wait for what the bot answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    Event,
    InviteMemberEvent,
    ReactionEvent,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomPreset,
    RoomSendResponse,
    SyncResponse,
)

from scorebot.homeserver import RegisteredUser
from scorebot.matrix.cross_signing import CrossSigning
from scorebot.matrix.session import keep_keys

ENCRYPTION = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


@dataclass
class Seen:
    room_id: str
    event: Event

    @property
    def source(self) -> dict:
        return self.event.source

    @property
    def content(self) -> dict:
        return self.event.source.get("content") or {}

    @property
    def sender(self) -> str:
        return self.event.sender

    @property
    def event_id(self) -> str:
        return self.event.event_id

    @property
    def reply_to(self) -> str | None:
        relation = self.content.get("m.relates_to") or {}
        return (relation.get("m.in_reply_to") or {}).get("event_id")

    @property
    def body(self) -> str:
        return getattr(self.event, "body", "") or ""


class Member:
    def __init__(self, homeserver_url: str, user: RegisteredUser, folder: Path, auto_join: bool = True):
        self.user = user
        self.user_id = user.user_id
        self.folder = folder
        self.auto_join = auto_join
        self.seen: list[Seen] = []
        self._changed = asyncio.Condition()
        self._task: asyncio.Task | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(homeserver_url, user.user_id, device_id=user.device_id, store_path=str(folder),
                                  config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False,
                                                           max_timeout_retry_wait_time=1))

    async def start(self, cross_sign: bool = True) -> Member:
        """Log in; cross-sign the device, as Element does for everyone who sets up their account,
        unless a test needs a member whose session is not verified."""
        self.client.restore_login(self.user.user_id, self.user.device_id, self.user.access_token)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        if cross_sign:
            await CrossSigning(self.client.homeserver, self.user_id, self.user.device_id, self.user.access_token,
                               self.user.password).ensure(self.folder)
        await self._sync_once(timeout=0)
        self._task = asyncio.create_task(self._sync_forever())
        return self

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self.client.close()

    async def _sync_forever(self) -> None:
        while True:
            await self._sync_once(timeout=1000)

    async def _sync_once(self, timeout: int) -> None:
        answer = await self.client.sync(timeout=timeout, full_state=not self.client.next_batch)
        if not isinstance(answer, SyncResponse):
            await asyncio.sleep(0.2)
            return
        for room_id, info in answer.rooms.join.items():
            for event in info.timeline.events:
                self.seen.append(Seen(room_id, event))
        if self.auto_join:
            for room_id, info in answer.rooms.invite.items():
                if any(isinstance(e, InviteMemberEvent) and e.state_key == self.user_id for e in info.invite_state):
                    await self.client.join(room_id)
        await keep_keys(self.client)
        async with self._changed:
            self._changed.notify_all()

    # -- acting as a person ------------------------------------------------------------------

    async def send(self, room_id: str, body: str, html: str | None = None, reply_to: str | None = None,
                   msgtype: str = "m.text", extra: dict | None = None) -> str:
        content: dict = {"msgtype": msgtype, "body": body}
        if html:
            content.update(format="org.matrix.custom.html", formatted_body=html)
        if reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        content.update(extra or {})
        return await self.send_event(room_id, "m.room.message", content)

    async def send_event(self, room_id: str, event_type: str, content: dict) -> str:
        await self._wait_room(room_id)
        answer = await self.client.room_send(room_id, event_type, content, ignore_unverified_devices=True)
        assert isinstance(answer, RoomSendResponse), answer
        return answer.event_id

    async def edit(self, room_id: str, event_id: str, body: str) -> str:
        """Element's edit: a new message with `m.new_content` and an `m.replace` relation."""
        return await self.send_event(room_id, "m.room.message", {
            "msgtype": "m.text", "body": f"* {body}", "m.new_content": {"msgtype": "m.text", "body": body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}})

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        return await self.send_event(room_id, "m.reaction", {
            "m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}})

    async def redact(self, room_id: str, event_id: str) -> None:
        answer = await self.client.room_redact(room_id, event_id)
        assert hasattr(answer, "event_id"), answer

    async def create_room(self, name: str, invite: tuple[str, ...] = (), *, encrypted: bool = False,
                          power: dict[str, int] | None = None, room_version: str | None = None,
                          event_power: dict[str, int] | None = None) -> str:
        override = {**({"users": power} if power else {}), **({"events": event_power} if event_power else {})}
        answer = await self.client.room_create(
            name=name, invite=list(invite), preset=RoomPreset.private_chat, room_version=room_version,
            initial_state=[ENCRYPTION] if encrypted else [], power_level_override=override or None)
        assert isinstance(answer, RoomCreateResponse), answer
        await self._wait_room(answer.room_id)
        return answer.room_id

    async def open_direct_chat(self, other: str, room_version: str | None = None, wait_join: bool = True) -> str:
        """A direct chat as Element opens one: `trusted_private_chat` (both ends at power 100; in room
        version 12 the opener is also the creator), `is_direct` on the invite, and encrypted."""
        answer = await self.client.room_create(
            is_direct=True, invite=[other], preset=RoomPreset.trusted_private_chat, room_version=room_version,
            initial_state=[ENCRYPTION])
        assert isinstance(answer, RoomCreateResponse), answer
        await self._wait_room(answer.room_id)
        if wait_join:
            await self.member_joined(answer.room_id, other)
        return answer.room_id

    async def join(self, room_id: str) -> None:
        answer = await self.client.join(room_id)
        assert hasattr(answer, "room_id"), answer
        await self._wait_room(room_id)

    async def _wait_room(self, room_id: str) -> None:
        await self.wait_until(lambda: room_id in self.client.rooms, what=f"{self.user_id} to see {room_id}")

    # -- waiting for the bot -----------------------------------------------------------------

    async def wait_until(self, condition: Callable[[], object], timeout: float = 15, what: str = "a condition"):
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not (result := condition()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)
            return result

    async def wait_for(self, match: Callable[[Seen], bool], timeout: float = 15, what: str = "an event") -> Seen:
        return await self.wait_until(lambda: next((s for s in self.seen if match(s)), None), timeout, what)

    def notices(self, room_id: str, sender: str) -> list[Seen]:
        return [s for s in self.seen if s.room_id == room_id and s.sender == sender
                and isinstance(s.event, RoomMessageNotice)]

    async def reply_to(self, room_id: str, event_id: str, sender: str, timeout: float = 15) -> Seen:
        """The bot's notice that answers `event_id`."""
        return await self.wait_for(
            lambda s: s.room_id == room_id and s.sender == sender and isinstance(s.event, RoomMessageNotice)
            and s.reply_to == event_id, timeout, what=f"a reply to {event_id}")

    def checks(self, room_id: str, sender: str, event_id: str) -> int:
        """How many ✅ reactions `sender` put on `event_id`."""
        return sum(1 for s in self.seen if s.room_id == room_id and s.sender == sender
                   and isinstance(s.event, ReactionEvent) and s.event.key == "✅" and s.event.reacts_to == event_id)

    async def checked(self, room_id: str, sender: str, event_id: str, timeout: float = 15) -> None:
        await self.wait_until(lambda: self.checks(room_id, sender, event_id), timeout,
                              what=f"a ✅ from {sender} on {event_id}")

    def board(self, room_id: str, sender: str) -> tuple[str | None, str]:
        """The newest board (its event ID) and what it says now, edits applied."""
        boards = [s for s in self.notices(room_id, sender) if s.body.startswith("📋 Stack")]
        if not boards:
            return None, ""
        board = boards[-1]
        edits = [s for s in self.notices(room_id, sender)
                 if (s.content.get("m.relates_to") or {}).get("rel_type") == "m.replace"
                 and s.content["m.relates_to"].get("event_id") == board.event_id]
        return board.event_id, (edits[-1].content["m.new_content"]["body"] if edits else board.body)

    async def board_shows(self, room_id: str, sender: str, check: Callable[[str], bool], timeout: float = 15) -> str:
        found = await self.wait_until(lambda: (text := self.board(room_id, sender)[1]) and check(text) and text,
                                      timeout, what="the board to change")
        return found

    async def member_joined(self, room_id: str, user_id: str, timeout: float = 30) -> None:
        await self.wait_until(
            lambda: room_id in self.client.rooms and user_id in self.client.rooms[room_id].users
            and user_id not in self.client.rooms[room_id].invited_users,
            timeout, what=f"{user_id} to join {room_id}")
