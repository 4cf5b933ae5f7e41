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
