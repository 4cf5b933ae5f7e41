"""The stack feature through the dispatcher, with a real store: signals, order, turns, minutes."""


from scorebot.config import StackConfig
from scorebot.dispatch import Dispatcher
from scorebot.domain.actions import Edit, React, Send, SendDirect
from scorebot.domain.rooms import Roles, RoomKind, RoomView
from scorebot.domain.signals import Reaction, Redaction, Tick
from scorebot.features import Help, stack_features
from scorebot.store.models import Mark
from tests.support.stack_meeting import BOT, Meeting

DM = RoomView("!dm:x", RoomKind.OTHER, members={"@ann:x": "Ann", BOT: "bot"})


def test_every_signal_is_one_entry_confirmed_with_a_check(meeting):
    actions, hand = meeting.say("@ann:x", "✋🏽 on the budget")
    assert React("!r:x", hand, "✅") in actions
    actions, text = meeting.say("@ben:x", "Stack me")
    assert React("!r:x", text, "✅") in actions
    actions, _ = meeting.signal(Reaction, sender="@cal:x", emoji="🙋", target_event_id="$target")
    assert React("!r:x", "$target", "✅") in actions
    assert meeting.queue() == ["Ann", "Ben", "Cal"]
    assert meeting.queue() == ["Ann", "Ben", "Cal"]


def test_a_repeat_is_confirmed_with_at_most_one_notice_per_person_a_minute(meeting):
    """Under a homeserver's rate limits a storm of repeated hands must not become a storm of notices."""
    meeting.say("@ann:x", "✋")
    actions, again = meeting.say("@ann:x", "✋")  # a second later: a ✅, no new message
    assert actions == [React("!r:x", again, "✅")]
    for key in ("✋", "🙋", "🖐️"):
        actions, _ = meeting.signal(Reaction, sender="@ann:x", emoji=key, target_event_id="$target")
        assert actions == []  # a repeated reaction: the ✅ on her first hand stands
    meeting.clock += 60_000
    actions, _ = meeting.signal(Reaction, sender="@ann:x", emoji="✋", target_event_id="$target")
    [told] = actions  # a minute on: one notice with her place
    assert "already on the stack, at position 1" in told.text.plain
    actions, _ = meeting.say("@ann:x", "✋")
    assert [type(action) for action in actions] == [React]
    assert meeting.queue() == ["Ann"]


def test_the_stack_command_puts_its_sender_on_the_stack(meeting):
    actions, command = meeting.say("@ben:x", "!stack")
    assert React("!r:x", command, "✅") in actions
    assert meeting.queue() == ["Ben"]


def test_outside_a_meeting_hands_are_chat(database_url):
    meeting = Meeting(database_url)
    assert meeting.say("@ann:x", "✋")[0] == []
    [answer], _ = meeting.say("@ann:x", "!stack")
    assert "No meeting is running here" in answer.text.plain


def test_first_timers_before_repeat_speakers_and_minutes(meeting):
    meeting.say("@ann:x", "stack")
    meeting.say("@fac:x", "!next")
    meeting.say("@ann:x", "!done")
    meeting.say("@ann:x", "✋")  # Ann again, asking first
    meeting.say("@fac:x", '!stack add "Pat"')  # a phone participant, first time
    assert meeting.queue() == ["Pat", "Ann"]
    meeting.say("@fac:x", "!next")
    meeting.say("@fac:x", "!next")
    actions, _ = meeting.say("@fac:x", "!meeting end")
    minutes = [a.text.plain for a in actions if isinstance(a, Send)][-1]
    speakers = minutes.split("## Speakers, in order\n")[1].split("\n\n")[0].splitlines()
    assert [line.split(" ", 2)[2] for line in speakers] == ["Ann, 1 s", "Pat, 1 s", "Ann, 1 s"]
    assert "- Ann: 2 turns, 2 s" in minutes and "- Pat: 1 turn, 1 s" in minutes


def ann_and_ben_spoke_once_then_ask_again(meeting) -> None:
    """Both have spoken once (not yet "significantly"); Ben asks again before Ann."""
    for speaker in ("@ann:x", "@ben:x"):
        meeting.say(speaker, "stack")
        meeting.say("@fac:x", "!next")
    meeting.say("@fac:x", "!done")
    meeting.say("@ben:x", "stack")
    meeting.say("@ann:x", "stack")


