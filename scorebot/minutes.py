"""A meeting's minutes, read from the store: what the bot posts when a meeting ends and what
`scorebot minutes export` prints. One read model, so the two always say the same, and the command
line needs none of the bot's features to print them."""

from __future__ import annotations

from collections.abc import Callable

from scorebot.domain.board import duration
from scorebot.domain.minutes import ItemPart, MinutesData, SpokenTurn, by_item, clock
from scorebot.domain.revision import State, meeting_vote_passes
from scorebot.store.agenda import agenda
from scorebot.store.culture import culture
from scorebot.store.meetings import MeetingRecord, meetings
from scorebot.store.revisions import revisions

Section = tuple[str, list[str]]


def minutes_data(meeting: MeetingRecord, timezone: str,
                 name: Callable[[str], str] = lambda user: user) -> MinutesData:
    """What the minutes of `meeting` say; `name` gives a person's display name."""
    name = one_name(name, meetings.names(meeting.id))
    end = meeting.ended_at or meeting.started_at
    turns = [SpokenTurn(name(t.person.key) if t.person.user_id else t.person.name, t.started_at, t.ended_at or end,
                        t.clarification) for t in meetings.turns(meeting.id)]
    at = lambda ms: clock(ms, timezone)  # noqa: E731 - "HH:MM" in the group's time zone
    sections = [*_culture(meeting.id, at, name), *_decisions(meeting.id, at, name),
                *_revision(meeting.id, name)]
    return MinutesData(meeting.title, [name(u) for u in meetings.everyone_who_facilitated(meeting.id)],
                       meeting.started_at, end, turns, meetings.notes(meeting.id), timezone, sections,
                       _agenda(meeting.id, turns, end, name))


def _agenda(meeting_id: int, turns: list[SpokenTurn], end: int, name) -> list[ItemPart]:
    """Speakers, decisions, action items and ouches under the agenda item open when they happened."""
    items = [(i.title, i.timebox, i.opened_at, i.closed_at) for i in agenda.items(meeting_id)]
    if not items:
        return []
    rows = [(t.started_at, f"Spoke: {t.name}, {duration(t.seconds)}") for t in turns]
    rows += [(at, f"Decision: {text}") for at, text, _ in meetings.items(meeting_id, "decision")]
    rows += [(at, f"Action item: {name(who)}: {text}") for at, text, who in meetings.items(meeting_id, "action")]
    rows += [(ouch.at, f"Ouch on {name(ouch.author)}'s message")
             for ouch in culture.ouches_of_meeting(meeting_id)]
    return by_item(items, rows, end)


def one_name(name: Callable[[str], str], kept: dict[str, str]) -> Callable[[str], str]:
    """Each person under one name throughout: their display name, else the name they had in the
    meeting (someone who left is no longer in the room to ask), else their Matrix ID."""
    def named(user: str) -> str:
        now = name(user)
        return now if now != user else kept.get(user, user)
    return named


def _culture(meeting_id: int, at, name) -> list[Section]:
    """Oops and Ouch as the code of conduct asks them to be kept, follow-ups, and terms explained."""
    ouches = []
    for ouch in culture.ouches_of_meeting(meeting_id):
        state = f"acknowledged with oops at {at(ouch.acknowledged_at)}" if ouch.acknowledged_at else \
            "not acknowledged yet"
        ouches.append(f"{at(ouch.at)} Ouch on {name(ouch.author)}'s message: “{ouch.quote}” ({state})")
    follow_ups = [f"{text} ({'done' if done else 'open'})"
                  for _, text, done in culture.follow_ups(meeting_id, open_only=False)]
    terms = culture.terms_explained(meeting_id)
    return [("Oops / Ouch", ouches), ("Follow-ups", follow_ups), ("Terms explained", terms)]


def _decisions(meeting_id: int, at, name) -> list[Section]:
    decisions = [f"{at(when)} {text}" for when, text, _ in meetings.items(meeting_id, "decision")]
    actions = [f"{name(who)}: {text}" for _, text, who in meetings.items(meeting_id, "action")]
    return [("Decisions", decisions), ("Action items", actions)]


def _revision(meeting_id: int, name) -> list[Section]:
    """Everyone counted present at any time in the meeting (as for its votes), and the votes on
    revisions of the code of conduct."""
    sections = []
    present = sorted({name(user) for user in meetings.present(meeting_id, ever=True)}, key=str.casefold)
    if present:
        sections.append(("Present", present))
    votes = [f"Revision #{p.id}: " + ("vote opened, not counted" if p.meeting_yes is None else
             f"yes {p.meeting_yes}, no {p.meeting_no}, {p.present} present; "
             + ("passed to a secret ballot" if meeting_vote_passes(p.meeting_yes, p.present)
               and p.state is not State.SUBMITTED else "not passed"))
             for p in revisions.in_meeting(meeting_id)]
    if votes:
        sections.append(("Votes", votes))
    return sections
