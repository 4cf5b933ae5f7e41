"""Enforcement through the dispatcher, with a real store: the holes a real homeserver made visible."""

import pytest

from scorebot.config import EnforcementConfig
from scorebot.dispatch import Dispatcher
from scorebot.domain.actions import Send, SendDirect
from scorebot.domain.rooms import PowerLevels, Roles, RoomKind, RoomView
from scorebot.domain.signals import Message, Reaction, Redaction
from scorebot.features import Enforcement, all_features
from scorebot.store import Store

BOT = "@bot:x"
ORG = RoomView("!org:x", RoomKind.ORGANIZING, name="General",
               members={"@maya:x": "Maya", "@milo:x": "Milo", "@eve:x": "Eve", BOT: "bot"},
               power_levels=PowerLevels.from_content({"users": {BOT: 100, "@maya:x": 50, "@milo:x": 50}}))
MODS = RoomView("!mods:x", RoomKind.MODERATORS, members={"@maya:x": "Maya", "@milo:x": "Milo", BOT: "bot"})
EVE_DM = RoomView("!eve:x", RoomKind.OTHER, members={"@eve:x": "Eve", BOT: "bot"})
ROOMS = {ORG.room_id: RoomKind.ORGANIZING, MODS.room_id: RoomKind.MODERATORS}


class Org:
    def __init__(self, tmp_path):
        self.store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
        self.store.open()
        self.dispatcher = Dispatcher(self.store, all_features(), BOT, rooms=ROOMS)
        self.views = {ORG.room_id: ORG, MODS.room_id: MODS}
        self.roles = Roles.of_organization(self.views.values(), BOT)
        self.count, self.clock = 0, 1_700_000_000_000

    def signal(self, make, room, **fields):
        self.count += 1
        self.clock += 1000
        signal = make(room.room_id, f"${self.count}", fields.pop("sender"), self.clock, **fields)
        with self.store.db.atomic():
            return self.dispatcher.handle(signal, room, self.roles, self.views), signal.event_id

    def say(self, sender, body, room=ORG):
        return self.signal(Message, room, sender=sender, body=body, command_body=body)

    def texts(self, actions) -> list[str]:
        return [a.text.plain for a in actions if isinstance(a, Send | SendDirect)]


@pytest.fixture
def org(tmp_path):
    org = Org(tmp_path)
    yield org
    org.store.close()


def test_someone_not_in_the_room_is_neither_warned_nor_proposed_and_gets_no_case(org):
    for command in ("!warn @gone:x insults", "!remove @gone:x violence threats"):
        actions, _ = org.say("@maya:x", command)
        assert org.texts(actions) == ["@gone:x is not in this room, so I haven't done anything. "
                                      "Check the name, or mention them."]
    assert org.store.cases.find("@gone:x") is None


def test_a_refused_removal_leaves_no_empty_case(org):
    actions, _ = org.say("@maya:x", "!remove @eve:x rude")  # no request to stop yet, and not severe
    [refusal] = org.texts(actions)
    assert refusal.startswith("I can't propose that removal")
    assert org.store.cases.find("@eve:x") is None


def test_an_approval_taken_back_before_it_carries_no_longer_counts(tmp_path):
    org = Org(tmp_path)
    features = [f if not isinstance(f, Enforcement) else Enforcement(EnforcementConfig(removal_approvals=2))
                for f in all_features()]
    org.dispatcher = Dispatcher(org.store, features, BOT, rooms=ROOMS)
    org.say("@maya:x", "!warn @eve:x insults")
    org.say("@maya:x", "!remove @eve:x insults again")
    [proposal] = org.store.cases.open_proposals()
    org.store.remember(f"proposal:{proposal.id}", MODS.room_id, "$proposal")
    _, vote = org.signal(Reaction, MODS, sender="@milo:x", key="✅", target_event_id="$proposal")
    assert org.store.cases.proposal(proposal.id).approvals == {"@milo:x"}
    org.signal(Redaction, MODS, sender="@maya:x", redacts=vote)  # not theirs to take back: no change
    assert org.store.cases.proposal(proposal.id).approvals == {"@milo:x"}
    org.signal(Redaction, MODS, sender="@milo:x", redacts=vote)
    assert org.store.cases.proposal(proposal.id).approvals == frozenset()
    assert "vote approve: withdrawn" in [e["action"] for e in org.store.cases.audit_log()]
    org.store.close()


def test_a_warned_members_answer_in_their_direct_chat_reaches_the_moderators(org):
    org.store.set_direct_chat("@eve:x", EVE_DM.room_id)
    actions, _ = org.say("@eve:x", "sorry, I did not mean it", room=EVE_DM)
    assert "I'm not sure what you mean" in org.texts(actions)[0]  # no case yet: the usual answer
    org.say("@maya:x", "!warn @eve:x insults")
    actions, _ = org.say("@eve:x", "sorry, I did not mean it", room=EVE_DM)
    to_mods = [a for a in actions if isinstance(a, Send) and a.room_id == MODS.room_id]
    assert len(to_mods) == 1 and "“sorry, I did not mean it”" in to_mods[0].text.plain
    [told] = [a for a in actions if isinstance(a, SendDirect)]
    assert told.user_id == "@eve:x" and "passed your message on to the moderators" in told.text.plain
    steps = org.store.cases.find("@eve:x").steps
    assert steps[-1].kind.value == "answered in their direct chat" and steps[-1].reason == "sorry, I did not mean it"
