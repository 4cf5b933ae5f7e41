"""Version 19: a member who leaves a meeting's room is no longer counted present in it."""

from __future__ import annotations

from peewee import BigIntegerField, Database
from playhouse.migrate import SchemaMigrator, migrate

VERSION = 19
DESCRIPTION = "meetingattendance.left_at: when someone counted present left the meeting's room"


def apply(db: Database) -> None:
    if "left_at" in {column.name for column in db.get_columns("meetingattendance")}:
        return  # made by the initial step from models that already had it
    migrate(SchemaMigrator.from_database(db).add_column("meetingattendance", "left_at", BigIntegerField(null=True)))
