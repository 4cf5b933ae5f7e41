"""Confidential reports to the Internal Grievance Officers: the ways in.

`!report` in a direct chat, a 🚩 reaction (taken away at once), and Matrix's own Report button
(read through the homeserver's admin API), and what the reporter adds later. Each report becomes a
thread in the grievance officers' room (`report_threads.py`); the words are in
`domain/report_words.py`.

Report texts go only to the grievance officers' room, a report's own room and the reporter's direct
chat; an anonymous reporter's name goes nowhere. Nothing of a report is logged at INFO.
"""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import keys
from scorebot.domain import report_words as words
from scorebot.domain.actions import Redact, SendDirect
from scorebot.domain.commands import TextArg, command
from scorebot.domain.conversations import Topic
from scorebot.domain.reactions import reaction
from scorebot.domain.reports import ReportRequest, parse_report
from scorebot.domain.rooms import DIRECT, ORGANIZING, RoomKind
from scorebot.domain.signals import NativeReport, Reaction
from scorebot.feature import Feature
from scorebot.features.report_threads import open_thread, to_thread
from scorebot.store.culture import culture
from scorebot.store.reports import reports

FLAG_EMOJI = ("🚩",)


class Reports(Feature):
    # -- ways in -------------------------------------------------------------------------------

    @command("report", TextArg("details", label='[anonymous] [no-answers] @user|LINK|"Name" what happened',
                               max_length=8000),
             rooms=DIRECT, private=True,
             help="Report harm to the Internal Grievance Officers, confidentially. Only they see it. "
                  "'anonymous' hides your name from them too; 'no-answers' means they won't write back. "
                  "Add to a report later with !report NUMBER more words.")
    def report(self, ctx: Context, details: str) -> None:
        number, _, more = details.partition(" ")
        if number.isdigit():
            self._more_words(ctx, int(number), more.strip())
            return
        request = parse_report(details, ctx.known_people())
        if not isinstance(request, ReportRequest):  # whom it is about is not clear: asked
            ctx.reply(request)
            return
        evidence_room, evidence_event, evidence_text = None, None, None
        if request.event_id:
            seen = culture.message(request.event_id)
            evidence_event = request.event_id
            evidence_room = seen.room_id if seen else request.room_ref
            if seen:
                evidence_text = seen.body
                if request.subject is None:
                    request = ReportRequest(request.words, subject=seen.sender, anonymous=request.anonymous,
                                            wants_answers=request.wants_answers)
        report = reports.create(ctx.sender, request, "a direct chat with me", ctx.signal.timestamp,
                                          evidence_room, evidence_event, evidence_text)
        open_thread(ctx, report)
        ctx.reply(words.thanks(report))

    @reaction(*FLAG_EMOJI, rooms=ORGANIZING)
    def flag(self, ctx: Context) -> None:
        flag: Reaction = ctx.signal
        # No reason: everyone in the room, the reported person too, reads a redaction's reason.
        ctx.do(Redact(ctx.room.room_id, flag.event_id))
        seen = culture.message(flag.target_event_id)
        # Anonymous until they say otherwise: they had no chance to choose before the IGOs see it.
        request = ReportRequest("", subject=seen.sender if seen else None, anonymous=True)
        report = reports.create(ctx.sender, request, "🚩 on a message", ctx.signal.timestamp,
                                          ctx.room.room_id, flag.target_event_id, seen.body if seen else None)
        open_thread(ctx, report)
        ctx.do(SendDirect(ctx.sender, words.after_flag(report), remember=keys.report_note(report.id)))

    def on_native_report(self, ctx: Context) -> None:
        native: NativeReport = ctx.signal
        if ctx.rooms.get(native.reported_room) is not RoomKind.ORGANIZING or (
                native.native_id is not None and reports.has_native(native.native_id)):
            return
        # The evidence comes from the bot's own copy: in an encrypted room no one else has one.
        seen = culture.message(native.reported_event_id)
        subject = native.reported_sender or (seen.sender if seen else None)
        request = ReportRequest(native.reason or "", subject=subject, anonymous=True)
        report = reports.create(native.sender, request, native.via, native.timestamp, native.reported_room,
                                native.reported_event_id or None, seen.body if seen else None, native.native_id)
        open_thread(ctx, report)
        ctx.do(SendDirect(native.sender, words.after_report_button(report), remember=keys.report_note(report.id)))

    # -- what the reporter adds in their direct chat (see scorebot.conversations) ----------------

    topic = Topic.REPORT

    def open_conversations(self, ctx: Context) -> list[int]:
        return reports.open_of_reporter(ctx.sender)

    def carry_on(self, ctx: Context, number: int, said: str) -> None:
        self._more_words(ctx, number, said)

    def _more_words(self, ctx: Context, number: int, added: str) -> None:
        report = reports.of_reporter(ctx.sender, number)
        if report is None:
            ctx.reply(words.no_report_of_yours(number))
            return
        if added.lower() == "named":
            if report.anonymous:
                reports.give_name(number)
                to_thread(ctx, report, words.name_given(report.reporter))
            ctx.confirm()
            return
        if not added:
            ctx.reply(words.what_to_add(number))
            return
        reports.add_words(number, added)
        reports.record(number, ctx.signal.timestamp, ctx.sender, "reporter", added)
        to_thread(ctx, report, words.reporter_adds(added))
        ctx.confirm()
