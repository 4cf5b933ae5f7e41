"""A room made for the other grievance officers follows the officers while its report or case is
open: a new officer is invited and given it as it stands, a former one is taken out with a reason
naming no one, the person it is about never gets in; a resolved one is left alone. Through the
dispatcher, with a real store; the officers change as the grievance officers' room's members do."""

import asyncio

import pytest

from scorebot.domain import conflict_words, keys
from scorebot.domain.actions import CreateRoom, Invite, Kick, Send
from scorebot.domain.failures import tell_about
from scorebot.domain.officers import officers_change, read, stored
from scorebot.domain.reports import ReportState
from scorebot.domain.rooms import Roles, RoomKind, RoomView
from scorebot.domain.signals import Membership
from scorebot.domain.text import plain
from scorebot.features import all_features
from scorebot.matrix.executor import Executor
from scorebot.matrix.outbox import lane_of
from scorebot.store import Store, codec
from scorebot.store.reports import reports
from tests.support.fake_client import FakeClient
from tests.support.harness import BOT, MODS, ORG, Harness

IDA, IVAN, SAM, EVE = "@ida:x", "@ivan:x", "@sam:x", "@eve:x"
NAMES = {IDA: "Ida", IVAN: "Ivan", SAM: "Sam", EVE: "Eve"}
WORDS = "she follows me around after every meeting"
MADE = "!officers:x"


def igo_room(*officers: str) -> RoomView:
    return RoomView("!igo:x", RoomKind.IGO, members={**{u: NAMES[u] for u in officers}, BOT: "bot"})


class Officers(Harness):
    def __init__(self, database_url, *officers: str):
        super().__init__(database_url, all_features(), [ORG, MODS, igo_room(*officers)])

    def officers_now(self, *officers: str, joined: str | None = None, left: str | None = None) -> list:
        """The grievance officers' room holds `officers` now; the membership change the bot sees."""
        self.views["!igo:x"] = igo_room(*officers)
        self.roles = Roles.of_organization(self.views.values(), BOT)
        who, membership, previous = (joined, "join", "invite") if joined else (left, "leave", "join")
        actions, _ = self.signal(Membership, self.views["!igo:x"], sender=who, user_id=who,
                                 membership=membership, previous=previous)
        return actions

    def report_about(self, subject: str) -> list:
        """Eve reports `subject` in her direct chat; the room for the other officers is made."""
        actions = self.say(EVE, f"!report {subject} {WORDS}", self.direct_chat(EVE))
        [made] = [a for a in actions if isinstance(a, CreateRoom)]
        self.store.set_mark(made.remember, MADE)  # as the executor does once the room is made
        return actions


@pytest.fixture
def officers(database_url):
    org = Officers(database_url, IDA, IVAN)
    yield org
    org.close()


def sent_to_room(actions) -> list[Send]:
    return [a for a in actions if isinstance(a, Send) and a.room_key == keys.officers_room("report", 1)]


def test_a_new_officer_is_invited_welcomed_by_name_and_given_the_report_as_it_stands(officers):
    [made] = [a for a in officers.report_about(IDA) if isinstance(a, CreateRoom)]
    assert made.invite == (IVAN,)

    actions = officers.officers_now(IDA, IVAN, SAM, joined=SAM)
    assert [a for a in actions if isinstance(a, Invite)] == [Invite(MADE, SAM, room_key="report-officers:1")]
    welcome, *report = sent_to_room(actions)
    assert "Sam is now a grievance officer" in welcome.text.plain and "Report #1" in welcome.text.plain
    assert welcome.text.mentions == (SAM,) and "matrix.to/#/@sam:x" in welcome.text.html
    assert WORDS in " ".join(part.text.plain for part in report)
    assert not [a for a in actions if isinstance(a, Kick)]
    # Said once: the next tick finds the room right.
    assert not sent_to_room(officers.tick(officers.clock + 5000))


def test_a_former_officer_is_taken_out_with_a_reason_that_names_no_one(database_url):
    org = Officers(database_url, IDA, IVAN, SAM)
    org.report_about(IDA)
    actions = org.officers_now(IDA, IVAN, left=SAM)
    [kick] = [a for a in actions if isinstance(a, Kick)]
    assert (kick.room_id, kick.user_id) == (MADE, SAM)
    assert not any(word in kick.reason.lower() for word in ("sam", "ida", "ivan", "report", "#"))
    [said] = sent_to_room(actions)
    assert said.text.plain.endswith(" is no longer a grievance officer, so I took them out of this room.")
    assert said.text.mentions == (SAM,)  # a pill: Element shows their name
    assert WORDS not in said.text.plain and not [a for a in actions if isinstance(a, Invite)]
    # Kick and words share the room's lane: nothing said after it reaches them.
    assert lane_of(kick) == lane_of(said) == lane_of(Invite(MADE, SAM, room_key="report-officers:1"))
    org.close()


