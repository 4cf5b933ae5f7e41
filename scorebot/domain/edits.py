"""Edits of commands, as plain rules: the newest content of a message is what it says, and a
command runs once whatever its edits.

Element users fix typos by editing: `!stak` edited to `!stack` soon after runs it; a command that
already ran is not run again by an edit (the member is told, when the edit changed it); a message
edited into private words (a report, a declaration) is taken out of the room like any other.
"""

from __future__ import annotations

import hashlib
from enum import Enum


class EditStep(Enum):
    NOTHING = "nothing to do: the newest words are kept, that is all"
    RUN = "run the command as it reads now, once"
    ALREADY_RAN = "say once that an edit does not run a command again"
    HIDE = "take the private words out of the room; the command ran already"
    MOVE = "take the private words out of the room and go on in a direct chat"


def digest(command_text: str) -> str:
    """What a command said, as a digest: enough to see an edit changed it, never readable."""
    return hashlib.sha256(" ".join(command_text.split()).encode()).hexdigest()[:24]


def on_edit(sent, now: int, window_ms: int, is_command: bool, ran_now: bool, said: str, private: bool) -> EditStep:
    """What an edit leads to. `sent` is what the bot holds of the edited message as a command (None
    when it was none); `is_command` whether the edit reads as one; `ran_now` whether it is one the
    bot can run (not mistyped); `said` its digest; `private` whether it belongs in a direct chat."""
    if private:
        return EditStep.HIDE if sent is not None and sent.ran else EditStep.MOVE
    if sent is None or not is_command:
        return EditStep.NOTHING
    if sent.ran:
        return EditStep.ALREADY_RAN if ran_now and said != sent.digest else EditStep.NOTHING
    return EditStep.RUN if now - sent.at <= window_ms else EditStep.NOTHING
