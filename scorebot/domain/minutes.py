"""Minutes of a meeting, from what was stored: the same text for the room and for export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

from scorebot.domain.agenda import minutes
from scorebot.domain.board import duration
from scorebot.domain.text import Text


@dataclass(frozen=True)
class SpokenTurn:
    name: str
    started_at: int
    ended_at: int
    clarification: bool = False  # a brief explanation: listed on its own, not a turn

    @property
    def seconds(self) -> float:
        return max(0, self.ended_at - self.started_at) / 1000


@dataclass(frozen=True)
class ItemPart:
    """One agenda item in the minutes: what happened while it was open (speakers, decisions, action
    items, ouches), each row already in words."""

    title: str
    timebox: int | None  # seconds
    opened_at: int | None
    closed_at: int | None
    rows: list[str] = field(default_factory=list)

    def heading(self) -> str:
        box = f"timebox {minutes(self.timebox)}" if self.timebox else ""
        if self.opened_at is None:
            took = "not reached"
        elif self.closed_at is None:
            took = "open when the meeting ended"
        else:
            took = f"took {duration((self.closed_at - self.opened_at) / 1000)}"
        return f"{self.title} ({', '.join(x for x in (box, took) if x)})"


def by_item(items: list[tuple[str, int | None, int | None, int | None]], rows: list[tuple[int, str]],
            ended_at: int) -> list[ItemPart]:
    """Each timed row under the item that was open at that moment; rows before the first item or
    between items are left out here (the meeting's own lists still have them)."""
    parts = []
    for title, timebox, opened, closed in items:
        inside = [text for at, text in sorted(rows, key=lambda r: r[0])
                  if opened is not None and opened <= at < (closed if closed is not None else ended_at + 1)]
        parts.append(ItemPart(title, timebox, opened, closed, inside))
    return parts


@dataclass(frozen=True)
class MinutesData:
    title: str
    facilitators: list[str]
    started_at: int
    ended_at: int
    turns: list[SpokenTurn]
    notes: list[tuple[int, str]] = field(default_factory=list)
    timezone: str = "UTC"
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # from other features
    agenda: list[ItemPart] = field(default_factory=list)


def _clock(ms: int, zone: str) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(ZoneInfo(zone))


def totals(turns: list[SpokenTurn]) -> list[tuple[str, int, float]]:
    """(name, turns, seconds) per person, in order of first turn."""
    result: dict[str, list] = {}
    for turn in turns:
        entry = result.setdefault(turn.name, [0, 0.0])
        entry[0] += 1
        entry[1] += turn.seconds
    return [(name, count, seconds) for name, (count, seconds) in result.items()]


def render_minutes(data: MinutesData) -> Text:
    start, end = _clock(data.started_at, data.timezone), _clock(data.ended_at, data.timezone)
    when = f"{start:%Y-%m-%d}, {start:%H:%M}–{end:%H:%M} ({data.timezone})"
    who = ", ".join(data.facilitators) or "nobody"
    md = [f"# Minutes: {data.title}", "", f"When: {when}", f"Facilitation: {who}", ""]
    html = [f"<h3>Minutes: {escape(data.title)}</h3>", f"<p>When: {escape(when)}<br>Facilitation: {escape(who)}</p>"]
    if data.agenda:
        md.append("## Agenda")
        html.append("<h4>Agenda</h4>")
        for number, part in enumerate(data.agenda, 1):
            md += [f"### {number}. {part.heading()}", *(f"- {row}" for row in part.rows), ""]
            html.append(f"<p><b>{number}. {escape(part.heading())}</b></p>")
            if part.rows:
                html.append("<ul>" + "".join(f"<li>{escape(row)}</li>" for row in part.rows) + "</ul>")
    md.append("## Speakers, in order")
    html.append("<h4>Speakers, in order</h4>")
    turns = [t for t in data.turns if not t.clarification]
    if turns:
        rows = [f"{_clock(t.started_at, data.timezone):%H:%M} {t.name}, {duration(t.seconds)}" for t in turns]
        md += [f"{i}. {row}" for i, row in enumerate(rows, 1)]
        html.append("<ol>" + "".join(f"<li>{escape(row)}</li>" for row in rows) + "</ol>")
        md += ["", "## Take space, make space"]
        html.append("<h4>Take space, make space</h4>")
        rows = [f"{name}: {count} turn{'s' if count != 1 else ''}, {duration(seconds)}"
                for name, count, seconds in totals(turns)]
        md += [f"- {row}" for row in rows]
        html.append("<ul>" + "".join(f"<li>{escape(row)}</li>" for row in rows) + "</ul>")
    else:
        md.append("Nobody took the floor.")
        html.append("<p>Nobody took the floor.</p>")
    if data.notes:
        md += ["", "## Notes"]
        rows = [f"{_clock(at, data.timezone):%H:%M} {text}" for at, text in data.notes]
        md += [f"- {row}" for row in rows]
        html += ["<h4>Notes</h4>", "<ul>" + "".join(f"<li>{escape(row)}</li>" for row in rows) + "</ul>"]
    clarifications = [f"{_clock(t.started_at, data.timezone):%H:%M} {t.name}, {duration(t.seconds)}"
                      for t in data.turns if t.clarification]
    for heading, rows in [("Points of clarification", clarifications), *data.sections]:
        if rows:
            md += ["", f"## {heading}"] + [f"- {row}" for row in rows]
            html += [f"<h4>{escape(heading)}</h4>", "<ul>" + "".join(f"<li>{escape(row)}</li>" for row in rows)
                     + "</ul>"]
    return Text("\n".join(md), "".join(html))


def clock(ms: int, zone: str) -> str:
    return f"{_clock(ms, zone):%H:%M}"


def html_document(title: str, minutes: Text) -> str:
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Minutes: {escape(title)}</title>"
            f"</head><body>\n{minutes.html}\n</body></html>\n")
