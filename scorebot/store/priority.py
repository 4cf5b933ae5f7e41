"""Priority declarations, for every meeting or for one: the most private records of a meeting.

Kept apart from the meetings' other records (`store.meetings`) so what must never be shown or
logged sits in one small place that is easy to check: a declaration is read only to order the stack,
and withdrawing it erases it (and any meeting's copy) from the disk too (see `store.erasure`).
"""

from __future__ import annotations

from scorebot.store import erasure
from scorebot.store.models import MeetingPriority, PriorityDeclaration, upsert


class Priority:
    """The part of `Meetings` about priority (private: never shown, never logged)."""

    def declare_priority(self, user_id: str, at: int) -> None:
        upsert(PriorityDeclaration, user_id=user_id, declared_at=at)

    def withdraw_priority(self, user_id: str) -> None:
        PriorityDeclaration.delete().where(PriorityDeclaration.user_id == user_id).execute()
        MeetingPriority.delete().where(MeetingPriority.person_key == user_id).execute()
        erasure.erase_after_commit()

    def set_meeting_priority(self, meeting_id: int, person_key: str) -> None:
        exists = MeetingPriority.get_or_none((MeetingPriority.meeting_id == meeting_id)
                                             & (MeetingPriority.person_key == person_key))
        if exists is None:
            MeetingPriority.create(meeting_id=meeting_id, person_key=person_key)

    def priority(self, meeting_id: int) -> set[str]:
        declared = {r.user_id for r in PriorityDeclaration.select()}
        for_meeting = {r.person_key for r in MeetingPriority.select().where(MeetingPriority.meeting_id == meeting_id)}
        return declared | for_meeting
