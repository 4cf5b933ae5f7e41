"""The bot's decisions in-process: a dispatcher with a real store, a clock, and signals typed by hand.

Features are tested through it as they run in the bot (commands parsed, roles checked, everything
in one transaction), without Matrix: what comes back are the actions the executor would carry out.
"""

from __future__ import annotations

from scorebot.dispatch import Dispatcher
from scorebot.domain.actions import Send, SendDirect
from scorebot.domain.rooms import PowerLevels, Roles, RoomKind, RoomView
from scorebot.domain.signals import Message
from scorebot.feature import Feature
from scorebot.store import Store

BOT = "@bot:x"
# An organization of two rooms: maya and milo moderate the organizing room; eve is a member.
ORG = RoomView("!org:x", RoomKind.ORGANIZING, name="General",
               members={"@maya:x": "Maya", "@milo:x": "Milo", "@eve:x": "Eve", BOT: "bot"},
               power_levels=PowerLevels.from_content({"users": {BOT: 100, "@maya:x": 50, "@milo:x": 50}}))
MODS = RoomView("!mods:x", RoomKind.MODERATORS, members={"@maya:x": "Maya", "@milo:x": "Milo", BOT: "bot"})


class Harness:
    def __init__(self, database_url: str, features: list[Feature], views: list[RoomView], prefix: str = "!"):
        self.store = Store(database_url)
        self.store.open()
        self.views = {view.room_id: view for view in views}
        self.dispatcher = Dispatcher(self.store, features, BOT, prefix, rooms={v.room_id: v.kind for v in views})
        self.roles = Roles.of_organization(self.views.values(), BOT)
        self.count, self.clock = 0, 1_700_000_000_000

    def signal(self, make, room: RoomView, **fields):
        """A signal of type `make` from `sender`, a second after the last one: (actions, its event ID)."""
        self.count += 1
        self.clock += 1000
        signal = make(room.room_id, f"${self.count}", fields.pop("sender"), self.clock, **fields)
        with self.store.db.atomic():
            return self.dispatcher.handle(signal, room, self.roles, self.views), signal.event_id

    def say(self, sender: str, body: str, room: RoomView) -> list:
        return self.signal(Message, room, sender=sender, body=body, command_body=body)[0]

    def tick(self, at: int) -> list:
        with self.store.db.atomic():
            return self.dispatcher.tick(at, self.roles, self.views)

    def direct_chat(self, user_id: str) -> RoomView:
        """`user_id`'s direct chat with the bot, recorded as such."""
        room_id = f"!dm-{user_id.strip('@').replace(':', '-')}"
        self.store.set_direct_chat(user_id, room_id)
        return RoomView(room_id, RoomKind.OTHER, members={user_id: user_id, BOT: "bot"})

    def close(self) -> None:
        self.store.close()


def texts(actions, kind=Send | SendDirect) -> list[str]:
    return [a.text.plain for a in actions if isinstance(a, kind)]
