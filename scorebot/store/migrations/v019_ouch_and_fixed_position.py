"""Version 19: one name per meaning. The table of ouches is `ouch`, no longer `pin`, and a stack
entry's facilitator-given place is `fixed_position`, no longer `pinned`. The bot's note on an ouch
is remembered under `ouch:{room}:{event}`, no longer `pin:…`: the remembered messages, the ouches
that name their note, and actions still waiting in the outbox are rewritten, so "oops" still edits
the note of an ouch made before the upgrade."""

from __future__ import annotations

from peewee import Database, PostgresqlDatabase

VERSION = 19
DESCRIPTION = "the pin table renamed ouch, stackentry.pinned renamed fixed_position, ouch notes keyed ouch:"

# Fields of an action as the outbox keeps it (codec.dump's JSON): a quote inside a string is escaped
# there, so these only ever match a field, never words someone wrote.
_OUTBOX_FIELDS = ('"remember": "', '"key": "')


def apply(db: Database) -> None:
    db.execute_sql('ALTER TABLE "pin" RENAME TO "ouch"')
    db.execute_sql('DROP INDEX "pin_meeting_id"')
    db.execute_sql('CREATE INDEX "ouch_meeting_id" ON "ouch" ("meeting_id")')
    if isinstance(db, PostgresqlDatabase):  # SQLite names neither its key index nor its counter
        db.execute_sql('ALTER INDEX "pin_pkey" RENAME TO "ouch_pkey"')
        db.execute_sql('ALTER SEQUENCE "pin_id_seq" RENAME TO "ouch_id_seq"')
    db.execute_sql('ALTER TABLE "stackentry" RENAME COLUMN "pinned" TO "fixed_position"')

    p = db.param  # every literal goes as a parameter: '%' means something to the PostgreSQL driver
    for table, column in (("rememberedmessage", "key"), ("ouch", "notice_key")):
        db.execute_sql(f'UPDATE "{table}" SET "{column}" = {p} || SUBSTR("{column}", 5) WHERE "{column}" LIKE {p}',
                       ("ouch:", "pin:%"))
    for field in _OUTBOX_FIELDS:
        db.execute_sql(f'UPDATE "outbox" SET "payload" = REPLACE("payload", {p}, {p}) WHERE "payload" LIKE {p}',
                       (field + "pin:", field + "ouch:", f"%{field}pin:%"))
