"""The revision process through the dispatcher, with a real store: from a written proposal to a
secret ballot whose choices are gone once it closes."""

from dataclasses import replace

import pytest

from scorebot.config import VotingConfig
from scorebot.domain.actions import Send, SendDirect
from scorebot.domain.revision import (
    MAY_COUNT,
    MAY_OPEN_VOTE,
    MAY_SHOW,
    Proposal,
    State,
    ballot_approves,
    eligible,
    meeting_vote_passes,
    not_now,
)
from scorebot.domain.rooms import PowerLevels, RoomKind, RoomView
from scorebot.domain.signals import Message, Reaction
from scorebot.features import Ballot, Revision, stack_features
from tests.support.harness import BOT, Harness, texts

MEMBERS = ["@alice:x", "@bob:x", "@cat:x", "@dan:x", "@eve:x"]
ORG = RoomView("!org:x", RoomKind.ORGANIZING, members={**{u: u[1:4] for u in MEMBERS}, BOT: "bot"},
               power_levels=PowerLevels.from_content({"users": {BOT: 100}}), name="General")
IGO = RoomView("!igo:x", RoomKind.IGO, members={"@ida:x": "Ida", BOT: "bot"})
WEEK = 7 * 24 * 3600 * 1000


class Group(Harness):
    def __init__(self, database_url):
        ballot = Ballot(VotingConfig())
        super().__init__(database_url, [*stack_features(), ballot, Revision(ballot)], [ORG, IGO])
        self.dms = {user: self.direct_chat(user) for user in [*MEMBERS, "@ida:x"]}

    def dm(self, user):
        return self.dms[user]

    def say(self, sender, body, room=ORG):
        return super().say(sender, body, room)


@pytest.fixture
def group(database_url):
    group = Group(database_url)
    yield group
    group.close()


def test_the_rules():
    assert meeting_vote_passes(3, 5) and not meeting_vote_passes(2, 5) and not meeting_vote_passes(2, 4)
    assert ballot_approves(4, 1) and not ballot_approves(2, 2)
    assert eligible(None, 100 * 86_400_000, 30) and not eligible(99 * 86_400_000, 100 * 86_400_000, 30)


def test_what_a_meeting_may_do_with_a_proposal_depends_on_its_state():
    submitted = Proposal(1, "@bob:x", "Text", 0)
    assert not_now(submitted, 1, "open a vote on", MAY_OPEN_VOTE) is None
    assert not_now(replace(submitted, state=State.NOT_APPROVED), 1, "open a vote on", MAY_OPEN_VOTE) is None
    assert not_now(submitted, 1, "count", MAY_COUNT) == "I can't count proposal #1 now: it is submitted."
    assert not_now(replace(submitted, state=State.IN_MEETING_VOTE), 1, "count", MAY_COUNT) is None
    assert not_now(None, 7, "count", MAY_COUNT) == "There is no proposal #7."
    assert all(not_now(replace(submitted, state=state), 1, "show", MAY_SHOW) is None for state in State)


def test_a_whole_revision_leaves_only_counts(group):
    [thanks] = texts(group.say("@bob:x", "!revision propose Add a section on mutual aid.\nSecond line.",
                               group.dm("@bob:x")), SendDirect)
    assert "Your proposal is #1" in thanks
    [shown] = texts(group.say("@bob:x", "!revision show 1", group.dm("@bob:x")), SendDirect)
    assert "Revision proposal #1 · submitted" in shown and "Second line." in shown
    assert texts(group.say("@bob:x", "!revision show 9", group.dm("@bob:x")), SendDirect) == \
        ["There is no proposal #9."]
    group.say("@alice:x", "!meeting start Revisions")
    for user in MEMBERS:
        group.say(user, "!here")
    group.say("@alice:x", "!revision vote 1")
    group.store.remember("revision-vote:1", ORG.room_id, "$vote")
    for user, key in zip(MEMBERS[:4], ["✅", "✅", "✅", "❌"], strict=True):
        group.signal(Reaction, ORG, sender=user, emoji=key, target_event_id="$vote")
    counted = group.say("@alice:x", "!revision count 1")
    [summary] = texts(counted, Send)
    assert "yes 3, no 1, with 5 eligible members present" in summary and "It passes" in summary
    ballots = [a for a in counted if isinstance(a, SendDirect)]
    assert sorted(a.user_id for a in ballots) == MEMBERS  # every member of the room, no one else
    assert all("Add a section on mutual aid" in a.text.plain for a in ballots)

    for user, choice in [("@alice:x", "yes"), ("@bob:x", "no"), ("@bob:x", "yes"), ("@cat:x", "yes"),
                         ("@dan:x", "yes"), ("@eve:x", "no")]:
        [recorded] = texts(group.say(user, f"!vote 1 {choice}", group.dm(user)), SendDirect)
        assert "your vote is recorded" in recorded and choice not in recorded
    [refused] = texts(group.say("@ida:x", "!vote 1 yes", group.dm("@ida:x")), SendDirect)
    assert "not on the list" in refused

    closed = group.tick(group.clock + WEEK + 1)
    results = {a.room_id: a.text.plain for a in closed if isinstance(a, Send)}
    assert set(results) == {ORG.room_id, IGO.room_id}
    assert "Approved. Yes: 4, no: 1; 5 of 5 eligible members voted." in results[ORG.room_id]
    [late] = texts(group.say("@eve:x", "!vote 1 yes", group.dm("@eve:x")), SendDirect)
    assert "has closed" in late
    assert group.store.revisions.get(1).yes == 4  # the late vote changed nothing

    # The whole database, every table: no row holds a voter next to a choice.
    db = group.store.db
    tables = db.get_tables()
    assert "ballotchoice" in tables and "ballotvoter" in tables
    for table in tables:
        for row in db.execute_sql(f'SELECT * FROM "{table}"').fetchall():
            values = [str(v) for v in row]
            assert not (set(values) & {"yes", "no"} and set(values) & set(MEMBERS)), (table, row)

    refused = group.say("@bob:x", "!revision ratify 1", group.dm("@bob:x"))
    assert "Only the grievance officers" in texts(refused, SendDirect)[0]
    ratified = group.say("@ida:x", "!revision ratify 1", group.dm("@ida:x"))
    [told] = [a for a in ratified if isinstance(a, Send)]
    assert told.room_id == ORG.room_id and "revision #1 is ratified" in told.text.plain
    [history] = texts(group.say("@bob:x", "!revision history", group.dm("@bob:x")), SendDirect)
    assert "#1, ratified" in history and "yes 4, no 1, 5 of 5 voted" in history
    notices = group.say("@ida:x", "!revision ratify 2", group.dm("@ida:x"))
    assert "Only an approved revision" in texts(notices, SendDirect)[0]


