"""The rooms the bot is in and the one-to-one chat it keeps with each person.

Kept apart from the rest of the store because these records answer one question the executor asks
before each private word and each confidential send: is this room still the bot's, is it the
direct chat of that one person, and does it get room keys only for cross-signed devices
(`is_confidential_room`)? `Store` takes these methods as its own, so features keep seeing one facade.
"""

from __future__ import annotations

from scorebot.domain import keys
from scorebot.store.marks import marks
from scorebot.store.models import DirectChat, Mark, Room, upsert


class RoomRecords:
    """The part of `Store` about rooms and direct chats."""

    def room_joined(self, room_id: str, joined_at: int) -> None:
        upsert(Room, room_id=room_id, joined_at=joined_at, left_at=None)

    def room_left(self, room_id: str, left_at: int) -> None:
        Room.update(left_at=left_at).where(Room.room_id == room_id).execute()
        self.forget_direct_chat(room_id)

    def joined_times(self, room_ids: list[str]) -> dict[str, int]:
        """`joined_at` for many rooms in one query (a sync after downtime names them all)."""
        rows = Room.select().where(Room.room_id.in_(room_ids) & Room.left_at.is_null()) if room_ids else []
        return {row.room_id: row.joined_at for row in rows}

    def joined_at(self, room_id: str) -> int | None:
        row = Room.get_or_none(Room.room_id == room_id)
        return row.joined_at if row and row.left_at is None else None

    def direct_chat(self, user_id: str) -> str | None:
        row = DirectChat.get_or_none(DirectChat.user_id == user_id)
        return row.room_id if row else None

    def direct_chat_user(self, room_id: str) -> str | None:
        row = DirectChat.get_or_none(DirectChat.room_id == room_id)
        return row.user_id if row else None

    def set_direct_chat(self, user_id: str, room_id: str) -> None:
        DirectChat.delete().where(DirectChat.room_id == room_id).execute()
        upsert(DirectChat, user_id=user_id, room_id=room_id)

    def forget_direct_chat(self, room_id: str) -> None:
        """That room is no direct chat any more (someone else is in it)."""
        DirectChat.delete().where(DirectChat.room_id == room_id).execute()

    def is_confidential_room(self, room_id: str) -> bool:
        """A direct chat, or a room made for a report or for the other grievance officers: room keys
        go only to cross-signed devices."""
        if DirectChat.get_or_none(DirectChat.room_id == room_id):
            return True
        report_rooms = Mark.name.startswith(f"{keys.REPORT_ROOM}:")
        return (Mark.select().where(report_rooms & (Mark.value == room_id)).exists()
                or self.made_for(room_id) is not None)

    def made_for(self, room_id: str) -> str | None:
        return marks.made_for(room_id)