def test_the_subject_never_gets_in_even_as_an_officer_again(officers):
    officers.report_about(IDA)
    everything = officers.officers_now(IVAN, left=IDA)  # she steps down: nothing of the room is about her
    assert not sent_to_room(everything)
    everything += officers.officers_now(IDA, IVAN, joined=IDA)  # and comes back
    everything += officers.officers_now(IDA, IVAN, SAM, joined=SAM)
    everything += officers.tick(officers.clock + 5000)
    assert [a.user_id for a in everything if isinstance(a, Invite)] == [SAM]
    assert not [a for a in everything if isinstance(a, Kick)]
    said = sent_to_room(everything)
    assert [a.text.mentions for a in said if a.text.mentions] == [(SAM,)]  # only Sam is named, welcomed
    assert not [a for a in said if "Ida is" in a.text.plain or "Ida, " in a.text.plain]
    # Should an officer let her in, she is taken out at once, without a word about her.
    room = RoomView(MADE, RoomKind.OTHER, members={IVAN: "Ivan", SAM: "Sam", BOT: "bot"}, invited=frozenset({IDA}))
    actions, _ = officers.signal(Membership, room, sender=IVAN, user_id=IDA, membership="invite", previous="leave")
    assert actions == [Kick(MADE, IDA, conflict_words.NOT_AN_OFFICER_HERE, room_key="report-officers:1")]
    actions, _ = officers.signal(Membership, room, sender=IVAN, user_id=EVE, membership="invite", previous=None)
    assert not actions  # anyone else an officer asks in is theirs to ask


def test_a_resolved_report_keeps_its_room_as_it_was_and_a_reopened_one_is_set_right(officers):
    officers.report_about(IDA)
    reports.set_state(1, ReportState.RESOLVED)
    actions = officers.officers_now(IDA, IVAN, SAM, joined=SAM)
    assert not [a for a in actions if isinstance(a, Invite | Kick)] and not sent_to_room(actions)
    reports.set_state(1, ReportState.OPEN)
    actions = officers.tick(officers.clock + 5000)
    assert [a.user_id for a in actions if isinstance(a, Invite)] == [SAM]


def test_an_escalated_case_about_an_officer_follows_the_officers_too(database_url):
    org = Officers(database_url, EVE, IVAN)  # eve, in the organizing room, is a grievance officer
    org.say("@maya:x", f"!warn {EVE} insults", ORG)
    actions = org.say("@maya:x", f"!escalate {EVE} it keeps happening", MODS)
    [made] = [a for a in actions if isinstance(a, CreateRoom)]
    assert made.invite == (IVAN,)
    org.store.set_mark(made.remember, MADE)
    actions = org.officers_now(EVE, IVAN, SAM, joined=SAM)
    assert [a.user_id for a in actions if isinstance(a, Invite)] == [SAM]
    said = " ".join(a.text.plain for a in actions if isinstance(a, Send) and a.room_key == made.remember)
    assert "Case #1 with you" in said and "it keeps happening" in said and "insults" in said
    org.close()


def test_who_joins_and_who_leaves_never_the_subject():
    change = officers_change({IVAN, SAM}, {IDA, IVAN, EVE}, IDA)
    assert (change.joined, change.left, change.officers) == ((EVE,), (SAM,), (EVE, IVAN))
    assert officers_change({IVAN, IDA}, {IVAN}, IDA).left == ()
    assert not officers_change({IVAN}, {IDA, IVAN}, IDA)
    assert read(stored({SAM, IVAN})) == (IVAN, SAM) and read("") == () and read(None) is None


def test_an_invite_is_kept_across_a_restart():
    invite = Invite(MADE, SAM, room_key="report-officers:1")
    assert codec.load(*codec.dump(invite)) == invite


async def test_an_invite_goes_once_before_the_words_after_it_and_never_to_someone_already_in(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await store.run(store.open)
    client = FakeClient()
    client.room(MADE, IVAN, SAM)
    executor = Executor(client, store, asyncio.Condition())
    executor._instance = "test"
    key = "report-officers:1"
    await store.run(store.set_mark, key, MADE)
    await store.run(store.enqueue, [Invite(MADE, SAM, room_key=key), Invite(MADE, EVE, room_key=key),
                                    Send("", plain("welcome"), room_key=key)])
    await executor.drain()
    assert client.invites == [(MADE, EVE)] and client.texts(MADE) == ["welcome"]
    store.close()


def test_a_former_officer_the_bot_could_not_take_out_is_said_in_that_room_never_to_the_moderators():
    [told] = tell_about(Kick(MADE, SAM, conflict_words.NOT_AN_OFFICER_HERE, room_key="report-officers:1"),
                        "!mods:x", "!igo:x")
    assert (told.room_id, told.room_key) == ("", "report-officers:1") and SAM in told.text.plain


def test_a_report_whose_subject_steps_down_stays_in_its_officers_room(officers):
    """Its thread was never opened in the grievance officers' room: more words from the reporter, and
    the grievance officers' answers, stay in the room made for it."""
    officers.report_about(IDA)
    officers.officers_now(IVAN, left=IDA)
    actions = officers.say(EVE, "and again yesterday, by the door", officers.direct_chat(EVE))
    assert any("again yesterday" in a.text.plain for a in sent_to_room(actions))
    assert not [a for a in actions if isinstance(a, Send) and a.room_id == "!igo:x"]
