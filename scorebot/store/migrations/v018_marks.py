"""Version 18: the table of the bot's own marks (the sync position, room-creation intents, how far
the homeserver's reports were read, open conversations) is called `mark`, no longer `setting`: none
of it is set by anyone. Its key column is the mark's `name`."""

from __future__ import annotations

from peewee import Database, PostgresqlDatabase

VERSION = 18
DESCRIPTION = "the setting table renamed mark, its key column name"


def apply(db: Database) -> None:
    db.execute_sql('ALTER TABLE "setting" RENAME TO "mark"')
    db.execute_sql('ALTER TABLE "mark" RENAME COLUMN "key" TO "name"')
    if isinstance(db, PostgresqlDatabase):  # SQLite's key index has no name of its own
        db.execute_sql('ALTER INDEX "setting_pkey" RENAME TO "mark_pkey"')
