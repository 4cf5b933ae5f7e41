"""Version 17: what facilitators run a meeting with. Each stack entry has a kind (a new point, a
direct response, a point of process); a meeting has an agenda of timeboxed items, and a secret token
for its projector page."""

from __future__ import annotations

from peewee import Database, PostgresqlDatabase

VERSION = 17
DESCRIPTION = "stack entry kinds, agenda items with timeboxes, and the projector page's token"


def apply(db: Database) -> None:
    postgres = isinstance(db, PostgresqlDatabase)
    serial, big, boolean = ("SERIAL", "BIGINT", "BOOLEAN") if postgres else ("INTEGER", "INTEGER", "INTEGER")
    db.execute_sql("ALTER TABLE \"stackentry\" ADD COLUMN \"kind\" VARCHAR(255) NOT NULL DEFAULT 'point'")
    db.execute_sql('ALTER TABLE "meeting" ADD COLUMN "board_token" VARCHAR(255)')
    db.execute_sql('CREATE UNIQUE INDEX "meeting_board_token" ON "meeting" ("board_token")')
    db.execute_sql(
        f'CREATE TABLE "agendaitem" ("id" {serial} NOT NULL PRIMARY KEY, "meeting_id" INTEGER NOT NULL, '
        f'"title" TEXT NOT NULL, "timebox" INTEGER, "opened_at" {big}, "closed_at" {big}, '
        f'"overtime_told" {boolean} NOT NULL)')
    db.execute_sql('CREATE INDEX "agendaitem_meeting_id" ON "agendaitem" ("meeting_id")')
