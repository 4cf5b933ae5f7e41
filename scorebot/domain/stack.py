"""The Modified Progressive Stack, as plain rules.

Order, from the code of conduct: a point of process goes ahead of all, then a point of
clarification, then a direct response to the speaker; then the new points (hands), the front tier
first: everyone who has not spoken yet in this meeting and everyone who declared priority and has not
contributed significantly; then everyone else. Within each kind the front tier goes first, and within
a tier, first asked is first called. A facilitator's move (or a member's step back) gives a person a
fixed position among the hands, which holds as newcomers arrive; it moves up as people ahead of it
are called.

Nothing here says why a person stands where they stand: callers get the order, never the tiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum

# A raised hand: ✋ 🖐 🤚 🙋, then an optional skin tone, gender sign and variation selector.
_HAND = re.compile(
    "^(?:\u270b|\U0001f590|\U0001f91a|\U0001f64b)"
    "[\U0001f3fb-\U0001f3ff]?"
    "(?:\u200d[\u2640\u2642])?"
    "\ufe0f?"
)


class MeetingEvent(Enum):
    """What one meeting feature tells the others (`Context.announce`)."""

    TURN_ENDED = "turn ended"
    MEETING_ENDING = "meeting ending"


def is_hand(text: str) -> bool:
    """Whether a message or a reaction key is, or starts with, a raised hand."""
    return bool(_HAND.match(text.strip()))


@dataclass(frozen=True)
class Person:
    """Someone on the stack: a member by Matrix ID, or a named person with no account."""

    key: str  # "@user:server", or "name:Pat" for someone on the phone
    name: str

    @classmethod
    def named(cls, name: str) -> Person:
        return cls(f"name:{name.casefold()}", name)

    @property
    def user_id(self) -> str | None:
        return self.key if self.key.startswith("@") else None


# The kinds of request, in calling order: a point of process, then (a clarification), then a direct
# response, then a new point. A clarification is told by `Entry.clarification`.
PROCESS = "process"
RESPOND = "respond"
POINT = "point"
KINDS = (PROCESS, RESPOND, POINT)


@dataclass(frozen=True)
class Entry:
    person: Person
    seq: int  # when they asked, as a counter: first asked, first called
    clarification: bool = False
    term: str | None = None
    fixed_position: int | None = None  # a facilitator's move: the position among the new points
    kind: str = POINT

    @property
    def ahead(self) -> bool:
        """Not a new point: it goes before the hands, and no fixed position applies to it."""
        return self.clarification or self.kind != POINT

    @property
    def rank(self) -> int:
        """Which kind is called first: process, clarification, response, new point."""
        if self.kind == PROCESS:
            return 0
        return 1 if self.clarification else 2 if self.kind == RESPOND else 3


@dataclass(frozen=True)
class Contribution:
    turns: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class StackRules:
    significant_turns: int = 2
    significant_seconds: float = 300.0

    def contributed_significantly(self, contribution: Contribution) -> bool:
        return (contribution.turns >= self.significant_turns
                or contribution.seconds >= self.significant_seconds)


def in_front_tier(person: Person, contributions: Mapping[str, Contribution], priority: Iterable[str],
                  rules: StackRules) -> bool:
    done = contributions.get(person.key, Contribution())
    if done.turns == 0:
        return True
    return person.key in set(priority) and not rules.contributed_significantly(done)


def order(entries: Iterable[Entry], contributions: Mapping[str, Contribution], priority: Iterable[str],
          rules: StackRules = StackRules()) -> list[Entry]:
    """The stack in calling order. Deterministic: the same entries give the same order."""
    entries = list(entries)
    priority = set(priority)

    def behind(entry: Entry) -> bool:  # a clarification is brief: first asked, first called
        return not entry.clarification and not in_front_tier(entry.person, contributions, priority, rules)

    ahead = sorted((e for e in entries if e.ahead), key=lambda e: (e.rank, behind(e), e.seq, e.person.key))
    others = [e for e in entries if not e.ahead]
    natural = sorted((e for e in others if e.fixed_position is None), key=lambda e: (behind(e), e.seq, e.person.key))
    fixed = sorted((e for e in others if e.fixed_position is not None),
                   key=lambda e: (e.fixed_position, e.seq, e.person.key))
    for entry in fixed:
        natural.insert(min(entry.fixed_position - 1, len(natural)), entry)
    return ahead + natural


def without(entries: Iterable[Entry], leaving: Entry, ordered: list[Entry]) -> list[Entry]:
    """The entries once `leaving` is gone (called, withdrawn or removed); fixed positions behind it move up."""
    others = [e for e in ordered if not e.ahead]
    place = others.index(leaving) + 1 if leaving in others else None
    result = []
    for entry in entries:
        if entry == leaving:
            continue
        if place is not None and entry.fixed_position is not None and entry.fixed_position > place:
            entry = replace(entry, fixed_position=entry.fixed_position - 1)
        result.append(entry)
    return result


def moved(ordered: list[Entry], moving: Entry, place: int) -> dict[int, int]:
    """The fixed positions once a facilitator moves `moving` to `place` (1-based): those at or after
    that place make room for it. Returns each fixed entry's new place, by its sequence number."""
    others = [e for e in ordered if not e.ahead and e != moving]
    fixed = {e.seq: e.fixed_position + 1 for e in others if e.fixed_position is not None and e.fixed_position >= place}
    fixed[moving.seq] = place
    return fixed


def stepped_back(ordered: list[Entry], key: str) -> dict[int, int] | None:
    """The fixed positions once a member lets the person right after them among the new points go first; None
    when nobody is after them. Only ever downward: no one is moved up but the one they let pass."""
    points = [e for e in ordered if not e.ahead]
    mine = next((i for i, e in enumerate(points) if e.person.key == key), None)
    if mine is None or mine + 1 >= len(points):
        return None
    fixed = {points[mine].seq: mine + 2}
    if points[mine + 1].fixed_position is not None:
        fixed[points[mine + 1].seq] = mine + 1
    return fixed


def position(ordered: list[Entry], key: str) -> int | None:
    """1-based place of a person in the calling order."""
    for index, entry in enumerate(ordered, 1):
        if entry.person.key == key:
            return index
    return None


def folded(text: str) -> str:
    """A stack text as people type it: any case, any spacing, a full stop or ! at the end."""
    return " ".join(text.casefold().split()).rstrip(".!?…,;: ")
