"""Finding the member someone means, as people type them: a pill, `@bob:server`, `@bob`, `bob`,
"Bob Smith", in any case. One resolver, so every command that names a person agrees on who it is."""

from __future__ import annotations

from dataclasses import dataclass

from scorebot.domain.ids import USER_ID

QUOTES = ('"', "“", "”", "„", "«", "»")


@dataclass(frozen=True)
class Found:
    """Who a typed name means: one member (`user_id`), several (`several`, to ask which), or no
    member. `name` is someone with no account, named in quotes where a command allows that."""

    typed: str
    user_id: str | None = None
    several: tuple[str, ...] = ()
    name: str | None = None

    @property
    def nobody(self) -> bool:
        return self.user_id is None and not self.several and self.name is None


def find_member(typed: str, members: dict[str, str]) -> list[str]:
    """The members `typed` can mean (user ID -> display name): one, several, or none.

    A whole Matrix ID matches itself (in any case); then the part of the ID before the server;
    then the display name, in any case. The first of these that fits anyone decides."""
    wanted = typed.strip().strip("".join(QUOTES)).strip().casefold()
    bare = wanted.removeprefix("@")
    for fits in (lambda user, name: user.casefold() == wanted,
                 lambda user, name: user[1:].split(":", 1)[0].casefold() == bare,
                 lambda user, name: (name or "").strip().casefold() == bare):
        found = sorted(user for user, name in members.items() if fits(user, name))
        if found:
            return found
    return []


def resolve(typed: str, members: dict[str, str], quoted_may_be_anyone: bool = False) -> Found:
    """Who `typed` names among `members`. A whole Matrix ID of someone the bot does not see is that
    ID. A "quoted name" that fits no member is someone with no account when the command allows
    one (`quoted_may_be_anyone`, as `!stack add "Pat"`); a member's quoted name is always them."""
    text = typed.strip()
    quoted = len(text) > 1 and text[0] in QUOTES
    inner = text.strip("".join(QUOTES)).strip()
    found = find_member(inner, members)
    if len(found) == 1:
        return Found(inner, user_id=found[0])
    if found:
        return Found(inner, several=tuple(found))
    if is_matrix_id(inner):
        return Found(inner, user_id=inner)
    if quoted and quoted_may_be_anyone and inner:
        return Found(inner, name=inner)
    return Found(inner.lstrip("@"))


def is_matrix_id(typed: str) -> bool:
    return bool(USER_ID.match(typed))
