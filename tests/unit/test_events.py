from nio import ReactionEvent, RoomMessageImage, RoomMessageNotice, RoomMessageText, UnknownToDeviceEvent

from scorebot.matrix.events import command_text, strip_reply_fallback, to_signal, withheld_signal


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


def room_event(content: dict, event_type: str = "m.room.message") -> dict:
    return {"type": event_type, "event_id": "$ev", "sender": "@ann:x", "origin_server_ts": 7, "content": content}


def test_an_edit_says_what_its_newest_content_says_and_names_the_message_it_replaces():
    edit = RoomMessageText.from_dict(room_event({
        "msgtype": "m.text", "body": "* !report @bob:x he shoved me",
        "m.new_content": {"msgtype": "m.text", "body": "!report @bob:x he shoved me",
                          "m.mentions": {"user_ids": ["@bob:x"]}},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$typo"}}))
    signal = to_signal(edit, "!r:x", "@bot:x")
    assert (signal.event_id, signal.replaces, signal.body) == ("$ev", "$typo", "!report @bob:x he shoved me")
    assert signal.command_body == "!report @bob:x he shoved me" and signal.mentions == ("@bob:x",)


def test_a_notice_is_a_message_too():
    notice = RoomMessageNotice.from_dict(room_event({"msgtype": "m.notice", "body": "!look"}))
    signal = to_signal(notice, "!r:x", "@bot:x")
    assert signal.is_notice and signal.command_body == "!look" and signal.replaces is None


def test_reaction_keys_arrive_bare():
    for key, bare_key in (("🙋🏽\u200d♀️", "🙋"), ("🖐️", "🖐"), ("✅", "✅"), ("🤕\ufe0f", "🤕"), ("🛑", "🛑")):
        event = ReactionEvent.from_dict(room_event(
            {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$m", "key": key}}, "m.reaction"))
        assert to_signal(event, "!r:x", "@bot:x").emoji == bare_key, key


def test_every_msgtype_is_a_message_but_only_words_are_commands():
    image = RoomMessageImage.from_dict(room_event({"msgtype": "m.image", "body": "!report.png", "url": "mxc://x/y"}))
    signal = to_signal(image, "!r:x", "@bot:x")
    assert (signal.body, signal.command_body, signal.is_notice) == ("!report.png", "", False)
