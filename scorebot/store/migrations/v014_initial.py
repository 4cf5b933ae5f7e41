"""The initial schema, version 14, frozen as SQL for each database (`v014_initial.sqlite.sql`,
`v014_initial.postgresql.sql`), so a database made today and one made a year from now start alike.

Versions 1 to 13 were written while nothing was installed yet, and are folded in here. Never edit
the SQL files: a change to the schema is a later step."""

from __future__ import annotations

from pathlib import Path

from peewee import Database, PostgresqlDatabase

VERSION = 14
DESCRIPTION = "the initial schema: meetings, culture, cases, reports, brigading, revisions and the outbox"


def apply(db: Database) -> None:
    dialect = "postgresql" if isinstance(db, PostgresqlDatabase) else "sqlite"
    script = (Path(__file__).parent / f"v014_initial.{dialect}.sql").read_text()
    for statement in script.split(";\n"):
        lines = [line for line in statement.splitlines() if not line.startswith("--")]
        if "".join(lines).strip():
            db.execute_sql("\n".join(lines))
