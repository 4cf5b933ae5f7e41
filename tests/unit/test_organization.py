"""The organization model's rules: one kind per room, who holds each role, conflicts of interest,
and which conversation a direct message continues. Rooms are built as Element makes them: a creator
(room version 11 or 12), power levels, joined members with display names."""

import pytest

from scorebot.domain import keys
from scorebot.domain.conversations import Ask, Conversation, Topic, chosen, held, owner, replied_to, unheld
from scorebot.domain.organization import (
    Readers,
    Route,
    conflicted,
    readable_here,
    readers_of,
    room_kind_clash,
    who_holds_each_role,
)
from scorebot.domain.rooms import Roles, RoomKind, RoomView

BOT = "@scorebot:org.example"
ALICE, MAYA, BOB, EVE = "@alice:org.example", "@maya:org.example", "@bob:org.example", "@eve:org.example"
IDA, IVAN, SAM = "@ida:org.example", "@ivan:org.example", "@sam:org.example"
NAMES = {ALICE: "Alice", MAYA: "Maya", BOB: "Bob", EVE: "Eve", IDA: "Ida", IVAN: "Ivan", SAM: "Sam"}


def room(room_id: str, kind: RoomKind, version: str, creator: str, members: list[str], levels: dict) -> RoomView:
    """A room as Element creates it: the creator is in it; from version 12 on, not in the levels."""
    create = {"sender": creator, "content": {"room_version": version}}
    return RoomView.from_state(room_id, kind, create, {"users": levels, "users_default": 0},
                               members={u: NAMES.get(u, u) for u in [creator, *members]})


@pytest.fixture(params=["11", "12"])
def organization(request) -> list[RoomView]:
    version = request.param
    creator_level = {} if version == "12" else {ALICE: 100}
    return [
        room("!org:org.example", RoomKind.ORGANIZING, version, ALICE, [BOT, MAYA, BOB, EVE, IDA, IVAN],
             {**creator_level, BOT: 100, MAYA: 50}),
        room("!mods:org.example", RoomKind.MODERATORS, version, ALICE, [BOT, MAYA], {**creator_level, BOT: 100}),
        room("!igo:org.example", RoomKind.IGO, version, IDA, [BOT, IVAN],
             {**({} if version == "12" else {IDA: 100}), BOT: 100}),
    ]


# -- one kind per room --------------------------------------------------------------------------

def test_one_room_in_two_kinds_is_named_by_both_keys():
    clash = room_kind_clash([("rooms.organizing[0]", "!org:x"), ("rooms.moderators", "!org:x"),
                             ("rooms.igo", "!org:x")])
    assert clash.startswith("rooms.organizing[0] and rooms.moderators name the same room (!org:x)")
    assert "\n" not in clash
    assert room_kind_clash([("rooms.igo", "#igo:x"), ("rooms.steering", "#igo:x")]).startswith(
        "rooms.igo and rooms.steering")


def test_each_room_one_kind_is_fine_and_a_repeated_organizing_room_is_no_clash():
    assert room_kind_clash([("rooms.organizing[0]", "!a:x"), ("rooms.organizing[1]", "!a:x"),
                            ("rooms.moderators", "!m:x"), ("rooms.igo", "!i:x"), ("rooms.steering", None)]) is None


# -- who holds each role --------------------------------------------------------------------------

def test_roles_come_from_the_organizations_rooms_and_are_said_in_plain_words(organization):
    roles = Roles.of_organization(organization, BOT, listed_igos=[SAM])
    assert roles.igos() == {IDA, IVAN, SAM}  # the IGO room's creator and members, and the config list
    assert roles.moderators() == {ALICE, MAYA}  # the organizing room's creator and power 50; the mods' room
    said = who_holds_each_role(roles, [], lambda user: NAMES[user])
    assert said == ["Moderators (they decide on removals and see cases): Alice, Maya.",
                    "Grievance officers (they read every report): Ida, Ivan, Sam.",
                    "Steering Committee (they ratify revisions of the code of conduct): no one yet."]


def test_a_direct_chat_grants_no_role(organization):
    direct = room("!dm:org.example", RoomKind.DIRECT, "12", EVE, [BOT], {BOT: 100})
    roles = Roles.of_organization([*organization, direct], BOT)
    assert EVE not in roles.moderators() | roles.igos()


# -- conflicts of interest ------------------------------------------------------------------------

def test_the_subject_is_conflicted_no_one_else():
    assert conflicted(IDA, IDA)
    assert not conflicted(IVAN, IDA)
    assert not conflicted(IDA, None)


