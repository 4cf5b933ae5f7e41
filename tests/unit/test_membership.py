"""Membership reaches every meeting feature, names are found as people type them, and the minutes
come from the same model: through the dispatcher, with a real store."""

from dataclasses import replace

import pytest

from scorebot.config import VotingConfig
from scorebot.domain.actions import Edit, Send
from scorebot.domain.rooms import PowerLevels, RoomKind, RoomView
from scorebot.domain.signals import Membership, Reaction
from scorebot.features import Ballot, Revision, stack_features
from tests.support.harness import BOT, Harness, texts

PEOPLE = {"@fac:x": "Fac", "@mod:x": "Mod", "@ann:x": "Ann", "@ben:x": "Ben", "@carol:x": "Carol Smith",
          "@dan:x": "Dan", BOT: "bot"}
ORG = RoomView("!org:x", RoomKind.ORGANIZING, members=PEOPLE, name="General",
               power_levels=PowerLevels.from_content({"users": {BOT: 100, "@mod:x": 50}}))


class Group(Harness):
    def __init__(self, database_url):
        ballot = Ballot(VotingConfig())
        super().__init__(database_url, [*stack_features(), ballot, Revision(ballot)], [ORG])

    def say(self, sender, body, room=None):
        return super().say(sender, body, room or self.views[ORG.room_id])

    def membership(self, user, membership, by=None):
        """`user` leaves, is kicked (`by` someone) or banned, or joins: the bot's view follows, as on Matrix."""
        members = dict(self.views[ORG.room_id].members)
        if membership == "join":
            members[user] = PEOPLE[user]
        else:
            members.pop(user, None)
        self.views[ORG.room_id] = view = replace(self.views[ORG.room_id], members=members)
        return self.signal(Membership, view, sender=by or user, user_id=user, membership=membership,
                           previous="leave" if membership == "join" else "join")[0]

    def board(self, actions) -> str:
        [board] = [a.text.plain for a in actions if isinstance(a, Edit | Send) and a.text.plain.startswith("📋")]
        return board

    def queue(self, actions) -> list[str]:
        return [line.split(". ", 1)[1] for line in self.board(actions).splitlines() if line[:1].isdigit()]

    def meeting_id(self) -> int:
        return self.store.meetings.all()[-1].id


@pytest.fixture
def group(database_url):
    group = Group(database_url)
    group.say("@fac:x", "!meeting start Budget")
    yield group
    group.close()


def test_a_removed_member_leaves_the_stack_and_the_floor_at_once(group):
    for user in ("@ann:x", "@ben:x", "@carol:x"):
        group.say(user, "✋")
    group.say("@fac:x", "!next")
    assert group.queue(group.membership("@ben:x", "leave", by=BOT)) == ["Carol Smith"]  # a removal carried out
    assert group.membership("@dan:x", "ban", by="@mod:x") == []  # took no part: nothing changes, nothing said
    left = group.membership("@ann:x", "leave")  # Ann leaves while she has the floor: her turn ends
    assert "Speaking:" not in group.board(left) and group.store.meetings.current_turn(group.meeting_id()) is None
    assert texts(group.say("@fac:x", "!next")) == ["🎤 Carol Smith, you have the floor."]
    group.membership("@ben:x", "join")  # back: he starts as anyone new, not on the stack, not present
    group.say("@fac:x", "!done")
    assert texts(group.say("@fac:x", "!next"))[0].startswith("The stack is empty")
    assert group.store.meetings.present(group.meeting_id()) == {"@fac:x", "@carol:x"}
    [minutes] = [t for t in texts(group.say("@fac:x", "!meeting end")) if t.startswith("# Minutes")]
    speakers = minutes.split("## Speakers, in order\n")[1].split("\n\n")[0]
    assert " Ann, " in speakers and " Carol Smith, " in speakers and "Ben" not in speakers
    assert "Ben left the room, and so the meeting." in minutes


def test_a_banned_member_waiting_on_the_stack_is_taken_off(group):
    group.say("@dan:x", "stack")
    group.say("@ann:x", "stack")
    assert group.queue(group.membership("@dan:x", "ban", by="@mod:x")) == ["Ann"]
    assert "@dan:x" not in group.store.meetings.present(group.meeting_id())


def test_a_facilitator_who_leaves_hands_the_meeting_to_the_moderators(group):
    said = texts(group.membership("@fac:x", "leave"))
    assert said == ["Fac has left the room, so the room's moderators facilitate the meeting now."]
    assert group.store.meetings.facilitators(group.meeting_id()) == []
    assert texts(group.say("@ann:x", "!next"))[0].startswith("Sorry, only")
    assert texts(group.say("@mod:x", "!next"))[0].startswith("The stack is empty")


def test_stack_commands_take_names_as_people_type_them(group):
    group.say("@ann:x", "✋")
    group.say("@carol:x", "✋")
    assert group.queue(group.say("@fac:x", '!stack move "Carol Smith" 1')) == ["Carol Smith", "Ann"]
    [again] = texts(group.say("@fac:x", '!stack add "carol smith"'))
    assert again == "Carol Smith is already on the stack, at position 1."  # the member, not a phantom
    assert group.queue(group.say("@fac:x", '!stack add "Pat (phone)"')) == ["Carol Smith", "Ann", "Pat (phone)"]
    assert group.queue(group.say("@fac:x", "!stack remove @CAROL")) == ["Ann", "Pat (phone)"]
    assert group.queue(group.say("@fac:x", "!stack add dan")) == ["Ann", "Pat (phone)", "Dan"]
    [which] = texts(group.say("@fac:x", "!stack add @nobody"))
    assert "I don't know anyone called “nobody”" in which
    assert [s.entry.person.key for s in group.store.meetings.waiting(group.meeting_id())] == \
        ["@ann:x", "name:pat (phone)", "@dan:x"]


def test_minutes_list_everyone_present_under_one_name_and_clarifications_apart(group):
    group.say("@dan:x", "!here")
    dm = group.direct_chat("@ann:x")
    group.signal(Membership, dm, sender="@ann:x", user_id="@ann:x", membership="join")
    group.say("@ann:x", "!revision propose Add a section on mutual aid.", dm)
    group.say("@fac:x", "!revision vote 1")
    group.store.remember("revision-vote:1", ORG.room_id, "$vote")
    group.signal(Reaction, group.views[ORG.room_id], sender="@ben:x", emoji="✅", target_event_id="$vote")
    [counted] = texts(group.say("@fac:x", "!revision count 1"))
    assert "with 3 eligible members present" in counted  # Fac, Dan, and Ben who showed a hand
    group.say("@carol:x", "!clarify quorum")
    group.say("@fac:x", "!next")
    group.say("@fac:x", "!done")
    group.say("@ann:x", "stack")
    group.say("@fac:x", "!next")
    group.say("@fac:x", "!done")
    group.membership("@ann:x", "leave", by="@mod:x")  # no longer in the room to ask her name of
    [minutes] = [t for t in texts(group.say("@fac:x", "!meeting end")) if t.startswith("# Minutes")]
    present = minutes.split("## Present\n")[1].split("\n\n")[0].splitlines()
    assert present == ["- Ann", "- Ben", "- Carol Smith", "- Dan", "- Fac"]
    assert "@" not in minutes  # nobody under their Matrix ID here and their name there
    assert "## Points of clarification\n- " in minutes and "Carol Smith, " in minutes.split("## Points of")[1]
    assert "- Ann: 1 turn," in minutes and "Carol Smith: " not in minutes.split("## Take space, make space")[1]
