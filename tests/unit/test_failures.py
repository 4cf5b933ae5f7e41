"""Who hears of an action the bot could not carry out."""

from scorebot.domain.actions import Edit, Kick, React, Send, SendDirect, Unban
from scorebot.domain.failures import tell_about
from scorebot.domain.text import plain


def test_the_people_who_can_act_are_told_in_their_room():
    [removal] = tell_about(Kick("!org:x", "@eve:x"), "!mods:x", "!igo:x")
    assert removal.room_id == "!mods:x" and "could not remove @eve:x" in removal.text.plain
    [ban] = tell_about(Unban("!org:x", "@eve:x"), "!mods:x", "!igo:x")
    assert "lift the ban" in ban.text.plain
    [relay] = tell_about(SendDirect("@bob:x", plain("from the IGO team"), remember="report-dm:3:$e"), "!mods:x",
                         "!igo:x")
    assert relay.room_id == "!igo:x" and "report #3" in relay.text.plain and "from the IGO team" not in str(relay)
    [warning] = tell_about(SendDirect("@eve:x", plain("please stop")), "!mods:x", "!igo:x")
    assert warning.room_id == "!mods:x" and "please stop" not in warning.text.plain
    [proposal] = tell_about(Send("!mods:x", plain("🛑 Removal proposal #1"), remember="proposal:1"), "!mods:x",
                            "!igo:x")
    assert proposal.room_id == "!igo:x"


def test_small_things_and_missing_rooms_tell_no_one():
    assert tell_about(React("!org:x", "$e", "✅"), "!mods:x", "!igo:x") == []
    assert tell_about(Edit("!org:x", "board:1:1", plain("board")), "!mods:x", "!igo:x") == []
    assert tell_about(Kick("!org:x", "@eve:x"), None, None) == []
