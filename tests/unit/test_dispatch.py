"""The dispatcher with a real store: commands checked, failures contained, each event once."""

import pytest

from scorebot.context import Context
from scorebot.dispatch import Dispatcher
from scorebot.domain import edit_words
from scorebot.domain.actions import Join, Leave, Redact, Send, SendDirect
from scorebot.domain.commands import UserArg
from scorebot.domain.reactions import reaction
from scorebot.domain.rooms import PowerLevels, Role, Roles, RoomKind, RoomView
from scorebot.domain.signals import Invite, Message, Reaction
from scorebot.domain.text import plain
from scorebot.domain.unverified import readable_room
from scorebot.feature import Feature
from scorebot.features import all_features
from scorebot.store import Store
from scorebot.store.marks import marks

BOT = "@bot:x"
ROOM = RoomView("!r:x", RoomKind.ORGANIZING, members={"@mod:x": "Mod", "@bob:x": "Bob", BOT: "bot"},
                power_levels=PowerLevels.from_content({"users": {"@mod:x": 50}}))


class Sample(Feature):
    def __init__(self):
        self.seen = []
        self.asked_for_facilitators = 0

    def register(self, registry):
        registry.command("caution", UserArg(), role=Role.MODERATOR, rooms=frozenset({RoomKind.ORGANIZING}))(self.warn)
        registry.command("boom")(self.boom)

    def warn(self, ctx: Context, user: str):
        marks.set("warned", user)
        ctx.reply(f"asked {user} to stop")

    def boom(self, ctx: Context):
        marks.set("half-done", "yes")
        raise RuntimeError("boom")

    def on_message(self, ctx: Context):
        self.seen.append(ctx.signal.body)

    def facilitators(self, ctx: Context) -> list[str]:
        self.asked_for_facilitators += 1
        return []


@pytest.fixture
def dispatcher(database_url):
    store = Store(database_url)
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
    return [a.text.plain for a in actions if isinstance(a, Send | SendDirect)]


def test_each_event_is_handled_once(dispatcher):
    assert bodies(handle(dispatcher, message("!caution @bob:x", "@mod:x"))) == ["asked @bob:x to stop"]
    assert handle(dispatcher, message("!caution @bob:x", "@mod:x")) == []
    [(_, queued)] = dispatcher.store.pending_actions()
    assert queued.text.plain == "asked @bob:x to stop"


def test_role_is_checked_by_matrix_id(dispatcher):
    [refusal] = bodies(handle(dispatcher, message("!caution @mod:x", "@bob:x")))
    assert refusal == "Sorry, only moderators can use !caution."
    assert dispatcher.store.mark("warned") is None


def test_command_in_the_wrong_room_kind_says_where_it_works(dispatcher):
    mods = RoomView("!m:x", RoomKind.MODERATORS, power_levels=ROOM.power_levels)
    [answer] = bodies(handle(dispatcher, message("!caution @bob:x", "@mod:x", room="!m:x"), mods))
    assert answer == "!caution works in organizing rooms."


def test_a_failing_handler_is_rolled_back_and_answered_with_a_reference(dispatcher, caplog):
    [sorry] = bodies(handle(dispatcher, message("!boom")))
    assert "something went wrong" in sorry
    reference = sorry.split("reference ")[1].split(")")[0]
    assert any(reference in record.getMessage() for record in caplog.records)
    assert dispatcher.store.mark("half-done") is None
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
    [member_again] = bodies(handle(dispatcher, message("!help", "@bob:x", "$d")))
    assert member_again == for_member  # the overview is made once per set of commands, never shared wrongly
    [one] = bodies(handle(dispatcher, message("!help caution", "@bob:x", "$c")))
    assert "!caution @user" in one and "not available to you here" in one


def test_help_works_out_the_facilitators_once(dispatcher):
    """!help checks every command against the asker's roles: the facilitators are asked for once."""
    handle(dispatcher, message("!help", "@bob:x", "$once"))
    assert dispatcher.sample.asked_for_facilitators == 1


def test_the_bots_own_messages_are_ignored(dispatcher):
    assert handle(dispatcher, message("!help", BOT)) == []


def test_direct_chats_only_from_organizing_members(dispatcher):
    store = dispatcher.store
    assert dispatcher.on_invite(Invite("!dm:x", "@bob:x", True), set(), {"@bob:x"}) == [Join("!dm:x")]
    assert store.direct_chat("@bob:x") == "!dm:x"
    assert dispatcher.on_invite(Invite("!spam:x", "@stranger:y", True), set(), {"@bob:x"}) == []
    assert dispatcher.on_invite(Invite("!r:x", "@mod:x", False), {"!r:x"}, set()) == [Join("!r:x")]


