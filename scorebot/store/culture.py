"""Recent messages, ouches, follow-ups and the glossary: stored, returned as plain objects."""

from __future__ import annotations

from dataclasses import dataclass

from scorebot.domain.culture import Ouch, term_key
from scorebot.store.models import (
    FollowUp,
    GlossaryTerm,
    MeetingTerm,
    OuchMoment,
    RecentMessage,
    RememberedMessage,
    insert_row,
    upsert,
)


@dataclass(frozen=True)
class KeptMessage:
    """A member's recent message, kept a few days so an ouch or evidence can quote it."""

    event_id: str
    room_id: str
    sender: str
    body: str
    at: int


@dataclass(frozen=True)
class Term:
    term: str
    explanation: str


def _ouch(row: OuchMoment) -> Ouch:
    notice = RememberedMessage.get_or_none(RememberedMessage.key == row.notice_key) if row.notice_key else None
    return Ouch(row.id, row.room_id, row.event_id, row.author, row.quote, row.at,
                  notice.event_id if notice else None, row.acknowledged_at)


class Culture:
    # -- recent messages ------------------------------------------------------------------------

    def keep_message(self, room_id: str, event_id: str, sender: str, body: str, at: int) -> None:
        insert_row(RecentMessage, ignore_existing=True, event_id=event_id, room_id=room_id, sender=sender,
                   body=body[:4000], at=at)

    def edited(self, event_id: str, sender: str, body: str) -> None:
        """An edit by the message's author: what the message says now is its newest content."""
        RecentMessage.update(body=body[:4000]).where((RecentMessage.event_id == event_id)
                                                     & (RecentMessage.sender == sender)).execute()

    def forget_message(self, event_id: str, sender: str) -> None:
        """A message its author turned private by an edit: its words are not kept."""
        RecentMessage.delete().where((RecentMessage.event_id == event_id) & (RecentMessage.sender == sender)).execute()

    def message(self, event_id: str) -> KeptMessage | None:
        row = RecentMessage.get_or_none(RecentMessage.event_id == event_id)
        return KeptMessage(row.event_id, row.room_id, row.sender, row.body, row.at) if row else None

    def message_times(self, room_id: str, sender: str, since: int) -> list[int]:
        """When `sender` wrote in the room from `since` on (for flood alerts)."""
        rows = RecentMessage.select(RecentMessage.at).where(
            (RecentMessage.room_id == room_id) & (RecentMessage.sender == sender) & (RecentMessage.at >= since))
        return [row.at for row in rows]

    def first_message_since(self, room_id: str, sender: str, since: int) -> KeptMessage | None:
        row = (RecentMessage.select().where((RecentMessage.room_id == room_id) & (RecentMessage.sender == sender)
                                            & (RecentMessage.at >= since))
               .order_by(RecentMessage.at).first())
        return KeptMessage(row.event_id, row.room_id, row.sender, row.body, row.at) if row else None

    def last_message_of(self, room_id: str, sender: str, since: int) -> KeptMessage | None:
        row = (RecentMessage.select().where((RecentMessage.room_id == room_id) & (RecentMessage.sender == sender)
                                            & (RecentMessage.at >= since))
               .order_by(RecentMessage.at.desc()).first())
        return KeptMessage(row.event_id, row.room_id, row.sender, row.body, row.at) if row else None

    def forget_messages_before(self, cutoff: int) -> int:
        return RecentMessage.delete().where(RecentMessage.at < cutoff).execute()

    # -- ouches --------------------------------------------------------------------------------

    def keep_ouch(self, room_id: str, meeting_id: int | None, event_id: str, author: str, quote: str,
                  at: int, notice_key: str) -> Ouch | None:
        """Keep an ouch on a message; None when it has one already (the same moment is one ouch)."""
        if OuchMoment.get_or_none((OuchMoment.room_id == room_id) & (OuchMoment.event_id == event_id)):
            return None
        return _ouch(OuchMoment.create(room_id=room_id, meeting_id=meeting_id, event_id=event_id, author=author,
                                       quote=quote, at=at, notice_key=notice_key))

    def open_ouches(self, room_id: str) -> list[Ouch]:
        rows = OuchMoment.select().where((OuchMoment.room_id == room_id) & OuchMoment.acknowledged_at.is_null())
        return [_ouch(r) for r in rows.order_by(OuchMoment.id)]

    def acknowledge(self, ouch_id: int, at: int) -> None:
        OuchMoment.update(acknowledged_at=at).where(OuchMoment.id == ouch_id).execute()

    def ouches_of_meeting(self, meeting_id: int) -> list[Ouch]:
        rows = OuchMoment.select().where(OuchMoment.meeting_id == meeting_id)
        return [_ouch(r) for r in rows.order_by(OuchMoment.id)]

    def ouches_received(self, user_id: str) -> int:
        return OuchMoment.select().where(OuchMoment.author == user_id).count()

    # -- follow-ups ------------------------------------------------------------------------------

    def follow_up(self, meeting_id: int, text: str, at: int) -> None:
        FollowUp.create(meeting_id=meeting_id, text=text, at=at)

    def follow_ups(self, meeting_id: int, open_only: bool = True, with_time: bool = False) -> list[tuple]:
        """(id, text, done), and when each was added if `with_time`."""
        rows = FollowUp.select().where(FollowUp.meeting_id == meeting_id)
        if open_only:
            rows = rows.where(FollowUp.done_at.is_null())
        return [(r.id, r.text, r.done_at is not None, *((r.at,) if with_time else ()))
                for r in rows.order_by(FollowUp.id)]

    def close_follow_up(self, meeting_id: int, number: int, at: int) -> bool:
        """Close the meeting's follow-up listed as `number` (1-based among open ones)."""
        open_ones = self.follow_ups(meeting_id)
        if not 1 <= number <= len(open_ones):
            return False
        FollowUp.update(done_at=at).where(FollowUp.id == open_ones[number - 1][0]).execute()
        return True

    # -- the glossary ------------------------------------------------------------------------------

    def define(self, term: str) -> Term | None:
        row = GlossaryTerm.get_or_none(GlossaryTerm.key == term_key(term))
        return Term(row.term, row.explanation) if row else None

    def add_term(self, term: str, explanation: str, by: str, at: int) -> None:
        upsert(GlossaryTerm, key=term_key(term), term=term.strip(), explanation=explanation.strip(), added_by=by,
                            added_at=at)

    def remove_term(self, term: str) -> bool:
        return GlossaryTerm.delete().where(GlossaryTerm.key == term_key(term)).execute() > 0

    def terms(self) -> list[Term]:
        return [Term(r.term, r.explanation) for r in GlossaryTerm.select().order_by(GlossaryTerm.key)]

    def seed_glossary(self, terms: dict[str, str], at: int) -> int:
        """Load a seed glossary, only into an empty one."""
        if GlossaryTerm.select().exists():
            return 0
        for term, explanation in terms.items():
            self.add_term(term, explanation, "seed", at)
        return len(terms)

    def term_explained(self, meeting_id: int, term: str, at: int) -> None:
        MeetingTerm.create(meeting_id=meeting_id, term=term, at=at)

    def terms_explained(self, meeting_id: int) -> list[str]:
        rows = MeetingTerm.select().where(MeetingTerm.meeting_id == meeting_id).order_by(MeetingTerm.id)
        return list(dict.fromkeys(r.term for r in rows))


culture = Culture()
