"""How long a text may be: what people type, per kind, and what the bot sends, as a whole.

A homeserver refuses an event over 65,536 bytes (`M_TOO_LARGE`), and in an encrypted room the
whole event is base64 inside the ciphertext, a third larger. An edit carries its text twice. So a
message's text (plain and HTML together, measured as JSON escapes it) stays within `MESSAGE_BYTES`:
an edit of it, encrypted, is still well under the limit.

What people type has a limit per kind, checked where it is typed (the answer names the limit).
Texts kept whole where they belong (a case's evidence, an escalation's reason) are shortened in
messages (`shorten`) and read back whole in parts (`in_parts`).
"""

from __future__ import annotations

import json
from html import escape

from scorebot.domain.text import Text

MESSAGE_BYTES = 20_000  # body + formatted_body, JSON-escaped (non-ASCII as \\uXXXX): the worst case
PART_BYTES = 16_000  # one part of a long answer read back in parts (room for the part's heading)

# What people type, in characters.
TITLE = 200  # a meeting's title: on the board, edited at every turn
TERM = 100  # a glossary term, a command's name in !help, a term to clarify
REASON = 2_000  # !warn, !remove, !remove-everywhere
OUTCOME = 2_000  # !resolve
NOTE = 4_000  # !note in a case's or a report's thread
REPLY = 4_000  # !reply: an IGO's answer to a reporter
PROPOSAL = 8_000  # a revision of the code of conduct, sent whole with every ballot
SHOWN = 500  # a long text kept whole, in a message: the first characters


def size(text: Text) -> int:
    """The bytes a message's text takes in an event, at most (plain and HTML, JSON-escaped)."""
    return len(json.dumps([text.plain, text.html]))


def shorten(words: str, limit: int = SHOWN, whole_at: str = "") -> str:
    """`words` cut at about `limit` characters (at a space when one is near), saying so."""
    if len(words) <= limit:
        return words
    cut = words[:limit]
    space = cut.rfind(" ", limit - 40)
    cut = cut[:space] if space > 0 else cut
    where = f"; {whole_at}" if whole_at else ""
    return f"{cut.rstrip()}… ({len(words) - len(cut)} more characters{where})"


def fit(text: Text, budget: int = MESSAGE_BYTES) -> Text:
    """A message that fits one event: unchanged when it does, else shortened as plain text. The
    bot's own long answers are split before (`in_parts`); this is the net under everything."""
    if size(text) <= budget:
        return text
    plain_text = text.plain
    while True:
        plain_text = plain_text[: max(0, int(len(plain_text) * 0.8))]
        note = f"… (shortened: {len(text.plain) - len(plain_text)} characters are not shown)"
        shortened = Text(plain_text + note, escape(plain_text + note).replace("\n", "<br>"), text.mentions)
        if size(shortened) <= budget:
            return shortened


def in_parts(lines: list[Text], budget: int = PART_BYTES) -> list[Text]:
    """Lines packed into as few messages as fit; a line too long for one message is cut into pieces
    (as plain text), so nothing is left out."""
    pieces: list[Text] = []
    for line in lines:
        if size(line) <= budget:
            pieces.append(line)
            continue
        rest = line.plain
        while rest:
            step = len(rest)
            while size(_plain(rest[:step])) > budget:
                step = step * 3 // 4
            pieces.append(_plain(rest[:step]))
            rest = rest[step:]
    parts: list[Text] = []
    for piece in pieces:
        if parts and size(joined := parts[-1] + Text("\n", "<br>") + piece) <= budget:
            parts[-1] = joined
        else:
            parts.append(piece)
    return parts


def _plain(words: str) -> Text:
    return Text(words, escape(words).replace("\n", "<br>"))
