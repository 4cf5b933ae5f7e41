"""Confidential reports to the Internal Grievance Officers.

Ways in: `!report` in a direct chat, a 🚩 reaction (taken away at once), and Matrix's own Report
button (read through the homeserver's admin API). Each report is a thread in the grievance officers' room, where
the IGOs assign themselves, take notes, answer the reporter as "the grievance officers" and resolve it.

Report texts go only to the grievance officers' room, a report's own room and the reporter's direct chat; an
anonymous reporter's name goes nowhere. Nothing of a report is logged at INFO.
"""

from __future__ import annotations

from scorebot.config import ReportsConfig
from scorebot.dispatch import Context, Feature
from scorebot.domain import keys
from scorebot.domain.actions import CreateRoom, Edit, Redact, Send, SendDirect, SetState
from scorebot.domain.commands import CommandRegistry, NumberArg, TextArg, UserArg
from scorebot.domain.reports import MODERATED_BY, Report, ReportRequest, ReportState, parse_report
from scorebot.domain.rooms import DIRECT, IGO_ROOM, Role, RoomKind
from scorebot.domain.signals import Message, NativeReport, Reaction
from scorebot.domain.text import Text, bold, lines, message_link, plain, utc_time
from scorebot.features.thread_needs import REPORT_THREAD

FLAG_KEYS = ("🚩",)



