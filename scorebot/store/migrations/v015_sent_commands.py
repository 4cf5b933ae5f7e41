"""Version 15: the commands members sent (a digest, never the text), so an edit runs one at most
once, and the bot's last answer to each member, so a flood is not fed."""

from __future__ import annotations

from peewee import Database

from scorebot.store.models import LastAnswer, SentCommand

VERSION = 15
DESCRIPTION = "sent commands and last answers, for edits and floods"


def apply(db: Database) -> None:
    with db.bind_ctx([SentCommand, LastAnswer]):
        db.create_tables([SentCommand, LastAnswer])
