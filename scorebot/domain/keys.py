"""The names under which the bot remembers its own messages, made and read in this one place.

A message the bot will come back to (a removal proposal it edits, a case's or a report's thread
root, a note to a reporter they may answer, a pinned moment, a meeting's board, a vote's call) is
kept under a key. Edits and threads find the message by its key; a reaction or a reply finds the
key by the message, and `number_in` reads which proposal, case or report it was.
"""

from __future__ import annotations


def proposal(number: int) -> str:
    return f"proposal:{number}"


def case(number: int) -> str:
    return f"case:{number}"


def report(number: int) -> str:
    return f"report:{number}"


def report_note(number: int, answering: str | None = None) -> str:
    """A message to a reporter about their report (a reply to it adds to the report)."""
    return f"report-dm:{number}" + (f":{answering}" if answering else "")


REPORT_ROOM = "report-room"


def report_room(number: int) -> str:
    return f"{REPORT_ROOM}:{number}"


OFFICERS_ROOMS = ("report-officers", "case-officers")


def officers_room(kind: str, number: int) -> str:
    """The room made for the other grievance officers when a report or a case ("report", "case")
    is about one of them."""
    return f"{kind}-officers:{number}"


def officers_known(room_key: str) -> str:
    """The officers an officers' room (`officers_room`) was last made right for."""
    return f"officers-of:{room_key}"


def ouch(room_id: str, event_id: str) -> str:
    return f"ouch:{room_id}:{event_id}"


def board(meeting_id: int, serial: int) -> str:
    return f"board:{meeting_id}:{serial}"


def revision_vote(number: int) -> str:
    return f"revision-vote:{number}"


def wave(number: int) -> str:
    return f"wave:{number}"


def moderated_by(room_id: str) -> str:
    return f"moderated-by:{room_id}"


def number_in(key: str | None, kind: str) -> int | None:
    """The number in a key of `kind` ("proposal", "report-dm", ...), or None for any other key."""
    if not key or not key.startswith(kind + ":"):
        return None
    number = key.split(":")[1]
    return int(number) if number.isdigit() else None


CASE_NOTE = "case-dm"
BALLOT_NOTE = "ballot-dm"


def case_note(number: int, user_id: str, at: int) -> str:
    """A message to a member about their case (asked to stop, removed): a reply to it goes to the moderators."""
    return f"{CASE_NOTE}:{number}:{at}:{user_id}"


def ballot_note(number: int, user_id: str) -> str:
    """A ballot sent to one voter: a reply to it stays with the ballot, never reaches a room."""
    return f"{BALLOT_NOTE}:{number}:{user_id}"


def told_on_stack(meeting_id: int, person_key: str | None = None) -> str:
    """When someone was last confirmed or told they are on a meeting's stack (without a person:
    the start of every such mark of that meeting, forgotten when it ends)."""
    return f"stack-told:{meeting_id}:" + (person_key or "")


def held_words(room_id: str) -> str:
    """A member's words kept while the bot asks which conversation they continue."""
    return f"held-words:{room_id}"
