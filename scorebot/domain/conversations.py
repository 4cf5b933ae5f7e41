"""Which conversation a member's message in their direct chat continues: a report (to its thread),
a case (to the moderators), a ballot, or none.

It is decided from explicit state only: the bot's message the member replied to (Element's reply
relation), else the one conversation open in that chat. When several are open and the member
replied to none of them, the bot asks, and passes nothing on until the member answers; so a warned
member's words about a report never reach the moderators by accident of which feature answered first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from scorebot.domain import keys


class Topic(Enum):
    REPORT = "report"  # their report, read by the grievance officers
    CASE = "case"  # their case, read by the moderators
    BALLOT = "ballot"  # a secret ballot they may vote in


# The bot's own direct messages that open or carry on each conversation, by their key's kind.
_KEY_KINDS = {"report-dm": Topic.REPORT, keys.CASE_NOTE: Topic.CASE, keys.BALLOT_NOTE: Topic.BALLOT}


@dataclass(frozen=True)
class Conversation:
    topic: Topic
    number: int  # the report's, the case's or the revision proposal's number


@dataclass(frozen=True)
class Ask:
    """Several conversations are open and the member replied to none: ask which one."""

    choices: tuple[Conversation, ...]


def replied_to(key: str | None) -> Conversation | None:
    """The conversation of the bot's message a member replied to, from the key it was kept under."""
    for kind, topic in _KEY_KINDS.items():
        number = keys.number_in(key, kind)
        if number is not None:
            return Conversation(topic, number)
    return None


def owner(replied: Conversation | None, open_now: list[Conversation]) -> Conversation | Ask | None:
    """The conversation a message continues: the one replied to, else the only one open; None when
    none is open (the message is about nothing the bot carries), `Ask` when it cannot tell."""
    if replied is not None:
        return replied
    if len(open_now) == 1:
        return open_now[0]
    in_order = sorted(open_now, key=lambda c: (list(Topic).index(c.topic), c.number))  # the same every time
    return Ask(tuple(in_order)) if open_now else None


def chosen(answer: str, choices: tuple[Conversation, ...]) -> Conversation | None:
    """The member's answer to the question: the number of one of the choices, as listed."""
    answer = answer.strip().rstrip(".").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(choices):
        return choices[int(answer) - 1]
    return None


def held(words: str, choices: tuple[Conversation, ...]) -> str:
    """What is kept while the member is asked: their words and the choices (see `unheld`)."""
    return json.dumps({"words": words, "choices": [[c.topic.value, c.number] for c in choices]})


def unheld(kept: str | None) -> tuple[str, tuple[Conversation, ...]] | None:
    if not kept:
        return None
    data = json.loads(kept)
    return data["words"], tuple(Conversation(Topic(topic), number) for topic, number in data["choices"])
