"""Every text fits: what people type has a limit per kind, named when it is passed; the bot's own
long texts are shortened or sent in parts, so no message is ever too large for the homeserver."""

from __future__ import annotations

import json

import pytest

from scorebot.domain import case_words, limits
from scorebot.domain.commands import ChoiceArg, CommandRegistry, Invocation, NumberArg, TextArg, UsageError
from scorebot.domain.ladder import Case
from scorebot.domain.text import bold, lines, plain
from scorebot.features import all_features
from scorebot.matrix.executor import notice_content

# Texts kept whole where they belong, shortened in messages and read back in parts (`!case`).
KEPT_WHOLE = {"escalate"}


def registry() -> CommandRegistry:
    reg = CommandRegistry("!")
    for feature in all_features():
        feature.register(reg)
    return reg


def free_text_commands() -> list:
    return [c for c in registry().commands.values() if any(isinstance(a, TextArg) for a in c.args)]


def typed(command, text: str) -> str:
    """The command typed with `text` as its free text, and a fitting word for each other argument."""
    words = []
    for arg in command.args:
        if isinstance(arg, TextArg):
            words.append(text)
        elif isinstance(arg, NumberArg):
            words.append("1")
        elif isinstance(arg, ChoiceArg):
            words.append(arg.choices[0])
        else:
            words.append("@bob:example.org")
    return f"!{command.name} " + " ".join(words)


def test_every_free_text_command_has_a_limit_or_keeps_its_text_whole():
    names = {c.name for c in free_text_commands()}
    assert {"meeting start", "warn", "remove", "note", "resolve", "reply", "define", "escalate"} <= names
    for command in free_text_commands():
        text_arg = next(a for a in command.args if isinstance(a, TextArg))
        assert (text_arg.max_length is not None) != (command.name in KEPT_WHOLE), command.name


@pytest.mark.parametrize("command", [c for c in free_text_commands() if c.name not in KEPT_WHOLE],
                         ids=lambda c: c.name)
def test_each_free_text_is_taken_at_its_limit_and_refused_kindly_just_over_it(command):
    limit = next(a for a in command.args if isinstance(a, TextArg)).max_length
    at_limit = registry().parse(typed(command, "a" * limit))
    assert isinstance(at_limit, Invocation), at_limit
    assert len(next(v for v in at_limit.args.values() if isinstance(v, str) and v.startswith("aaa"))) == limit
    over = registry().parse(typed(command, "a" * (limit + 1)))
    assert isinstance(over, UsageError)
    assert f"{limit + 1} characters; {limit} at most" in over.reason


def test_a_meeting_title_of_20000_characters_is_refused_naming_the_limit():
    over = registry().parse("!meeting start " + "Budget " * 3000)
    assert isinstance(over, UsageError) and f"{limits.TITLE} at most" in over.reason


def encrypted_event_size(content: dict) -> int:
    """What the homeserver measures for an encrypted message: base64 of the whole plaintext event."""
    event = json.dumps({"type": "m.room.message", "content": content, "room_id": "!" + "r" * 40 + ":example.org"})
    return len(event) * 4 // 3 + 1000  # the ciphertext, and the event's other fields


@pytest.mark.parametrize("character", ["a", "é", "😀", "<"])
def test_a_huge_text_is_shortened_to_fit_an_encrypted_room(character):
    huge = character * 60_000
    content = notice_content(lines([bold("Case #1"), plain(huge)]))
    assert encrypted_event_size(content) < 65_536
    assert content["body"].startswith("Case #1\n" + character * 100)
    assert "characters are not shown" in content["body"]


@pytest.mark.parametrize("character", ["a", "é", "я"])
def test_what_the_bot_edits_fits_an_encrypted_edit_at_every_limit(character):
    """An edit carries the text twice: a case's first line with the longest outcome, a removal
    proposal with the longest reason and shortened evidence, a board with the longest title."""
    case = Case(1, "@eve:example.org")
    texts = [case_words.case_root(case, "eve (@eve:example.org)", "resolved", "é" * limits.OUTCOME),
             lines([bold("🛑 Removal proposal #1: eve from Organizing"), plain("Reason: " + character * limits.REASON),
                    plain("Evidence: “" + limits.shorten(character * 4000) + "”"), plain("x" * 300)]),
             lines([bold("📋 Stack · " + character * limits.TITLE), *(plain(f"{n}. someone") for n in range(80))])]
    for text in texts:
        content = notice_content(text)
        assert content["body"] == text.plain  # whole, not shortened
        edit = {**content, "m.new_content": content}
        assert encrypted_event_size(edit) < 65_536


@pytest.mark.parametrize("limit", [limits.NOTE, limits.REPLY, limits.PROPOSAL, limits.REASON, limits.OUTCOME])
def test_a_text_at_its_limit_in_any_script_is_sent_whole(limit):
    for character in ("a", "я", "<"):  # (a text all of emoji takes twice as much: it may be shortened)
        text = plain("From the grievance officers, about your report #1: " + character * limit)
        assert notice_content(text)["body"] == text.plain


def test_a_text_that_fits_is_sent_unchanged():
    text = lines([bold("Case #1"), plain("a" * 5000)])
    assert notice_content(text)["formatted_body"] == text.html


def test_a_long_text_read_back_in_parts_keeps_every_character():
    reason = "".join(f"line {n}: " + "x" * 90 + "\n" for n in range(360))  # about 36 KB, and one long line
    parts = limits.in_parts([bold("Case #1"), plain("12:00: escalated: " + reason), plain("Ouches received: 0")])
    assert len(parts) >= 3
    assert all(limits.size(part) <= limits.PART_BYTES for part in parts)
    assert "\n".join(part.plain for part in parts).replace("\n", "") == (
        "Case #1" + "12:00: escalated: " + reason + "Ouches received: 0").replace("\n", "")


def test_shorten_says_how_much_is_left_out_and_where_the_whole_is():
    assert limits.shorten("short") == "short"
    shortened = limits.shorten("word " * 1000, 500, "!case @bob gives the whole text")
    assert len(shortened) < 600 and shortened.endswith("more characters; !case @bob gives the whole text)")


def test_long_minutes_or_report_texts_are_sent_whole_in_parts():
    minutes = lines([bold("Minutes: Budget"), *(plain(f"Decision {n}: " + "d" * 1990) for n in range(30))])
    parts = limits.split(minutes)
    assert len(parts) > 1 and all(limits.size(part) <= limits.PART_BYTES for part in parts)
    assert "\n".join(part.plain for part in parts) == minutes.plain
    short = lines([bold("Minutes: Budget"), plain("Decision 1: yes")])
    assert limits.split(short) == [short]  # formatting kept when it fits
