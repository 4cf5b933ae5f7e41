"""Version 20: a reaction the bot will put keeps its emoji as `emoji`, no longer `key` (a key is
the name of a message the bot remembers). Reactions still waiting in the outbox are rewritten."""

from __future__ import annotations

from peewee import Database

VERSION = 20
DESCRIPTION = "a waiting reaction's emoji kept as emoji, no longer key"


def apply(db: Database) -> None:
    # In the outbox's JSON a quote inside a string is escaped, so '"key": "' is only ever the field
    # (and not "target_key", whose quote comes before "target").
    p = db.param
    db.execute_sql(f'UPDATE "outbox" SET "payload" = REPLACE("payload", {p}, {p}) '
                   f'WHERE "kind" = {p} AND "payload" LIKE {p}', ('"key": "', '"emoji": "', "React", '%"key": "%'))