def test_a_group_room_never_becomes_a_direct_chat(dispatcher):
    join, leave = dispatcher.on_invite(Invite("!group:x", "@bob:x", False), set(), {"@bob:x"})
    assert join == Join("!group:x") and isinstance(leave, Leave) and leave.room_id == "!group:x"
    assert "one-to-one chats" in leave.text.plain  # said as it leaves: no message can come after it
    assert dispatcher.store.direct_chat("@bob:x") is None


def test_a_direct_chat_with_a_third_person_is_not_private(dispatcher):
    dispatcher.store.set_direct_chat("@bob:x", "!dm:x")
    private = RoomView("!dm:x", RoomKind.OTHER, members={"@bob:x": "Bob", BOT: "bot"})
    crowded = RoomView("!dm:x", RoomKind.OTHER, members={"@bob:x": "Bob", BOT: "bot", "@eve:x": "Eve"})
    invited = RoomView("!dm:x", RoomKind.OTHER, members={"@bob:x": "Bob", BOT: "bot"}, invited=frozenset({"@e:x"}))
    [answer] = handle(dispatcher, message("!help", event_id="$p", room="!dm:x"), private)
    assert isinstance(answer, SendDirect) and answer.user_id == "@bob:x" and answer.reply_in == "!dm:x"
    # Someone else in it (joined, or only invited): the bot says so once, forgets it and leaves.
    [left] = handle(dispatcher, message("!cases", event_id="$q", room="!dm:x"), invited)
    assert isinstance(left, Leave) and left.room_id == "!dm:x" and "no longer private" in left.text.plain
    assert dispatcher.store.direct_chat("@bob:x") is None
    assert handle(dispatcher, message("!help", event_id="$r", room="!dm:x"), crowded) == []


def test_a_member_is_no_moderator_in_their_own_direct_chat(dispatcher):
    """Element's direct chat: the member holds power 100 there (and is its creator in version 12)."""
    dispatcher.store.set_direct_chat("@bob:x", "!dm:x")
    create = {"sender": "@bob:x", "content": {"room_version": "12"}}
    dm = RoomView.from_state("!dm:x", RoomKind.OTHER, create, {"users": {"@bob:x": 100, BOT: 100}},
                             members={"@bob:x": "Bob", BOT: "bot"})
    for n, text in enumerate(["!cases", "!case @eve:x", "!glossary remove stack", "!stack priority @eve:x"]):
        [refusal] = bodies(handle(dispatcher, message(text, event_id=f"$d{n}", room="!dm:x"), dm))
        assert refusal.startswith("Sorry, only"), text
    [help_text] = bodies(handle(dispatcher, message("!help", event_id="$h", room="!dm:x"), dm))
    assert "!cases" not in help_text and "!glossary remove" not in help_text and "!report" in help_text


def test_a_report_typed_in_a_shared_room_is_taken_out_and_goes_on_privately(dispatcher):
    secret = "she followed me home"
    actions = handle(dispatcher, message(f"!report @eve:x {secret}", event_id="$rep"))
    assert Redact("!r:x", "$rep", "moved to a private chat") in actions
    assert not [a for a in actions if isinstance(a, Send) and a.room_id == "!r:x"]
    moved, thanks = [a for a in actions if isinstance(a, SendDirect)]
    assert moved.user_id == thanks.user_id == "@bob:x" and "removed your message" in moved.text.plain
    assert "Your report is #1" in thanks.text.plain
    assert dispatcher.store.reports.get(1).words == secret
    assert dispatcher.store.culture.message("$rep") is None  # not kept as a recent message either


def test_priority_typed_in_a_shared_room_is_taken_out_and_kept_private(dispatcher):
    actions = handle(dispatcher, message("Priority on", event_id="$pri"))
    assert isinstance(actions[0], Redact) and not [a for a in actions if isinstance(a, Send)]
    assert all(a.user_id == "@bob:x" for a in actions if isinstance(a, SendDirect))
    assert "@bob:x" in dispatcher.store.meetings.priority(0)  # declared: every meeting


