"""Numbered, described schema changes, one module each, so an old data folder keeps working.

Every database, new or old, runs the same chain: a new one starts with the initial schema (frozen
as SQL, version 14), then every later step, exactly as a database made by an older scorebot runs the
steps after its version. Each step runs in its own transaction and its version is recorded with it,
so fresh and upgraded databases cannot drift apart (a test compares the chain's result with the
models, on SQLite and PostgreSQL). A database newer than this code is refused: the code would not
know what the newer tables mean.

To change the schema: change `store/models.py`, and add the next module here (`v015_….py`, with
`VERSION`, `DESCRIPTION` and `apply(db)`) that brings a database of the version before to it, on
both SQLite and PostgreSQL; list it in `STEPS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from peewee import BigIntegerField, Database, IntegerField, Model, TextField

from scorebot.store.migrations import (
    v014_initial,
    v015_sent_commands,
    v016_attendance_left,
    v017_meeting_tools,
    v018_marks,
    v019_ouch_and_fixed_position,
    v020_reaction_emoji,
)

STEPS = [v014_initial, v015_sent_commands, v016_attendance_left, v017_meeting_tools, v018_marks,
         v019_ouch_and_fixed_position, v020_reaction_emoji]


class SchemaTooNew(Exception):
    """The database is at a version this code does not know (newer, or from before the folding)."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Database], None]


MIGRATIONS = [Migration(step.VERSION, step.DESCRIPTION, step.apply) for step in STEPS]
INITIAL = MIGRATIONS[0].version


class SchemaVersion(Model):
    version = IntegerField(primary_key=True)
    description = TextField()
    applied_at = BigIntegerField()

    class Meta:
        table_name = "schema_version"


def current_version(db: Database) -> int:
    SchemaVersion._meta.set_database(db)
    if not SchemaVersion.table_exists():
        return 0
    return SchemaVersion.select().order_by(SchemaVersion.version.desc()).scalar() or 0


def upgrade(db: Database, migrations: list[Migration] | None = None) -> list[Migration]:
    """Bring the schema to the newest version; return what was applied."""
    migrations = MIGRATIONS if migrations is None else migrations
    latest = migrations[-1].version
    SchemaVersion._meta.set_database(db)
    with db.atomic():
        db.create_tables([SchemaVersion])
    found = current_version(db)
    if found > latest or 0 < found < migrations[0].version:
        raise SchemaTooNew(
            f"the database is at schema version {found}, which this scorebot does not know (it knows "
            f"{migrations[0].version} to {latest}); run the scorebot that made it, or restore a backup "
            "made by this version"
        )
    applied = []
    for step in migrations:
        if step.version > found:
            _apply(db, step)
            applied.append(step)
    return applied


def _apply(db: Database, step: Migration) -> None:
    with db.atomic():
        step.apply(db)
        SchemaVersion.create(version=step.version, description=step.description, applied_at=int(time.time()))
