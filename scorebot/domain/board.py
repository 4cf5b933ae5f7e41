"""The stack board: who speaks, who waits, in what order, and nothing about why."""

from __future__ import annotations

from html import escape

from scorebot.domain.stack import PROCESS, RESPOND, Entry
from scorebot.domain.text import Text


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def entry_label(entry: Entry) -> str:
    """A name, with the kind of request in words (an emoji alone says little to a screen reader)."""
    about = f": {entry.term}" if entry.term else ""
    if entry.kind == PROCESS:
        return f"⚙️ {entry.person.name} (point of process{about})"
    if entry.clarification:
        return f"❓ {entry.person.name} (point of clarification{about})"
    if entry.kind == RESPOND:
        return f"↩️ {entry.person.name} (direct response)"
    return entry.person.name


def render_board(title: str, speaker: str | None, ordered: list[Entry], closed: bool,
                 item: str | None = None) -> Text:
    """`item`: the agenda's line (the item open now and its time left), when there is an agenda."""
    plain = [f"📋 Stack · {title}", f"🎤 Speaking: {speaker}" if speaker else "🎤 Nobody has the floor."]
    html = [f"<b>📋 Stack · {escape(title)}</b>",
            f"🎤 Speaking: <b>{escape(speaker)}</b>" if speaker else "🎤 Nobody has the floor."]
    if item:
        plain.insert(1, item)
        html.insert(1, escape(item))
    if ordered:
        items = [entry_label(e) for e in ordered]
        plain += [f"{i}. {label}" for i, label in enumerate(items, 1)]
        html.append("<ol>" + "".join(f"<li>{escape(label)}</li>" for label in items) + "</ol>")
    else:
        plain.append("The stack is empty.")
        html.append("<i>The stack is empty.</i>")
    if closed:
        note = "The stack is closed for now; points of clarification and of process still pass."
        plain.append(note)
        html.append(f"<i>{note}</i>")
    hint = ("To leave: “unstack”." if closed
            else "To join: ✋, “stack”, or react with ✋. To leave: “unstack”.")
    plain.append(hint)
    html.append(f"<small>{escape(hint)}</small>")
    return Text("\n".join(plain), _html_lines(html))


def _html_lines(parts: list[str]) -> str:
    """Lines joined by <br>, except around a list, which is a block of its own in HTML."""
    joined = ""
    for index, part in enumerate(parts):
        if index and not part.startswith("<ol>") and not parts[index - 1].startswith("<ol>"):
            joined += "<br>"
        joined += part
    return joined
