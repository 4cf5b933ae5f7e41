from nio import UnknownToDeviceEvent

from scorebot.matrix.events import command_text, strip_reply_fallback, withheld_signal


def test_pills_become_matrix_ids():
    html = 'warn <a href="https://matrix.to/#/@bob:example.org">Bob Smith</a> please'
    assert command_text("warn Bob Smith please", html) == "warn @bob:example.org please"


def test_reply_quotes_are_left_out():
    html = "<mx-reply><blockquote>!warn @x:y</blockquote></mx-reply>!help"
    assert command_text("> <@a:b> !warn @x:y\n\n!help", html) == "!help"
    assert strip_reply_fallback("> <@a:b> quoted\n> more\n\nouch") == "ouch"


def test_plain_body_when_there_is_no_html():
    assert command_text("  !stack  ", None) == "!stack"


def test_a_withheld_key_becomes_one_signal_per_session():
    def event(content):
        source = {"type": "m.room_key.withheld", "sender": "@ann:x", "content": content}
        return UnknownToDeviceEvent(source, "@ann:x", "m.room_key.withheld")

    signal = withheld_signal(event({"room_id": "!dm:x", "session_id": "s1", "code": "m.unverified"}), 5)
    assert (signal.room_id, signal.event_id, signal.sender, signal.code) == ("!dm:x", "withheld:!dm:x:s1",
                                                                             "@ann:x", "m.unverified")
    assert withheld_signal(event({"room_id": 3, "session_id": "s1"}), 5) is None  # malformed: skipped
