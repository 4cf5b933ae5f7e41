"""A room made for the other grievance officers (a report or a case about one of them, see
`readers.py`) follows the officers while its report or case is open: someone who becomes an
officer is invited and given it as it stands (what was said before they came in was encrypted
without them); someone who stops being one is taken out, with a reason that names no one; the room
hears both. The person it is about is never invited, even once they are an officer; should anyone
let them in, they are taken out at once, without a word about them.

A resolved report or case is left as it was: no one works in its room any more, and inviting a new
officer would show them a settled matter for nothing. Reopened, it is set right at the next tick.
"""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import case_words, keys, limits, report_words
from scorebot.domain import conflict_words as words
from scorebot.domain.actions import Invite, Kick, Send
from scorebot.domain.officers import let_in, officers_change, read, stored
from scorebot.domain.reports import ReportState
from scorebot.domain.rooms import RoomKind
from scorebot.domain.signals import Membership
from scorebot.domain.text import Text, bold, lines, pill, plain
from scorebot.feature import Feature
from scorebot.store.cases import cases
from scorebot.store.marks import marks
from scorebot.store.reports import reports


class OfficersRooms(Feature):
    def on_tick(self, ctx: Context) -> None:
        keep_right(ctx)  # roles from the config, or a change seen while the bot was away

    def on_membership(self, ctx: Context) -> None:
        change: Membership = ctx.signal
        if ctx.room.room_id == ctx.room_of(RoomKind.IGO) and change.membership != change.previous:
            keep_right(ctx)
            return
        key = marks.made_for(ctx.room.room_id)
        if key and let_in(change.membership) and change.user_id == _subject(key):
            ctx.do(Kick(ctx.room.room_id, change.user_id, words.NOT_AN_OFFICER_HERE, room_key=key))


def keep_right(ctx: Context) -> None:
    """Set each open officers' room right for who the grievance officers are now."""
    officers = ctx.roles.igos()
    for key, room_id in marks.officers_rooms().items():
        if not room_id:
            continue  # asked for, not made yet: it is made for the officers of then, set right once made
        about = _about(key)
        if about is None:
            continue
        subject, what, as_it_stands = about
        known_key = keys.officers_known(key)
        known = read(marks.get(known_key))
        if known is None:  # made before the bot kept who a room is for: kept from now on
            marks.set(known_key, stored(set(officers) - {subject}))
            continue
        change = officers_change(known, officers, subject)
        if not change:
            continue
        marks.set(known_key, stored(change.officers))
        ctx.do(*(Invite(room_id, user, room_key=key) for user in change.joined))
        ctx.do(*(Kick(room_id, user, words.NOT_AN_OFFICER_HERE, room_key=key) for user in change.left))
        said = words.officers_changed(what, [pill(u, ctx.name_of(u)) for u in change.joined],
                                      [pill(u, ctx.name_of(u)) for u in change.left])
        ctx.do(Send("", said, room_key=key))
        if change.joined:
            ctx.do(*(Send("", part, room_key=key) for part in limits.split(words.so_far(what) + as_it_stands(ctx))))


def _subject(key: str) -> str | None:
    number = keys.number_in(key, "report-officers")
    if number is not None:
        report = reports.get(number)
        return report.subject if report else None
    number = keys.number_in(key, "case-officers")
    case = cases.get(number) if number is not None else None
    return case.subject if case else None


def _about(key: str):
    """(subject, "Report #3", the report or case as it stands) for an open one; None once resolved."""
    number = keys.number_in(key, "report-officers")
    if number is not None:
        report = reports.get(number)
        if report is None or report.state is ReportState.RESOLVED or report.subject is None:
            return None
        return report.subject, f"Report #{number}", lambda ctx: _report_now(ctx, number)
    number = keys.number_in(key, "case-officers")
    case = cases.get(number) if number is not None else None
    if case is None or case.resolved:
        return None
    return case.subject, f"Case #{number}", lambda ctx: _case_now(ctx, number)


def _report_now(ctx: Context, number: int) -> Text:
    report = reports.get(number)
    where = ctx.views.get(report.room_id) if report.room_id else None
    room = where.name if where and where.name else report.room_id
    return bold(report.root(ctx.name_of)) + plain("\n") + report_words.thread_opening(
        report, room, ctx.who, ctx.registry.prefix, in_thread=False)


def _case_now(ctx: Context, number: int) -> Text:
    case = cases.get(number)

    def line(step) -> str:
        view = ctx.views.get(step.room_id) if step.room_id else None
        room = (view.name if view and view.name else step.room_id) if step.room_id else None
        return limits.shorten(case_words.step_line(step, ctx.name_of(step.by), room),
                              whole_at=case_words.whole_text_with(case.subject, ctx.registry.prefix))
    return lines(case_words.timeline_lines(case, ctx.who(case.subject), line))
