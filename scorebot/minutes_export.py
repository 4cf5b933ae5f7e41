"""`scorebot minutes`: the stored minutes, listed or exported as Markdown or HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scorebot.config import Config
from scorebot.domain.minutes import html_document, render_minutes
from scorebot.minutes import minutes_data
from scorebot.store import Store


def _when(ms: int, zone: str) -> str:
    return f"{datetime.fromtimestamp(ms / 1000, UTC).astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def list_minutes(config: Config) -> str:
    store = Store(config.database_url)
    try:
        store.open()
        meetings = store.meetings.all()
    finally:
        store.close()
    if not meetings:
        return "No meetings yet."
    lines = []
    for meeting in meetings:
        state = "running" if meeting.ended_at is None else f"ended {_when(meeting.ended_at, config.timezone)}"
        lines.append(f"{meeting.id:>4}  {_when(meeting.started_at, config.timezone)}  {meeting.title}  ({state})")
    return "\n".join(lines)


def export_minutes(config: Config, meeting_id: int, form: str) -> str:
    """The minutes as posted; for a meeting still running, what they would say now."""
    store = Store(config.database_url)
    try:
        store.open()
        meeting = store.meetings.get(meeting_id)
        if meeting is None:
            raise LookupError(f"There is no meeting {meeting_id}; see 'scorebot minutes list'.")
        minutes = meeting.minutes or render_minutes(minutes_data(meeting, config.timezone))
    finally:
        store.close()
    return minutes.plain + "\n" if form == "md" else html_document(meeting.title, minutes)