def test_a_case_is_never_shown_where_its_subject_reads(organization):
    igo_room = set(organization[2].members) | set(organization[2].invited)
    assert IDA in igo_room
    assert not readable_here(IDA, igo_room)
    assert readable_here(EVE, igo_room) and readable_here(None, igo_room)
    assert not readable_here(IDA, {IDA, BOT})  # her own direct chat is no place for it either


def test_the_other_officers_room_is_named_by_report_or_case_and_its_number():
    assert keys.number_in(keys.officers_room("report", 2), "report-officers") == 2
    assert keys.number_in(keys.officers_room("case", 2), "report-officers") is None
    assert {keys.officers_room(kind, 1).split(":")[0] for kind in ("report", "case")} == set(keys.OFFICERS_ROOMS)


def test_a_report_about_a_member_goes_to_the_grievance_officers_room(organization):
    igo_room = set(organization[2].members)
    assert readers_of(EVE, {IDA, IVAN}, igo_room) == Readers(Route.IGO_ROOM)
    assert readers_of(None, {IDA, IVAN}, igo_room) == Readers(Route.IGO_ROOM)


def test_a_report_about_a_grievance_officer_goes_to_the_others_only(organization):
    igo_room = set(organization[2].members)
    assert readers_of(IDA, {IDA, IVAN}, igo_room) == Readers(Route.OTHER_IGOS, (IVAN,))


def test_with_no_other_grievance_officer_steering_then_moderators_without_text_never_where_the_subject_is():
    alone = {IDA}
    assert readers_of(IDA, alone, {IDA}, steering_room={SAM}, moderators_room={MAYA}).route is Route.STEERING
    assert readers_of(IDA, alone, {IDA}, steering_room={SAM, IDA},
                      moderators_room={MAYA}).route is Route.MODERATORS_WITHOUT_TEXT
    assert readers_of(IDA, alone, {IDA}, moderators_room={MAYA}).route is Route.MODERATORS_WITHOUT_TEXT
    assert readers_of(IDA, alone, {IDA}, moderators_room={MAYA, IDA}).route is Route.NOWHERE
    assert readers_of(IDA, alone, {IDA}).route is Route.NOWHERE


# -- which conversation a direct message continues --------------------------------------------------

REPORT, CASE, BALLOT = Conversation(Topic.REPORT, 3), Conversation(Topic.CASE, 1), Conversation(Topic.BALLOT, 2)


def test_the_message_replied_to_decides():
    assert replied_to(keys.report_note(3)) == REPORT
    assert replied_to(keys.report_note(3, "$answer")) == REPORT
    assert replied_to(keys.case_note(1, EVE, 1000)) == CASE
    assert replied_to(keys.ballot_note(2, EVE)) == BALLOT
    assert replied_to(keys.case(1)) is None and replied_to(None) is None
    assert owner(CASE, [REPORT, CASE]) == CASE
    assert owner(REPORT, []) == REPORT


def test_without_a_reply_the_one_open_conversation_else_a_question():
    assert owner(None, [REPORT]) == REPORT
    assert owner(None, [BALLOT]) == BALLOT
    assert owner(None, []) is None
    assert owner(None, [REPORT, CASE]) == Ask((REPORT, CASE))
    assert owner(None, [BALLOT, CASE]) == Ask((CASE, BALLOT))  # listed in one order, whoever found them first
    assert owner(None, [CASE, REPORT]) == Ask((REPORT, CASE))


def test_the_answer_to_the_question_is_a_listed_number_and_the_words_wait_for_it():
    choices = (REPORT, CASE)
    assert chosen("2", choices) == CASE and chosen(" 1. ", choices) == REPORT
    assert chosen("3", choices) is None and chosen("the report", choices) is None
    assert unheld(held("she followed me home", choices)) == ("she followed me home", choices)
    assert unheld("") is None


def test_a_config_with_one_room_in_two_kinds_is_refused_naming_both_keys(tmp_path):
    from scorebot.config import ConfigError, load_config

    path = tmp_path / "config.yaml"
    path.write_text("homeserver: http://127.0.0.1:9\nuser_id: '@bot:x'\naccess_token: t\n"
                    "rooms: {organizing: ['!org:x'], moderators: '!mods:x', igo: '!org:x'}\n")
    with pytest.raises(ConfigError, match=r"^rooms.organizing\[0\] and rooms.igo name the same room"):
        load_config(path)
