"""How long a text may be: what people type, per kind, and what the bot sends, as a whole.

A homeserver refuses an event over 65,536 bytes (`M_TOO_LARGE`), and in an encrypted room the
whole event is base64 inside the ciphertext, a third larger, with every non-ASCII character
written as `\\uXXXX`. So a message's text (plain and HTML together, measured that way) stays within
`MESSAGE_BYTES`. An edit carries its text twice: the texts the bot edits (a board, a removal
proposal, a case's first line) are built from short parts, so an edit stays within the limit too.

What people type has a limit per kind, checked where it is typed (the answer names the limit).
Texts kept whole where they belong (a case's evidence, an escalation's reason) are shortened in
messages (`shorten`) and read back whole in parts (`in_parts`).
"""

from __future__ import annotations

import json
from html import escape

from scorebot.domain.text import Text

MESSAGE_BYTES = 40_000  # body + formatted_body, JSON-escaped (non-ASCII as \uXXXX), as nio encrypts it
PART_BYTES = 16_000  # one part of a long answer read back in parts (room for the part's heading)

# What people type, in characters; each fits a message even in a script written outside ASCII
# (up to 12 bytes a character, plain and HTML).
TITLE = 200  # a meeting's title: on the board, edited at every turn
TERM = 100  # a glossary term, a command's name in !help, a term to clarify
REASON = 1_000  # !warn, !remove, !remove-everywhere: shown in a removal proposal, which is edited
OUTCOME = 1_000  # !resolve: shown in the case's first line, which is edited
NOTE = 3_000  # !note in a case's or a report's thread
REPLY = 3_000  # !reply: an IGO's answer to a reporter
PROPOSAL = 3_000  # a revision of the code of conduct, sent whole with every ballot
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


def split(text: Text, budget: int = PART_BYTES) -> list[Text]:
    """One message when it fits; else every word of it in parts, line by line (as plain text: pills
    and bold do not survive a cut, the words do). For texts kept whole: minutes, a report's thread."""
    if size(text) <= budget:
        return [text]
    return in_parts([_plain(line) for line in text.plain.split("\n")], budget)


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
