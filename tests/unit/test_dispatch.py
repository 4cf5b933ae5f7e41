"""The dispatcher with a real store: commands checked, failures contained, each event once."""

import pytest

from scorebot.dispatch import Context, Dispatcher, Feature
from scorebot.domain.actions import Join, Send
from scorebot.domain.commands import UserArg
from scorebot.domain.rooms import PowerLevels, Role, Roles, RoomKind, RoomView
from scorebot.domain.signals import Invite, Message
from scorebot.features import all_features
from scorebot.store import Store

BOT = "@bot:x"
ROOM = RoomView("!r:x", RoomKind.ORGANIZING, members={"@mod:x": "Mod", "@bob:x": "Bob", BOT: "bot"},
                power_levels=PowerLevels.from_content({"users": {"@mod:x": 50}}))


class Sample(Feature):
    def __init__(self):
        self.seen = []

    def register(self, registry):
        registry.command("caution", UserArg(), role=Role.MODERATOR, rooms=frozenset({RoomKind.ORGANIZING}))(self.warn)
        registry.command("boom")(self.boom)

    def warn(self, ctx: Context, user: str):
        ctx.store.set_setting("warned", user)
        ctx.reply(f"asked {user} to stop")

    def boom(self, ctx: Context):
        ctx.store.set_setting("half-done", "yes")
        raise RuntimeError("boom")

    def on_message(self, ctx: Context):
        self.seen.append(ctx.signal.body)


@pytest.fixture
def dispatcher(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.open()
    sample = Sample()
    dispatcher = Dispatcher(store, [*all_features(), sample], BOT)
    dispatcher.sample = sample
    yield dispatcher
    store.close()


def message(body: str, sender: str = "@bob:x", event_id: str = "$1", room: str = "!r:x") -> Message:
    return Message(room, event_id, sender, 0, body=body, command_body=body)


def handle(dispatcher, signal, room=ROOM):
    with dispatcher.store.db.atomic():
        return dispatcher.handle(signal, room, Roles())


def bodies(actions) -> list[str]:
    return [a.text.plain for a in actions if isinstance(a, Send)]


def test_each_event_is_handled_once(dispatcher):
    assert bodies(handle(dispatcher, message("!caution @bob:x", "@mod:x"))) == ["asked @bob:x to stop"]
    assert handle(dispatcher, message("!caution @bob:x", "@mod:x")) == []
    [(_, queued)] = dispatcher.store.pending_actions()
    assert queued.text.plain == "asked @bob:x to stop"


def test_role_is_checked_by_matrix_id(dispatcher):
    [refusal] = bodies(handle(dispatcher, message("!caution @mod:x", "@bob:x")))
    assert refusal == "Sorry, only moderators can use !caution."
    assert dispatcher.store.setting("warned") is None


def test_command_in_the_wrong_room_kind_says_where_it_works(dispatcher):
    mods = RoomView("!m:x", RoomKind.MODERATORS, power_levels=ROOM.power_levels)
    [answer] = bodies(handle(dispatcher, message("!caution @bob:x", "@mod:x", room="!m:x"), mods))
    assert answer == "!caution works in organizing rooms."


def test_a_failing_handler_is_rolled_back_and_answered_with_a_reference(dispatcher, caplog):
    [sorry] = bodies(handle(dispatcher, message("!boom")))
    assert "something went wrong" in sorry
    reference = sorry.split("reference ")[1].split(")")[0]
    assert any(reference in record.getMessage() for record in caplog.records)
    assert dispatcher.store.setting("half-done") is None
    assert dispatcher.store.was_handled("$1")


def test_chat_goes_to_features_and_notices_are_never_commands(dispatcher):
    assert handle(dispatcher, message("hello all")) == []
    assert dispatcher.sample.seen == ["hello all"]
    notice = Message("!r:x", "$2", "@otherbot:x", 0, body="!help", command_body="!help", is_notice=True)
    assert handle(dispatcher, notice) == []


def test_help_lists_only_what_the_asker_may_use(dispatcher):
    [for_member] = bodies(handle(dispatcher, message("!help", "@bob:x", "$a")))
    [for_moderator] = bodies(handle(dispatcher, message("!help", "@mod:x", "$b")))
    assert "!caution" not in for_member and "!caution" in for_moderator
    [one] = bodies(handle(dispatcher, message("!help caution", "@bob:x", "$c")))
    assert "!caution @user" in one and "not available to you here" in one


def test_the_bots_own_messages_are_ignored(dispatcher):
    assert handle(dispatcher, message("!help", BOT)) == []


def test_direct_chats_only_from_organizing_members(dispatcher):
    store = dispatcher.store
    assert dispatcher.on_invite(Invite("!dm:x", "@bob:x", True), set(), {"@bob:x"}) == [Join("!dm:x")]
    assert store.direct_chat("@bob:x") == "!dm:x"
    assert dispatcher.on_invite(Invite("!spam:x", "@stranger:y", True), set(), {"@bob:x"}) == []
    assert dispatcher.on_invite(Invite("!r:x", "@mod:x", False), {"!r:x"}, set()) == [Join("!r:x")]


def test_a_direct_chat_with_a_third_person_is_not_private(dispatcher):
    dispatcher.store.set_direct_chat("@bob:x", "!dm:x")
    private = RoomView("!dm:x", RoomKind.OTHER, members={"@bob:x": "Bob", BOT: "bot"})
    crowded = RoomView("!dm:x", RoomKind.OTHER, members={"@bob:x": "Bob", BOT: "bot", "@eve:x": "Eve"})
    assert bodies(handle(dispatcher, message("!help", event_id="$p", room="!dm:x"), private))
    assert handle(dispatcher, message("!help", event_id="$q", room="!dm:x"), crowded) == []
