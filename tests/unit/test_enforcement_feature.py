"""Enforcement through the dispatcher, with a real store: the holes a real homeserver made visible."""

import pytest

from scorebot.config import EnforcementConfig
from scorebot.domain.actions import Redact, Send, SendDirect
from scorebot.domain.rooms import RoomKind, RoomView
from scorebot.domain.signals import Reaction, Redaction
from scorebot.features import all_features, enforcement_features
from scorebot.features.ask_to_stop import AskToStop
from scorebot.features.cases import Cases
from scorebot.features.escalation import Escalation
from scorebot.features.removal import Removal
from tests.support.harness import BOT, MODS, ORG, Harness, texts


class Org(Harness):
    def __init__(self, database_url, features=None):
        super().__init__(database_url, features or all_features(), [ORG, MODS])

    def say(self, sender, body, room=ORG):
        return super().say(sender, body, room)

    def texts(self, actions) -> list[str]:
        return texts(actions)


@pytest.fixture
def org(database_url):
    org = Org(database_url)
    yield org
    org.close()


def test_someone_not_in_the_room_is_neither_warned_nor_proposed_and_gets_no_case(org):
    for command in ("!warn @gone:x insults", "!remove @gone:x violence threats"):
        actions = org.say("@maya:x", command)
        assert org.texts(actions) == ["@gone:x is not in this room, so I haven't done anything. "
                                      "Check the name, or mention them."]
    assert org.store.cases.find("@gone:x") is None


def test_a_refused_removal_leaves_no_empty_case(org):
    actions = org.say("@maya:x", "!remove @eve:x rude")  # no request to stop yet, and not severe
    [refusal] = org.texts(actions)
    assert refusal.startswith("I can't propose that removal")
    assert org.store.cases.find("@eve:x") is None


def test_an_approval_taken_back_before_it_carries_no_longer_counts(database_url):
    features = [*(f for f in all_features() if not isinstance(f, AskToStop | Removal | Escalation | Cases)),
                *enforcement_features(EnforcementConfig(removal_approvals=2))]
    org = Org(database_url, features)
    org.say("@maya:x", "!warn @eve:x insults")
    org.say("@maya:x", "!remove @eve:x insults again")
    [proposal] = org.store.cases.open_proposals()
    org.store.remember(f"proposal:{proposal.id}", MODS.room_id, "$proposal")
    _, vote = org.signal(Reaction, MODS, sender="@milo:x", emoji="✅", target_event_id="$proposal")
    assert org.store.cases.proposal(proposal.id).approvals == {"@milo:x"}
    org.signal(Redaction, MODS, sender="@maya:x", redacts=vote)  # not theirs to take back: no change
    assert org.store.cases.proposal(proposal.id).approvals == {"@milo:x"}
    org.signal(Redaction, MODS, sender="@milo:x", redacts=vote)
    assert org.store.cases.proposal(proposal.id).approvals == frozenset()
    assert "vote approve: withdrawn" in [e["action"] for e in org.store.cases.audit_log()]
    org.close()


def test_a_warned_members_answer_in_their_direct_chat_reaches_the_moderators(org):
    eve_dm = org.direct_chat("@eve:x")
    actions = org.say("@eve:x", "sorry, I did not mean it", room=eve_dm)
    assert "I'm not sure what you mean" in org.texts(actions)[0]  # no case yet: the usual answer
    org.say("@maya:x", "!warn @eve:x insults")
    actions = org.say("@eve:x", "sorry, I did not mean it", room=eve_dm)
    to_mods = [a for a in actions if isinstance(a, Send) and a.room_id == MODS.room_id]
    assert len(to_mods) == 1 and "“sorry, I did not mean it”" in to_mods[0].text.plain
    [told] = [a for a in actions if isinstance(a, SendDirect)]
    assert told.user_id == "@eve:x" and "passed your message on to the moderators" in told.text.plain
    steps = org.store.cases.find("@eve:x").steps
    assert steps[-1].kind.value == "answered in their direct chat" and steps[-1].reason == "sorry, I did not mean it"


def test_the_proposer_is_told_their_own_approval_does_not_count(org):
    org.say("@maya:x", "!warn @eve:x insults")
    org.say("@maya:x", "!remove @eve:x insults again")
    [proposal] = org.store.cases.open_proposals()
    org.store.remember(f"proposal:{proposal.id}", MODS.room_id, "$proposal")
    actions, _ = org.signal(Reaction, MODS, sender="@maya:x", emoji="✅", target_event_id="$proposal")
    [told] = [a for a in actions if isinstance(a, Send)]
    assert told.room_id == MODS.room_id and "your own ✅" in told.text.plain
    assert org.store.cases.proposal(proposal.id).approvals == frozenset()


def test_names_and_texts_stay_within_what_a_reader_can_take(org):
    [answer] = texts(org.say("@maya:x", "!glossary add " + "x" * 1200 + ": too long"))
    assert "longer than I can keep" in answer
    [case_line] = texts(org.say("@maya:x", "!cases", MODS))
    assert case_line == "No open cases."
    org.say("@maya:x", "!warn @eve:x insults")
    [listed] = texts(org.say("@maya:x", "!cases", MODS))
    assert "#1 Eve (@eve:x): 1 step" in listed


def test_a_stop_sign_from_an_unverified_session_is_explained_where_every_session_reads(org):
    actions, _ = org.signal(Reaction, ORG, sender="@maya:x", emoji="🛑", target_event_id="$said", unsigned_device=True)
    [private] = [a for a in actions if isinstance(a, SendDirect)]
    assert private.user_id == "@maya:x" and "About your 🛑" in private.text.plain
    [shared] = [a for a in actions if isinstance(a, Send)]  # a direct chat is for verified sessions only
    assert shared.room_id == MODS.room_id and shared.text.mentions == ("@maya:x",)
    assert "isn't verified" in shared.text.plain and "eve" not in shared.text.plain.lower()
    assert not [a for a in actions if isinstance(a, Redact)]  # and nothing was done


def test_a_long_escalation_says_where_its_whole_text_is_with_the_groups_own_prefix(database_url):
    igo = RoomView("!igo:x", RoomKind.IGO, members={"@ida:x": "Ida", BOT: "bot"})
    org = Harness(database_url, all_features(), [ORG, MODS, igo], prefix="?")
    org.say("@maya:x", "?warn @eve:x insults", ORG)
    posted = texts(org.say("@maya:x", "?escalate @eve:x " + "again and again " * 200, MODS))
    shortened = [text for text in posted if "gives the whole text" in text]
    assert shortened and all("?case @eve:x gives the whole text" in text for text in shortened)
    org.close()
