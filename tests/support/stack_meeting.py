"""A meeting in one organizing room, in-process: the stack features behind a dispatcher with a real store.

Signals are typed by hand; what comes back are the actions the executor would carry out, and the
board is read from the actions waiting to go out.
"""

from __future__ import annotations

from scorebot.config import StackConfig
from scorebot.dispatch import Dispatcher
from scorebot.domain.actions import Edit, Send
from scorebot.domain.rooms import PowerLevels, Roles, RoomKind, RoomView
from scorebot.domain.signals import Message
from scorebot.features import Help, stack_features
from scorebot.store import Store
from tests.support.harness import BOT

MEMBERS = {"@fac:x": "Fac", "@ann:x": "Ann", "@ben:x": "Ben", "@cal:x": "Cal", BOT: "bot"}
ROOM = RoomView("!r:x", RoomKind.ORGANIZING, members=MEMBERS, name="General",
                power_levels=PowerLevels.from_content({"users": {BOT: 100}}))


class Meeting:
    def __init__(self, database_url, stack_config: StackConfig | None = None):
        self.store = Store(database_url)
        self.store.open()
        self.dispatcher = Dispatcher(self.store, [Help(), *stack_features(stack_config or StackConfig())], BOT)
        self.count = 0
        self.clock = 1_700_000_000_000

    def signal(self, make, room=ROOM, **fields):
        self.count += 1
        self.clock += 1000
        signal = make(room.room_id, f"${self.count}", fields.pop("sender"), self.clock, **fields)
        with self.store.db.atomic():
            return self.dispatcher.handle(signal, room, Roles(), {ROOM.room_id: ROOM}), signal.event_id

    def say(self, sender, body, room=ROOM):
        return self.signal(Message, room, sender=sender, body=body, command_body=body)

    def board(self) -> str:
        boards = [a for _, a in self.store.pending_actions()
                  if isinstance(a, Edit | Send) and a.text.plain.startswith("📋")]
        return boards[-1].text.plain

    def queue(self) -> list[str]:
        return [line.split(". ", 1)[1] for line in self.board().splitlines() if line[:1].isdigit()]
