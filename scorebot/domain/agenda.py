"""A meeting's agenda as plain rules: items with timeboxes, the one open now, its time left, and
what the bot says about them. "Meeting agendas are always full": the box keeps an item in shape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from scorebot.domain.text import Text, code, join, plain

# "Budget 10m", "Budget [10 min]", "Budget (1h)": the timebox closes the line, with its unit.
_TIMEBOX = re.compile(r"\s*[\[(]?\s*(\d{1,3})\s*(h|hours?|m|mins?|minutes?|s|secs?|seconds?)\s*[\])]?\s*$",
                      re.IGNORECASE)
_UNIT = {"h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    timebox: int | None  # seconds
    opened_at: int | None = None
    closed_at: int | None = None
    overtime_told: bool = False

    def seconds_left(self, now: int) -> float | None:
        if self.timebox is None or self.opened_at is None:
            return None
        return self.timebox - (now - self.opened_at) / 1000


def parse_item(line: str) -> tuple[str, int | None] | None:
    """A title and its timebox in seconds, from one line; None for an empty line."""
    line = line.strip().lstrip("-*•").strip()
    match = _TIMEBOX.search(line)
    title, seconds = line, None
    if match and match.start() > 0:
        title = line[: match.start()].strip()
        seconds = int(match.group(1)) * _UNIT[match.group(2)[0].lower()]
    return (title, seconds) if title else None


def parse_items(text: str) -> list[tuple[str, int | None]]:
    """One item a line; blank lines are skipped."""
    return [item for item in map(parse_item, text.splitlines()) if item]


def current(items: list[Item]) -> Item | None:
    return next((i for i in items if i.opened_at is not None and i.closed_at is None), None)


def upcoming(items: list[Item]) -> list[Item]:
    return [i for i in items if i.opened_at is None]


def runs_over(item: Item | None, now: int) -> bool:
    """Whether the facilitator should be told now that the item's box has run out (once only)."""
    left = item.seconds_left(now) if item else None
    return left is not None and left <= 0 and not item.overtime_told


def minutes(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds % 60:
        return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 60} min"


def time_left(item: Item, now: int) -> str | None:
    """"4 min left", "2 min over", for the board; None with no box."""
    left = item.seconds_left(now)
    if left is None:
        return None
    whole = int(abs(left) + 59) // 60 if abs(left) >= 60 else None
    amount = f"{whole} min" if whole else f"{int(abs(left))} s"
    return f"{amount} left" if left > 0 else ("time is up" if left > -1 else f"{amount} over")


def board_line(item: Item | None, now: int) -> str | None:
    """The board's agenda line: the current item and the time left in its box."""
    if item is None:
        return None
    left = time_left(item, now)
    return f"📌 Now: {item.title}" + (f" ({left})" if left else "")


def render_agenda(items: list[Item], now: int) -> Text:
    if not items:
        return plain("The agenda is empty. A facilitator can add items with ") + code("!agenda add TITLE [10m]") \
            + plain(".")
    rows = []
    for index, item in enumerate(items, 1):
        box = f" · {minutes(item.timebox)}" if item.timebox else ""
        state = " · done" if item.closed_at else (" · now" if item.opened_at else "")
        rows.append(f"{index}. {item.title}{box}{state}")
    return Text("\n".join(["📌 Agenda", *rows]),
                "<b>📌 Agenda</b><ol>" + "".join(f"<li>{escape(r.split('. ', 1)[1])}</li>" for r in rows) + "</ol>")


def added(count: int) -> str:
    return f"Added {count} item{'s' if count != 1 else ''} to the agenda."


NOTHING_TO_ADD = "Write the item after the command, one a line, with its timebox at the end: “Budget 10m”."
AGENDA_DONE = plain("That was the last item on the agenda. 🎉")


def taken_up(item: Item, number: int) -> Text:
    box = f" ({minutes(item.timebox)})" if item.timebox else ""
    return plain(f"📌 Item {number}: {item.title}{box}.")


def still_waiting(names: list[str], kept: bool) -> Text:
    """The one line naming who was still on the stack when an item closed."""
    if not names:
        return plain("")
    who = ", ".join(names)
    if kept:
        return plain(f" The stack carries over: {who}.")
    return plain(f" Still waiting when it closed: {who}. To carry the stack over, use ") + code("!agenda next keep") \
        + plain(" next time, or add them again.")


def over_time(facilitators: list[Text], title: str) -> Text:
    return join(facilitators, ", ") + plain(f": the time for “{title}” is up. Move on with ") \
        + code("!agenda next") + plain(", or take a moment to agree on more time. Thank you!")
