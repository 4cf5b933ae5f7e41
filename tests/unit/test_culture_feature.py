"""The culture feature through the dispatcher, with a real store: pins, oops, glossary, seed."""

import pytest
import yaml

from scorebot.config import CultureConfig, StackConfig
from scorebot.dispatch import Dispatcher
from scorebot.domain.actions import React, Send
from scorebot.domain.rooms import PowerLevels, Roles, RoomKind, RoomView
from scorebot.domain.signals import Message
from scorebot.domain.text import plain
from scorebot.features import Culture, Help, stack_features
from scorebot.features.culture import MEMORY_MS
from scorebot.store import Store
from tests.support.paths import EXAMPLE

ROOM = RoomView("!r:x", RoomKind.ORGANIZING, members={"@fac:x": "Fac", "@ann:x": "Ann", "@ben:x": "Ben"},
                power_levels=PowerLevels.from_content({"users": {"@fac:x": 50}}))
SEED = EXAMPLE.parent / "scorebot" / "seed" / "glossary.yaml"


class Room:
    def __init__(self, database_url):
        self.store = Store(database_url)
        self.store.open()
        features = [Help(), *stack_features(StackConfig()), Culture(CultureConfig(60), SEED)]
        self.dispatcher = Dispatcher(self.store, features, "@bot:x")
        with self.store.db.atomic():
            self.dispatcher.start()
        self.count, self.clock = 0, 1_700_000_000_000

    def say(self, sender, body, reply_to=None, after_ms=1000):
        self.count += 1
        self.clock += after_ms
        signal = Message("!r:x", f"${self.count}", sender, self.clock, body=body, command_body=body,
                         reply_to=reply_to)
        with self.store.db.atomic():
            return self.dispatcher.handle(signal, ROOM, Roles()), signal.event_id


@pytest.fixture
def room(database_url):
    room = Room(database_url)
    yield room
    room.store.close()


def texts(actions):
    return [a.text.plain for a in actions if isinstance(a, Send)]


def test_the_shipped_seed_glossary_loads_once(room):
    assert len(room.store.culture.terms()) == len(yaml.safe_load(SEED.read_text()))
    assert room.store.culture.seed_glossary({"x": "y"}, 0) == 0  # only into an empty glossary


def test_ouch_without_a_reply_outside_a_meeting_asks_which_message(room):
    [ask] = texts(room.say("@ann:x", "ouch")[0])
    assert "reply “ouch” to the message you mean" in ask


def test_ouch_without_a_reply_in_a_meeting_pins_the_speakers_last_message(room):
    room.say("@fac:x", "!meeting start")
    room.say("@ben:x", "stack")
    room.say("@fac:x", "!next")
    room.say("@ben:x", "first thought")
    _, last = room.say("@ben:x", "a thoughtless second one")
    [pin] = texts(room.say("@ann:x", "Ouch")[0])
    assert "“a thoughtless second one”" in pin
    assert room.store.culture.open_ouches("!r:x")[0].event_id == last


def test_a_follow_up_is_recalled_once_after_its_discussion_without_the_words(room):
    room.say("@fac:x", "!meeting start")
    room.say("@ben:x", "stack")
    room.say("@ann:x", "stack")
    room.say("@fac:x", "!next")
    _, hurtful = room.say("@ben:x", "a thoughtless remark")
    room.say("@ann:x", "ouch", reply_to=hurtful)
    [reminder] = [t for t in texts(room.say("@fac:x", "!next")[0]) if t.startswith("Reminder")]
    assert reminder == "Reminder for Fac, after the current discussion: 1 open follow-up to come back to. " \
                       "!followups lists them."
    assert not [t for t in texts(room.say("@ann:x", "!done")[0]) if t.startswith("Reminder")]  # once only
    [closing] = [t for t in texts(room.say("@fac:x", "!meeting end")[0]) if t.startswith("Reminder")]
    assert "before we close: 1 open follow-up" in closing and "thoughtless" not in closing


def test_ouch_on_the_bots_own_note_is_heard_not_called_too_old(room):
    [sent] = room.store.enqueue([Send("!r:x", plain("a note"))])
    room.store.action_done(sent, "$bots-note")
    [answer] = texts(room.say("@ann:x", "ouch", reply_to="$bots-note")[0])
    assert answer.startswith("That was one of my own messages, and I'm sorry") and "older" not in answer


def test_a_pinned_sentence_ends_with_one_full_stop(room):
    _, hurtful = room.say("@ben:x", "Anyone who disagrees is naive.")
    [pin] = texts(room.say("@ann:x", "ouch", reply_to=hurtful)[0])
    assert "“Anyone who disagrees is naive.” " in pin and "”." not in pin


def test_plain_oops_counts_only_within_the_window(room):
    _, hurtful = room.say("@ben:x", "hmm")
    room.say("@ann:x", "ouch", reply_to=hurtful)
    actions, _ = room.say("@ben:x", "oops", after_ms=61_000)
    assert not [a for a in actions if isinstance(a, React)]
    actions, by_reply = room.say("@ben:x", "oops", reply_to=hurtful)
    assert React("!r:x", by_reply, "✅") in actions
    assert room.store.culture.open_ouches("!r:x") == []


def test_glossary_remove_is_for_moderators(room):
    [refused] = texts(room.say("@ann:x", "!glossary remove IGO")[0])
    assert "only moderators" in refused
    actions, _ = room.say("@fac:x", "!glossary remove igo")
    assert [a for a in actions if isinstance(a, React)]
    assert "not in the glossary yet" in texts(room.say("@ann:x", "!define IGO")[0])[0]
    [usage] = texts(room.say("@ann:x", "!glossary add no colon here")[0])
    assert "a colon" in usage


def test_old_messages_are_forgotten(room):
    room.say("@ben:x", "said long ago")
    with room.store.db.atomic():
        room.dispatcher.tick(room.clock + MEMORY_MS + 3_600_001, Roles())
    assert room.store.culture.message("$1") is None
