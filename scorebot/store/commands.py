"""Commands members sent and the bot's last answer to each member: digests only, never the text
(a command may be a report typed in the wrong room)."""

from __future__ import annotations

from dataclasses import dataclass

from scorebot.store import models as m

KEPT_MS = 24 * 3600 * 1000  # an edit after a day runs nothing anyway


@dataclass(frozen=True)
class Sent:
    event_id: str
    sender: str
    digest: str
    ran: bool
    at: int


class SentCommands:
    def sent(self, event_id: str, room_id: str, sender: str, digest: str, ran: bool, at: int) -> None:
        m.upsert(m.SentCommand, event_id=event_id, room_id=room_id, sender=sender, digest=digest, ran=ran, at=at)
        m.SentCommand.delete().where(m.SentCommand.at < at - KEPT_MS).execute()

    def get(self, event_id: str) -> Sent | None:
        row = m.SentCommand.get_or_none(m.SentCommand.event_id == event_id)
        return Sent(row.event_id, row.sender, row.digest, row.ran, row.at) if row else None

    def last_answer(self, room_id: str, user_id: str) -> tuple[int, str] | None:
        row = m.LastAnswer.get_or_none((m.LastAnswer.room_id == room_id) & (m.LastAnswer.user_id == user_id))
        return (row.at, row.digest) if row else None

    def answered(self, room_id: str, user_id: str, digest: str, at: int) -> None:
        m.upsert(m.LastAnswer, room_id=room_id, user_id=user_id, digest=digest, at=at)


sent_commands = SentCommands()
