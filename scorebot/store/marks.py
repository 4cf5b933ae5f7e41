"""Small named values kept beside the records (table `Mark`): the sync position, a room the bot
asked for and what it was made for, how far a reader of reports got, a question waiting in a
direct chat for its answer, when someone was last told they are on a meeting's stack. Their names
are made in `domain.keys`."""

from __future__ import annotations

from scorebot.domain import keys
from scorebot.store import erasure
from scorebot.store.models import Mark, upsert


class Marks:
    def get(self, name: str) -> str | None:
        row = Mark.get_or_none(Mark.name == name)
        return row.value if row else None

    def set(self, name: str, value: str) -> None:
        upsert(Mark, name=name, value=value)

    def forget(self, name: str) -> None:
        """Drop a mark that held private words (a direct chat's message waiting for "which one?"),
        from the disk too (see `erasure`)."""
        Mark.delete().where(Mark.name == name).execute()
        erasure.erase_after_commit()

    def forget_all(self, prefix: str) -> None:
        """Drop every mark whose name starts with `prefix` (a meeting's, once it is over)."""
        Mark.delete().where(Mark.name.startswith(prefix)).execute()

    def made_for(self, room_id: str) -> str | None:
        """The key of the report or case whose other grievance officers this room was made for."""
        if not room_id:
            return None  # "" marks a room asked for and not made yet: it is no room
        row = Mark.get_or_none(_officers_rooms() & (Mark.value == room_id))
        return row.name if row else None

    def officers_rooms(self) -> dict[str, str]:
        """Each room made for the other grievance officers, by its key (`keys.officers_room`); ""
        for one asked for and not made yet."""
        return {row.name: row.value for row in Mark.select().where(_officers_rooms())}


def _officers_rooms():
    """The marks naming a room made for the other grievance officers (a report's, or a case's)."""
    return Mark.name.startswith(f"{keys.OFFICERS_ROOMS[0]}:") | Mark.name.startswith(f"{keys.OFFICERS_ROOMS[1]}:")


marks = Marks()
