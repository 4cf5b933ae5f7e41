"""Who is counted present in a meeting: one list for its votes, its minutes and who left.

Taking part counts someone present: !here, asking to speak, speaking, facilitating, a hand shown
in a vote. Leaving the room (or being removed) ends it, until they take part anew.
"""

from __future__ import annotations

from scorebot.store.models import MeetingAttendance, MeetingPriority


class Attendance:
    def count_present(self, meeting_id: int, user_id: str | None, at: int, name: str | None = None) -> None:
        """Someone took part (!here, asked to speak, spoke, facilitated, voted): counted present,
        again after they left and came back. `name`: as the room shows them now."""
        named = {"name": name} if name and name != user_id else {}
        if user_id and not MeetingAttendance.update(left_at=None, **named).where(
                (MeetingAttendance.meeting_id == meeting_id) & (MeetingAttendance.user_id == user_id)).execute():
            MeetingAttendance.insert(meeting_id=meeting_id, user_id=user_id, at=at, **named).on_conflict_ignore() \
                .execute()

    def departed(self, meeting_id: int, user_id: str, at: int) -> None:
        """They left the room: no longer present, and the priority given them for this meeting is gone."""
        MeetingAttendance.update(left_at=at).where((MeetingAttendance.meeting_id == meeting_id)
                                                   & (MeetingAttendance.user_id == user_id)).execute()
        MeetingPriority.delete().where((MeetingPriority.meeting_id == meeting_id)
                                       & (MeetingPriority.person_key == user_id)).execute()

    def names(self, meeting_id: int) -> dict[str, str]:
        """The name each person counted present had in the room (kept for those who since left)."""
        rows = MeetingAttendance.select().where((MeetingAttendance.meeting_id == meeting_id)
                                                & MeetingAttendance.name.is_null(False))
        return {r.user_id: r.name for r in rows}

    def present(self, meeting_id: int, ever: bool = False) -> set[str]:
        """Who is counted present now (for a vote); `ever`: at any time in the meeting (the minutes)."""
        where = MeetingAttendance.meeting_id == meeting_id
        rows = MeetingAttendance.select().where(where if ever else where & MeetingAttendance.left_at.is_null())
        return {r.user_id for r in rows}