def test_priority_is_declared_privately_and_orders_without_saying_why(meeting):
    meeting.store.set_direct_chat("@ann:x", "!dm:x")
    [thanks], _ = meeting.say("@ann:x", "priority on", room=DM)
    assert isinstance(thanks, SendDirect) and (thanks.user_id, thanks.reply_in) == ("@ann:x", "!dm:x")
    ann_and_ben_spoke_once_then_ask_again(meeting)
    assert meeting.queue() == ["Ann", "Ben"]
    assert "priority" not in meeting.board().lower()
    [deleted], _ = meeting.say("@ann:x", "priority off", room=DM)
    assert deleted.user_id == "@ann:x"  # and no board edit that would give it away
    meeting.say("@cal:x", "stack")
    assert meeting.queue() == ["Cal", "Ben", "Ann"]


def test_facilitator_overrides_stick_and_are_noted(meeting):
    for who in ("@ann:x", "@ben:x", "@cal:x"):
        meeting.say(who, "stack")
    meeting.say("@fac:x", "!stack move @cal:x 1")
    assert meeting.queue() == ["Cal", "Ann", "Ben"]
    [refusal], _ = meeting.say("@ann:x", "!stack move @ann:x 1")
    assert "only the meeting's facilitators" in refusal.text.plain
    meeting.say("@fac:x", "!stack close")
    [closed], _ = meeting.say("@fac:x", '!stack add "Sam"')
    assert "closed" in closed.text.plain
    meeting.say("@ann:x", "!clarify IGO")
    assert meeting.queue()[0] == "❓ Ann (point of clarification: IGO)"
    meeting.say("@fac:x", "!stack open")
    minutes_notes = meeting.store.meetings.notes(1)
    assert [text for _, text in minutes_notes] == ["Fac moved Cal to position 1.", "Fac closed the stack.",
                                                   "Fac opened the stack."]


def test_redacting_ones_hand_leaves_the_stack(meeting):
    _, hand = meeting.say("@ann:x", "✋")
    meeting.signal(Redaction, sender="@ben:x", redacts=hand)  # someone else's redaction does not count
    assert meeting.queue() == ["Ann"]
    meeting.signal(Redaction, sender="@ann:x", redacts=hand)
    assert meeting.queue() == []


def test_direct_chat_stack_and_automatic_wrap_up(database_url):
    meeting = Meeting(database_url, StackConfig(wrapup_after=30))
    meeting.say("@fac:x", "!meeting start")
    meeting.store.set_direct_chat("@ann:x", "!dm:x")
    actions, asked = meeting.say("@ann:x", "stack", room=DM)
    assert React("!dm:x", asked, "✅") in actions
    [told] = [a.text.plain for a in actions if isinstance(a, Send | SendDirect)]
    assert told == "You're on the stack for “General”, at position 1."  # the board is out of sight here
    assert meeting.queue() == ["Ann"]
    meeting.say("@fac:x", "!next")
    with meeting.store.db.atomic():
        assert meeting.dispatcher.tick(meeting.clock + 10_000, Roles()) == []
        [ask] = meeting.dispatcher.tick(meeting.clock + 31_000, Roles())
        assert "wrapping up" in ask.text.plain and ask.text.mentions == ("@ann:x",)
        assert meeting.dispatcher.tick(meeting.clock + 60_000, Roles()) == []
    assert Tick.at(5).event_id == "tick:5"


def test_leaving_removing_clearing_handing_over_and_wrapping_up(meeting):
    for who in ("@ann:x", "@ben:x", "@cal:x"):
        meeting.say(who, "stack")
    meeting.say("@ann:x", "unstack")
    meeting.say("@ben:x", "!unstack")
    assert meeting.queue() == ["Cal"]
    [not_on], _ = meeting.say("@ben:x", "!unstack")
    assert not_on.text.plain == "You're not on the stack."
    meeting.say("@fac:x", '!stack add "Pat"')
    meeting.say("@fac:x", '!stack remove "pat"')
    assert meeting.queue() == ["Cal"]
    meeting.say("@fac:x", "!stack clear")
    assert meeting.queue() == []

    [handed], _ = meeting.say("@fac:x", "!facilitator @ann:x")
    assert handed.text.mentions == ("@ann:x",)
    [refused], _ = meeting.say("@fac:x", "!next")  # the role has passed to Ann
    assert "only the meeting's facilitators" in refused.text.plain
    meeting.say("@ben:x", "stack")
    meeting.say("@ann:x", "!next")
    actions, _ = meeting.say("@ann:x", "!wrapup")
    [ask] = [a for a in actions if isinstance(a, Send)]
    assert "wrapping up" in ask.text.plain and ask.text.mentions == ("@ben:x",)
    [not_yours], _ = meeting.say("@cal:x", "!done")
    assert "Only the speaker or a facilitator" in not_yours.text.plain
    meeting.say("@ben:x", "!done")
    [nobody], _ = meeting.say("@ann:x", "!wrapup")
    assert nobody.text.plain == "Nobody has the floor right now."
    meeting.say("@ann:x", "!meeting end")
    assert meeting.store.meetings.everyone_who_facilitated(1) == ["@fac:x", "@ann:x"]


