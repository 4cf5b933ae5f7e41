"""Version 16: a member who leaves a meeting's room is no longer counted present in it, and the
minutes still name them as the room did."""

from __future__ import annotations

from peewee import BigIntegerField, CharField, Database
from playhouse.migrate import SchemaMigrator, migrate

VERSION = 16
DESCRIPTION = "meetingattendance.left_at and name: when someone counted present left, and their name"


def apply(db: Database) -> None:
    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("meetingattendance", "left_at", BigIntegerField(null=True)),
            migrator.add_column("meetingattendance", "name", CharField(null=True)))