def test_no_direct_message_goes_unanswered(dispatcher):
    dispatcher.store.set_direct_chat("@bob:x", "!dm:x")
    dm = RoomView("!dm:x", RoomKind.OTHER, members={"@bob:x": "Bob", BOT: "bot"})
    [answer] = bodies(handle(dispatcher, message("hello? what is this", event_id="$x", room="!dm:x"), dm))
    assert "I'm not sure what you mean" in answer and "!report" in answer


def test_a_timer_that_fails_sends_nothing_of_what_it_decided(dispatcher):
    class Flaky(Feature):
        def on_tick(self, ctx):
            ctx.do(Send("!r:x", plain("half a reminder")))
            raise RuntimeError("broken timer")

    class Steady(Feature):
        def on_tick(self, ctx):
            ctx.do(Send("!r:x", plain("a reminder")))

    ticking = Dispatcher(dispatcher.store, [Flaky(), Steady()], BOT)
    with dispatcher.store.db.atomic():
        actions = ticking.tick(1_000, Roles())
    assert bodies(actions) == ["a reminder"]
    assert [a.text.plain for _, a in dispatcher.store.pending_actions()] == ["a reminder"]


def test_help_explains_a_command_of_several_words(dispatcher):
    [one] = bodies(handle(dispatcher, message("!help stack priority", "@bob:x", "$sp")))
    assert one.startswith("!stack priority @sam") and "In full: !stack priority @user" in one
    assert "did not expect" not in one


def test_members_are_found_as_people_type_them(dispatcher):
    room = RoomView("!r:x", RoomKind.ORGANIZING, members={"@mod:x": "Mod", "@bob:x": "Bob Smith",
                                                          "@bobby:x": "Bob", "@ann:x": "Ann", BOT: "bot"},
                    power_levels=ROOM.power_levels)
    for n, typed in enumerate(["@bob:x", "@Bob:X", "@bob", "bob", '"Bob Smith"', '"bob smith"']):
        [answer] = bodies(handle(dispatcher, message(f"!caution {typed}", "@mod:x", f"$n{n}"), room))
        assert answer == "asked @bob:x to stop", typed
    twins = RoomView("!r:x", RoomKind.ORGANIZING, members={"@mod:x": "Mod", "@sam1:x": "Sam", "@sam2:x": "Sam"},
                     power_levels=ROOM.power_levels)
    [which] = bodies(handle(dispatcher, message("!caution sam", "@mod:x", "$amb"), twins))
    assert "could be several people" in which and "@sam1:x" in which and "@sam2:x" in which
    [unknown] = bodies(handle(dispatcher, message("!caution zed", "@mod:x", "$none"), room))
    assert "I don't know anyone called “zed” here" in unknown
    assert dispatcher.store.mark("warned") == "@bob:x"


def test_an_unverified_session_refused_in_a_confidential_room_is_also_told_where_it_can_read(dispatcher):
    igo = RoomView("!igo:x", RoomKind.IGO, members={"@ida:x": "Ida", BOT: "bot"})
    mods = RoomView("!mods:x", RoomKind.MODERATORS, members={"@mod:x": "Mod", BOT: "bot"})
    organizing = RoomView("!r:x", RoomKind.ORGANIZING, members={"@ida:x": "Ida", BOT: "bot"})
    views = {view.room_id: view for view in (igo, mods, organizing)}
    roles = Roles(igo_room_members=frozenset({"@ida:x"}))
    signal = Message("!igo:x", "$u", "@ida:x", 0, body="!assign", command_body="!assign", unsigned_device=True)
    with dispatcher.store.db.atomic():
        actions = dispatcher.handle(signal, igo, roles, views)
    sends = [(a.room_id, a.text) for a in actions if isinstance(a, Send)]
    assert [room for room, _ in sends] == ["!igo:x", "!r:x"]
    here, elsewhere = sends[0][1], sends[1][1]
    assert "isn't verified" in here.plain and "verify this one" in elsewhere.plain
    assert elsewhere.mentions == ("@ida:x",) and "assign" not in elsewhere.plain

    # Where to tell: the moderators room first; nowhere more when the refusal's room is readable already.
    assert readable_room("@mod:x", RoomKind.IGO, views) == "!mods:x"
    assert readable_room("@ida:x", RoomKind.DIRECT, views) == "!r:x"
    assert readable_room("@mod:x", RoomKind.MODERATORS, views) is None
    assert readable_room("@eve:x", RoomKind.IGO, views) is None  # in no room every session reads