def test_priority_given_by_the_facilitator_in_a_direct_chat_waits_for_the_next_change(meeting):
    meeting.store.set_direct_chat("@fac:x", "!fdm:x")
    fac_dm = RoomView("!fdm:x", RoomKind.OTHER, members={"@fac:x": "Fac", BOT: "bot"})
    ann_and_ben_spoke_once_then_ask_again(meeting)
    before = meeting.board()
    actions, _ = meeting.say("@fac:x", "!stack priority @ann:x", room=fac_dm)
    assert not [a for a in actions if isinstance(a, Edit | Send)]  # no edit that would give it away
    assert meeting.board() == before
    meeting.say("@cal:x", "stack")
    assert meeting.queue() == ["Ann", "Cal", "Ben"]  # the front tier, first asked first
    # A member who facilitates nothing cannot do it from their direct chat.
    meeting.store.set_direct_chat("@ann:x", "!dm:x")
    [refusal], _ = meeting.say("@ann:x", "!stack priority @ann:x", room=DM)
    assert refusal.text.plain.startswith("Sorry, only")


def test_stack_texts_as_people_type_them(meeting):
    for who, said in [("@ann:x", "Stack me!"), ("@ben:x", "stack  me"), ("@cal:x", "stack.")]:
        actions, event_id = meeting.say(who, said)
        assert React("!r:x", event_id, "✅") in actions, said
    assert meeting.queue() == ["Ann", "Ben", "Cal"]
    meeting.say("@ann:x", "Unstack!")
    assert meeting.queue() == ["Ben", "Cal"]


def test_a_closed_stack_does_not_invite_people_to_join(meeting):
    meeting.say("@fac:x", "!stack close")
    board = meeting.board()
    assert "closed for now" in board and "To join" not in board and "To leave" in board


def test_decisions_and_action_items_go_into_the_minutes(database_url):
    from scorebot.features import Decisions

    meeting = Meeting(database_url)
    meeting.dispatcher = Dispatcher(meeting.store, [Help(), *stack_features(StackConfig()), Decisions()], BOT)
    [refused], _ = meeting.say("@fac:x", "!decision We meet on Tuesdays")  # no meeting: no facilitator yet
    assert refused.text.plain.startswith("Sorry, only")
    meeting.say("@fac:x", "!meeting start Budget")
    actions, decided = meeting.say("@fac:x", "!decision We meet on Tuesdays")
    assert React("!r:x", decided, "✅") in actions
    meeting.say("@fac:x", "!action ann book the hall")
    [refusal], _ = meeting.say("@ben:x", "!decision Ben decides alone")
    assert refusal.text.plain.startswith("Sorry, only")
    actions, _ = meeting.say("@fac:x", "!meeting end")
    minutes = [a.text.plain for a in actions if isinstance(a, Send)][-1]
    assert "## Decisions" in minutes and "We meet on Tuesdays" in minutes and "Ben decides" not in minutes
    assert "## Action items\n- Ann: book the hall" in minutes
    meeting.store.close()


def test_a_clarification_is_not_a_full_turn(meeting):
    """Two brief explanations must not cost someone their place among those who have not spoken yet."""
    for _ in range(2):
        meeting.say("@ann:x", "!clarify quorum")
        meeting.say("@fac:x", "!next")
        meeting.say("@fac:x", "!done")
        meeting.say("@ben:x", "stack")
        meeting.say("@fac:x", "!next")
        meeting.say("@fac:x", "!done")
    meeting.say("@ben:x", "stack")
    meeting.say("@ann:x", "stack")
    assert meeting.queue() == ["Ann", "Ben"]  # Ann has had no full turn yet; Ben has had two


def test_unstack_with_no_meeting_says_so(database_url):
    outside = Meeting(database_url)
    [answer], _ = outside.say("@ann:x", "!unstack")
    assert answer.text.plain.startswith("No meeting is running here")
    outside.store.close()


def test_when_each_member_was_told_they_are_on_the_stack_is_forgotten_with_the_meeting(meeting):
    meeting.say("@ann:x", "✋")
    meeting.say("@ben:x", "stack")
    told = lambda: Mark.select().where(Mark.name.startswith("stack-told:")).count()  # noqa: E731
    assert told() == 2
    meeting.say("@fac:x", "!meeting end")
    assert told() == 0
