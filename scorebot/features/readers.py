"""Where a report or an escalated case about someone is read, so that it never reaches a room the
person it is about can read (see `domain.organization.readers_of`). Reports and cases ask this one
place before anything about them is sent to the grievance officers."""

from __future__ import annotations

from scorebot.context import Context
from scorebot.domain import conflict_words as words
from scorebot.domain import keys, limits
from scorebot.domain.actions import CreateRoom, Send, SendDirect
from scorebot.domain.officers import stored
from scorebot.domain.organization import Readers, Route, conflicted, readers_of
from scorebot.domain.rooms import RoomKind
from scorebot.domain.text import Text, plain
from scorebot.store.marks import marks


def _in_room(ctx: Context, kind: RoomKind) -> set[str] | None:
    """Who is in (or invited to) the configured room of that kind; None when there is none."""
    room = ctx.room_of(kind)
    if room is None:
        return None
    view = ctx.views.get(room)
    return set(view.members) | set(view.invited) if view else set()


def readers(ctx: Context, subject: str | None, room_key: str | None = None) -> Readers:
    """Who reads a report or case about `subject`. One whose room for the other officers was made
    (`room_key`) stays there for its life, even once its subject is no longer an officer: its
    thread was never opened in the grievance officers' room."""
    found = readers_of(subject, ctx.roles.igos(), _in_room(ctx, RoomKind.IGO), _in_room(ctx, RoomKind.STEERING),
                       _in_room(ctx, RoomKind.MODERATORS))
    if room_key and found.route is Route.IGO_ROOM and marks.get(room_key) is not None:
        others = tuple(sorted(set(ctx.roles.igos()) - {subject}))
        if others:
            return Readers(Route.OTHER_IGOS, others)
    return found


def send_elsewhere(ctx: Context, found: Readers, what: str, text: Text, first: bool = False,
                   room_key: str = "") -> bool:
    """Send `text` about `what` ("Report #3") where `found` says, when that is not the grievance
    officers' room; `first` opens it with why it comes there. Whether it reached anyone.

    The other grievance officers get it in one room made for it (`room_key`, see `keys.officers_room`),
    where they handle it together; the subject is never invited."""
    if first and found.route in (Route.OTHER_IGOS, Route.STEERING):
        text = words.kept_from_the_subject(what) + text
    elif not first and found.route is not Route.OTHER_IGOS:
        text = plain(f"{what}: ") + text
    if found.route is Route.OTHER_IGOS:
        if first and not marks.get(room_key):
            marks.set(room_key, "")  # asked for: later words wait for the room
            marks.set(keys.officers_known(room_key), stored(found.people))  # who it is for (officers_rooms.py)
            ctx.do(CreateRoom(what, found.people, room_key))
        if marks.get(room_key) is None:  # sent before these rooms existed: as it was then
            ctx.do(*(SendDirect(person, plain(f"{what}: ") + part) for person in found.people
                     for part in limits.split(text)))
            return True
        ctx.do(*(Send("", part, room_key=room_key) for part in limits.split(text)))
        return True
    if found.route is Route.STEERING:
        ctx.do(*(Send(ctx.room_of(RoomKind.STEERING), part) for part in limits.split(text)))
        return True
    if found.route is Route.MODERATORS_WITHOUT_TEXT and first:
        ctx.do(Send(ctx.room_of(RoomKind.MODERATORS), words.waiting_unread(what)))
    return False


def readers_here(ctx: Context) -> set[str]:
    """Who reads the room a command was typed in (joined or invited): the bot's answer goes there."""
    return set(ctx.room.members) | set(ctx.room.invited) | {ctx.sender}


def refused_as_subject(ctx: Context, subject: str | None, what: str, *others: str | None) -> bool:
    """Refuse, saying so, when the one acting (or anyone in `others`) is who `what` is about."""
    if any(conflicted(user, subject) for user in (ctx.sender, *others) if user):
        ctx.reply(words.about_you(what) if conflicted(ctx.sender, subject)
                  else words.not_them(what))
        return True
    return False