class Stops(Feature):
    """A feature that declares its reactions, as the bot's own do."""

    def __init__(self):
        self.heard = []

    @reaction("🛑", rooms=frozenset({RoomKind.ORGANIZING}))
    def stop(self, ctx: Context):
        self.heard.append(("stop", ctx.signal.emoji))

    @reaction("✅", rooms=frozenset({RoomKind.ORGANIZING}), on="proposal")
    def approve(self, ctx: Context, number: int):
        self.heard.append(("approve", number))


def test_a_reaction_goes_only_where_it_is_declared(database_url):
    store = Store(database_url)
    store.open()
    stops = Stops()
    dispatcher = Dispatcher(store, [stops], BOT)
    try:
        with store.db.atomic():
            store.remember("proposal:7", "!r:x", "$proposal")
        react = [("$1", "🛑", "$any", ROOM), ("$2", "🛑", "$any", RoomView("!m:x", RoomKind.MODERATORS)),
                 ("$3", "😀", "$any", ROOM), ("$4", "✅", "$any", ROOM), ("$5", "✅", "$proposal", ROOM)]
        for event_id, key, target, room in react:
            handle(dispatcher, Reaction(room.room_id, event_id, "@bob:x", 0, emoji=key, target_event_id=target), room)
        assert stops.heard == [("stop", "🛑"), ("approve", 7)]
    finally:
        store.close()


def edit(body: str, replaces: str, event_id: str, at: int = 1_000, sender: str = "@bob:x") -> Message:
    return Message("!r:x", event_id, sender, at, body=body, command_body=body, replaces=replaces)


def test_a_mistyped_command_fixed_by_an_edit_runs_once_and_a_changed_one_is_not_run_again(dispatcher):
    handle(dispatcher, message("!boo", "@mod:x", "$typo"))
    handle(dispatcher, edit("!caution @bob:x", "$typo", "$e1", 1_000, "@mod:x"))
    assert dispatcher.store.mark("warned") == "@bob:x"
    dispatcher.store.set_mark("warned", "")
    again = handle(dispatcher, edit("!caution @bob:x", "$typo", "$e2", 2_000, "@mod:x"))
    assert again == [] and dispatcher.store.mark("warned") == ""
    changed = handle(dispatcher, edit("!caution @mod:x", "$typo", "$e3", 3_000, "@mod:x"))
    assert bodies(changed) == [edit_words.NOT_AGAIN] and dispatcher.store.mark("warned") == ""


def test_an_edit_after_the_window_runs_nothing(dispatcher):
    handle(dispatcher, message("!boo", "@mod:x", "$typo"))
    late = handle(dispatcher, edit("!caution @bob:x", "$typo", "$e1", 121_000, "@mod:x"))
    assert late == [] and dispatcher.store.mark("warned") is None


def test_private_words_edited_in_leave_the_room_with_their_edit(dispatcher):
    handle(dispatcher, message("hello there", event_id="$said"))
    actions = handle(dispatcher, edit("priority on", "$said", "$edit"))
    redacted = {a.event_id for a in actions if isinstance(a, Redact)}
    assert redacted == {"$said", "$edit"}
    assert all(a.reason in (None, "moved to a private chat") for a in actions if isinstance(a, Redact))
    assert dispatcher.store.culture.message("$said") is None  # its words are not kept either
    again = handle(dispatcher, edit("priority off", "$said", "$edit2"))
    assert {a.event_id for a in again if isinstance(a, Redact)} == {"$said", "$edit2"}
    assert bodies(again) == [edit_words.NOT_AGAIN]  # said privately; nothing runs twice


def test_notices_and_commands_are_kept_for_the_flood_count(dispatcher):
    handle(dispatcher, Message("!r:x", "$n", "@bob:x", 5, body="a notice", command_body="a notice", is_notice=True))
    handle(dispatcher, message("!help", event_id="$c"))
    assert sorted(dispatcher.store.culture.message_times("!r:x", "@bob:x", 0)) == [0, 5]


def test_an_edit_of_someone_elses_message_changes_nothing(dispatcher):
    handle(dispatcher, message("what a good plan", "@mod:x", "$said"))
    actions = handle(dispatcher, edit("priority on", "$said", "$fake"))  # bob "edits" the moderator's message
    assert [a.event_id for a in actions if isinstance(a, Redact)] == []
    assert dispatcher.store.culture.message("$said").body == "what a good plan"
    handle(dispatcher, message("!boo", "@mod:x", "$typo"))
    assert handle(dispatcher, edit("!caution @mod:x", "$typo", "$fake2")) == []
    assert dispatcher.store.mark("warned") is None
