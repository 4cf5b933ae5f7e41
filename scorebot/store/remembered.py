"""Messages the bot sent and may come back to: a board it edits, a case's thread, a proposal people
react to. Each is remembered under a key (`domain.keys`), so a reaction or a reply finds what it is
about."""

from __future__ import annotations

from scorebot.store.models import Outbox, RememberedMessage, upsert


class RememberedMessages:
    def remember(self, key: str, room_id: str, event_id: str) -> None:
        upsert(RememberedMessage, key=key, room_id=room_id, event_id=event_id)

    def recall(self, key: str) -> str | None:
        row = RememberedMessage.get_or_none(RememberedMessage.key == key)
        return row.event_id if row else None

    def key_of(self, event_id: str) -> str | None:
        """The key a message the bot sent was remembered under (a proposal, a case thread...)."""
        row = RememberedMessage.get_or_none(RememberedMessage.event_id == event_id)
        return row.key if row else None

    def sent_by_the_bot(self, event_id: str) -> bool:
        """Whether the bot itself sent this event (as long as its outbox row is kept)."""
        return Outbox.select().where(Outbox.result_event_id == event_id).exists()


remembered = RememberedMessages()
