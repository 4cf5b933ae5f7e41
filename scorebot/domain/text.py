"""Messages as both plain text and HTML, with mention pills that Element shows as names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape


@dataclass(frozen=True)
class Text:
    """A message in plain text and HTML, with the users it mentions (`m.mentions`)."""

    plain: str
    html: str
    mentions: tuple[str, ...] = ()

    def __add__(self, other: Text | str) -> Text:
        other = other if isinstance(other, Text) else plain(other)
        mentions = self.mentions + tuple(m for m in other.mentions if m not in self.mentions)
        return Text(self.plain + other.plain, self.html + other.html, mentions)


def plain(text: str) -> Text:
    return Text(text, escape(text).replace("\n", "<br>"))


def pill(user_id: str, name: str | None = None) -> Text:
    """A mention: Element renders the link as a pill and notifies the person."""
    shown = name or user_id
    return Text(shown, f'<a href="https://matrix.to/#/{escape(user_id)}">{escape(shown)}</a>', (user_id,))


def code(text: str) -> Text:
    return Text(text, f"<code>{escape(text)}</code>")


def bold(text: str) -> Text:
    return Text(text, f"<b>{escape(text)}</b>")


def join(parts: list[Text | str], separator: Text | str = "") -> Text:
    result = plain("")
    for index, part in enumerate(parts):
        if index:
            result = result + separator
        result = result + part
    return result


def lines(parts: list[Text | str]) -> Text:
    return join(parts, Text("\n", "<br>"))


def count_of(number: int, thing: str, things: str | None = None) -> str:
    """ "1 step", "2 steps": never "1 steps" or "approval(s)"."""
    return f"{number} {thing if number == 1 else things or thing + 's'}"


def message_link(room_id: str, event_id: str, label: str) -> Text:
    """A link that opens one message in Element (matrix.to), never a raw event ID."""
    url = f"https://matrix.to/#/{room_id}/{event_id}"
    return Text(f"{label}: {url}", f'<a href="{escape(url)}">{escape(label)}</a>')


def utc_time(ms: int) -> str:
    """A moment as staff and members read it in notices: "2026-03-14 18:30 UTC"."""
    return f"{datetime.fromtimestamp(ms / 1000, UTC):%Y-%m-%d %H:%M} UTC"


def quoted(words: str) -> str:
    """Someone's words in quotes, closing a sentence: one full stop, never “Like this.”."""
    return f"“{words}”" + ("" if words.rstrip().endswith((".", "!", "?", "…")) else ".")
