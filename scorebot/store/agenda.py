"""A meeting's agenda: its items in order, each open from when it was taken up until it was closed."""

from __future__ import annotations

from scorebot.domain.agenda import Item
from scorebot.store.models import AgendaItem


def _item(row: AgendaItem) -> Item:
    return Item(row.id, row.title, row.timebox, row.opened_at, row.closed_at, bool(row.overtime_told))


class Agenda:
    def items(self, meeting_id: int) -> list[Item]:
        rows = AgendaItem.select().where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.id)
        return [_item(r) for r in rows]

    def add(self, meeting_id: int, title: str, timebox: int | None) -> Item:
        return _item(AgendaItem.create(meeting_id=meeting_id, title=title, timebox=timebox))

    def open(self, item_id: int, at: int) -> None:
        AgendaItem.update(opened_at=at).where(AgendaItem.id == item_id).execute()

    def close(self, item_id: int, at: int) -> None:
        AgendaItem.update(closed_at=at).where(AgendaItem.id == item_id).execute()

    def told_overtime(self, item_id: int) -> None:
        AgendaItem.update(overtime_told=True).where(AgendaItem.id == item_id).execute()


agenda = Agenda()
