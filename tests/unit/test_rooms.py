import math

from scorebot.domain.rooms import PowerLevels, Role, Roles, RoomKind, RoomView


def view(version: str, levels: dict, creator: str = "@alice:x", extra=None) -> RoomView:
    content = {"room_version": version, **({"additional_creators": extra} if extra else {})}
    create = {"sender": creator, "content": content}
    return RoomView.from_state("!r:x", RoomKind.ORGANIZING, create, levels)


def test_room_version_12_creators_stand_above_every_level():
    room = view("12", {"users": {"@bot:x": 100}}, extra=["@carol:x"])
    assert room.power_of("@alice:x") == math.inf
    assert room.power_of("@carol:x") == math.inf
    assert room.power_of("@bot:x") == 100
    assert Roles().is_moderator(room, "@alice:x")


def test_before_version_12_the_creator_has_only_its_listed_level():
    room = view("10", {"users": {"@alice:x": 100}, "users_default": 0})
    assert room.power_of("@alice:x") == 100
    room = view("11", {"users": {}})
    assert room.power_of("@alice:x") == 0


def test_moderator_by_level_or_by_config_list_never_by_name():
    room = RoomView("!r:x", RoomKind.ORGANIZING, members={"@mallory:x": "@alice:x"},
                    power_levels=PowerLevels.from_content({"users": {"@mod:x": 50, "@helper:x": 49}}))
    roles = Roles(listed_moderators=frozenset({"@listed:x"}))
    assert roles.is_moderator(room, "@mod:x")
    assert not roles.is_moderator(room, "@helper:x")
    assert roles.is_moderator(room, "@listed:x")
    assert not roles.is_moderator(room, "@mallory:x")  # displays as "@alice:x", is not alice


def test_igo_by_igo_room_membership_or_list():
    roles = Roles(listed_igos=frozenset({"@a:x"}), igo_room_members=frozenset({"@b:x"}))
    room = RoomView("!r:x", RoomKind.IGO)
    assert roles.has(Role.IGO, room, "@a:x") and roles.has(Role.IGO, room, "@b:x")
    assert not roles.has(Role.IGO, room, "@c:x")


def test_malformed_power_levels_fall_back_to_spec_defaults():
    levels = PowerLevels.from_content({"users": {"@a:x": "lots"}, "kick": None, "users_default": "3"})
    assert levels.users["@a:x"] == 0 and levels.kick == 50 and levels.users_default == 3
    assert PowerLevels.from_content({"users": ["not", "a", "map"]}).users == {}


# -- roles come from the organization, never from the room typed in ------------------------------

BOT = "@bot:x"


def element_direct_chat(member: str, version: str) -> RoomView:
    """A direct chat as Element opens it: `trusted_private_chat`, so both ends hold power 100; in
    version 12 the member who opened it is also its creator, above every level."""
    users = {BOT: 100} if version == "12" else {member: 100, BOT: 100}
    create = {"sender": member, "content": {"room_version": version}}
    return RoomView.from_state("!dm:x", RoomKind.DIRECT, create, {"users": users},
                               members={member: "Bob", BOT: "scorebot"})


def organization(version: str = "12") -> tuple[Roles, dict[str, RoomView]]:
    create = {"sender": "@alice:x", "content": {"room_version": version}}
    organizing = RoomView.from_state("!org:x", RoomKind.ORGANIZING, create,
                                     {"users": {BOT: 100, "@maya:x": 50, "@bob:x": 0}, "users_default": 0},
                                     members={u: u for u in ("@alice:x", "@maya:x", "@bob:x", BOT)})
    mods = RoomView.from_state("!mods:x", RoomKind.MODERATORS, create, {"users": {BOT: 100}},
                               members={u: u for u in ("@alice:x", "@milo:x", BOT)})
    igo = RoomView.from_state("!igo:x", RoomKind.IGO, {"sender": "@ida:x", "content": {"room_version": version}},
                              {"users": {BOT: 100}}, members={u: u for u in ("@ida:x", BOT)})
    views = {v.room_id: v for v in (organizing, mods, igo)}
    return Roles.of_organization(views.values(), BOT, 50, ["@listed:x"], ["@listed-igo:x"]), views


def test_a_member_gains_nothing_from_their_own_direct_chat_in_either_room_version():
    for version in ("11", "12"):
        roles, _ = organization(version)
        dm = element_direct_chat("@bob:x", version)
        assert dm.power_of("@bob:x") >= 100  # Element's trusted_private_chat gives them 100 (or more)
        for role in (Role.MODERATOR, Role.IGO, Role.STAFF, Role.FACILITATOR):
            assert not roles.has(role, dm, "@bob:x"), (version, role)


def test_organization_roles_hold_in_direct_chats_and_staff_rooms():
    roles, views = organization("12")
    for who in ("@alice:x", "@maya:x", "@milo:x", "@listed:x"):  # creator, power 50, moderators' room, config
        assert roles.has(Role.MODERATOR, element_direct_chat(who, "12"), who), who
        assert roles.has(Role.STAFF, views["!igo:x"], who), who
    for who in ("@ida:x", "@listed-igo:x"):
        assert roles.has(Role.IGO, element_direct_chat(who, "11"), who)
        assert roles.has(Role.STAFF, element_direct_chat(who, "11"), who)
        assert not roles.has(Role.MODERATOR, element_direct_chat(who, "11"), who)
    # The IGO room's creator is an IGO by being there, not a moderator by creating it.
    assert not roles.has(Role.MODERATOR, views["!igo:x"], "@ida:x")
    assert BOT not in roles.organizing_moderators | roles.igo_room_members | roles.moderators_room_members


def test_acting_on_one_organizing_room_needs_power_in_that_room():
    roles, views = organization("12")
    create = {"sender": "@zed:x", "content": {"room_version": "12"}}
    other = RoomView.from_state("!other:x", RoomKind.ORGANIZING, create, {"users": {BOT: 100}},
                                members={"@maya:x": "Maya", "@zed:x": "Zed"})
    assert roles.moderates(views["!org:x"], "@maya:x")
    assert not roles.moderates(other, "@maya:x")  # a moderator of one room is not one of every room
    assert not roles.moderates(other, "@milo:x")  # the moderators' room does not give power in a room
    assert roles.moderates(other, "@zed:x") and roles.moderates(other, "@listed:x")
    assert not roles.moderates(element_direct_chat("@bob:x", "12"), "@bob:x")


def test_an_unconfigured_room_grants_nothing():
    roles, _ = organization("11")
    group = RoomView.from_state("!group:x", RoomKind.OTHER, {"sender": "@bob:x", "content": {"room_version": "11"}},
                                {"users": {"@bob:x": 100}}, members={"@bob:x": "Bob"})
    assert not roles.has(Role.MODERATOR, group, "@bob:x") and not roles.has(Role.STAFF, group, "@bob:x")


def test_a_private_chat_holds_the_bot_and_one_person_counting_invitations():
    dm = element_direct_chat("@bob:x", "12")
    assert dm.holds_only("@bob:x", BOT)
    assert not RoomView("!dm:x", RoomKind.OTHER, members=dict(dm.members), invited=frozenset({"@carol:x"})
                        ).holds_only("@bob:x", BOT)
