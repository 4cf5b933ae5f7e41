"""What the grievance officers' thread commands need: the case or the report whose thread in their
room the command was written in (see `domain.commands.Needs`)."""

from __future__ import annotations

from scorebot.domain import keys
from scorebot.domain.commands import Needs


def thread_number(ctx, kind: str) -> int | None:
    """The number of the case or report whose IGO-room thread this message was written in, or
    whose officers' room (see `readers.py`) it was written in."""
    root = getattr(ctx.signal, "thread_root", None)
    number = keys.number_in(ctx.store.key_of(root), kind) if root else None
    if number is not None:
        return number
    return keys.number_in(ctx.store.made_for(ctx.room.room_id), f"{kind}-officers")


def _in_thread(kind: str, load):
    def find(ctx):
        number = thread_number(ctx, kind)
        return load(ctx.store, number) if number is not None else None
    return find


CASE_THREAD = Needs("case", _in_thread("case", lambda store, number: store.cases.get(number)),
                    "Use this in a case's thread in the grievance officers' room.")
REPORT_THREAD = Needs("report", _in_thread("report", lambda store, number: store.reports.get(number)),
                      "Write this in a report's thread.")