class Reports(Feature):
    thread_kind = "report"

    def __init__(self, config: ReportsConfig | None = None):
        self.config = config or ReportsConfig()
        self.remind_after_ms = int(self.config.remind_after * 1000)

    def register(self, registry: CommandRegistry) -> None:
        registry.command(
            "report", TextArg("details", label='[anonymous] [no-answers] @user|LINK|"Name" what happened',
                              max_length=8000),
            rooms=DIRECT, private=True,
            help="Report harm to the Internal Grievance Officers, confidentially. Only they see it. "
                 "'anonymous' hides your name from them too; 'no-answers' means they won't write back. "
                 "Add to a report later with !report NUMBER more words.")(self.report)
        registry.command("assign", UserArg(optional=True), role=Role.IGO, rooms=IGO_ROOM, needs=(REPORT_THREAD,),
                         help="In a report's thread: sign someone on to assist (yourself, if no one is named).")(
            self.assign)
        registry.command("reply", TextArg("text"), role=Role.IGO, rooms=IGO_ROOM, needs=(REPORT_THREAD,),
                         help="In a report's thread: write to the reporter, as the grievance officers.")(self.reply)
        registry.command("reopen", role=Role.IGO, rooms=IGO_ROOM, needs=(REPORT_THREAD,),
                         help="In a report's thread: open a resolved report again.")(self.reopen)
        registry.command("room-for", NumberArg("report"), role=Role.IGO, rooms=IGO_ROOM,
                         help="Create a private, encrypted room for a report, with only those assisting.")(
            self.room_for)

    # -- ways in -------------------------------------------------------------------------------

    def report(self, ctx: Context, details: str) -> None:
        number, _, more = details.partition(" ")
        if number.isdigit():
            self._more_words(ctx, int(number), more.strip())
            return
        request = parse_report(details)
        if isinstance(request, str):
            ctx.reply(request)
            return
        evidence_room, evidence_event, evidence_text = None, None, None
        if request.event_id:
            seen = ctx.store.culture.message(request.event_id)
            evidence_event = request.event_id
            evidence_room = seen.room_id if seen else request.room_ref
            if seen:
                evidence_text = seen.body
                if request.subject is None:
                    request = ReportRequest(request.words, subject=seen.sender, anonymous=request.anonymous,
                                            wants_answers=request.wants_answers)
        report = ctx.store.reports.create(ctx.sender, request, "a direct chat with me", ctx.signal.timestamp,
                                          evidence_room, evidence_event, evidence_text)
        self._open_thread(ctx, report)
        ctx.reply(self._thanks(report))

    def on_reaction(self, ctx: Context) -> None:
        reaction: Reaction = ctx.signal
        if ctx.room.kind is not RoomKind.ORGANIZING or reaction.key.replace("\ufe0f", "") not in FLAG_KEYS:
            return
        ctx.do(Redact(ctx.room.room_id, reaction.event_id, "taken in as a confidential report"))
        seen = ctx.store.culture.message(reaction.target_event_id)
        # Anonymous until they say otherwise: they had no chance to choose before the IGOs see it.
        request = ReportRequest("", subject=seen.sender if seen else None, anonymous=True)
        report = ctx.store.reports.create(ctx.sender, request, "🚩 on a message", ctx.signal.timestamp,
                                          ctx.room.room_id, reaction.target_event_id, seen.body if seen else None)
        self._open_thread(ctx, report)
        ctx.do(SendDirect(ctx.sender, self._thanks(report) + plain(
            "\nWhat happened? Reply to this message, or write !report "
            f"{report.id} followed by what you'd like the grievance officers to know. They see it as from “a member”; "
            f"write !report {report.id} named if you want them to know it's you."),
            remember=keys.report_note(report.id)))

    def on_native_report(self, ctx: Context) -> None:
        native: NativeReport = ctx.signal
        reports = ctx.store.reports
        if ctx.rooms.get(native.reported_room) is not RoomKind.ORGANIZING or (
                native.native_id is not None and reports.has_native(native.native_id)):
            return
        # The evidence comes from the bot's own copy: in an encrypted room no one else has one.
        seen = ctx.store.culture.message(native.reported_event_id)
        subject = native.reported_sender or (seen.sender if seen else None)
        request = ReportRequest(native.reason or "", subject=subject, anonymous=True)
        report = reports.create(native.sender, request, native.via, native.timestamp, native.reported_room,
                                native.reported_event_id or None, seen.body if seen else None, native.native_id)
        self._open_thread(ctx, report)
        ctx.do(SendDirect(native.sender, self._thanks(report) + plain(
            f"\nThe grievance officers see it as from “a member”. Add to it here with !report {report.id} "
            f"followed by what happened, or !report {report.id} named to give them your name."),
            remember=keys.report_note(report.id)))

    def on_message(self, ctx: Context) -> bool:
        """A reporter's answer in the direct chat, as a reply to the bot's message about a report."""
        message: Message = ctx.signal
        if ctx.room.kind is not RoomKind.DIRECT or not message.reply_to:
            return False
        number = keys.number_in(ctx.store.key_of(message.reply_to), "report-dm")
        if number is None:
            return False
        self._more_words(ctx, number, message.body)
        return True

    def _more_words(self, ctx: Context, number: int, words: str) -> None:
        reports = ctx.store.reports
        report = reports.of_reporter(ctx.sender, number)
        if report is None:
            ctx.reply(f"You have no report #{number}.")
            return
        if words.lower() == "named":
            if report.anonymous:
                reports.give_name(number)
                self._to_thread(ctx, report, plain(f"The reporter gives their name: {report.reporter}"))
            ctx.confirm()
            return
        if not words:
            ctx.reply(f"Write what you'd like to add after the number: !report {number} …")
            return
        reports.add_words(number, words)
        reports.record(number, ctx.signal.timestamp, ctx.sender, "reporter", words)
        self._to_thread(ctx, report, plain(f"The reporter adds: {words}"))
        ctx.confirm()

    # -- the thread ------------------------------------------------------------------------------

    def _open_thread(self, ctx: Context, report: Report) -> None:
        igo = ctx.room_of(RoomKind.IGO)
        if igo is None:
            return  # check-config says so; the report is kept and shows when an IGO room is set
        key = keys.report(report.id)
        ctx.do(Send(igo, bold(report.root(ctx.name_of)), remember=key))
        where = ctx.views.get(report.room_id)
        room = where.name if where and where.name else report.room_id
        parts = [plain(f"Reported by {report.reporter_shown(ctx.who)}, {utc_time(report.created_at)}, "
                       f"through {report.via}.")]
        if room:  # else it was told in a direct chat, as the line above says
            parts.append(plain(f"Where: {room}"))
        if report.evidence_text or report.evidence_event:
            evidence = plain(f"Evidence: “{report.evidence_text or '(a message I could not read)'}”")
            if report.evidence_event and report.room_id:
                link = message_link(report.room_id, report.evidence_event, "the message")
                evidence += plain(" (") + link + plain(")")
            parts.append(evidence)
        parts.append(plain(f"In their words: {report.words}" if report.words else "Their words: not yet."))
        if not report.wants_answers:
            parts.append(plain("They asked not to be written to."))
        prefix = ctx.registry.prefix
        parts.append(plain(f"In this thread: {prefix}assign to take it on, {prefix}reply to write to the person "
                           f"who reported, {prefix}note, {prefix}resolve when it is settled; {prefix}room-for "
                           f"{report.id} opens a private room."))
        ctx.do(Send(igo, lines(parts), thread_key=key))

    def _to_thread(self, ctx: Context, report: Report, text: Text) -> None:
        igo = ctx.room_of(RoomKind.IGO)
        if igo:
            ctx.do(Send(igo, text, thread_key=keys.report(report.id)))

    def _update_root(self, ctx: Context, report_id: int) -> None:
        igo = ctx.room_of(RoomKind.IGO)
        report = ctx.store.reports.get(report_id)
        if igo:
            ctx.do(Edit(igo, keys.report(report_id), bold(report.root(ctx.name_of))))

    def assign(self, ctx: Context, user: str | None, report: Report) -> None:
        who = user or ctx.sender
        if not ctx.roles.is_igo(who):
            ctx.reply("Only Internal Grievance Officers can be signed on to assist.")
            return
        if ctx.store.reports.assign(report.id, who):
            ctx.store.reports.record(report.id, ctx.signal.timestamp, ctx.sender, "assigned", who)
            self._update_root(ctx, report.id)
        ctx.confirm()

    def thread_note(self, ctx: Context, number: int, text: str) -> None:
        ctx.store.reports.record(number, ctx.signal.timestamp, ctx.sender, "note", text)
        ctx.confirm()

    def reply(self, ctx: Context, text: str, report: Report) -> None:
        if not report.wants_answers:
            ctx.reply("The reporter asked not to be written to.")
            return
        ctx.store.reports.record(report.id, ctx.signal.timestamp, ctx.sender, "reply", text)
        ctx.do(SendDirect(report.reporter, plain(f"From the grievance officers, about your report #{report.id}: "
                                                 f"{text}\n(Reply to this message to answer them.)"),
                          remember=keys.report_note(report.id, ctx.signal.event_id)))
        ctx.confirm()

    def thread_resolve(self, ctx: Context, number: int, outcome: str) -> None:
        report = ctx.store.reports.get(number)
        ctx.store.reports.set_state(number, ReportState.RESOLVED)
        ctx.store.reports.record(number, ctx.signal.timestamp, ctx.sender, "resolved", outcome)
        self._update_root(ctx, number)
        ctx.do(SendDirect(report.reporter, plain(f"Your report #{number} has been resolved by the grievance officers: "
                                                 f"{outcome}\nThank you for telling us.")))
        ctx.confirm()

    def reopen(self, ctx: Context, report: Report) -> None:
        state = ReportState.ASSIGNED if report.assigned else ReportState.OPEN
        ctx.store.reports.set_state(report.id, state)
        ctx.store.reports.record(report.id, ctx.signal.timestamp, ctx.sender, "reopened", "")
        self._update_root(ctx, report.id)
        ctx.confirm()

    def room_for(self, ctx: Context, report: int) -> None:
        found = ctx.store.reports.get(report)
        if found is None:
            ctx.reply(f"There is no report #{report}.")
            return
        if not found.assigned:
            ctx.reply("No one is signed on to assist yet: !assign first, in the report's thread.")
            return
        ctx.do(CreateRoom(f"Report #{report}", found.assigned, keys.report_room(report)))
        ctx.store.reports.record(report, ctx.signal.timestamp, ctx.sender, "room", ", ".join(found.assigned))
        self._to_thread(ctx, found, plain(f"A private, encrypted room for this report is on its way, for: "
                                          f"{', '.join(ctx.name_of(u) for u in found.assigned)}."))
        ctx.confirm()

    # -- reminders -------------------------------------------------------------------------------

    def on_tick(self, ctx: Context) -> None:
        self._be_the_moderation_bot(ctx)
        now = ctx.signal.timestamp
        for report in ctx.store.reports.needing_a_reminder(now - self.remind_after_ms):
            ctx.store.reports.reminded(report.id, now)
            self._to_thread(ctx, report, plain(f"Reminder: report #{report.id} has waited since "
                                               f"{utc_time(report.created_at)} with no one signed on. "
                                               "!assign to take it."))

    def _be_the_moderation_bot(self, ctx: Context) -> None:
        """Name the bot in each organizing room as the one Element's Report dialog reports to
        (MSC3215), once per room, where the bot has the power; check-config says where it has not."""
        igo = ctx.room_of(RoomKind.IGO) or ctx.room_of(RoomKind.MODERATORS)
        for view in ctx.views.values():
            mark = keys.moderated_by(view.room_id)
            if (view.kind is not RoomKind.ORGANIZING or igo is None or view.moderation_bot == ctx.bot_user_id
                    or not view.can(ctx.bot_user_id, "state") or ctx.store.setting(mark)):
                continue
            ctx.store.set_setting(mark, str(ctx.signal.timestamp))
            ctx.do(SetState(view.room_id, MODERATED_BY, {"user_id": ctx.bot_user_id, "room_id": igo}))

    # -- helpers ---------------------------------------------------------------------------------

    def _thanks(self, report: Report) -> Text:
        return plain(f"Thank you. Your report is #{report.id}, and only the Internal Grievance Officers can see "
                     "it. I'll tell you here when it is resolved.")

