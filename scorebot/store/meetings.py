"""Meetings, their stack and turns: stored, returned as plain objects (priority: `store.priority`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from scorebot.domain import keys
from scorebot.domain.stack import POINT, Contribution, Entry, Person
from scorebot.domain.text import Text
from scorebot.store.attendance import Attendance
from scorebot.store.models import (
    Meeting,
    MeetingFacilitator,
    MeetingItem,
    MeetingNote,
    StackEntry,
    Turn,
)
from scorebot.store.priority import Priority


@dataclass(frozen=True)
class MeetingRecord:
    id: int
    room_id: str
    title: str
    started_by: str
    started_at: int
    ended_at: int | None
    closed: bool
    board_key: str | None
    board_serial: int
    minutes: Text | None = None  # as posted when the meeting ended


@dataclass(frozen=True)
class Stacked:
    """A waiting stack entry with where it came from (to undo it when its signal is redacted)."""

    id: int
    entry: Entry
    via: str
    source_event_id: str | None
    asked_at: int = 0


@dataclass(frozen=True)
class TurnRecord:
    id: int
    person: Person
    started_at: int
    ended_at: int | None
    wrapup_asked: bool
    clarification: bool = False

    def seconds(self, now: int | None = None) -> float:
        end = self.ended_at if self.ended_at is not None else now
        return max(0, (end or self.started_at) - self.started_at) / 1000


def _meeting(row: Meeting) -> MeetingRecord:
    minutes = Text(row.minutes_text, row.minutes_html) if row.minutes_text is not None else None
    return MeetingRecord(row.id, row.room_id, row.title, row.started_by, row.started_at, row.ended_at,
                         bool(row.closed), row.board_key, row.board_serial, minutes)


def _stacked(row: StackEntry) -> Stacked:
    entry = Entry(Person(row.person_key, row.name), row.id, bool(row.clarification), row.term, row.fixed_position,
                  row.kind)
    return Stacked(row.id, entry, row.via, row.source_event_id, row.asked_at)


def _turn(row: Turn) -> TurnRecord:
    return TurnRecord(row.id, Person(row.person_key, row.name), row.started_at, row.ended_at, bool(row.wrapup_asked),
                      bool(row.clarification))


class Meetings(Attendance, Priority):
    # -- meetings ---------------------------------------------------------------------------

    def running(self, room_id: str) -> MeetingRecord | None:
        # Asked for nearly every event (who facilitates here?): plain SQL, not built anew each time.
        sql = (f"SELECT * FROM {Meeting._meta.table_name} WHERE room_id = {Meeting._meta.database.param} "
               "AND ended_at IS NULL LIMIT 1")
        rows = list(Meeting.raw(sql, room_id))
        return _meeting(rows[0]) if rows else None

    def all_running(self) -> list[MeetingRecord]:
        return [_meeting(r) for r in Meeting.select().where(Meeting.ended_at.is_null()).order_by(Meeting.id)]

    def get(self, meeting_id: int) -> MeetingRecord | None:
        row = Meeting.get_or_none(Meeting.id == meeting_id)
        return _meeting(row) if row else None

    def all(self) -> list[MeetingRecord]:
        return [_meeting(r) for r in Meeting.select().order_by(Meeting.id)]

    def start(self, room_id: str, title: str, by: str, at: int, name: str | None = None) -> MeetingRecord:
        row = Meeting.create(room_id=room_id, title=title, started_by=by, started_at=at)
        MeetingFacilitator.create(meeting_id=row.id, user_id=by, since=at)
        self.count_present(row.id, by, at, name)
        return _meeting(row)

    def end(self, meeting_id: int, at: int) -> None:
        Meeting.update(ended_at=at).where(Meeting.id == meeting_id).execute()
        MeetingFacilitator.update(until=at).where(
            (MeetingFacilitator.meeting_id == meeting_id) & MeetingFacilitator.until.is_null()).execute()
        StackEntry.update(left_at=at, left_how="meeting ended").where(
            (StackEntry.meeting_id == meeting_id) & StackEntry.left_at.is_null()).execute()

    def keep_minutes(self, meeting_id: int, minutes: Text) -> None:
        Meeting.update(minutes_text=minutes.plain, minutes_html=minutes.html).where(Meeting.id == meeting_id).execute()

    def board_token(self, meeting_id: int) -> str:
        """The projector page's secret for this meeting, made on first use; it dies with the meeting."""
        row = Meeting.get_by_id(meeting_id)
        if not row.board_token:
            token = secrets.token_urlsafe(24)
            Meeting.update(board_token=token).where(Meeting.id == meeting_id).execute()
            return token
        return row.board_token

    def by_board_token(self, token: str) -> MeetingRecord | None:
        """The running meeting whose projector page this is; none once the meeting has ended."""
        row = Meeting.get_or_none((Meeting.board_token == token) & Meeting.ended_at.is_null())
        return _meeting(row) if row else None

    def set_closed(self, meeting_id: int, closed: bool) -> None:
        Meeting.update(closed=closed).where(Meeting.id == meeting_id).execute()

    def next_board_key(self, meeting_id: int) -> str:
        """A new key for a freshly posted board; it becomes the one edits go to."""
        row = Meeting.get_by_id(meeting_id)
        key = keys.board(meeting_id, row.board_serial + 1)
        Meeting.update(board_serial=row.board_serial + 1, board_key=key).where(Meeting.id == meeting_id).execute()
        return key

    # -- facilitators -------------------------------------------------------------------------

    def facilitators(self, meeting_id: int) -> list[str]:
        rows = MeetingFacilitator.select().where(
            (MeetingFacilitator.meeting_id == meeting_id) & MeetingFacilitator.until.is_null())
        return [r.user_id for r in rows.order_by(MeetingFacilitator.id)]

    def everyone_who_facilitated(self, meeting_id: int) -> list[str]:
        rows = MeetingFacilitator.select().where(MeetingFacilitator.meeting_id == meeting_id)
        return list(dict.fromkeys(r.user_id for r in rows.order_by(MeetingFacilitator.id)))

    def hand_over(self, meeting_id: int, from_user: str | None, to_user: str | None, at: int,
                  name: str | None = None) -> None:
        """From `from_user` (if they facilitated) to `to_user`; to no one: to the room's moderators."""
        if from_user:
            MeetingFacilitator.update(until=at).where(
                (MeetingFacilitator.meeting_id == meeting_id) & (MeetingFacilitator.user_id == from_user)
                & MeetingFacilitator.until.is_null()).execute()
        if to_user and to_user not in self.facilitators(meeting_id):
            MeetingFacilitator.create(meeting_id=meeting_id, user_id=to_user, since=at)
            self.count_present(meeting_id, to_user, at, name)

    # -- the stack ------------------------------------------------------------------------------

    def waiting(self, meeting_id: int) -> list[Stacked]:
        rows = StackEntry.select().where((StackEntry.meeting_id == meeting_id) & StackEntry.left_at.is_null())
        return [_stacked(r) for r in rows.order_by(StackEntry.id)]

    def add(self, meeting_id: int, person: Person, via: str, at: int, source_event_id: str | None = None,
            clarification: bool = False, term: str | None = None, target_event_id: str | None = None,
            kind: str = POINT) -> Stacked:
        row = StackEntry.create(meeting_id=meeting_id, person_key=person.key, name=person.name, via=via,
                                asked_at=at, source_event_id=source_event_id, clarification=clarification,
                                term=term, target_event_id=target_event_id, kind=kind)
        self.count_present(meeting_id, person.user_id, at, person.name)
        return _stacked(row)

    def take_off(self, entry_id: int, at: int, how: str) -> None:
        StackEntry.update(left_at=at, left_how=how).where(StackEntry.id == entry_id).execute()

    def set_fixed_positions(self, fixed: dict[int, int | None]) -> None:
        """Each entry's fixed position, by entry ID."""
        for entry_id, place in fixed.items():
            StackEntry.update(fixed_position=place).where(StackEntry.id == entry_id).execute()

    def raised_on(self, meeting_id: int, target_event_id: str) -> list[Stacked]:
        """Who is waiting by a hand raised on `target_event_id` (a call membership)."""
        rows = StackEntry.select().where((StackEntry.meeting_id == meeting_id) & StackEntry.left_at.is_null()
                                         & (StackEntry.target_event_id == target_event_id))
        return [_stacked(r) for r in rows]

    def from_signal(self, meeting_id: int, event_id: str) -> Stacked | None:
        row = StackEntry.get_or_none((StackEntry.meeting_id == meeting_id) & (StackEntry.source_event_id == event_id)
                                     & StackEntry.left_at.is_null())
        return _stacked(row) if row else None

    # -- turns ----------------------------------------------------------------------------------

    def turns(self, meeting_id: int) -> list[TurnRecord]:
        return [_turn(r) for r in Turn.select().where(Turn.meeting_id == meeting_id).order_by(Turn.id)]

    def current_turn(self, meeting_id: int) -> TurnRecord | None:
        row = Turn.get_or_none((Turn.meeting_id == meeting_id) & Turn.ended_at.is_null())
        return _turn(row) if row else None

    def start_turn(self, meeting_id: int, person: Person, at: int, clarification: bool = False) -> TurnRecord:
        self.count_present(meeting_id, person.user_id, at, person.name)
        return _turn(Turn.create(meeting_id=meeting_id, person_key=person.key, name=person.name, started_at=at,
                                 clarification=clarification))

    def end_turn(self, turn_id: int, at: int) -> None:
        Turn.update(ended_at=at).where(Turn.id == turn_id).execute()

    def mark_wrapup_asked(self, turn_id: int) -> None:
        Turn.update(wrapup_asked=True).where(Turn.id == turn_id).execute()

    def contributions(self, meeting_id: int, now: int) -> dict[str, Contribution]:
        totals: dict[str, Contribution] = {}
        for turn in self.turns(meeting_id):
            if turn.clarification:  # a brief explanation does not cost anyone their place in front
                continue
            done = totals.get(turn.person.key, Contribution())
            totals[turn.person.key] = Contribution(done.turns + 1, done.seconds + turn.seconds(now))
        return totals

    # -- decisions and action items -------------------------------------------------------------

    def record_item(self, meeting_id: int, kind: str, text: str, who: str | None, by: str, at: int) -> None:
        MeetingItem.create(meeting_id=meeting_id, kind=kind, text=text, who=who, by=by, at=at)

    def items(self, meeting_id: int, kind: str) -> list[tuple[int, str, str | None]]:
        rows = MeetingItem.select().where((MeetingItem.meeting_id == meeting_id) & (MeetingItem.kind == kind))
        return [(r.at, r.text, r.who) for r in rows.order_by(MeetingItem.id)]

    # -- notes for the minutes -------------------------------------------------------------------

    def note(self, meeting_id: int, at: int, text: str) -> None:
        MeetingNote.create(meeting_id=meeting_id, at=at, text=text)

    def notes(self, meeting_id: int) -> list[tuple[int, str]]:
        rows = MeetingNote.select().where(MeetingNote.meeting_id == meeting_id).order_by(MeetingNote.id)
        return [(r.at, r.text) for r in rows]


meetings = Meetings()
