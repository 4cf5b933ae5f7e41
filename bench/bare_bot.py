"""A bare, well-written matrix-nio bot doing the same Matrix work as scorebot and nothing else: the
yardstick of `bench/suite.py`.

It answers `!echo …` and `!help` with a notice in reply (for `!help`, the very content scorebot
sent, from REPLY_FILE once the suite has written it: the same bytes for Synapse to handle), posts a
board on `!meeting start`, confirms ✋ and `unstack` with a ✅ and then edits its board, as scorebot
does, and on `!kick @user` removes that person from every room it is in. Sends go out with up
to 8 requests in flight across rooms and one at a time within a room, as scorebot's outbox does. It
keeps its sync position in a file and fills a gap in a long backlog, so after a restart it answers
everything it missed, each once. Like any bot that members can write to from Element, it has
encryption on: its keys in a store beside its state, published and kept up after each sync.

Usage: bare_bot.py URL USER TOKEN DEVICE STATE_FILE REPLY_FILE
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import defaultdict
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    MessageDirection,
    RoomMessagesResponse,
    RoomMessageText,
    SyncResponse,
)

FILTER = {"presence": {"types": []}, "account_data": {"types": []},
          "room": {"timeline": {"limit": 50}, "ephemeral": {"types": []}}}
HANDS = ("✋", "🖐", "🤚", "🙋")


class BareBot:
    def __init__(self, url: str, user: str, token: str, device: str, state: Path, reply: Path):
        keys = state.parent / "crypto"
        keys.mkdir(exist_ok=True)
        self.client = AsyncClient(url, user, store_path=str(keys),
                                  config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False))
        self.client.restore_login(user, device, token)
        self.state = state
        self.reply = reply
        self.boards: dict[str, str] = {}
        self.in_flight = asyncio.Semaphore(8)
        self.lanes: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.pending: set[asyncio.Task] = set()

    def later(self, room_id: str, request) -> None:
        """Send in the background: in order within the room, several rooms at once."""
        async def go() -> None:
            async with self.lanes[room_id], self.in_flight:
                await request()

        task = asyncio.create_task(go())
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    def notice(self, room_id: str, event_id: str, body: str) -> None:
        content = {"msgtype": "m.notice", "body": body}
        if body == "!help" and self.reply.exists():
            content = json.loads(self.reply.read_text())
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": event_id}}
        self.later(room_id, lambda: self.client.room_send(room_id, "m.room.message", content))

    def confirm_and_edit_board(self, room_id: str, event_id: str, board: str) -> None:
        reaction = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": "✅"}}
        self.later(room_id, lambda: self.client.room_send(room_id, "m.reaction", reaction))
        if room_id in self.boards:
            new = {"msgtype": "m.notice", "body": board}
            edit = {**new, "body": "* " + board, "m.new_content": new,
                    "m.relates_to": {"rel_type": "m.replace", "event_id": self.boards[room_id]}}
            self.later(room_id, lambda: self.client.room_send(room_id, "m.room.message", edit))

    def post_board(self, room_id: str) -> None:
        async def post() -> None:
            answer = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.notice", "body": "Stack"})
            self.boards[room_id] = answer.event_id
        self.later(room_id, post)

    def on_message(self, room_id: str, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id:
            return
        body = event.body.strip()
        if body.startswith("!echo") or body == "!help":
            self.notice(room_id, event.event_id, body)
        elif body.startswith("!meeting start"):
            self.post_board(room_id)
        elif body in HANDS:
            self.confirm_and_edit_board(room_id, event.event_id, f"Stack\n1. {event.sender}")
        elif body == "unstack":
            self.confirm_and_edit_board(room_id, event.event_id, "Stack\nThe stack is empty.")
        elif body.startswith("!kick "):
            who = body.split()[1]
            for room in list(self.client.rooms):
                self.later(room, lambda room=room: self.client.room_kick(room, who, "removed"))

    async def fill_gap(self, room_id: str, prev_batch: str, since: str) -> list:
        missed, start = [], prev_batch
        while start:
            answer = await self.client.room_messages(room_id, start=start, end=since,
                                                     direction=MessageDirection.back, limit=100)
            if not isinstance(answer, RoomMessagesResponse) or not answer.chunk:
                break
            missed.extend(answer.chunk)
            if not answer.end or answer.end == start:
                break
            start = answer.end
        return list(reversed(missed))

    async def handle(self, answer: SyncResponse, since: str | None) -> None:
        for room_id in answer.rooms.invite:
            await self.client.join(room_id)
        for room_id, info in answer.rooms.join.items():
            events = list(info.timeline.events)
            if since and info.timeline.limited and info.timeline.prev_batch:
                events = await self.fill_gap(room_id, info.timeline.prev_batch, since) + events
            for event in events if since else []:  # the very first start acts on no history
                if isinstance(event, RoomMessageText):
                    self.on_message(room_id, event)
        await self.keep_keys()
        self.state.write_text(answer.next_batch)

    async def keep_keys(self) -> None:
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        if self.client.should_query_keys:
            await self.client.keys_query()
        if self.client.should_claim_keys:
            await self.client.keys_claim(self.client.get_users_for_key_claiming())
        await self.client.send_to_device_messages()

    async def run(self) -> None:
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        since = self.state.read_text() if self.state.exists() else None
        first = await self.client.sync(timeout=0, full_state=True, since=since, sync_filter=FILTER)
        await self.handle(first, since)
        print("bare bot ready", flush=True)
        since = first.next_batch
        while True:
            answer = await self.client.sync(timeout=30000, since=since, sync_filter=FILTER)
            if isinstance(answer, SyncResponse):
                await self.handle(answer, since)
                since = answer.next_batch


if __name__ == "__main__":
    url, user, token, device, state, reply = sys.argv[1:7]
    asyncio.run(BareBot(url, user, token, device, Path(state), Path(reply)).run())
