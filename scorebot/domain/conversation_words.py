"""What the bot says about which conversation a member's direct message continues."""

from __future__ import annotations

from scorebot.domain.conversations import Conversation, Topic
from scorebot.domain.text import Text, lines, plain

_WHAT = {
    Topic.REPORT: "your report #{n}, to the grievance officers",
    Topic.CASE: "the moderators' request to you (case #{n}), to the moderators",
    Topic.BALLOT: "the secret ballot on revision #{n}",
}


def which_one(choices: tuple[Conversation, ...]) -> Text:
    """One short question; nothing is passed on until the member answers it."""
    listed = [plain(f"{i}. " + _WHAT[c.topic].format(n=c.number)) for i, c in enumerate(choices, 1)]
    return lines([plain("Who is this for? I have passed it to no one yet. Answer with the number:"), *listed])


def not_a_choice(count: int) -> Text:
    return plain(f"I still need to know who your words are for: answer with a number from 1 to {count}. "
                 "I have kept what you wrote, and passed it to no one.")


def about_the_ballot(number: int, prefix: str) -> Text:
    return plain(f"This chat is where you vote on revision #{number}, in secret: write {prefix}vote {number} yes "
                 f"or {prefix}vote {number} no. Anything else you write here goes to no one.")
