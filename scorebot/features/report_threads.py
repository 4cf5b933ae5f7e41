"""A confidential report's thread in the grievance officers' room, where they sign on to assist,
take notes, answer the person who reported (as "the grievance officers"), open a private room
and resolve it; and a reminder for a report no one has taken on. Reports come in through
`reports.py`; what the bot says about them is in `domain/report_words.py`.
"""

from __future__ import annotations

from scorebot.config import ReportsConfig
from scorebot.context import Context
from scorebot.domain import conflict_words, keys, limits
from scorebot.domain import report_words as words
from scorebot.domain.actions import CreateRoom, Edit, Send, SendDirect, SetState
from scorebot.domain.commands import NumberArg, TextArg, UserArg, command
from scorebot.domain.organization import Route, conflicted
from scorebot.domain.reports import MODERATED_BY, Report, ReportState
from scorebot.domain.rooms import IGO_ROOM, Role, RoomKind
from scorebot.domain.text import Text, bold, plain
from scorebot.feature import Feature
from scorebot.features.needs import REPORT_THREAD
from scorebot.features.readers import readers, refused_as_subject, send_elsewhere
from scorebot.store.marks import marks
from scorebot.store.reports import reports


def open_thread(ctx: Context, report: Report) -> None:
    """The report's root message and its thread's opening, in the grievance officers' room; or,
    when it is about one of them, where `readers` says (never where the subject reads)."""
    where = ctx.views.get(report.room_id)
    room = where.name if where and where.name else report.room_id
    found = readers(ctx, report.subject, keys.officers_room("report", report.id))
    if found.route is not Route.IGO_ROOM:
        opening = words.thread_opening(report, room, ctx.who, ctx.registry.prefix, in_thread=False)
        if not send_elsewhere(ctx, found, f"Report #{report.id}", bold(report.root(ctx.name_of)) + plain("\n")
                              + opening, first=True, room_key=keys.officers_room("report", report.id)):
            told = found.route is Route.MODERATORS_WITHOUT_TEXT
            ctx.do(SendDirect(report.reporter, conflict_words.reporter_told_unread(report.id, told)))
        return
    igo = ctx.room_of(RoomKind.IGO)
    if igo is None:
        return  # check-config says so; the report is kept and shows when an IGO room is set
    key = keys.report(report.id)
    ctx.do(Send(igo, bold(report.root(ctx.name_of)), remember=key))
    for part in limits.split(words.thread_opening(report, room, ctx.who, ctx.registry.prefix)):
        ctx.do(Send(igo, part, thread_key=key))  # a long report or evidence: every word, in parts


def to_thread(ctx: Context, report: Report, text: Text) -> None:
    found = readers(ctx, report.subject, keys.officers_room("report", report.id))
    if found.route is not Route.IGO_ROOM:
        send_elsewhere(ctx, found, f"Report #{report.id}", text, room_key=keys.officers_room("report", report.id))
        return
    igo = ctx.room_of(RoomKind.IGO)
    if igo:
        for part in limits.split(text):
            ctx.do(Send(igo, part, thread_key=keys.report(report.id)))


