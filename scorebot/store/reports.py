"""Confidential reports: who reported what about whom, who assists, and what happened since."""

from __future__ import annotations

from scorebot.domain.reports import Report, ReportRequest, ReportState
from scorebot.store import models as m


def _report(row: m.Report) -> Report:
    assigned = tuple(a.user_id for a in m.ReportAssignee.select().where(m.ReportAssignee.report_id == row.id)
                     .order_by(m.ReportAssignee.id))
    return Report(row.id, row.reporter, row.subject, row.subject_name, bool(row.anonymous), bool(row.wants_answers),
                  row.via, row.room_id, row.evidence_event, row.evidence_text, row.words, ReportState(row.state),
                  assigned, row.created_at)


class Reports:
    def create(self, reporter: str, request: ReportRequest, via: str, at: int, room_id: str | None = None,
               evidence_event: str | None = None, evidence_text: str | None = None,
               native_id: int | None = None) -> Report:
        row = m.Report.create(reporter=reporter, subject=request.subject, subject_name=request.subject_name,
                              anonymous=request.anonymous, wants_answers=request.wants_answers, via=via,
                              room_id=room_id, evidence_event=evidence_event, evidence_text=evidence_text,
                              words=request.words, created_at=at, native_id=native_id)
        return _report(row)

    def get(self, report_id: int) -> Report | None:
        row = m.Report.get_or_none(m.Report.id == report_id)
        return _report(row) if row else None

    def of_reporter(self, reporter: str, report_id: int) -> Report | None:
        """A report, only for the one who made it: guessing numbers shows nothing."""
        row = m.Report.get_or_none((m.Report.id == report_id) & (m.Report.reporter == reporter))
        return _report(row) if row else None

    def open_of_reporter(self, reporter: str) -> list[int]:
        """The numbers of `reporter`'s reports not resolved yet: conversations open in their direct chat."""
        still_open = (m.Report.reporter == reporter) & (m.Report.state != ReportState.RESOLVED.value)
        rows = m.Report.select(m.Report.id).where(still_open).order_by(m.Report.id)
        return [row.id for row in rows]

    def about(self, subject: str) -> list[Report]:
        return [_report(r) for r in m.Report.select().where(m.Report.subject == subject).order_by(m.Report.id)]

    def has_native(self, native_id: int) -> bool:
        return m.Report.select().where(m.Report.native_id == native_id).exists()

    def add_words(self, report_id: int, words: str) -> None:
        row = m.Report.get_by_id(report_id)
        combined = f"{row.words}\n{words}".strip()
        m.Report.update(words=combined).where(m.Report.id == report_id).execute()

    def give_name(self, report_id: int) -> None:
        """The reporter lets the IGOs know who they are (the other way round cannot be undone)."""
        m.Report.update(anonymous=False).where(m.Report.id == report_id).execute()

    def assign(self, report_id: int, user_id: str) -> bool:
        if m.ReportAssignee.select().where((m.ReportAssignee.report_id == report_id)
                                           & (m.ReportAssignee.user_id == user_id)).exists():
            return False
        m.ReportAssignee.create(report_id=report_id, user_id=user_id)
        if m.Report.get_by_id(report_id).state == ReportState.OPEN.value:
            self.set_state(report_id, ReportState.ASSIGNED)
        return True

    def set_state(self, report_id: int, state: ReportState) -> None:
        m.Report.update(state=state.value).where(m.Report.id == report_id).execute()

    def record(self, report_id: int, at: int, by: str, kind: str, text: str) -> None:
        m.ReportEntry.create(report_id=report_id, at=at, by=by, kind=kind, text=text)

    def entries(self, report_id: int) -> list[tuple[int, str, str, str]]:
        rows = m.ReportEntry.select().where(m.ReportEntry.report_id == report_id).order_by(m.ReportEntry.id)
        return [(r.at, r.by, r.kind, r.text) for r in rows]

    def needing_a_reminder(self, before: int) -> list[Report]:
        rows = m.Report.select().where((m.Report.state == ReportState.OPEN.value) & (m.Report.created_at <= before)
                                       & m.Report.reminded_at.is_null())
        return [_report(r) for r in rows]

    def reminded(self, report_id: int, at: int) -> None:
        m.Report.update(reminded_at=at).where(m.Report.id == report_id).execute()


reports = Reports()
