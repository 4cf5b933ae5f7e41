"""Oops/Ouch and plain language, as plain rules.

"Ouch" puts a pin in a moment so it can be discussed after the current item; "oops" from the one
who said it acknowledges that the message was received. Neither is a verdict: the bot names the
moment, never judges it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OUCH = re.compile(r"^\s*ouch\b", re.IGNORECASE)
_OOPS = re.compile(r"^\s*oops\b", re.IGNORECASE)
HURT_EMOJI = ("🤕",)


def is_ouch(text: str) -> bool:
    return bool(_OUCH.match(text))


def is_oops(text: str) -> bool:
    return bool(_OOPS.match(text))


@dataclass(frozen=True)
class Ouch:
    """A moment someone said "ouch" about: which message, whose, and what it said."""

    id: int
    room_id: str
    event_id: str
    author: str
    quote: str
    at: int
    notice_event_id: str | None = None
    acknowledged_at: int | None = None


@dataclass(frozen=True)
class OuchTarget:
    event_id: str


@dataclass(frozen=True)
class AskWhichMessage:
    """An ouch with nothing to pin: outside a meeting, and not a reply."""


def ouch_target(reply_to: str | None, speakers_last_message: str | None) -> OuchTarget | AskWhichMessage:
    """What an "ouch" pins: the message it replies to, else the current speaker's last message."""
    if reply_to:
        return OuchTarget(reply_to)
    if speakers_last_message:
        return OuchTarget(speakers_last_message)
    return AskWhichMessage()


def acknowledged_by(open_ouches: list[Ouch], sender: str, reply_to: str | None, now: int,
                    window_ms: int) -> Ouch | None:
    """The ouch an "oops" acknowledges, if any: only its author's, by reply or within the window."""
    mine = [p for p in open_ouches if p.author == sender and p.acknowledged_at is None]
    if reply_to is not None:
        return next((p for p in mine if reply_to in (p.event_id, p.notice_event_id)), None)
    recent = [p for p in mine if now - p.at <= window_ms]
    return max(recent, key=lambda p: p.at, default=None)


def term_key(term: str) -> str:
    """Glossary lookups ignore case, spaces at the ends, and dots in acronyms (I.G.O. = IGO)."""
    return re.sub(r"\s+", " ", term.strip().rstrip("?").replace(".", "")).casefold()


def quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
