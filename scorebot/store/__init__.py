"""Everything the bot must not forget, behind one small API.

peewee is synchronous, so the bot runs all database work in one dedicated thread (`Store.run`):
the event loop never waits on a disk, and each signal's changes, outgoing actions and "handled"
mark are committed together in one short transaction. Command-line tools use the same methods
directly.

The parts that keep a family of features' records (meetings, cases, reports...) load on first use,
with the domain classes they read and write: at a start the bot reads its sync position, and asks
for its first sync, before it builds those classes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from peewee import Database, SqliteDatabase

from scorebot.store import erasure
from scorebot.store.marks import marks
from scorebot.store.migrations import Migration, SchemaTooNew, upgrade
from scorebot.store.models import (
    MODELS,
    HandledEvent,
    Outbox,
    WaitingEvent,
    insert_row,
)
from scorebot.store.outbox import OutboxRecords, PendingAction, _now_ms
from scorebot.store.remembered import remembered
from scorebot.store.rooms import RoomRecords

if TYPE_CHECKING:
    from scorebot.store.agenda import Agenda
    from scorebot.store.cases import Cases
    from scorebot.store.culture import Culture
    from scorebot.store.meetings import Meetings
    from scorebot.store.reports import Reports
    from scorebot.store.revisions import Revisions

T = TypeVar("T")
log = logging.getLogger(__name__)

__all__ = ["PendingAction", "SchemaTooNew", "Store", "StoreError"]


class StoreError(Exception):
    pass


def _log_failure(future: asyncio.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("The database could not record a change", exc_info=future.exception())


def open_database(url: str) -> Database:
    """Connect to `url`; an SQLite file is made private to its owner and put in WAL mode."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return SqliteDatabase(
            str(path),
            pragmas={
                "journal_mode": "wal",
                "synchronous": "normal",
                "foreign_keys": 1,
                "busy_timeout": 5000,
                "secure_delete": 1,  # deleted rows (a ballot's choices, an old report) are overwritten
            },
        )
    from playhouse.db_url import connect  # PostgreSQL's driver and the rest: only when a URL asks for them

    try:
        return connect(url)
    except Exception as error:  # peewee raises plain errors for unknown schemes
        raise StoreError(f"cannot use database {url.split('://')[0]}://…: {error}") from None


class Store(OutboxRecords, RoomRecords):
    """The facade the features see; the outbox's and the rooms' records are its parts."""

    def __init__(self, url: str):
        self.url = url
        self.db = open_database(url)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")

    # -- the features' records, for the command line, the projector page and tests ---------
    # (a feature imports the parts it uses itself; these load on first use, after a start's
    # first sync has been asked for)

    @cached_property
    def meetings(self) -> Meetings:
        from scorebot.store.meetings import meetings
        return meetings

    @cached_property
    def agenda(self) -> Agenda:
        from scorebot.store.agenda import agenda
        return agenda

    @cached_property
    def culture(self) -> Culture:
        from scorebot.store.culture import culture
        return culture

    @cached_property
    def cases(self) -> Cases:
        from scorebot.store.cases import cases
        return cases

    @cached_property
    def reports(self) -> Reports:
        from scorebot.store.reports import reports
        return reports

    @cached_property
    def revisions(self) -> Revisions:
        from scorebot.store.revisions import revisions
        return revisions

    def open(self) -> list[Migration]:
        """Connect and bring the schema up to date; return the migrations applied."""
        self.db.bind(MODELS)
        self.db.connect(reuse_if_open=True)
        return upgrade(self.db)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        if not self.db.is_closed():
            self.db.close()

    async def run(self, work: Callable[..., T], *args) -> T:
        """Run `work(*args)` in the store's thread, inside one transaction."""
        return await self._submit(work, *args)

    def later(self, work: Callable[..., object], *args) -> asyncio.Future:
        """Queue `work(*args)` for the store's thread, in one transaction, without waiting for it.

        The thread takes work in the order it is asked, so whatever is asked of the store after
        this (a `run`, another `later`) sees what it wrote. A failure is logged."""
        future = self._submit(work, *args)
        future.add_done_callback(_log_failure)
        return future

    def _submit(self, work: Callable[..., T], *args) -> asyncio.Future[T]:
        """Hand `work` to the thread now (not when a task first runs), so the order of asking holds."""

        def atomic() -> T:
            with self.db.atomic():
                result = work(*args)
            erasure.settle(self.db)  # a deletion's rows leave the WAL too (see `store.erasure`)
            return result

        return asyncio.get_running_loop().run_in_executor(self._thread, atomic)

    # -- marks --------------------------------------------------------------------------------

    def mark(self, name: str) -> str | None:
        return marks.get(name)

    def set_mark(self, name: str, value: str) -> None:
        marks.set(name, value)

    def instance_id(self) -> str:
        """A random name for this database, so transaction IDs never collide with another's."""
        value = self.mark("instance_id")
        if value is None:
            value = secrets.token_hex(6)
            self.set_mark("instance_id", value)
        return value

    def sync_token(self) -> str | None:
        return self.mark("sync_token")

    def set_sync_token(self, token: str) -> None:
        self.set_mark("sync_token", token)

    # -- exactly-once handling -------------------------------------------------------------

    def was_handled(self, event_id: str) -> bool:
        # Asked for every event: plain SQL, which peewee would otherwise build anew each time.
        sql = f"SELECT 1 FROM {HandledEvent._meta.table_name} WHERE event_id = {self.db.param} LIMIT 1"
        return self.db.execute_sql(sql, (event_id,)).fetchone() is not None

    def note_handled(self, event_id: str, room_id: str) -> None:
        insert_row(HandledEvent, ignore_existing=True, event_id=event_id, room_id=room_id, handled_at=_now_ms())

    def prune(self, older_than: int) -> tuple[int, int]:
        """Forget which events were handled, and the finished actions, from before `older_than` (ms).

        A restart replays only what came after the last saved sync position, so older records of
        handling guard against nothing; without this both tables would grow for as long as the bot runs."""
        handled = HandledEvent.delete().where(HandledEvent.handled_at < older_than).execute()
        actions = Outbox.delete().where((Outbox.state != "pending") & (Outbox.created_at < older_than)).execute()
        return handled, actions

    # -- messages the bot sent and may edit later ------------------------------------------

    def remember(self, key: str, room_id: str, event_id: str) -> None:
        remembered.remember(key, room_id, event_id)

    def recall(self, key: str) -> str | None:
        return remembered.recall(key)

    def key_of(self, event_id: str) -> str | None:
        return remembered.key_of(event_id)

    # -- encrypted events waiting for their key ----------------------------------------------

    def keep_waiting(self, event_id: str, room_id: str, sender: str, source: str, at: int) -> None:
        WaitingEvent.insert(event_id=event_id, room_id=room_id, sender=sender, source=source,
                            received_at=at).on_conflict_ignore().execute()

    def waiting_events(self) -> list[tuple[str, str, str, str, int]]:
        rows = WaitingEvent.select().order_by(WaitingEvent.received_at)
        return [(r.event_id, r.room_id, r.sender, r.source, r.received_at) for r in rows]

    def stop_waiting(self, event_id: str) -> None:
        WaitingEvent.delete().where(WaitingEvent.event_id == event_id).execute()