class ReportThreads(Feature):
    thread_kind = "report"  # !note and !resolve in a report's thread come here

    def __init__(self, config: ReportsConfig | None = None):
        self.remind_after_ms = int((config or ReportsConfig()).remind_after * 1000)

    @command("assign", UserArg(optional=True), role=Role.IGO, rooms=IGO_ROOM, needs=(REPORT_THREAD,),
             help="In a report's thread: sign someone on to assist (yourself, if no one is named).")
    def assign(self, ctx: Context, user: str | None, report: Report) -> None:
        who = user or ctx.sender
        if refused_as_subject(ctx, report.subject, f"report #{report.id}", who):
            return
        if not ctx.roles.is_igo(who):
            ctx.reply(words.NOT_AN_IGO)
            return
        if reports.assign(report.id, who):
            reports.record(report.id, ctx.signal.timestamp, ctx.sender, "assigned", who)
            self._update_root(ctx, report.id)
        ctx.confirm()

    @command("reply", TextArg("text", max_length=limits.REPLY), role=Role.IGO, rooms=IGO_ROOM, needs=(REPORT_THREAD,),
             help="In a report's thread: write to the reporter, as the grievance officers.")
    def reply(self, ctx: Context, text: str, report: Report) -> None:
        if refused_as_subject(ctx, report.subject, f"report #{report.id}"):
            return
        if not report.wants_answers:
            ctx.reply(words.NO_ANSWERS_WANTED)
            return
        reports.record(report.id, ctx.signal.timestamp, ctx.sender, "reply", text)
        ctx.do(SendDirect(report.reporter, words.answer_to_reporter(report.id, text),
                          remember=keys.report_note(report.id, ctx.signal.event_id)))
        ctx.confirm()

    @command("reopen", role=Role.IGO, rooms=IGO_ROOM, needs=(REPORT_THREAD,),
             help="In a report's thread: open a resolved report again.")
    def reopen(self, ctx: Context, report: Report) -> None:
        if refused_as_subject(ctx, report.subject, f"report #{report.id}"):
            return
        state = ReportState.ASSIGNED if report.assigned else ReportState.OPEN
        reports.set_state(report.id, state)
        reports.record(report.id, ctx.signal.timestamp, ctx.sender, "reopened", "")
        self._update_root(ctx, report.id)
        ctx.confirm()

    @command("room-for", NumberArg("report"), role=Role.IGO, rooms=IGO_ROOM,
             help="Create a private, encrypted room for a report, with only those assisting.")
    def room_for(self, ctx: Context, report: int) -> None:
        found = reports.get(report)
        if found is None:
            ctx.reply(words.no_report(report))
            return
        if refused_as_subject(ctx, found.subject, f"report #{report}"):
            return
        # The subject is never in the room, even if they were signed on before this rule.
        assisting = tuple(user for user in found.assigned if not conflicted(user, found.subject))
        if not assisting:
            ctx.reply(words.NO_ONE_ASSISTING)
            return
        ctx.do(CreateRoom(f"Report #{report}", assisting, keys.report_room(report)))
        reports.record(report, ctx.signal.timestamp, ctx.sender, "room", ", ".join(assisting))
        to_thread(ctx, found, words.room_on_its_way([ctx.name_of(u) for u in assisting]))
        ctx.confirm()

    # -- !note and !resolve (see threads.py) ----------------------------------------------------

    def thread_note(self, ctx: Context, number: int, text: str) -> None:
        if refused_as_subject(ctx, reports.get(number).subject, f"report #{number}"):
            return
        reports.record(number, ctx.signal.timestamp, ctx.sender, "note", text)
        ctx.confirm()

    def thread_resolve(self, ctx: Context, number: int, outcome: str) -> None:
        report = reports.get(number)
        if refused_as_subject(ctx, report.subject, f"report #{number}"):
            return
        reports.set_state(number, ReportState.RESOLVED)
        reports.record(number, ctx.signal.timestamp, ctx.sender, "resolved", outcome)
        self._update_root(ctx, number)
        ctx.do(SendDirect(report.reporter, words.resolved(number, outcome)))
        ctx.confirm()

    def _update_root(self, ctx: Context, report_id: int) -> None:
        igo = ctx.room_of(RoomKind.IGO)
        report = reports.get(report_id)
        if igo and readers(ctx, report.subject, keys.officers_room("report", report_id)).route is Route.IGO_ROOM:
            ctx.do(Edit(igo, keys.report(report_id), bold(report.root(ctx.name_of))))

    # -- time passing ----------------------------------------------------------------------------

    def on_tick(self, ctx: Context) -> None:
        self._be_the_moderation_bot(ctx)
        now = ctx.signal.timestamp
        for report in reports.needing_a_reminder(now - self.remind_after_ms):
            reports.reminded(report.id, now)
            to_thread(ctx, report, words.reminder(report))

    def _be_the_moderation_bot(self, ctx: Context) -> None:
        """Name the bot in each organizing room as the one a client's "report to moderators" goes to
        (MSC3215; Element no longer offers it, other clients may), once per room, where the bot has
        the power; check-config says where it has not."""
        igo = ctx.room_of(RoomKind.IGO) or ctx.room_of(RoomKind.MODERATORS)
        for view in ctx.views.values():
            mark = keys.moderated_by(view.room_id)
            if (view.kind is not RoomKind.ORGANIZING or igo is None or view.moderation_bot == ctx.bot_user_id
                    or not view.can(ctx.bot_user_id, "state") or marks.get(mark)):
                continue
            marks.set(mark, str(ctx.signal.timestamp))
            ctx.do(SetState(view.room_id, MODERATED_BY, {"user_id": ctx.bot_user_id, "room_id": igo}))
