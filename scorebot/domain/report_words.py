"""What the bot says about a confidential report, in one place: to the person who reported, and
in the report's thread in the grievance officers' room. Pure functions of the report, so the
words can be read and reviewed together (see tests/unit/test_words.py)."""

from __future__ import annotations

from collections.abc import Callable

from scorebot.domain.reports import Report
from scorebot.domain.text import Text, lines, message_link, plain, utc_time

# To the person who reported, about a report of theirs.

def no_report_of_yours(number: int) -> str:
    return f"You have no report #{number}."


def what_to_add(number: int) -> str:
    return f"Write what you'd like to add after the number: !report {number} …"


# In the grievance officers' room.

NOT_AN_IGO = "Only Internal Grievance Officers can be signed on to assist."
NO_ANSWERS_WANTED = "The reporter asked not to be written to."
NO_ONE_ASSISTING = "No one is signed on to assist yet: !assign first, in the report's thread."


def no_report(number: int) -> str:
    return f"There is no report #{number}."


def name_given(reporter: str) -> Text:
    return plain(f"The reporter gives their name: {reporter}")


def reporter_adds(added: str) -> Text:
    return plain(f"The reporter adds: {added}")


def room_on_its_way(names: list[str]) -> Text:
    return plain(f"A private, encrypted room for this report is on its way, for: {', '.join(names)}.")


def thanks(report: Report) -> Text:
    return plain(f"Thank you. Your report is #{report.id}, and only the Internal Grievance Officers can see "
                 "it. I'll tell you here when it is resolved.")


def after_flag(report: Report) -> Text:
    """To whoever put a 🚩 on a message: they had no chance yet to say what happened."""
    return thanks(report) + plain(
        "\nWhat happened? Reply to this message, or write !report "
        f"{report.id} followed by what you'd like the grievance officers to know. They see it as from “a member”; "
        f"write !report {report.id} named if you want them to know it's you.")


def after_report_button(report: Report) -> Text:
    """To whoever used their app's Report button."""
    return thanks(report) + plain(
        f"\nThe grievance officers see it as from “a member”. Add to it here with !report {report.id} "
        f"followed by what happened, or !report {report.id} named to give them your name.")


def thread_opening(report: Report, room_name: str | None, who: Callable[[str], str], prefix: str,
                   in_thread: bool = True) -> Text:
    """The first message in a report's thread: who reported (unless anonymous), where, the
    evidence, their words, and what the grievance officers can do there."""
    parts = [plain(f"Reported by {report.reporter_shown(who)}, {utc_time(report.created_at)}, through {report.via}.")]
    if room_name:  # else it was told in a direct chat, as the line above says
        parts.append(plain(f"Where: {room_name}"))
    if report.evidence_text or report.evidence_event:
        evidence = plain(f"Evidence: “{report.evidence_text or '(a message I could not read)'}”")
        if report.evidence_event and report.room_id:
            evidence += plain(" (") + message_link(report.room_id, report.evidence_event, "the message") + plain(")")
        parts.append(evidence)
    parts.append(plain(f"In their words: {report.words}" if report.words else "Their words: not yet."))
    if not report.wants_answers:
        parts.append(plain("They asked not to be written to."))
    if in_thread:
        parts.append(plain(f"In this thread: {prefix}assign to take it on, {prefix}reply to write to the person who "
                           f"reported, {prefix}note, {prefix}resolve when it is settled; {prefix}room-for "
                           f"{report.id} opens a private room."))
    return lines(parts)


def answer_to_reporter(report_id: int, text: str) -> Text:
    return plain(f"From the grievance officers, about your report #{report_id}: {text}\n"
                 "(Reply to this message to answer them.)")


def resolved(report_id: int, outcome: str) -> Text:
    return plain(f"Your report #{report_id} has been resolved by the grievance officers: {outcome}\n"
                 "Thank you for telling us.")


def reminder(report: Report) -> Text:
    return plain(f"Reminder: report #{report.id} has waited since {utc_time(report.created_at)} with no one "
                 "signed on. !assign to take it.")
