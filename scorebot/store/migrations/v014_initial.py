"""The initial schema, version 14: every table as `store/models.py` declares it. It also creates a
new database at the newest schema (the models as they are then).

Versions 1 to 13 were written while nothing was installed yet, and are folded in here."""

from __future__ import annotations

from peewee import Database

from scorebot.store.models import MODELS

VERSION = 14
DESCRIPTION = "the initial schema: meetings, culture, cases, reports, brigading, revisions and the outbox"


def apply(db: Database) -> None:
    with db.bind_ctx(MODELS):
        db.create_tables(MODELS)
