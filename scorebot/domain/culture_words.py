"""What the bot says about the meeting culture, in one place: an “ouch” and its “oops”, the
follow-ups, and the glossary. Pure functions, so the words can be read and reviewed together; they
never repeat hurtful words beyond the quote that was pinned."""

from __future__ import annotations

from scorebot.domain.text import Text, bold, code, count_of, plain, quoted

WHICH_MESSAGE = "I hear you. To pin the moment, reply “ouch” to the message you mean, or react to it with 🤕."
ONE_OF_MINE = ("That was one of my own messages, and I'm sorry it landed badly. Please tell a moderator what hurt, "
               "so the people who look after me can change it.")
TOO_OLD = ("I can't see that message (it's older than what I keep), so I can't pin it. You can still say how it "
           "landed, here or to a facilitator.")
ALREADY_AN_OUCH = "That moment is already pinned; it's on the follow-ups."
NO_FOLLOW_UPS = "No open follow-ups."


def ouch_notice(author: Text, moment: str, acknowledged: bool = False) -> Text:
    """The pinned moment, mentioning its author; edited once they acknowledge it with “oops”."""
    text = plain(f"📌 A moment was pinned with “ouch”: {quoted(moment)} ") + author
    if acknowledged:
        return text + plain(" acknowledged it with “oops”. Thank you.")
    return text + plain(", when you've taken it in, please reply “oops” to this message. We'll make time to talk "
                        "it through after the current discussion.")


def follow_up_about_harm(author_name: str, when: str, moment: str) -> str:
    return f"Discuss the harm: {author_name}'s message at {when} (“{moment}”)"


def follow_ups(open_ones: list[str]) -> Text:
    return plain("Open follow-ups:\n" + "\n".join(f"{i}. {text}" for i, text in enumerate(open_ones, 1)))


def no_such_follow_up(number: int) -> Text:
    return plain(f"There is no open follow-up {number}; see ") + code("!followups") + plain(".")


def follow_up_reminder(facilitators: Text, count: int, closing: bool) -> Text:
    """It counts the follow-ups and points to !followups: it never quotes them."""
    when = "before we close" if closing else "after the current discussion"
    return (plain("Reminder for ") + facilitators + plain(f", {when}: {count_of(count, 'open follow-up')} to come "
                                                          "back to. ") + code("!followups") + plain(" lists them."))


def unknown_term(term: str) -> Text:
    return (plain(f"“{term}” is not in the glossary yet. If you know it, add it with ")
            + code(f"!glossary add {term}: explanation") + plain(", and thank you!"))


def definition(term: str, explanation: str) -> Text:
    return bold(term) + plain(f": {explanation}")


def glossary(terms: list[str]) -> Text:
    if not terms:
        return plain("The glossary is empty. Add a term with ") + code("!glossary add TERM: explanation")
    return (plain(f"The glossary has {len(terms)} terms: " + ", ".join(terms) + ". Ask ") + code("!define TERM")
            + plain(" for one."))


HOW_TO_ADD_A_TERM = plain("Write the term, a colon, then the explanation: ") + code(
    "!glossary add IGO: Internal Grievance Officer")


def not_in_glossary(term: str) -> str:
    return f"“{term}” is not in the glossary."
