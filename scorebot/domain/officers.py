"""Who belongs in a room made for the other grievance officers (see `organization.readers_of`), when
the officers change while its report or case is open: a new officer is invited, one who is no
longer an officer leaves, and the person it is about never gets in, even as an officer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class OfficersChange:
    joined: tuple[str, ...] = ()  # new officers: invited, and welcomed by name
    left: tuple[str, ...] = ()  # no longer officers: taken out, and named
    officers: tuple[str, ...] = ()  # who the room is for from now on

    def __bool__(self) -> bool:
        return bool(self.joined or self.left)


def officers_change(known: Iterable[str], officers: Iterable[str], subject: str) -> OfficersChange:
    """What changes in the room of a report or case about `subject`, made for `known` (the officers it
    was last made right for), now that the officers are `officers`. The subject is never among those
    it is for, officer or not."""
    known, others = set(known) - {subject}, set(officers) - {subject}
    return OfficersChange(tuple(sorted(others - known)), tuple(sorted(known - others)), tuple(sorted(others)))


def let_in(membership: str) -> bool:
    """Whether a membership puts someone in a room, or on their way in."""
    return membership in ("invite", "join", "knock")


def stored(officers: Iterable[str]) -> str:
    """How the officers a room is for are kept (a mark): Matrix IDs hold no comma."""
    return ",".join(sorted(officers))


def read(kept: str | None) -> tuple[str, ...] | None:
    """The officers kept by `stored`; None when nothing is kept (a room made before they were)."""
    if kept is None:
        return None
    return tuple(user for user in kept.split(",") if user)
