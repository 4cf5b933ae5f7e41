"""The bot's own place in its rooms: when it is removed from one, the moderators hear of it; when a
member's app keeps a message from it, the member hears why."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain.actions import Send
from scorebot.domain.privacy import key_withheld
from scorebot.domain.rooms import RoomKind
from scorebot.domain.signals import BotRemoved, KeyWithheld
from scorebot.domain.text import pill, plain
from scorebot.feature import Feature


class Upkeep(Feature):
    def on_bot_removed(self, ctx: Context) -> None:
        removed: BotRemoved = ctx.signal
        moderators = ctx.room_of(RoomKind.MODERATORS)
        if ctx.room.kind not in (RoomKind.ORGANIZING, RoomKind.IGO) or moderators is None:
            return
        how = "banned" if removed.membership == "ban" else "removed"
        name = ctx.room.name or ctx.room.room_id
        text = plain(f"I was {how} from {name} by ") + pill(removed.sender)
        if removed.reason:
            text += plain(f" ({removed.reason})")
        text += plain(". I can't help there until someone invites me back.")
        ctx.do(Send(moderators, text))

    def on_key_withheld(self, ctx: Context) -> None:
        withheld: KeyWithheld = ctx.signal
        if ctx.room.kind is RoomKind.DIRECT:
            ctx.direct(withheld.sender, key_withheld(withheld.code))
