"""Deleted means deleted on disk, not only in the tables.

SQLite in WAL mode writes every change to `scorebot.db-wal` first and copies it into the database
file only at a checkpoint, so a deleted row (a ballot's choices, a withdrawn priority, the text of
a delivered report, dropped from the outbox once sent) stays readable in the WAL until then: a
crash or a copy of `data/` in between keeps it. A deletion path calls `erase_after_commit()`; once
its transaction is committed, the store checkpoints with TRUNCATE: the pages go into the database
file, where `secure_delete` has zeroed the deleted rows, and the WAL is emptied. On PostgreSQL the
rows are gone from every query at once; what VACUUM does with the space is in the README.
"""

from __future__ import annotations

import logging
import threading

from peewee import Database, SqliteDatabase

from scorebot.store.models import Outbox

log = logging.getLogger(__name__)

_asked = threading.local()


def erase_after_commit() -> None:
    """Ask for a checkpoint once the running transaction is committed."""
    _asked.wanted = True


def forget_sent(action_id: int) -> None:
    """An outbox entry's text is about to be dropped (it went out): if it was confidential (anything
    said in a direct chat, such as an IGO's answer, or in a report's or a case's thread), ask for a
    checkpoint. Other texts (boards, answers in shared rooms) are left to SQLite's own checkpoints."""
    row = Outbox.get_or_none(Outbox.id == action_id)
    if row and (row.kind == "SendDirect" or any(f'"thread_key": "{key}:' in row.payload for key in ("report", "case"))
                or '"room_key": "' in row.payload):
        erase_after_commit()


def settle(db: Database) -> None:
    """After a commit: checkpoint if a deletion asked for one. Outside any transaction."""
    if not getattr(_asked, "wanted", False):
        return
    _asked.wanted = False
    checkpoint(db)


def checkpoint(db: Database) -> bool:
    """Empty the WAL into the database file; False if a reader kept part of it (tried again later)."""
    if not isinstance(db, SqliteDatabase):
        return True
    busy, _, _ = db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        _asked.wanted = True  # another process is reading (a backup): the next commit tries again
        log.warning("The database is busy; deleted rows are cleared from its log at the next change")
    return not busy
