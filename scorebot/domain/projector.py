"""The live board for a projector, as pure functions: what it shows (the same as the room's board:
the agenda item and its time left, the speaker, the queue with each entry's kind, never why anyone
stands where they stand) and the page that shows it. The web server is `scorebot/board_page.py`."""

from __future__ import annotations

from html import escape

from scorebot.domain.agenda import Item
from scorebot.domain.board import entry_label
from scorebot.domain.stack import Entry


def snapshot(title: str, item: Item | None, speaker: str | None, speaking_since: int | None,
             ordered: list[Entry], closed: bool, now: int) -> dict:
    """Everything the page shows, as JSON-ready data; times in milliseconds, `now` for the clock."""
    left = item.seconds_left(now) if item else None
    return {
        "title": title,
        "item": item.title if item else None,
        "item_ends_at": None if left is None else now + int(left * 1000),
        "speaker": speaker,
        "speaking_since": speaking_since,
        "queue": [entry_label(e) for e in ordered],
        "closed": closed,
        "now": now,
    }


# Type to read from the back of a room: the speaker in 9vw, the queue in 4vw; no framework.
_STYLE = """
html { background: #111418; color: #f4f6fa; font-family: Inter, "Noto Sans", "DejaVu Sans", sans-serif; }
body { margin: 0; padding: 3vw 4vw; }
#title { font-size: 2.6vw; color: #9aa3ae; margin: 0; }
#item { font-size: 3.6vw; margin: 1vw 0 0; }
#left { color: #0dbd8b; }
#left.over { color: #ff5b55; }
#floor { font-size: 2.6vw; color: #9aa3ae; margin: 3vw 0 0; }
#speaker { font-size: 8vw; font-weight: 700; margin: 0; line-height: 1.1; }
#clock { font-size: 4vw; color: #0dbd8b; font-variant-numeric: tabular-nums; margin: 0; }
#queue { font-size: 4vw; line-height: 1.35; margin: 2vw 0 0; padding-left: 6vw; }
#note { font-size: 2.4vw; color: #9aa3ae; }
"""

_SCRIPT = """
const $ = id => document.getElementById(id);
let state = null, offset = 0;
function mmss(ms) { const s = Math.max(0, Math.floor(ms / 1000));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }
function tick() {
  if (!state) return;
  const now = Date.now() + offset;
  $("clock").textContent = state.speaking_since ? mmss(now - state.speaking_since) : "";
  if (state.item_ends_at) { const left = state.item_ends_at - now;
    $("left").textContent = left >= 0 ? mmss(left) + " left" : mmss(-left) + " over";
    $("left").className = left >= 0 ? "" : "over"; } else { $("left").textContent = ""; }
}
function show(data) {
  state = data; offset = data.now - Date.now();
  $("title").textContent = data.title;
  $("item-title").textContent = data.item ? "📌 " + data.item : "";
  $("speaker").textContent = data.speaker || "Nobody has the floor.";
  const queue = $("queue"); queue.replaceChildren(...data.queue.map(label => {
    const li = document.createElement("li"); li.textContent = label; return li; }));
  $("note").textContent = data.queue.length ? "" : "The stack is empty.";
  if (data.closed) $("note").textContent += " The stack is closed for now.";
  tick();
}
const events = new EventSource(location.pathname.replace(/\\/$/, "") + "/events");
events.onmessage = message => show(JSON.parse(message.data));
events.addEventListener("ended", () => { events.close(); state = null;
  document.body.innerHTML = "<p id='speaker'>The meeting has ended.</p>"; });
setInterval(tick, 250);
"""


def page(title: str) -> str:
    """The page itself; what it shows arrives by server-sent events, within a second of a change."""
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<p id='title'>{escape(title)}</p><p id='item'><span id='item-title'></span> <span id='left'></span></p>"
            "<p id='floor'>🎤 Speaking</p><p id='speaker'>…</p><p id='clock'></p>"
            "<ol id='queue'></ol><p id='note'></p>"
            f"<script>{_SCRIPT}</script></body></html>")
