"""Finding the member someone means, as people type them: `@bob`, `bob`, `Bob Smith`, `@Bob:server`."""

from __future__ import annotations

from scorebot.domain.ids import USER_ID


def find_member(typed: str, members: dict[str, str]) -> list[str]:
    """The members `typed` can mean (user ID -> display name): one, several, or none.

    A whole Matrix ID matches itself (in any case); then the part of the ID before the server;
    then the display name, in any case. The first of these that fits anyone decides."""
    wanted = typed.strip().casefold()
    bare = wanted.removeprefix("@")
    for fits in (lambda user, name: user.casefold() == wanted,
                 lambda user, name: user[1:].split(":", 1)[0].casefold() == bare,
                 lambda user, name: (name or "").strip().casefold() == bare):
        found = sorted(user for user, name in members.items() if fits(user, name))
        if found:
            return found
    return []


def is_matrix_id(typed: str) -> bool:
    return bool(USER_ID.match(typed))
