"""The words a reader sees, family by family: help, board, warning, proposal, case, report thread, minutes.

Each check here is a problem people met: jargon, raw IDs, grammar instead of examples, garbled lines.
"""

import re
import subprocess
import sys

import pytest

from scorebot.domain import help as words
from scorebot.domain.actions import Edit, Send, SendDirect
from scorebot.domain.commands import CommandRegistry
from scorebot.domain.minutes import render_minutes
from scorebot.domain.rooms import RoomKind, RoomView
from scorebot.features import all_features
from scorebot.minutes import minutes_data
from tests.support.harness import BOT, MODS, ORG, Harness

IGO = RoomView("!igo:x", RoomKind.IGO, members={"@ida:x": "Ida", BOT: "bot"})
JARGON = re.compile(r"\bIGOs?\b|IGO team|approval\(s\)|\b1 steps\b|\.\.(?!\.)")


class Group(Harness):
    def __init__(self, database_url):
        super().__init__(database_url, all_features(), [ORG, MODS, IGO])

    def say(self, sender, body, room=ORG):
        return super().say(sender, body, room)

    def said(self, sender, body, room=ORG, kind=Send | SendDirect | Edit) -> list:
        return [a.text for a in self.say(sender, body, room) if isinstance(a, kind) and a.text]


@pytest.fixture
def group(database_url):
    group = Group(database_url)
    yield group
    group.close()


def test_help_is_by_task_and_shows_what_members_do_most(group):
    [member] = group.said("@eve:x", "!help")
    titles = [t for t in ("In a meeting", "If something hurts", "Reporting, confidentially") if t in member.plain]
    assert titles == ["In a meeting", "If something hurts", "Reporting, confidentially"]
    for doing in ("✋", "“unstack”", "“ouch”", "“oops”", "“priority on”", "!report", "Internal Grievance Officers"):
        assert doing in member.plain, doing
    assert "Facilitating" not in member.plain and "Moderating" not in member.plain
    # Element's Report button, as it works at the end of 2026: to the homeserver's admins first.
    assert "Element's Report button — goes to your homeserver's admins" in member.plain
    assert "dialog" not in member.plain.lower() and "report to moderators" not in member.plain.lower()
    assert "!warn" not in member.plain and not JARGON.search(member.plain)
    [moderator] = group.said("@maya:x", "!help")
    assert "Moderating" in moderator.plain and "!warn @sam insults" in moderator.plain
    assert "<ul>" in moderator.html and "[" not in moderator.plain  # examples, not a grammar


def test_every_command_is_in_a_topic_with_an_example():
    registry = CommandRegistry()
    for feature in all_features():
        feature.register(registry)
    for name in registry.commands:
        example = words.example_of(name, "!")
        assert example and example.startswith(f"!{name}"), name
    for topic in words.TOPICS:
        shown = " ".join([topic.title] + [d.what + d.does for d in topic.doings]
                         + [e.example + e.does for e in topic.examples])
        assert not JARGON.search(shown), topic.title


def test_a_command_typed_wrong_gets_an_example_and_one_explained_keeps_the_whole_form(group):
    [wrong] = group.said("@maya:x", "!warn")
    assert wrong.plain == "@user is missing. For example: !warn @sam insults — !help warn says more."
    [one] = group.said("@eve:x", "!help report", group.direct_chat("@eve:x"))
    assert one.plain.startswith("!report @sam keeps messaging me")
    assert "In full: !report [anonymous]" in one.plain
    [meeting] = group.said("@eve:x", "!meeting")
    assert meeting.plain == "!meeting needs one more word: !meeting end, !meeting start."


def test_the_board_is_a_list_and_says_only_what_works(group):
    group.say("@maya:x", "!meeting start Budget")
    group.say("@milo:x", "✋")
    [board] = group.said("@eve:x", "stack", kind=Edit)
    assert "<ol><li>Milo</li><li>Eve</li></ol>" in board.html
    assert "<br><ol>" not in board.html and "</ol><br>" not in board.html
    [closed] = group.said("@maya:x", "!stack close", kind=Edit)
    assert "To join" not in closed.plain and "closed for now" in closed.plain


