"""What commands need before they run, found once and said once when missing (see
`domain.commands.Needs`): a running meeting and its current turn; for the grievance officers'
thread commands, the case or the report whose thread in their room the command was written in."""

from __future__ import annotations

from scorebot.domain import keys
from scorebot.domain import meeting_words as words
from scorebot.domain.commands import Needs
from scorebot.store.cases import cases
from scorebot.store.marks import marks
from scorebot.store.meetings import meetings
from scorebot.store.remembered import remembered
from scorebot.store.reports import reports

MEETING = Needs("meeting", lambda ctx: meetings.running(ctx.room.room_id), words.NO_MEETING_HERE)


def _current_turn(ctx):
    meeting = meetings.running(ctx.room.room_id)
    return meetings.current_turn(meeting.id) if meeting else None


TURN = Needs("turn", _current_turn, words.NOBODY_HAS_THE_FLOOR)


def thread_number(ctx, kind: str) -> int | None:
    """The number of the case or report whose IGO-room thread this message was written in, or
    whose officers' room (see `readers.py`) it was written in."""
    root = getattr(ctx.signal, "thread_root", None)
    number = keys.number_in(remembered.key_of(root), kind) if root else None
    if number is not None:
        return number
    return keys.number_in(marks.made_for(ctx.room.room_id), f"{kind}-officers")


def _in_thread(kind: str, load):
    def find(ctx):
        number = thread_number(ctx, kind)
        return load(number) if number is not None else None
    return find


CASE_THREAD = Needs("case", _in_thread("case", cases.get),
                    "Use this in a case's thread in the grievance officers' room.")
REPORT_THREAD = Needs("report", _in_thread("report", reports.get),
                      "Write this in a report's thread.")
