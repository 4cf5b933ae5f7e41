"""What the bot says when something is about one of the people who would handle it: a report or a
case about a grievance officer, and an action refused because it is about the one acting."""

from __future__ import annotations

from scorebot.domain.text import Text, join, plain


def kept_from_the_subject(what: str) -> Text:
    """The first line of a report or case about a grievance officer, sent to the others only."""
    return plain(f"{what} is about a grievance officer, so it is kept out of the grievance officers' room, "
                 "where they would read it. Only you and the other grievance officers get it, here.\n")


def waiting_unread(what: str) -> Text:
    """To the moderators, when no one else may read it: that it waits, never what it says or who is named."""
    return plain(f"{what} is waiting, and no one may read it yet: it is about the only grievance officer. "
                 "Its words and names stay out of this room. Please agree on someone trusted to become a "
                 "grievance officer, so it can be read.")


def reporter_told_unread(number: int, moderators_told: bool) -> Text:
    told = ("The moderators know that a report is waiting, without its words or any name. "
            if moderators_told else "")
    return plain(f"Your report #{number} is about the only grievance officer, so no one else can read it yet. "
                 f"It is kept, and shown to no one for now. {told}You can add to it here with "
                 f"!report {number} followed by more words.")


def about_you(what: str) -> str:
    return f"Sorry, {what} is about you, so you can't act on it: it is for others to handle."


def vote_about_you(proposal: int) -> str:
    return f", your vote on proposal #{proposal} does not count: the proposal is about you."


def not_them(what: str) -> str:
    return f"Sorry, {what} is about that person, so they can't be signed on to it."


def not_shown_here(name: str) -> str:
    """`!case` about someone who reads the room it was asked in: said whether or not there is one."""
    return f"Sorry, I don't show {name}'s case here, because they can read this room."


# Kept neutral: a reason shows to whoever is taken out and in the room's history, so it names no
# one and no report.
NOT_AN_OFFICER_HERE = "This room is only for the grievance officers who work on what it was made for."


def officers_changed(what: str, joined: list[Text], left: list[Text]) -> Text:
    """In a room made for the other grievance officers, when the officers change."""
    said = []
    if joined:
        now = "is now a grievance officer" if len(joined) == 1 else "are now grievance officers"
        said.append(join(joined, ", ") + plain(f" {now}, so I invited them here to work on {what} with you. "
                                               "Welcome!"))
    if left:
        gone = "is no longer a grievance officer" if len(left) == 1 else "are no longer grievance officers"
        said.append(join(left, ", ") + plain(f" {gone}, so I took them out of this room."))
    return join(said, " ")


def so_far(what: str) -> Text:
    """Before the report or case again, for who just joined: what was said before cannot be read by them."""
    return plain(f"For who just joined, {what} as it stands:\n")
