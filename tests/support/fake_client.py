"""A fake of the few nio `AsyncClient` calls the executor makes, for tests that run in milliseconds.

Rooms are plain objects with `users` and `invited_users`; what is sent is recorded in order. A test
can make one room's sends fail (`failing`), or leave a room out to stand for one the bot is not in.
The Synapse suite stays the final proof; this shows the outbox's own logic quickly.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

from nio import (
    JoinError,
    JoinResponse,
    RoomCreateResponse,
    RoomGetStateEventError,
    RoomGetStateEventResponse,
    RoomInviteResponse,
    RoomKickResponse,
    RoomLeaveResponse,
    RoomSendResponse,
)


@dataclass
class FakeRoom:
    room_id: str
    users: dict[str, object] = field(default_factory=dict)
    invited_users: dict[str, object] = field(default_factory=dict)
    encrypted: bool = False
    state: dict[str, dict] = field(default_factory=dict)  # event type -> content


@dataclass
class Sent:
    room_id: str
    event_type: str
    content: dict
    txn: str


class FakeClient:
    def __init__(self, user_id: str = "@bot:x"):
        self.user_id = user_id
        self.rooms: dict[str, FakeRoom] = {}
        self.invited_rooms: dict[str, FakeRoom] = {}  # rooms the bot is invited to (or joining: until a sync)
        self.olm = None
        self.sent: list[Sent] = []
        self.created: list[dict] = []
        self.left: list[str] = []
        self.joins_asked: list[str] = []
        self.joins_too_fast: list[float] = []  # the next joins are answered "too fast, wait this long"
        self.failing: dict[str, Exception] = {}  # room -> what its next send raises
        # The next room creation (or the next with this option set, like "is_direct") succeeds, then
        # the bot "dies".
        self.crash_after_create: bool | str = False
        self.held: dict[str, asyncio.Event] = {}  # room -> its sends wait until this is set
        self.waiting: set[str] = set()  # rooms with a held send under way
        self.changed = asyncio.Condition()  # notified after each send
        self.kicked: list[tuple[str, str]] = []
        self.invites: list[tuple[str, str]] = []
        self.dies_after_kick: set[str] = set()  # rooms where the kick is done, then the bot "dies"
        self.in_flight = self.most_in_flight = 0  # requests under way at once
        self._events = itertools.count(1)
        self._by_txn: dict[tuple[str, str], str] = {}

    def room(self, room_id: str, *members: str) -> FakeRoom:
        self.rooms[room_id] = FakeRoom(room_id, {self.user_id: None, **{m: None for m in members}})
        return self.rooms[room_id]

    async def room_send(self, room_id, message_type, content, tx_id=None, ignore_unverified_devices=False):
        if room_id in self.held:
            self.waiting.add(room_id)
            async with self.changed:
                self.changed.notify_all()
            await self.held[room_id].wait()
        if room_id in self.failing:
            raise self.failing.pop(room_id)
        key = (room_id, tx_id)
        if key not in self._by_txn:  # the homeserver's transaction IDs: a retry returns the same event
            self._by_txn[key] = f"$e{next(self._events)}"
            self.sent.append(Sent(room_id, message_type, content, tx_id))
        async with self.changed:
            self.changed.notify_all()
        return RoomSendResponse(self._by_txn[key], room_id)

    async def until(self, check, timeout: float = 5) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(check), timeout)

    async def room_kick(self, room_id, user_id, reason=None):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001)  # the request is under way: others may start meanwhile
        self.in_flight -= 1
        self.rooms[room_id].users.pop(user_id, None)
        self.kicked.append((room_id, user_id))
        if room_id in self.dies_after_kick:
            self.dies_after_kick.discard(room_id)
            raise ConnectionError("the bot died right after the homeserver removed them")
        return RoomKickResponse()

    async def room_invite(self, room_id, user_id):
        self.invites.append((room_id, user_id))
        self.rooms[room_id].invited_users[user_id] = None
        self.rooms[room_id].users[user_id] = None  # as nio counts them: joined and invited
        return RoomInviteResponse()

    async def room_create(self, **options):
        room_id = f"!new{len(self.created) + 1}:x"
        self.created.append(options)
        room = self.room(room_id, *options.get("invite", ()))
        room.state = {event["type"]: event["content"] for event in options.get("initial_state", ())}
        crash = self.crash_after_create
        if crash is True or (isinstance(crash, str) and options.get(crash)):
            self.crash_after_create = False
            raise ConnectionError("the bot died right after the homeserver made the room")
        return RoomCreateResponse(room_id)

    async def room_get_state_event(self, room_id, event_type, state_key=""):
        content = self.rooms[room_id].state.get(event_type) if room_id in self.rooms else None
        if content is None:
            return RoomGetStateEventError("not found", "M_NOT_FOUND")
        return RoomGetStateEventResponse(content, event_type, state_key, room_id)

    async def join(self, room_id):
        self.joins_asked.append(room_id)
        async with self.changed:
            self.changed.notify_all()
        if self.joins_too_fast:  # Synapse's `rc_joins`: its own limit, apart from messages
            return JoinError("Too Many Requests", "M_LIMIT_EXCEEDED", int(self.joins_too_fast.pop(0) * 1000))
        self.room(room_id)
        return JoinResponse(room_id)

    async def room_leave(self, room_id):
        self.left.append(room_id)
        self.rooms.pop(room_id, None)
        return RoomLeaveResponse()

    def texts(self, room_id: str | None = None) -> list[str]:
        return [s.content.get("body", "") for s in self.sent if room_id in (None, s.room_id)]