def test_a_warning_is_kind_and_names_the_category_in_words(group):
    in_room, direct = group.said("@maya:x", "!warn @eve:x insults")
    assert in_room.plain.startswith("Eve, a moderator is asking you to stop.")
    assert "@eve:x" in in_room.mentions
    assert "In General, a moderator asked you to stop (personal insults or attacks)." in direct.plain
    assert "reply here" in direct.plain and not JARGON.search(in_room.plain + direct.plain)


def test_a_removal_proposal_says_who_what_and_how_many_approvals(group):
    group.say("@maya:x", "!warn @eve:x insults")
    [proposal] = group.said("@maya:x", "!remove @eve:x insults again", kind=Send)
    assert proposal.plain.startswith("🛑 Removal proposal #1: Eve (@eve:x) from General")
    assert "Needs 1 approval from moderators of that room other than the proposer" in proposal.plain
    assert not JARGON.search(proposal.plain)


def test_a_case_reads_as_steps_with_names(group):
    group.say("@maya:x", "!warn @eve:x insults")
    [case] = group.said("@maya:x", "!case @eve:x", MODS)
    lines = case.plain.splitlines()
    assert lines[0] == "Case #1 · Eve (@eve:x) · open"
    assert lines[1].endswith("asked to stop by Maya in General [insults]")
    group.say("@maya:x", "!escalate @eve:x it goes on", MODS)
    [after] = group.said("@maya:x", "!case @eve:x", MODS)
    assert "sent to the grievance officers by Maya" in after.plain and not JARGON.search(after.plain)


def test_a_report_thread_names_the_reporter_and_what_to_do_next(group):
    root, thread, thanks = group.said("@eve:x", "!report @milo:x said something hurtful", group.direct_chat("@eve:x"))
    assert root.plain == "Report #1 · about Milo (@milo:x) · open"
    assert thread.plain.startswith("Reported by Eve (@eve:x), ")
    assert "through a direct chat with me." in thread.plain and "Where:" not in thread.plain
    assert "In this thread: !assign to take it on, !reply to write to the person who reported" in thread.plain
    assert "only the Internal Grievance Officers can see it" in thanks.plain
    assert not JARGON.search(root.plain + thread.plain + thanks.plain)


def test_minutes_list_decisions_and_who_was_there_without_stray_marks(group):
    group.say("@maya:x", "!meeting start Budget")
    group.say("@milo:x", "✋")
    group.say("@maya:x", "!next")
    group.say("@maya:x", "!decision We rent the hall for March")
    group.say("@maya:x", "!action @milo:x book the hall")
    [*_, minutes] = group.said("@maya:x", "!meeting end", kind=Send)
    assert "<h4>Decisions</h4>" in minutes.html and "We rent the hall for March" in minutes.plain
    assert "Milo: book the hall" in minutes.plain
    assert "<li>Milo</li>" in minutes.html and "<li>- " not in minutes.html


def test_minutes_are_read_from_the_store_alone(group):
    """The command line prints the minutes of a meeting still running from the store, with every
    section the bot would post, and loads none of the bot's features to do it."""
    group.say("@maya:x", "!meeting start Budget")
    group.say("@maya:x", "!decision We rent the hall for March")
    group.say("@maya:x", "!action @milo:x book the hall")
    running = group.store.meetings.running(ORG.room_id)
    minutes = render_minutes(minutes_data(running, "UTC")).plain
    assert "We rent the hall for March" in minutes and "## Action items\n- @milo:x: book the hall" in minutes
    loaded = subprocess.run([sys.executable, "-c", "import sys, scorebot.minutes_export; "
                             "print([m for m in sys.modules if m.startswith('scorebot.features')])"],
                            capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
