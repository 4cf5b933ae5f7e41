"""The real bot's database, read (and set back) from a test: what the bot decided, not only what showed.

The homeserver refuses a second identical reaction (same sender, key and message), so a ✅ decided
twice still shows once in the room; the bot's outbox keeps every action it decided, sent or refused,
with the event that led to it. A test that says "confirmed once" counts those.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from scorebot.config import load_config
from scorebot.store import Store
from scorebot.store.models import Outbox
from tests.support.bot import BotProcess


def database_of(bot: BotProcess) -> str:
    """The database URL the bot uses (its SQLite file under data/, or a PostgreSQL URL)."""
    return load_config(bot.config_path).database_url


@contextmanager
def opened(url: str) -> Iterator[Store]:
    """The bot's store, opened beside the running bot (or while it is down); never migrated here."""
    store = Store(url)
    try:
        assert store.open() == [], "the bot's database was not up to date"
        yield store
    finally:
        store.close()


def reactions_decided(url: str, event_ids: list[str]) -> list[int]:
    """For each event, how many reactions (the ✅) the bot decided to put because of it."""
    with opened(url):
        return [Outbox.select().where((Outbox.kind == "React") & (Outbox.source_event_id == event_id)).count()
                for event_id in event_ids]


def saved_position(url: str) -> str | None:
    """Where in the homeserver's stream of events the bot will resume after a restart."""
    with opened(url) as store:
        return store.sync_token()


def put_back_position(url: str, token: str) -> None:
    """Set the saved position back, with the bot down: the state a kill leaves when it falls after
    events were handled and before the position past them was saved, so a restart receives them again."""
    with opened(url) as store:
        store.set_sync_token(token)