def test_too_few_yes_opens_no_ballot_and_members_cannot_run_the_vote(group):
    group.say("@bob:x", "!revision propose Something", group.dm("@bob:x"))
    group.say("@alice:x", "!meeting start")
    for user in MEMBERS:
        group.say(user, "!here")
    assert "Sorry, only" in texts(group.say("@bob:x", "!revision vote 1"), Send)[0]
    assert "can't count proposal #1 now: it is submitted" in texts(group.say("@alice:x", "!revision count 1"), Send)[0]
    group.say("@alice:x", "!revision vote 1")
    group.store.remember("revision-vote:1", ORG.room_id, "$vote")
    for user in MEMBERS[:2]:
        group.signal(Reaction, ORG, sender=user, emoji="✅", target_event_id="$vote")
    assert "Sorry, only" in texts(group.say("@bob:x", "!revision count 1"), Send)[0]
    counted = group.say("@alice:x", "!revision count 1")
    assert "does not go to a ballot" in texts(counted, Send)[0]
    assert not [a for a in counted if isinstance(a, SendDirect)]
    refused = group.say("@bob:x", "!revision ratify 1", group.dm("@bob:x"))
    assert "Only the grievance officers" in texts(refused, SendDirect)[0]
    assert group.store.revisions.get(1).state.value == "submitted"  # it may be revised and voted again
    assert group.store.revisions.not_voted(1) == []  # no ballot, no voters


def test_the_ballot_is_reminded_once_to_those_who_have_not_voted(group):
    group.say("@bob:x", "!revision propose Something", group.dm("@bob:x"))
    group.say("@alice:x", "!meeting start")
    group.say("@alice:x", "!revision vote 1")
    group.store.remember("revision-vote:1", ORG.room_id, "$vote")
    for user in MEMBERS[:3]:
        group.signal(Reaction, ORG, sender=user, emoji="✅", target_event_id="$vote")
    group.say("@alice:x", "!revision count 1")
    group.say("@cat:x", "!vote 1 yes", group.dm("@cat:x"))
    reminders = group.tick(group.clock + WEEK - 3600_000)
    assert sorted(a.user_id for a in reminders if isinstance(a, SendDirect)) == sorted(set(MEMBERS) - {"@cat:x"})
    assert group.tick(group.clock + WEEK - 3000_000) == []
    [result, _] = texts(group.tick(group.clock + WEEK + 1), Send)
    assert "Approved. Yes: 1, no: 0; 1 of 5 eligible members voted." in result


def test_a_ratification_from_an_unverified_session_is_explained_where_that_session_reads(group):
    group.roles = replace(group.roles, listed_igos=frozenset({"@alice:x"}))
    actions, _ = group.signal(Message, group.dm("@alice:x"), sender="@alice:x", body="!revision ratify 1",
                              command_body="!revision ratify 1", unsigned_device=True)
    [private] = [a for a in actions if isinstance(a, SendDirect)]
    assert "isn't verified" in private.text.plain
    [shared] = [a for a in actions if isinstance(a, Send)]  # the direct chat is for verified sessions only
    assert shared.room_id == ORG.room_id and shared.text.mentions == ("@alice:x",)
    assert "ratif" not in shared.text.plain and "isn't verified" in shared.text.plain
